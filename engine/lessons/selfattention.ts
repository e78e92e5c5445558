// Weeks 13-14, self-attention and multiple heads, as engine code the course pages and their tests share:
// - the references the code cells are checked against (self-attention from raw weights through the engine's
//   attention, heads split and merged as nn.MultiHeadAttention does it, the sinusoidal table of nn/positional.ts);
// - permutation equivariance measured: shuffle the tokens, un-shuffle the outputs, and take the largest difference;
// - the order task ("did A come before B?") and a one-layer self-attention classifier trained on it with no
//   positions, sinusoidal positions or learned positions, whose attention weights per head can be read back.
import { tensor, Tensor } from '../tensor';
import { tidy } from '../memory';
import { noGrad } from '../autograd';
import { crossEntropy } from '../ops/loss';
import { scaledDotProductAttention } from '../ops/attention';
import { Module } from '../nn/module';
import { Embedding, Linear } from '../nn/layers';
import { MultiHeadAttention } from '../nn/attention';
import { LearnedPositionalEmbedding, SinusoidalPositionalEncoding, sinusoidalTable } from '../nn/positional';
import type { DeviceName } from '../backend/backend';
import { adamSteps } from './adam-steps';
import { seededRandom, permutation } from './metrics';
import { flat2, toRows } from './rows';

/**
 * Self-attention from raw weights, computed by the engine: Q = X Wq, K = X Wk, V = X Wv (X is (T, E), each W is
 * (E, d) or (E, dv)), then the engine's scaledDotProductAttention, softmax(Q Kᵀ / √d) V, as one head of one batch.
 */
export async function selfAttentionReference(
  X: readonly (readonly number[])[],
  Wq: readonly (readonly number[])[],
  Wk: readonly (readonly number[])[],
  Wv: readonly (readonly number[])[],
): Promise<number[][]> {
  const x = flat2('X', X);
  const [q, k, v] = [flat2('Wq', Wq), flat2('Wk', Wk), flat2('Wv', Wv)];
  for (const [n, w] of [['Wq', q], ['Wk', k], ['Wv', v]] as const) {
    if (w.rows !== x.cols) throw new RangeError(`${n} has ${w.rows} rows but X has ${x.cols} columns`);
  }
  if (q.cols !== k.cols) throw new RangeError(`Wq and Wk must have as many columns (d), got ${q.cols} and ${k.cols}`);
  const T = x.rows;
  const out = tidy(() => {
    const X_ = tensor(x.data, [T, x.cols], { device: 'cpu' });
    const proj = (w: typeof q) => X_.matmul(tensor(w.data, [w.rows, w.cols], { device: 'cpu' })).reshape([1, 1, T, w.cols]); // (1, 1, T, d)
    return scaledDotProductAttention(proj(q), proj(k), proj(v)).reshape([T, v.cols]); // (T, dv)
  });
  try {
    return toRows(await out.toArray(), T, v.cols);
  } finally {
    out.dispose();
  }
}

/** A rectangular (B, …) nested array's shape and flat data (3 or 4 dims). */
function flatN(name: string, x: unknown, ndim: number): { data: Float32Array; shape: number[] } {
  const shape: number[] = [];
  let level: unknown = x;
  for (let d = 0; d < ndim; d++) {
    if (!Array.isArray(level) || level.length === 0) throw new RangeError(`${name} must be a non-empty ${ndim}-D array`);
    shape.push(level.length);
    level = level[0];
  }
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  let i = 0;
  const walk = (v: unknown, d: number): void => {
    if (!Array.isArray(v) || v.length !== shape[d]) throw new RangeError(`${name} is not rectangular: expected shape [${shape.join(', ')}]`);
    for (const e of v) if (d === ndim - 1) data[i++] = Number(e);
    else walk(e, d + 1);
  };
  walk(x, 0);
  return { data, shape };
}

/** Nested arrays of a contiguous tensor's values. */
async function nested(t: Tensor): Promise<unknown> {
  const data = await t.toArray();
  const walk = (d: number, offset: number): unknown[] => {
    const stride = t.shape.slice(d + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: t.shape[d] }, (_, i) => (d === t.ndim - 1 ? data[offset + i] : walk(d + 1, offset + i * stride)));
  };
  return walk(0, 0);
}

/**
 * Splits the embedding into heads as nn.MultiHeadAttention does: (B, T, E) → (B, T, H, d) → (B, H, T, d), so head h
 * owns features h·d … h·d + d − 1 of every token.
 */
export async function splitHeadsReference(x: unknown, heads: number): Promise<number[][][][]> {
  const { data, shape } = flatN('x', x, 3);
  const [B, T, E] = shape;
  if (!Number.isInteger(heads) || heads < 1 || E % heads !== 0) throw new RangeError(`heads (${heads}) must divide the embedding size ${E}`);
  const out = tidy(() => tensor(data, shape, { device: 'cpu' }).reshape([B, T, heads, E / heads]).permute(0, 2, 1, 3).contiguous()); // (B, H, T, d)
  try {
    return (await nested(out)) as number[][][][];
  } finally {
    out.dispose();
  }
}

/** Merges heads back as nn.MultiHeadAttention does before its output projection: (B, H, T, d) → (B, T, H·d). */
export async function mergeHeadsReference(y: unknown): Promise<number[][][]> {
  const { data, shape } = flatN('y', y, 4);
  const [B, H, T, d] = shape;
  const out = tidy(() => tensor(data, shape, { device: 'cpu' }).permute(0, 2, 1, 3).reshape([B, T, H * d]).contiguous()); // (B, T, E)
  try {
    return (await nested(out)) as number[][][];
  } finally {
    out.dispose();
  }
}

/** The sinusoidal table of nn/positional.ts as rows: PE[pos][2i] = sin(pos / 10000^(2i/d)), PE[pos][2i+1] = cos(…). */
export function sinusoidalRows(length: number, dim: number): number[][] {
  if (!Number.isInteger(length) || length < 1 || !Number.isInteger(dim) || dim < 1) {
    throw new RangeError(`sinusoidalRows: length and dim must be positive integers, got ${length} and ${dim}`);
  }
  return toRows(sinusoidalTable(length, dim), length, dim);
}

/** Cosine similarity of every pair of rows: (T, d) → (T, T). How alike two positions' encodings are. */
export function rowSimilarity(rows: readonly (readonly number[])[]): number[][] {
  const norm = rows.map((r) => Math.sqrt(r.reduce((s, v) => s + v * v, 0)) || 1);
  return rows.map((a, i) => rows.map((b, j) => a.reduce((s, v, k) => s + v * b[k], 0) / (norm[i] * norm[j])));
}

// ---------------------------------------------------------------------------------------------------------------
// Permutation equivariance.

export interface EquivarianceResult {
  /** The layer's outputs for the tokens in their order: (T, E). */
  outputs: number[][];
  /** The outputs for the shuffled tokens, in the shuffled order: row i belongs to token perm[i]. */
  shuffledOutputs: number[][];
  /** max |shuffledOutputs[i] − outputs[perm[i]]|: 0 up to rounding when the layer is equivariant. */
  maxDiff: number;
}

/**
 * Runs one self-attention layer on x (T, E) and on its rows reordered by `perm` (row i of the shuffled input is
 * row perm[i] of x), optionally adding sinusoidal positions first (position i gets PE[i] whichever token is there),
 * and measures how far the second output is from the first one reordered the same way.
 */
export async function equivariance(
  layer: MultiHeadAttention,
  x: readonly (readonly number[])[],
  perm: readonly number[],
  positions: boolean,
): Promise<EquivarianceResult> {
  const { data, rows: T, cols: E } = flat2('x', x);
  const sorted = [...perm].sort((a, b) => a - b);
  if (perm.length !== T || sorted.some((p, i) => p !== i)) throw new RangeError(`perm must be a permutation of 0 … ${T - 1}, got [${perm.join(', ')}]`);
  const shuffled = new Float32Array(T * E);
  for (let i = 0; i < T; i++) shuffled.set(data.subarray(perm[i] * E, perm[i] * E + E), i * E);
  const pe = positions ? new SinusoidalPositionalEncoding(E, T) : null;
  const run = async (d: Float32Array): Promise<number[][]> => {
    const y = noGrad(() =>
      tidy(() => {
        let h = tensor(d, [1, T, E], { device: layer.in_proj_weight.device }); // (1, T, E)
        if (pe) h = pe.forward(h);
        return layer.forward(h); // (1, T, E)
      }),
    );
    try {
      return toRows(await y.toArray(), T, E);
    } finally {
      y.dispose();
    }
  };
  const outputs = await run(data);
  const shuffledOutputs = await run(shuffled);
  let maxDiff = 0;
  for (let i = 0; i < T; i++) for (let e = 0; e < E; e++) maxDiff = Math.max(maxDiff, Math.abs(shuffledOutputs[i][e] - outputs[perm[i]][e]));
  return { outputs, shuffledOutputs, maxDiff };
}

/** A seeded shuffle of 0 … n − 1 that moves at least one item (for n ≥ 2), so a "shuffle" is never the identity. */
export function shuffleOrder(n: number, seed: number): number[] {
  for (let s = seed; ; s += 7919) {
    const p = permutation(n, s);
    if (n < 2 || p.some((v, i) => v !== i)) return p;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The order task: sequences of `length` tokens holding one A (id 0), one B (id 1) and filler tokens (ids 2 …); the
// label is 1 when A comes before B. Without positions a self-attention model sees only which tokens occur, and a
// sequence and its copy with A and B swapped hold the same tokens but opposite labels.

export interface OrderTaskConfig {
  /** Tokens per sequence (≥ 2). */
  length: number;
  /** Distinct filler tokens. */
  fillers: number;
}

export interface OrderBatch {
  /** (n, length) token ids, row-major. */
  x: Int32Array;
  /** (n) labels: 1 when A comes before B. */
  y: Int32Array;
}

export const ORDER_TOKENS = ['A', 'B'] as const;

/** The task's token names: A, B, then the fillers as lower-case letters c, d, … */
export function orderVocab(cfg: OrderTaskConfig): string[] {
  return [...ORDER_TOKENS, ...Array.from({ length: cfg.fillers }, (_, i) => String.fromCharCode(99 + i))];
}

function checkTask(cfg: OrderTaskConfig): void {
  if (!Number.isInteger(cfg.length) || cfg.length < 2) throw new RangeError(`order task: length must be an integer ≥ 2, got ${cfg.length}`);
  if (!Number.isInteger(cfg.fillers) || cfg.fillers < 1) throw new RangeError(`order task: fillers must be an integer ≥ 1, got ${cfg.fillers}`);
}

/** n random sequences of the order task from the random source r. */
export function orderBatch(cfg: OrderTaskConfig, n: number, r: () => number): OrderBatch {
  checkTask(cfg);
  const T = cfg.length;
  const x = new Int32Array(n * T);
  const y = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    for (let t = 0; t < T; t++) x[s * T + t] = 2 + Math.floor(r() * cfg.fillers);
    const a = Math.floor(r() * T);
    let b = Math.floor(r() * (T - 1));
    if (b >= a) b++; // a different position from a's
    x[s * T + a] = 0;
    x[s * T + b] = 1;
    y[s] = a < b ? 1 : 0;
  }
  return { x, y };
}

/**
 * The held-out set: `pairs` random sequences, each followed by its copy with A and B swapped. The two hold the same
 * tokens with opposite labels, so a model blind to order gives both the same answer and scores exactly 50%.
 */
export function pairedOrderTest(cfg: OrderTaskConfig, pairs: number, seed: number): OrderBatch {
  const base = orderBatch(cfg, pairs, seededRandom(seed));
  const T = cfg.length;
  const x = new Int32Array(2 * pairs * T);
  const y = new Int32Array(2 * pairs);
  for (let p = 0; p < pairs; p++) {
    const row = base.x.subarray(p * T, p * T + T);
    x.set(row, 2 * p * T);
    x.set(row.map((v) => (v === 0 ? 1 : v === 1 ? 0 : v)), (2 * p + 1) * T);
    y[2 * p] = base.y[p];
    y[2 * p + 1] = 1 - base.y[p];
  }
  return { x, y };
}

export type PositionKind = 'none' | 'sinusoidal' | 'learned';

export interface OrderModelConfig {
  positions: PositionKind;
  /** Embedding size E. */
  dim: number;
  heads: number;
  /** Hidden units of the position-wise feed-forward layer. */
  hidden: number;
  seed?: number;
  device?: DeviceName;
}

/**
 * One self-attention block and a classifier: x = embed(ids) (+ positions); h = x + MHA(x);
 * h = h + W₂ relu(W₁ h); logits = W_out · mean over tokens of h. Every step but the positions treats the tokens
 * alike, so with no positions the logits depend only on which tokens occur.
 */
export class OrderModel extends Module {
  readonly embed: Embedding;
  readonly learned: LearnedPositionalEmbedding | null;
  readonly attn: MultiHeadAttention;
  readonly ff1: Linear;
  readonly ff2: Linear;
  readonly out: Linear;
  private readonly sinusoidal: SinusoidalPositionalEncoding | null;

  constructor(
    readonly task: OrderTaskConfig,
    readonly config: OrderModelConfig,
  ) {
    super();
    checkTask(task);
    const { dim, heads, hidden, seed = 0, device } = config;
    this.embed = new Embedding(2 + task.fillers, dim, { seed, device });
    // Learned positions start at the embeddings' scale (N(0, 1)), not GPT-2's 0.02, so a short run can use them.
    this.learned = config.positions === 'learned' ? new LearnedPositionalEmbedding(task.length, dim, { seed: seed + 1, device, std: 1 }) : null;
    this.sinusoidal = config.positions === 'sinusoidal' ? new SinusoidalPositionalEncoding(dim, task.length) : null;
    this.attn = new MultiHeadAttention(dim, heads, { seed: seed + 2, device });
    this.ff1 = new Linear(dim, hidden, { seed: seed + 3, device });
    this.ff2 = new Linear(hidden, dim, { seed: seed + 4, device });
    this.out = new Linear(dim, 2, { seed: seed + 5, device });
  }

  /** ids (B, T) int32 → logits (B, 2), and the attention weights (B, H, T, T) when asked. */
  run(ids: Tensor, needWeights = false): { logits: Tensor; weights?: Tensor } {
    let x = this.embed.forward(ids); // (B, T, E)
    if (this.sinusoidal) x = this.sinusoidal.forward(x);
    if (this.learned) x = this.learned.forward(x);
    const a = this.attn.attend(x, { needWeights });
    let h = x.add(a.output); // (B, T, E)
    h = h.add(this.ff2.forward(this.ff1.forward(h).relu()));
    return { logits: this.out.forward(h.mean(1)), weights: a.weights }; // (B, E) → (B, 2)
  }

  forward(ids: Tensor): Tensor {
    return this.run(ids).logits;
  }

  /** The positions the model adds to its token embeddings, (T, E) rows; none for 'none'. */
  async positionTable(): Promise<number[][] | null> {
    const T = this.task.length;
    const E = this.config.dim;
    if (this.sinusoidal) return sinusoidalRows(T, E);
    if (this.learned) return toRows(await this.learned.weight.toArray(), T, E);
    return null;
  }
}

export interface TrainOrderOptions {
  steps: number;
  batch: number;
  /** Adam's step size (default 0.01). */
  lr?: number;
  seed?: number;
  /** Report (and yield) every this many steps (default 25). */
  every?: number;
  onProgress?: (p: { step: number; loss: number }) => void | Promise<void>;
  signal?: AbortSignal;
}

/** Trains on fresh seeded batches of the task with Adam; returns the reported losses. */
export async function trainOrderModel(model: OrderModel, opts: TrainOrderOptions): Promise<Array<{ step: number; loss: number }>> {
  const device = model.config.device;
  const T = model.task.length;
  const r = seededRandom(opts.seed ?? 0);
  const every = opts.every ?? 25;
  const draw = () => {
    const b = orderBatch(model.task, opts.batch, r);
    return { x: tensor(b.x, [opts.batch, T], { device }), y: tensor(b.y, [opts.batch], { device }) };
  };
  return adamSteps({
    params: model.parameters(),
    steps: opts.steps,
    lr: opts.lr ?? 0.01,
    every,
    draw,
    loss: (x, y) => crossEntropy(model.forward(x), y), // (B, 2) logits → mean loss
    // One batch for the pipelines, from the training stream (as trainMLPLM does).
    warmupBatches: () => [draw()],
    onProgress: opts.onProgress,
    signal: opts.signal,
  });
}

/** The model's predicted labels for a batch. */
export async function predictOrder(model: OrderModel, batch: OrderBatch): Promise<Int32Array> {
  const n = batch.y.length;
  const x = tensor(batch.x, [n, model.task.length], { device: model.config.device });
  const logits = noGrad(() => model.forward(x)); // (n, 2)
  try {
    const l = await logits.toArray();
    return Int32Array.from({ length: n }, (_, i) => (l[2 * i + 1] > l[2 * i] ? 1 : 0));
  } finally {
    x.dispose();
    logits.dispose();
  }
}

/** The fraction of the batch labelled right. */
export async function orderAccuracy(model: OrderModel, batch: OrderBatch): Promise<number> {
  const pred = await predictOrder(model, batch);
  let right = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === batch.y[i]) right++;
  return right / pred.length;
}

/** One sequence's attention weights per head: heads × (T, T), row i = how token i spreads its attention. */
export async function attentionMaps(model: OrderModel, ids: readonly number[]): Promise<number[][][]> {
  const T = model.task.length;
  if (ids.length !== T) throw new RangeError(`attentionMaps: the sequence has ${ids.length} tokens, the model reads ${T}`);
  const x = tensor(Int32Array.from(ids), [1, T], { device: model.config.device });
  const w = noGrad(() => tidy(() => model.run(x, true).weights as Tensor)); // (1, H, T, T)
  try {
    const data = await w.toArray();
    return Array.from({ length: model.config.heads }, (_, h) => toRows(data.subarray(h * T * T, (h + 1) * T * T), T, T));
  } finally {
    x.dispose();
    w.dispose();
  }
}

export interface OrderRun {
  positions: PositionKind;
  model: OrderModel;
  losses: Array<{ step: number; loss: number }>;
  /** Accuracy on the paired held-out set. */
  accuracy: number;
}

export interface OrderComparisonOptions {
  task: OrderTaskConfig;
  model: Omit<OrderModelConfig, 'positions'>;
  train: TrainOrderOptions;
  /** Pairs in the held-out set (twice as many sequences). */
  testPairs: number;
  testSeed: number;
  kinds?: PositionKind[];
}

/** The same model and schedule with each kind of positions, scored on the same paired held-out set. */
export async function compareOrderModels(opts: OrderComparisonOptions): Promise<OrderRun[]> {
  const test = pairedOrderTest(opts.task, opts.testPairs, opts.testSeed);
  const runs: OrderRun[] = [];
  for (const positions of opts.kinds ?? (['none', 'sinusoidal', 'learned'] as PositionKind[])) {
    const model = new OrderModel(opts.task, { ...opts.model, positions });
    const losses = await trainOrderModel(model, opts.train);
    runs.push({ positions, model, losses, accuracy: await orderAccuracy(model, test) });
  }
  return runs;
}
