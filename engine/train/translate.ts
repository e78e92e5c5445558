// A toy translation task for the encoder-decoder Transformer: reverse a string of digits ("3141" → "1413").
// Every output token must be found by attention at a position that depends on the input's length, so the model
// has to use both its positional encodings and cross-attention. Held-out pairs are strings never trained on;
// success is exact match of the whole greedy-decoded output.
import { tensor } from '../tensor';
import { tidy } from '../memory';
import type { Tensor } from '../tensor';
import { Transformer } from '../nn/seq2seq';
import { Adam } from '../optim/adam';
import { LRScheduler, warmupSchedule } from '../optim/schedule';
import { mulberry32 } from '../random';
import type { TrainingTask, TrainOptions, TrainResult } from './types';
import { releaseModel, runSteps } from './loop';

export const PAD = 0;
export const BOS = 1;
export const EOS = 2;
const DIGIT0 = 3; // digits 0–9 are tokens 3–12
const VOCAB = 13;

export interface TranslateOptions extends TrainOptions {
  batchSize?: number;
  dModel?: number;
  nHead?: number;
  layers?: number;
  lr?: number;
  /** Shortest and longest digit strings. */
  minLen?: number;
  maxLen?: number;
  /** Held-out pairs, excluded from training. */
  testSize?: number;
  /** Decode a few held-out pairs every this many steps and pass them to onSample. */
  sampleEvery?: number;
  onSample?: (step: number, lines: string[]) => void;
}

export interface TranslateResult extends TrainResult {
  /** Exact-match accuracy of greedy decoding on the held-out pairs (also `accuracy`). */
  exactMatch: number;
  /** Exact match of beam search (beam 3) on the first 20 held-out pairs. */
  beamExactMatch: number;
  testSize: number;
  examples: string[];
}

const text = (tokens: readonly number[]): string => tokens.map((t) => (t >= DIGIT0 ? String(t - DIGIT0) : t === EOS ? '</s>' : '?')).join('');

/** The Transformer, Adam with its schedule over `steps`, batches of training strings, and the held-out `test` sources. */
export function translateTask(opts: TranslateOptions = {}): TrainingTask<Transformer> & { test: number[][]; maxLen: number } {
  const steps = opts.steps ?? 300;
  const batchSize = opts.batchSize ?? 32;
  const seed = opts.seed ?? 0;
  const minLen = opts.minLen ?? 3;
  const maxLen = opts.maxLen ?? 6;
  const rand = mulberry32(seed + 7);
  const randomSource = (): number[] => {
    const n = minLen + Math.floor(rand() * (maxLen - minLen + 1));
    return Array.from({ length: n }, () => DIGIT0 + Math.floor(rand() * 10));
  };
  // Held-out sources first; training draws skip them.
  const testKeys = new Set<string>();
  const test: number[][] = [];
  while (test.length < (opts.testSize ?? 200)) {
    const s = randomSource();
    if (!testKeys.has(s.join())) {
      testKeys.add(s.join());
      test.push(s);
    }
  }
  const trainSource = (): number[] => {
    for (;;) {
      const s = randomSource();
      if (!testKeys.has(s.join())) return s;
    }
  };

  const dModel = opts.dModel ?? 32;
  const model = new Transformer({
    srcVocabSize: VOCAB, tgtVocabSize: VOCAB, dModel, nHead: opts.nHead ?? 4, numEncoderLayers: opts.layers ?? 1,
    numDecoderLayers: opts.layers ?? 1, dimFeedforward: 2 * dModel, dropout: 0, normFirst: true, maxLen: maxLen + 1,
    padId: PAD, bosId: BOS, eosId: EOS, seed,
  });
  const optimizer = new Adam(model.parameters(), { lr: opts.lr ?? 5e-3 });
  const scheduler = new LRScheduler(optimizer, warmupSchedule({ warmup: 20, decay: 'cosine', total: steps, minFactor: 0.1 }));
  const S = maxLen; // source width
  const T = maxLen + 1; // target width: BOS + digits, digits + EOS
  const batch = (): Tensor => {
    const src = new Int32Array(batchSize * S).fill(PAD);
    const tgtIn = new Int32Array(batchSize * T).fill(PAD);
    const tgtOut = new Int32Array(batchSize * T).fill(-100);
    for (let b = 0; b < batchSize; b++) {
      const s = trainSource();
      const r = [...s].reverse();
      src.set(s, b * S);
      tgtIn.set([BOS, ...r], b * T);
      tgtOut.set([...r, EOS], b * T);
    }
    return tidy(() => model.loss(tensor(src, [batchSize, S]), tensor(tgtIn, [batchSize, T]), tensor(tgtOut, [batchSize, T])));
  };
  return { model, optimizer, scheduler, loss: batch, test, maxLen };
}

export async function trainTranslate(opts: TranslateOptions = {}): Promise<TranslateResult> {
  const steps = opts.steps ?? 300;
  const logEvery = opts.logEvery ?? 25;
  const task = translateTask(opts);
  const { model, optimizer, test, maxLen } = task;
  const { losses, stepsPerSecond } = await runSteps({
    ...task, steps, logEvery, onLog: opts.onLog,
    afterStep: async (step) => {
      if (opts.onSample && opts.sampleEvery && step % opts.sampleEvery === 0) {
        const few = test.slice(0, 4);
        const outs = await model.greedyDecode(few, maxLen + 1);
        opts.onSample(step, few.map((s, i) => `${text(s)} → ${text(outs[i])}`));
      }
    },
  });
  const outs = await model.greedyDecode(test, maxLen + 1);
  const correct = outs.filter((o, i) => o.join() === [...test[i]].reverse().join()).length;
  const beamSet = test.slice(0, 20);
  let beamCorrect = 0;
  for (const s of beamSet) if ((await model.beamDecode(s, { beamSize: 3, maxLen: maxLen + 1 })).join() === [...s].reverse().join()) beamCorrect++;
  const examples = test.slice(0, 5).map((s, i) => `${text(s)} → ${text(outs[i])}`);
  releaseModel(model, optimizer);
  const exactMatch = correct / test.length;
  return {
    losses, accuracy: exactMatch, exactMatch, beamExactMatch: beamCorrect / beamSet.length, stepsPerSecond, testSize: test.length, examples,
  };
}
