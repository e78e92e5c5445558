// Week 0's under- and overfitting: least-squares polynomials of growing degree fitted to a few noisy samples of a
// smooth curve, scored on the points they were fitted to and on held-out ones.
//
// This is plain float64 code, not tensors, on purpose. A degree-15 fit through 16 points is an ill-conditioned
// problem: in float32 (the engine's tensor dtype) its high coefficients are mostly rounding noise, and the
// training error would stop falling for reasons that have nothing to do with overfitting. The polynomial is
// written in the Legendre basis P₀ … P_d on [−1, 1] rather than in powers of x, and solved by Householder QR
// rather than the normal equations, for the same reason: both keep the conditioning as good as the points allow.
import { seededRandom } from './metrics';

/** P₀(x) … P_degree(x) by Bonnet's recurrence (k+1)·P_{k+1} = (2k+1)·x·P_k − k·P_{k−1}. */
export function legendre(x: number, degree: number): number[] {
  const p = [1, x];
  for (let k = 1; k < degree; k++) p.push(((2 * k + 1) * x * p[k] - k * p[k - 1]) / (k + 1));
  return p.slice(0, degree + 1);
}

export interface PolyFit {
  degree: number;
  /** Coefficients of P₀ … P_degree. */
  coef: number[];
  predict(x: number): number;
}

/**
 * The least-squares polynomial of the given degree through the points (xs[i], ys[i]), xs in [−1, 1]: it minimises
 * Σ (p(x_i) − y_i)². Needs degree + 1 ≤ the number of points; with equality (and distinct xs) it interpolates.
 */
export function fitPolynomial(xs: readonly number[], ys: readonly number[], degree: number): PolyFit {
  const n = xs.length;
  const m = degree + 1;
  if (ys.length !== n) throw new RangeError(`fitPolynomial: ${n} xs but ${ys.length} ys`);
  if (!Number.isInteger(degree) || degree < 0) throw new RangeError(`fitPolynomial: degree must be an integer ≥ 0, got ${degree}`);
  if (m > n) throw new RangeError(`fitPolynomial: degree ${degree} needs at least ${m} points, got ${n}`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(xs[i]) || !Number.isFinite(ys[i])) throw new RangeError(`fitPolynomial: point ${i} is (${xs[i]}, ${ys[i]}); needs finite numbers`);
    if (Math.abs(xs[i]) > 1) throw new RangeError(`fitPolynomial: x[${i}] = ${xs[i]} is outside [−1, 1], where the Legendre basis is well conditioned`);
  }
  // A (n, m) design matrix, column-major so a Householder step works on contiguous columns; b is a copy of ys.
  const A = Array.from({ length: m }, (_, j) => xs.map((x) => legendre(x, degree)[j]));
  const b = ys.slice();
  // Householder QR: reflect column k so its entries below the diagonal vanish, applying the same reflection to
  // the later columns and to b. Afterwards R sits in the upper triangle and b holds Qᵀ·y.
  for (let k = 0; k < m; k++) {
    const col = A[k];
    let norm = 0;
    for (let i = k; i < n; i++) norm += col[i] * col[i];
    norm = Math.sqrt(norm);
    if (norm === 0) throw new RangeError(`fitPolynomial: the points cannot fix a degree-${degree} polynomial (repeated xs?)`);
    // v = col[k:] + sign(col[k])·‖col[k:]‖·e₁; the sign avoids cancellation.
    const alpha = col[k] >= 0 ? -norm : norm;
    const v = col.slice(k);
    v[0] -= alpha;
    let vv = 0;
    for (const t of v) vv += t * t;
    const reflect = (u: number[]): void => {
      let dot = 0;
      for (let i = 0; i < v.length; i++) dot += v[i] * u[k + i];
      const f = (2 * dot) / vv;
      for (let i = 0; i < v.length; i++) u[k + i] -= f * v[i];
    };
    if (vv > 0) {
      for (let j = k; j < m; j++) reflect(A[j]);
      reflect(b);
    }
  }
  // Back substitution R·c = (Qᵀy)[0:m].
  const coef = new Array<number>(m).fill(0);
  for (let i = m - 1; i >= 0; i--) {
    let s = b[i];
    for (let j = i + 1; j < m; j++) s -= A[j][i] * coef[j];
    if (A[i][i] === 0) throw new RangeError(`fitPolynomial: the points cannot fix a degree-${degree} polynomial (repeated xs?)`);
    coef[i] = s / A[i][i];
  }
  return {
    degree,
    coef,
    predict(x: number): number {
      const p = legendre(x, degree);
      let y = 0;
      for (let j = 0; j < m; j++) y += coef[j] * p[j];
      return y;
    },
  };
}

/** Mean squared error of a fit on the points (xs, ys). */
export function meanSquaredError(fit: PolyFit, xs: readonly number[], ys: readonly number[]): number {
  if (xs.length !== ys.length || xs.length === 0) throw new RangeError(`meanSquaredError: needs as many ys as xs, at least one (got ${xs.length} and ${ys.length})`);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (fit.predict(xs[i]) - ys[i]) ** 2;
  return s / xs.length;
}

/** The curve the samples come from: a smooth wave that a degree 3 to 6 polynomial follows closely. */
export function trueCurve(x: number): number {
  return Math.sin(2.5 * x) + 0.5 * x;
}

export interface CurveSample {
  train: { x: number[]; y: number[] };
  validation: { x: number[]; y: number[] };
}

export interface CurveOptions {
  seed?: number;
  /** Training points (default 16). */
  train?: number;
  /** Validation points (default 50). */
  validation?: number;
  /** Standard deviation of the Gaussian noise added to every y (default 0.25). */
  noise?: number;
}

/** Noisy samples of trueCurve at uniform xs in [−1, 1], split into a training and a validation set. */
export function sampleCurve(opts: CurveOptions = {}): CurveSample {
  const nTrain = opts.train ?? 16;
  const nVal = opts.validation ?? 50;
  const noise = opts.noise ?? 0.25;
  if (!Number.isInteger(nTrain) || nTrain < 1 || !Number.isInteger(nVal) || nVal < 1) {
    throw new RangeError(`sampleCurve: train and validation must be integers ≥ 1, got ${nTrain} and ${nVal}`);
  }
  if (!(noise >= 0)) throw new RangeError(`sampleCurve: noise must be ≥ 0, got ${noise}`);
  const r = seededRandom(opts.seed ?? 0);
  const draw = (k: number) => {
    const x: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < k; i++) {
      const xi = 2 * r() - 1;
      // Box–Muller for the noise; 1 − r() is in (0, 1].
      const z = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
      x.push(xi);
      y.push(trueCurve(xi) + noise * z);
    }
    return { x, y };
  };
  return { train: draw(nTrain), validation: draw(nVal) };
}

export interface DegreeScore {
  degree: number;
  train: number;
  validation: number;
}

/** Training and validation MSE of the least-squares fit of every degree from 0 to maxDegree. */
export function degreeSweep(sample: CurveSample, maxDegree: number): DegreeScore[] {
  const out: DegreeScore[] = [];
  for (let d = 0; d <= maxDegree; d++) {
    const fit = fitPolynomial(sample.train.x, sample.train.y, d);
    out.push({
      degree: d,
      train: meanSquaredError(fit, sample.train.x, sample.train.y),
      validation: meanSquaredError(fit, sample.validation.x, sample.validation.y),
    });
  }
  return out;
}
