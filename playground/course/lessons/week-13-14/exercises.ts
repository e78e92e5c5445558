// Weeks 13-14's exercises and their checkers. The code cells are checked against the engine: self-attention
// through its scaledDotProductAttention, heads split and merged as nn.MultiHeadAttention does it, and the sinusoidal
// table of nn/positional.ts (engine/lessons/selfattention.ts holds the references and their tests); the numbers
// come from the page's quick run and from the engine's MultiHeadAttention. test/course.week-13-14.test.ts runs
// them all, wrong answers included.
import { html } from 'lit';
import { metrics, nn } from '../../../../engine/index';
import { selfAttention } from '../../../../engine/course';
import { defaultCompare } from '../../compare';
import { stat } from '../../stat';
import type { ChoiceExercise, CodeArgs, CodeExercise, NumberExercise } from '../../types';
import { QUICK, quickAccuracy } from './quick';

type Matrix = number[][];

/** A (rows, cols) matrix of float32-representable values in [−scale, scale). */
function matrix(r: () => number, rows: number, cols: number, scale = 1): Matrix {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => Math.fround(scale * (2 * r() - 1))));
}

// ---------------------------------------------------------------------------------------------------------------
// Code cell: self-attention from raw weights.

const attentionSolution = `function selfAttention(X: number[][], Wq: number[][], Wk: number[][], Wv: number[][]): number[][] {
  const matmul = (A: number[][], B: number[][]) =>
    A.map((row) => B[0].map((_, j) => row.reduce((s, a, k) => s + a * B[k][j], 0)));
  const Q = matmul(X, Wq); // (T, d)
  const K = matmul(X, Wk); // (T, d)
  const V = matmul(X, Wv); // (T, dv)
  const d = Wq[0].length;
  return Q.map((q) => {
    // Row i of the scores: how well query i matches every key, scaled by 1/√d.
    const s = K.map((k) => q.reduce((acc, qi, i) => acc + qi * k[i], 0) / Math.sqrt(d));
    const m = Math.max(...s); // subtracted so that exp() cannot overflow
    const e = s.map((v) => Math.exp(v - m));
    const z = e.reduce((a, b) => a + b, 0);
    // The output is the values averaged with those weights.
    return V[0].map((_, j) => e.reduce((acc, w, t) => acc + (w / z) * V[t][j], 0));
  });
}
`;

/** The solution with one line changed, for the wrong demos. */
const attentionVariant = (from: string, to: string): string => {
  if (!attentionSolution.includes(from)) throw new Error(`attentionVariant: "${from}" is not in the solution`);
  return attentionSolution.replace(from, to);
};

export const attentionCell: CodeExercise = {
  kind: 'code',
  id: 'w1314-self-attention-code',
  prompt: html`Write self-attention from raw weights. <code>X</code> holds one token per row (T × E). The weight
    matrices multiply on the right: Q = X·Wq and K = X·Wk are T × d, V = X·Wv is T × dv. Return
    softmax(Q Kᵀ / √d) V, a T × dv array, with the softmax taken along each row (each query's weights over the
    keys sum to one). Check compares with the engine's <code>scaledDotProductAttention</code> on fresh inputs,
    one of them with scores in the thousands.`,
  name: 'selfAttention',
  signature: 'selfAttention(X: number[][], Wq: number[][], Wk: number[][], Wv: number[][]): number[][]',
  language: 'typescript',
  starter: `function selfAttention(X: number[][], Wq: number[][], Wk: number[][], Wv: number[][]): number[][] {
  // 1. Q = X Wq, K = X Wk, V = X Wv.
  // 2. Scores Q Kᵀ / √d, softmax along each row.
  // 3. Weights times V.
  return X.map(() => Wv[0].map(() => 0));
}
`,
  solution: attentionSolution,
  hints: [
    'Write a small matmul first: (A·B)[i][j] = Σ_k A[i][k]·B[k][j]. Then Q, K and V are one call each.',
    'Score (i, j) is the dot product of row i of Q with row j of K, divided by √d, where d is the number of columns of Wq.',
    'Take the softmax along j for each i, subtracting the row’s largest score before exp() so that large scores do not overflow; then row i of the output is Σ_j weight(i, j)·V[j].',
  ],
  example: () => {
    const r = metrics.seededRandom(11);
    return [matrix(r, 4, 3), matrix(r, 3, 2), matrix(r, 3, 2), matrix(r, 3, 2)];
  },
  cases: (seed) => {
    const r = metrics.seededRandom(seed);
    const c = (T: number, E: number, d: number, dv: number, scale = 1): CodeArgs => [matrix(r, T, E, scale), matrix(r, E, d), matrix(r, E, d), matrix(r, E, dv)];
    // One token, odd sizes, a longer sequence, and scores in the thousands (an unguarded exp overflows).
    return [c(1, 3, 2, 2), c(5, 4, 3, 2), c(7, 8, 4, 5), c(12, 6, 6, 3), c(6, 4, 4, 3, 60)];
  },
  reference: (...args: CodeArgs) => selfAttention.selfAttentionReference(...(args as [Matrix, Matrix, Matrix, Matrix])),
  // The engine computes in float32: with scores in the thousands its rounding reaches ~1e-4 in the weights.
  compare: (got, want, args) => defaultCompare(got, want, args, { atol: 1e-4, rtol: 1e-3 }),
  demo: {
    wrong: [
      // Scaled by d instead of √d.
      attentionVariant('/ Math.sqrt(d)', '/ d'),
      // The softmax taken down each column (over the queries) instead of along each row.
      `function selfAttention(X: number[][], Wq: number[][], Wk: number[][], Wv: number[][]): number[][] {
  const matmul = (A: number[][], B: number[][]) => A.map((row) => B[0].map((_, j) => row.reduce((s, a, k) => s + a * B[k][j], 0)));
  const Q = matmul(X, Wq), K = matmul(X, Wk), V = matmul(X, Wv);
  const d = Wq[0].length;
  const S = Q.map((q) => K.map((k) => q.reduce((acc, qi, i) => acc + qi * k[i], 0) / Math.sqrt(d)));
  const P = S.map((row) => row.map(() => 0));
  for (let j = 0; j < S.length; j++) {
    const m = Math.max(...S.map((row) => row[j]));
    const z = S.reduce((acc, row) => acc + Math.exp(row[j] - m), 0);
    for (let i = 0; i < S.length; i++) P[i][j] = Math.exp(S[i][j] - m) / z;
  }
  return P.map((p) => V[0].map((_, c) => p.reduce((acc, w, t) => acc + w * V[t][c], 0)));
}
`,
      // No max subtracted: exp() of scores in the thousands overflows to Infinity, and Infinity / Infinity is NaN.
      attentionVariant('const e = s.map((v) => Math.exp(v - m));', 'const e = s.map((v) => Math.exp(v));'),
    ],
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Code cells: splitting the embedding into heads, and merging the heads back.

type Tensor3 = number[][][];
type Tensor4 = number[][][][];

const splitSolution = `function splitHeads(x: number[][][], H: number): number[][][][] {
  const B = x.length, T = x[0].length, E = x[0][0].length;
  const d = E / H;
  // (B, T, E) → (B, T, H, d) → (B, H, T, d): head h takes features h·d … h·d + d − 1 of every token.
  const out: number[][][][] = [];
  for (let b = 0; b < B; b++) {
    out.push([]);
    for (let h = 0; h < H; h++) out[b].push(x[b].map((token) => token.slice(h * d, h * d + d)));
  }
  return out;
}
`;

export const splitCell: CodeExercise = {
  kind: 'code',
  id: 'w1314-split-heads-code',
  prompt: html`Split a batch of token vectors into heads. <code>x</code> has shape (B, T, E); with H heads each head
    gets d = E / H features. Return shape (B, H, T, d), where head h holds features h·d to h·d + d − 1 of every
    token: the reshape (B, T, E) → (B, T, H, d) followed by swapping the T and H axes. Check compares with the
    engine doing it the way <code>nn.MultiHeadAttention</code> splits its queries, keys and values.`,
  name: 'splitHeads',
  signature: 'splitHeads(x: number[][][], H: number): number[][][][]',
  language: 'typescript',
  starter: `function splitHeads(x: number[][][], H: number): number[][][][] {
  const B = x.length, T = x[0].length, E = x[0][0].length;
  const d = E / H;
  // out[b][h][t][j] = ?
  return [];
}
`,
  solution: splitSolution,
  hints: [
    'Write out where one number goes: out[b][h][t][j] is feature h·d + j of token t in batch item b.',
    'Reshaping (B, T, E) to (B, T, H, d) cuts each token’s E features into H consecutive runs of d. Swapping axes 1 and 2 then groups by head.',
    'Beware two look-alikes: reading the flat (B, T, E) memory straight into (B, H, T, d) mixes tokens inside a head, and cutting features with a stride (h, h + H, …) is a different split from the one the output projection expects.',
  ],
  example: () => [[[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]], 2],
  cases: (seed) => {
    const r = metrics.seededRandom(seed);
    const x = (B: number, T: number, E: number): Tensor3 => Array.from({ length: B }, () => matrix(r, T, E));
    return [[x(1, 3, 4), 2], [x(2, 5, 6), 3], [x(3, 7, 8), 4], [x(2, 4, 6), 2], [x(1, 2, 12), 6]];
  },
  reference: (...args: CodeArgs) => selfAttention.splitHeadsReference(args[0], args[1] as number),
  demo: {
    wrong: [
      // Reshaping the flat memory straight into (B, H, T, d), without the transpose.
      `function splitHeads(x: number[][][], H: number): number[][][][] {
  const B = x.length, T = x[0].length, E = x[0][0].length;
  const d = E / H;
  return x.map((m) => {
    const flat = m.flat();
    return Array.from({ length: H }, (_, h) => Array.from({ length: T }, (_, t) => flat.slice((h * T + t) * d, (h * T + t) * d + d)));
  });
}
`,
      // Features dealt out with a stride: head h gets features h, h + H, h + 2H, … ((B, T, d, H), transposed).
      `function splitHeads(x: number[][][], H: number): number[][][][] {
  const B = x.length, T = x[0].length, E = x[0][0].length;
  const d = E / H;
  return x.map((m) => Array.from({ length: H }, (_, h) => m.map((token) => Array.from({ length: d }, (_, j) => token[j * H + h]))));
}
`,
    ],
  },
};

const mergeSolution = `function mergeHeads(y: number[][][][]): number[][][] {
  const B = y.length, H = y[0].length, T = y[0][0].length;
  // (B, H, T, d) → (B, T, H, d) → (B, T, H·d): each token's heads laid side by side, head 0 first.
  const out: number[][][] = [];
  for (let b = 0; b < B; b++) {
    out.push([]);
    for (let t = 0; t < T; t++) {
      const token: number[] = [];
      for (let h = 0; h < H; h++) token.push(...y[b][h][t]);
      out[b].push(token);
    }
  }
  return out;
}
`;

export const mergeCell: CodeExercise = {
  kind: 'code',
  id: 'w1314-merge-heads-code',
  prompt: html`Now the way back. After attention each head has produced <code>y</code> of shape (B, H, T, d). Join
    the heads into one vector per token, (B, T, H·d), head 0's d numbers first, then head 1's, and so on: the
    exact inverse of your split, and what <code>nn.MultiHeadAttention</code> feeds its output projection. Check
    compares with the engine's transpose and reshape.`,
  name: 'mergeHeads',
  signature: 'mergeHeads(y: number[][][][]): number[][][]',
  language: 'typescript',
  starter: `function mergeHeads(y: number[][][][]): number[][][] {
  const B = y.length, H = y[0].length, T = y[0][0].length, d = y[0][0][0].length;
  // out[b][t][h * d + j] = ?
  return [];
}
`,
  solution: mergeSolution,
  hints: [
    'out[b][t][h·d + j] = y[b][h][t][j].',
    'For each token t, concatenate y[b][0][t], y[b][1][t], …, y[b][H − 1][t].',
    'Flattening y[b] as it is lays out all of head 0’s tokens first; that is a reshape without the transpose, and it mixes tokens.',
  ],
  example: () => [[[[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]]]],
  cases: (seed) => {
    const r = metrics.seededRandom(seed);
    const y = (B: number, H: number, T: number, d: number): Tensor4 => Array.from({ length: B }, () => Array.from({ length: H }, () => matrix(r, T, d)));
    return [[y(1, 2, 3, 2)], [y(2, 3, 5, 2)], [y(3, 4, 7, 2)], [y(2, 2, 4, 3)], [y(1, 6, 2, 1)]];
  },
  reference: (...args: CodeArgs) => selfAttention.mergeHeadsReference(args[0]),
  demo: {
    wrong: [
      // A reshape without the transpose: head 0's tokens, then head 1's, cut into rows of H·d.
      `function mergeHeads(y: number[][][][]): number[][][] {
  const H = y[0].length, T = y[0][0].length, d = y[0][0][0].length;
  return y.map((heads) => {
    const flat = heads.flat(2);
    return Array.from({ length: T }, (_, t) => flat.slice(t * H * d, t * H * d + H * d));
  });
}
`,
      // Interleaved: feature j of every head before feature j + 1 (the strided layout).
      `function mergeHeads(y: number[][][][]): number[][][] {
  const H = y[0].length, T = y[0][0].length, d = y[0][0][0].length;
  return y.map((heads) => Array.from({ length: T }, (_, t) => Array.from({ length: H * d }, (_, e) => heads[e % H][t][Math.floor(e / H)])));
}
`,
    ],
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Code cell: the sinusoidal table.

const sinusoidSolution = `function sinusoidal(T: number, d: number): number[][] {
  const pe: number[][] = [];
  for (let pos = 0; pos < T; pos++) {
    const row: number[] = [];
    for (let i = 0; i < d; i += 2) {
      // Features 2k and 2k + 1 share the frequency 1 / 10000^(2k/d); here i = 2k.
      const angle = pos / Math.pow(10000, i / d);
      row.push(Math.sin(angle));
      if (i + 1 < d) row.push(Math.cos(angle)); // an odd d ends on a sine
    }
    pe.push(row);
  }
  return pe;
}
`;

const sinusoidVariant = (from: string, to: string): string => {
  if (!sinusoidSolution.includes(from)) throw new Error(`sinusoidVariant: "${from}" is not in the solution`);
  return sinusoidSolution.replace(from, to);
};

export const sinusoidCell: CodeExercise = {
  kind: 'code',
  id: 'w1314-sinusoidal-code',
  prompt: html`Build the sinusoidal table of Vaswani et al. for positions 0 … T − 1 and d features:
    PE[pos][2k] = sin(pos / 10000<sup>2k/d</sup>) and PE[pos][2k + 1] = cos(pos / 10000<sup>2k/d</sup>). When d is
    odd the last feature is a sine with no cosine partner. Return a T × d array. Check compares with
    <code>nn.sinusoidalTable</code>, the table the engine's <code>SinusoidalPositionalEncoding</code> adds.`,
  name: 'sinusoidal',
  signature: 'sinusoidal(T: number, d: number): number[][]',
  language: 'typescript',
  starter: `function sinusoidal(T: number, d: number): number[][] {
  // One row per position, d features per row.
  return Array.from({ length: T }, () => new Array(d).fill(0));
}
`,
  solution: sinusoidSolution,
  hints: [
    'Loop over positions, and inside over feature pairs: i = 0, 2, 4, … Both features of a pair use the same angle.',
    'The angle is pos / 10000^(i/d) with i the even feature index, so the exponent runs 0, 2/d, 4/d, …, not 0, 1/d, 2/d, …',
    'Even features get the sine and odd features the cosine; at position 0 the row is 0, 1, 0, 1, …',
  ],
  example: () => [4, 6],
  cases: () => [[1, 4], [7, 6], [12, 16], [5, 7], [33, 10]],
  reference: (...args: CodeArgs) => selfAttention.sinusoidalRows(args[0] as number, args[1] as number),
  demo: {
    wrong: [
      // sin and cos swapped.
      sinusoidVariant('row.push(Math.sin(angle));\n      if (i + 1 < d) row.push(Math.cos(angle));', 'row.push(Math.cos(angle));\n      if (i + 1 < d) row.push(Math.sin(angle));'),
      // The exponent counts pairs (k/d) instead of features (2k/d): the frequencies fall half as fast.
      sinusoidVariant('Math.pow(10000, i / d)', 'Math.pow(10000, i / 2 / d)'),
    ],
  },
};

/**
 * More typical wrong programs, one per cell, that the unit test refuses too (the page's demos keep two or three
 * each, so that the end-to-end test stays short).
 */
export const MORE_WRONG: Record<string, string> = {
  // No scaling at all.
  [attentionCell.id]: attentionVariant('/ Math.sqrt(d)', ''),
  // The reshape without the swap: shape (B, T, H, d).
  [splitCell.id]: `function splitHeads(x: number[][][], H: number): number[][][][] {
  const d = x[0][0].length / H;
  return x.map((m) => m.map((token) => Array.from({ length: H }, (_, h) => token.slice(h * d, h * d + d))));
}
`,
  // Heads summed instead of laid side by side: shape (B, T, d).
  [mergeCell.id]: `function mergeHeads(y: number[][][][]): number[][][] {
  const T = y[0][0].length, d = y[0][0][0].length;
  return y.map((heads) => Array.from({ length: T }, (_, t) => Array.from({ length: d }, (_, j) => heads.reduce((s, h) => s + h[t][j], 0))));
}
`,
  // Positions counted from 1.
  [sinusoidCell.id]: sinusoidVariant('const angle = pos / ', 'const angle = (pos + 1) / '),
};

// ---------------------------------------------------------------------------------------------------------------
// Choice: which layer is permutation-equivariant.

export const equivarianceChoice: ChoiceExercise = {
  kind: 'choice',
  id: 'w1314-which-equivariant',
  prompt: 'Shuffle the input tokens. For which of these does the output simply get shuffled the same way, whatever the weights?',
  options: [
    'Self-attention with a causal mask (token i attends only to tokens 0 … i).',
    'Self-attention with sinusoidal positions added to its inputs.',
    'Self-attention with no mask and no positions, followed by the same feed-forward layer at every token.',
    'A recurrent network reading the tokens left to right.',
  ],
  correct: 2,
  explain: html`Scores, softmax and weighted sums treat the keys as a set, and a feed-forward layer applied to each
    token on its own cannot tell where the token stands, so the block is equivariant. A causal mask depends on
    positions (who comes before whom), positional encodings add a different vector at each position, and a
    recurrent network's state depends on the order it reads in: all three see order.`,
  demo: { wrong: 0 },
};

// ---------------------------------------------------------------------------------------------------------------
// Numbers: the accuracy of the blind model, and what heads cost.

export const blindAccuracy: NumberExercise = {
  kind: 'number',
  id: 'w1314-blind-accuracy',
  prompt: html`The held-out set comes in pairs: each sequence, then the same sequence with A and B swapped, which
    has the opposite answer. Predict the accuracy of the model with <em>no</em> positions on it, as a fraction
    between 0 and 1, before you read on.`,
  answer: () => quickAccuracy('none'),
  tolerance: 0.01,
  explain: html`Exactly one half. Without positions the model's output depends only on which tokens occur, and the
    two sequences of a pair hold the same tokens. So it gives both the same answer and gets exactly one of the two
    right, however long it trains.`,
  demo: { right: 0.5, wrong: 1 },
};

/** The embedding size the heads question asks about: the page's model's. */
export const HEADS_E = QUICK.model.dim;

/** nn.MultiHeadAttention(E, H)'s trainable numbers, counted by the engine. */
export function mhaParameters(E: number, H: number): number {
  const m = new nn.MultiHeadAttention(E, H, { device: 'cpu' });
  const n = m.numParameters();
  for (const p of m.parameters()) p.dispose();
  return n;
}

export const headsParameters: NumberExercise = {
  kind: 'number',
  id: 'w1314-heads-parameters',
  prompt: html`A multi-head attention layer with E = ${stat('w1314-dim', HEADS_E, 'int')} projects queries, keys and values with one E × E
    matrix each (plus a bias of E), splits them into heads, and joins the heads with an E × E output projection
    (plus a bias). How many trainable numbers does it have with 4 heads?`,
  answer: () => mhaParameters(HEADS_E, 4),
  tolerance: 0.5,
  explain: html`4E² + 4E = ${stat('w1314-mha-params-4', mhaParameters(HEADS_E, 4), 'int')}, the same as with one
    head (${stat('w1314-mha-params-1', mhaParameters(HEADS_E, 1), 'int')}).
    Splitting cuts the same projections into H slices of E/H features; it adds no weights. What changes is that
    each slice gets its own softmax, so the heads can attend to different tokens.`,
  demo: { right: mhaParameters(HEADS_E, 4), wrong: 4 * mhaParameters(HEADS_E, 1) },
};
