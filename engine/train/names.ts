// A character-level GPT learns English first names (makemore's task): each name is framed by a '.' token that
// starts and ends it, the model predicts every next character, and sampling from '.' until the next '.' invents
// new names. The validation loss is measured on a held-out tenth of the names, before and after training.
import { tensor } from '../tensor';
import { tidy, dispose } from '../memory';
import { noGrad } from '../autograd';
import { crossEntropy } from '../ops/loss';
import { GPT } from '../nn/gpt';
import { CharTokenizer } from '../nn/tokenizers';
import { Adam } from '../optim/adam';
import { LRScheduler, warmupSchedule } from '../optim/schedule';
import { loadNames, shuffle } from '../data/names';
import { mulberry32 } from '../random';
import type { Tensor } from '../tensor';
import type { TrainingTask, TrainOptions, TrainResult } from './types';
import { releaseModel, runSteps } from './loop';

export interface NamesOptions extends TrainOptions {
  batchSize?: number;
  nEmbd?: number;
  nLayer?: number;
  nHead?: number;
  lr?: number;
  /** Names generated at the end (and at each sample point). */
  numSamples?: number;
  /** Generate a few names every this many steps and pass them to onSample. */
  sampleEvery?: number;
  onSample?: (step: number, samples: string[]) => void;
}

export interface NamesResult extends TrainResult {
  initialValLoss: number;
  finalValLoss: number;
  samples: string[];
  trainSize: number;
  valSize: number;
}

const BOUNDARY = '.';

/** (B, T) inputs '.'+name and targets name+'.', padded to the longest name with −100 targets. */
function batchOf(names: readonly string[], tok: CharTokenizer): { x: Int32Array; y: Int32Array; B: number; T: number } {
  const B = names.length;
  const T = Math.max(...names.map((n) => n.length)) + 1;
  const x = new Int32Array(B * T); // padding inputs are '.' (id 0); they come after the end, so causally unseen
  const y = new Int32Array(B * T).fill(-100);
  names.forEach((name, b) => {
    const ids = tok.encode(name);
    ids.forEach((id, t) => {
      x[b * T + t + 1] = id;
      y[b * T + t] = id;
    });
    y[b * T + ids.length] = tok.idOf(BOUNDARY);
  });
  return { x, y, B, T };
}

/** Mean per-character loss and next-character accuracy over `names`, in length-sorted chunks. */
async function evaluate(model: GPT, names: readonly string[], tok: CharTokenizer): Promise<{ loss: number; accuracy: number }> {
  const sorted = [...names].sort((a, b) => a.length - b.length);
  let total = 0;
  let correct = 0;
  let count = 0;
  for (let i = 0; i < sorted.length; i += 256) {
    const { x, y, B, T } = batchOf(sorted.slice(i, i + 256), tok);
    const [loss, hits] = noGrad(() => tidy(() => {
      const targets = tensor(y, [B, T]);
      const logits = model.logits(tensor(x, [B, T])); // (B, T, V)
      const hit = logits.argmax(-1).eq(targets).sum(); // −100 never equals an argmax
      return [crossEntropy(logits, targets, { ignoreIndex: -100, reduction: 'sum' }), hit];
    }));
    total += await loss.item();
    correct += await hits.item();
    dispose([loss, hits]);
    count += y.reduce((n, t) => n + (t === -100 ? 0 : 1), 0);
  }
  return { loss: total / count, accuracy: correct / count };
}

async function sample(model: GPT, tok: CharTokenizer, n: number, seed: number): Promise<string[]> {
  const out: string[] = [];
  const start = tok.idOf(BOUNDARY);
  for (let i = 0; i < n; i++) {
    const ids = await model.generate([start], { maxNewTokens: model.config.blockSize - 1, seed: seed + i, stopToken: start });
    out.push(tok.decode(ids));
  }
  return out;
}

/** The GPT, Adam with its schedule over `steps`, and random batches of training names; `val` is held out. */
export async function namesTask(opts: NamesOptions = {}): Promise<TrainingTask<GPT> & { tok: CharTokenizer; train: string[]; val: string[] }> {
  const steps = opts.steps ?? 400;
  const batchSize = opts.batchSize ?? 32;
  const seed = opts.seed ?? 0;
  const all = shuffle(await loadNames(), seed);
  const tok = CharTokenizer.fromText(all, { specials: [BOUNDARY] });
  const nVal = Math.round(all.length / 10);
  const val = all.slice(0, nVal);
  const train = all.slice(nVal);
  const blockSize = Math.max(...all.map((n) => n.length)) + 1;
  const model = new GPT({
    vocabSize: tok.vocabSize, blockSize, nLayer: opts.nLayer ?? 1, nHead: opts.nHead ?? 4, nEmbd: opts.nEmbd ?? 32, seed,
  });
  // β₂ = 0.95 (nanoGPT's choice for small models): the second moment adapts faster over a short run.
  const optimizer = new Adam(model.parameters(), { lr: opts.lr ?? 1e-2, betas: [0.9, 0.95] });
  const scheduler = new LRScheduler(optimizer, warmupSchedule({ warmup: 10, decay: 'cosine', total: steps, minFactor: 0.1 }));
  const rand = mulberry32(seed + 1);
  const loss = (): Tensor => {
    const { x, y, B, T } = batchOf(Array.from({ length: batchSize }, () => train[Math.floor(rand() * train.length)]), tok);
    return tidy(() => model.loss(tensor(x, [B, T]), tensor(y, [B, T])));
  };
  return { model, optimizer, scheduler, loss, tok, train, val };
}

export async function trainNames(opts: NamesOptions = {}): Promise<NamesResult> {
  const steps = opts.steps ?? 400;
  const logEvery = opts.logEvery ?? 25;
  const seed = opts.seed ?? 0;
  const task = await namesTask(opts);
  const { model, optimizer, tok, train, val } = task;
  const initial = await evaluate(model, val, tok);
  const { losses, stepsPerSecond } = await runSteps({
    ...task, steps, logEvery, onLog: opts.onLog,
    afterStep: async (step) => {
      if (opts.onSample && opts.sampleEvery && step % opts.sampleEvery === 0 && step !== steps) {
        opts.onSample(step, await sample(model, tok, 5, seed + step));
      }
    },
  });
  const final = await evaluate(model, val, tok);
  const samples = await sample(model, tok, opts.numSamples ?? 20, seed + 12345);
  opts.onSample?.(steps, samples);
  releaseModel(model, optimizer);
  return {
    losses, accuracy: final.accuracy, stepsPerSecond, initialValLoss: initial.loss, finalValLoss: final.loss, samples,
    trainSize: train.length, valSize: val.length,
  };
}
