// The tensor view's numbers (playground/controllers/tensor-summary.ts): statistics over the finite values only,
// the histogram, and the 2-D slices a heatmap draws for tensors of rank 3 and above.
import { describe, expect, test } from 'vitest';
import { HISTOGRAM_BINS, slice2d, summarize } from '../playground/controllers/tensor-summary';

const healthy = { numel: 0, nan: 0, posInf: 0, negInf: 0, finite: true };

describe('tensor summary', () => {
  test('mean, std, min and max skip NaN and Inf; the counts come from health()', () => {
    const s = summarize(new Float32Array([1, 2, 3, NaN, Infinity, -Infinity]), [6], { numel: 6, nan: 1, posInf: 1, negInf: 1, finite: false });
    expect(s.mean).toBeCloseTo(2);
    expect(s.std).toBeCloseTo(Math.sqrt(2 / 3));
    expect([s.min, s.max]).toEqual([1, 3]);
    expect([s.nan, s.posInf, s.negInf]).toEqual([1, 1, 1]);
    expect(s.histogram.counts.reduce((a, b) => a + b)).toBe(3);
    expect(s.histogram.counts).toHaveLength(HISTOGRAM_BINS);
  });

  test('a constant tensor has one histogram bin and std 0; an all-NaN one has no statistics', () => {
    const c = summarize(new Float32Array(7).fill(5), [7], healthy);
    expect(c.std).toBe(0);
    expect(c.histogram.counts.filter((n) => n > 0)).toEqual([7]);
    const bad = summarize(new Float32Array([NaN, NaN]), [2], { numel: 2, nan: 2, posInf: 0, negInf: 0, finite: false });
    expect([bad.mean, bad.std, bad.min, bad.max].every(Number.isNaN)).toBe(true);
  });

  test('slices: the last two dimensions at the chosen leading indices', () => {
    // (2, 3, 2, 5): value = flat index.
    const shape = [2, 3, 2, 5];
    const s = summarize(Float32Array.from({ length: 60 }, (_, i) => i), shape, healthy);
    const a = slice2d(s, [1, 2]);
    expect([a.rows, a.cols]).toEqual([2, 5]);
    expect(Array.from(a.values)).toEqual(Array.from({ length: 10 }, (_, i) => 50 + i));
    expect(Array.from(slice2d(s, [0, 1]).values)[0]).toBe(10);
    expect(Array.from(slice2d(s, [9, 9]).values)[0]).toBe(50); // clamped
    const v = slice2d(summarize(new Float32Array([1, 2, 3]), [3], healthy));
    expect([v.rows, v.cols]).toEqual([1, 3]);
    const m = slice2d(summarize(new Int32Array([1, 2, 3, 4, 5, 6]), [2, 3], healthy));
    expect([m.rows, m.cols, m.values[5]]).toEqual([2, 3, 6]);
  });
});
