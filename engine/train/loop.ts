// The optimisation loop every recipe shares, so each recipe only says how to build a batch's loss.
import type { Module } from '../nn/module';
import type { Optimizer } from '../optim/optimizer';
import { dispose } from '../memory';
import type { StepLog, TrainingTask } from './types';

export interface LoopOptions extends Omit<TrainingTask, 'model'> {
  steps: number;
  logEvery: number;
  onLog?: (log: StepLog) => void;
  /** Runs after each step, e.g. to print samples. */
  afterStep?: (step: number) => Promise<void> | void;
}

/**
 * zeroGrad → backward → step (→ scheduler) per step. The loss is read back only on logging steps (the first, the
 * last and every logEvery-th), because a readback waits for the GPU; the other steps only encode work.
 */
export async function runSteps(o: LoopOptions): Promise<{ losses: StepLog[]; stepsPerSecond: number }> {
  const losses: StepLog[] = [];
  const start = performance.now();
  for (let step = 1; step <= o.steps; step++) {
    const loss = o.loss(step);
    o.optimizer.zeroGrad();
    loss.backward();
    o.optimizer.step();
    o.scheduler?.step();
    if (step % o.logEvery === 0 || step === 1 || step === o.steps) {
      const log = { step, steps: o.steps, loss: await loss.item() };
      losses.push(log);
      o.onLog?.(log);
    }
    loss.dispose();
    await o.afterStep?.(step);
  }
  return { losses, stepsPerSecond: o.steps / ((performance.now() - start) / 1000) };
}

/** Frees what a finished recipe holds on the device: gradients, optimizer state and the parameters. */
export function releaseModel(model: Module, optimizer: Optimizer): void {
  model.zeroGrad();
  optimizer.dispose();
  dispose(model.parameters());
}
