// Weeks 11-12, attention: why a decoder that reads one fixed-size summary of its source fails as the source grows,
// and what attention computes instead.
//
//   - ReverseModel: a tiny encoder-decoder that reverses a sequence of tokens. Its encoder and decoder are the same
//     in both variants; only what the decoder reads differs. 'fixed' gives every output step the mean of the
//     encoder states (one vector of `dim` numbers, whatever the length: the whole source squeezed into it);
//     'attention' gives output step t its own weighted mean of the encoder states, the weights a softmax of the
//     step's query against each state's key (the engine's fused scaled dot-product attention).
//   - compareContexts: trains both on the same seeded batches and reports per-token accuracy at every length.
//   - attentionSteps: scaled dot-product attention on a few tokens, every intermediate matrix kept for display.
//   - pathLengths: how many steps connect two tokens in an RNN and in self-attention.
import { tensor, Tensor } from '../tensor';
import { crossEntropy } from '../ops/loss';
import { scaledDotProductAttention } from '../ops/attention';
import { noGrad } from '../autograd';
import { Module } from '../nn/module';
import { Embedding, Linear } from '../nn/layers';
import type { DeviceName } from '../backend/backend';
import { adamSteps } from './adam-steps';
import { seededRandom } from './metrics';

export type ContextKind = 'fixed' | 'attention';

export interface ReverseConfig {
  /** How many distinct tokens a sequence is drawn from. */
  vocab: number;
  /** The width of every vector: embeddings, encoder states, the fixed context. */
  dim: number;
  /** The longest source the model accepts (its position tables have this many rows). */
  maxLen: number;
  context: ContextKind;
  seed?: number;
  device?: DeviceName;
}

/**
 * Source x (B, L) → logits (B, L, V) for the reversed sequence: output step t must name x[L − 1 − t].
 *
 *   encoder   h_i = tanh(W_e (tok(x_i) + pos(L − 1 − i)))            (B, L, D)  position counted from the end
 *   context   fixed:     c_t = mean_i h_i                             (B, 1, D)  the same vector for every t
 *             attention: c_t = Σ_i softmax_i(q_t · W_k h_i / √D) h_i  (B, L, D)  one vector per step
 *   decoder   logits_t = W_o tanh(W_c c_t + q_t)                     (B, L, V)  q_t = step(t), a learnt vector
 *
 * Counting source positions from the end makes output step t look for the token at distance t from the end,
 * whatever the length, so one model serves every length. Both variants hold the same parameters (the fixed one
 * leaves W_k unused), so the only difference is the context.
 */
export class ReverseModel extends Module {
  readonly tok: Embedding;
  readonly pos: Embedding;
  readonly step: Embedding;
  readonly enc: Linear;
  readonly key: Linear;
  readonly mix: Linear;
  readonly out: Linear;

  constructor(readonly config: ReverseConfig) {
    super();
    const { vocab, dim, maxLen, seed = 0, device } = config;
    this.tok = new Embedding(vocab, dim, { seed, device });
    this.pos = new Embedding(maxLen, dim, { seed: seed + 1, device });
    this.step = new Embedding(maxLen, dim, { seed: seed + 2, device });
    this.enc = new Linear(dim, dim, { seed: seed + 3, device });
    this.key = new Linear(dim, dim, { seed: seed + 4, device });
    this.mix = new Linear(dim, dim, { seed: seed + 5, device });
    this.out = new Linear(dim, vocab, { seed: seed + 6, device });
  }

  forward(src: Tensor): Tensor {
    const [B, L] = src.shape;
    const { dim: D, maxLen, device } = this.config;
    if (L < 1 || L > maxLen) throw new RangeError(`ReverseModel: source length ${L} is outside 1..${maxLen}`);
    const fromEnd = tensor(Int32Array.from({ length: L }, (_, i) => L - 1 - i), [L], { device });
    const steps = tensor(Int32Array.from({ length: L }, (_, t) => t), [L], { device });
    try {
      const h = this.enc.forward(this.tok.forward(src).add(this.pos.forward(fromEnd))).tanh(); // (B, L, D)
      const q = this.step.forward(steps); // (L, D)
      let c: Tensor;
      if (this.config.context === 'fixed') {
        c = h.mean(1, true); // (B, 1, D): one summary, broadcast to every step below
      } else {
        const q4 = q.reshape([1, 1, L, D]).expand([B, 1, L, D]); // (B, 1, L, D): one head
        const k4 = this.key.forward(h).reshape([B, 1, L, D]); // (B, 1, L, D)
        c = scaledDotProductAttention(q4, k4, h.reshape([B, 1, L, D])).reshape([B, L, D]); // (B, L, D)
      }
      return this.out.forward(this.mix.forward(c).add(q).tanh()); // (B, L, D) → (B, L, V)
    } finally {
      fromEnd.dispose();
      steps.dispose();
    }
  }
}

/** `count` random sources of length L over `vocab` tokens (row-major (count, L)) and their reversals. */
export function reverseBatch(count: number, L: number, vocab: number, r: () => number): { src: Int32Array; tgt: Int32Array } {
  const src = new Int32Array(count * L);
  const tgt = new Int32Array(count * L);
  for (let b = 0; b < count; b++) {
    for (let i = 0; i < L; i++) src[b * L + i] = Math.floor(r() * vocab);
    for (let t = 0; t < L; t++) tgt[b * L + t] = src[b * L + L - 1 - t];
  }
  return { src, tgt };
}

export interface ReverseTrainOptions {
  steps: number;
  batch: number;
  /** Adam's step size (default 0.01). */
  lr?: number;
  /** The lengths trained on; step s uses lengths[s mod lengths.length], so every length gets the same steps. */
  lengths: readonly number[];
  seed?: number;
  /** Report (and yield to the caller) every this many steps (default 25). */
  every?: number;
  onProgress?: (p: { step: number; loss: number }) => void | Promise<void>;
  signal?: AbortSignal;
}

/** Trains on freshly drawn seeded batches with Adam; returns the reported losses (nats per token). */
export async function trainReverse(model: ReverseModel, opts: ReverseTrainOptions): Promise<Array<{ step: number; loss: number }>> {
  const { vocab, device } = model.config;
  const r = seededRandom(opts.seed ?? 0);
  const every = opts.every ?? 25;
  const draw = (L: number, from = r) => {
    const { src, tgt } = reverseBatch(opts.batch, L, vocab, from);
    return { x: tensor(src, [opts.batch, L], { device }), y: tensor(tgt, [opts.batch * L], { device }) };
  };
  const lossOf = (x: Tensor, y: Tensor) => crossEntropy(model.forward(x).reshape([y.shape[0], vocab]), y); // (B·L, V) → mean
  return adamSteps({
    params: model.parameters(),
    steps: opts.steps,
    lr: opts.lr ?? 0.01,
    every,
    draw: (step) => draw(opts.lengths[(step - 1) % opts.lengths.length]),
    loss: lossOf,
    // Every length's pipelines, on batches from their own stream, so the training batches match the CPU's.
    warmupBatches: () => {
      const scratchData = seededRandom(-1);
      return [...new Set(opts.lengths)].map((L) => draw(L, scratchData));
    },
    onProgress: opts.onProgress,
    signal: opts.signal,
  });
}

/** The fraction of output tokens the model gets right on `count` fresh sources of length L (greedy argmax). */
export async function reverseAccuracy(model: ReverseModel, L: number, count: number, seed: number): Promise<number> {
  const { vocab, device } = model.config;
  const { src, tgt } = reverseBatch(count, L, vocab, seededRandom(seed));
  const x = tensor(src, [count, L], { device });
  const pred = noGrad(() => model.forward(x).argmax(-1)); // (count, L)
  try {
    const got = await pred.toArray();
    let right = 0;
    for (let i = 0; i < tgt.length; i++) if (got[i] === tgt[i]) right++;
    return right / tgt.length;
  } finally {
    x.dispose();
    pred.dispose();
  }
}

export interface ContextComparisonOptions {
  model: Omit<ReverseConfig, 'context' | 'device'>;
  train: Omit<ReverseTrainOptions, 'onProgress'>;
  /** Held-out sources per length for the accuracy (default 200). */
  testCount?: number;
  device?: DeviceName;
  onProgress?: (p: { context: ContextKind; step: number; loss: number }) => void | Promise<void>;
}

export interface ContextComparison {
  lengths: number[];
  /** Per-token accuracy at each length, in the order of `lengths`. */
  fixed: number[];
  attention: number[];
  losses: Record<ContextKind, Array<{ step: number; loss: number }>>;
}

/**
 * Trains the fixed-context and the attention model with the same initial weights, on the same batches, and scores
 * both on the same held-out sources at every training length.
 */
export async function compareContexts(opts: ContextComparisonOptions): Promise<ContextComparison> {
  const lengths = [...opts.train.lengths].sort((a, b) => a - b);
  const result: ContextComparison = { lengths, fixed: [], attention: [], losses: { fixed: [], attention: [] } };
  for (const context of ['fixed', 'attention'] as const) {
    const model = new ReverseModel({ ...opts.model, context, device: opts.device });
    try {
      result.losses[context] = await trainReverse(model, {
        ...opts.train,
        onProgress: opts.onProgress ? (p) => opts.onProgress!({ context, ...p }) : undefined,
      });
      // Held-out seeds differ from the training stream's (which starts from train.seed).
      for (const L of lengths) result[context].push(await reverseAccuracy(model, L, opts.testCount ?? 200, 1000 + L));
    } finally {
      for (const p of model.parameters()) p.dispose();
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------------------

type Matrix = number[][];

/** Every stage of softmax(Q Kᵀ / √d + mask) V for one head, as plain matrices for display. */
export interface AttentionSteps {
  /** Q Kᵀ: (T, T), row i = query i. */
  scores: Matrix;
  /** 1 / √d. */
  scale: number;
  /** scores · scale. */
  scaled: Matrix;
  /** The scaled scores with −∞ above the diagonal when causal (else the same). */
  masked: Matrix;
  /** softmax over each row (each query's keys). */
  weights: Matrix;
  /** weights · V: (T, dv). */
  output: Matrix;
}

const rows = (flat: ArrayLike<number>, cols: number): Matrix =>
  Array.from({ length: flat.length / cols }, (_, i) => Array.from({ length: cols }, (_, j) => flat[i * cols + j]));

/**
 * Scaled dot-product attention on q (T, d), k (T, d), v (T, dv), step by step with engine tensors on the CPU: each
 * stage is the engine's own op on the previous one (matmul, mul, maskedFill, softmax, matmul).
 */
export async function attentionSteps(q: Matrix, k: Matrix, v: Matrix, causal: boolean): Promise<AttentionSteps> {
  const T = q.length;
  const d = q[0]?.length ?? 0;
  const dv = v[0]?.length ?? 0;
  if (T < 1 || d < 1 || dv < 1) throw new RangeError('attentionSteps: q, k and v need at least one row and one column');
  if (k.length !== T || v.length !== T) throw new RangeError(`attentionSteps: q, k and v must have the same number of rows (tokens), got ${q.length}, ${k.length} and ${v.length}`);
  if (k.some((r) => r.length !== d) || q.some((r) => r.length !== d)) throw new RangeError(`attentionSteps: every row of q and k must have ${d} numbers`);
  if (v.some((r) => r.length !== dv)) throw new RangeError(`attentionSteps: every row of v must have ${dv} numbers`);
  const scale = 1 / Math.sqrt(d);
  const opt = { device: 'cpu' as const };
  // No tensor here requires grad, so nothing is recorded for autograd.
  const made: Tensor[] = [];
  const keep = (t: Tensor) => (made.push(t), t);
  try {
    const Q = keep(tensor(q.flat(), [T, d], opt)); // (T, d)
    const K = keep(tensor(k.flat(), [T, d], opt)); // (T, d)
    const V = keep(tensor(v.flat(), [T, dv], opt)); // (T, dv)
    const S = keep(Q.matmul(keep(K.transpose(0, 1)))); // (T, T)
    const scaled = keep(S.mul(scale));
    // Above the diagonal, key j comes after query i: a causal model may not look there.
    const future = keep(tensor(Int32Array.from({ length: T * T }, (_, n) => (n % T > Math.floor(n / T) ? 1 : 0)), [T, T], opt));
    const masked = causal ? keep(scaled.maskedFill(future, -Infinity)) : scaled;
    const P = keep(masked.softmax(-1)); // (T, T), rows sum to 1
    const O = keep(P.matmul(V)); // (T, dv)
    const read = async (t: Tensor, cols: number) => rows(await t.toArray(), cols);
    return {
      scores: await read(S, T), scale, scaled: await read(scaled, T), masked: await read(masked, T),
      weights: await read(P, T), output: await read(O, dv),
    };
  } finally {
    for (const t of made) t.dispose();
  }
}

/**
 * How many steps information takes from token i to token j (i ≤ j) in a recurrent network, which passes it along
 * one state at a time, and in one self-attention layer, where every position reads every other directly.
 */
export function pathLengths(i: number, j: number): { rnn: number; attention: number } {
  if (!Number.isInteger(i) || !Number.isInteger(j) || i < 0 || j < 0) throw new RangeError(`pathLengths: positions must be integers ≥ 0, got ${i} and ${j}`);
  return { rnn: Math.abs(j - i), attention: i === j ? 0 : 1 };
}
