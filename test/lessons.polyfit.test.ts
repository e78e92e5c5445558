// Week 0 lessons: least-squares polynomial fits in the Legendre basis (exactness, optimality, interpolation) and
// the degree sweep whose training error falls while the validation error turns back up. Plain host code.
import { describe, expect, test } from 'vitest';
import { legendre, fitPolynomial, meanSquaredError, sampleCurve, degreeSweep, trueCurve } from '../engine/course';
import { rng } from './helpers';

const close = (a: number, b: number, tol: number) => expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThanOrEqual(tol);

describe('legendre', () => {
  test('matches the closed forms of P0 … P4', () => {
    for (const x of [-1, -0.3, 0, 0.5, 1]) {
      const p = legendre(x, 4);
      expect(p).toHaveLength(5);
      close(p[0], 1, 0);
      close(p[1], x, 0);
      close(p[2], (3 * x * x - 1) / 2, 1e-15);
      close(p[3], (5 * x ** 3 - 3 * x) / 2, 1e-15);
      close(p[4], (35 * x ** 4 - 30 * x * x + 3) / 8, 1e-15);
    }
    expect(legendre(0.3, 0)).toEqual([1]);
  });
});

describe('fitPolynomial', () => {
  test('recovers a polynomial exactly from noise-free samples', () => {
    const f = (x: number) => 2 - x + 0.5 * x ** 3;
    const r = rng(3);
    const xs = Array.from({ length: 9 }, () => 2 * r() - 1);
    const fit = fitPolynomial(xs, xs.map(f), 3);
    for (const x of [-1, -0.2, 0.7, 1]) close(fit.predict(x), f(x), 1e-12);
    // A higher degree than needed finds the same polynomial: the extra Legendre coefficients are zero.
    const over = fitPolynomial(xs, xs.map(f), 6);
    for (const c of over.coef.slice(4)) close(c, 0, 1e-10);
  });

  test('the residual is orthogonal to every basis column (the least-squares condition)', () => {
    const r = rng(8);
    const xs = Array.from({ length: 23 }, () => 2 * r() - 1);
    const ys = xs.map(() => r() * 4 - 2);
    for (const d of [0, 1, 4, 9]) {
      const fit = fitPolynomial(xs, ys, d);
      const res = xs.map((x, i) => ys[i] - fit.predict(x));
      for (let j = 0; j <= d; j++) {
        const dot = xs.reduce((s, x, i) => s + legendre(x, d)[j] * res[i], 0);
        close(dot, 0, 1e-9);
      }
    }
    // Degree 0 is the mean.
    close(fitPolynomial(xs, ys, 0).coef[0], ys.reduce((a, b) => a + b, 0) / ys.length, 1e-12);
  });

  test('degree n − 1 interpolates n points', () => {
    const { train } = sampleCurve({ seed: 5 });
    const fit = fitPolynomial(train.x, train.y, train.x.length - 1);
    expect(meanSquaredError(fit, train.x, train.y)).toBeLessThan(1e-12);
  });

  test('bad input gets a clear error', () => {
    expect(() => fitPolynomial([0, 0.5], [1, 2], 2)).toThrow(/needs at least 3 points/);
    expect(() => fitPolynomial([0, 0.5], [1], 1)).toThrow(/2 xs but 1 ys/);
    expect(() => fitPolynomial([0, 2], [1, 2], 1)).toThrow(/outside/);
    expect(() => fitPolynomial([0, NaN], [1, 2], 1)).toThrow(/finite/);
    expect(() => fitPolynomial([0.5, 0.5], [1, 2], 1)).toThrow(/repeated xs/);
    expect(() => fitPolynomial([0.5, 0.1], [1, 2], 1.5)).toThrow(/integer/);
  });
});

describe('degreeSweep', () => {
  test('training error never rises with the degree; validation error is U-shaped', () => {
    const sample = sampleCurve({ seed: 0 });
    const sweep = degreeSweep(sample, 15);
    expect(sweep).toHaveLength(16);
    // Nested models: a higher degree can always reproduce a lower one, so its training error is no larger.
    for (let d = 1; d < sweep.length; d++) expect(sweep[d].train).toBeLessThanOrEqual(sweep[d - 1].train * (1 + 1e-9) + 1e-12);
    const best = sweep.reduce((a, b) => (b.validation < a.validation ? b : a));
    // Underfit at 0, overfit at 15: both validate far worse than the best degree in between.
    expect(best.degree).toBeGreaterThan(1);
    expect(best.degree).toBeLessThan(10);
    expect(sweep[0].validation).toBeGreaterThan(5 * best.validation);
    expect(sweep[15].validation).toBeGreaterThan(100 * best.validation);
    expect(sweep[15].train).toBeLessThan(1e-12);
    // The best fit's validation error is near the noise floor σ² = 0.0625.
    expect(best.validation).toBeLessThan(0.1);
  });

  test('sampleCurve is seeded, in [−1, 1], and noise-free at noise 0', () => {
    expect(sampleCurve({ seed: 4 })).toEqual(sampleCurve({ seed: 4 }));
    expect(sampleCurve({ seed: 4 }).train.x).not.toEqual(sampleCurve({ seed: 5 }).train.x);
    const s = sampleCurve({ seed: 1, noise: 0, train: 7, validation: 33 });
    expect(s.train.x).toHaveLength(7);
    expect(s.validation.x).toHaveLength(33);
    for (const [i, x] of s.validation.x.entries()) {
      expect(Math.abs(x)).toBeLessThanOrEqual(1);
      expect(s.validation.y[i]).toBe(trueCurve(x));
    }
    expect(() => sampleCurve({ train: 0 })).toThrow(/integers ≥ 1/);
    expect(() => sampleCurve({ noise: -1 })).toThrow(/noise/);
  });
});
