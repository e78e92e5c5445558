// The extrapolation comparison (issue 21): one small causal model per position encoding, trained on sequences of
// length 64, then scored at 64, 128 and 256. The task is a shift, y_t = x_{t−k}: "copy the token k places back".
// Its rule is the same at every position, so a model that learned it as an offset (i − j = k) should keep it at
// any length, while one that learned it as pairs of absolute positions (i, i − k) has never seen i > 63.
//
// The model: token embedding (+ the absolute encoding, for 'learned' and 'sinusoidal') → one causal
// MultiHeadAttention (positional 'rope', 'alibi' or 't5' for the relative ones) with a residual → a linear head.
// Only positions t ≥ k are scored: before them there is nothing k places back.
//
// The learned table has rows for positions 0 … 63 only. At a longer length there is no embedding to look up, so
// its score there is null ("not applicable"), never a clamped or wrapped row that would pass for a measurement.
import { tensor, type Tensor } from '../tensor';
import { tidy, dispose } from '../memory';
import { noGrad } from '../autograd';
import { mulberry32 } from '../random';
import { getDefaultDevice } from '../device';
import type { DeviceName } from '../backend/backend';
import { Module } from '../nn/module';
import { Embedding, Linear } from '../nn/layers';
import { MultiHeadAttention } from '../nn/attention';
import { LearnedPositionalEmbedding, SinusoidalPositionalEncoding } from '../nn/positional';
import { Adam } from '../optim/adam';
import { crossEntropy } from '../ops/loss';
import { releaseModel, runSteps } from './loop';
import type { StepLog } from './types';

export type PositionEncoding = 'learned' | 'sinusoidal' | 'rope' | 'alibi' | 't5';
export const POSITION_ENCODINGS: readonly PositionEncoding[] = ['learned', 'sinusoidal', 'rope', 'alibi', 't5'];

export interface ExtrapolationOptions {
  encodings?: readonly PositionEncoding[];
  /** Training length (default 64); also the learned table's number of rows. */
  trainLength?: number;
  /** Lengths scored (default 64, 128, 256). */
  evalLengths?: readonly number[];
  /** The shift k of y_t = x_{t−k} (default 2). */
  shift?: number;
  vocab?: number;
  embedDim?: number;
  heads?: number;
  batch?: number;
  steps?: number;
  lr?: number;
  seed?: number;
  /** Sequences scored per length (default 16). */
  evalBatch?: number;
  device?: DeviceName;
  logEvery?: number;
  onLog?: (encoding: PositionEncoding, log: StepLog) => void;
}

export interface ExtrapolationRow {
  encoding: PositionEncoding;
  /** Accuracy at each of evalLengths, in order; null where the encoding has no positions that far (learned). */
  accuracy: Array<number | null>;
  finalLoss: number;
}

export interface ExtrapolationResult {
  trainLength: number;
  evalLengths: number[];
  shift: number;
  /** 1 / vocab: what guessing scores. */
  chance: number;
  rows: ExtrapolationRow[];
}

/** emb(x) (+ absolute positions) → x + causal attention → logits (B, T, V). */
class ShiftModel extends Module {
  readonly embed: Embedding;
  readonly learned: LearnedPositionalEmbedding | null;
  readonly sinusoidal: SinusoidalPositionalEncoding | null;
  readonly attn: MultiHeadAttention;
  readonly head: Linear;

  constructor(readonly encoding: PositionEncoding, o: { vocab: number; embedDim: number; heads: number; trainLength: number; seed: number; device: DeviceName }) {
    super();
    const init = { device: o.device };
    this.embed = new Embedding(o.vocab, o.embedDim, { ...init, seed: o.seed });
    this.learned = encoding === 'learned' ? new LearnedPositionalEmbedding(o.trainLength, o.embedDim, { ...init, seed: o.seed + 1, std: 0.5 }) : null;
    this.sinusoidal = encoding === 'sinusoidal' ? new SinusoidalPositionalEncoding(o.embedDim) : null;
    const positional = encoding === 'rope' || encoding === 'alibi' || encoding === 't5' ? encoding : 'none';
    // A causal decoder: T5's keys after the query are masked anyway, so its buckets all look back.
    this.attn = new MultiHeadAttention(o.embedDim, o.heads, { ...init, seed: o.seed + 2, positional, ...(positional === 't5' ? { relativeBias: { bidirectional: false } } : {}) });
    this.head = new Linear(o.embedDim, o.vocab, { ...init, seed: o.seed + 3 });
  }

  forward(x: Tensor): Tensor {
    let h = this.embed.forward(x); // (B, T, E)
    if (this.learned) h = this.learned.forward(h); // refuses T past its rows, with the reason
    if (this.sinusoidal) h = this.sinusoidal.forward(h);
    h = h.add(this.attn.attend(h, { causal: true }).output); // (B, T, E)
    return this.head.forward(h); // (B, T, V)
  }
}

/** A batch of uniform random tokens x (B, T) and the targets of positions k … T − 1, y (B·(T − k)). */
function shiftBatch(B: number, T: number, k: number, vocab: number, seed: number, device: DeviceName): { x: Tensor; y: Tensor } {
  const r = mulberry32(seed);
  const x = Int32Array.from({ length: B * T }, () => Math.floor(r() * vocab));
  const y = Int32Array.from({ length: B * (T - k) }, (_, n) => x[Math.floor(n / (T - k)) * T + (n % (T - k))]);
  return { x: tensor(x, [B, T], { device }), y: tensor(y, [B * (T - k)], { device }) };
}

/** logits of the scored positions k … T − 1: (B·(T − k), V). */
function scoredLogits(model: ShiftModel, x: Tensor, k: number, vocab: number): Tensor {
  const [B, T] = x.shape;
  return model.forward(x).slice(1, k, T).reshape([B * (T - k), vocab]);
}

/** Trains one model per encoding at trainLength and scores each at every evalLength. */
export async function extrapolationTable(opts: ExtrapolationOptions = {}): Promise<ExtrapolationResult> {
  const encodings = opts.encodings ?? POSITION_ENCODINGS;
  const trainLength = opts.trainLength ?? 64;
  const evalLengths = [...(opts.evalLengths ?? [64, 128, 256])];
  const shift = opts.shift ?? 2;
  const vocab = opts.vocab ?? 8;
  const embedDim = opts.embedDim ?? 16;
  const heads = opts.heads ?? 2;
  const batch = opts.batch ?? 8;
  const steps = opts.steps ?? 300;
  const seed = opts.seed ?? 0;
  const evalBatch = opts.evalBatch ?? 16;
  const device = opts.device ?? getDefaultDevice();
  for (const e of encodings) if (!POSITION_ENCODINGS.includes(e)) throw new RangeError(`extrapolationTable: unknown encoding ${JSON.stringify(e)}; expected one of ${POSITION_ENCODINGS.join(', ')}`);
  for (const T of [trainLength, ...evalLengths]) {
    if (!Number.isInteger(T) || T <= shift) throw new RangeError(`extrapolationTable: every length must be an integer above the shift ${shift}, got ${T}`);
  }

  const rows: ExtrapolationRow[] = [];
  for (const encoding of encodings) {
    const model = new ShiftModel(encoding, { vocab, embedDim, heads, trainLength, seed: seed * 100 + 1, device });
    const optimizer = new Adam(model.parameters(), { lr: opts.lr ?? 0.02 });
    const { losses } = await runSteps({
      optimizer, steps, logEvery: opts.logEvery ?? Math.max(1, Math.floor(steps / 10)), onLog: (l) => opts.onLog?.(encoding, l),
      loss: (step) => tidy(() => {
        const { x, y } = shiftBatch(batch, trainLength, shift, vocab, seed * 1_000_003 + step, device);
        return crossEntropy(scoredLogits(model, x, shift, vocab), y);
      }),
    });
    const accuracy: Array<number | null> = [];
    for (const T of evalLengths) {
      if (encoding === 'learned' && T > trainLength) {
        accuracy.push(null); // no rows for positions ≥ trainLength: not applicable
        continue;
      }
      // Held-out sequences: a seed stream the training batches (seed·1000003 + 1 … steps) never reach.
      const { x, y } = shiftBatch(evalBatch, T, shift, vocab, -(seed + 1) * 7919 - T, device);
      const pred = noGrad(() => tidy(() => scoredLogits(model, x, shift, vocab).argmax(-1)));
      const [p, t] = [await pred.toArray(), await y.toArray()];
      accuracy.push(p.filter((v, n) => v === t[n]).length / t.length);
      dispose([x, y, pred]);
    }
    rows.push({ encoding, accuracy, finalLoss: losses[losses.length - 1].loss });
    releaseModel(model, optimizer);
  }
  return { trainLength, evalLengths, shift, chance: 1 / vocab, rows };
}

/** The table as text: one row per encoding, "n/a" where the encoding has no positions that far. */
export function formatExtrapolation(r: ExtrapolationResult): string {
  const head = ['encoding'.padEnd(11), ...r.evalLengths.map((T) => `T=${T}`.padStart(8))].join('');
  const lines = r.rows.map((row) => [row.encoding.padEnd(11), ...row.accuracy.map((a) => (a === null ? 'n/a' : `${(a * 100).toFixed(1)}%`).padStart(8))].join(''));
  return [
    `shift task y_t = x_{t−${r.shift}}, trained at T=${r.trainLength}; accuracy on held-out sequences (chance ${(r.chance * 100).toFixed(1)}%)`,
    head,
    ...lines,
    `n/a: the learned table has no rows past position ${r.trainLength - 1}, so there is nothing to score`,
  ].join('\n');
}
