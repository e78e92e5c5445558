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
export async function vitTask(opts: ViTTrainOptions = {}): Promise<TrainingTask<ViT> & { test: Digits; trainSize: number; steps: number }> {
  const batchSize = opts.batchSize ?? 64;
  const seed = opts.seed ?? 0;
  const steps = opts.steps ?? 2000;
  const maxShift = opts.maxShift ?? 2;
  const { train, test } = await loadMnist({ seed, testFraction: 0.2 });
  const model = new ViT({ ...VIT_MNIST, ...opts.model, seed });
  const optimizer = new AdamW(model.parameters(), { lr: opts.lr ?? 2e-3, weightDecay: 0.05 });
  const scheduler = new LRScheduler(optimizer, warmupSchedule({ warmup: Math.min(100, Math.floor(steps / 10)), total: steps, decay: 'cosine', minFactor: 0.05 }));
  const next = epochBatches(train.n, batchSize, seed + 1);
  const rand = mulberry32(seed + 2);
  const shift = (): number => Math.floor(rand() * (2 * maxShift + 1)) - maxShift;
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
  return { model, optimizer, scheduler, loss, test, trainSize: train.n, steps };
}

export interface ViTTrainResult extends TrainResult {
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
  return { losses, accuracy, stepsPerSecond, trainSize: task.trainSize, testSize: task.test.n, parameters };
}
