// An MLP learns XOR: 2 → 8 → 2 with tanh, cross-entropy, Adam. It is the smallest network that needs a hidden
// layer, and it trains in a few hundred steps.
import { tensor } from '../tensor';
import { tidy, dispose } from '../memory';
import { noGrad } from '../autograd';
import { MLP } from '../nn/layers';
import { Adam } from '../optim/adam';
import { crossEntropy } from '../ops/loss';
import { XOR_INPUTS, XOR_LABELS } from '../data/xor';
import type { TrainOptions, TrainResult, StepLog } from './types';

export async function trainXor(opts: TrainOptions = {}): Promise<TrainResult> {
  const steps = opts.steps ?? 300;
  const logEvery = opts.logEvery ?? 25;
  const model = new MLP([2, 8, 2], { activation: 'tanh', seed: opts.seed ?? 0 });
  const optimizer = new Adam(model.parameters(), { lr: 0.05 });
  const x = tensor(XOR_INPUTS, [4, 2]);
  const y = tensor(XOR_LABELS, [4]);
  const losses: StepLog[] = [];
  const start = performance.now();
  for (let step = 1; step <= steps; step++) {
    const loss = tidy(() => crossEntropy(model.forward(x), y));
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    if (step % logEvery === 0 || step === 1 || step === steps) {
      const log = { step, steps, loss: await loss.item() };
      losses.push(log);
      opts.onLog?.(log);
    }
    loss.dispose();
  }
  const stepsPerSecond = steps / ((performance.now() - start) / 1000);
  const pred = noGrad(() => tidy(() => model.forward(x).argmax(-1)));
  const p = await pred.toArray();
  const accuracy = XOR_LABELS.reduce((acc, label, i) => acc + (p[i] === label ? 1 : 0), 0) / XOR_LABELS.length;
  model.zeroGrad();
  optimizer.dispose();
  dispose([pred, x, y, model.parameters()]);
  return { losses, accuracy, stepsPerSecond };
}
