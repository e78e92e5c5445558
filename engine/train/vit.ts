// A small ViT on the mnist package's digits, on the same seeded split as the MLP recipe (train/mnist.ts), so the
// two accuracies compare: 28×28 images in 7×7 patches (a 4×4 grid, 17 tokens with the class token), AdamW with
// warmup and cosine decay, and random shifts of up to two pixels as augmentation (a ViT has no convolution's
// built-in tolerance to small translations, and 8,000 training digits are few for it).
import { tensor } from '../tensor';
import { tidy } from '../memory';
import { ViT, type ViTConfig } from '../nn/vit';
import { AdamW } from '../optim/adam';
import { LRScheduler, warmupSchedule } from '../optim/schedule';
import { crossEntropy } from '../ops/loss';
import { loadMnist, MNIST_PIXELS, type Digits } from '../data/mnist';
import { mulberry32 } from '../random';
import type { TrainingTask, TrainOptions, TrainResult } from './types';
import type { Tensor } from '../tensor';
import { evaluate } from './mnist';
import { epochBatches } from './batches';
import { releaseModel, runSteps } from './loop';

export interface ViTTrainOptions extends TrainOptions {
  batchSize?: number;
  lr?: number;
  /** Largest random shift in pixels, each axis (default 2; 0 turns augmentation off). */
  maxShift?: number;
  /** Overrides of the model's shape (patch size, width, depth, heads). */
  model?: Partial<Omit<ViTConfig, 'imageSize' | 'channels' | 'numClasses' | 'seed' | 'device'>>;
}

/** The recipe's model shape: 7×7 patches, width 32, 4 heads, 2 pre-LN blocks, feed-forward 64 (19,658 parameters). */
export const VIT_MNIST: Omit<ViTConfig, 'seed' | 'device'> = {
  imageSize: 28, patchSize: 7, channels: 1, numClasses: 10, dModel: 32, nHead: 4, nLayer: 2, dimFeedforward: 64,
};

/** The optimisation and augmentation both vision recipes (this one and train/clip.ts) use. */
export const VISION_TRAINING = { batchSize: 64, lr: 2e-3, weightDecay: 0.05, warmup: 100, minFactor: 0.05, maxShift: 2 } as const;

/** How a vision recipe ran, as its result and run.json report it. */
export interface VisionTraining {
  steps: number;
  batchSize: number;
  optimizer: string;
  augmentation: string;
}

/**
 * AdamW with linear warmup (100 steps, or a tenth of a shorter run) and cosine decay to 5%, its description, and a
 * seeded draw of shifts in [−maxShift, maxShift].
 */
export function visionOptimization(params: Tensor[], o: { steps: number; batchSize: number; lr: number; maxShift: number; seed: number }): {
  optimizer: AdamW; scheduler: LRScheduler; shift: () => number; training: VisionTraining;
} {
  const { weightDecay, minFactor } = VISION_TRAINING;
  const warmup = Math.min(VISION_TRAINING.warmup, Math.floor(o.steps / 10));
  const optimizer = new AdamW(params, { lr: o.lr, weightDecay });
  const scheduler = new LRScheduler(optimizer, warmupSchedule({ warmup, total: o.steps, decay: 'cosine', minFactor }));
  const rand = mulberry32(o.seed);
  return {
    optimizer, scheduler,
    shift: () => Math.floor(rand() * (2 * o.maxShift + 1)) - o.maxShift,
    training: {
      steps: o.steps, batchSize: o.batchSize,
      optimizer: `AdamW lr ${o.lr}, weight decay ${weightDecay}, ${warmup} warmup steps, cosine decay to ${minFactor * 100}%`,
      augmentation: o.maxShift > 0 ? `random shifts of up to ${o.maxShift} pixels each axis` : 'none',
    },
  };
}

/** Copies a 28×28 digit into dst moved by (dx, dy) pixels, filling the uncovered border with 0 (background). */
export function shiftDigit(src: Float32Array, dst: Float32Array, dx: number, dy: number): void {
  const S = 28;
  dst.fill(0);
  for (let y = Math.max(0, dy); y < Math.min(S, S + dy); y++) {
    const from = (y - dy) * S;
    for (let x = Math.max(0, dx); x < Math.min(S, S + dx); x++) dst[y * S + x] = src[from + x - dx];
  }
}

/** The ViT, AdamW with a schedule, and shifted seeded minibatches; `test` is the MLP recipe's held-out split. */
export async function vitTask(opts: ViTTrainOptions = {}): Promise<TrainingTask<ViT> & { test: Digits; trainSize: number; steps: number; training: VisionTraining }> {
  const batchSize = opts.batchSize ?? VISION_TRAINING.batchSize;
  const seed = opts.seed ?? 0;
  const steps = opts.steps ?? 2000;
  const { train, test } = await loadMnist({ seed, testFraction: 0.2 });
  const model = new ViT({ ...VIT_MNIST, ...opts.model, seed });
  const { optimizer, scheduler, shift, training } = visionOptimization(model.parameters(), {
    steps, batchSize, lr: opts.lr ?? VISION_TRAINING.lr, maxShift: opts.maxShift ?? VISION_TRAINING.maxShift, seed: seed + 2,
  });
  const next = epochBatches(train.n, batchSize, seed + 1);
  const xb = new Float32Array(batchSize * MNIST_PIXELS);
  const yb = new Int32Array(batchSize);
  const loss = (): Tensor => {
    next().forEach((idx, k) => {
      const src = train.images.subarray(idx * MNIST_PIXELS, (idx + 1) * MNIST_PIXELS);
      shiftDigit(src, xb.subarray(k * MNIST_PIXELS, (k + 1) * MNIST_PIXELS), shift(), shift());
      yb[k] = train.labels[idx];
    });
    return tidy(() => crossEntropy(model.forward(tensor(xb, [batchSize, MNIST_PIXELS])), tensor(yb, [batchSize])));
  };
  return { model, optimizer, scheduler, loss, test, trainSize: train.n, steps, training };
}

export interface ViTTrainResult extends TrainResult {
  training: VisionTraining;
  trainSize: number;
  testSize: number;
  parameters: number;
}

/** Trains the ViT and returns its held-out accuracy. `keepModel` hands the trained model back instead of freeing it. */
export async function trainViT(opts: ViTTrainOptions & { keepModel?: (m: ViT) => void } = {}): Promise<ViTTrainResult> {
  const task = await vitTask(opts);
  const { losses, stepsPerSecond } = await runSteps({ ...task, steps: task.steps, logEvery: opts.logEvery ?? 25, onLog: opts.onLog });
  task.model.eval();
  const accuracy = await evaluate(task.model, task.test);
  const parameters = task.model.numParameters();
  if (opts.keepModel) {
    task.model.zeroGrad();
    task.optimizer.dispose();
    opts.keepModel(task.model);
  } else releaseModel(task.model, task.optimizer);
  return { losses, accuracy, stepsPerSecond, training: task.training, trainSize: task.trainSize, testSize: task.test.n, parameters };
}
