// Code cells without the worker: TypeScript through sucrase (lines kept), the learner's function built with the
// engine in scope, errors reported at the learner's line (syntax, thrown, inside a library call), a missing
// function, console output captured, tensors returned as nested arrays.
import { describe, expect, test } from 'vitest';
import * as engine from '../engine/index';
import { buildFunction, describeRunError, errorLine, runCell, transpile, type RunOutcome } from '../playground/course/sandbox';

const run = (code: string, args: unknown[] = [], name = 'f', language: 'typescript' | 'javascript' = 'typescript'): Promise<RunOutcome> =>
  runCell({ code, language, name, args }, engine);

describe('transpile', () => {
  test('TypeScript loses its types and keeps its lines', () => {
    const code = 'interface P {\n  a: number;\n}\nfunction f(x: number[], p: P): number {\n  return x.length + p.a;\n}';
    const t = transpile(code, 'typescript');
    expect(t.ok).toBe(true);
    if (!t.ok) return;
    expect(t.js.split('\n').length).toBe(code.split('\n').length);
    expect(t.js.split('\n')[4]).toContain('return x.length + p.a');
    expect(t.js).not.toContain(': number');
  });

  test('a syntax error names its line, in TypeScript and JavaScript alike', () => {
    for (const lang of ['typescript', 'javascript'] as const) {
      const t = transpile('function f(x) {\n  return x +;\n}', lang);
      expect(t).toEqual({ ok: false, error: { kind: 'syntax', message: 'Syntax error: Unexpected token', line: 2 } });
    }
    expect(describeRunError({ kind: 'syntax', message: 'Syntax error: Unexpected token', line: 2 })).toBe('Syntax error: Unexpected token (line 2).');
  });
});

describe('running a cell', () => {
  test('returns the value, and a tensor as nested arrays', async () => {
    expect(await run('function f(a: number, b: number): number {\n  return a + b;\n}', [2, 3])).toEqual({ ok: true, value: 5, logs: [] });
    const t = await run('function f(x: number[]) {\n  return engine.tensor(x, [2, 2]).mul(2);\n}', [[1, 2, 3, 4]]);
    expect(t).toEqual({ ok: true, value: [[2, 4], [6, 8]], logs: [] });
    const arrow = await run('const f = async (n) => {\n  return new Float32Array(n);\n};', [3], 'f', 'javascript');
    expect(arrow).toEqual({ ok: true, value: [0, 0, 0], logs: [] });
  });

  test('a thrown error is reported at the learner\'s line', async () => {
    const out = await run('function f(x: number[]) {\n  const y = x.map((v) => v * 2);\n  // a comment\n  throw new RangeError("too big: " + y[0]);\n}', [[5]]);
    expect(out).toMatchObject({ ok: false, error: { kind: 'runtime', message: 'RangeError: too big: 10', line: 4 } });
    if (!out.ok) expect(describeRunError(out.error)).toBe('Your code threw an error (line 4): RangeError: too big: 10');
  });

  test('an error inside a library call is reported at the learner\'s line that made it', async () => {
    const out = await run('function f() {\n  const a = engine.tensor([1, 2, 3]);\n  const b = engine.tensor([1, 2]);\n  return a.add(b);\n}');
    expect(out.ok).toBe(false);
    if (!out.ok) {
      expect(out.error.line).toBe(4);
      expect(out.error.message).toMatch(/shape|broadcast/i);
    }
  });

  test('a TypeError on undefined, at its line', async () => {
    const out = await run('function f(rows: number[][]) {\n  let s = 0;\n  for (let i = 0; i <= rows.length; i++) s += rows[i].length;\n  return s;\n}', [[[1], [2]]]);
    expect(out).toMatchObject({ ok: false, error: { kind: 'runtime', line: 3 } });
    if (!out.ok) expect(out.error.message).toMatch(/^TypeError: /);
  });

  test('code that never defines the function is told its name', async () => {
    const out = await run('function g() {\n  return 1;\n}');
    expect(out).toMatchObject({ ok: false, error: { kind: 'missing', line: null } });
    if (!out.ok) expect(out.error.message).toContain('named `f`');
  });

  test('an error at the top level, outside the function, has its line too', async () => {
    const out = await run('const k = 2;\nconst table = null;\nconst z = table.length;\nfunction f() {\n  return k;\n}');
    expect(out).toMatchObject({ ok: false, error: { kind: 'runtime', line: 3 } });
  });

  test('console output is captured for Run, and console is restored afterwards', async () => {
    const log = console.log;
    const out = await run('function f(x: number) {\n  console.log("x is", x, { y: [1] });\n  return x;\n}', [7]);
    expect(out).toEqual({ ok: true, value: 7, logs: ['x is 7 {"y":[1]}'] });
    expect(console.log).toBe(log);
  });

  test("the learner's function gets a copy of the arguments", async () => {
    const args = [[1, 2, 3]];
    await run('function f(x: number[]) {\n  x.push(4);\n  return x.length;\n}', args);
    expect(args).toEqual([[1, 2, 3]]);
  });

  test('a function name that is not an identifier is refused (a lesson bug)', () => {
    expect(() => buildFunction('', 'f; alert(1)', engine)).toThrow(/not a valid function name/);
  });

  test('errorLine ignores frames that are not the learner\'s', () => {
    expect(errorLine('Error: x\n    at foo (http://localhost/engine/tensor.ts:10:5)', 5)).toBeNull();
    expect(errorLine(undefined, 5)).toBeNull();
  });
});
