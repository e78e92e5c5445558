// Batched matmul: (batch, M, K) @ (batch, K, N) → (batch, M, N), float32, contiguous, with A/B batch strides
// (0 broadcasts one matrix over the batch).
//
// Both kernels are register-blocked: an invocation computes an 8×8 block of C with vec4 multiply-adds and K
// unrolled by 4 by hand (Tint does not unroll). shaders/matmul.wgsl reads A and B as vec4s and needs K, N and the
// batch strides to be multiples of 4; shaders/matmul_general.wgsl reads scalars and takes any shape. Neither uses
// workgroup memory: on SwiftShader it bought nothing over register reuse (variants measured: bench/matmul.ts).
import matmulWgsl from '../../../shaders/matmul.wgsl?raw';
import matmulGeneralWgsl from '../../../shaders/matmul_general.wgsl?raw';
import type { MatmulParams, Storage } from '../backend';
import type { GpuContext, Grid } from './context';
import { allocStorage, gpu, type GpuStorage } from './storage';
import { fill } from './elementwise';

/** Outputs per invocation along each axis (the 8×8 block written out in both shaders). */
const BLOCK = 8;
/** Invocations per workgroup along x (columns) and y (rows). */
const WG_X = 8;
const WG_Y = 8;

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
  const vec4 = matmulVec4Ok(p);
  const k = vec4
    ? ctx.kernel('matmul', matmulWgsl, { WG_X, WG_Y })
    : ctx.kernel('matmul_general', matmulGeneralWgsl, { WG_X, WG_Y });
  // The full grid: x over column blocks, y over row blocks, z over the batch.
  const full: Grid = [Math.ceil(Math.ceil(N / BLOCK) / WG_X), Math.ceil(Math.ceil(M / BLOCK) / WG_Y), batch];
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
