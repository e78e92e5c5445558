// Weeks 17-18, BERT vs GPT: what the course's pre-trained checkpoints (playground/public/models/{bert,gpt,icl})
// see and predict, step by step. Every function takes a loaded model (nn.BERT.fromCard / nn.GPT.fromCard) and
// plain ids, so the lesson page, its widgets and the Node tests compute the same numbers:
//   - the first layer's attention weights of each model on one text (BERT bidirectional, GPT causal);
//   - BERT's guesses for a [MASK]ed token against GPT's guesses for the same token from its left context;
//   - GPT sampling one step at a time, with the filtered next-token distribution of every step;
//   - the masking rule's outcome counts (nn.maskTokens), the in-context model's accuracy by number of examples,
//     the work a KV cache saves, and the BERT card's fine-tuning numbers;
//   - a short live fine-tune of the pre-trained BERT against the same model from scratch, with held-out
//     accuracy after every few steps (engine/train/sentiment.ts runs the full comparison; this is its small cousin).
import { tensor, type Tensor } from '../tensor';
import { tidy, dispose } from '../memory';
import { noGrad } from '../autograd';
import { crossEntropy } from '../ops/loss';
import { mulberry32 } from '../random';
import { samplingDistribution, sampleToken, type SamplingOptions } from '../nn/sampling';
import { maskTokens, BERT, type BertConfig, type MaskingOptions } from '../nn/bert';
import type { GPT } from '../nn/gpt';
import type { Tokenizer } from '../nn/tokenizers';
import type { BPETokenizer } from '../nn/bpe';
import { AdamW } from '../optim/adam';
import { LRScheduler, warmupSchedule } from '../optim/schedule';
import type { ModelCard, ModelFiles } from '../io/model-card';
import type { DeviceName } from '../backend/backend';
import { shuffle } from '../data/names';
import type { LabelledSentence } from '../data/sentiment';
import { sentimentAccuracy, SENTIMENT_BUDGET } from '../train/sentiment';

/** A candidate token and its probability. */
export interface Guess {
  id: number;
  p: number;
}

/** The k most probable ids of a distribution, most probable first (ties: lower id first). */
export function topGuesses(probs: ArrayLike<number>, k: number): Guess[] {
  return Array.from(probs, (p, id) => ({ id, p }))
    .sort((a, b) => b.p - a.p || a.id - b.id)
    .slice(0, k);
}

/** softmax of one logits row, as float64 (the sampler's distribution at temperature 1, nothing filtered). */
const softmaxRow = (row: ArrayLike<number>): Float64Array => samplingDistribution(row, { temperature: 1 });

/** The head-averaged rows of a (1, H, T, T) weights tensor: T rows of T, row = query, column = key. */
async function headMean(weights: Tensor): Promise<number[][]> {
  const [, H, T] = weights.shape;
  const w = await weights.toArray();
  return Array.from({ length: T }, (_, i) =>
    Array.from({ length: T }, (_, j) => {
      let s = 0;
      for (let h = 0; h < H; h++) s += w[(h * T + i) * T + j];
      return s / H;
    }),
  );
}

/**
 * GPT's first-layer attention on `ids`, averaged over heads: (T, T), row i the weights query i gives each key. The
 * causal mask makes every entry above the diagonal exactly 0: token i sees tokens 0…i only.
 */
export async function gptAttention(model: GPT, ids: readonly number[]): Promise<number[][]> {
  // The first block's input is rebuilt here: token embeddings plus learned positions (RoPE and ALiBi act inside
  // attention, so they need nothing); a sinusoidal table would have to be added too, and is not.
  if (model.config.positional === 'sinusoidal') throw new Error('gptAttention: models with sinusoidal positions are not supported');
  const device = model.wte.weight.device;
  const w = noGrad(() =>
    tidy(() => {
      let x = model.wte.forward(tensor(Int32Array.from(ids), [1, ids.length], { device })); // (1, T, E)
      if (model.wpe) x = model.wpe.encode(x, 0);
      return model.h[0].selfAttentionWeights(x, { causal: true }); // (1, H, T, T)
    }),
  );
  try {
    return await headMean(w);
  } finally {
    w.dispose();
  }
}

/**
 * BERT's first-layer attention on `ids` ([CLS] … [SEP], maybe padded), averaged over heads: (T, T). No causal
 * mask: each token sees both sides. Only [PAD] keys are masked out (their columns are 0).
 */
export async function bertAttention(model: BERT, ids: readonly number[]): Promise<number[][]> {
  const device = model.embeddings.word_embeddings.weight.device;
  const w = noGrad(() =>
    tidy(() => {
      const idx = tensor(Int32Array.from(ids), [1, ids.length], { device }); // (1, T)
      const x = model.embeddings.forward(idx); // (1, T, d); eval mode, so no dropout
      const keyPaddingMask = (model.config.maskPadding ?? true) ? idx.eq(model.config.padId).int() : undefined;
      return model.encoder.layers[0].selfAttentionWeights(x, { keyPaddingMask }); // (1, H, T, T)
    }),
  );
  try {
    return await headMean(w);
  } finally {
    w.dispose();
  }
}

/**
 * BERT's guesses for the token at `at`: the input is `ids` with ids[at] replaced by [MASK] (maskId), and the
 * masked-LM head's softmax at that position is read. BERT uses the tokens on both sides of the gap.
 */
export async function bertFillMask(model: BERT, ids: readonly number[], at: number, maskId: number, k = 5): Promise<Guess[]> {
  if (!Number.isInteger(at) || at < 0 || at >= ids.length) throw new RangeError(`bertFillMask: position ${at} is outside the ${ids.length} tokens`);
  const masked = Int32Array.from(ids);
  masked[at] = maskId;
  const device = model.embeddings.word_embeddings.weight.device;
  const row = noGrad(() => tidy(() => model.mlmLogits(tensor(masked, [1, ids.length], { device })).slice(1, at, at + 1).reshape([model.config.vocabSize]))); // (1, 1, V) → (V)
  try {
    return topGuesses(softmaxRow(await row.toArray()), k);
  } finally {
    row.dispose();
  }
}

/** GPT's guesses for the token at `at` from the tokens before it alone (at ≥ 1: it needs some context). */
export async function gptNextGuesses(model: GPT, ids: readonly number[], at: number, k = 5): Promise<Guess[]> {
  return topGuesses(await gptNextDistribution(model, ids.slice(0, at)), k);
}

/** GPT's next-token distribution (softmax, nothing filtered) after `context`. */
export async function gptNextDistribution(model: GPT, context: readonly number[]): Promise<Float64Array> {
  if (context.length < 1) throw new RangeError('gptNextDistribution: the context needs at least one token');
  const ctx = context.slice(-model.config.blockSize);
  const device = model.wte.weight.device;
  const row = noGrad(() => tidy(() => model.logits(tensor(Int32Array.from(ctx), [1, ctx.length], { device }), { lastOnly: true }).reshape([model.config.vocabSize]))); // (1, 1, V) → (V)
  try {
    return softmaxRow(await row.toArray());
  } finally {
    row.dispose();
  }
}

/** One step of sampling: the distribution before and after the filters, and the token drawn from it. */
export interface SamplingStep {
  /** softmax(logits / T) with nothing removed (greedy shows temperature 1). */
  raw: Float64Array;
  /** What the sampler draws from: temperature, top-k and top-p applied, renormalised (nn.samplingDistribution). */
  kept: Float64Array;
  token: number;
}

/**
 * Extends `prompt` by `steps` tokens exactly as GPT.generate does (same KV cache, same seeded generator, same
 * sampler), keeping each step's distributions, so the page can draw what the sampler chose from.
 */
export async function samplingSteps(model: GPT, prompt: readonly number[], opts: SamplingOptions, steps: number, seed: number): Promise<SamplingStep[]> {
  if (prompt.length < 1) throw new RangeError('samplingSteps: the prompt needs at least one token');
  if (prompt.length + steps > model.config.blockSize) {
    throw new RangeError(`samplingSteps: ${prompt.length} prompt tokens + ${steps} steps exceed the model's context of ${model.config.blockSize}`);
  }
  const random = mulberry32(seed); // GPT.generate's generator for the same seed
  const device = model.wte.weight.device;
  const cache = model.newCache();
  const tokens = [...prompt];
  const out: SamplingStep[] = [];
  try {
    for (let s = 0; s < steps; s++) {
      const input = tokens.slice(cache.length); // the whole prompt first, then the one new token
      const row = noGrad(() => tidy(() => model.logits(tensor(Int32Array.from(input), [1, input.length], { device }), { cache, lastOnly: true }).reshape([model.config.vocabSize]))); // (1, 1, V) → (V)
      const logits = await row.toArray();
      row.dispose();
      const t = opts.temperature ?? 1;
      const raw = samplingDistribution(logits, { temperature: t === 0 ? 1 : t });
      const kept = samplingDistribution(logits, opts);
      const token = sampleToken(logits, opts, random);
      tokens.push(token);
      out.push({ raw, kept, token });
    }
  } finally {
    cache.dispose();
  }
  return out;
}

/** How nn.maskTokens treated a sequence: selected tokens, and of those how many became [MASK], a random token, or stayed. */
export interface MaskingCounts {
  /** Tokens that could be selected (not special). */
  ordinary: number;
  selected: number;
  masked: number;
  random: number;
  kept: number;
}

/**
 * Counts maskTokens' outcomes. A "random" replacement that happens to draw the original token reads as kept
 * here (chance 1 in the ordinary vocabulary), so `random` is a hair under its true share.
 */
export function maskingCounts(ids: Int32Array, opts: MaskingOptions): MaskingCounts {
  const { input, labels } = maskTokens(ids, opts);
  const special = new Set(opts.specialIds);
  const c: MaskingCounts = { ordinary: 0, selected: 0, masked: 0, random: 0, kept: 0 };
  ids.forEach((id, i) => {
    if (!special.has(id)) c.ordinary++;
    if (labels[i] < 0) return;
    c.selected++;
    if (input[i] === opts.maskId) c.masked++;
    else if (input[i] === id) c.kept++;
    else c.random++;
  });
  return c;
}

/**
 * The in-context task of models/icl (see its card): each sequence has a secret map of the letters a…h to A…H;
 * it is a run of queries, each followed by its worked example as one token ("c", "cF", "a", "aB", …). At query
 * k the model must name the output letter, having seen k examples. Built here from the tokenizer's words.
 */
export const ICL_LETTERS = 'abcdefgh';

export interface IclBatch {
  /** (n, 2·pairs) ids: query, example, query, example, … */
  ids: Int32Array;
  /** The right output letter's id at each query k: (n, pairs). */
  answers: Int32Array;
  n: number;
  pairs: number;
}

/** n random sequences of `pairs` queries (seeded): a fresh map per sequence, queries uniform with repeats. */
export function iclBatch(tok: Tokenizer, n: number, pairs: number, seed: number): IclBatch {
  const L = ICL_LETTERS.length;
  const lower = [...ICL_LETTERS];
  const upper = lower.map((c) => c.toUpperCase());
  const id = (word: string): number => {
    const [t] = tok.encode(word);
    if (t === undefined || tok.decode([t]) !== word) throw new Error(`iclBatch: the tokenizer has no token "${word}"; is it models/icl's?`);
    return t;
  };
  const query = lower.map(id);
  const output = upper.map(id);
  const example = lower.map((x) => upper.map((y) => id(x + y)));
  const random = mulberry32(seed);
  const T = 2 * pairs;
  const ids = new Int32Array(n * T);
  const answers = new Int32Array(n * pairs);
  for (let s = 0; s < n; s++) {
    const f = Array.from({ length: L }, () => Math.floor(random() * L));
    for (let k = 0; k < pairs; k++) {
      const x = Math.floor(random() * L);
      ids[s * T + 2 * k] = query[x];
      ids[s * T + 2 * k + 1] = example[x][f[x]];
      answers[s * pairs + k] = output[f[x]];
    }
  }
  return { ids, answers, n, pairs };
}

/**
 * accuracy[k]: the share of sequences whose k-th query (after k examples) the model answers right, by argmax over
 * the whole vocabulary. One forward pass per chunk scores every k at once: the causal mask means query k's
 * prediction depends only on what precedes it.
 */
export async function iclAccuracyByShots(model: GPT, batch: IclBatch): Promise<number[]> {
  const { n, pairs } = batch;
  const T = 2 * pairs;
  if (T > model.config.blockSize) throw new RangeError(`iclAccuracyByShots: ${T} tokens exceed the model's context of ${model.config.blockSize}`);
  const device = model.wte.weight.device;
  const hits = new Array<number>(pairs).fill(0);
  for (let i = 0; i < n; i += 50) {
    const b = Math.min(50, n - i);
    const pred = noGrad(() => tidy(() => model.logits(tensor(batch.ids.subarray(i * T, (i + b) * T), [b, T], { device })).argmax(-1))); // (b, T)
    const p = await pred.toArray();
    pred.dispose();
    for (let s = 0; s < b; s++) for (let k = 0; k < pairs; k++) if (p[s * T + 2 * k] === batch.answers[(i + s) * pairs + k]) hits[k]++;
  }
  return hits.map((h) => h / n);
}

/**
 * What a copier expects after k examples: copy the output when the query's letter was shown, else guess (1/L).
 * Over random sequences the letter is unseen with probability (1 − 1/L)^k.
 */
export function iclIdealAccuracy(k: number, letters = ICL_LETTERS.length): number {
  const unseen = (1 - 1 / letters) ** k;
  return 1 - unseen + unseen / letters;
}

/**
 * shown[k]: the share of the batch's sequences whose k-th query letter already appeared among the k examples
 * before it, so its answer could be copied. An example's letter is the query just before it (positions 2j, 2j+1).
 */
export function iclShownShare(batch: IclBatch): number[] {
  const { n, pairs } = batch;
  const T = 2 * pairs;
  const shown = new Array<number>(pairs).fill(0);
  for (let s = 0; s < n; s++) {
    for (let k = 0; k < pairs; k++) {
      const q = batch.ids[s * T + 2 * k];
      for (let j = 0; j < k; j++) {
        if (batch.ids[s * T + 2 * j] === q) {
          shown[k]++;
          break;
        }
      }
    }
  }
  return shown.map((c) => c / n);
}

/**
 * Token positions the network runs to generate `newTokens` after a prompt of `prompt` tokens, with and without
 * a KV cache, as GPT.generate does it: without, every step recomputes the whole context (the last blockSize
 * tokens); with, the first step runs the prompt and each later step one token, until the context is full, from
 * where it recomputes like the uncached run.
 */
export function kvCacheWork(prompt: number, newTokens: number, blockSize: number): { withCache: number; without: number } {
  if (!(prompt >= 1 && newTokens >= 0 && blockSize >= 1)) throw new RangeError(`kvCacheWork: need prompt ≥ 1, newTokens ≥ 0, blockSize ≥ 1 (got ${prompt}, ${newTokens}, ${blockSize})`);
  let withCache = 0;
  let without = 0;
  let cached = 0; // positions in the cache; -1 once it has been dropped
  for (let s = 0; s < newTokens; s++) {
    const length = prompt + s;
    const window = Math.min(length, blockSize);
    without += window;
    if (cached >= 0 && length > blockSize) cached = -1;
    if (cached >= 0) {
      withCache += length - cached;
      cached = length;
    } else withCache += window;
  }
  return { withCache, without };
}

/** The fine-tuning comparison a BERT card records (metrics.finetune, written by `npm run train -- sentiment`). */
export interface CardFinetune {
  pretrained: number[];
  scratch: number[];
  pretrainedMean: number;
  scratchMean: number;
  steps: number;
  seeds: number;
  /** "2379 training and 600 held-out sentences …", as the card words it. */
  data: string;
}

/** Reads metrics.finetune from a BERT card, naming the first field that is missing or not what it should be. */
export function cardFinetune(card: ModelCard): CardFinetune {
  const where = `card "${card.name}": at metrics.finetune`;
  const f = card.metrics.finetune;
  if (typeof f !== 'object' || f === null || Array.isArray(f)) throw new Error(`${where}: missing (run \`npm run train -- sentiment\` to write it)`);
  const num = (key: string, v: unknown): number => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${where}.${key}: expected a number, got ${JSON.stringify(v)}`);
    return v;
  };
  const nums = (key: string): number[] => {
    const v = f[key];
    if (!Array.isArray(v) || v.length === 0) throw new Error(`${where}.${key}: expected a non-empty array of accuracies, got ${JSON.stringify(v)}`);
    return v.map((x, i) => num(`${key}[${i}]`, x));
  };
  const budget = f.budget;
  if (typeof budget !== 'object' || budget === null || Array.isArray(budget)) throw new Error(`${where}.budget: missing`);
  return {
    pretrained: nums('pretrainedAccuracy'),
    scratch: nums('scratchAccuracy'),
    pretrainedMean: num('pretrainedMean', f.pretrainedMean),
    scratchMean: num('scratchMean', f.scratchMean),
    steps: num('budget.steps', budget.steps),
    seeds: Array.isArray(budget.seeds) ? budget.seeds.length : num('budget.seeds', budget.seeds),
    data: typeof f.data === 'string' ? f.data : '',
  };
}

export interface RacePoint {
  step: number;
  /** Held-out accuracy of the fine-tuned pre-trained BERT and of the same architecture from scratch. */
  pretrained: number;
  scratch: number;
}

export interface RaceOptions {
  /** models/bert's files (fetchModel in a browser, readModel in Node). */
  files: ModelFiles;
  train: readonly LabelledSentence[];
  /** Scored every `evalEvery` steps (and before the first). */
  heldOut: readonly LabelledSentence[];
  steps: number;
  evalEvery: number;
  /** Seeds the new heads, the scratch model, the dropout and the batch order. */
  seed?: number;
  batchSize?: number;
  device?: DeviceName;
  /** Called after every step of both models, and after every evaluation. */
  onStep?: (step: number) => void | Promise<void>;
  onPoint?: (p: RacePoint) => void | Promise<void>;
  signal?: AbortSignal;
}

/** [CLS] ids [SEP], cut to maxLen (the sentiment recipe's input). */
function encodeSentence(tok: BPETokenizer, text: string, maxLen: number): number[] {
  return [tok.idOf('[CLS]'), ...tok.encode(text).slice(0, maxLen - 2), tok.idOf('[SEP]')];
}

/**
 * The two models of engine/train/sentiment.ts, trained side by side on the same batches with the recipe's
 * optimizer and schedule (AdamW, warmup then cosine, its learning rate and weight decay), for a few steps, their
 * held-out accuracy measured as they go. The classifier reads the pooled [CLS] state (BERT.classify).
 */
export async function fineTuneRace(o: RaceOptions, tok: BPETokenizer): Promise<RacePoint[]> {
  o.signal?.throwIfAborted();
  const seed = o.seed ?? 0;
  const B = o.batchSize ?? SENTIMENT_BUDGET.batchSize;
  const { card, weights } = o.files;
  const pre = BERT.fromCard(card, weights, { classifier: { numLabels: 2, seed }, device: o.device });
  const scratch = new BERT({ ...(card.architecture.config as unknown as BertConfig), heads: { mlm: false, pooler: true, classifier: true }, numLabels: 2, seed, device: o.device });
  const models = [pre, scratch];
  // The masked-LM head takes no part in classification: it stays out of the optimizer.
  const optimizers = models.map((m) => new AdamW(m.namedParameters().filter(([n]) => !n.startsWith('mlm_')).map(([, p]) => p), { lr: SENTIMENT_BUDGET.lr, weightDecay: SENTIMENT_BUDGET.weightDecay }));
  const schedulers = optimizers.map((opt) => new LRScheduler(opt, warmupSchedule({ warmup: Math.min(SENTIMENT_BUDGET.warmup, o.steps - 1), decay: 'cosine', total: o.steps })));
  const rows = o.train.map((s) => encodeSentence(tok, s.text, pre.config.maxLen));
  const order = shuffle(rows.map((_, i) => i), seed);
  const points: RacePoint[] = [];
  const score = async (step: number): Promise<void> => {
    const [a, b] = [await sentimentAccuracy(pre, tok, o.heldOut), await sentimentAccuracy(scratch, tok, o.heldOut)];
    const p = { step, pretrained: a.accuracy, scratch: b.accuracy };
    points.push(p);
    await o.onPoint?.(p);
  };
  try {
    await score(0);
    for (let step = 1; step <= o.steps; step++) {
      o.signal?.throwIfAborted();
      const idx = Array.from({ length: B }, (_, i) => order[((step - 1) * B + i) % order.length]);
      const T = Math.max(...idx.map((j) => rows[j].length));
      const ids = new Int32Array(B * T).fill(pre.config.padId); // (B, T), padded with [PAD], which attention ignores
      idx.forEach((j, r) => ids.set(rows[j], r * T));
      const labels = Int32Array.from(idx, (j) => o.train[j].label);
      for (const [i, m] of models.entries()) {
        m.train();
        const loss = tidy(() => crossEntropy(m.classify(tensor(ids, [B, T], { device: o.device })), tensor(labels, [B], { device: o.device }))); // (B, 2) vs (B)
        optimizers[i].zeroGrad();
        loss.backward();
        optimizers[i].step();
        schedulers[i].step();
        loss.dispose();
      }
      await o.onStep?.(step);
      if (step % o.evalEvery === 0 || step === o.steps) await score(step);
    }
  } finally {
    for (const [i, m] of models.entries()) {
      m.zeroGrad();
      optimizers[i].dispose();
      dispose(m.parameters());
    }
  }
  return points;
}
