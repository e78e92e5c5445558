// The perceptron (week 8): Rosenblatt's mistake-driven rule, with Novikoff's bound on its number of mistakes.

export interface PerceptronOptions {
  /** Passes over the data before giving up (default 100). */
  maxEpochs?: number;
  /** Step size; from zero weights it rescales w and b but never changes a prediction (default 1). */
  lr?: number;
}

export interface PerceptronFit {
  /** True when an epoch made no mistake: the data are separated. */
  converged: boolean;
  epochs: number;
  /** Total updates (mistakes) over all epochs. */
  mistakes: number;
  /** Mistakes in each epoch. */
  mistakesPerEpoch: number[];
}

/**
 * A binary linear classifier sign(w·x + b), trained by the perceptron rule: visit the samples in order and, on a
 * mistake (y·(w·x + b) ≤ 0, with y = ±1), update w ← w + lr·y·x and b ← b + lr·y. The lower of the two labels
 * given to fit() is −1 and the higher +1; predict() answers in the original labels.
 *
 * Convergence theorem (Novikoff): if some unit vector (w*, b*) separates the data with margin
 * γ = min_i y_i (w*·x_i + b*) > 0, and R = max_i ‖(x_i, 1)‖, the rule makes at most (R/γ)² mistakes.
 */
export class Perceptron {
  readonly maxEpochs: number;
  readonly lr: number;
  weights: number[] = [];
  bias = 0;
  classes: [number, number] = [-1, 1];

  constructor(opts: PerceptronOptions = {}) {
    this.maxEpochs = opts.maxEpochs ?? 100;
    this.lr = opts.lr ?? 1;
    if (!(this.lr > 0)) throw new RangeError(`Perceptron: lr must be > 0, got ${this.lr}`);
  }

  fit(X: readonly (readonly number[])[], y: readonly number[]): PerceptronFit {
    if (X.length !== y.length || X.length === 0) throw new RangeError(`Perceptron.fit: ${X.length} rows and ${y.length} labels`);
    const labels = [...new Set(y)].sort((a, b) => a - b);
    if (labels.length !== 2) throw new RangeError(`Perceptron.fit: needs exactly two labels, got ${labels.join(', ')}`);
    this.classes = [labels[0], labels[1]];
    const d = X[0].length;
    this.weights = new Array<number>(d).fill(0);
    this.bias = 0;
    const mistakesPerEpoch: number[] = [];
    let mistakes = 0;
    for (let epoch = 0; epoch < this.maxEpochs; epoch++) {
      let m = 0;
      X.forEach((x, i) => {
        const t = y[i] === labels[1] ? 1 : -1;
        if (t * this.score(x) <= 0) {
          for (let j = 0; j < d; j++) this.weights[j] += this.lr * t * x[j];
          this.bias += this.lr * t;
          m++;
        }
      });
      mistakesPerEpoch.push(m);
      mistakes += m;
      if (m === 0) return { converged: true, epochs: epoch + 1, mistakes, mistakesPerEpoch };
    }
    return { converged: false, epochs: this.maxEpochs, mistakes, mistakesPerEpoch };
  }

  /** w·x + b. */
  score(x: readonly number[]): number {
    let s = this.bias;
    for (let j = 0; j < this.weights.length; j++) s += this.weights[j] * x[j];
    return s;
  }

  predict(X: readonly (readonly number[])[]): number[] {
    return X.map((x) => (this.score(x) > 0 ? this.classes[1] : this.classes[0]));
  }

  /**
   * Novikoff's bound for data separated by w·x + b: R = max ‖(x, 1)‖, γ = min y·(w·x + b) / ‖(w, b)‖ (negative
   * when (w, b) does not separate the data), and bound = (R/γ)². Labels are ±1 or the two values given to fit().
   */
  static mistakeBound(X: readonly (readonly number[])[], y: readonly number[], w: readonly number[], b: number): { R: number; gamma: number; bound: number } {
    const hi = Math.max(...y);
    const len = Math.hypot(...w, b);
    let R = 0;
    let gamma = Infinity;
    X.forEach((x, i) => {
      R = Math.max(R, Math.hypot(...x, 1));
      const t = y[i] === hi ? 1 : -1;
      let s = b;
      for (let j = 0; j < w.length; j++) s += w[j] * x[j];
      gamma = Math.min(gamma, (t * s) / len);
    });
    return { R, gamma, bound: gamma > 0 ? (R / gamma) ** 2 : Infinity };
  }
}
