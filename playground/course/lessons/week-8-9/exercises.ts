// Weeks 8-9's exercises and their checkers. Every answer comes from the engine: the Perceptron class, Novikoff's
// bound, and autograd for the two gradients; nothing here touches the DOM, so test/course.week-8-9.test.ts runs
// them all, wrong solutions included.
import { html } from 'lit';
import { tensor, functional, metrics, Perceptron, type Tensor } from '../../../../engine/index';
import { defaultCompare, fmtNumber } from '../../compare';
import type { CheckResult, ChoiceExercise, CodeArgs, CodeExercise, NumberExercise } from '../../types';
import { runPerceptron, separableBound, separableSet, xorSet } from './data';

// ---------------------------------------------------------------------------------------------------------------
// Choice: why the perceptron cannot learn XOR.

const XOR_OPTIONS = [
  'It needs more epochs: with enough passes it reaches 100%.',
  'No line puts (0,1) and (1,0) on one side and (0,0) and (1,1) on the other, so no weights can be right on all four.',
  'Its learning rate is too large; a smaller one would converge.',
  'XOR needs more data points than four.',
];

export const xorChoice: ChoiceExercise = {
  kind: 'choice',
  id: 'w89-xor-why',
  prompt: 'The perceptron never stops making mistakes on the four XOR points. Why?',
  options: XOR_OPTIONS,
  correct: 1,
  explain:
    'If w·x + b > 0 at (0,1) and at (1,0), adding the two gives w₁ + w₂ + 2b > 0; if it is ≤ 0 at (0,0) and (1,1), ' +
    'adding those gives w₁ + w₂ + 2b ≤ 0. Both cannot hold, so every line gets at least one point wrong, whatever the ' +
    'epochs or the learning rate. From zero weights the learning rate only rescales w and b and changes no prediction.',
  demo: { wrong: 0 },
};

// ---------------------------------------------------------------------------------------------------------------
// Number: Novikoff's bound on the separable set.

export const boundExercise: NumberExercise = {
  kind: 'number',
  id: 'w89-mistake-bound',
  prompt: html`On the separable set above, every point lies within R of the origin (counting the bias input, so
    R = max ‖(x, 1)‖) and the generating line separates the classes with margin γ (after scaling (w, b) to length 1).
    The widget’s table shows R and γ. How many mistakes can the perceptron make at most, before it stops, by
    Novikoff’s theorem? Give (R/γ)², rounded down.`,
  answer: () => Math.floor(separableBound().bound),
  tolerance: 0.5,
  explain:
    'Each mistake pushes (w, b) at least γ further along the separating direction, and grows its squared length by at ' +
    'most R². After k mistakes kγ ≤ ‖(w, b)‖ ≤ √k·R, so k ≤ (R/γ)². The actual count is usually far below the bound.',
  demo: { right: Math.floor(separableBound().bound), wrong: Math.floor(separableBound().R / separableBound().gamma) },
};

// ---------------------------------------------------------------------------------------------------------------
// Code cell: one perceptron update.

type Vec = number[];

/** The engine's update: a mistake when y·(w·x + b) ≤ 0 (labels ±1, step 1), decided by Perceptron.score. */
function perceptronStep(w: Vec, b: number, x: Vec, y: number): Vec {
  const p = new Perceptron();
  p.weights = [...w];
  p.bias = b;
  if (y * p.score(x) > 0) return [...w, b];
  return [...w.map((wi, j) => wi + y * x[j]), b + y];
}

function smallInt(r: () => number): number {
  return Math.floor(r() * 7) - 3;
}

function updateCase(r: () => number, d: number, wZero = false): CodeArgs {
  const w = Array.from({ length: d }, () => (wZero ? 0 : smallInt(r)));
  const x = Array.from({ length: d }, () => smallInt(r));
  return [w, wZero ? 0 : smallInt(r), x, r() < 0.5 ? -1 : 1];
}

export const perceptronCell: CodeExercise = {
  kind: 'code',
  id: 'w89-perceptron-update',
  prompt: html`Write one step of the perceptron rule. Given the weights <code>w</code>, the bias <code>b</code>, one
    example <code>x</code> and its label <code>y</code> (−1 or +1), return the new weights with the new bias appended,
    <code>[...w, b]</code>. Update only on a mistake, and count a score of exactly 0 as a mistake (so that training
    can start from zero weights). Check compares with the engine’s <code>Perceptron</code> on many cases.`,
  name: 'perceptronUpdate',
  signature: 'perceptronUpdate(w: number[], b: number, x: number[], y: number): number[]',
  language: 'typescript',
  starter: `function perceptronUpdate(w: number[], b: number, x: number[], y: number): number[] {
  // 1. The score s = w·x + b.
  // 2. A mistake when y·s ≤ 0: then w ← w + y·x and b ← b + y.
  return [...w, b];
}
`,
  solution: `function perceptronUpdate(w: number[], b: number, x: number[], y: number): number[] {
  let s = b;
  for (let j = 0; j < w.length; j++) s += w[j] * x[j];
  if (y * s > 0) return [...w, b]; // right, with room: nothing to learn
  return [...w.map((wj, j) => wj + y * x[j]), b + y];
}
`,
  hints: [
    'The score is s = b + Σ w[j]·x[j]. The prediction is right when y and s have the same sign, that is when y·s > 0.',
    'On a mistake, move w towards y·x: each w[j] becomes w[j] + y·x[j], and the bias, whose input is always 1, becomes b + y.',
    'A score of 0 is a mistake too: from zero weights every score is 0, and without that rule nothing would ever be learned.',
  ],
  example: () => [[0, 0], 0, [1, 2], 1],
  cases: (seed) => {
    const r = metrics.seededRandom(seed);
    const out: CodeArgs[] = [updateCase(r, 1, true), updateCase(r, 2, true), updateCase(r, 7, true)];
    for (let i = 0; i < 12; i++) out.push(updateCase(r, [1, 2, 3, 7][i % 4]));
    // A right answer, which must leave w and b alone, and one on the boundary (score exactly 0), which must not.
    out.push([[1, 1], 0, [2, 1], 1], [[1, -1], 0, [1, 1], -1], [[2, 0], -1, [0, 3], -1]);
    return out;
  },
  reference: (...args: CodeArgs) => perceptronStep(...(args as [Vec, number, Vec, number])),
  compare: (got, want, args) => {
    const r = defaultCompare(got, want, args);
    if (r.ok) return r;
    const [w, b, x, y] = args as [Vec, number, Vec, number];
    const s = w.reduce((acc, wj, j) => acc + wj * x[j], b);
    return { ok: false, message: `${r.message} Here the score is ${s} and y = ${y}, so y·s = ${y * s}: ${y * s > 0 ? 'a right answer, which must change nothing' : 'a mistake, which must update w and b'}.` };
  },
  demo: {
    wrong: [
      // Updates on every example, right or wrong.
      `function perceptronUpdate(w: number[], b: number, x: number[], y: number): number[] {
  return [...w.map((wj, j) => wj + y * x[j]), b + y];
}`,
      // A strict test: a score of 0 is taken as right, so nothing is learned from zero weights.
      `function perceptronUpdate(w: number[], b: number, x: number[], y: number): number[] {
  let s = b;
  for (let j = 0; j < w.length; j++) s += w[j] * x[j];
  if (y * s >= 0) return [...w, b];
  return [...w.map((wj, j) => wj + y * x[j]), b + y];
}`,
      // The bias is never updated.
      `function perceptronUpdate(w: number[], b: number, x: number[], y: number): number[] {
  let s = b;
  for (let j = 0; j < w.length; j++) s += w[j] * x[j];
  if (y * s > 0) return [...w, b];
  return [...w.map((wj, j) => wj + y * x[j]), b];
}`,
      // The step goes the wrong way.
      `function perceptronUpdate(w: number[], b: number, x: number[], y: number): number[] {
  let s = b;
  for (let j = 0; j < w.length; j++) s += w[j] * x[j];
  if (y * s > 0) return [...w, b];
  return [...w.map((wj, j) => wj - y * x[j]), b - y];
}`,
    ],
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Code cell: the gradient of softmax + cross-entropy with respect to the logits, checked against autograd.

/** d(−log softmax(z)[t]) / dz by the engine's autograd through its fused cross-entropy. */
export async function autogradXentGrad(logits: Vec, target: number): Promise<number[]> {
  const C = logits.length;
  const z = tensor(logits, [1, C], { requiresGrad: true, device: 'cpu' }); // (1, C)
  const t = tensor(Int32Array.from([target]), [1], { device: 'cpu' }); // (1)
  const loss = functional.crossEntropy(z, t);
  try {
    loss.backward();
    return Array.from(await (z.grad as Tensor).toArray());
  } finally {
    for (const x of [z, t, loss]) x.dispose();
  }
}

function logitsCase(r: () => number, C: number, scale: number, shift = 0): CodeArgs {
  const normal = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  return [Array.from({ length: C }, () => Math.fround(shift + scale * normal())), Math.floor(r() * C)];
}

export const softmaxGradCell: CodeExercise = {
  kind: 'code',
  id: 'w89-softmax-xent-grad',
  prompt: html`The loss of one example with logits <code>z</code> and true class <code>t</code> is
    −log softmax(<code>z</code>)[<code>t</code>]. Return its gradient with respect to every logit, an array as long as
    <code>z</code>. Work it out on paper first: the answer is short. Check compares with the gradient the engine’s
    autograd puts into <code>z</code> after <code>backward()</code>, on logits up to ±1000.`,
  name: 'softmaxXentGrad',
  signature: 'softmaxXentGrad(z: number[], t: number): number[]',
  language: 'typescript',
  starter: `function softmaxXentGrad(z: number[], t: number): number[] {
  // d loss / d z[i] for every i.
  return z.map(() => 0);
}
`,
  solution: `function softmaxXentGrad(z: number[], t: number): number[] {
  const m = Math.max(...z); // subtracted so that no exp() overflows
  const e = z.map((v) => Math.exp(v - m));
  const sum = e.reduce((a, b) => a + b, 0);
  // d(−log p_t)/dz_i = p_i − [i = t]: softmax minus one-hot.
  return e.map((v, i) => v / sum - (i === t ? 1 : 0));
}
`,
  hints: [
    '−log softmax(z)[t] = log Σ exp(z_j) − z_t. Differentiate each of the two terms with respect to z_i.',
    'The first term gives exp(z_i) / Σ exp(z_j) = softmax(z)_i; the second gives 1 when i = t and 0 otherwise.',
    'Compute the softmax with the largest logit subtracted first, or exp(1000) overflows to Infinity.',
  ],
  example: () => [[2, 1, 0.1], 0],
  cases: (seed) => {
    const r = metrics.seededRandom(seed);
    return [logitsCase(r, 2, 1), logitsCase(r, 3, 2), logitsCase(r, 10, 3), logitsCase(r, 33, 1), logitsCase(r, 7, 2, 1000), [[1000, -1000, 0], 1]];
  },
  reference: (...args: CodeArgs) => autogradXentGrad(...(args as [Vec, number])),
  // Autograd runs in float32: each entry carries about 1e-7 of rounding, far below any wrong formula's error.
  compare: (got, want, args) => defaultCompare(got, want, args, { atol: 1e-5, rtol: 1e-4 }),
  demo: {
    wrong: [
      // The softmax alone: the one-hot term forgotten.
      `function softmaxXentGrad(z: number[], t: number): number[] {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}`,
      // The sign flipped: one-hot minus softmax is the direction of descent, not the gradient.
      `function softmaxXentGrad(z: number[], t: number): number[] {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v, i) => (i === t ? 1 : 0) - v / s);
}`,
      // No max subtracted: exp(1000) is Infinity and Infinity/Infinity is NaN.
      `function softmaxXentGrad(z: number[], t: number): number[] {
  const e = z.map((v) => Math.exp(v));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v, i) => v / s - (i === t ? 1 : 0));
}`,
    ],
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Code cell: forward and backward of a two-layer MLP by hand, checked against autograd.

type Mat = number[][];
export interface MlpGrads {
  dW1: Mat;
  db1: Vec;
  dW2: Mat;
  db2: Vec;
}

/** The gradients of −log softmax(tanh(x·W1 + b1)·W2 + b2)[t] by the engine's autograd. */
export async function autogradMlpGrads(x: Vec, W1: Mat, b1: Vec, W2: Mat, b2: Vec, t: number): Promise<MlpGrads> {
  const D = x.length;
  const H = b1.length;
  const C = b2.length;
  const opt = { requiresGrad: true, device: 'cpu' as const };
  const xt = tensor(x, [1, D], { device: 'cpu' }); // (1, D)
  const w1 = tensor(W1.flat(), [D, H], opt); // (D, H)
  const c1 = tensor(b1, [H], opt); // (H)
  const w2 = tensor(W2.flat(), [H, C], opt); // (H, C)
  const c2 = tensor(b2, [C], opt); // (C)
  const tt = tensor(Int32Array.from([t]), [1], { device: 'cpu' });
  const loss = functional.crossEntropy(xt.matmul(w1).add(c1).tanh().matmul(w2).add(c2), tt); // (1, C) logits → loss
  try {
    loss.backward();
    const read = async (p: Tensor) => Array.from(await (p.grad as Tensor).toArray());
    const rows = (flat: number[], cols: number): Mat => Array.from({ length: flat.length / cols }, (_, i) => flat.slice(i * cols, (i + 1) * cols));
    return { dW1: rows(await read(w1), H), db1: await read(c1), dW2: rows(await read(w2), C), db2: await read(c2) };
  } finally {
    for (const p of [xt, w1, c1, w2, c2, tt, loss]) p.dispose();
  }
}

function mlpCase(r: () => number, D: number, H: number, C: number): CodeArgs {
  const u = () => Math.fround(2 * r() - 1);
  const mat = (a: number, b: number) => Array.from({ length: a }, () => Array.from({ length: b }, u));
  return [Array.from({ length: D }, u), mat(D, H), Array.from({ length: H }, u), mat(H, C), Array.from({ length: C }, u), Math.floor(r() * C)];
}

export function compareMlpGrads(got: unknown, want: unknown, args: CodeArgs): CheckResult {
  if (typeof got !== 'object' || got === null) return { ok: false, message: 'Return an object { dW1, db1, dW2, db2 }.' };
  const g = got as Record<string, unknown>;
  const w = want as MlpGrads;
  for (const key of ['dW2', 'db2', 'dW1', 'db1'] as const) {
    if (!(key in g)) return { ok: false, message: `Your result has no ${key}. Return { dW1, db1, dW2, db2 }.` };
    const r = defaultCompare(g[key], w[key], args, { atol: 1e-5, rtol: 1e-4 });
    if (!r.ok) return { ok: false, message: `${key}: ${r.message}` };
  }
  return { ok: true, message: `All four gradients match autograd (largest |dW1| entry ${fmtNumber(Math.max(...w.dW1.flat().map(Math.abs)))}).` };
}

export const mlpCell: CodeExercise = {
  kind: 'code',
  id: 'w89-mlp-backprop',
  prompt: html`A two-layer network: h = tanh(x·W1 + b1), z = h·W2 + b2, loss = −log softmax(z)[t]. Here
    <code>x</code> is one example (length D), <code>W1</code> is D×H, <code>W2</code> is H×C, and rows of a matrix
    are its first index. Run the forward pass, then the backward pass, and return
    <code>{ dW1, db1, dW2, db2 }</code>, each shaped like its parameter. Check compares with the engine’s autograd.`,
  name: 'mlpGrads',
  signature: 'mlpGrads(x: number[], W1: number[][], b1: number[], W2: number[][], b2: number[], t: number): { dW1: number[][]; db1: number[]; dW2: number[][]; db2: number[] }',
  language: 'typescript',
  starter: `function mlpGrads(x: number[], W1: number[][], b1: number[], W2: number[][], b2: number[], t: number) {
  // Forward: a = x·W1 + b1, h = tanh(a), z = h·W2 + b2, p = softmax(z).
  // Backward: dz = p − onehot(t), then dW2, db2, dh, da, dW1, db1.
  const dW1 = W1.map((row) => row.map(() => 0));
  const dW2 = W2.map((row) => row.map(() => 0));
  return { dW1, db1: b1.map(() => 0), dW2, db2: b2.map(() => 0) };
}
`,
  solution: `function mlpGrads(x: number[], W1: number[][], b1: number[], W2: number[][], b2: number[], t: number) {
  // Forward.
  const h = b1.map((bj, j) => Math.tanh(x.reduce((s, xi, i) => s + xi * W1[i][j], bj))); // (H)
  const z = b2.map((bk, k) => h.reduce((s, hj, j) => s + hj * W2[j][k], bk)); // (C)
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const sum = e.reduce((a, b) => a + b, 0);
  // Backward.
  const dz = e.map((v, k) => v / sum - (k === t ? 1 : 0)); // softmax − one-hot
  const dW2 = h.map((hj) => dz.map((dk) => hj * dk)); // outer(h, dz): (H, C)
  const dh = W2.map((row) => row.reduce((s, w, k) => s + w * dz[k], 0)); // W2 · dz: (H)
  const da = dh.map((g, j) => g * (1 - h[j] * h[j])); // tanh'(a) = 1 − tanh(a)²
  const dW1 = x.map((xi) => da.map((dj) => xi * dj)); // outer(x, da): (D, H)
  return { dW1, db1: da, dW2, db2: dz };
}
`,
  hints: [
    'Start at the end: the gradient of the loss with respect to the logits z is softmax(z) − onehot(t).',
    'z = h·W2 + b2, so dW2[j][k] = h[j]·dz[k], db2 = dz, and dh[j] = Σ_k W2[j][k]·dz[k].',
    'Through the tanh: da[j] = dh[j]·(1 − h[j]²). Then dW1[i][j] = x[i]·da[j] and db1 = da.',
  ],
  example: () => [[1, 0], [[0.5, -0.4], [0.3, 0.8]], [0.1, -0.1], [[1.2, -0.7], [-0.6, 0.9]], [0, 0.2], 1],
  cases: (seed) => {
    const r = metrics.seededRandom(seed);
    return [mlpCase(r, 2, 2, 2), mlpCase(r, 3, 4, 2), mlpCase(r, 1, 7, 3), mlpCase(r, 5, 3, 10)];
  },
  reference: (...args: CodeArgs) => autogradMlpGrads(...(args as [Vec, Mat, Vec, Mat, Vec, number])),
  compare: compareMlpGrads,
  demo: {
    wrong: [
      // The tanh's derivative left out: da = dh.
      `function mlpGrads(x: number[], W1: number[][], b1: number[], W2: number[][], b2: number[], t: number) {
  const h = b1.map((bj, j) => Math.tanh(x.reduce((s, xi, i) => s + xi * W1[i][j], bj)));
  const z = b2.map((bk, k) => h.reduce((s, hj, j) => s + hj * W2[j][k], bk));
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const sum = e.reduce((a, b) => a + b, 0);
  const dz = e.map((v, k) => v / sum - (k === t ? 1 : 0));
  const dW2 = h.map((hj) => dz.map((dk) => hj * dk));
  const da = W2.map((row) => row.reduce((s, w, k) => s + w * dz[k], 0));
  const dW1 = x.map((xi) => da.map((dj) => xi * dj));
  return { dW1, db1: da, dW2, db2: dz };
}`,
      // dh through W2's columns instead of its rows (W2 not transposed): right only when W2 is square and symmetric.
      `function mlpGrads(x: number[], W1: number[][], b1: number[], W2: number[][], b2: number[], t: number) {
  const h = b1.map((bj, j) => Math.tanh(x.reduce((s, xi, i) => s + xi * W1[i][j], bj)));
  const z = b2.map((bk, k) => h.reduce((s, hj, j) => s + hj * W2[j][k], bk));
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const sum = e.reduce((a, b) => a + b, 0);
  const dz = e.map((v, k) => v / sum - (k === t ? 1 : 0));
  const dW2 = h.map((hj) => dz.map((dk) => hj * dk));
  const dh = h.map((_, j) => dz.reduce((s, dk, k) => s + (W2[k]?.[j] ?? 0) * dk, 0));
  const da = dh.map((g, j) => g * (1 - h[j] * h[j]));
  const dW1 = x.map((xi) => da.map((dj) => xi * dj));
  return { dW1, db1: da, dW2, db2: dz };
}`,
      // The tanh's derivative taken at h instead of a: 1 − tanh(h)².
      `function mlpGrads(x: number[], W1: number[][], b1: number[], W2: number[][], b2: number[], t: number) {
  const h = b1.map((bj, j) => Math.tanh(x.reduce((s, xi, i) => s + xi * W1[i][j], bj)));
  const z = b2.map((bk, k) => h.reduce((s, hj, j) => s + hj * W2[j][k], bk));
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const sum = e.reduce((a, b) => a + b, 0);
  const dz = e.map((v, k) => v / sum - (k === t ? 1 : 0));
  const dW2 = h.map((hj) => dz.map((dk) => hj * dk));
  const dh = W2.map((row) => row.reduce((s, w, k) => s + w * dz[k], 0));
  const da = dh.map((g, j) => g * (1 - Math.tanh(h[j]) ** 2));
  const dW1 = x.map((xi) => da.map((dj) => xi * dj));
  return { dW1, db1: da, dW2, db2: dz };
}`,
    ],
  },
};

/** For the lesson text: the perceptron on both data sets, with the epochs the page uses. */
export const PAGE_EPOCHS = 50;
export const separableRun = () => runPerceptron(separableSet(), PAGE_EPOCHS);
export const xorRun = () => runPerceptron(xorSet(), PAGE_EPOCHS);
