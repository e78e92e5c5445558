// The course's integration project: extractive question answering with the project's pre-trained BERT
// (playground/public/models/bert) on generated passages (engine/data/qa.ts). The pre-trained encoder gets a fresh
// span head (nn.BertForQuestionAnswering) and is fine-tuned; the same architecture is trained from random weights
// with exactly the same budget (steps, batch size, optimizer, schedule, batches, data). Both are scored on the
// held-out passages, whose names, cities, jobs and colours never occur in training, by SQuAD's exact match and
// word F1 of the best span (start ≤ end ≤ start + maxAnswerLen − 1, inside the passage).
import { tensor } from '../tensor';
import { noGrad } from '../autograd';
import { tidy } from '../memory';
import { BertForQuestionAnswering, answerTokens, bestSpan, qaBatch, qaInput, spanText, type QAInput } from '../nn/bert-qa';
import type { BertCardConfig } from '../nn/bert';
import { BPETokenizer } from '../nn/bpe';
import { samplingDistribution } from '../nn/sampling';
import { AdamW } from '../optim/adam';
import { LRScheduler, warmupSchedule } from '../optim/schedule';
import type { ModelFiles, ModelCard } from '../io/model-card';
import { mulberry32 } from '../random';
import { generateQA, QA_SOURCE, type QAExample } from '../data/qa';
import { exactMatch, tokenF1 } from './squad-metrics';
import type { StepLog } from './types';
import { releaseModel, runSteps } from './loop';

export type QAInit = 'pretrained' | 'scratch';

/**
 * The budget and data both inits get. Batches of 8 for 300 steps: in one-seed probes of the pre-trained start with the
 * same compute, 150 steps of 16 reached 28.0% held-out exact match, 300 of 8 40.5% and 600 of 4 41.5%; a peak lr of
 * 5e-3 (150 × 16) gave 20.5%. More, smaller steps help up to a point, and the recipe has to stay a few minutes long.
 */
export const QA_BUDGET = {
  steps: 300, batchSize: 8, lr: 2e-3, warmup: 10, weightDecay: 0.01, seed: 0,
  trainPassages: 600, heldOutPassages: 100, questionsPerPassage: 2, trainSeed: 1, heldOutSeed: 2, maxAnswerLen: 8,
} as const;

/** One example as the model reads it, with its answer's token positions. */
export interface EncodedQA {
  example: QAExample;
  input: QAInput;
  start: number;
  end: number;
}

export type QADataOptions = { [K in 'trainPassages' | 'heldOutPassages' | 'questionsPerPassage' | 'trainSeed' | 'heldOutSeed']: number };

/** The generated train and held-out examples that fit the model's maxLen, encoded. */
export function qaData(tok: BPETokenizer, maxLen: number, budget: QADataOptions = QA_BUDGET): { train: EncodedQA[]; heldOut: EncodedQA[] } {
  const fits = (x: QAExample): boolean => safeInput(tok, x, maxLen) !== null;
  const make = (split: 'train' | 'heldOut', passages: number, seed: number) =>
    generateQA({ passages, split, seed, questionsPerPassage: budget.questionsPerPassage, accept: fits }).map((example) => encodeQA(tok, example, maxLen));
  return { train: make('train', budget.trainPassages, budget.trainSeed), heldOut: make('heldOut', budget.heldOutPassages, budget.heldOutSeed) };
}

function safeInput(tok: BPETokenizer, x: QAExample, maxLen: number): QAInput | null {
  try {
    return qaInput(tok, x.question, x.passage, maxLen);
  } catch {
    return null;
  }
}

/** An example's input and its answer's token positions. */
export function encodeQA(tok: BPETokenizer, example: QAExample, maxLen: number): EncodedQA {
  const input = qaInput(tok, example.question, example.passage, maxLen);
  const { start, end } = answerTokens(input, example.answer.start, example.answer.start + example.answer.text.length);
  return { example, input, start, end };
}

/** What the model answers for one example, with the probabilities behind it. */
export interface QAPrediction {
  text: string;
  /** Token positions of the best span. */
  start: number;
  end: number;
  /** Softmax of the start and the end logits over all positions of the input. */
  startProbs: number[];
  endProbs: number[];
}

/** Best spans for a list of inputs, in chunks of 64 (no gradients; the model is put in eval mode). */
export async function predictQA(model: BertForQuestionAnswering, inputs: readonly { input: QAInput; passage: string }[], maxAnswerLen: number = QA_BUDGET.maxAnswerLen): Promise<QAPrediction[]> {
  model.eval();
  const out: QAPrediction[] = [];
  for (let i = 0; i < inputs.length; i += 64) {
    const chunk = inputs.slice(i, i + 64);
    const { ids, typeIds, T } = qaBatch(chunk.map((c) => c.input), model.bert.config.padId);
    const device = model.qa_outputs.weight.device; // the inputs go where the model's weights are
    const [start, end] = noGrad(() => tidy(() => {
      const l = model.spanLogits(tensor(ids, [chunk.length, T], { device }), tensor(typeIds, [chunk.length, T], { device }));
      return [l.start, l.end];
    }));
    const [s, e] = await Promise.all([start.toArray(), end.toArray()]);
    start.dispose();
    end.dispose();
    chunk.forEach(({ input, passage }, k) => {
      const n = input.ids.length; // the row's own positions; padding after them is not part of the input
      const sl = Array.from(s.subarray(k * T, k * T + n));
      const el = Array.from(e.subarray(k * T, k * T + n));
      const span = bestSpan(sl, el, { first: input.first, last: input.last, maxAnswerLen });
      out.push({ text: spanText(passage, input, span.start, span.end), start: span.start, end: span.end, startProbs: softmax(sl), endProbs: softmax(el) });
    });
  }
  return out;
}

/** softmax of a row of logits: the sampler's distribution with nothing filtered. */
const softmax = (xs: readonly number[]): number[] => Array.from(samplingDistribution(xs));

/** SQuAD exact match and F1, averaged over the examples, and the mean span loss. */
export async function evaluateQA(model: BertForQuestionAnswering, data: readonly EncodedQA[], maxAnswerLen: number = QA_BUDGET.maxAnswerLen): Promise<{ exactMatch: number; f1: number; loss: number }> {
  const preds = await predictQA(model, data.map((d) => ({ input: d.input, passage: d.example.passage })), maxAnswerLen);
  let em = 0;
  let f1 = 0;
  let loss = 0;
  preds.forEach((p, i) => {
    em += exactMatch(p.text, data[i].example.answer.text);
    f1 += tokenF1(p.text, data[i].example.answer.text);
    loss -= (Math.log(Math.max(p.startProbs[data[i].start], 1e-30)) + Math.log(Math.max(p.endProbs[data[i].end], 1e-30))) / 2;
  });
  return { exactMatch: em / data.length, f1: f1 / data.length, loss: loss / data.length };
}

export interface QARun {
  init: QAInit;
  seed: number;
  exactMatch: number;
  f1: number;
  /** Held-out span loss before training and after. */
  initialLoss: number;
  loss: number;
  losses: StepLog[];
  seconds: number;
}

export interface QAOptions {
  /** The pre-trained BERT's files (readModel in Node, fetchModel in a browser). */
  pretrained: ModelFiles;
  steps?: number;
  seed?: number;
  /** Peak learning rate (default QA_BUDGET.lr). */
  lr?: number;
  /** Questions per step (default QA_BUDGET.batchSize). */
  batchSize?: number;
  /** How many seeds each init runs with: seed, seed + 1, … (default 1). Both inits share each seed's batches. */
  seeds?: number;
  inits?: readonly QAInit[];
  logEvery?: number;
  onLog?: (init: QAInit, log: StepLog) => void;
  /** Called after each run with its result and its trained model, which is freed when the callback returns. */
  onRun?: (run: QARun, model: BertForQuestionAnswering) => void | Promise<void>;
}

export interface QAResult {
  runs: QARun[];
  trainSize: number;
  heldOutSize: number;
  budget: { [K in keyof typeof QA_BUDGET]: number } & { seeds: number; schedule: string };
}

/** Fine-tunes the pre-trained BERT and trains the same architecture from scratch on the same batches, then scores both. */
export async function trainQA(opts: QAOptions): Promise<QAResult> {
  const steps = opts.steps ?? QA_BUDGET.steps;
  const base = opts.seed ?? QA_BUDGET.seed;
  const lr = opts.lr ?? QA_BUDGET.lr;
  const batchSize = opts.batchSize ?? QA_BUDGET.batchSize;
  const { card, weights, tokenizer } = opts.pretrained;
  const tok = BPETokenizer.fromJSON(JSON.parse(tokenizer));
  const config = card.architecture.config as unknown as BertCardConfig;
  const { train, heldOut } = qaData(tok, config.maxLen);
  const runs: QARun[] = [];
  const seeds = opts.seeds ?? 1;
  if (!Number.isInteger(seeds) || seeds < 1) throw new Error(`trainQA: seeds must be a positive integer, got ${seeds}`);
  for (let k = 0; k < seeds; k++) for (const init of opts.inits ?? (['pretrained', 'scratch'] as const)) {
    const seed = base + k;
    const started = performance.now();
    const model = init === 'pretrained' ? BertForQuestionAnswering.fromPretrained(card, weights, { seed }) : BertForQuestionAnswering.fromScratch(config, seed);
    const optimizer = new AdamW(model.parameters(), { lr, weightDecay: QA_BUDGET.weightDecay });
    const warmup = Math.min(QA_BUDGET.warmup, steps - 1);
    const scheduler = new LRScheduler(optimizer, warmupSchedule({ warmup, decay: 'cosine', total: steps }));
    const before = await evaluateQA(model, heldOut);
    model.train();
    // The same batches for both inits: random examples drawn from a stream seeded by the run's seed alone.
    const random = mulberry32(seed * 7919 + 1);
    const { losses } = await runSteps({
      steps, logEvery: opts.logEvery ?? 25, optimizer, scheduler, onLog: (l) => opts.onLog?.(init, l),
      loss: () => {
        const batch = Array.from({ length: batchSize }, () => train[Math.floor(random() * train.length)]);
        const { ids, typeIds, T } = qaBatch(batch.map((b) => b.input), config.padId);
        const B = batch.length;
        const device = model.qa_outputs.weight.device;
        return model.loss(tensor(ids, [B, T], { device }), tensor(typeIds, [B, T], { device }), Int32Array.from(batch, (b) => b.start), Int32Array.from(batch, (b) => b.end));
      },
    });
    const after = await evaluateQA(model, heldOut);
    const run: QARun = { init, seed, exactMatch: after.exactMatch, f1: after.f1, initialLoss: before.loss, loss: after.loss, losses, seconds: (performance.now() - started) / 1000 };
    runs.push(run);
    await opts.onRun?.(run, model);
    releaseModel(model, optimizer);
  }
  return { runs, trainSize: train.length, heldOutSize: heldOut.length, budget: { ...QA_BUDGET, steps, seed: base, seeds, lr, batchSize, schedule: 'AdamW; linear warmup, then cosine decay to 0' } };
}

/**
 * The model card of the fine-tuned (pre-trained start) QA model, with both runs' scores in metrics.qa: the file the
 * course's project page reads its numbers from.
 */
export function qaCard(r: QAResult, base: ModelCard, parameters: number, wallSeconds: number, backend: 'cpu' | 'webgpu', adapter: string): ModelCard {
  // The shipped model is the pre-trained start's run with the first seed; every seed's scores are listed too.
  const pre = r.runs.find((x) => x.init === 'pretrained' && x.seed === r.budget.seed);
  const scratch = r.runs.find((x) => x.init === 'scratch' && x.seed === r.budget.seed);
  if (!pre || !scratch) throw new Error(`qaCard: the result needs both a pretrained and a scratch run with seed ${r.budget.seed}`);
  const bySeed = (init: QAInit) => r.runs.filter((x) => x.init === init).map((x) => ({ seed: x.seed, exactMatch: x.exactMatch, f1: x.f1 }));
  const score = (x: QARun) => ({ exactMatch: x.exactMatch, f1: x.f1, heldOutLoss: x.loss, initialHeldOutLoss: x.initialLoss, seconds: Math.round(x.seconds) });
  const b = r.budget;
  return {
    format: base.format,
    version: base.version,
    name: 'bert-qa',
    description:
      `The course's pre-trained BERT (models/bert) fine-tuned for extractive question answering with a span head ` +
      `(qa_outputs: start and end logits per token, as Hugging Face's BertForQuestionAnswering) on GENERATED passages about invented people ` +
      `(npm run train -- qa). It reads [CLS] question [SEP] passage [SEP]; it knows nothing beyond that template world.`,
    architecture: { kind: 'bert', config: { ...(base.architecture.config as Record<string, unknown>), heads: { pooler: false, mlm: false, classifier: false } }, parameters },
    weights: { file: 'model.safetensors', dtype: 'F32' },
    tokenizer: { ...base.tokenizer, why: `The pre-trained BERT's tokenizer, unchanged: ${base.tokenizer.why}` },
    data: {
      source: QA_SOURCE,
      generated: true,
      licence: ['Generated by this project (engine/data/qa.ts); the pre-trained weights it starts from are described by models/bert/card.json.'],
      split: {
        rule: `held-out passages use invented names and towns whose first letters no training name or town has, and jobs and colours from lists disjoint from training's; ${b.trainPassages} training passages (seed ${b.trainSeed}) and ${b.heldOutPassages} held-out (seed ${b.heldOutSeed}), ${b.questionsPerPassage} questions each, passages that do not fit maxLen drawn again`,
        train: [`${r.trainSize} generated questions`],
        heldOut: [`${r.heldOutSize} generated questions`],
      },
    },
    training: {
      steps: b.steps, batchSize: b.batchSize, seed: b.seed,
      optimizer: `AdamW (lr ${b.lr}, weight decay ${b.weightDecay}), ${b.warmup} warmup steps then cosine to 0; batches of random training questions (mulberry32 seed ${b.seed}·7919 + 1)`,
      wallSeconds, backend, adapter,
    },
    evaluation: {
      heldOutLoss: pre.loss,
      perplexity: Math.exp(pre.loss),
      subset: `every held-out question; the loss is the mean of the start and end cross-entropy of the answer's tokens (so "perplexity" is exp of that, not a language-model perplexity)`,
      tokens: r.heldOutSize,
    },
    metrics: {
      qa: {
        task: 'extractive QA on generated template passages: SQuAD exact match and word F1 of the best span on the held-out questions',
        budget: b,
        trainSize: r.trainSize,
        heldOutSize: r.heldOutSize,
        pretrained: score(pre),
        scratch: score(scratch),
        bySeed: { pretrained: bySeed('pretrained'), scratch: bySeed('scratch') },
      },
    },
  };
}
