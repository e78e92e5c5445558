// The default compare of code cells: one test per kind of message (wrong shape naming both shapes, wrong values
// with the largest error and the first differing index, NaN, ragged arrays, non-numbers, a missing return), and
// acceptance within tolerance.
import { describe, expect, test } from 'vitest';
import { defaultCompare, describeArgs, fmtNumber, nest, shapeOf, toPlain, unravel } from '../playground/course/compare';
import { tensor } from '../engine/index';

describe('defaultCompare', () => {
  test('accepts equal numbers and arrays within 1e-6 + 1e-5·|ref|', () => {
    expect(defaultCompare(0.5, 0.5).ok).toBe(true);
    expect(defaultCompare(1000 + 9e-3, 1000).ok).toBe(true); // 1e-6 + 1e-2 allows it
    expect(defaultCompare([[1, 2], [3, 4 + 1e-6]], [[1, 2], [3, 4]])).toEqual({ ok: true, message: expect.stringMatching(/^All 4 values match/) });
    expect(defaultCompare(new Float32Array([0.25, 0.75]), [0.25, 0.75]).ok).toBe(true);
    expect(defaultCompare([], []).ok).toBe(true);
  });

  test('a wrong number says what was expected, what came and by how much', () => {
    const r = defaultCompare(0.5, 0.693147);
    expect(r.ok).toBe(false);
    expect(r.message).toBe('Wrong value: expected 0.693147, got 0.5 (off by 0.193147).');
    expect(defaultCompare(1000 + 2e-2, 1000).ok).toBe(false);
  });

  test('wrong shape names both shapes', () => {
    const r = defaultCompare([[1, 2, 3], [4, 5, 6]], [[1, 2], [3, 4], [5, 6]]);
    expect(r).toEqual({ ok: false, message: 'Wrong shape: expected [3, 2], got [2, 3].' });
    expect(defaultCompare([1, 2, 3], 6).message).toBe('Wrong shape: expected a single number, got an array of shape [3].');
    expect(defaultCompare(6, [6]).message).toBe('Wrong shape: expected an array of shape [1], got 6.');
  });

  test('wrong values give the count, the largest error and the first differing index', () => {
    const r = defaultCompare([[1, 2, 3], [4, 5.5, 9]], [[1, 2, 3], [4, 5, 6]]);
    expect(r.ok).toBe(false);
    expect(r.message).toBe('Wrong values: 2 of 6 entries differ; the largest error is 3. The first is at [1, 1]: expected 5, got 5.5.');
  });

  test('NaN is named, with where it is and what was expected', () => {
    expect(defaultCompare(NaN, 1).message).toMatch(/^Your result is NaN \(expected 1\)\. Look for 0\/0/);
    const r = defaultCompare([[0.1, NaN], [NaN, 0.4]], [[0.1, 0.2], [0.3, 0.4]]);
    expect(r.message).toMatch(/^Your result has NaN at \[0, 1\] \(expected 0\.2\) and at 1 more entries\./);
    // A reference that is itself NaN (or infinite) is matched exactly, not "within tolerance".
    expect(defaultCompare(NaN, NaN).ok).toBe(true);
    expect(defaultCompare([Infinity], [Infinity]).ok).toBe(true);
    expect(defaultCompare([1e308 * 10], [1]).ok).toBe(false);
  });

  test('ragged arrays and non-numbers are reported as such', () => {
    expect(defaultCompare([[1, 2], [3]], [[1, 2], [3, 4]]).message).toBe(
      'Your result is a ragged array: entry 1 has shape [1] but entry 0 has shape [2]. Expected shape [2, 2].',
    );
    expect(defaultCompare([1, '2'], [1, 2]).message).toBe('Expected numbers, but the entry at [1] is "2".');
    expect(defaultCompare('0.5', 0.5).message).toBe('Expected a number, got "0.5".');
  });

  test('a missing return is called out', () => {
    expect(defaultCompare(undefined, [1, 2]).message).toBe('Your function returned nothing (undefined). Did you forget a `return`?');
  });

  test('other values compare structurally', () => {
    expect(defaultCompare({ a: [1, 2] }, { a: [1, 2] }).ok).toBe(true);
    expect(defaultCompare(true, false)).toEqual({ ok: false, message: 'Expected false, got true.' });
  });
});

describe('helpers', () => {
  test('shapes, indices and numbers as messages write them', () => {
    expect(shapeOf([[1, 2, 3], [4, 5, 6]])).toEqual({ shape: [2, 3] });
    expect(shapeOf(5)).toEqual({ shape: [] });
    expect(unravel(5, [2, 3])).toEqual([1, 2]);
    expect(unravel(0, [])).toEqual([]);
    expect(fmtNumber(1 / 3)).toBe('0.333333');
    expect(fmtNumber(1e-7)).toBe('1e-7');
    expect(fmtNumber(-Infinity)).toBe('-Infinity');
    expect(describeArgs([[1, 2, 3], 7, [[1], [2]]])).toBe('an array of shape [3], 7, an array of shape [2, 1]');
  });

  test('toPlain turns a tensor into nested arrays, and nest() undoes flattening', async () => {
    const t = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(await toPlain({ out: t, list: [new Float32Array([0.5])] })).toEqual({ out: [[1, 2, 3], [4, 5, 6]], list: [[0.5]] });
    expect(nest([7], [])).toBe(7);
    expect(nest([1, 2, 3, 4], [2, 1, 2])).toEqual([[[1, 2]], [[3, 4]]]);
  });
});
