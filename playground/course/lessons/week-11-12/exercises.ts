// Weeks 11-12's exercises and their checkers: how many weights a causal mask zeroes (counted on the engine's
// attentionSteps), why the fixed-context model fails on long sources, and two code cells: scaled dot-product
// attention with an optional causal mask, checked against the engine's fused attention kernel, and its backward,
// checked against the gradients autograd takes through that kernel.
import { html } from 'lit';
import { functional, metrics, tensor, type DeviceName, type Tensor } from '../../../../engine/index';
import { attentionSteps } from '../../../../engine/course';
import { defaultCompare, fmtNumber } from '../../compare';
import { trainingDevice } from '../../compute';
import type { CheckResult, ChoiceExercise, CodeArgs, CodeExercise, NumberExercise } from '../../types';

type Mat = number[][];

// ---------------------------------------------------------------------------------------------------------------
// Number: the zeros a causal mask leaves in the weights.

/** The causal mask's token count in the question. */
export const MASK_TOKENS = 5;

/** How many of the T×T causal weights are exactly zero, counted on the engine's step-by-step attention. */
export async function causalZeros(T: number): Promise<number> {
  const r = metrics.seededRandom(T);
  const m = () => Array.from({ length: T }, () => [2 * r() - 1, 2 * r() - 1]);
  const s = await attentionSteps(m(), m(), m(), true);
  return s.weights.flat().filter((w) => w === 0).length;
}

export const causalCount: NumberExercise = {
  kind: 'number',
  id: 'w1112-causal-zeros',
  prompt: html`A causal mask lets each token attend only to itself and the tokens before it. With
    ${MASK_TOKENS} tokens the attention weights form a ${MASK_TOKENS}×${MASK_TOKENS} matrix. How many of its
    entries does the mask force to zero?`,
  answer: () => causalZeros(MASK_TOKENS),
  tolerance: 0,
  explain: html`Query i may look at keys 0 to i, so row i keeps i + 1 weights and loses ${MASK_TOKENS} − (i + 1).
    Adding up over the rows gives ${Array.from({ length: MASK_TOKENS }, (_, i) => MASK_TOKENS - 1 - i).join(' + ')} =
    ${MASK_TOKENS * (MASK_TOKENS - 1) / 2}, the entries strictly above the diagonal: T(T − 1)/2. The diagonal stays, because a token may always look at itself. Tick “causal” in the widget above
    and count them.`,
  // Right: the entries above the diagonal. Wrong: the diagonal counted as masked too.
  demo: { right: (MASK_TOKENS * (MASK_TOKENS - 1)) / 2, wrong: (MASK_TOKENS * (MASK_TOKENS + 1)) / 2 },
};

// ---------------------------------------------------------------------------------------------------------------
// Choice: why one vector is not enough.

export const whyFixedFails: ChoiceExercise = {
  kind: 'choice',
  id: 'w1112-why-fixed-fails',
  prompt: 'In the comparison, both models have the same encoder and the same decoder and train on the same batches. Why does the fixed-context model lose accuracy as the source gets longer, while the attention model does not?',
  options: [
    'Its decoder receives the same few numbers however long the source is, so each extra token must share them; attention lets every output step read the encoder state it needs.',
    'It has far fewer parameters than the attention model.',
    'It was trained on short sequences only.',
    'Averaging makes its gradients vanish, so it stops learning after the first steps.',
  ],
  correct: 0,
  explain: 'Both models hold the same weights (the fixed one leaves the key projection unused) and see every length equally often. What differs is the path from source to decoder: a mean of the encoder states is one vector of the model width for any length, so a longer source must be packed into the same numbers, and the decoder cannot pick one token back out. Attention gives each output step its own mixture of the encoder states, weighted by how well its query matches each key, so the state it needs is read directly.',
  demo: { wrong: 1 },
};

// ---------------------------------------------------------------------------------------------------------------
// Code cell: scaled dot-product attention, checked against the fused kernel.

const dims = (m: Mat): [number, number] => [m.length, m[0]?.length ?? 0];
const toRows = (flat: ArrayLike<number>, cols: number): Mat =>
  Array.from({ length: flat.length / cols }, (_, i) => Array.from({ length: cols }, (_, j) => flat[i * cols + j]));
const as4d = (m: Mat, device: DeviceName, requiresGrad = false): Tensor => {
  const [T, d] = dims(m);
  return tensor(m.flat(), [1, 1, T, d], { device, requiresGrad }); // (B = 1, H = 1, T, d)
};

/**
 * Where a case is checked: on the GPU's fused kernel when the page has WebGPU and the kernel serves the head size
 * (it packs rows in vec4s, so d must be a multiple of 4); otherwise on the CPU backend's fused path, the oracle
 * that kernel is itself tested against. The cases mix both, so a Check exercises the GPU where there is one.
 */
export async function checkDevice(d: number): Promise<DeviceName> {
  return d % 4 === 0 ? trainingDevice() : 'cpu';
}

/** softmax(Q Kᵀ / √d) V by the engine's fused attention kernel (one batch, one head), causal when asked. */
export async function fusedAttention(Q: Mat, K: Mat, V: Mat, causal: boolean): Promise<Mat> {
  const device = await checkDevice(Q[0].length);
  const [q, k, v] = [as4d(Q, device), as4d(K, device), as4d(V, device)];
  const o = functional.scaledDotProductAttention(q, k, v, { causal, impl: 'fused' }); // (1, 1, Tq, d)
  try {
    return toRows(await o.toArray(), V[0].length);
  } finally {
    for (const t of [q, k, v, o]) t.dispose();
  }
}

function normalMatrix(r: () => number, rows: number, cols: number, scale: number): Mat {
  const normal = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => Math.fround(scale * normal())));
}

/** [Q, K, V, causal] with Tq queries and Tk keys of width d; scores large enough that a wrong scale shows. */
function attentionCase(r: () => number, Tq: number, Tk: number, d: number, causal: boolean): CodeArgs {
  return [normalMatrix(r, Tq, d, 1.5), normalMatrix(r, Tk, d, 1.5), normalMatrix(r, Tk, d, 1), causal];
}

// float32 in the engine against float64 in the learner's code: about 1e-7 apart, far below any wrong formula's error.
const ATTN_TOL = { atol: 1e-5, rtol: 1e-4 };

const attentionSolution = `function attention(Q: number[][], K: number[][], V: number[][], causal: boolean): number[][] {
  const d = Q[0].length;
  return Q.map((q, i) => {
    // Scores of query i against every key, scaled by 1/√d so their spread does not grow with d.
    const s = K.map((k, j) => (causal && j > i ? -Infinity : q.reduce((acc, qc, c) => acc + qc * k[c], 0) / Math.sqrt(d)));
    // Softmax over the keys (this row), with the row's largest score subtracted so no exp() overflows.
    const m = Math.max(...s);
    const e = s.map((x) => Math.exp(x - m)); // a masked key gives exp(−∞) = 0
    const sum = e.reduce((a, b) => a + b, 0);
    // The output is the weighted mean of the value rows.
    return V[0].map((_, c) => e.reduce((acc, w, j) => acc + (w / sum) * V[j][c], 0));
  });
}
`;

export const attentionCell: CodeExercise = {
  kind: 'code',
  id: 'w1112-attention-code',
  prompt: html`Write scaled dot-product attention for one head: <code>Q</code> is Tq×d (one row per query),
    <code>K</code> is Tk×d and <code>V</code> is Tk×d (one row per key and its value). Return the Tq×d matrix
    softmax(Q Kᵀ / √d) V, the softmax taken over each query's keys. When <code>causal</code> is true (then
    Tq = Tk), query i may only use keys 0 to i: set the other scores to −∞ before the softmax. Check compares your
    result with the engine’s fused attention kernel, <code>functional.scaledDotProductAttention</code>, on the GPU
    for the cases whose d is a multiple of 4 (the kernel’s packing) when this page has WebGPU.`,
  name: 'attention',
  signature: 'attention(Q: number[][], K: number[][], V: number[][], causal: boolean): number[][]',
  language: 'typescript',
  starter: `function attention(Q: number[][], K: number[][], V: number[][], causal: boolean): number[][] {
  // For each query row: scores against every key, scaled; mask if causal; softmax; weighted sum of V's rows.
  return Q.map(() => V[0].map(() => 0));
}
`,
  solution: attentionSolution,
  hints: [
    'Work one query row at a time: its scores are the dot products with every row of K, divided by √d (d is the length of a row of Q).',
    'Under a causal mask, the score of key j for query i is −∞ when j > i. Mask before the softmax, so that each row of weights still sums to 1.',
    'Softmax over the row: subtract the row’s largest score, exponentiate, divide by the sum. The output row is Σ_j weight_j · V[j].',
  ],
  example: () => [[[1, 0], [0, 1], [1, 1]], [[1, 0], [0, 1], [1, 1]], [[1, 2], [3, 4], [5, 6]], true],
  cases: (seed) => {
    const r = metrics.seededRandom(seed);
    return [
      attentionCase(r, 1, 1, 1, false),
      attentionCase(r, 4, 4, 2, true),
      attentionCase(r, 3, 6, 4, false),
      attentionCase(r, 7, 7, 3, true),
      attentionCase(r, 5, 2, 8, false),
      attentionCase(r, 9, 9, 5, true),
    ];
  },
  reference: (...args: CodeArgs) => fusedAttention(...(args as [Mat, Mat, Mat, boolean])),
  compare: (got, want, args) => defaultCompare(got, want, args, ATTN_TOL),
  demo: {
    wrong: [
      // Scaled by d instead of √d: the scores shrink too much and the weights flatten towards the mean.
      `function attention(Q: number[][], K: number[][], V: number[][], causal: boolean): number[][] {
  const d = Q[0].length;
  return Q.map((q, i) => {
    const s = K.map((k, j) => (causal && j > i ? -Infinity : q.reduce((acc, qc, c) => acc + qc * k[c], 0) / d));
    const m = Math.max(...s);
    const e = s.map((x) => Math.exp(x - m));
    const sum = e.reduce((a, b) => a + b, 0);
    return V[0].map((_, c) => e.reduce((acc, w, j) => acc + (w / sum) * V[j][c], 0));
  });
}`,
      // Softmax over the wrong axis: each key's column is normalised over the queries instead of each query's row.
      `function attention(Q: number[][], K: number[][], V: number[][], causal: boolean): number[][] {
  const d = Q[0].length;
  const S = Q.map((q, i) => K.map((k, j) => (causal && j > i ? -Infinity : q.reduce((acc, qc, c) => acc + qc * k[c], 0) / Math.sqrt(d))));
  const W = S.map((row) => row.map(() => 0));
  for (let j = 0; j < K.length; j++) {
    const col = S.map((row) => row[j]);
    const m = Math.max(...col);
    const e = col.map((x) => (x === -Infinity ? 0 : Math.exp(x - m)));
    const sum = e.reduce((a, b) => a + b, 0);
    e.forEach((v, i) => (W[i][j] = v / sum));
  }
  return W.map((w) => V[0].map((_, c) => w.reduce((acc, wj, j) => acc + wj * V[j][c], 0)));
}`,
      // The mask applied after the softmax: future weights zeroed, so each row no longer sums to 1.
      `function attention(Q: number[][], K: number[][], V: number[][], causal: boolean): number[][] {
  const d = Q[0].length;
  return Q.map((q, i) => {
    const s = K.map((k) => q.reduce((acc, qc, c) => acc + qc * k[c], 0) / Math.sqrt(d));
    const m = Math.max(...s);
    const e = s.map((x) => Math.exp(x - m));
    const sum = e.reduce((a, b) => a + b, 0);
    const w = e.map((v, j) => (causal && j > i ? 0 : v / sum));
    return V[0].map((_, c) => w.reduce((acc, wj, j) => acc + wj * V[j][c], 0));
  });
}`,
    ],
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Code cell: the backward of attention, checked against autograd through the fused kernel.

export interface AttentionGrads {
  dQ: Mat;
  dK: Mat;
  dV: Mat;
}

/** dQ, dK and dV of Σ dOut ⊙ attention(Q, K, V) by the engine's autograd through its fused attention kernel. */
export async function autogradAttention(Q: Mat, K: Mat, V: Mat, dOut: Mat, causal: boolean): Promise<AttentionGrads> {
  const device = await checkDevice(Q[0].length);
  const [q, k, v] = [as4d(Q, device, true), as4d(K, device, true), as4d(V, device, true)];
  const g = as4d(dOut, device);
  const o = functional.scaledDotProductAttention(q, k, v, { causal, impl: 'fused' }); // (1, 1, T, d)
  try {
    o.backward(g); // the upstream gradient dL/dOut
    const read = async (t: Tensor) => toRows(await (t.grad as Tensor).toArray(), t.shape[3]);
    return { dQ: await read(q), dK: await read(k), dV: await read(v) };
  } finally {
    for (const t of [q, k, v, g, o]) t.dispose();
  }
}

export function compareAttentionGrads(got: unknown, want: unknown, args: CodeArgs): CheckResult {
  if (typeof got !== 'object' || got === null || Array.isArray(got)) return { ok: false, message: 'Return an object { dQ, dK, dV }.' };
  const g = got as Record<string, unknown>;
  const w = want as AttentionGrads;
  // dV first: it needs only the weights, so a wrong dV points at the forward pass or a transpose.
  for (const key of ['dV', 'dQ', 'dK'] as const) {
    if (!(key in g)) return { ok: false, message: `Your result has no ${key}. Return { dQ, dK, dV }.` };
    const r = defaultCompare(g[key], w[key], args, ATTN_TOL);
    if (!r.ok) return { ok: false, message: `${key}: ${r.message}` };
  }
  return { ok: true, message: `All three gradients match autograd (largest |dQ| entry ${fmtNumber(Math.max(...w.dQ.flat().map(Math.abs)))}).` };
}

function backwardCase(r: () => number, T: number, d: number, causal: boolean): CodeArgs {
  return [normalMatrix(r, T, d, 1.5), normalMatrix(r, T, d, 1.5), normalMatrix(r, T, d, 1), normalMatrix(r, T, d, 1), causal];
}

const backwardPrelude = `  const T = Q.length;
  const d = Q[0].length;
  const s = 1 / Math.sqrt(d);
  const dot = (a: number[], b: number[]) => a.reduce((acc, x, c) => acc + x * b[c], 0);
  // Forward: P = softmax(s·Q Kᵀ) row by row, masked entries exactly 0.
  const P = Q.map((q, i) => {
    const z = K.map((k, j) => (causal && j > i ? -Infinity : s * dot(q, k)));
    const m = Math.max(...z);
    const e = z.map((x) => Math.exp(x - m));
    const sum = e.reduce((a, b) => a + b, 0);
    return e.map((x) => x / sum);
  });
`;

export const backwardCell: CodeExercise = {
  kind: 'code',
  id: 'w1112-attention-backward',
  prompt: html`Now the backward pass. For self-attention on T tokens (<code>Q</code>, <code>K</code>, <code>V</code>
    and the upstream gradient <code>dOut</code> are all T×d), O = softmax(Q Kᵀ / √d, causal when asked) V. Given
    dL/dO = <code>dOut</code>, return <code>{ dQ, dK, dV }</code>, each T×d. Check compares with the gradients the
    engine’s autograd puts into Q, K and V after <code>backward(dOut)</code> through its fused attention kernel (its
    GPU backward kernels where the page has WebGPU and d is a multiple of 4).`,
  name: 'attentionBackward',
  signature: 'attentionBackward(Q: number[][], K: number[][], V: number[][], dOut: number[][], causal: boolean): { dQ: number[][]; dK: number[][]; dV: number[][] }',
  language: 'typescript',
  starter: `function attentionBackward(Q: number[][], K: number[][], V: number[][], dOut: number[][], causal: boolean) {
  // Forward: S = Q Kᵀ / √d (masked), P = softmax(S) by rows, O = P V.
  // Backward: dV = Pᵀ dOut, dP = dOut Vᵀ, dS = the softmax's backward of dP, dQ = dS K / √d, dK = dSᵀ Q / √d.
  const zeros = () => Q.map((row) => row.map(() => 0));
  return { dQ: zeros(), dK: zeros(), dV: zeros() };
}
`,
  solution: `function attentionBackward(Q: number[][], K: number[][], V: number[][], dOut: number[][], causal: boolean) {
${backwardPrelude}  // O = P V, so dV = Pᵀ dOut and dP = dOut Vᵀ.
  const dV = V.map((_, j) => V[0].map((_, c) => P.reduce((acc, row, i) => acc + row[j] * dOut[i][c], 0)));
  const dP = P.map((_, i) => V.map((v) => dot(dOut[i], v)));
  // Softmax backward, row by row: dS = P ⊙ (dP − Σ_j dP·P). Masked entries have P = 0, so dS = 0 there.
  const dS = P.map((p, i) => {
    const D = p.reduce((acc, pj, j) => acc + pj * dP[i][j], 0);
    return p.map((pj, j) => pj * (dP[i][j] - D));
  });
  // S = s·Q Kᵀ, so dQ = s·dS K and dK = s·dSᵀ Q.
  const dQ = Q.map((_, i) => Q[0].map((_, c) => s * dS[i].reduce((acc, g, j) => acc + g * K[j][c], 0)));
  const dK = K.map((_, j) => K[0].map((_, c) => s * dS.reduce((acc, row, i) => acc + row[j] * Q[i][c], 0)));
  return { dQ, dK, dV };
}
`,
  hints: [
    'Do the forward pass first and keep the weights P (T×T). O = P V gives dV = Pᵀ dOut and dP = dOut Vᵀ.',
    'Each row of P is a softmax of its row of scores S, so dS[i][j] = P[i][j]·(dP[i][j] − Σ_k P[i][k]·dP[i][k]).',
    'S = Q Kᵀ / √d, so dQ = dS K / √d and dK = dSᵀ Q / √d. A masked entry has P = 0, so it passes no gradient.',
  ],
  example: () => [[[1, 0], [0, 1]], [[1, 0], [0, 1]], [[1, 2], [3, 4]], [[1, 0], [0, 1]], false],
  cases: (seed) => {
    const r = metrics.seededRandom(seed);
    return [backwardCase(r, 1, 1, false), backwardCase(r, 3, 2, false), backwardCase(r, 4, 3, true), backwardCase(r, 7, 4, true), backwardCase(r, 6, 8, false)];
  },
  reference: (...args: CodeArgs) => autogradAttention(...(args as [Mat, Mat, Mat, Mat, boolean])),
  compare: compareAttentionGrads,
  demo: {
    wrong: [
      // The softmax's Jacobian cut short: dS = P ⊙ dP, without subtracting the row's Σ P·dP.
      `function attentionBackward(Q: number[][], K: number[][], V: number[][], dOut: number[][], causal: boolean) {
${backwardPrelude}  const dV = V.map((_, j) => V[0].map((_, c) => P.reduce((acc, row, i) => acc + row[j] * dOut[i][c], 0)));
  const dP = P.map((_, i) => V.map((v) => dot(dOut[i], v)));
  const dS = P.map((p, i) => p.map((pj, j) => pj * dP[i][j]));
  const dQ = Q.map((_, i) => Q[0].map((_, c) => s * dS[i].reduce((acc, g, j) => acc + g * K[j][c], 0)));
  const dK = K.map((_, j) => K[0].map((_, c) => s * dS.reduce((acc, row, i) => acc + row[j] * Q[i][c], 0)));
  return { dQ, dK, dV };
}`,
      // The 1/√d of the forward pass forgotten in dQ and dK.
      `function attentionBackward(Q: number[][], K: number[][], V: number[][], dOut: number[][], causal: boolean) {
${backwardPrelude}  const dV = V.map((_, j) => V[0].map((_, c) => P.reduce((acc, row, i) => acc + row[j] * dOut[i][c], 0)));
  const dP = P.map((_, i) => V.map((v) => dot(dOut[i], v)));
  const dS = P.map((p, i) => {
    const D = p.reduce((acc, pj, j) => acc + pj * dP[i][j], 0);
    return p.map((pj, j) => pj * (dP[i][j] - D));
  });
  const dQ = Q.map((_, i) => Q[0].map((_, c) => dS[i].reduce((acc, g, j) => acc + g * K[j][c], 0)));
  const dK = K.map((_, j) => K[0].map((_, c) => dS.reduce((acc, row, i) => acc + row[j] * Q[i][c], 0)));
  return { dQ, dK, dV };
}`,
      // dV = P dOut instead of Pᵀ dOut: the weights not transposed (the shapes still fit, the values do not).
      `function attentionBackward(Q: number[][], K: number[][], V: number[][], dOut: number[][], causal: boolean) {
${backwardPrelude}  const dV = P.map((row) => V[0].map((_, c) => row.reduce((acc, pj, j) => acc + pj * dOut[j][c], 0)));
  const dP = P.map((_, i) => V.map((v) => dot(dOut[i], v)));
  const dS = P.map((p, i) => {
    const D = p.reduce((acc, pj, j) => acc + pj * dP[i][j], 0);
    return p.map((pj, j) => pj * (dP[i][j] - D));
  });
  const dQ = Q.map((_, i) => Q[0].map((_, c) => s * dS[i].reduce((acc, g, j) => acc + g * K[j][c], 0)));
  const dK = K.map((_, j) => K[0].map((_, c) => s * dS.reduce((acc, row, i) => acc + row[j] * Q[i][c], 0)));
  return { dQ, dK, dV };
}`,
    ],
  },
};
