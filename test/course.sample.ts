// A tiny sample code exercise for the course shell's unit tests (not a lesson: lessons live in
// playground/course/lessons/). Row-wise softmax, checked against the engine's softmax on the CPU backend, with the
// two classic mistakes: the wrong axis, and no max-subtraction (which overflows to NaN on large logits).
import { mulberry32, tensor } from '../engine/index';
import { nest } from '../playground/course/compare';
import type { CodeExercise } from '../playground/course/types';

export const softmaxRows: CodeExercise = {
  kind: 'code',
  id: 'softmax-rows',
  prompt: 'Softmax of each row.',
  name: 'softmaxRows',
  signature: 'softmaxRows(x: number[][]): number[][]',
  language: 'typescript',
  starter: 'function softmaxRows(x: number[][]): number[][] {\n  return x;\n}\n',
  solution: [
    'function softmaxRows(x: number[][]): number[][] {',
    '  return x.map((row) => {',
    '    const m = Math.max(...row);',
    '    const e = row.map((v) => Math.exp(v - m));',
    '    const s = e.reduce((a, b) => a + b, 0);',
    '    return e.map((v) => v / s);',
    '  });',
    '}',
  ].join('\n'),
  hints: ['Subtract the row maximum before exp.'],
  example: () => [[[1, 2, 3], [0, 0, 0]]],
  // Odd sizes, and one case of large logits where a formula without max-subtraction overflows. Values are
  // multiples of 1/64, exact in float32: the engine computes in float32 and the learner in float64, and an input
  // like 937.123456 rounded to float32 moves its softmax by more than the default tolerance.
  cases: (seed) => {
    const r = mulberry32(seed);
    const mat = (rows: number, cols: number, scale: number) =>
      Array.from({ length: rows }, () => Array.from({ length: cols }, () => Math.round((r() * 2 - 1) * scale * 64) / 64));
    return [[mat(1, 7, 3)], [mat(3, 5, 3)], [mat(2, 33, 1000)]];
  },
  reference: async (x) => {
    const rows = x as number[][];
    const t = tensor(rows.flat(), [rows.length, rows[0].length]).softmax(-1);
    return nest(await t.toArray(), t.shape);
  },
  demo: {
    wrong: [
      // softmax down the columns
      [
        'function softmaxRows(x: number[][]): number[][] {',
        '  const cols = x[0].map((_, j) => x.map((row) => row[j]));',
        '  const sums = cols.map((c) => c.reduce((a, v) => a + Math.exp(v), 0));',
        '  return x.map((row) => row.map((v, j) => Math.exp(v) / sums[j]));',
        '}',
      ].join('\n'),
      // no max-subtraction: exp(1000) is Infinity, and Infinity / Infinity is NaN
      [
        'function softmaxRows(x: number[][]): number[][] {',
        '  return x.map((row) => {',
        '    const e = row.map(Math.exp);',
        '    const s = e.reduce((a, b) => a + b, 0);',
        '    return e.map((v) => v / s);',
        '  });',
        '}',
      ].join('\n'),
    ],
  },
};
