// Rank-k compression of a digit by the SVD: the engine's svd (one-sided Jacobi, on the page's device) factors a
// 28×28 image once, and each rank-k approximation U_k·diag(S_k)·V_kᵀ is rebuilt from the first k singular triplets
// with the engine's matmul. The relative error ‖A − A_k‖_F / ‖A‖_F is measured on the rebuilt image, not taken from
// the singular values, so the number the page states is what the picture shows.
import { svd, tensor, tidy, noGrad, type Tensor } from '../../../../engine/index';
import { DIGIT_HEX } from './digits-data';

export const SIDE = 28;

/** The grey levels of stored digit `i` (row-major, 784 values in [0, 1]). */
export function digitPixels(i: number): Float32Array {
  const { hex } = DIGIT_HEX[i];
  const out = new Float32Array(SIDE * SIDE);
  for (let p = 0; p < out.length; p++) out[p] = parseInt(hex.slice(2 * p, 2 * p + 2), 16) / 255;
  return out;
}

export interface DigitSvd {
  /** The image, (28, 28) row-major. */
  pixels: Float32Array;
  /** Singular values, descending. */
  S: number[];
  /** U (28, 28) and V (28, 28), row-major, read back once. */
  U: Float32Array;
  V: Float32Array;
}

/** Factors stored digit `i` on the default device. */
export async function digitSvd(i: number): Promise<DigitSvd> {
  const pixels = digitPixels(i);
  const A = tensor(pixels, [SIDE, SIDE]); // (28, 28)
  const r = await svd(A);
  try {
    const [S, U, V] = await Promise.all([r.S.toArray(), r.U.toArray(), r.V.toArray()]);
    return { pixels, S: Array.from(S), U: U as Float32Array, V: V as Float32Array };
  } finally {
    for (const t of [A, r.U, r.S, r.V]) t.dispose();
  }
}

const factored = new Map<number, Promise<DigitSvd>>();

/** digitSvd, once per digit per page: the prose's numbers and the widget share one factorisation. */
export function cachedDigitSvd(i: number): Promise<DigitSvd> {
  let f = factored.get(i);
  if (!f) factored.set(i, (f = digitSvd(i)));
  return f;
}

/** The rank-k approximation U_k·diag(S_k)·V_kᵀ, computed with the engine's matmul: (28, k)·(k, 28). */
export async function reconstruct(f: DigitSvd, k: number): Promise<Float32Array> {
  if (!Number.isInteger(k) || k < 1 || k > f.S.length) throw new RangeError(`reconstruct: k must be an integer in [1, ${f.S.length}], got ${k}`);
  const n = f.S.length;
  const t = noGrad(() => tidy(() => {
    const U = tensor(f.U, [SIDE, n]).slice(1, 0, k); // (28, k)
    const V = tensor(f.V, [SIDE, n]).slice(1, 0, k); // (28, k)
    const S = tensor(f.S.slice(0, k), [1, k]); // (1, k), broadcast over U's rows
    return U.mul(S).matmul(V.transpose(0, 1)); // (28, k)·(k, 28) = (28, 28)
  }));
  return readAndFree(t);
}

async function readAndFree(t: Tensor): Promise<Float32Array> {
  try {
    return (await t.toArray()) as Float32Array;
  } finally {
    t.dispose();
  }
}

/** ‖A − B‖_F / ‖A‖_F. */
export function relativeError(A: ArrayLike<number>, B: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < A.length; i++) {
    num += (A[i] - B[i]) ** 2;
    den += A[i] ** 2;
  }
  return Math.sqrt(num / den);
}

/** The ranks the prose states errors for. */
export const STATED_KS = [1, 2, 4, 8, 16] as const;

/** The relative error of each stated rank for the page's first digit. */
export async function statedErrors(digit = 0): Promise<number[]> {
  const f = await cachedDigitSvd(digit);
  const out: number[] = [];
  for (const k of STATED_KS) out.push(relativeError(f.pixels, await reconstruct(f, k)));
  return out;
}

/** The error Eckart–Young predicts from the singular values alone: √(Σ_{i>k} σ_i²) / √(Σ σ_i²). */
export function tailError(S: readonly number[], k: number): number {
  let tail = 0;
  let all = 0;
  S.forEach((s, i) => {
    all += s * s;
    if (i >= k) tail += s * s;
  });
  return Math.sqrt(tail / all);
}
