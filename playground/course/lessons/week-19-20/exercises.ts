// Weeks 19-20's exercises and their checkers. The code cells are checked against the engine
// (engine/lessons/efficient.ts): the two-sided window mask against the attention weights of scaledDotProductAttention
// with localWindow and globalTokens, Linformer against the engine's projected attention, the recurrence and the
// combine rule against functional.scan. test/course.week-19-20.test.ts runs them all, wrong answers included.
import { html } from 'lit';
import { metrics } from '../../../../engine/index';
import { efficient } from '../../../../engine/course';
import { defaultCompare } from '../../compare';
import type { CheckResult, ChoiceExercise, CodeArgs, CodeExercise, NumberExercise } from '../../types';
import { MASK_T, MASK_WINDOW } from './numbers';

type Matrix = number[][];

/** A (rows, cols) matrix of float32-representable values in [lo, hi). */
export function matrix(r: () => number, rows: number, cols: number, lo = -1, hi = 1): Matrix {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => Math.fround(lo + (hi - lo) * r())));
}

/** The solution with one piece changed, for the wrong demos (throws if the piece is not there, so a demo cannot silently equal the solution). */
export const variant = (solution: string, from: string, to: string): string => {
  if (!solution.includes(from)) throw new Error(`variant: "${from}" is not in the solution`);
  return solution.replace(from, to);
};

// ---------------------------------------------------------------------------------------------------------------
// Number: the scores a causal window keeps.

export const windowScores: NumberExercise = {
  kind: 'number',
  id: 'w1920-window-scores',
  prompt: html`A causal sliding window of w = ${MASK_WINDOW} lets query i attend keys i − ${MASK_WINDOW} &lt; j ≤ i. At
    length T = ${MASK_T}, how many (query, key) scores does one head compute? (Dense causal attention computes
    T(T + 1)/2 = ${(MASK_T * (MASK_T + 1)) / 2}.)`,
  answer: () => efficient.causalWindowScores(MASK_T, MASK_WINDOW),
  tolerance: 0,
  explain: html`The first ${MASK_WINDOW} queries are near the start and see only i + 1 keys: 1 + 2 + … + ${MASK_WINDOW}
    = ${(MASK_WINDOW * (MASK_WINDOW + 1)) / 2}. Every later query sees exactly ${MASK_WINDOW}:
    (${MASK_T} − ${MASK_WINDOW}) × ${MASK_WINDOW} = ${(MASK_T - MASK_WINDOW) * MASK_WINDOW}. In all
    ${efficient.causalWindowScores(MASK_T, MASK_WINDOW)}: it grows as T·w, linearly in T, where dense grows as T².`,
  demo: { right: efficient.causalWindowScores(MASK_T, MASK_WINDOW), wrong: MASK_T * MASK_WINDOW },
};

// ---------------------------------------------------------------------------------------------------------------
// Code cell: Longformer's two-sided window with global tokens, as a mask.

const windowSolution = `function windowMask(T: number, w: number, globals: number[]): number[][] {
  const isGlobal = new Set(globals);
  const mask: number[][] = [];
  for (let i = 0; i < T; i++) {
    const row: number[] = [];
    for (let j = 0; j < T; j++) {
      // Near enough on either side, or either end of the pair is a global token.
      const near = Math.abs(i - j) < w;
      row.push(near || isGlobal.has(i) || isGlobal.has(j) ? 1 : 0);
    }
    mask.push(row);
  }
  return mask;
}
`;

export const windowCell: CodeExercise = {
  kind: 'code',
  id: 'w1920-window-mask-code',
  prompt: html`Build Longformer's attention pattern as a T × T mask of 0s and 1s: entry (i, j) is 1 when query i may
    attend key j. A key is in the local window when it is fewer than <code>w</code> positions away on
    <em>either</em> side, |i − j| &lt; w (so w = 1 is the diagonal alone). A global token attends every key, and every
    query attends it. Check compares with the engine's attention run with
    <code>{ localWindow: w, globalTokens: globals }</code>, reading which weights are non-zero.`,
  name: 'windowMask',
  signature: 'windowMask(T: number, w: number, globals: number[]): number[][]',
  language: 'typescript',
  starter: `function windowMask(T: number, w: number, globals: number[]): number[][] {
  // mask[i][j] = 1 if |i − j| < w, or i or j is global; else 0.
  return Array.from({ length: T }, () => new Array(T).fill(0));
}
`,
  solution: windowSolution,
  hints: [
    'Two nested loops over i (queries, rows) and j (keys, columns).',
    'The window is two-sided: keys before and after the query count, so compare |i − j|, not i − j. And it is strict: |i − j| < w.',
    'Globals work both ways: row i is all ones when i is global, and column j is all ones when j is global.',
  ],
  example: () => [8, 2, [0]],
  cases: (seed) => {
    const r = metrics.seededRandom(seed);
    const T = 9 + Math.floor(r() * 8); // 9 … 16
    const g = Math.floor(r() * T);
    return [[1, 1, []], [7, 2, []], [T, 3, [0]], [12, 4, [0, 11]], [5, 9, []], [T, 1, [g]], [16, 3, [5, 6]]];
  },
  reference: (...args: CodeArgs) => efficient.windowMaskReference(args[0] as number, args[1] as number, args[2] as number[]),
  demo: {
    wrong: [
      // Off by one: |i − j| ≤ w lets w keys through on each side, 2w + 1 in all.
      variant(windowSolution, 'Math.abs(i - j) < w', 'Math.abs(i - j) <= w'),
      // One-sided: the causal window i − w < j ≤ i, which is not Longformer's encoder pattern.
      variant(windowSolution, 'const near = Math.abs(i - j) < w;', 'const near = j <= i && i - j < w;'),
      // Globals that attend everything but that nobody attends back.
      variant(windowSolution, 'isGlobal.has(i) || isGlobal.has(j)', 'isGlobal.has(i)'),
    ],
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Code cell: Linformer's projected attention for one head.

const linformerSolution = `function linformer(Q: number[][], K: number[][], V: number[][], E: number[][], F: number[][]): number[][] {
  const matmul = (A: number[][], B: number[][]) =>
    A.map((row) => B[0].map((_, j) => row.reduce((s, a, t) => s + a * B[t][j], 0)));
  // Project along the sequence: (k, T) @ (T, d) → (k, d). The queries keep all T rows.
  const Kp = matmul(E, K);
  const Vp = matmul(F, V);
  const d = Q[0].length;
  return Q.map((q) => {
    // One query's k scores instead of T.
    const s = Kp.map((key) => q.reduce((acc, qi, c) => acc + qi * key[c], 0) / Math.sqrt(d));
    const m = Math.max(...s);
    const e = s.map((v) => Math.exp(v - m));
    const z = e.reduce((a, b) => a + b, 0);
    return Vp[0].map((_, c) => e.reduce((acc, w, r) => acc + (w / z) * Vp[r][c], 0));
  });
}
`;

export const linformerCell: CodeExercise = {
  kind: 'code',
  id: 'w1920-linformer-code',
  prompt: html`Write Linformer's attention for one head. <code>Q</code>, <code>K</code> and <code>V</code> are T × d
    (one row per position); <code>E</code> and <code>F</code> are k × T. Project the keys and values along the
    sequence, K' = E·K and V' = F·V (each k × d), then return softmax(Q K'ᵀ / √d) V', a T × d array with the softmax
    along each row. Each query now has k scores instead of T. Check compares with the engine computing the same
    thing as <code>nn.MultiHeadAttention</code>'s <code>linformer</code> option does.`,
  name: 'linformer',
  signature: 'linformer(Q: number[][], K: number[][], V: number[][], E: number[][], F: number[][]): number[][]',
  language: 'typescript',
  starter: `function linformer(Q: number[][], K: number[][], V: number[][], E: number[][], F: number[][]): number[][] {
  // 1. K' = E K and V' = F V: (k, T) @ (T, d).
  // 2. Scores Q K'ᵀ / √d, softmax along each row (T × k).
  // 3. Weights times V'.
  return Q.map((q) => q.map(() => 0));
}
`,
  solution: linformerSolution,
  hints: [
    'A small matmul helper does most of the work: (A·B)[i][j] = Σ_t A[i][t]·B[t][j]. E·K multiplies a k × T matrix by a T × d one.',
    'Only the keys and the values are projected: the output still needs one row per query, so Q keeps its T rows.',
    'Row i of the weights has k entries, one per projected key; they multiply the k rows of V′ = F·V, not the first k rows of V.',
  ],
  example: () => {
    const r = metrics.seededRandom(4);
    return [matrix(r, 6, 3), matrix(r, 6, 3), matrix(r, 6, 3), matrix(r, 2, 6), matrix(r, 2, 6)];
  },
  cases: (seed) => {
    const r = metrics.seededRandom(seed);
    const c = (T: number, d: number, k: number): CodeArgs => [matrix(r, T, d), matrix(r, T, d), matrix(r, T, d), matrix(r, k, T), matrix(r, k, T)];
    // k = 1; k < T at odd sizes; k = T (E, F square).
    return [c(3, 2, 1), c(7, 3, 2), c(9, 4, 3), c(5, 5, 5), c(12, 2, 4)];
  },
  reference: (...args: CodeArgs) => efficient.linformerReference(...(args as [Matrix, Matrix, Matrix, Matrix, Matrix])),
  // The engine computes in float32.
  compare: (got, want, args) => defaultCompare(got, want, args, { atol: 1e-5, rtol: 1e-4 }),
  demo: {
    wrong: [
      // Projecting the queries instead of the keys and values: k output rows, and every key still scored.
      `function linformer(Q: number[][], K: number[][], V: number[][], E: number[][], F: number[][]): number[][] {
  const matmul = (A: number[][], B: number[][]) => A.map((row) => B[0].map((_, j) => row.reduce((s, a, t) => s + a * B[t][j], 0)));
  const Qp = matmul(E, Q);
  const d = Q[0].length;
  return Qp.map((q) => {
    const s = K.map((key) => q.reduce((acc, qi, c) => acc + qi * key[c], 0) / Math.sqrt(d));
    const m = Math.max(...s);
    const e = s.map((v) => Math.exp(v - m));
    const z = e.reduce((a, b) => a + b, 0);
    return V[0].map((_, c) => e.reduce((acc, w, r) => acc + (w / z) * V[r][c], 0));
  });
}
`,
      // Forgetting to project V: the k weights land on V's first k rows.
      variant(linformerSolution, 'const Vp = matmul(F, V);', 'const Vp = V;'),
      // Scaled by √k (the number of projected keys) instead of √d.
      variant(linformerSolution, 'const d = Q[0].length;', 'const d = E.length;'),
    ],
  },
};

export const linformerCausal: ChoiceExercise = {
  kind: 'choice',
  id: 'w1920-linformer-causal',
  prompt: 'Why can Linformer not be used as it is in a GPT-style decoder, where query i may only use positions ≤ i?',
  options: [
    'Each projected key is a weighted sum over all T positions, the future included, so no mask over the k projected keys can hide the future.',
    'The (T × k) score matrix is too small to hold a causal mask.',
    'Its softmax runs over the queries instead of the keys.',
    'It can: put the usual causal mask on the T × T scores before projecting.',
  ],
  correct: 0,
  explain: 'Row r of K′ = E·K is Σ_j E[r][j]·K[j] over every position j. A causal mask needs to switch off individual key positions for each query, but after the projection there are no positions left to switch off: every one of the k keys already mixes the future in. There is no T × T score matrix to mask either; avoiding it is the point. The engine refuses causal: true with its linformer option for this reason.',
  demo: { wrong: 3 },
};

// ---------------------------------------------------------------------------------------------------------------
// Code cell: the linear recurrence, one step at a time.

const recurrenceSolution = `function recurrence(a: number[][], x: number[][]): number[][] {
  const D = a[0].length;
  let h: number[] = new Array(D).fill(0); // h before the first step
  const out: number[][] = [];
  for (let t = 0; t < a.length; t++) {
    // One step: keep a_t of the old state, add the new input.
    h = h.map((hd, d) => a[t][d] * hd + x[t][d]);
    out.push(h);
  }
  return out;
}
`;

export const recurrenceCell: CodeExercise = {
  kind: 'code',
  id: 'w1920-recurrence-code',
  prompt: html`Run the linear recurrence of a state-space layer, one step at a time: starting from h = 0, for
    t = 0, 1, …, T − 1 set h ← a<sub>t</sub> ⊙ h + x<sub>t</sub> (⊙ is elementwise, over the D channels) and record h.
    <code>a</code> and <code>x</code> are T × D; return the T × D array of states h<sub>0</sub> … h<sub>T−1</sub>.
    Check compares with the engine's <code>functional.scan(a, x)</code>.`,
  name: 'recurrence',
  signature: 'recurrence(a: number[][], x: number[][]): number[][]',
  language: 'typescript',
  starter: `function recurrence(a: number[][], x: number[][]): number[][] {
  // h = 0; for each t: h = a[t] * h + x[t] (per channel); record h.
  return a.map((row) => row.map(() => 0));
}
`,
  solution: recurrenceSolution,
  hints: [
    'Keep one state vector h of length D, starting at zeros, and push a copy of it after each step.',
    'The decay multiplies only the old state: h_t = a_t·h_{t−1} + x_t. The new input is added after the decay, at full strength.',
    'Record the state after the step, so the first row of the answer is h_0 = x_0.',
  ],
  example: () => [[[0.5], [0.5], [0.5], [0.5]], [[1], [0], [0], [1]]],
  cases: (seed) => {
    const r = metrics.seededRandom(seed);
    const c = (T: number, D: number): CodeArgs => [matrix(r, T, D, -0.95, 0.95), matrix(r, T, D, -2, 2)];
    // One step; odd sizes; decays near ±1 (long memory).
    return [c(1, 1), c(5, 3), c(7, 2), c(12, 5), [[[0.99, -0.99], [0.99, -0.99], [0.99, -0.99]], [[1, 1], [0.5, 0.5], [-1, 2]]]];
  },
  reference: (...args: CodeArgs) => efficient.scanReference(args[0] as Matrix, args[1] as Matrix),
  compare: (got, want, args) => defaultCompare(got, want, args, { atol: 1e-5, rtol: 1e-4 }),
  demo: {
    wrong: [
      // The decay applied to the new input as well: h = a·(h + x).
      variant(recurrenceSolution, 'a[t][d] * hd + x[t][d]', 'a[t][d] * (hd + x[t][d])'),
      // Recording the state before the step: one step late, with h_{−1} = 0 first.
      variant(recurrenceSolution, `    h = h.map((hd, d) => a[t][d] * hd + x[t][d]);
    out.push(h);`, `    out.push(h);
    h = h.map((hd, d) => a[t][d] * hd + x[t][d]);`),
    ],
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Code cell: the scan's combine rule.

interface Pair {
  a: number[];
  x: number[];
}

const combineSolution = `function combine(first: { a: number[]; x: number[] }, second: { a: number[]; x: number[] }): { a: number[]; x: number[] } {
  // Doing first then second: h ↦ a2·(a1·h + x1) + x2 = (a1·a2)·h + (a2·x1 + x2).
  return {
    a: first.a.map((a1, d) => a1 * second.a[d]),
    x: first.x.map((x1, d) => second.a[d] * x1 + second.x[d]),
  };
}
`;

/** Both halves of a pair within the float32 engine's rounding; names the half and the channel that differ. */
function comparePairs(got: unknown, want: unknown, args: CodeArgs): CheckResult {
  const g = got as Partial<Pair> | null;
  const w = want as Pair;
  if (typeof g !== 'object' || g === null || !Array.isArray(g.a) || !Array.isArray(g.x)) {
    return { ok: false, message: `Return an object { a, x } of two arrays, got ${JSON.stringify(got)?.slice(0, 80) ?? String(got)}.` };
  }
  for (const part of ['a', 'x'] as const) {
    const r = defaultCompare(g[part], w[part], args, { atol: 1e-5, rtol: 1e-4 });
    if (!r.ok) return { ok: false, message: `The ${part} part: ${r.message}` };
  }
  return { ok: true, message: 'Both parts match the engine’s two-step scan.' };
}

export const combineCell: CodeExercise = {
  kind: 'code',
  id: 'w1920-combine-code',
  prompt: html`A step of the recurrence is a pair (a, x): it maps a state h to a ⊙ h + x. Doing one step and then
    another is again such a step, and that is what lets a GPU run the recurrence as a parallel scan. Write
    <code>combine(first, second)</code>: the single pair equal to applying <code>first</code> and then
    <code>second</code>. Both are <code>{ a, x }</code> with arrays of D channels. Check compares with the engine's
    <code>functional.scan</code> run over the two steps.`,
  name: 'combine',
  signature: 'combine(first: { a: number[]; x: number[] }, second: { a: number[]; x: number[] }): { a: number[]; x: number[] }',
  language: 'typescript',
  starter: `function combine(first: { a: number[]; x: number[] }, second: { a: number[]; x: number[] }): { a: number[]; x: number[] } {
  // Write out second(first(h)) and read off the new a and x.
  return { a: first.a, x: first.x };
}
`,
  solution: combineSolution,
  hints: [
    'Apply the steps to a state h by hand: first gives a1·h + x1; feed that to second.',
    'second(first(h)) = a2·(a1·h + x1) + x2. Collect the terms in h and the rest.',
    'The decays multiply (a1·a2), and the first input is decayed by the second step’s a (a2·x1), not the other way round: the order matters.',
  ],
  example: () => [{ a: [0.5], x: [1] }, { a: [0.5], x: [2] }],
  cases: (seed) => {
    const r = metrics.seededRandom(seed);
    const pair = (D: number): Pair => ({ a: matrix(r, 1, D, -1, 1)[0], x: matrix(r, 1, D, -2, 2)[0] });
    return [1, 3, 4, 7].map((D) => [pair(D), pair(D)]);
  },
  reference: (...args: CodeArgs) => efficient.combineReference(args[0] as Pair, args[1] as Pair),
  compare: comparePairs,
  demo: {
    wrong: [
      // In the wrong order: second then first.
      variant(combineSolution, 'x: first.x.map((x1, d) => second.a[d] * x1 + second.x[d]),', 'x: first.x.map((x1, d) => first.a[d] * second.x[d] + x1),'),
      // Decays added instead of multiplied.
      variant(combineSolution, 'a: first.a.map((a1, d) => a1 * second.a[d]),', 'a: first.a.map((a1, d) => a1 + second.a[d]),'),
    ],
  },
};
