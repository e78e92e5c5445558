// Weeks 5-6's exercises and their checkers. Every answer is computed by the engine (project, norm, matmul, svd's
// storage count); nothing here touches the DOM, so test/course.week-5-6.test.ts runs them all.
import { html } from 'lit';
import { project, norm, tensor, metrics } from '../../../../engine/index';
import { defaultCompare } from '../../compare';
import type { CheckResult, ChoiceExercise, CodeArgs, CodeExercise, NumberExercise, TargetExercise } from '../../types';
import { SIDE } from './compress';

const dot = (u: readonly number[], v: readonly number[]): number => u.reduce((s, x, i) => s + x * v[i], 0);

// ---------------------------------------------------------------------------------------------------------------
// By hand: the length of a projection.

export const HAND_U = [3, 4];
export const HAND_V = [4, 3];

export const projectionLength: NumberExercise = {
  kind: 'number',
  id: 'w56-projection-length',
  prompt: `Let u = (${HAND_U.join(', ')}) and v = (${HAND_V.join(', ')}). How long is the projection of u onto the line through v? (Its length, a single number.)`,
  answer: () => norm(project(HAND_U, HAND_V)),
  tolerance: 0.01,
  explain:
    `u·v = ${dot(HAND_U, HAND_V)} and ‖v‖ = ${norm(HAND_V)}, so the projection is (u·v/‖v‖²)·v and its length is ` +
    `|u·v|/‖v‖ = ${norm(project(HAND_U, HAND_V))}. Dividing by ‖v‖² instead gives the coefficient in front of v, not a length.`,
  demo: { right: 4.8, wrong: 0.96 },
};

// ---------------------------------------------------------------------------------------------------------------
// Choice: how many numbers a rank-k approximation of a 28×28 image needs.

export const STORE_K = 5;
/** k columns of U, k of V and k singular values. */
export const storedNumbers = (side: number, k: number): number => k * (side + side + 1);
const STORE_OPTIONS = [SIDE * SIDE, STORE_K * SIDE, storedNumbers(SIDE, STORE_K), STORE_K * STORE_K].map(String);

export const storageChoice: ChoiceExercise = {
  kind: 'choice',
  id: 'w56-storage',
  prompt: `A ${SIDE}×${SIDE} digit is kept as its rank-${STORE_K} approximation. How many numbers must be stored to rebuild it?`,
  options: STORE_OPTIONS,
  correct: STORE_OPTIONS.indexOf(String(storedNumbers(SIDE, STORE_K))),
  explain:
    `Each of the ${STORE_K} terms σ_i·u_i·v_iᵀ needs a column u_i (${SIDE} numbers), a column v_i (${SIDE}) and σ_i (1): ` +
    `${STORE_K} × ${2 * SIDE + 1} = ${storedNumbers(SIDE, STORE_K)} numbers, against ${SIDE * SIDE} for the raw pixels.`,
  demo: { wrong: 0 },
};

// ---------------------------------------------------------------------------------------------------------------
// Drag target: make u perpendicular to v.

export interface VectorPair {
  u: number[];
  v: number[];
}

export const ORTHO_TOLERANCE = 0.05;

function isPair(value: unknown): value is VectorPair {
  const ok = (x: unknown) => Array.isArray(x) && x.length === 2 && x.every((c) => typeof c === 'number' && Number.isFinite(c));
  return typeof value === 'object' && value !== null && ok((value as VectorPair).u) && ok((value as VectorPair).v);
}

export function checkOrthogonal(value: unknown): CheckResult {
  if (!isPair(value)) return { ok: false, message: 'Expected two 2-D vectors u and v with finite coordinates.' };
  const { u, v } = value;
  const nu = norm(u);
  const nv = norm(v);
  if (nu < 1 || nv < 1) return { ok: false, message: `Both arrows must be at least 1 long (‖u‖ = ${nu.toFixed(2)}, ‖v‖ = ${nv.toFixed(2)}): a zero vector is perpendicular to everything, which is no answer.` };
  const cos = dot(u, v) / (nu * nv);
  if (Math.abs(cos) <= ORTHO_TOLERANCE) {
    return { ok: true, message: `Right: u·v = ${dot(u, v).toFixed(3)}, so the projection of u onto v is (almost) the zero vector.` };
  }
  return {
    ok: false,
    message: `u·v = ${dot(u, v).toFixed(3)} and cos θ = ${cos.toFixed(3)}. ` + (cos > 0 ? 'The angle is under 90°: turn u away from v.' : 'The angle is over 90°: turn u back towards v.'),
  };
}

export const orthogonalTarget: TargetExercise = {
  kind: 'target',
  id: 'w56-orthogonal',
  prompt: `Drag u (or type its coordinates) until it is perpendicular to v: |cos θ| at most ${ORTHO_TOLERANCE}, both arrows at least 1 long. Watch the projection shrink to a point.`,
  widget: { tag: 'w56-vectors', props: { value: { u: [3, 1], v: [1, 2] } } },
  check: checkOrthogonal,
  demo: { right: { u: [-2, 1], v: [1, 2] }, wrong: { u: [3, 1], v: [1, 2] } },
};

// ---------------------------------------------------------------------------------------------------------------
// Code cell: the projection of u onto v, checked against the engine's project().

/** A vector of n float32-rounded N(0, 1) entries. */
function randomVector(r: () => number, n: number, scale = 1): number[] {
  const normal = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  return Array.from({ length: n }, () => Math.fround(scale * normal()));
}

export const projectionCell: CodeExercise = {
  kind: 'code',
  id: 'w56-projection-code',
  prompt: html`Write the orthogonal projection of <code>u</code> onto the line through <code>v</code>: the vector along
    <code>v</code> closest to <code>u</code>. Both are arrays of the same length (2, 3 or a few hundred). Check
    compares your result with the engine’s <code>project</code>.`,
  name: 'projectOnto',
  signature: 'projectOnto(u: number[], v: number[]): number[]',
  language: 'typescript',
  starter: `function projectOnto(u: number[], v: number[]): number[] {
  // The projection is a multiple c·v of v. Work out c, then return c·v.
  const c = 0;
  return v.map((x) => c * x);
}
`,
  solution: `function projectOnto(u: number[], v: number[]): number[] {
  // The residual u − c·v must be perpendicular to v: (u − c·v)·v = 0, so c = (u·v)/(v·v).
  let uv = 0;
  let vv = 0;
  for (let i = 0; i < v.length; i++) {
    uv += u[i] * v[i];
    vv += v[i] * v[i];
  }
  const c = uv / vv;
  return v.map((x) => c * x);
}
`,
  hints: [
    'The answer is c·v for one number c. The leftover u − c·v must be perpendicular to v, so its dot product with v is 0.',
    'Solve (u − c·v)·v = 0 for c: c = (u·v)/(v·v). That is ‖v‖², not ‖v‖, in the denominator.',
  ],
  example: () => [[3, 4], [4, 3]],
  cases: (seed) => {
    const r = metrics.seededRandom(seed);
    return [
      [randomVector(r, 2), randomVector(r, 2)],
      [randomVector(r, 3), randomVector(r, 3, 10)],
      [randomVector(r, 7), randomVector(r, 7, 0.1)],
      [randomVector(r, 257), randomVector(r, 257, 3)],
    ];
  },
  reference: (...args: CodeArgs) => {
    const [u, v] = args as [number[], number[]];
    return project(u, v);
  },
  compare: (got, want, args) => defaultCompare(got, want, args, { atol: 1e-9, rtol: 1e-9 }),
  timeoutMs: 2000,
  demo: {
    wrong: [
      // Divided by ‖v‖ instead of ‖v‖²: right direction, wrong length unless ‖v‖ = 1.
      `function projectOnto(u: number[], v: number[]): number[] {
  let uv = 0;
  let vv = 0;
  for (let i = 0; i < v.length; i++) { uv += u[i] * v[i]; vv += v[i] * v[i]; }
  const c = uv / Math.sqrt(vv);
  return v.map((x) => c * x);
}`,
      // Projected v onto u instead of u onto v.
      `function projectOnto(u: number[], v: number[]): number[] {
  let uv = 0;
  let uu = 0;
  for (let i = 0; i < u.length; i++) { uv += u[i] * v[i]; uu += u[i] * u[i]; }
  return u.map((x) => (uv / uu) * x);
}`,
      // Returned the coefficient, not the vector.
      `function projectOnto(u: number[], v: number[]): number[] {
  let uv = 0;
  let vv = 0;
  for (let i = 0; i < v.length; i++) { uv += u[i] * v[i]; vv += v[i] * v[i]; }
  return [uv / vv];
}`,
    ],
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Code cell: matmul by loops, checked against the engine's matmul kernel (on the GPU in the page).

type Matrix = number[][];

function randomMatrix(r: () => number, rows: number, cols: number): Matrix {
  return Array.from({ length: rows }, () => randomVector(r, cols));
}

export const matmulCell: CodeExercise = {
  kind: 'code',
  id: 'w56-matmul-code',
  prompt: html`Multiply two matrices with loops. <code>A</code> has shape (m, n) and <code>B</code> has shape (n, p),
    both as arrays of rows; return the (m, p) product C with C[i][j] = Σ<sub>k</sub> A[i][k]·B[k][j]. Check compares
    your result with the engine’s matmul kernel, which runs on the GPU when the page has one.`,
  name: 'matmul',
  signature: 'matmul(A: number[][], B: number[][]): number[][]',
  language: 'typescript',
  starter: `function matmul(A: number[][], B: number[][]): number[][] {
  const m = A.length;
  const p = B[0].length;
  const C: number[][] = [];
  // Fill C with m rows of p entries each.
  return C;
}
`,
  solution: `function matmul(A: number[][], B: number[][]): number[][] {
  const m = A.length;
  const n = B.length;
  const p = B[0].length;
  const C: number[][] = [];
  for (let i = 0; i < m; i++) {
    const row = new Array<number>(p).fill(0);
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += A[i][k] * B[k][j]; // row i of A · column j of B
      row[j] = s;
    }
    C.push(row);
  }
  return C;
}
`,
  hints: [
    'Entry C[i][j] is the dot product of row i of A with column j of B.',
    'Three loops: i over A’s rows (m), j over B’s columns (p), and k over the shared length n, summing A[i][k]·B[k][j].',
    'Start each sum at 0 inside the j loop, not once outside it.',
  ],
  example: () => [[[1, 2], [3, 4], [5, 6]], [[1, 0, -1], [2, 1, 0]]],
  cases: (seed) => {
    const r = metrics.seededRandom(seed);
    return [
      [randomMatrix(r, 1, 1), randomMatrix(r, 1, 1)],
      [randomMatrix(r, 3, 5), randomMatrix(r, 5, 7)],
      [randomMatrix(r, 7, 1), randomMatrix(r, 1, 4)],
      [randomMatrix(r, 33, 17), randomMatrix(r, 17, 9)],
    ];
  },
  reference: async (...args: CodeArgs) => {
    const [A, B] = args as [Matrix, Matrix];
    const a = tensor(A.flat(), [A.length, A[0].length]); // (m, n)
    const b = tensor(B.flat(), [B.length, B[0].length]); // (n, p)
    const c = a.matmul(b); // (m, p)
    try {
      const flat = await c.toArray();
      const p = B[0].length;
      return Array.from({ length: A.length }, (_, i) => Array.from(flat.slice(i * p, (i + 1) * p)));
    } finally {
      for (const t of [a, b, c]) t.dispose();
    }
  },
  compare: compareMatmul,
  timeoutMs: 2000,
  demo: {
    wrong: [
      // B indexed as if it were transposed: B[j][k] instead of B[k][j].
      `function matmul(A: number[][], B: number[][]): number[][] {
  return A.map((row) => B[0].map((_, j) => row.reduce((s, a, k) => s + a * (B[j]?.[k] ?? 0), 0)));
}`,
      // The sum never reset: each entry carries the ones before it.
      `function matmul(A: number[][], B: number[][]): number[][] {
  const C: number[][] = [];
  let s = 0;
  for (let i = 0; i < A.length; i++) {
    const row: number[] = [];
    for (let j = 0; j < B[0].length; j++) {
      for (let k = 0; k < B.length; k++) s += A[i][k] * B[k][j];
      row.push(s);
    }
    C.push(row);
  }
  return C;
}`,
      // An off-by-one: the sum stops before the last k.
      `function matmul(A: number[][], B: number[][]): number[][] {
  return A.map((row) => B[0].map((_, j) => {
    let s = 0;
    for (let k = 0; k < B.length - 1; k++) s += row[k] * B[k][j];
    return s;
  }));
}`,
    ],
  },
};

/**
 * The GPU sums in float32, so each entry carries rounding of about n float32 ulps of the products; the tolerance
 * allows that and no more. Every wrong loop above is off by O(1).
 */
export function compareMatmul(got: unknown, want: unknown, args: CodeArgs): CheckResult {
  const n = (args[1] as Matrix).length;
  return defaultCompare(got, want, args, { atol: 1e-6 * (n + 1), rtol: 1e-5 });
}
