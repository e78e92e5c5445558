// What a tensor view shows, computed on the host from a read-back copy: the shape, mean/std/min/max over the
// finite values, a histogram, and 2-D slices for heatmaps. NaN and ±Inf counts come from the engine's health()
// (counted on the GPU by bit pattern) and are passed in. No DOM here: the views only draw these numbers.
import type { Health } from '../../engine/index';

export interface Histogram {
  lo: number;
  hi: number;
  counts: number[];
}

export interface TensorSummary {
  shape: readonly number[];
  dtype: 'float32' | 'int32';
  numel: number;
  /** Over the finite values only (NaN for each when there are none). */
  mean: number;
  std: number;
  min: number;
  max: number;
  nan: number;
  posInf: number;
  negInf: number;
  histogram: Histogram;
  /** The host copy, row-major; slices for heatmaps are taken from it. */
  data: Float32Array | Int32Array;
}

export const HISTOGRAM_BINS = 30;

export function summarize(data: Float32Array | Int32Array, shape: readonly number[], h: Health): TensorSummary {
  let n = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) continue;
    n++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = n ? sum / n : NaN;
  let sq = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (Number.isFinite(v)) sq += (v - mean) * (v - mean);
  }
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  const lo = n ? min : 0;
  const hi = n ? max : 0;
  const width = hi - lo;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) continue;
    const b = width > 0 ? Math.min(HISTOGRAM_BINS - 1, Math.floor(((v - lo) / width) * HISTOGRAM_BINS)) : Math.floor(HISTOGRAM_BINS / 2);
    counts[b]++;
  }
  return {
    shape,
    dtype: data instanceof Int32Array ? 'int32' : 'float32',
    numel: data.length,
    mean,
    std: n ? Math.sqrt(sq / n) : NaN,
    min: n ? min : NaN,
    max: n ? max : NaN,
    nan: h.nan,
    posInf: h.posInf,
    negInf: h.negInf,
    histogram: { lo, hi, counts },
    data,
  };
}

export interface Slice2D {
  rows: number;
  cols: number;
  values: Float32Array;
}

/**
 * A 2-D slice for a heatmap: the last two dimensions at the given indices of the leading ones (rank ≥ 3); a
 * matrix as it is; a vector or scalar as one row.
 */
export function slice2d(s: TensorSummary, leading: readonly number[] = []): Slice2D {
  const shape = s.shape;
  if (shape.length <= 1) return { rows: 1, cols: s.numel, values: Float32Array.from(s.data) };
  const rows = shape[shape.length - 2];
  const cols = shape[shape.length - 1];
  let offset = 0;
  let stride = rows * cols;
  for (let d = shape.length - 3; d >= 0; d--) {
    const i = Math.min(Math.max(0, leading[d] ?? 0), shape[d] - 1);
    offset += i * stride;
    stride *= shape[d];
  }
  return { rows, cols, values: Float32Array.from(s.data.subarray(offset, offset + rows * cols)) };
}

/** Formats a statistic compactly: 4 significant digits, or "—" for NaN. */
export function fmt(x: number): string {
  if (Number.isNaN(x)) return '—';
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e4 || a < 1e-3 ? x.toExponential(2) : x.toPrecision(4);
}
