// The dominant eigenpair of a small matrix by the engine's powerIteration, on the default device (the GPU in the
// page), with the residual ‖Av − λv‖ that says whether the iteration settled. Used by the matrix widget and the
// prose; tested in Node.
import { powerIteration, tensor, getDefaultDevice } from '../../../../engine/index';

export interface Eigen {
  value: number;
  /** Unit length, sign fixed so that its largest-magnitude entry is positive. */
  vector: number[];
  /** ‖Av − λv‖ for this v and λ. */
  residual: number;
  converged: boolean;
  iters: number;
  device: string;
}

export const POWER_ITERS = 60;

/** `m` is a square matrix, row-major. */
export async function dominantEigen(m: readonly number[], iters = POWER_ITERS): Promise<Eigen> {
  const n = Math.round(Math.sqrt(m.length));
  if (n * n !== m.length) throw new RangeError(`dominantEigen: ${m.length} entries is not a square matrix`);
  if (!m.every(Number.isFinite)) throw new RangeError('dominantEigen: every entry must be a finite number');
  const A = tensor([...m], [n, n]); // (n, n)
  try {
    const { value, vector } = await powerIteration(A, { iters, seed: 1 });
    let v = Array.from(await vector.toArray());
    vector.dispose();
    const big = v.reduce((best, x) => (Math.abs(x) > Math.abs(best) ? x : best), 0);
    if (big < 0) v = v.map((x) => -x);
    let r2 = 0;
    for (let i = 0; i < n; i++) {
      let av = 0;
      for (let j = 0; j < n; j++) av += m[i * n + j] * v[j];
      r2 += (av - value * v[i]) ** 2;
    }
    const residual = Math.sqrt(r2);
    const scale = Math.max(1, Math.abs(value));
    // λ is the Rayleigh quotient, so the residual shrinks like the square of v's error: a slowly creeping iterate (a
    // shear's, whose error falls like 1/steps) still leaves a residual far above float32 rounding after 60 steps.
    return { value, vector: v, residual, converged: residual <= 1e-5 * scale, iters, device: getDefaultDevice() };
  } finally {
    A.dispose();
  }
}
