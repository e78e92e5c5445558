// The data the week's perceptron and networks run on, generated from a seed (no number typed in by hand): a
// separable cloud labelled by a known line with a margin kept clear, and the four XOR points.
import { metrics, Perceptron, XOR_X, XOR_Y, type TwoLayerNet } from '../../../../engine/course';

/** The line that labels the separable set: w·x + b with w = (1, 0.5), b = −0.1. */
export const TRUE_W = [1, 0.5];
export const TRUE_B = -0.1;
/** Points closer to the line than this (in score) are dropped, so the set has a margin. */
export const MIN_SCORE = 0.25;

export interface Dataset2D {
  X: number[][];
  /** Labels 0 and 1. */
  y: number[];
}

/** 40 points in [−1, 1]² labelled by TRUE_W·x + TRUE_B > 0, with a margin of at least MIN_SCORE in score. */
export function separableSet(seed = 8, n = 40): Dataset2D {
  const r = metrics.seededRandom(seed);
  const X: number[][] = [];
  const y: number[] = [];
  while (X.length < n) {
    const p = [2 * r() - 1, 2 * r() - 1];
    const s = TRUE_W[0] * p[0] + TRUE_W[1] * p[1] + TRUE_B;
    if (Math.abs(s) < MIN_SCORE) continue;
    X.push(p);
    y.push(s > 0 ? 1 : 0);
  }
  return { X, y };
}

export const xorSet = (): Dataset2D => ({ X: XOR_X.map((p) => [...p]), y: [...XOR_Y] });

export interface PerceptronRun {
  converged: boolean;
  epochs: number;
  mistakes: number;
  mistakesPerEpoch: number[];
  accuracy: number;
  w: number[];
  b: number;
}

/** Trains the engine's Perceptron for at most `maxEpochs` and scores it on its own training set. */
export function runPerceptron(data: Dataset2D, maxEpochs: number): PerceptronRun {
  const p = new Perceptron({ maxEpochs });
  const fit = p.fit(data.X, data.y);
  const pred = p.predict(data.X);
  const accuracy = pred.filter((v, i) => v === data.y[i]).length / data.y.length;
  return { ...fit, accuracy, w: [...p.weights], b: p.bias };
}

/** Novikoff's bound on the separable set, for the line that generated it. */
export function separableBound(): { R: number; gamma: number; bound: number } {
  const d = separableSet();
  return Perceptron.mistakeBound(d.X, d.y, TRUE_W, TRUE_B);
}

/** The small network the backprop stepper walks through (2 → 2 tanh → 2 softmax). */
export const STEP_NET: TwoLayerNet = {
  W1: [[0.5, -0.4], [0.3, 0.8]],
  b1: [0.1, -0.1],
  W2: [[1.2, -0.7], [-0.6, 0.9]],
  b2: [0, 0.2],
};
export const STEP_X = [1, 0];
export const STEP_T = 1;
