// A tiny BERT learns masked-language modelling on a synthetic corpus (data/sentences.ts) with a word-level
// tokenizer: 15% of the words are selected, 80% of those replaced by [MASK], 10% by a random word, 10% kept, and
// the model predicts the originals. The loss is measured on a fixed, held-out, masked set before and after.
import { tensor } from '../tensor';
import { tidy, dispose } from '../memory';
import { noGrad } from '../autograd';
import { crossEntropy } from '../ops/loss';
import { BERT, maskTokens } from '../nn/bert';
import { WordTokenizer } from '../nn/tokenizers';
import { Adam } from '../optim/adam';
import { LRScheduler, warmupSchedule } from '../optim/schedule';
import { syntheticSentences } from '../data/sentences';
import { mulberry32 } from '../random';
import type { TrainOptions, TrainResult } from './types';
import { releaseModel, runSteps } from './loop';

export interface BertOptions extends TrainOptions {
  batchSize?: number;
  dModel?: number;
  nLayer?: number;
  nHead?: number;
  lr?: number;
  /** Fill in a few masked sentences every this many steps and pass them to onSample. */
  sampleEvery?: number;
  onSample?: (step: number, lines: string[]) => void;
}

export interface BertResult extends TrainResult {
  initialEvalLoss: number;
  finalEvalLoss: number;
  vocabSize: number;
  examples: string[];
}

export async function trainBert(opts: BertOptions = {}): Promise<BertResult> {
  const steps = opts.steps ?? 150;
  const batchSize = opts.batchSize ?? 32;
  const logEvery = opts.logEvery ?? 25;
  const seed = opts.seed ?? 0;
  const corpus = syntheticSentences(3000, seed);
  const evalSet = syntheticSentences(256, seed + 1);
  const tok = WordTokenizer.fromCorpus(corpus);
  const [PAD, CLS, SEP, MASK] = ['[PAD]', '[CLS]', '[SEP]', '[MASK]'].map((t) => tok.idOf(t));
  const specialIds = tok.specials.map((s) => tok.idOf(s));
  const encoded = (s: string): number[] => [CLS, ...tok.encode(s), SEP];
  const T = Math.max(...[...corpus, ...evalSet].map((s) => encoded(s).length));
  const pack = (sents: readonly string[]): Int32Array => {
    const ids = new Int32Array(sents.length * T).fill(PAD);
    sents.forEach((s, b) => ids.set(encoded(s), b * T));
    return ids;
  };
  const masking = { maskId: MASK, vocabSize: tok.vocabSize, specialIds };
  const evalBatch = maskTokens(pack(evalSet), { ...masking, seed: seed + 2 });

  const model = new BERT({
    vocabSize: tok.vocabSize, maxLen: T, nLayer: opts.nLayer ?? 1, nHead: opts.nHead ?? 4, dModel: opts.dModel ?? 32,
    dropout: 0, padId: PAD, seed,
  });
  const evaluate = async (): Promise<{ loss: number; accuracy: number }> => {
    const [loss, hits, count] = noGrad(() => tidy(() => {
      const labels = tensor(evalBatch.labels, [evalSet.length, T]);
      const logits = model.mlmLogits(tensor(evalBatch.input, [evalSet.length, T])); // (B, T, V)
      return [crossEntropy(logits, labels, { ignoreIndex: -100 }), logits.argmax(-1).eq(labels).sum(), labels.ge(0).sum()];
    }));
    const r = { loss: await loss.item(), accuracy: (await hits.item()) / (await count.item()) };
    dispose([loss, hits, count]);
    return r;
  };
  const fill = async (sents: readonly string[]): Promise<string[]> => {
    const { input } = maskTokens(pack(sents), { ...masking, seed: seed + 3, maskProb: 0.25 });
    const pred = noGrad(() => tidy(() => model.mlmLogits(tensor(input, [sents.length, T])).argmax(-1)));
    const p = await pred.toArray();
    pred.dispose();
    return sents.map((_, b) => {
      const row = Array.from(input.slice(b * T, (b + 1) * T));
      const shown = tok.decode(row.filter((id) => id !== PAD && id !== CLS && id !== SEP), { keepSpecials: true }); // shows [MASK]
      const filled = tok.decode(row.map((id, t) => (id === MASK ? p[b * T + t] : id)));
      return `${shown}  →  ${filled}`;
    });
  };

  const optimizer = new Adam(model.parameters(), { lr: opts.lr ?? 5e-3 });
  const scheduler = new LRScheduler(optimizer, warmupSchedule({ warmup: 10, decay: 'cosine', total: steps, minFactor: 0.1 }));
  const initial = await evaluate();
  const rand = mulberry32(seed + 4);
  const { losses, stepsPerSecond } = await runSteps({
    steps, logEvery, onLog: opts.onLog, optimizer, scheduler,
    loss: (step) => {
      const sents = Array.from({ length: batchSize }, () => corpus[Math.floor(rand() * corpus.length)]);
      const { input, labels } = maskTokens(pack(sents), { ...masking, seed: seed * 1_000_003 + step });
      return tidy(() => model.mlmLoss(tensor(input, [batchSize, T]), tensor(labels, [batchSize, T])));
    },
    afterStep: async (step) => {
      if (opts.onSample && opts.sampleEvery && step % opts.sampleEvery === 0) opts.onSample(step, await fill(evalSet.slice(0, 3)));
    },
  });
  const final = await evaluate();
  const examples = await fill(evalSet.slice(0, 5));
  releaseModel(model, optimizer);
  return {
    losses, accuracy: final.accuracy, stepsPerSecond, initialEvalLoss: initial.loss, finalEvalLoss: final.loss, vocabSize: tok.vocabSize, examples,
  };
}
