// Fine-tuning beats training from scratch: the project's pre-trained BERT (playground/public/models/bert, masked-LM
// on State of the Union addresses) is fine-tuned for binary sentiment on the UCI labelled review sentences
// (engine/data/sentiment.ts), and the same architecture is trained from random weights with the same budget: the
// same steps, batch size, optimizer, learning-rate schedule, batches and held-out split. Each is run with several
// seeds (the seed sets the new head's initial weights, or the whole model's for scratch, the dropout draws and
// the batch order), and the mean held-out accuracies are compared.
//
// Batches: each epoch the training sentences are shuffled, cut into pools of 8 batches, each pool sorted by
// length and cut into batches (so a batch pads to a similar length, not to the longest sentence overall), and
// the batches shuffled again. Inputs are [CLS] + tokens + [SEP], truncated to the model's maxLen, padded with
// [PAD], which attention ignores. The classifier reads the pooled [CLS] state (BERT.classify).
import { tensor } from '../tensor';
import { tidy } from '../memory';
import { noGrad } from '../autograd';
import { crossEntropy } from '../ops/loss';
import { BERT, type BertConfig } from '../nn/bert';
import { BPETokenizer } from '../nn/bpe';
import { AdamW } from '../optim/adam';
import { LRScheduler, warmupSchedule } from '../optim/schedule';
import type { ModelFiles } from '../io/model-card';
import { shuffle } from '../data/names';
import { loadSentiment, splitSentiment, type LabelledSentence } from '../data/sentiment';
import type { StepLog, TrainOptions, TrainResult } from './types';
import { releaseModel, runSteps } from './loop';

export type SentimentInit = 'pretrained' | 'scratch';

/** The budget both inits get. */
export const SENTIMENT_BUDGET = { steps: 200, batchSize: 16, lr: 2e-3, warmup: 10, weightDecay: 0.01, seeds: [0, 1, 2], heldOut: 600, splitSeed: 0 } as const;

export interface SentimentOptions extends Omit<TrainOptions, 'seed'> {
  /** The pre-trained BERT's files (readModel('playground/public/models/bert') in Node, fetchModel in a browser). */
  pretrained: ModelFiles;
  batchSize?: number;
  lr?: number;
  seeds?: readonly number[];
  /** Which inits to run (default both). */
  inits?: readonly SentimentInit[];
  /** Held-out sentences (default 600) and the split's seed (default 0). */
  heldOut?: number;
  splitSeed?: number;
  /** Called after each run with its result. */
  onRun?: (run: SentimentRun) => void;
}

export interface SentimentRun {
  init: SentimentInit;
  seed: number;
  /** Held-out accuracy. */
  accuracy: number;
  /** Held-out mean cross-entropy before training (the new head's random guess) and after. */
  initialLoss: number;
  loss: number;
  losses: StepLog[];
  seconds: number;
}

export interface SentimentResult extends TrainResult {
  runs: SentimentRun[];
  /** Mean held-out accuracy per init over the seeds (NaN for an init not run). */
  pretrainedMean: number;
  scratchMean: number;
  trainSize: number;
  testSize: number;
  budget: { steps: number; batchSize: number; lr: number; warmup: number; weightDecay: number; schedule: string; seeds: number[] };
}

/** [CLS] ids [SEP], cut to maxLen. */
function encodeSentence(tok: BPETokenizer, text: string, maxLen: number): number[] {
  return [tok.idOf('[CLS]'), ...tok.encode(text).slice(0, maxLen - 2), tok.idOf('[SEP]')];
}

/** Rows padded to the longest: (B, T) int32 ids. */
function padBatch(rows: readonly number[][], pad: number): { ids: Int32Array; T: number } {
  const T = Math.max(...rows.map((r) => r.length));
  const ids = new Int32Array(rows.length * T).fill(pad);
  rows.forEach((r, i) => ids.set(r, i * T));
  return { ids, T };
}

/** An endless stream of length-bucketed batches of indices into `lengths` (see the header). */
function batchStream(lengths: readonly number[], batchSize: number, seed: number): () => number[] {
  let epoch = 0;
  let queue: number[][] = [];
  return () => {
    if (!queue.length) {
      const order = shuffle(lengths.map((_, i) => i), seed * 7919 + epoch++);
      const batches: number[][] = [];
      for (let p = 0; p < order.length; p += 8 * batchSize) {
        const pool = order.slice(p, p + 8 * batchSize).sort((a, b) => lengths[a] - lengths[b]);
        for (let b = 0; b + batchSize <= pool.length; b += batchSize) batches.push(pool.slice(b, b + batchSize));
      }
      queue = shuffle(batches, seed * 7919 + epoch * 31);
    }
    return queue.pop()!;
  };
}

/** Held-out accuracy and mean cross-entropy, in length-sorted chunks of 64. */
export async function sentimentAccuracy(model: BERT, tok: BPETokenizer, test: readonly LabelledSentence[]): Promise<{ accuracy: number; loss: number }> {
  model.eval();
  const rows = test.map((s) => encodeSentence(tok, s.text, model.config.maxLen));
  const order = rows.map((_, i) => i).sort((a, b) => rows[a].length - rows[b].length);
  let hits = 0;
  let total = 0;
  for (let i = 0; i < order.length; i += 64) {
    const idx = order.slice(i, i + 64);
    const { ids, T } = padBatch(idx.map((j) => rows[j]), model.config.padId);
    const labels = Int32Array.from(idx, (j) => test[j].label);
    const [pred, loss] = noGrad(() => tidy(() => {
      const logits = model.classify(tensor(ids, [idx.length, T])); // (b, 2)
      return [logits.argmax(-1), crossEntropy(logits, tensor(labels, [idx.length]))];
    }));
    const p = await pred.toArray();
    total += (await loss.item()) * idx.length;
    pred.dispose();
    loss.dispose();
    idx.forEach((_, k) => (hits += p[k] === labels[k] ? 1 : 0));
  }
  return { accuracy: hits / test.length, loss: total / test.length };
}

/** One fine-tuning (or from-scratch) run: its model trained for `steps`, then its held-out accuracy. */
async function runOne(init: SentimentInit, seed: number, o: Required<Pick<SentimentOptions, 'batchSize' | 'lr' | 'steps' | 'logEvery'>> & SentimentOptions,
  tok: BPETokenizer, train: readonly LabelledSentence[], test: readonly LabelledSentence[]): Promise<SentimentRun> {
  const started = performance.now();
  const { card, weights } = o.pretrained;
  const model = init === 'pretrained'
    ? BERT.fromCard(card, weights, { classifier: { numLabels: 2, seed } })
    : new BERT({ ...(card.architecture.config as unknown as BertConfig), heads: { mlm: false, pooler: true, classifier: true }, numLabels: 2, seed });
  // The pre-trained model's masked-LM head takes no part in classification: leave it out of the optimizer.
  const params = model.namedParameters().filter(([n]) => !n.startsWith('mlm_')).map(([, p]) => p);
  const optimizer = new AdamW(params, { lr: o.lr, weightDecay: SENTIMENT_BUDGET.weightDecay });
  const warmup = Math.min(SENTIMENT_BUDGET.warmup, o.steps - 1);
  const scheduler = new LRScheduler(optimizer, warmupSchedule({ warmup, decay: 'cosine', total: o.steps }));
  const before = await sentimentAccuracy(model, tok, test);
  model.train();
  const rows = train.map((s) => encodeSentence(tok, s.text, model.config.maxLen));
  const next = batchStream(rows.map((r) => r.length), o.batchSize, seed);
  const { losses } = await runSteps({
    steps: o.steps, logEvery: o.logEvery, onLog: o.onLog, optimizer, scheduler,
    loss: () => {
      const idx = next();
      const { ids, T } = padBatch(idx.map((j) => rows[j]), model.config.padId);
      const labels = Int32Array.from(idx, (j) => train[j].label);
      return tidy(() => crossEntropy(model.classify(tensor(ids, [idx.length, T])), tensor(labels, [idx.length]))); // (B, 2) vs (B)
    },
  });
  const after = await sentimentAccuracy(model, tok, test);
  releaseModel(model, optimizer);
  return { init, seed, accuracy: after.accuracy, initialLoss: before.loss, loss: after.loss, losses, seconds: (performance.now() - started) / 1000 };
}

export async function trainSentiment(opts: SentimentOptions): Promise<SentimentResult> {
  const o = {
    ...opts,
    steps: opts.steps ?? SENTIMENT_BUDGET.steps,
    batchSize: opts.batchSize ?? SENTIMENT_BUDGET.batchSize,
    lr: opts.lr ?? SENTIMENT_BUDGET.lr,
    logEvery: opts.logEvery ?? 25,
  };
  const seeds = [...(opts.seeds ?? SENTIMENT_BUDGET.seeds)];
  const tok = BPETokenizer.fromJSON(JSON.parse(opts.pretrained.tokenizer));
  const { train, test } = splitSentiment(await loadSentiment(), { heldOut: opts.heldOut ?? SENTIMENT_BUDGET.heldOut, seed: opts.splitSeed ?? SENTIMENT_BUDGET.splitSeed });
  const runs: SentimentRun[] = [];
  for (const init of opts.inits ?? (['pretrained', 'scratch'] as const)) {
    for (const seed of seeds) {
      const run = await runOne(init, seed, o, tok, train, test);
      runs.push(run);
      opts.onRun?.(run);
    }
  }
  const mean = (init: SentimentInit): number => {
    const xs = runs.filter((r) => r.init === init).map((r) => r.accuracy);
    return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
  };
  const seconds = runs.reduce((t, r) => t + r.seconds, 0);
  return {
    runs, losses: runs[runs.length - 1]?.losses ?? [], accuracy: mean('pretrained'),
    stepsPerSecond: (o.steps * runs.length) / seconds,
    pretrainedMean: mean('pretrained'), scratchMean: mean('scratch'), trainSize: train.length, testSize: test.length,
    budget: {
      steps: o.steps, batchSize: o.batchSize, lr: o.lr, warmup: Math.min(SENTIMENT_BUDGET.warmup, o.steps - 1), weightDecay: SENTIMENT_BUDGET.weightDecay,
      schedule: 'AdamW; linear warmup, then cosine decay to 0', seeds,
    },
  };
}
