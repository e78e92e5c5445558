// Exercise checks without the page: typed numbers (and the errors for what isn't one), number and choice answers,
// and a code cell's Check on a sample exercise (row softmax) with its solution and its two typical wrong answers
// (the wrong axis; no max-subtraction, which overflows on large logits), plus errors and a lesson bug.
import { describe, expect, test } from 'vitest';
import * as engine from '../engine/index';
import { checkChoice, checkCode, checkNumber, inProcess, parseNumberInput } from '../playground/course/check';
import { softmaxRows } from './course.sample';

describe('typed numbers', () => {
  test('decimals, exponents and fractions are read', () => {
    expect(parseNumberInput(' 0.25 ')).toEqual({ ok: true, value: 0.25 });
    expect(parseNumberInput('-3')).toEqual({ ok: true, value: -3 });
    expect(parseNumberInput('.5')).toEqual({ ok: true, value: 0.5 });
    expect(parseNumberInput('1e-3')).toEqual({ ok: true, value: 0.001 });
    expect(parseNumberInput('1/3')).toEqual({ ok: true, value: 1 / 3 });
  });

  test('anything else gets a sentence saying what to type', () => {
    expect(parseNumberInput('')).toEqual({ ok: false, message: 'Type a number first.' });
    expect(parseNumberInput('0,5')).toEqual({ ok: false, message: '"0,5" uses a comma: write the decimal point as "." (e.g. 0.5).' });
    expect(parseNumberInput('1/0')).toEqual({ ok: false, message: 'That fraction divides by zero.' });
    for (const bad of ['abc', '0x1f', 'Infinity', '1.2.3', '2 bits']) {
      const r = parseNumberInput(bad);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.message).toContain('is not a number');
    }
  });
});

describe('number and choice answers', () => {
  test('a number passes within the tolerance and is revealed either way', () => {
    expect(checkNumber({ tolerance: 0.01 }, 1.005, 1)).toEqual({ ok: true, message: 'Right: the answer is 1.' });
    expect(checkNumber({ tolerance: 0.01 }, 0.5, 1)).toEqual({ ok: false, message: 'Not quite: you said 0.5, and the answer is 1.' });
    expect(checkNumber({ tolerance: 0 }, 1.0000001, 1).ok).toBe(false);
    expect(() => checkNumber({ tolerance: 0.1 }, 1, NaN)).toThrow(/bug in the lesson/);
  });

  test('a choice passes only on the right option', () => {
    const ex = { options: ['0 bits', '1 bit', '2 bits'], correct: 1 };
    expect(checkChoice(ex, 1)).toEqual({ ok: true, message: 'Right: 1 bit.' });
    expect(checkChoice(ex, 2)).toEqual({ ok: false, message: 'Not this one. The answer is: 1 bit.' });
    expect(checkChoice(ex, null).message).toBe('Pick one of the options first.');
    expect(checkChoice(ex, 7).ok).toBe(false);
  });
});

describe('checking a code cell', () => {
  const check = (code: string, seed = 11) => checkCode(softmaxRows, inProcess(softmaxRows, code, engine), seed);

  test('the solution passes on fresh cases, whatever the seed', async () => {
    for (const seed of [1, 2, 3]) {
      const r = await check(softmaxRows.solution, seed);
      expect(r.message).toMatch(/^Right: all 3 cases match the reference/);
      expect(r.ok).toBe(true);
    }
  });

  test('softmax over the wrong axis fails with wrong values', async () => {
    const r = await check(softmaxRows.demo.wrong[0]);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/^Case 1 of 3 \(arguments: an array of shape \[1, 7\]\): Wrong values: 7 of 7 entries differ/);
  });

  test('softmax without the max-subtraction passes small logits, then is caught by NaN on large ones', async () => {
    const r = await check(softmaxRows.demo.wrong[1]);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/^Case 3 of 3 \(arguments: an array of shape \[2, 33\]\): Your result has NaN at \[\d+, \d+\]/);
  });

  test('the starter (returns its input) fails; a transposed result fails on shape; a throw names its line', async () => {
    expect((await check(softmaxRows.starter)).ok).toBe(false);
    const transposed = 'function softmaxRows(x: number[][]) {\n  return x[0].map((_, j) => x.map((r) => r[j]));\n}';
    expect((await check(transposed)).message).toBe('Case 1 of 3 (arguments: an array of shape [1, 7]): Wrong shape: expected [1, 7], got [7, 1].');
    const throws = 'function softmaxRows(x: number[][]) {\n  const m = x.max();\n  return m;\n}';
    expect((await check(throws)).message).toMatch(/^Case 1 of 3 .*: Your code threw an error \(line 2\): TypeError: x\.max is not a function$/);
  });

  test('a lesson whose cases are empty is a lesson bug, not a pass', async () => {
    await expect(checkCode({ ...softmaxRows, cases: () => [] }, inProcess(softmaxRows, softmaxRows.solution, engine), 1)).rejects.toThrow(/no cases/);
  });
});
