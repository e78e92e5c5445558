// The one builder of what attention adds to its scores, shared by the composed path of
// scaledDotProductAttention (ops/attention.ts) and by MultiHeadAttention (nn/attention.ts):
//   - structural masks: causal (j ≤ i), a sliding window (i − window < j ≤ i) and the sparse pattern (a two-sided
//     local window |i − j| < local, a block layout, global tokens; sparse-layout.ts), with query i sitting at
//     position offset + i when `offset` keys are cached before it;
//   - ALiBi distances |(offset + i) − j|, which the slopes scale;
//   - merging padding masks, boolean masks and additive float masks into the one `mask` the entry point takes.
// Its semantics are the entry point's: a score takes part unless a boolean mask says 0 or a float mask says −∞.
import { Tensor, tensor } from '../tensor';
import { where } from './elementwise';
import { fmt, ShapeError } from '../shape';
import { checkSparse, globalFlags, patternAllows, type BlockLayout, type SparsePattern } from './sparse-layout';

/** scaledDotProductAttention's sparse options, as a multi-head attention passes them on. */
export interface SparseAttention {
  /** Query i attends keys |i − j| < localWindow (Longformer's local attention). */
  localWindow?: number;
  /** Positions that attend to, and are attended by, every position. */
  globalTokens?: readonly number[];
  /** A block-sparse layout (functional.stridedBlockLayout). */
  blockLayout?: BlockLayout;
}

/** Query positions start at `offset` (keys cached before them); keys at 0. */
export interface Positions {
  Tq: number;
  Tk: number;
  offset?: number;
}

/**
 * 1 where query i may see key j under causal, a window and the sparse pattern (a local window, a block layout,
 * global tokens: sparse-layout.ts), all that are set, 0 elsewhere, as a host (Tq, Tk) array, and whether some row
 * sees nothing; null when no constraint is set. A bare number for `sparse` is the local window alone.
 */
export function structuralAllowed(
  pos: Positions, causal: boolean, window: number, sparse: number | Partial<SparsePattern> = 0,
): { allowed: Float32Array; someRowEmpty: boolean } | null {
  const sp: SparsePattern = typeof sparse === 'number'
    ? { local: sparse, globals: null, blocks: null }
    : { local: sparse.local ?? 0, globals: sparse.globals ?? null, blocks: sparse.blocks ?? null };
  const patterned = sp.local > 0 || sp.blocks !== null; // global tokens only widen a pattern
  if (!causal && window === 0 && !patterned) return null;
  const { Tq, Tk } = pos;
  const offset = pos.offset ?? 0;
  const flags = globalFlags(sp.globals, Math.max(offset + Tq, Tk));
  const allowed = new Float32Array(Tq * Tk);
  let someRowEmpty = false;
  for (let i = 0; i < Tq; i++) {
    const at = offset + i;
    let any = false;
    for (let j = 0; j < Tk; j++) {
      const ok = (!causal || j <= at) && (window === 0 || (j > at - window && j <= at)) && (!patterned || patternAllows(sp, flags, at, j));
      allowed[i * Tk + j] = ok ? 1 : 0;
      any ||= ok;
    }
    someRowEmpty ||= !any;
  }
  return { allowed, someRowEmpty };
}

/** |(offset + i) − j| as a host (Tq, Tk) array: ALiBi adds −slope_h times this to score (i, j). */
export function alibiDistances(pos: Positions): Float32Array {
  const { Tq, Tk } = pos;
  const offset = pos.offset ?? 0;
  const dist = new Float32Array(Tq * Tk);
  for (let i = 0; i < Tq; i++) for (let j = 0; j < Tk; j++) dist[i * Tk + j] = Math.abs(offset + i - j);
  return dist;
}

export interface MaskParts {
  B: number;
  H: number;
  Tq: number;
  Tk: number;
  /** Keys already cached before these queries (a KV cache): query i sits at position offset + i. */
  offset: number;
  causal: boolean;
  /** (B, Tk) int32, 1 = padding (PyTorch's key_padding_mask, True = ignore). */
  keyPaddingMask?: Tensor;
  /** Broadcastable to (B, H, Tq, Tk): int32 with 1 = take part, or float32 added to the scores (−∞ excludes). */
  attnMask?: Tensor;
  /** ALiBi slopes (H) on the host, or null. */
  alibiSlopes: ArrayLike<number> | null;
  /** A float bias broadcastable to (B, H, Tq, Tk) added to the scores, e.g. T5's relative bias (H, Tq, Tk); may require grad. */
  bias?: Tensor;
  /** A sparse pattern over absolute positions (query i at offset + i); its block layout covers offset + Tq queries. */
  sparse?: SparseAttention;
  device: Tensor['device'];
}

/**
 * What a multi-head attention passes to scaledDotProductAttention: the causal flag, ALiBi slopes (H) and one mask
 * combining padding and attnMask. Without cached keys, queries and keys share positions 0…T−1, the entry point's
 * own alignment, so causal and ALiBi pass straight through. With `offset` cached keys the queries sit at
 * offset…offset+Tq−1, so the causal mask and the ALiBi distances are built here as explicit masks.
 * A float attnMask that requires grad keeps its gradient: it is added, never detached.
 */
export function buildAttentionMask(p: MaskParts): { mask?: Tensor; causal: boolean; alibiSlopes?: Tensor } & SparseAttention {
  const { B, H, Tq, Tk, offset, device } = p;
  const bools: Tensor[] = []; // int32, 1 = take part
  const adds: Tensor[] = []; // float32, added to the scores
  // The sparse pattern passes through without a cache (the kernels skip its tiles) and becomes a mask with one.
  let pass: SparseAttention = {};
  if (p.sparse) {
    if (offset === 0) pass = p.sparse; // checked where it lands, by scaledDotProductAttention
    else {
      const { globals, blocks } = checkSparse('attention', offset + Tq, Tk, p.sparse.globalTokens, p.sparse.blockLayout);
      const s = structuralAllowed({ Tq, Tk, offset }, false, 0, { local: p.sparse.localWindow ?? 0, globals, blocks });
      if (s) bools.push(tensor(Int32Array.from(s.allowed), [Tq, Tk], { device })); // (Tq, Tk)
    }
  }
  if (p.causal && offset > 0 && Tq > 1) {
    const s = structuralAllowed({ Tq, Tk, offset }, true, 0)!;
    bools.push(tensor(Int32Array.from(s.allowed), [Tq, Tk], { device })); // (Tq, Tk)
  }
  const pad = p.keyPaddingMask;
  if (pad) {
    if (pad.ndim !== 2 || pad.shape[0] !== B || pad.shape[1] !== Tk) {
      throw new ShapeError(`attention: keyPaddingMask ${fmt(pad.shape)} must be (B, Tk) = [${B}, ${Tk}]`);
    }
    bools.push(pad.eq(0).int().reshape([B, 1, 1, Tk])); // PyTorch's 1 = pad becomes 1 = take part
  }
  if (p.attnMask) (p.attnMask.dtype === 'int32' ? bools : adds).push(p.attnMask);
  if (p.bias) adds.push(p.bias);
  let alibiSlopes: Tensor | undefined;
  if (p.alibiSlopes) {
    if (offset === 0) alibiSlopes = tensor(Float32Array.from(p.alibiSlopes), [H], { device });
    else {
      // −slope_h·|(offset + i) − j|: (H, 1, 1) ⊙ (Tq, Tk) → (H, Tq, Tk)
      const dist = alibiDistances({ Tq, Tk, offset });
      const bias = new Float32Array(H * Tq * Tk);
      for (let h = 0; h < H; h++) for (let n = 0; n < Tq * Tk; n++) bias[h * Tq * Tk + n] = -p.alibiSlopes[h] * dist[n];
      adds.push(tensor(bias, [H, Tq, Tk], { device }));
    }
  }
  // With one query after the cache every cached key is in its past: nothing to mask.
  const causal = p.causal && offset === 0;
  if (!bools.length && !adds.length) return { causal, alibiSlopes, ...pass };
  const allowed = bools.length ? bools.reduce((a, b) => a.mul(b)).int() : null;
  if (!adds.length) return { mask: allowed!, causal, alibiSlopes, ...pass };
  // Mixed: all additive, a boolean 0 becoming −∞ (which excludes the score on both paths).
  let mask = adds.reduce((a, b) => a.add(b));
  if (allowed) mask = mask.add(where(allowed, 0, -Infinity));
  return { mask, causal, alibiSlopes, ...pass };
}
