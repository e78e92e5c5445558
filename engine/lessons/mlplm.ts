// Week 10, the integration project: next-word prediction on one fixed vocabulary (the top N training words, plus
// `<unk>` and `</s>`) by a Kneser-Ney n-gram model and by a small Bengio-style neural language model (embeddings of
// the previous words, one tanh hidden layer, a softmax over the vocabulary), built from the engine's nn modules and
// compared by held-out perplexity on the same sentences, scored the same way NGramLM scores them.
import { tensor, Tensor } from '../tensor';
import { crossEntropy } from '../ops/loss';
import { noGrad } from '../autograd';
import { Module } from '../nn/module';
import { Embedding, Linear } from '../nn/layers';
import { sampleToken } from '../nn/sampling';
import type { DeviceName } from '../backend/backend';
import { adamSteps } from './adam-steps';
import { seededRandom } from './metrics';
import { NGramLM, BOS, EOS, UNK } from './ngram';

/** A closed word vocabulary: `words` are the predicted tokens (the top N words, then `<unk>`, then `</s>`). */
export interface WordVocab {
  words: string[];
  ids: Map<string, number>;
  unk: number;
  eos: number;
  /** `<s>`: context only, never predicted; its id is words.length (one extra embedding row). */
  bos: number;
}

/** The `size` most frequent training words (ties broken alphabetically), plus `<unk>` and `</s>`. */
export function buildVocab(train: readonly (readonly string[])[], size: number): WordVocab {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`buildVocab: size must be an integer ≥ 1, got ${size}`);
  const counts = new Map<string, number>();
  for (const s of train) for (const w of s) if (w !== BOS && w !== EOS && w !== UNK) counts.set(w, (counts.get(w) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, size).map(([w]) => w);
  const words = [...top, UNK, EOS];
  return { words, ids: new Map(words.map((w, i) => [w, i])), unk: top.length, eos: words.length - 1, bos: words.length };
}

/** The sentences with every word outside the vocabulary replaced by `<unk>`. */
export function restrictToVocab(sentences: readonly (readonly string[])[], vocab: WordVocab): string[][] {
  return sentences.map((s) => s.map((w) => (vocab.ids.has(w) && w !== EOS ? w : UNK)));
}

/**
 * The training pairs of one sentence of ids: the sentence left-padded with `context` copies of bos and ended by
 * eos, and at each predicted position (every word and the eos) the row [the previous `context` ids…, the id].
 */
export function windowsOfIds(ids: readonly number[], context: number, bos: number, eos: number): number[][] {
  const p = [...new Array<number>(context).fill(bos), ...ids, eos];
  const rows: number[][] = [];
  for (let i = context; i < p.length; i++) rows.push(p.slice(i - context, i + 1));
  return rows;
}

/** Every predicted position of the sentences (see windowsOfIds): x is (n, context) row-major, y is (n). */
export function contextWindows(sentences: readonly (readonly string[])[], vocab: WordVocab, context: number): { x: Int32Array; y: Int32Array } {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const s of sentences) {
    const ids = s.map((w) => vocab.ids.get(w) ?? vocab.unk);
    for (const row of windowsOfIds(ids, context, vocab.bos, vocab.eos)) {
      for (let j = 0; j < context; j++) xs.push(row[j]);
      ys.push(row[context]);
    }
  }
  return { x: Int32Array.from(xs), y: Int32Array.from(ys) };
}

export interface MLPLMConfig {
  /** How many previous words the model sees. */
  context: number;
  /** Embedding size per word. */
  dim: number;
  hidden: number;
  seed?: number;
  device?: DeviceName;
}

/** Bengio et al. (2003), without the direct connections: logits = W₂ tanh(W₁ [e(w₋ₙ); …; e(w₋₁)] + b₁) + b₂. */
export class MLPLanguageModel extends Module {
  readonly embed: Embedding;
  readonly hidden: Linear;
  readonly out: Linear;

  constructor(
    readonly vocabSize: number,
    readonly config: MLPLMConfig,
  ) {
    super();
    const { context, dim, hidden, seed = 0, device } = config;
    this.embed = new Embedding(vocabSize + 1, dim, { seed, device }); // + 1: the `<s>` row
    this.hidden = new Linear(context * dim, hidden, { seed: seed + 10, device });
    this.out = new Linear(hidden, vocabSize, { seed: seed + 20, device });
  }

  /** ids (B, context) int32 → logits (B, V). */
  forward(ids: Tensor): Tensor {
    const B = ids.shape[0];
    const e = this.embed.forward(ids).reshape([B, this.config.context * this.config.dim]); // (B, context·dim)
    return this.out.forward(this.hidden.forward(e).tanh()); // (B, hidden) → (B, V)
  }
}

export interface TrainMLPLMOptions {
  steps: number;
  batch: number;
  /** Adam's starting step size (default 0.01); it decays linearly to lrEnd over the steps. */
  lr?: number;
  /** Where the step size ends (default lr / 10): large steps early, small ones to settle at the end. */
  lrEnd?: number;
  seed?: number;
  /** Report (and yield to the caller) every this many steps (default 25). */
  every?: number;
  onProgress?: (p: { step: number; loss: number }) => void | Promise<void>;
  signal?: AbortSignal;
}

/** Trains the model on the windows with Adam on seeded minibatches; returns the reported losses. */
export async function trainMLPLM(
  model: MLPLanguageModel,
  data: { x: Int32Array; y: Int32Array },
  opts: TrainMLPLMOptions,
): Promise<Array<{ step: number; loss: number }>> {
  const C = model.config.context;
  const device = model.config.device;
  const n = data.y.length;
  const B = Math.min(opts.batch, n);
  const every = opts.every ?? 25;
  const r = seededRandom(opts.seed ?? 0);
  const lr0 = opts.lr ?? 0.01;
  const lr1 = opts.lrEnd ?? lr0 / 10;
  const bx = new Int32Array(B * C);
  const by = new Int32Array(B);
  const draw = () => {
    for (let b = 0; b < B; b++) {
      const i = Math.floor(r() * n);
      for (let j = 0; j < C; j++) bx[b * C + j] = data.x[i * C + j];
      by[b] = data.y[i];
    }
    return { x: tensor(bx, [B, C], { device }), y: tensor(by, [B], { device }) };
  };
  return adamSteps({
    params: model.parameters(),
    steps: opts.steps,
    // Large steps early, small ones to settle: linear from lr0 to lr1.
    lr: (step) => lr0 + ((lr1 - lr0) * (step - 1)) / Math.max(1, opts.steps - 1),
    every,
    draw,
    loss: (x, y) => crossEntropy(model.forward(x), y), // (B, V) logits → mean loss
    // One batch for the pipelines, from the training stream (as this loop always did, so the numbers stay put).
    warmupBatches: () => [draw()],
    onProgress: opts.onProgress,
    signal: opts.signal,
  });
}

/** exp(mean cross-entropy) over every window: the same tokens NGramLM.perplexity counts (`</s>` included). */
export async function mlpPerplexity(model: MLPLanguageModel, data: { x: Int32Array; y: Int32Array }, batch = 2048): Promise<number> {
  const C = model.config.context;
  const device = model.config.device;
  const n = data.y.length;
  if (n === 0) throw new RangeError('mlpPerplexity: no tokens');
  let sum = 0;
  for (let s = 0; s < n; s += batch) {
    const e = Math.min(n, s + batch);
    const x = tensor(data.x.slice(s * C, e * C), [e - s, C], { device });
    const y = tensor(data.y.slice(s, e), [e - s], { device });
    const l = noGrad(() => crossEntropy(model.forward(x), y, { reduction: 'sum' }));
    sum += await l.item();
    for (const t of [x, y, l]) t.dispose();
  }
  return Math.exp(sum / n);
}

/** Draws a sentence word by word from the model's softmax, from `<s>` padding until `</s>` or maxLen words. */
export async function mlpSample(model: MLPLanguageModel, vocab: WordVocab, opts: { seed?: number; maxLen?: number } = {}): Promise<string[]> {
  const r = seededRandom(opts.seed ?? 0);
  const C = model.config.context;
  const ctx = new Array<number>(C).fill(vocab.bos);
  const out: string[] = [];
  while (out.length < (opts.maxLen ?? 30)) {
    const x = tensor(Int32Array.from(ctx), [1, C], { device: model.config.device });
    const logits = noGrad(() => model.forward(x));
    const pick = sampleToken(await logits.toArray(), {}, r); // softmax of the scores, drawn as GPT.generate draws
    x.dispose();
    logits.dispose();
    if (pick === vocab.eos) break;
    out.push(vocab.words[pick]);
    ctx.push(pick);
    ctx.shift();
  }
  return out;
}

export interface CompareOptions {
  vocabSize: number;
  model: Omit<MLPLMConfig, 'device'>;
  train: TrainMLPLMOptions;
  device?: DeviceName;
  samples?: number;
}

export interface LMComparison {
  vocab: WordVocab;
  /** The Kneser-Ney bigram's held-out perplexity on the restricted sentences. */
  bigram: number;
  mlp: number;
  /** The fraction of held-out words mapped to `<unk>`. */
  unkRate: number;
  losses: Array<{ step: number; loss: number }>;
  bigramSamples: string[][];
  mlpSamples: string[][];
  model: MLPLanguageModel;
}

/** Fits both models on the same vocabulary and training sentences, and scores both on the same held-out ones. */
export async function compareLanguageModels(
  train: readonly (readonly string[])[],
  test: readonly (readonly string[])[],
  opts: CompareOptions,
): Promise<LMComparison> {
  const vocab = buildVocab(train, opts.vocabSize);
  const tr = restrictToVocab(train, vocab);
  const te = restrictToVocab(test, vocab);
  const kn = new NGramLM({ n: 2, smoothing: 'kneser-ney' }).fit(tr);
  const bigram = kn.perplexity(te);
  const model = new MLPLanguageModel(vocab.words.length, { ...opts.model, device: opts.device });
  const losses = await trainMLPLM(model, contextWindows(tr, vocab, opts.model.context), opts.train);
  const mlp = await mlpPerplexity(model, contextWindows(te, vocab, opts.model.context));
  let unk = 0;
  let words = 0;
  for (const s of te) for (const w of s) (words++, w === UNK && unk++);
  const k = opts.samples ?? 3;
  const bigramSamples: string[][] = [];
  const mlpSamples: string[][] = [];
  for (let i = 0; i < k; i++) {
    bigramSamples.push(kn.sample({ seed: i, maxLen: 25 }));
    mlpSamples.push(await mlpSample(model, vocab, { seed: i, maxLen: 25 }));
  }
  return { vocab, bigram, mlp, unkRate: words ? unk / words : 0, losses, bigramSamples, mlpSamples, model };
}
