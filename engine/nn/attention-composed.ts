// Scaled dot-product attention composed from the engine's primitives: matmul → scale → masks → softmax → matmul.
// It has the signature of the fused kernel (issue 5, `functional.scaledDotProductAttention` from ops/attention.ts),
// so the modules call it through nn/sdpa.ts and switch to the fused kernel by changing one import there.
//
//   scores = (q·scale) @ kᵀ + bias                      // (B, H, Tq, Tk)
//   weights = softmax(scores, -1), zeroed on rows that may attend to no key
//   output = weights @ v                                  // (B, H, Tq, d)
//
// Masks are folded into the scores as a large negative number (−1e9) rather than −∞: softmax subtracts the row max
// first, so exp(−1e9 − max) is exactly 0 for a row with any allowed key, and SwiftShader's maths never sees an
// ∞ − ∞. A row with no allowed key would become uniform instead of NaN; it is multiplied by 0 (its "any" flag),
// so fully masked rows give zeros, both in the output and in the gradient.
import { Tensor, tensor } from '../tensor';
import { where } from '../ops/elementwise';
import { tidy } from '../memory';
import { fmt, ShapeError } from '../shape';

export interface AttentionOptions {
  /**
   * Query i attends keys j ≤ i. Query and key indices both start at 0 (top-left alignment, as PyTorch's
   * is_causal and the fused kernel): with a KV cache the caller passes an explicit mask instead.
   */
  causal?: boolean;
  /**
   * Broadcastable to (B, H, Tq, Tk). int32: a boolean mask, 1 = take part (PyTorch's attn_mask). float32: added to
   * the scores; entries ≤ −1e9 (−∞ included) count as masked when deciding that a row is fully masked.
   */
  mask?: Tensor;
  /** Multiplies q·k; defaults to 1/√d. */
  scale?: number;
  /** (H): adds −slope_h·(i − j) to the scores when causal, −slope_h·|i − j| otherwise. */
  alibiSlopes?: Tensor;
  /** Query i attends only keys with i − window < j ≤ i (a causal sliding window). */
  window?: number;
  /** Also return the (B, H, Tq, Tk) attention weights, for visualisation. */
  returnWeights?: boolean;
}

export interface AttentionWithWeights {
  output: Tensor;
  weights: Tensor;
}

/** Scores at or below this count as masked; also the value masked scores are set to. */
export const MASKED = -1e9;

/**
 * The (Tq, Tk) structural constraints (causal, window) as a 0/1 host array, or null when every pair is allowed.
 */
function structuralAllow(tq: number, tk: number, causal: boolean, window: number | undefined): Float32Array | null {
  if (!causal && window === undefined) return null;
  const allow = new Float32Array(tq * tk);
  for (let i = 0; i < tq; i++) {
    for (let j = 0; j < tk; j++) {
      let ok = true;
      if (causal && j > i) ok = false;
      if (window !== undefined && !(i - window < j && j <= i)) ok = false;
      allow[i * tk + j] = ok ? 1 : 0;
    }
  }
  return allow;
}

function hasEmptyRow(allow: Float32Array, tq: number, tk: number): boolean {
  for (let i = 0; i < tq; i++) {
    let any = false;
    for (let j = 0; j < tk && !any; j++) any = allow[i * tk + j] !== 0;
    if (!any) return true;
  }
  return false;
}

/** ALiBi distances (Tq, Tk): i − j for causal attention (only j ≤ i is ever used), |i − j| otherwise. */
function alibiDistances(tq: number, tk: number, causal: boolean): Float32Array {
  const dist = new Float32Array(tq * tk);
  for (let i = 0; i < tq; i++) {
    for (let j = 0; j < tk; j++) dist[i * tk + j] = causal ? Math.max(i - j, 0) : Math.abs(i - j);
  }
  return dist;
}

export function scaledDotProductAttention(
  q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions & { returnWeights: true },
): AttentionWithWeights;
export function scaledDotProductAttention(
  q: Tensor, k: Tensor, v: Tensor, opts?: AttentionOptions & { returnWeights?: false },
): Tensor;
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, opts?: AttentionOptions): Tensor | AttentionWithWeights;
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions = {}): Tensor | AttentionWithWeights {
  if (q.ndim < 2 || k.ndim !== q.ndim || v.ndim !== q.ndim) {
    throw new ShapeError(`scaledDotProductAttention: q, k, v must share a rank ≥ 2, got ${fmt(q.shape)}, ${fmt(k.shape)}, ${fmt(v.shape)}`);
  }
  const r = q.ndim;
  const [tq, d] = q.shape.slice(-2);
  const [tk, dk] = k.shape.slice(-2);
  if (dk !== d || v.shape[r - 2] !== tk || q.shape.slice(0, -2).some((s, i) => s !== k.shape[i] || s !== v.shape[i])) {
    throw new ShapeError(
      `scaledDotProductAttention: expected q (…, Tq, d), k (…, Tk, d), v (…, Tk, dv) with equal leading dims, got ` +
        `${fmt(q.shape)}, ${fmt(k.shape)}, ${fmt(v.shape)}`,
    );
  }
  const causal = opts.causal ?? false;
  if (opts.window !== undefined && !(Number.isInteger(opts.window) && opts.window >= 1)) {
    throw new RangeError(`scaledDotProductAttention: window must be an integer ≥ 1, got ${opts.window}`);
  }
  const scale = opts.scale ?? 1 / Math.sqrt(d);
  const device = q.device;

  return tidy(() => {
    const kt = k.transpose(-1, -2); // (…, d, Tk)
    let scores = q.mul(scale).matmul(kt); // (…, Tq, Tk)

    // rowAllowed: (…, Tq, Tk) 1/0, built only when some row could end up with no allowed key.
    let allowed: Tensor | null = null;
    const structural = structuralAllow(tq, tk, causal, opts.window);
    if (structural) {
      const bias = new Float32Array(structural.length);
      for (let i = 0; i < bias.length; i++) bias[i] = structural[i] ? 0 : MASKED;
      scores = scores.add(tensor(bias, [tq, tk], { device })); // (Tq, Tk) broadcasts over (…)
      // Causal alone never empties a row (key 0 is always allowed); a window can, when Tq > Tk.
      if (hasEmptyRow(structural, tq, tk)) allowed = tensor(structural, [tq, tk], { device });
    }
    if (opts.alibiSlopes) {
      const slopes = opts.alibiSlopes;
      if (r < 3 || slopes.ndim !== 1 || slopes.shape[0] !== q.shape[r - 3]) {
        throw new ShapeError(`scaledDotProductAttention: alibiSlopes ${fmt(slopes.shape)} must be (H) for q ${fmt(q.shape)}`);
      }
      const dist = tensor(alibiDistances(tq, tk, causal), [tq, tk], { device });
      scores = scores.sub(slopes.reshape([slopes.shape[0], 1, 1]).mul(dist)); // (H, Tq, Tk): −slope·distance
    }
    if (opts.mask) {
      const m = opts.mask;
      if (m.dtype === 'int32') {
        scores = where(m, scores, MASKED); // 1 = take part
        const mf = m.float();
        allowed = allowed ? allowed.mul(mf) : structural ? mf.mul(tensor(structural, [tq, tk], { device })) : mf;
      } else {
        // −∞ (or anything below −1e9) is clamped to −1e9, so a fully masked row never computes ∞ − ∞.
        scores = scores.add(m.maximum(MASKED));
        const mf = m.gt(MASKED);
        allowed = allowed ? allowed.mul(mf) : structural ? mf.mul(tensor(structural, [tq, tk], { device })) : mf;
      }
    }
    let weights = scores.softmax(-1); // (…, Tq, Tk)
    if (allowed) {
      // 1 where the row has at least one allowed key, else 0: fully masked rows become zeros.
      const rowAny = allowed.max(-1, true); // (…, Tq, 1)
      weights = weights.mul(rowAny);
    }
    const output = weights.matmul(v); // (…, Tq, dv)
    return opts.returnWeights ? { output, weights } : output;
  });
}
