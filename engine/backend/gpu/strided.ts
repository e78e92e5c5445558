// The layout uniforms of the strided elementwise kernels (shaders/strided.wgsl): up to three operands, each read
// or written through its own strides and offset over one shape. Dims that every operand walks contiguously are
// merged first and size-1 dims dropped, so that a contiguous op runs at rank 1, with no index division at all.
import { coalesceDims, fmt } from '../../shape';

export const MAX_RANK = 8;

export interface StridedUniforms {
  /** Elements in the shape. */
  n: number;
  offsets: number[]; // 4: operands 0-2, then 0
  dims: number[]; // 8 × (extent, stride 0, stride 1, stride 2), innermost dim first
  /** The template variable of shaders/strided.wgsl: the coalesced rank − 1. */
  inner: number;
}

/** Uniforms for operands (at most three) read through `strides[k]` from `offsets[k]` over `shape`. */
export function stridedUniforms(shape: readonly number[], strides: ReadonlyArray<readonly number[]>, offsets: readonly number[]): StridedUniforms {
  if (strides.length > 3) throw new Error('internal: the strided kernels take at most three operands');
  const c = coalesceDims(shape, strides);
  const rank = c.shape.length;
  if (rank > MAX_RANK) throw new Error(`tensors whose layout needs more than ${MAX_RANK} dims are not supported (shape ${fmt(shape)})`);
  const dims = new Array<number>(4 * MAX_RANK).fill(0);
  for (let e = 0; e < MAX_RANK; e++) {
    const d = rank - 1 - e; // innermost first
    dims[4 * e] = d >= 0 ? c.shape[d] : 1;
    if (d >= 0) c.strides.forEach((s, k) => (dims[4 * e + 1 + k] = s[d]));
  }
  const n = shape.reduce((a, b) => a * b, 1);
  return { n, offsets: [offsets[0] ?? 0, offsets[1] ?? 0, offsets[2] ?? 0, 0], dims, inner: rank - 1 };
}
