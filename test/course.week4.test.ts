// Week 4's lesson (information theory): every exercise checker with a right answer and typical wrong ones, the
// cross-entropy code cell's solution and wrong solutions run as real functions against the engine's fused
// crossEntropy (on the CPU backend and on WebGPU), and the numbers the prose states against the engine's values.
import { describe, expect, test } from 'vitest';
import { init, entropy, klDivergence, type DeviceName } from '../engine/index';
import { lesson } from '../playground/course/lessons/week-4/index';
import {
  crossEntropyCell, crossEntropyOneWord, entropyByHand, entropyTarget, klInfinite, checkEntropyTarget, KL_P, KL_Q,
} from '../playground/course/lessons/week-4/exercises';
import { divergences } from '../playground/course/lessons/week-4/quantities';
import { LESSONS } from '../playground/course/lessons/index';
import { statRecords } from '../playground/course/stat';
import { setProbability } from '../playground/course/widgets/probability';
import { compileCell as compile, checkCell as check } from './course-cells';

describe('number and choice exercises', () => {
  test.each([entropyByHand, crossEntropyOneWord])('$id: the right answer passes, the wrong one fails', async (ex) => {
    const answer = await ex.answer();
    expect(Math.abs(ex.demo.right - answer)).toBeLessThanOrEqual(ex.tolerance);
    expect(Math.abs(ex.demo.wrong - answer)).toBeGreaterThan(ex.tolerance);
  });

  test('the by-hand entropy is 1.75 bits, and the usual slips miss it', () => {
    expect(entropyByHand.answer()).toBeCloseTo(1.75, 12);
    // Forgetting the weights (summing surprises: 1 + 2 + 3 + 3) or taking log₂ of the count (2) both fail.
    for (const wrong of [9, 2, 1.5]) expect(Math.abs(wrong - 1.75)).toBeGreaterThan(entropyByHand.tolerance);
    expect(String(entropyByHand.explain)).toContain('1.75 bits');
  });

  test('one-word cross-entropy is log₂ 8 = 3 bits', () => {
    expect(crossEntropyOneWord.answer()).toBeCloseTo(3, 12);
  });

  test('KL choice: the engine says KL(p‖q) is the infinite one', () => {
    expect(klDivergence(KL_P, KL_Q)).toBe(Infinity);
    expect(Number.isFinite(klDivergence(KL_Q, KL_P))).toBe(true);
    expect(klInfinite.options[klInfinite.correct]).toBe('KL(p‖q)');
    expect(klInfinite.demo.wrong).not.toBe(klInfinite.correct);
  });
});

describe('entropy target (1.5 bits)', () => {
  test('accepts the demo and other 1.5-bit distributions', () => {
    expect(entropyTarget.check(entropyTarget.demo.right).ok).toBe(true);
    expect(checkEntropyTarget([0.25, 0.25, 0.5, 0]).ok).toBe(true);
    expect(checkEntropyTarget([0.51, 0.25, 0.24, 0]).ok).toBe(true); // 1.4997 bits, within 0.02
  });

  test('rejects the start (uniform, 2 bits) and the typical misses, saying which way to go', () => {
    const start = entropyTarget.check(entropyTarget.demo.wrong);
    expect(start.ok).toBe(false);
    expect(start.message).toMatch(/2\.000 bits.*more likely/);
    const peaked = checkEntropyTarget([0.7, 0.1, 0.1, 0.1]); // 1.357 bits
    expect(peaked.ok).toBe(false);
    expect(peaked.message).toMatch(/more evenly/);
    // A near miss just outside the tolerance.
    expect(checkEntropyTarget([0.55, 0.25, 0.2, 0]).ok).toBe(false);
    expect(entropy([0.55, 0.25, 0.2, 0])).toBeLessThan(1.48);
  });

  test('bad input gets a clear message, not a throw', () => {
    expect(checkEntropyTarget('0.5').message).toMatch(/four probabilities/);
    expect(checkEntropyTarget([0.5, 0.5]).message).toMatch(/four probabilities/);
    expect(checkEntropyTarget([0.5, 0.6, 0, 0]).message).toMatch(/not a distribution.*sums to 1.1/);
    expect(checkEntropyTarget([NaN, 1, 0, 0]).message).toMatch(/finite/);
  });
});

describe('code cell: cross-entropy from logits', () => {
  const ex = crossEntropyCell;

  test('the solution passes on several seeds, large logits included', async () => {
    for (const seed of [1, 2, 3]) expect(await check(ex, ex.solution, seed)).toMatchObject({ ok: true });
    // The cases include logits near 1000 and a row whose true class sits 2000 below the max.
    const cases = ex.cases(1);
    expect(Math.max(...cases.flatMap((c) => (c[0] as number[][]).flat().map(Math.abs)))).toBeGreaterThanOrEqual(1000);
    expect(cases.map((c) => (c[0] as number[][]).length)).toContain(1);
    expect(cases.map((c) => (c[0] as number[][]).length)).toContain(33);
  });

  test('Run example: the solution and the engine agree on a small batch', async () => {
    const args = ex.example();
    const got = compile(ex, ex.solution)(...args) as number;
    const want = (await ex.reference(...args)) as number;
    expect(Math.abs(got - want)).toBeLessThan(1e-5);
  });

  test('every wrong solution and the starter are rejected', async () => {
    for (const wrong of [...ex.demo.wrong, ex.starter]) {
      const results = await Promise.all([1, 2, 3].map((seed) => check(ex, wrong, seed)));
      for (const r of results) expect(r.ok, wrong).toBe(false);
    }
  });

  test('the unstable versions are rejected for overflow, with advice to subtract the max', async () => {
    const [naive, softmaxThenLog] = ex.demo.wrong;
    for (const src of [naive, softmaxThenLog]) {
      const r = await check(ex, src, 4);
      expect(r.ok).toBe(false);
      expect(r.message).toMatch(/Infinity|NaN/);
      expect(r.message).toMatch(/subtract each row’s max/);
    }
    // The naive one is fine on small logits: it is the large-logit cases that catch it.
    const small = ex.cases(4)[1];
    const r = ex.compare!(compile(ex, naive)(...small), await ex.reference(...small), small);
    expect(r.ok).toBe(true);
  });

  test('the forgotten mean and the dropped max are wrong values, not overflow', async () => {
    for (const src of [ex.demo.wrong[2], ex.demo.wrong[3]]) {
      const r = await check(ex, src, 5);
      expect(r.ok).toBe(false);
      expect(r.message).toMatch(/Wrong value/);
    }
  });

  test.each(['cpu', 'webgpu'] as DeviceName[])('the engine’s fused crossEntropy on %s matches the float64 solution on large logits', async (device) => {
    if (device === 'webgpu') await init({ backend: 'webgpu' }); // fails, never skips, without an adapter
    else await init({ backend: 'cpu' });
    const solution = compile(ex, ex.solution);
    for (const args of ex.cases(9)) {
      const want = (await ex.reference(...args)) as number;
      const got = solution(...args) as number;
      expect(Number.isFinite(want), `engine on ${device}`).toBe(true);
      expect(ex.compare!(got, want, args).ok, `${got} vs ${want}`).toBe(true);
    }
    await init({ backend: 'cpu' });
  });
});

describe('the lesson', () => {
  test('is registered as week-4 and its numbers are the engine’s', async () => {
    expect(await LESSONS['week-4']()).toBe(lesson);
    const { values, problems } = statRecords();
    expect(problems).toEqual([]);
    expect(values['w4-coin-bits']).toEqual({ value: 1, text: '1' });
    expect(values['w4-kl-self']).toEqual({ value: 0, text: '0' });
    expect(values['w4-coin-nats'].value).toBeCloseTo(Math.LN2, 12);
    expect(values['w4-die-bits'].value).toBeCloseTo(Math.log2(6), 12);
    expect(values['w4-ten-class-nats'].value).toBeCloseTo(Math.log(10), 6);
    expect(values['w4-kl-peaked-flat'].value).not.toBeCloseTo(values['w4-kl-flat-peaked'].value, 2); // asymmetry
  });

  test('exercise ids are unique and every resource is an https link with a line on what it adds', () => {
    const ids = lesson.sections.flatMap((s) => (s.kind === 'exercise' ? [s.exercise.id] : []));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(5);
    for (const r of lesson.resources) {
      expect(r.url).toMatch(/^https:\/\//);
      expect(r.adds.length).toBeGreaterThan(20);
    }
  });

  test('the divergence widget’s table: H(p, q) = H(p) + KL(p‖q) both ways, infinite where q misses an outcome', () => {
    const d = divergences([0.7, 0.2, 0.1], [0.2, 0.3, 0.5], 2);
    expect(d.hpq).toBeCloseTo(d.hp + d.klpq, 12);
    expect(d.hqp).toBeCloseTo(d.hq + d.klqp, 12);
    expect(d.klpq).not.toBeCloseTo(d.klqp, 3);
    const miss = divergences(KL_P, KL_Q, Math.E);
    expect(miss.klpq).toBe(Infinity);
    expect(Number.isFinite(miss.klqp)).toBe(true);
  });
});

describe('dragging one bar of a distribution', () => {
  test('sets it and rescales the others in proportion, keeping the sum 1', () => {
    const p = setProbability([0.5, 0.3, 0.2], 0, 0.8);
    expect(p[0]).toBe(0.8);
    expect(p[1]).toBeCloseTo(0.12, 12);
    expect(p[2]).toBeCloseTo(0.08, 12);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    // From a point mass the rest is shared evenly; out-of-range values are clamped.
    expect(setProbability([1, 0, 0], 0, 0.4)).toEqual([0.4, 0.3, 0.3]);
    expect(setProbability([0.5, 0.5], 1, 7)).toEqual([0, 1]);
    expect(setProbability([0.5, 0.5], 1, NaN)).toEqual([1, 0]);
    expect(() => setProbability([0.5, 0.5], 2, 0.1)).toThrow(/outside/);
    // Every result is a distribution the engine accepts.
    expect(entropy(setProbability([0.25, 0.25, 0.25, 0.25], 3, 0.61))).toBeGreaterThan(0);
  });
});
