// Softmax and log-softmax over the last axis (shaders/softmax.wgsl) and their backward
// (shaders/softmax_backward.wgsl): one workgroup per row; the forward subtracts the row max.
import softmaxSource from '../../../shaders/softmax.wgsl?raw';
import softmaxBackwardSource from '../../../shaders/softmax_backward.wgsl?raw';
import { withRowReduce } from './rowwise';

const softmaxWgsl = withRowReduce(softmaxSource);
const softmaxBackwardWgsl = withRowReduce(softmaxBackwardSource);
import type { Storage } from '../backend';
import type { GpuContext } from './context';
import { allocStorage, gpu, type GpuStorage } from './storage';

/**
 * Workgroup size for the one-workgroup-per-row kernels (softmax, layerNorm, crossEntropy): about one thread per 8
 * columns, a power of two from 4 to 64, each thread striding through the row. Larger groups measured slower on
 * SwiftShader, whose barriers cost in proportion to the group size (see reduce.ts): short rows (attention over
 * 16 keys, LayerNorm over 32 features, many rows) ran 5–25× faster with 4 threads than with 32. On GPUs 64 threads
 * per row with several rows in flight per core is a common choice too. Each size is its own pipeline.
 */
export function rowWorkgroupSize(cols: number): number {
  return Math.min(64, Math.max(4, 1 << Math.ceil(Math.log2(Math.max(1, cols / 8)))));
}

export function softmax(ctx: GpuContext, xs: Storage, rows: number, cols: number, log: boolean): GpuStorage {
  const x = gpu(xs);
  const out = allocStorage(ctx, rows * cols, 'float32');
  const WG = rowWorkgroupSize(cols);
  const k = ctx.kernel('softmax', softmaxWgsl, { LOG: log ? 1 : 0, WG });
  ctx.dispatch(k, { x: x.buffer, out: out.buffer }, { rows, cols }, ctx.grid1d(rows));
  return out;
}

/** d softmax: dx = y ⊙ (g − Σ_row g⊙y); d log-softmax: dx = g − exp(y)·Σ_row g (shaders/softmax_backward.wgsl). */
export function softmaxBackward(
  ctx: GpuContext, ys: Storage, gs: Storage, rows: number, cols: number, log: boolean,
): GpuStorage {
  const [y, g] = [gpu(ys), gpu(gs)];
  const dx = allocStorage(ctx, rows * cols, 'float32');
  const k = ctx.kernel('softmaxBackward', softmaxBackwardWgsl, { LOG: log ? 1 : 0, WG: rowWorkgroupSize(cols) });
  ctx.dispatch(k, { y: y.buffer, g: g.buffer, dx: dx.buffer }, { rows, cols }, ctx.grid1d(rows));
  return dx;
}
