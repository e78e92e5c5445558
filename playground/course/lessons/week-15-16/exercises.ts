// Weeks 15-16's exercises and their checkers: the floor of a label-smoothed loss (from the engine's entropy), where a
// reversing model's cross-attention should look, what the residual connection buys, and one pre-LN encoder layer
// written by hand, checked against the engine's nn.TransformerEncoderLayer (norm_first) loaded with the same weights.
import { html } from 'lit';
import { entropy, metrics, nn, noGrad, tensor, dispose } from '../../../../engine/index';
import { REVERSAL_TOKENS } from '../../../../engine/course';
import { defaultCompare } from '../../compare';
import type { ChoiceExercise, CodeArgs, CodeExercise, NumberExercise } from '../../types';

/** The label smoothing ε the widget's toggle uses. */
export const SMOOTHING = 0.1;

/**
 * The smoothed target for one token over C classes: 1 − ε + ε/C on the right token, ε/C on each other. A model's
 * smoothed cross-entropy is smallest, and equal to this distribution's entropy, when it predicts exactly it.
 */
export function smoothedTarget(eps: number, classes: number): number[] {
  return Array.from({ length: classes }, (_, c) => (c === 0 ? 1 - eps + eps / classes : eps / classes));
}

/** The floor of the smoothed loss in nats: the entropy of the smoothed target. */
export const smoothingFloor = (): number => entropy(smoothedTarget(SMOOTHING, REVERSAL_TOKENS.vocab), Math.E);

export const floorExercise: NumberExercise = {
  kind: 'number',
  id: 'w1516-smoothing-floor',
  prompt: html`With label smoothing ε = ${SMOOTHING}, the loss is the cross-entropy against a target that gives the
    right token 1 − ε + ε/C and every other token ε/C. The reversal task has C = ${REVERSAL_TOKENS.vocab} tokens (ten
    digits, padding, start and end). What is the smallest value this training loss can reach, in nats per token?`,
  answer: smoothingFloor,
  tolerance: 0.01,
  explain: html`Cross-entropy against a fixed target q is smallest when the model predicts q itself, and then it
    equals q's entropy: here −(1 − ε + ε/C)·ln(1 − ε + ε/C) − (C − 1)·(ε/C)·ln(ε/C) ≈ ${smoothingFloor().toFixed(3)}
    nats. So a smoothed training curve levels off above zero however well the model has learnt, and a model that
    puts all its probability on one token is penalised for it. Compare curves by held-out accuracy, not by this loss.`,
  demo: { right: Number(smoothingFloor().toFixed(3)), wrong: 0 },
};

export const alignmentChoice: ChoiceExercise = {
  kind: 'choice',
  id: 'w1516-cross-alignment',
  prompt: 'The model reverses five digits at source positions 0 to 4. The decoder has read <s> and its first i output digits, and its query at that position now predicts output digit i. Which source position should that query’s cross-attention weigh most?',
  options: ['Position i: the one at the same index.', 'Position 4 − i: the mirrored one.', 'Position i + 1: the next one.', 'All five equally: every digit matters to every output.'],
  correct: 1,
  explain: 'Output digit i of the reversal is source digit 4 − i, so the only thing the query needs from the encoder is that one digit. A trained model’s cross-attention shows this as an anti-diagonal in the attention widget, the map reading from the top right to the bottom left; the page measures how often the strongest weight lands there.',
  demo: { wrong: 0 },
};

export const residualChoice: ChoiceExercise = {
  kind: 'choice',
  id: 'w1516-residual-why',
  prompt: 'Without its residual connections the same model, with the same parameters, same data and same steps, learns far less. Why?',
  options: [
    'Each sub-layer must then rebuild everything the next one needs, including which digit and which position a token is, from its own output; with x + f(x) that information passes by unchanged, and gradients reach the embeddings along the identity path.',
    'Removing the residual removes parameters, so the model is smaller.',
    'Layer norm divides by zero when there is no residual.',
    'Attention cannot be computed without adding the input back.',
  ],
  correct: 0,
  explain: 'The ablation keeps every parameter, so size is not the cause, and layer norm and attention work the same. What changes is the path: with x + f(x), a sub-layer only has to learn a correction to what it was given, and the token and position information of the embeddings reaches the output, and the gradient reaches the embeddings, without passing through every attention and feed-forward block on the way.',
  demo: { wrong: 1 },
};

// ---- the code cell -----------------------------------------------------------------------------------------

type Matrix = number[][];

/** One layer's weights as plain arrays, with PyTorch's shapes: in_proj (3d, d), linear1 (ff, d), linear2 (d, ff), … */
export interface LayerWeights {
  inProjWeight: Matrix; inProjBias: number[]; outProjWeight: Matrix; outProjBias: number[];
  linear1Weight: Matrix; linear1Bias: number[]; linear2Weight: Matrix; linear2Bias: number[];
  norm1Weight: number[]; norm1Bias: number[]; norm2Weight: number[]; norm2Bias: number[];
}

/** Seeded weights for width d, feed-forward ff; the norms' scales and shifts are not 1 and 0, so forgetting one shows. */
export function randomLayer(d: number, ff: number, seed: number): LayerWeights {
  const r = metrics.seededRandom(seed);
  const mat = (rows: number, cols: number, s: number): Matrix => Array.from({ length: rows }, () => Array.from({ length: cols }, () => (r() * 2 - 1) * s));
  const vec = (n: number, mid: number, s: number): number[] => Array.from({ length: n }, () => mid + (r() * 2 - 1) * s);
  return {
    inProjWeight: mat(3 * d, d, 1 / Math.sqrt(d)), inProjBias: vec(3 * d, 0, 0.1), outProjWeight: mat(d, d, 1 / Math.sqrt(d)), outProjBias: vec(d, 0, 0.1),
    linear1Weight: mat(ff, d, 1 / Math.sqrt(d)), linear1Bias: vec(ff, 0, 0.1), linear2Weight: mat(d, ff, 1 / Math.sqrt(ff)), linear2Bias: vec(d, 0, 0.1),
    norm1Weight: vec(d, 1, 0.3), norm1Bias: vec(d, 0, 0.2), norm2Weight: vec(d, 1, 0.3), norm2Bias: vec(d, 0, 0.2),
  };
}

/** The engine's answer: nn.TransformerEncoderLayer, pre-LN (norm_first), ReLU, no dropout, loaded with `w`; x (T, d) → (T, d). */
export async function engineEncoderLayer(x: Matrix, w: LayerWeights, nHead: number): Promise<Matrix> {
  const T = x.length;
  const d = x[0].length;
  const ff = w.linear1Bias.length;
  const layer = new nn.TransformerEncoderLayer(d, nHead, { dimFeedforward: ff, dropout: 0, normFirst: true, activation: 'relu', device: 'cpu' });
  const flat = (m: Matrix | number[]): Float32Array => Float32Array.from((m as number[][]).flat());
  layer.loadStateDict({
    'self_attn.in_proj_weight': flat(w.inProjWeight), 'self_attn.in_proj_bias': flat(w.inProjBias),
    'self_attn.out_proj.weight': flat(w.outProjWeight), 'self_attn.out_proj.bias': flat(w.outProjBias),
    'linear1.weight': flat(w.linear1Weight), 'linear1.bias': flat(w.linear1Bias),
    'linear2.weight': flat(w.linear2Weight), 'linear2.bias': flat(w.linear2Bias),
    'norm1.weight': flat(w.norm1Weight), 'norm1.bias': flat(w.norm1Bias), 'norm2.weight': flat(w.norm2Weight), 'norm2.bias': flat(w.norm2Bias),
  });
  layer.eval();
  const input = tensor(flat(x), [1, T, d], { device: 'cpu' });
  const y = noGrad(() => layer.forward(input)); // (1, T, d)
  const data = await y.toArray();
  dispose([input, y, layer.parameters()]);
  return Array.from({ length: T }, (_, t) => Array.from(data.subarray(t * d, (t + 1) * d)));
}

// The helpers every version below shares (the starter gives them to the learner); only encoderLayer differs.
const HELPERS = `type Matrix = number[][];

interface LayerWeights {
  inProjWeight: Matrix; inProjBias: number[]; outProjWeight: Matrix; outProjBias: number[];
  linear1Weight: Matrix; linear1Bias: number[]; linear2Weight: Matrix; linear2Bias: number[];
  norm1Weight: number[]; norm1Bias: number[]; norm2Weight: number[]; norm2Bias: number[];
}

// y = x·Wᵀ + b on every row, as nn.Linear: (T, in) → (T, out).
function linear(x: Matrix, W: Matrix, b: number[]): Matrix {
  return x.map((row) => W.map((w, o) => w.reduce((s, wi, i) => s + wi * row[i], b[o])));
}

// Each row to mean 0 and variance 1 (the biased variance, eps 1e-5), then scaled by g and shifted by b, as nn.LayerNorm.
function layerNorm(x: Matrix, g: number[], b: number[]): Matrix {
  return x.map((row) => {
    const mean = row.reduce((s, v) => s + v, 0) / row.length;
    const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / row.length;
    return row.map((v, i) => ((v - mean) / Math.sqrt(variance + 1e-5)) * g[i] + b[i]);
  });
}

// Multi-head self-attention with no mask, as nn.MultiheadAttention: (T, d) → (T, d).
function selfAttention(x: Matrix, w: LayerWeights, nHead: number): Matrix {
  const d = x[0].length;
  const hd = d / nHead;
  const qkv = linear(x, w.inProjWeight, w.inProjBias); // (T, 3d): q | k | v
  const merged: Matrix = x.map(() => new Array(d).fill(0));
  for (let h = 0; h < nHead; h++) {
    const part = (p: number) => qkv.map((r) => r.slice(p * d + h * hd, p * d + (h + 1) * hd)); // (T, hd)
    const [q, k, v] = [part(0), part(1), part(2)];
    q.forEach((qi, i) => {
      const scores = k.map((kj) => kj.reduce((s, kv, c) => s + kv * qi[c], 0) / Math.sqrt(hd));
      const top = Math.max(...scores);
      const e = scores.map((s) => Math.exp(s - top));
      const z = e.reduce((s, x) => s + x, 0);
      for (let c = 0; c < hd; c++) merged[i][h * hd + c] = e.reduce((s, p, j) => s + (p / z) * v[j][c], 0);
    });
  }
  return linear(merged, w.outProjWeight, w.outProjBias);
}

const add = (a: Matrix, b: Matrix): Matrix => a.map((row, i) => row.map((v, j) => v + b[i][j]));
const relu = (a: Matrix): Matrix => a.map((row) => row.map((v) => Math.max(0, v)));
`;

const layerOf = (body: string): string => `${HELPERS}
function encoderLayer(x: Matrix, w: LayerWeights, nHead: number): Matrix {
${body}
}
`;

export const encoderLayerCell: CodeExercise = {
  kind: 'code',
  id: 'w1516-preln-code',
  prompt: html`Write one pre-LN transformer encoder layer. Given the token vectors <code>x</code> (T rows of width d),
    the layer's weights and the number of heads, apply the attention sub-layer and then the feed-forward
    sub-layer, each as <code>x + f(LayerNorm(x))</code>: first <code>x + selfAttention(norm1(x))</code>, then that
    plus <code>linear2(relu(linear1(norm2(…))))</code>. The helpers above your function (a linear layer, layer
    norm, multi-head self-attention, <code>add</code> and <code>relu</code>) are written for you. Check loads the same
    weights into the engine's <code>nn.TransformerEncoderLayer</code> with <code>normFirst: true</code> (PyTorch's
    <code>norm_first=True</code>) and compares on fresh inputs.`,
  name: 'encoderLayer',
  signature: 'encoderLayer(x: number[][], w: LayerWeights, nHead: number): number[][]',
  language: 'typescript',
  starter: layerOf(`  // 1. h = x + selfAttention(norm1(x))
  // 2. return h + feedForward(norm2(h)), where feedForward is linear2(relu(linear1(·)))
  return x;`),
  solution: layerOf(`  // Attention sub-layer: normalise a copy, attend, add the result back onto x (the residual).
  const h = add(x, selfAttention(layerNorm(x, w.norm1Weight, w.norm1Bias), w, nHead));
  // Feed-forward sub-layer, the same way: (T, d) → (T, ff) → ReLU → (T, d), added back onto h.
  const n = layerNorm(h, w.norm2Weight, w.norm2Bias);
  return add(h, linear(relu(linear(n, w.linear1Weight, w.linear1Bias)), w.linear2Weight, w.linear2Bias));`),
  hints: [
    'Each sub-layer reads a normalised copy and adds its output back onto the un-normalised input: out = x + f(layerNorm(x)). Nothing normalises the layer’s output itself.',
    'The first sub-layer uses norm1 and selfAttention; the second uses norm2 and the feed-forward block linear2(relu(linear1(·))).',
    'const h = add(x, selfAttention(layerNorm(x, w.norm1Weight, w.norm1Bias), w, nHead)); then do the same with norm2 and the feed-forward block on h.',
  ],
  example: () => {
    const w = randomLayer(4, 8, 1);
    const r = metrics.seededRandom(2);
    return [Array.from({ length: 3 }, () => Array.from({ length: 4 }, () => r() * 2 - 1)), w, 2];
  },
  cases: (seed) => {
    const r = metrics.seededRandom(seed);
    const x = (T: number, d: number): Matrix => Array.from({ length: T }, () => Array.from({ length: d }, () => r() * 4 - 2));
    return [
      [x(1, 4), randomLayer(4, 8, seed + 1), 1],
      [x(5, 6), randomLayer(6, 12, seed + 2), 2],
      [x(7, 8), randomLayer(8, 24, seed + 3), 4],
    ];
  },
  reference: (...args: CodeArgs) => {
    const [x, w, nHead] = args as [Matrix, LayerWeights, number];
    return engineEncoderLayer(x, w, nHead);
  },
  // float32 in the engine against float64 in the learner's loops, through two layer norms and a softmax.
  compare: (got, want, args) => defaultCompare(got, want, args, { atol: 1e-4, rtol: 1e-4 }),
  demo: {
    wrong: [
      // Post-LN (the original transformer's order): normalise after adding, not before the sub-layer.
      layerOf(`  const h = layerNorm(add(x, selfAttention(x, w, nHead)), w.norm1Weight, w.norm1Bias);
  return layerNorm(add(h, linear(relu(linear(h, w.linear1Weight, w.linear1Bias)), w.linear2Weight, w.linear2Bias)), w.norm2Weight, w.norm2Bias);`),
      // The attention sub-layer's residual is missing: h is the attention output alone.
      layerOf(`  const h = selfAttention(layerNorm(x, w.norm1Weight, w.norm1Bias), w, nHead);
  const n = layerNorm(h, w.norm2Weight, w.norm2Bias);
  return add(h, linear(relu(linear(n, w.linear1Weight, w.linear1Bias)), w.linear2Weight, w.linear2Bias));`),
      // The feed-forward block without its activation: two linear layers collapse into one.
      layerOf(`  const h = add(x, selfAttention(layerNorm(x, w.norm1Weight, w.norm1Bias), w, nHead));
  const n = layerNorm(h, w.norm2Weight, w.norm2Bias);
  return add(h, linear(linear(n, w.linear1Weight, w.linear1Bias), w.linear2Weight, w.linear2Bias));`),
    ],
  },
};
