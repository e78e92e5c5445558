// Softmax and log-softmax over the last axis (shaders/softmax.wgsl) and their backward
// (shaders/softmax_backward.wgsl): rows packed into 64-thread workgroups (rowLayout); the forward subtracts the
// row max.
import type { Storage } from '../backend';
import type { GpuContext } from './context';
import { allocStorage, gpu, type GpuStorage } from './storage';
import { softwareAdapter } from './adapter-class';
import { configFor, rowShapeClass } from './tuning/table';

/**
 * How the row kernels (softmax, layerNorm, crossEntropy and their backwards; shaders/row_reduce.wgsl) spread rows
 * over workgroups: WG threads per row, each striding through it, and ROWS rows per workgroup of THREADS = WG·ROWS.
 *   - SwiftShader (and other CPU Vulkans): one thread per row, 64 rows per workgroup, unless a few long rows need
 *     the parallelism. Every barrier and every workgroup has a fixed cost there, and a thread walking its row
 *     alone ran fastest, measured at (rows × cols) 512 × 32, 512 × 128, 2048 × 32 and 64 × 784 (layerNorm ms for
 *     WG = 1, 2, 4, 8 threads per row: 1.3 / 1.9 / 4.2 / 7.0, 2.6 / 3.0 / 5.6 / 7.8, 4.8 / 8.5 / 15.8 / 26.1,
 *     1.3 / 1.5 / 1.6 / 2.1; softmax alike).
 *   - Hardware GPUs: about one thread per 8 columns, a power of two from 4 to 64, and rows packed to 64 threads,
 *     so that long rows (a vocabulary's logits) are reduced by many threads at once.
 * That rule is the 'auto' config; for the softmax and layerNorm forwards (`op`) a tuned WG for the shape class
 * replaces it. Their backwards pass no op and keep the rule: the tuner times only the forwards (tune.ts), and a
 * WG that wins there says nothing of the backward kernels, which read two inputs and, for layerNorm, sum columns.
 */
export function rowLayout(
  ctx: GpuContext, rows: number, cols: number, op?: 'softmax' | 'layernorm',
): { constants: { WG: number; ROWS: number; THREADS: number }; groups: number } {
  const tuned = op ? configFor(ctx, op, rowShapeClass({ rows, cols })).config.wg : 'auto';
  let WG: number;
  if (tuned !== 'auto') WG = tuned;
  else if (softwareAdapter(ctx)) WG = rows >= 64 || cols <= 1024 ? 1 : 64;
  else WG = Math.min(64, Math.max(4, 1 << Math.ceil(Math.log2(Math.max(1, cols / 8)))));
  const ROWS = 64 / WG;
  return { constants: { WG, ROWS, THREADS: 64 }, groups: Math.ceil(rows / ROWS) };
}

export function softmax(ctx: GpuContext, xs: Storage, rows: number, cols: number, log: boolean): GpuStorage {
  const x = gpu(xs);
  const out = allocStorage(ctx, rows * cols, 'float32');
  const { constants, groups } = rowLayout(ctx, rows, cols, 'softmax');
  const k = ctx.kernel('softmax', { file: 'softmax' }, { LOG: log ? 1 : 0, ...constants });
  ctx.dispatch(k, { x: x.buffer, out: out.buffer }, { rows, cols }, ctx.grid1d(groups));
  return out;
}

/** d softmax: dx = y ⊙ (g − Σ_row g⊙y); d log-softmax: dx = g − exp(y)·Σ_row g (shaders/softmax_backward.wgsl). */
export function softmaxBackward(
  ctx: GpuContext, ys: Storage, gs: Storage, rows: number, cols: number, log: boolean,
): GpuStorage {
  const [y, g] = [gpu(ys), gpu(gs)];
  const dx = allocStorage(ctx, rows * cols, 'float32');
  const { constants, groups } = rowLayout(ctx, rows, cols); // the built-in rule: the tuner never times this kernel
  const k = ctx.kernel('softmaxBackward', { file: 'softmax_backward' }, { LOG: log ? 1 : 0, ...constants });
  ctx.dispatch(k, { y: y.buffer, g: g.buffer, dx: dx.buffer }, { rows, cols }, ctx.grid1d(groups));
  return dx;
}
