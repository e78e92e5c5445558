// Layer normalisation over the last axis (shaders/layernorm.wgsl): one workgroup per row, population variance
// by the corrected two-pass algorithm, with the per-row mean and rstd kept for the backward.
import layernormWgsl from '../../../shaders/layernorm.wgsl?raw';
import type { LayerNormResult, Storage } from '../backend';
import type { GpuContext } from './context';
import { allocStorage, gpu } from './storage';
import { rowWorkgroupSize } from './softmax';

export function layerNorm(
  ctx: GpuContext, xs: Storage, ws: Storage, bs: Storage, rows: number, cols: number, eps: number,
): LayerNormResult {
  const [x, w, b] = [gpu(xs), gpu(ws), gpu(bs)];
  const out = allocStorage(ctx, rows * cols, 'float32');
  const mean = allocStorage(ctx, rows, 'float32');
  const rstd = allocStorage(ctx, rows, 'float32');
  const k = ctx.kernel('layerNorm', layernormWgsl, { WG: rowWorkgroupSize(cols) });
  ctx.dispatch(
    k,
    { x: x.buffer, weight: w.buffer, bias: b.buffer, out: out.buffer, mean: mean.buffer, rstd: rstd.buffer },
    { rows, cols, eps },
    ctx.grid1d(rows),
  );
  return { out, mean, rstd };
}
