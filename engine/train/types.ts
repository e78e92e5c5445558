// What the training recipes report as they run, so a CLI can draw a progress bar and a test can assert; and the
// task a recipe sets up, so that a benchmark can time the same steps without the recipe's evaluation.
import type { Tensor } from '../tensor';
import type { Module } from '../nn/module';
import type { Optimizer } from '../optim/optimizer';
import type { LRScheduler } from '../optim/schedule';

export interface StepLog {
  step: number;
  steps: number;
  /** The loss of this step, read back only every `logEvery` steps (reading forces a GPU sync). */
  loss: number;
}

export interface TrainResult {
  losses: StepLog[];
  /** The final metric: accuracy on the held-out set (XOR: on its four points). */
  accuracy: number;
  stepsPerSecond: number;
}

export interface TrainOptions {
  steps?: number;
  seed?: number;
  logEvery?: number;
  onLog?: (log: StepLog) => void;
}

/** One recipe's training, ready to step: the model, its optimizer (and schedule), and each step's loss. */
export interface TrainingTask<M extends Module = Module> {
  model: M;
  optimizer: Optimizer;
  scheduler?: LRScheduler;
  /** Step `step`'s loss on a fresh batch (1-based), built inside tidy() so that intermediates are freed. */
  loss: (step: number) => Tensor;
}
