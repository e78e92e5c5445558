// Softmax and log-softmax over the last axis (shaders/softmax.wgsl): one workgroup per row, max-subtracted.
import softmaxWgsl from '../../../shaders/softmax.wgsl?raw';
import type { Storage } from '../backend';
import type { GpuContext } from './context';
import { allocStorage, gpu, type GpuStorage } from './storage';

/**
 * Workgroup size for the one-workgroup-per-row kernels (softmax, layerNorm, crossEntropy): 32 threads for rows of
 * up to 32 columns, else 64, each thread striding through the row. Larger groups measured slower on SwiftShader,
 * whose barriers cost in proportion to the group size (see reduce.ts); on GPUs 64 threads per row with several
 * rows in flight per core is a common choice too. Each size is its own pipeline.
 */
export function rowWorkgroupSize(cols: number): number {
  return cols <= 32 ? 32 : 64;
}

export function softmax(ctx: GpuContext, xs: Storage, rows: number, cols: number, log: boolean): GpuStorage {
  const x = gpu(xs);
  const out = allocStorage(ctx, rows * cols, 'float32');
  const WG = rowWorkgroupSize(cols);
  const k = ctx.kernel('softmax', softmaxWgsl, { LOG: log ? 1 : 0, WG });
  ctx.dispatch(k, { x: x.buffer, out: out.buffer }, { rows, cols }, ctx.grid1d(rows));
  return out;
}
