// Information theory (week 4): entropy, cross-entropy and KL divergence, on probability vectors (exact, float64)
// and on tensors row-wise over the last dim (engine ops, on the tensor's device).
//   H(p)    = −Σ_i p_i log p_i
//   H(p, q) = −Σ_i p_i log q_i           = H(p) + KL(p ‖ q)
//   KL(p‖q) =  Σ_i p_i (log p_i − log q_i)
// Conventions: 0·log 0 = 0 (a term with p_i = 0 is 0 whatever q_i is), and H(p, q) = KL(p ‖ q) = ∞ where
// q_i = 0 < p_i. log is taken to `base` (2 gives bits, Math.E nats): log_b x = ln x / ln b.
import { Tensor } from '../tensor';
import { where } from '../ops/elementwise';
import { fmt, ShapeError } from '../shape';

export type Distribution = readonly number[] | Float32Array | Float64Array;

function lnBase(base: number, what: string): number {
  if (!(base > 0) || base === 1 || !Number.isFinite(base)) throw new RangeError(`${what}: base must be > 0 and ≠ 1, got ${base}`);
  return Math.log(base);
}

/** Throws unless p is a probability vector: finite entries ≥ 0 summing to 1 within 1e-6. */
export function checkDistribution(p: Distribution, what: string, name = 'p'): void {
  if (p.length === 0) throw new RangeError(`${what}: ${name} is empty`);
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const v = p[i];
    if (!Number.isFinite(v)) throw new RangeError(`${what}: ${name}[${i}] is ${v}; probabilities must be finite`);
    if (v < 0) throw new RangeError(`${what}: ${name}[${i}] is ${v}; probabilities must be ≥ 0`);
    sum += v;
  }
  if (Math.abs(sum - 1) > 1e-6) throw new RangeError(`${what}: ${name} sums to ${sum}, not 1 (tolerance 1e-6)`);
}

function checkPair(p: Distribution, q: Distribution, what: string): void {
  checkDistribution(p, what, 'p');
  checkDistribution(q, what, 'q');
  if (p.length !== q.length) throw new RangeError(`${what}: p has ${p.length} entries but q has ${q.length}`);
}

function checkTensors(what: string, ...ts: Tensor[]): void {
  for (const t of ts) {
    if (t.dtype !== 'float32') throw new TypeError(`${what}: needs float32 tensors, got ${t.dtype}`);
    if (t.ndim < 1) throw new ShapeError(`${what}: needs tensors with a last (probability) dim, got ${fmt(t.shape)}`);
  }
  if (ts.length === 2 && (ts[0].ndim !== ts[1].ndim || ts[0].shape.some((d, i) => d !== ts[1].shape[i]))) {
    throw new ShapeError(`${what}: p ${fmt(ts[0].shape)} and q ${fmt(ts[1].shape)} must have the same shape`);
  }
}

/**
 * H(p). For a tensor (…, C) it returns (…): one entropy per row over the last dim, computed on the tensor's
 * device with no validation (rows are assumed to be distributions).
 */
export function entropy(p: Distribution, base?: number): number;
export function entropy(p: Tensor, base?: number): Tensor;
export function entropy(p: Distribution | Tensor, base = 2): number | Tensor {
  const ln = lnBase(base, 'entropy');
  if (p instanceof Tensor) {
    checkTensors('entropy', p);
    // p log p, with 0 where p = 0 (where() selects, so log 0 = −∞ or the GPU's finite stand-in never leaks).
    const plogp = where(p.gt(0), p.mul(p.log()), 0);
    return plogp.sum(-1).mul(-1 / ln);
  }
  checkDistribution(p, 'entropy');
  let h = 0;
  for (let i = 0; i < p.length; i++) if (p[i] > 0) h -= p[i] * Math.log(p[i]);
  return h / ln;
}

/** H(p, q); for tensors (…, C) → (…), row-wise on their device (no validation). */
export function crossEntropyOf(p: Distribution, q: Distribution, base?: number): number;
export function crossEntropyOf(p: Tensor, q: Tensor, base?: number): Tensor;
export function crossEntropyOf(p: Distribution | Tensor, q: Distribution | Tensor, base = 2): number | Tensor {
  const ln = lnBase(base, 'crossEntropyOf');
  if (p instanceof Tensor || q instanceof Tensor) {
    if (!(p instanceof Tensor && q instanceof Tensor)) throw new TypeError('crossEntropyOf: p and q must both be tensors or both arrays');
    checkTensors('crossEntropyOf', p, q);
    // −p log q: 0 where p = 0, +∞ where q = 0 < p.
    const term = where(p.gt(0), where(q.gt(0), p.mul(q.log()).neg(), Infinity), 0);
    return term.sum(-1).mul(1 / ln);
  }
  checkPair(p, q, 'crossEntropyOf');
  let h = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === 0) continue;
    if (q[i] === 0) return Infinity;
    h -= p[i] * Math.log(q[i]);
  }
  return h / ln;
}

/** KL(p ‖ q) ≥ 0, zero iff p = q; for tensors (…, C) → (…), row-wise on their device (no validation). */
export function klDivergence(p: Distribution, q: Distribution, base?: number): number;
export function klDivergence(p: Tensor, q: Tensor, base?: number): Tensor;
export function klDivergence(p: Distribution | Tensor, q: Distribution | Tensor, base = 2): number | Tensor {
  const ln = lnBase(base, 'klDivergence');
  if (p instanceof Tensor || q instanceof Tensor) {
    if (!(p instanceof Tensor && q instanceof Tensor)) throw new TypeError('klDivergence: p and q must both be tensors or both arrays');
    checkTensors('klDivergence', p, q);
    // p (log p − log q): 0 where p = 0, +∞ where q = 0 < p.
    const term = where(p.gt(0), where(q.gt(0), p.mul(p.log().sub(q.log())), Infinity), 0);
    return term.sum(-1).mul(1 / ln);
  }
  checkPair(p, q, 'klDivergence');
  let kl = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === 0) continue;
    if (q[i] === 0) return Infinity;
    kl += p[i] * (Math.log(p[i]) - Math.log(q[i]));
  }
  // Rounding can leave −1e-17 for p = q; KL is never negative.
  return Math.max(0, kl / ln);
}
