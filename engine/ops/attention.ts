// The one scaled dot-product attention entry point, PyTorch's F.scaled_dot_product_attention in spirit:
//
//   out = softmax(scale·Q Kᵀ + bias) V        q (B, H, Tq, d), k and v (B, H, Tk, d) → (B, H, Tq, d)
//
// where the bias holds an additive float mask, −slope_h·|i − j| for ALiBi, and −∞ wherever a score does not take
// part (causal j > i, outside the window, outside the sparse pattern of local window, block layout and global
// tokens (sparse-layout.ts), a boolean mask's 0, a float mask's −∞). A row where
// nothing takes part gives zeros, and no gradient, instead of the NaN that softmax of all −∞ would give.
//
// Two implementations with one meaning, chosen by `impl`:
//   - 'fused': backend.attentionForward / attentionBackward (FlashAttention-style on WebGPU, plain loops on the
//     CPU). No Tq×Tk matrix; the backward recomputes the probabilities from the saved logsumexp.
//   - 'composed': matmul → softmax → matmul with the engine's own kernels and autograd, the bias built by
//     attention-mask.ts. The "unfused" baseline of bench/attention.ts.
//   - 'auto' (the default): fused where the backend's kernels serve the shapes, else composed (logged with
//     setDebug(true)).
// Gradients, the same on both: q, k and v get theirs; boolean masks and ALiBi slopes are constants (no gradient);
// a float mask that requires grad gets dL/dmask = dS = P ⊙ (dP − D) summed over its broadcast dims, so a
// learned additive bias (T5's relative positions) trains on either path.
import { Tensor, tensor } from '../tensor';
import type { AttentionParams, HeadLayout } from '../backend/backend';
import { broadcastShapes, broadcastStrides, fmt, sameShape, ShapeError } from '../shape';
import { alibiDistances, structuralAllowed } from './attention-mask';
import { checkSparse, type BlockLayout } from './sparse-layout';
import { noGrad } from '../autograd';
import { fused } from './fused';
import { tidy } from '../memory';
import { requireFloat, sameDevice } from './elementwise';
import { contiguousData, sumToShape } from './layout';
import { debugLog } from '../debug';

export interface AttentionOptions {
  /** Query i attends keys j ≤ i (the top-left-aligned mask, as PyTorch's is_causal). */
  causal?: boolean;
  /** Broadcastable to (B, H, Tq, Tk). float32: added to the scores (−∞ excludes); int32 0/1: 1 = take part. */
  mask?: Tensor;
  /** Multiplies q·k; defaults to 1/√d. */
  scale?: number;
  /** (H): adds −slope·(i − j) to the scores under a causal mask and −slope·|i − j| otherwise. */
  alibiSlopes?: Tensor;
  /** Query i attends only keys i − window < j ≤ i; combine it with causal. */
  window?: number;
  /**
   * Query i attends only keys |i − j| < localWindow (Longformer's two-sided local attention; queries and keys
   * aligned at 0 as causal's are, so with Tq > Tk + localWindow − 1 the last rows see nothing and give zeros).
   * With causal it is the one-sided window i − localWindow < j ≤ i; with window, the narrower of the two.
   */
  localWindow?: number;
  /**
   * Positions (Longformer's global tokens) that attend to every key and that every query attends, wherever the
   * local window or the block layout would leave them out; causal and window still apply. Integers in
   * [0, max(Tq, Tk)). They widen a sparse pattern, so without localWindow or blockLayout they change nothing.
   */
  globalTokens?: readonly number[];
  /**
   * A block-sparse layout (stridedBlockLayout builds Child et al.'s local + strided one): query i attends key j
   * only where allowed[⌊i/s⌋·cols + ⌊j/s⌋] is 1, intersected with localWindow when both are given. The fused
   * kernels skip every tile the layout (and the other constraints) leave empty; they need blockSize % 4 = 0.
   */
  blockLayout?: BlockLayout;
  /** Which implementation runs (see the header); 'fused' throws, saying why, where the backend cannot serve it. */
  impl?: 'auto' | 'fused' | 'composed';
}

/**
 * AttentionOptions plus the probe: `returnWeights: true` also returns the attention weights (B, H, Tq, Tk),
 * recomputed for visualisation. Kept apart so that a call with plain AttentionOptions is typed as returning a
 * Tensor.
 */
export interface AttentionProbeOptions extends AttentionOptions {
  returnWeights?: boolean;
}

export interface AttentionWithWeights {
  output: Tensor; // (B, H, Tq, d)
  /** (B, H, Tq, Tk), detached: softmax of the same scores; zero rows where nothing takes part. */
  weights: Tensor;
}

const OP = 'scaledDotProductAttention';

/** Checks shapes and options and describes the call as the backend contract's AttentionParams (d is q's and k's head dim). */
function describe(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions): AttentionParams {
  for (const t of [q, k, v]) requireFloat(OP, t);
  sameDevice(OP, q, k, v);
  if (q.ndim !== 4 || k.ndim !== 4 || v.ndim !== 4) {
    throw new ShapeError(`${OP}: q, k and v must be (B, H, T, d), got ${fmt(q.shape)}, ${fmt(k.shape)}, ${fmt(v.shape)}`);
  }
  const [B, H, Tq, d] = q.shape;
  const Tk = k.shape[2];
  if (!sameShape(k.shape, [B, H, Tk, d]) || !sameShape(v.shape.slice(0, 3), [B, H, Tk])) {
    throw new ShapeError(
      `${OP}: k must be (B, H, Tk, d) = (${B}, ${H}, Tk, ${d}) and v (B, H, Tk, dv), matching q ${fmt(q.shape)}; got k ${fmt(k.shape)} and v ${fmt(v.shape)}`,
    );
  }
  const scale = opts.scale ?? 1 / Math.sqrt(d);
  if (!Number.isFinite(scale)) throw new RangeError(`${OP}: scale must be a finite number, got ${opts.scale}`);
  const window = opts.window ?? 0;
  if (opts.window !== undefined && (!Number.isInteger(window) || window < 1)) {
    throw new RangeError(`${OP}: window must be a positive integer, got ${opts.window}`);
  }
  const local = opts.localWindow ?? 0;
  if (opts.localWindow !== undefined && (!Number.isInteger(local) || local < 1)) {
    throw new RangeError(`${OP}: localWindow must be a positive integer (keys with |i − j| < localWindow take part), got ${opts.localWindow}`);
  }
  let maskKind: AttentionParams['mask'] = 'none';
  let maskStrides: [number, number, number, number] = [0, 0, 0, 0];
  const full = [B, H, Tq, Tk];
  if (opts.mask) {
    const m = opts.mask;
    sameDevice(OP, q, m);
    let fits = m.ndim <= 4;
    try {
      fits &&= sameShape(broadcastShapes(OP, m.shape, full), full);
    } catch {
      fits = false;
    }
    if (!fits) {
      throw new ShapeError(`${OP}: mask of shape ${fmt(m.shape)} does not broadcast to (B, H, Tq, Tk) = ${fmt(full)}`);
    }
    maskKind = m.dtype === 'int32' ? 'bool' : 'float';
    const [sb, sh, si, sj] = broadcastStrides(m.shape, full);
    maskStrides = [sb, sh, si, sj];
  }
  if (opts.alibiSlopes) {
    const s = opts.alibiSlopes;
    requireFloat(OP, s);
    sameDevice(OP, q, s);
    if (!sameShape(s.shape, [H])) throw new ShapeError(`${OP}: alibiSlopes must have shape [${H}] (one per head), got ${fmt(s.shape)}`);
  }
  const { globals, blocks } = checkSparse(OP, Tq, Tk, opts.globalTokens, opts.blockLayout);
  return { B, H, Tq, Tk, d, scale, causal: !!opts.causal, window, local, globals, blocks, mask: maskKind, maskStrides, alibi: !!opts.alibiSlopes };
}

/**
 * Attention over q (B, H, Tq, d), k (B, H, Tk, d) and v (B, H, Tk, dv), giving (B, H, Tq, dv); dv = d on the fused path. Runs the fused kernels where the
 * backend has them, else the composed path. With `returnWeights: true` returns `{ output, weights }`.
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions & { returnWeights: true }): AttentionWithWeights;
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, opts?: AttentionOptions & { returnWeights?: false }): Tensor;
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, opts?: AttentionProbeOptions): Tensor | AttentionWithWeights;
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, opts: AttentionProbeOptions = {}): Tensor | AttentionWithWeights {
  const p = describe(q, k, v, opts);
  const impl = opts.impl ?? 'auto';
  if (impl !== 'auto' && impl !== 'fused' && impl !== 'composed') {
    throw new RangeError(`${OP}: impl must be 'auto', 'fused' or 'composed', got ${JSON.stringify(impl)}`);
  }
  // v may have its own head dim dv (the output is then (B, H, Tq, dv)); the fused kernels take dv = d only.
  const dv = v.shape[3];
  const why = impl === 'composed' ? null : dv !== p.d ? `v's head dim ${dv} differs from q's ${p.d}` : q.backend.attentionUnsupported(p);
  if (impl === 'fused' && why !== null) {
    throw new Error(`${OP}: impl 'fused' cannot serve q ${fmt(q.shape)}, k ${fmt(k.shape)}, v ${fmt(v.shape)} on ${q.device}: ${why}`);
  }
  let output: Tensor;
  if (impl === 'composed') {
    output = composed(q, k, v, opts, p);
  } else if (why === null) {
    output = fusedPath(q, k, v, opts, p);
  } else {
    debugLog(`${OP}: the fused kernels cannot serve q ${fmt(q.shape)}, k ${fmt(k.shape)} on ${q.device} (${why}); using the composed path (matmul → softmax → matmul)`);
    output = composed(q, k, v, opts, p);
  }
  if (!opts.returnWeights) return output;
  // The probe: the fused kernels never hold the weights, so they are recomputed here (a Tq×Tk tensor, by
  // request only) from the same scores. test/attention.test.ts checks weights @ v against the fused output.
  const weights = noGrad(() => probabilities(q, k, opts, p));
  return { output, weights };
}

// ---- fused ----

/**
 * How the fused kernels read a (B, H, T, d) tensor in place, or null when they cannot: its d elements must be
 * contiguous and every row start a multiple of the backend's attentionAlign (4 on WebGPU, which loads vec4s).
 * Head-split views of a (B, T, 3, H, d) projection qualify, so multi-head attention runs without copying q, k, v.
 */
function headLayout(t: Tensor): HeadLayout | null {
  const [sb, sh, st, sd] = t.strides.map((s, i) => (t.shape[i] === 1 ? 0 : s)); // a size-1 dim's stride is unused
  if (sd !== 0 && sd !== 1) return null;
  const l = { offset: t.offset, sb, sh, st };
  const align = t.backend.attentionAlign;
  return [l.offset, sb, sh, st].every((x) => x % align === 0) ? l : null;
}

/**
 * A contiguous layout for a new (B, H, T, d) tensor whose (b, h, t) dims are ordered like `like`'s: the fused
 * kernels write out, dq, dk and dv this way, so that an output whose inputs were head-split views of (B, T, …)
 * comes back in (B, T, H, d) order, where merging the heads is a free reshape.
 */
function denseLike(like: Tensor, shape: readonly number[]): { layout: HeadLayout; strides: number[] } {
  const order = [0, 1, 2].sort((a, b) => like.strides[b] - like.strides[a] || a - b); // outermost first
  const strides = [0, 0, 0, 1];
  let acc = shape[3];
  for (let i = 2; i >= 0; i--) {
    strides[order[i]] = acc;
    acc *= shape[order[i]];
  }
  return { layout: { offset: 0, sb: strides[0], sh: strides[1], st: strides[2] }, strides };
}

function fusedPath(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions, p: AttentionParams): Tensor {
  // A float mask that requires grad is an input of the op; boolean masks and slopes never are.
  const biasInput = opts.mask && opts.mask.dtype === 'float32' && opts.mask.requiresGrad ? opts.mask : null;
  const [dqL, dkL, dvL] = [denseLike(q, q.shape), denseLike(k, k.shape), denseLike(v, v.shape)];
  const maskShape = opts.mask?.shape;
  let pl = p;
  return fused(OP, [q, k, v, ...(biasInput ? [biasInput] : [])], () => {
    // q, k and v are read in place where their layout allows, else copied; the mask's strides (p.maskStrides)
    // assume it contiguous.
    const [qc, kc, vc] = [q, k, v].map((t) => (headLayout(t) ? t : contiguousData(t)));
    const mask = opts.mask ? contiguousData(opts.mask) : null;
    const slopes = opts.alibiSlopes ? contiguousData(opts.alibiSlopes) : null;
    const outShape = [p.B, p.H, p.Tq, p.d];
    const o = denseLike(q, outShape);
    pl = { ...p, layouts: { q: headLayout(qc)!, k: headLayout(kc)!, v: headLayout(vc)!, out: o.layout } };
    const r = q.backend.attentionForward(qc.storage, kc.storage, vc.storage, mask?.storage ?? null, slopes?.storage ?? null, pl);
    const out = Tensor.fromStorage(r.out, outShape, q.device, o.strides); // (B, H, Tq, d)
    const lse = Tensor.fromStorage(r.lse, [p.B, p.H, p.Tq], q.device); // (B, H, Tq)
    const copies = [[qc, q], [kc, k], [vc, v], [mask, opts.mask], [slopes, opts.alibiSlopes]].filter(([c, t]) => c && c !== t).map(([c]) => c!);
    return { out, saves: [qc, kc, vc, out, lse, mask, slopes], temps: [lse, ...copies] };
  }, (g, [sq, sk, sv, so, sl, sm, ss]) => {
    // The backward recomputes P = exp(S − L) from q, k and the logsumexp L instead of keeping a Tq×Tk matrix:
    //   D_i = dO_i·O_i;  dS = P ⊙ (dO Vᵀ − D);  dQ = scale·dS K;  dK = scale·dSᵀ Q;  dV = Pᵀ dO
    // Each gradient comes back laid out like its input (dense in the input's dim order).
    const gc = headLayout(g) ? g : g.contiguous();
    const grads = g.backend.attentionBackward(
      sq!.storage, sk!.storage, sv!.storage, so!.storage, sl!.storage, gc.storage, sm?.storage ?? null, ss?.storage ?? null, pl,
      { dOut: headLayout(gc)!, dq: dqL.layout, dk: dkL.layout, dv: dvL.layout },
    );
    const dqkv = [
      Tensor.fromStorage(grads.dq, sq!.shape, g.device, dqL.strides),
      Tensor.fromStorage(grads.dk, sk!.shape, g.device, dkL.strides),
      Tensor.fromStorage(grads.dv, sv!.shape, g.device, dvL.strides),
    ];
    if (!biasInput) return dqkv;
    // The bias gradient is dS itself, a Tq×Tk matrix the fused kernels never form: composed here from the same
    // recomputed probabilities, only when a float mask asks for it.
    const dBias = noGrad(() => {
      const P = probabilities(sq!, sk!, { ...opts, mask: sm!, alibiSlopes: ss ?? undefined }, p); // (B, H, Tq, Tk)
      const dP = g.matmul(sv!.transpose(-1, -2)); // (B, H, Tq, d) @ (B, H, d, Tk)
      const D = g.mul(so!).sum(-1, true); // (B, H, Tq, 1)
      return sumToShape(P.mul(dP.sub(D)), maskShape!);
    });
    return [...dqkv, dBias];
  });
}

// ---- composed ----

/** Large enough that exp(s − 1e30 − max) is 0 for any real score, small enough that sums of two stay finite. */
const EXCLUDED = -1e30;

/**
 * softmax(scale·Q Kᵀ + bias) with empty rows zeroed: (B, H, Tq, Tk). Differentiable in q, k and a float mask that
 * requires grad; boolean masks and ALiBi slopes enter as constants.
 */
function probabilities(q: Tensor, k: Tensor, opts: AttentionOptions, p: AttentionParams): Tensor {
  return tidy(() => {
    const dev = { device: q.device };
    const pos = { Tq: p.Tq, Tk: p.Tk };
    // Scaling q (B·H·Tq·d elements) is cheaper than scaling the scores (B·H·Tq·Tk).
    let s = q.mul(p.scale).matmul(k.transpose(-1, -2)); // (B, H, Tq, d) @ (B, H, d, Tk) → (B, H, Tq, Tk)
    const structural = structuralAllowed(pos, p.causal, p.window, { local: p.local ?? 0, globals: p.globals ?? null, blocks: p.blocks ?? null });
    let allowed: Tensor | null = null; // 1/0 where scores take part, for finding empty rows
    let mayBeEmpty = false; // some row may have nothing that takes part
    if (structural) {
      allowed = tensor(structural.allowed, [p.Tq, p.Tk], dev); // (Tq, Tk)
      s = s.add(allowed.sub(1).mul(-EXCLUDED)); // 0 → EXCLUDED, 1 → 0
      mayBeEmpty = structural.someRowEmpty;
    }
    if (opts.alibiSlopes) {
      // −slope_h·|i − j|: (H, 1, 1) ⊙ (Tq, Tk) → (H, Tq, Tk), broadcast over B
      s = s.sub(opts.alibiSlopes.detach().reshape([p.H, 1, 1]).mul(tensor(alibiDistances(pos), [p.Tq, p.Tk], dev)));
    }
    if (opts.mask) {
      const m = opts.mask;
      // bool: 0 → EXCLUDED; float: added (its gradient flows when it requires one), with −∞ clamped to EXCLUDED
      // so that an all-excluded row is not NaN.
      s = s.add(m.dtype === 'int32' ? m.eq(0).mul(EXCLUDED) : m.maximum(EXCLUDED));
      const mAllowed = m.dtype === 'int32' ? m.ne(0) : m.detach().ne(-Infinity);
      allowed = allowed ? allowed.mul(mAllowed) : mAllowed; // a row is empty by the mask and the structural masks together
      mayBeEmpty = true;
    }
    let w = s.softmax(-1);
    if (allowed && mayBeEmpty) w = w.mul(allowed.max(-1, true)); // (…, Tq, 1): 0 on rows where nothing takes part
    return w;
  });
}

function composed(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions, p: AttentionParams): Tensor {
  return tidy(() => probabilities(q, k, opts, p).matmul(v)); // (B, H, Tq, Tk) @ (B, H, Tk, d) → (B, H, Tq, d)
}
