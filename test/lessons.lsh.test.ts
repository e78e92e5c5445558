// Reformer's angular LSH (engine/lessons/lsh.ts): buckets in range and fixed by the seed, equal to the argmax of
// [xR; −xR] recomputed here from the exposed rotations, invariant to positive scaling, identical vectors always
// together; and the nearest-key collision rate: 1 for identical pairs, non-decreasing in the number of hashes on
// random data, and far above the 1/nBuckets of chance on clustered data.
import { describe, expect, test } from 'vitest';
import { lshBuckets, nearestKeyCollisionRate, lshRotations } from '../engine/lessons/index';
import { randArray, rng } from './helpers';

/** n rows of d uniform components in [−1, 1). */
function rows(n: number, d: number, seed: number): Float32Array[] {
  const flat = randArray(n * d, seed);
  return Array.from({ length: n }, (_, i) => flat.subarray(i * d, (i + 1) * d));
}

describe('lshBuckets', () => {
  const vs = rows(50, 12, 1);

  test('buckets are in 0 … nBuckets − 1, shaped (nHashes, n), and the same for the same seed only', () => {
    const a = lshBuckets(vs, 8, 3, 42);
    expect(a.length).toBe(3 * 50);
    expect(a.every((b) => b >= 0 && b < 8)).toBe(true);
    expect(new Set(a).size).toBe(8); // 150 draws over 8 buckets: every bucket is used
    expect(lshBuckets(vs, 8, 3, 42)).toEqual(a);
    expect(lshBuckets(vs, 8, 3, 43)).not.toEqual(a);
  });

  test('each bucket is argmax([xR; −xR]) with the rotations lshRotations gives, so both halves occur', () => {
    const [d, b, nHashes] = [12, 6, 2];
    const R = lshRotations(d, b, nHashes, 5);
    const got = lshBuckets(vs, b, nHashes, 5);
    let negative = 0;
    for (let h = 0; h < nHashes; h++) {
      vs.forEach((x, i) => {
        const xr = Array.from({ length: b / 2 }, (_, j) => {
          let s = 0;
          for (let c = 0; c < d; c++) s += x[c] * R[h][c * (b / 2) + j];
          return s;
        });
        const scores = [...xr, ...xr.map((s) => -s)];
        const want = scores.indexOf(Math.max(...scores));
        expect(got[h * vs.length + i]).toBe(want);
        if (want >= b / 2) negative++;
      });
    }
    expect(negative).toBeGreaterThan(0);
    // More hashes only add rounds: the first two are unchanged.
    expect(lshBuckets(vs, b, 5, 5).subarray(0, 2 * vs.length)).toEqual(got);
  });

  test('a vector and a positively scaled copy share every bucket; identical vectors always collide; −x moves', () => {
    const x = vs[0];
    const scaled = [Float32Array.from(x), Float32Array.from(x, (v) => v * 3.7), Float32Array.from(x, (v) => v * 0.01)];
    const b = lshBuckets(scaled, 16, 8, 9); // (8, 3)
    for (let h = 0; h < 8; h++) expect([b[h * 3 + 1], b[h * 3 + 2]]).toEqual([b[h * 3], b[h * 3]]);
    // −x flips the sign of xR: bucket j becomes b/2 + j and back.
    const flipped = lshBuckets([x, Float32Array.from(x, (v) => -v)], 16, 8, 9);
    for (let h = 0; h < 8; h++) expect(flipped[h * 2 + 1]).toBe((flipped[h * 2] + 8) % 16);
  });

  test('bad input is refused, naming the problem', () => {
    expect(() => lshBuckets(vs, 7, 1, 0)).toThrow(/nBuckets must be an even integer ≥ 2.*got 7/);
    expect(() => lshBuckets(vs, 8, 0, 0)).toThrow(/nHashes must be a positive integer, got 0/);
    expect(() => lshBuckets([], 8, 1, 0)).toThrow(/vectors is empty/);
    expect(() => lshBuckets([[1, 2], [1, 2, 3]], 8, 1, 0)).toThrow(/vectors\[1\] has 3 components, vectors\[0\] has 2/);
    expect(() => lshBuckets([[1, NaN]], 8, 1, 0)).toThrow(/vectors\[0\]\[1\] is NaN/);
    expect(() => nearestKeyCollisionRate([[0, 0]], [[1, 0]], 8, 1, 0)).toThrow(/queries\[0\] is the zero vector/);
    expect(() => nearestKeyCollisionRate([[1, 0]], [[1, 0, 0]], 8, 1, 0)).toThrow(/queries have 2 components and keys 3/);
  });
});

describe('nearestKeyCollisionRate', () => {
  const HASHES = [1, 2, 4, 8];

  test('1 for identical query-key pairs, whatever the hashing', () => {
    const keys = rows(40, 16, 2);
    for (const n of HASHES) expect(nearestKeyCollisionRate(keys.map((k) => Float32Array.from(k, (v) => 2 * v)), keys, 16, n, 3)).toBe(1);
  });

  test('random data: non-decreasing over 1, 2, 4, 8 hashes and clearly higher at 8 than at 1', () => {
    const [queries, keys] = [rows(200, 16, 4), rows(200, 16, 5)];
    const rates = HASHES.map((n) => nearestKeyCollisionRate(queries, keys, 16, n, 6));
    console.log(`random data, 16 buckets: collision rate at ${HASHES.join(', ')} hashes = ${rates.map((r) => r.toFixed(3)).join(', ')} (chance 1/16 per hash)`);
    for (let i = 1; i < rates.length; i++) expect(rates[i]).toBeGreaterThanOrEqual(rates[i - 1]);
    expect(rates[3]).toBeGreaterThan(rates[0] + 0.2);
  });

  test('clustered data: the nearest key shares a bucket far more often than the 1/nBuckets of chance', () => {
    // 20 cluster centres in 16 dims; each query and key is a centre plus noise 0.1 per component, so a query's
    // nearest key is (almost always) in its own cluster, at a small angle.
    const r = rng(7);
    const centres = rows(20, 16, 8);
    const around = (n: number) => Array.from({ length: n }, (_, i) => Float32Array.from(centres[i % 20], (v) => v + 0.1 * (2 * r() - 1)));
    const [queries, keys] = [around(100), around(100)];
    const rate = nearestKeyCollisionRate(queries, keys, 16, 1, 9);
    console.log(`clustered data, 16 buckets, 1 hash: collision rate ${rate.toFixed(3)} (chance ${1 / 16})`);
    expect(rate).toBeGreaterThan(0.7);
  });
});
