// Layer normalisation over the last axis (shaders/layernorm.wgsl): rows packed into workgroups (rowLayout), population variance
// by the corrected two-pass algorithm, with the per-row mean and rstd kept for the backward
// (shaders/layernorm_backward.wgsl: dx per row, and dweight/dbias as deterministic column sums).
import type { LayerNormResult, Storage } from '../backend';
import type { GpuContext } from './context';
import { allocStorage, gpu } from './storage';
import { rowLayout } from './softmax';

export function layerNorm(
  ctx: GpuContext, xs: Storage, ws: Storage, bs: Storage, rows: number, cols: number, eps: number,
): LayerNormResult {
  const [x, w, b] = [gpu(xs), gpu(ws), gpu(bs)];
  const out = allocStorage(ctx, rows * cols, 'float32');
  const mean = allocStorage(ctx, rows, 'float32');
  const rstd = allocStorage(ctx, rows, 'float32');
  const { constants, groups } = rowLayout(ctx, rows, cols, 'layernorm');
  const k = ctx.kernel('layerNorm', { file: 'layernorm' }, constants);
  ctx.dispatch(
    k,
    { x: x.buffer, weight: w.buffer, bias: b.buffer, out: out.buffer, mean: mean.buffer, rstd: rstd.buffer },
    { rows, cols, eps },
    ctx.grid1d(groups),
  );
  return { out, mean, rstd };
}

/** Columns per column-sum workgroup of shaders/layernorm_backward.wgsl, which reads it as the const TC. */
const LN_BACKWARD_TC = 8;

/**
 * dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ⊙x̂)) with ĝ = g⊙w; dweight = Σ_rows g⊙x̂; dbias = Σ_rows g.
 * One dispatch: the first workgroups compute dx for their rows, the next ceil(cols / 8) the column sums.
 */
export function layerNormBackward(
  ctx: GpuContext, xs: Storage, ws: Storage, means: Storage, rstds: Storage, gs: Storage, rows: number, cols: number,
): { dx: Storage; dweight: Storage; dbias: Storage } {
  const [x, w, mean, rstd, g] = [gpu(xs), gpu(ws), gpu(means), gpu(rstds), gpu(gs)];
  const dx = allocStorage(ctx, rows * cols, 'float32');
  const dweight = allocStorage(ctx, cols, 'float32');
  const dbias = allocStorage(ctx, cols, 'float32');
  // The column-sum workgroups split their 64 threads into TC = 8 columns × 8 row lanes.
  // The built-in row rule, not the tuned forward's WG: the tuner never times this kernel.
  const { constants, groups } = rowLayout(ctx, rows, cols);
  const k = ctx.kernel('layerNormBackward', { file: 'layernorm_backward', consts: { TC: LN_BACKWARD_TC } }, constants);
  ctx.dispatch(
    k,
    {
      x: x.buffer, weight: w.buffer, mean: mean.buffer, rstd: rstd.buffer, g: g.buffer,
      dx: dx.buffer, dweight: dweight.buffer, dbias: dbias.buffer,
    },
    { rows, cols },
    ctx.grid1d(groups + Math.ceil(cols / LN_BACKWARD_TC)),
  );
  return { dx, dweight, dbias };
}
