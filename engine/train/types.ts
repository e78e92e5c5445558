// What the training recipes report as they run, so a CLI can draw a progress bar and a test can assert.
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
