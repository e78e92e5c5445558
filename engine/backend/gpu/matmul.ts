// Batched matmul: (batch, M, K) @ (batch, K, N) → (batch, M, N), float32, contiguous, with A/B batch strides
// (0 broadcasts one matrix over the batch).
//
// Both kernels are register-blocked: an invocation computes a block of C with vec4 multiply-adds, and K is
// unrolled by 4 by hand (Tint does not unroll). shaders/matmul.wgsl reads A and B as vec4s, computes 32×16
// blocks, and needs K, N and the batch strides to be multiples of 4; shaders/matmul_general.wgsl reads scalars,
// computes 8×16 blocks and takes any shape. Neither uses workgroup memory: on SwiftShader it bought nothing over
// register reuse (variants measured are listed in bench/matmul.ts).
import matmulWgsl from '../../../shaders/matmul.wgsl?raw';
import matmulGeneralWgsl from '../../../shaders/matmul_general.wgsl?raw';
import type { MatmulParams, Storage } from '../backend';
import type { GpuContext, Grid } from './context';
import { allocStorage, gpu, type GpuStorage } from './storage';
import { fill } from './elementwise';

/** Invocations per workgroup along x (column blocks) and y (row blocks), for both kernels. */
const WG_X = 4;
const WG_Y = 4;

interface Variant {
  name: string;
  wgsl: string;
  rows: number; // rows of C per invocation (ROWS in the shader)
  cols: number; // columns of C per invocation
}
const VEC4: Variant = { name: 'matmul', wgsl: matmulWgsl, rows: 32, cols: 16 };
const GENERAL: Variant = { name: 'matmul_general', wgsl: matmulGeneralWgsl, rows: 8, cols: 16 };

/**
 * Below this many rows the vec4 kernel's 32-row block computes mostly discarded rows (clamped duplicates), and
 * the general kernel's 8-row block wins even though its loads are scalar (about half the speed per FLOP).
 */
const MIN_ROWS_VEC4 = 16;

/** True when the vec4 kernel applies: every row of A and B, and every batch slice, starts on a vec4. */
export function matmulVec4Ok(p: MatmulParams): boolean {
  return p.K % 4 === 0 && p.N % 4 === 0 && p.aBatchStride % 4 === 0 && p.bBatchStride % 4 === 0;
}

export function matmul(ctx: GpuContext, as: Storage, bs: Storage, p: MatmulParams): GpuStorage {
  const a = gpu(as);
  const b = gpu(bs);
  const { batch, M, N, K } = p;
  // K = 0 is an empty sum: C is zeros. The kernels' clamps assume K ≥ 1.
  if (K === 0) return fill(ctx, batch * M * N, 0, 'float32');
  const out = allocStorage(ctx, batch * M * N, 'float32', `a matmul output of shape (${batch}, ${M}, ${N})`);
  if (batch * M * N === 0) return out;
  const v = matmulVec4Ok(p) && M >= MIN_ROWS_VEC4 ? VEC4 : GENERAL;
  const k = ctx.kernel(v.name, v.wgsl, { WG_X, WG_Y });
  // The full grid: x over column blocks, y over row blocks, z over the batch.
  const full: Grid = [Math.ceil(Math.ceil(N / v.cols) / WG_X), Math.ceil(Math.ceil(M / v.rows) / WG_Y), batch];
  const buffers = { a: a.buffer, b: b.buffer, out: out.buffer };
  for (const [offset, grid] of splitGrid(full, ctx.limits.maxComputeWorkgroupsPerDimension)) {
    ctx.dispatch(
      k,
      buffers,
      { M, N, K, aBatchStride: p.aBatchStride, bBatchStride: p.bBatchStride, wgOffset: offset },
      grid,
    );
  }
  return out;
}

/**
 * Cuts a grid into slabs of at most `max` workgroups per dimension, each with its offset in the full grid; the
 * kernels add the offset to workgroup_id. Almost always one slab; a batch of 70 000 or a 5-million-row A is not.
 */
export function splitGrid(full: Grid, max: number): Array<[Grid, Grid]> {
  const slabs: Array<[Grid, Grid]> = [];
  for (let z = 0; z < full[2]; z += max) {
    for (let y = 0; y < full[1]; y += max) {
      for (let x = 0; x < full[0]; x += max) {
        slabs.push([
          [x, y, z],
          [Math.min(max, full[0] - x), Math.min(max, full[1] - y), Math.min(max, full[2] - z)],
        ]);
      }
    }
  }
  return slabs;
}
