// The tolerance per op within which two configurations of a kernel must agree (|a − b| ≤ atol + rtol·|b|,
// elementwise): the autotuner discards a candidate whose output strays further from the default's, and
// test/tuning.test.ts holds every candidate to it against the CPU oracle. Inputs are uniform in [−1, 1).
//   matmul          atol 1e-4·√K, rtol 1e-5: float32 sums of K products in different orders differ by about
//                   6e-8·√K·√(K/9) (2e-5 at K = 1000), so 100× headroom there, while one dropped or doubled
//                   product (|a·b| ≈ 0.25) or a wrong row (an error of order √K/3) fails by orders of magnitude.
//   attention       atol 2e-5, rtol 1e-4: dot products of length d ≤ 128 and an online softmax, outputs ≤ 1.
//   attention grads atol 1e-4, rtol 1e-3: the backward sums d or T products of two such terms.
//   softmax         atol 1e-6, rtol 1e-4: probabilities; one exp and one division per element after the max.
//   layernorm       atol 1e-5, rtol 1e-4: outputs of order 1 after a mean and a variance over the row.
import type { TuneOp } from './candidates';

export interface Tolerance {
  atol: number;
  rtol: number;
}

export const TUNE_TOLERANCE: Record<TuneOp, (K: number) => Tolerance> = {
  matmul: (K) => ({ atol: 1e-4 * Math.sqrt(Math.max(K, 1)), rtol: 1e-5 }),
  attention: () => ({ atol: 2e-5, rtol: 1e-4 }),
  attentionBackward: () => ({ atol: 1e-4, rtol: 1e-3 }),
  softmax: () => ({ atol: 1e-6, rtol: 1e-4 }),
  layernorm: () => ({ atol: 1e-5, rtol: 1e-4 }),
};

/**
 * The worst element's error as a fraction of what the tolerance allows there (≤ 1: within it). Equal non-finite
 * values (the same infinity, or NaN against NaN) count as equal; a length mismatch or a non-finite value against a
 * finite one is Infinity.
 */
export function withinTolerance(a: ArrayLike<number>, b: ArrayLike<number>, tol: Tolerance): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    if (Object.is(a[i], b[i]) || (Number.isNaN(a[i]) && Number.isNaN(b[i]))) continue;
    const r = Math.abs(a[i] - b[i]) / (tol.atol + tol.rtol * Math.abs(b[i]));
    if (!(r <= worst)) worst = Number.isNaN(r) ? Infinity : r;
  }
  return worst;
}
