// An MLP on the mnist package's digits: 784 → 128 → 10 with ReLU, cross-entropy, Adam, minibatches drawn with a
// seeded shuffle each epoch; accuracy on a held-out fifth of the data.
import { tensor } from '../tensor';
import { tidy } from '../memory';
import { noGrad } from '../autograd';
import { MLP } from '../nn/layers';
import { Adam } from '../optim/adam';
import { crossEntropy } from '../ops/loss';
import { loadMnist, MNIST_PIXELS, type Digits } from '../data/mnist';
import { epochBatches } from './batches';
import type { Module } from '../nn/module';
import type { TrainingTask, TrainOptions, TrainResult } from './types';
import type { Tensor } from '../tensor';
import { releaseModel, runSteps } from './loop';

export interface MnistOptions extends TrainOptions {
  batchSize?: number;
  hidden?: number;
  lr?: number;
}

/** Accuracy of `model` on a digit set, in batches, without recording a graph. */
export async function evaluate(model: Module, set: Digits, batch = 500): Promise<number> {
  let correct = 0;
  for (let i = 0; i < set.n; i += batch) {
    const n = Math.min(batch, set.n - i);
    const pred = noGrad(() =>
      tidy(() => model.forward(tensor(set.images.subarray(i * MNIST_PIXELS, (i + n) * MNIST_PIXELS), [n, MNIST_PIXELS])).argmax(-1)),
    );
    const p = await pred.toArray();
    pred.dispose();
    for (let k = 0; k < n; k++) if (p[k] === set.labels[i + k]) correct++;
  }
  return correct / set.n;
}

/** The MLP, Adam, and seeded minibatches from the training split; `test` is the held-out split. */
export async function mnistTask(opts: MnistOptions = {}): Promise<TrainingTask<MLP> & { test: Digits; trainSize: number }> {
  const batchSize = opts.batchSize ?? 64;
  const seed = opts.seed ?? 0;
  const { train, test } = await loadMnist({ seed, testFraction: 0.2 });
  const model = new MLP([MNIST_PIXELS, opts.hidden ?? 128, 10], { seed });
  const optimizer = new Adam(model.parameters(), { lr: opts.lr ?? 2e-3 });
  const next = epochBatches(train.n, batchSize, seed + 1);
  const xb = new Float32Array(batchSize * MNIST_PIXELS);
  const yb = new Int32Array(batchSize);
  const nextBatch = (): Tensor => {
    next().forEach((idx, k) => {
      xb.set(train.images.subarray(idx * MNIST_PIXELS, (idx + 1) * MNIST_PIXELS), k * MNIST_PIXELS);
      yb[k] = train.labels[idx];
    });
    return tidy(() => crossEntropy(model.forward(tensor(xb, [batchSize, MNIST_PIXELS])), tensor(yb, [batchSize])));
  };
  return { model, optimizer, loss: nextBatch, test, trainSize: train.n };
}

export async function trainMnist(opts: MnistOptions = {}): Promise<TrainResult & { trainSize: number; testSize: number }> {
  const task = await mnistTask(opts);
  const { losses, stepsPerSecond } = await runSteps({ ...task, steps: opts.steps ?? 400, logEvery: opts.logEvery ?? 25, onLog: opts.onLog });
  const accuracy = await evaluate(task.model, task.test);
  releaseModel(task.model, task.optimizer);
  return { losses, accuracy, stepsPerSecond, trainSize: task.trainSize, testSize: task.test.n };
}
