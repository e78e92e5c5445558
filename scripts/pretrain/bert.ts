// `npm run pretrain -- bert`: a small BERT (post-LN encoder, the corpus BPE) pre-trained by masked-language
// modelling on the training addresses, written to playground/public/models/bert/ as model.safetensors + card.json
// + tokenizer.json. It ships without a pooler or classifier (masked-LM pre-training never trains them);
// nn.BERT.fromCard(card, weights, { classifier }) adds fresh ones for fine-tuning (engine/train/sentiment.ts).
//
// Sized for the CPU backend on a shared 2-core machine (measured for this model, d = 64, 2 layers, 1,024 tokens a
// step: the CPU backend 1.0-1.4 s a step, SwiftShader 1.6-2.0 s under the same load). Masking is BERT's rule
// (nn.maskTokens: 15% selected; of those 80% [MASK], 10% a random token, 10% kept), and the MLM head runs only on
// the selected rows (BERT.mlmLossAt: the same loss, about half the time of the full (B, T, V) head here).
// The held-out subset (heldOutMasked) is exported: the tests recompute the card's loss with it.
import { nn, optim, functional as F, tensor, tidy, noGrad, mulberry32, saveModuleSafetensors, type ModelCard } from '../../engine/index';
import { CORPUS_LICENCE, CORPUS_SOURCE, SPLIT_RULE, TOKENIZER_WHY, label, loadCorpus, trainCorpusTokenizer, type Corpus } from './corpus';
import { writeModel, type PretrainContext } from './write';
import { loadSentiment, splitSentiment, SENTIMENT_BUDGET, SENTIMENT_SOURCE, SENTIMENT_LICENCE } from '../../engine/course';

/** The architecture (vocabSize and padId come from the tokenizer). */
export const BERT_ARCH = { maxLen: 64, nLayer: 2, nHead: 4, dModel: 64, dimFeedforward: 256, dropout: 0.1 } as const;
export const BERT_RUN = { steps: 320, batchSize: 16, lr: 2e-3, warmup: 30, weightDecay: 0.01, seed: 19 } as const;
/**
 * Task-adaptive pre-training (Gururangan et al., "Don't Stop Pretraining", ACL 2020), a trial knob, off in the shipped
 * run: with BERT_REVIEW_SHARE=p (0 < p < 1), a row is, with probability p, a window of the sentiment task's
 * TRAINING sentences with their labels dropped (the held-out ones are never seen), and an address window otherwise.
 * README ("The pretrained BERT and fine-tuning for sentiment") gives what a 0.5 trial did: it did not help.
 */
export const BERT_MIX = { share: reviewShare(process.env.BERT_REVIEW_SHARE) };

function reviewShare(v: string | undefined): number {
  const p = Number(v ?? 0);
  if (!(p >= 0 && p < 1)) throw new RangeError(`BERT_REVIEW_SHARE must be a number in [0, 1), got ${v}`);
  return p;
}

/** Held-out evaluation: the first WINDOWS_PER_DOC windows of each held-out address, masked with MASK_SEED. */
export const WINDOWS_PER_DOC = 6;
export const MASK_SEED = 1919;
export const HELD_OUT_SUBSET =
  `the first ${WINDOWS_PER_DOC} windows of each held-out address (each [CLS] + ${BERT_ARCH.maxLen - 2} consecutive tokens + [SEP]), ` +
  `masked by nn.maskTokens with seed ${MASK_SEED} (15% of the ordinary tokens selected; 80% [MASK], 10% random, 10% kept); ` +
  'the loss averages over the selected tokens (scripts/pretrain/bert.ts heldOutMasked)';

/** The token ids BERT's masking needs, by name. */
export function specialIds(tok: nn.BPETokenizer): { pad: number; cls: number; sep: number; mask: number; all: number[] } {
  const id = (t: string): number => tok.idOf(t);
  const all = tok.specials.map(id);
  return { pad: id('[PAD]'), cls: id('[CLS]'), sep: id('[SEP]'), mask: id('[MASK]'), all };
}

/** A document's ids cut into consecutive windows of `len` tokens (the tail shorter than len is dropped). */
export function windowsOf(ids: readonly number[], len: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i + len <= ids.length; i += len) out.push(ids.slice(i, i + len));
  return out;
}

/** Rows of [CLS] window [SEP], (N, T) with T = window + 2. */
function pack(rows: readonly number[][], cls: number, sep: number): Int32Array {
  const T = rows[0].length + 2;
  const out = new Int32Array(rows.length * T);
  rows.forEach((r, i) => out.set([cls, ...r, sep], i * T));
  return out;
}

/** The card's held-out subset: (N, T) masked input and labels (−100 where not selected). */
export async function heldOutMasked(tok: nn.BPETokenizer): Promise<{ input: Int32Array; labels: Int32Array; n: number; T: number }> {
  const { heldOut } = await loadCorpus();
  const s = specialIds(tok);
  const rows = heldOut.flatMap((a) => windowsOf(tok.encode(a.text), BERT_ARCH.maxLen - 2).slice(0, WINDOWS_PER_DOC));
  const { input, labels } = nn.maskTokens(pack(rows, s.cls, s.sep), { maskId: s.mask, vocabSize: tok.vocabSize, specialIds: s.all, seed: MASK_SEED });
  return { input, labels, n: rows.length, T: BERT_ARCH.maxLen };
}

/**
 * Mean masked-LM cross-entropy over every selected token of the subset, and the share predicted exactly; in
 * chunks of 8 rows, each chunk's mean weighted by its count of selected tokens.
 */
export async function heldOutLoss(model: nn.BERT, set: { input: Int32Array; labels: Int32Array; n: number; T: number }): Promise<{ loss: number; accuracy: number; tokens: number }> {
  const { T } = set;
  let total = 0;
  let hits = 0;
  let tokens = 0;
  for (let i = 0; i < set.n; i += 8) {
    const b = Math.min(8, set.n - i);
    const lab = set.labels.subarray(i * T, (i + b) * T);
    const count = lab.reduce((n, l) => n + (l >= 0 ? 1 : 0), 0);
    if (!count) continue;
    const [loss, hit] = noGrad(() => tidy(() => {
      const labels = tensor(lab, [b, T]);
      const logits = model.mlmLogits(tensor(set.input.subarray(i * T, (i + b) * T), [b, T])); // (b, T, V)
      return [F.crossEntropy(logits, labels, { ignoreIndex: -100 }), logits.argmax(-1).eq(labels).sum()];
    }));
    total += (await loss.item()) * count;
    hits += await hit.item();
    tokens += count;
    loss.dispose();
    hit.dispose();
  }
  return { loss: total / tokens, accuracy: hits / tokens, tokens };
}

/**
 * The sentiment task's training sentences, labels dropped, in split order, joined by spaces into one text and cut
 * into windows like an address (a window may span two sentences, as BERT's own packed inputs do).
 */
export async function reviewWindows(tok: nn.BPETokenizer): Promise<{ windows: number[][]; sentences: number }> {
  const { train } = splitSentiment(await loadSentiment(), { heldOut: SENTIMENT_BUDGET.heldOut, seed: SENTIMENT_BUDGET.splitSeed });
  return { windows: windowsOf(tok.encode(train.map((x) => x.text).join(' ')), BERT_ARCH.maxLen - 2), sentences: train.length };
}

export async function pretrainBert(ctx: PretrainContext): Promise<void> {
  const started = performance.now();
  const run = { ...BERT_RUN, steps: ctx.steps ?? BERT_RUN.steps };
  const corpus = await loadCorpus();
  const tok = await trainCorpusTokenizer();
  const s = specialIds(tok);
  const windows = corpus.train.flatMap((a) => windowsOf(tok.encode(a.text), BERT_ARCH.maxLen - 2));
  ctx.log(`${corpus.train.length} training addresses → ${windows.length} windows of ${BERT_ARCH.maxLen - 2} tokens; ${corpus.heldOut.length} held out`);
  const reviews = BERT_MIX.share > 0 ? await reviewWindows(tok) : { windows: [], sentences: 0 };
  if (BERT_MIX.share > 0) ctx.log(`${reviews.sentences} training review sentences (labels dropped) → ${reviews.windows.length} windows; a row is a review window with probability ${BERT_MIX.share}`);
  const evalSet = await heldOutMasked(tok);

  const model = new nn.BERT({
    ...BERT_ARCH, vocabSize: tok.vocabSize, padId: s.pad, seed: run.seed, heads: { mlm: true, pooler: false, classifier: false },
  });
  ctx.log(`BERT: ${model.numParameters().toLocaleString('en-US')} parameters`);
  const initial = await heldOutLoss(model.eval(), evalSet);
  ctx.log(`held-out masked-LM loss at init ${initial.loss.toFixed(4)}`);
  model.train();

  const optimizer = new optim.AdamW(model.parameters(), { lr: run.lr, weightDecay: run.weightDecay });
  const scheduler = new optim.LRScheduler(optimizer, optim.warmupSchedule({ warmup: Math.min(run.warmup, run.steps - 1), decay: 'cosine', total: run.steps, minFactor: 0.1 }));
  const rand = mulberry32(run.seed);
  const T = BERT_ARCH.maxLen;
  for (let step = 1; step <= run.steps; step++) {
    const rows = Array.from({ length: run.batchSize }, () => {
      const pool = BERT_MIX.share > 0 && rand() < BERT_MIX.share ? reviews.windows : windows;
      return pool[Math.floor(rand() * pool.length)];
    });
    const { input, labels } = nn.maskTokens(pack(rows, s.cls, s.sep), {
      maskId: s.mask, vocabSize: tok.vocabSize, specialIds: s.all, seed: run.seed * 1_000_003 + step,
    });
    const loss = tidy(() => model.mlmLossAt(tensor(input, [run.batchSize, T]), labels));
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    scheduler.step();
    if (step === 1 || step % 10 === 0 || step === run.steps) {
      const secs = (performance.now() - started) / 1000;
      ctx.log(`step ${step}/${run.steps}  loss ${(await loss.item()).toFixed(4)}  ${secs.toFixed(0)} s`);
    }
    loss.dispose();
    if (step % 100 === 0 && step < run.steps) {
      model.eval();
      ctx.log(`  held-out masked-LM loss ${(await heldOutLoss(model, evalSet)).loss.toFixed(4)}`);
      model.train();
    }
  }
  optimizer.dispose();
  model.zeroGrad();
  model.eval();

  const weights = await saveModuleSafetensors(model);
  const wall = (performance.now() - started) / 1000;
  const card = cardFor(model, tok, corpus, run, await heldOutLoss(model, evalSet), initial.loss, ctx, wall, reviews.sentences);
  // The card's numbers come from the weights as shipped, reloaded through fromCard (F32: the same values).
  const final = await heldOutLoss(nn.BERT.fromCard(card, weights), evalSet);
  card.evaluation = { ...card.evaluation, heldOutLoss: final.loss, perplexity: Math.exp(final.loss), tokens: final.tokens };
  card.metrics = { ...card.metrics, heldOutMaskedAccuracy: final.accuracy };
  const dir = await writeModel('bert', { weights, tokenizer: tok.save(), card });
  ctx.log(`held-out masked-LM loss ${final.loss.toFixed(4)} (perplexity ${Math.exp(final.loss).toFixed(1)}), masked-token accuracy ${(final.accuracy * 100).toFixed(1)}% on ${final.tokens} tokens; wrote ${dir} in ${wall.toFixed(0)} s`);
}

function cardFor(
  model: nn.BERT, tok: nn.BPETokenizer, corpus: Corpus, run: { steps: number } & Omit<typeof BERT_RUN, 'steps'>,
  final: { loss: number; accuracy: number; tokens: number }, initialLoss: number, ctx: PretrainContext, wall: number, reviews: number,
): ModelCard {
  return {
    format: 'gpu-learn/model-card',
    version: 1,
    name: 'bert',
    description:
      'A small BERT (post-LN encoder, learned positions) pre-trained by masked-language modelling on State of the Union addresses' +
      (reviews ? ` and, task-adaptively, on the sentiment task's ${reviews} training review sentences with their labels dropped (a share ${BERT_MIX.share} of the rows). ` : '. ') +
      'Shipped with its masked-LM head and without a pooler or classifier; fine-tune it with `npm run train -- sentiment`.',
    architecture: { kind: 'bert', config: { ...model.cardConfig() }, parameters: model.numParameters() },
    weights: { file: 'model.safetensors', dtype: 'F32' },
    tokenizer: { file: 'tokenizer.json', kind: 'byte-bpe', vocabSize: tok.vocabSize, why: TOKENIZER_WHY },
    data: reviews ? {
      source: `${CORPUS_SOURCE}; and, without labels, the training split of ${SENTIMENT_SOURCE}`,
      generated: false,
      licence: [...CORPUS_LICENCE, ...SENTIMENT_LICENCE],
      split: {
        rule: `${SPLIT_RULE}. Reviews: the sentiment task's own split (splitSentiment seed ${SENTIMENT_BUDGET.splitSeed}, ` +
          `${SENTIMENT_BUDGET.heldOut} sentences held out), its ${reviews} training sentences only; the held-out loss is measured on the held-out addresses`,
        train: [...corpus.train.map(label), `${reviews} training review sentences (sentiment split, labels dropped)`],
        heldOut: corpus.heldOut.map(label),
      },
    } : {
      source: CORPUS_SOURCE,
      generated: false,
      licence: [...CORPUS_LICENCE],
      split: { rule: SPLIT_RULE, train: corpus.train.map(label), heldOut: corpus.heldOut.map(label) },
    },
    training: {
      steps: run.steps, batchSize: run.batchSize, seed: run.seed,
      optimizer: `AdamW (lr ${run.lr}, weight decay ${run.weightDecay}), ${run.warmup} warmup steps then cosine to 0.1×; ` +
        (reviews ? `rows of ${BERT_ARCH.maxLen - 2} tokens, each a review window with probability ${BERT_MIX.share} and an address window otherwise, drawn uniformly`
          : `windows of ${BERT_ARCH.maxLen - 2} tokens drawn uniformly`) + ` (mulberry32 seed ${run.seed}), masked with seed ${run.seed}·1000003 + step`,
      wallSeconds: Math.round(wall), backend: ctx.backend, adapter: ctx.adapter,
    },
    evaluation: { heldOutLoss: final.loss, perplexity: Math.exp(final.loss), subset: HELD_OUT_SUBSET, tokens: final.tokens },
    metrics: { initialHeldOutLoss: initialLoss, heldOutMaskedAccuracy: final.accuracy },
  };
}
