// An MLP learns XOR: 2 → 8 → 2 with tanh, cross-entropy, Adam. It is the smallest network that needs a hidden
// layer, and it trains in a few hundred steps.
import { tensor } from '../tensor';
import { tidy, dispose } from '../memory';
import { noGrad } from '../autograd';
import { MLP } from '../nn/layers';
import { Adam } from '../optim/adam';
import { crossEntropy } from '../ops/loss';
import { XOR_INPUTS, XOR_LABELS } from '../data/xor';
import type { Tensor } from '../tensor';
import type { TrainingTask, TrainOptions, TrainResult } from './types';
import { releaseModel, runSteps } from './loop';

/** The model and its four points (x (4, 2), labels y (4)); the caller disposes x and y. */
export function xorTask(opts: { seed?: number } = {}): TrainingTask<MLP> & { x: Tensor; y: Tensor } {
  const model = new MLP([2, 8, 2], { activation: 'tanh', seed: opts.seed ?? 0 });
  const optimizer = new Adam(model.parameters(), { lr: 0.05 });
  const x = tensor(XOR_INPUTS, [4, 2]);
  const y = tensor(XOR_LABELS, [4]);
  return { model, optimizer, x, y, loss: () => tidy(() => crossEntropy(model.forward(x), y)) };
}

export async function trainXor(opts: TrainOptions = {}): Promise<TrainResult> {
  const steps = opts.steps ?? 300;
  const logEvery = opts.logEvery ?? 25;
  const task = xorTask(opts);
  const { model, optimizer, x } = task;
  const { losses, stepsPerSecond } = await runSteps({ ...task, steps, logEvery, onLog: opts.onLog });
  const pred = noGrad(() => tidy(() => model.forward(x).argmax(-1)));
  const p = await pred.toArray();
  const accuracy = XOR_LABELS.reduce((acc, label, i) => acc + (p[i] === label ? 1 : 0), 0) / XOR_LABELS.length;
  releaseModel(model, optimizer);
  dispose([pred, x, task.y]);
  return { losses, accuracy, stepsPerSecond };
}
