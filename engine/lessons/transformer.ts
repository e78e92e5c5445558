// Weeks 15-16 (the transformer): the engine's encoder-decoder (nn/seq2seq.ts) on the toy translation task of
// engine/train/translate.ts, reversing a digit string, with what the lesson varies made explicit:
//   - each sub-layer's residual connection and layer norm can be switched off (ablation), every other piece
//     staying the engine's own pre-LN layer (nn/transformer.ts);
//   - learning-rate warmup and label smoothing (the engine's crossEntropy option) are switches of the run;
//   - width, heads and layers are the sweep's axes;
//   - the trained model's three kinds of attention (encoder self, decoder self, decoder → encoder cross) are read
//     back per layer and head, with how often the cross-attention's strongest key is the mirrored source digit.
// Held-out quality is teacher-forced token accuracy: the share of held-out target tokens (each digit and the end
// marker) that the model ranks first given the true prefix. It moves smoothly during short runs, where exact match
// of whole strings is still near zero.
import { Tensor, tensor } from '../tensor';
import { noGrad } from '../autograd';
import { dispose, tidy } from '../memory';
import { mulberry32 } from '../random';
import type { DeviceName } from '../backend/backend';
import { crossEntropy } from '../ops/loss';
import { Adam } from '../optim/adam';
import { LRScheduler, warmupSchedule } from '../optim/schedule';
import type { Dropout, LayerNorm } from '../nn/layers';
import { SinusoidalPositionalEncoding } from '../nn/positional';
import { Transformer, type TransformerConfig } from '../nn/seq2seq';
import { TransformerDecoderLayer, TransformerEncoderLayer, type TransformerLayerOptions } from '../nn/transformer';
import { BOS, EOS, PAD } from '../train/translate';

/** Token ids, as engine/train/translate.ts numbers them: PAD, BOS, EOS, then the digits 0–9. */
export const REVERSAL_TOKENS = { pad: PAD, bos: BOS, eos: EOS, digit0: EOS + 1, vocab: EOS + 11 } as const;

/** A token list as text: digits, "</s>" for the end marker, "?" for anything else. */
export function reversalText(tokens: readonly number[]): string {
  const { digit0, eos } = REVERSAL_TOKENS;
  return tokens.map((t) => (t >= digit0 && t < digit0 + 10 ? String(t - digit0) : t === eos ? '</s>' : '?')).join('');
}

export interface ReversalSplit {
  /** Held-out sources (token ids), never drawn for training. */
  test: number[][];
  /** Draws one training source. */
  drawTrain: () => number[];
  maxLen: number;
}

/** Seeded random digit strings of minLen to maxLen digits: `testSize` distinct held-out ones, and a training draw that skips them. */
export function reversalSplit(opts: { seed: number; minLen: number; maxLen: number; testSize: number }): ReversalSplit {
  const { minLen, maxLen, testSize } = opts;
  if (!(minLen >= 1 && maxLen >= minLen)) throw new RangeError(`reversalSplit: need 1 ≤ minLen ≤ maxLen, got ${minLen} and ${maxLen}`);
  if (testSize > Math.pow(10, maxLen) / 2) throw new RangeError(`reversalSplit: ${testSize} held-out strings would leave too few of ${maxLen} digits to train on`);
  const rand = mulberry32(opts.seed + 7);
  const draw = (): number[] => {
    const n = minLen + Math.floor(rand() * (maxLen - minLen + 1));
    return Array.from({ length: n }, () => REVERSAL_TOKENS.digit0 + Math.floor(rand() * 10));
  };
  const held = new Set<string>();
  const test: number[][] = [];
  while (test.length < testSize) {
    const s = draw();
    if (!held.has(s.join())) {
      held.add(s.join());
      test.push(s);
    }
  }
  const drawTrain = (): number[] => {
    for (;;) {
      const s = draw();
      if (!held.has(s.join())) return s;
    }
  };
  return { test, drawTrain, maxLen };
}

/** Teacher-forcing arrays for sources padded to maxLen: src (B, S), tgtIn = [BOS, reversed] and tgtOut = [reversed, EOS] (B, S + 1), −100 on padding. */
export function reversalBatch(sources: readonly (readonly number[])[], maxLen: number): { src: Int32Array; tgtIn: Int32Array; tgtOut: Int32Array; B: number; S: number; T: number } {
  const B = sources.length;
  const S = maxLen;
  const T = maxLen + 1;
  const src = new Int32Array(B * S).fill(PAD);
  const tgtIn = new Int32Array(B * T).fill(PAD);
  const tgtOut = new Int32Array(B * T).fill(-100);
  sources.forEach((s, b) => {
    if (s.length > maxLen) throw new RangeError(`reversalBatch: source ${b} has ${s.length} tokens, more than maxLen ${maxLen}`);
    const r = [...s].reverse();
    src.set(s, b * S);
    tgtIn.set([BOS, ...r], b * T);
    tgtOut.set([...r, EOS], b * T);
  });
  return { src, tgtIn, tgtOut, B, S, T };
}

/** Which parts of each sub-layer are kept. Both true is the engine's own pre-LN layer. */
export interface Ablation {
  residual: boolean;
  layerNorm: boolean;
}

/**
 * One sub-layer with parts switched off. Pre-LN with both kept: x + f(LN(x)). Without the residual: f(LN(x)).
 * Without layer norm: x + f(x), or f(x) with neither. (Dropout stays where the engine puts it.)
 */
function ablatedSublayer(residual: boolean, useNorm: boolean, x: Tensor, norm: LayerNorm, dropped: (y: Tensor) => Tensor, f: (h: Tensor) => Tensor): Tensor {
  const y = dropped(f(useNorm ? norm.forward(x) : x));
  return residual ? x.add(y) : y;
}

/**
 * Takes a layer's layer norms out when the ablation drops them, so they are neither counted nor handed to the
 * optimizer. Safe because, with normFirst false, nothing in the layer reads them: the sub-layers skip them in
 * ablatedSublayer and the attention-weight readers read x itself.
 */
function removeNorms(layer: TransformerEncoderLayer | TransformerDecoderLayer, names: readonly string[]): void {
  for (const name of names) {
    dispose((Reflect.get(layer, name) as LayerNorm).parameters());
    Reflect.deleteProperty(layer, name);
  }
}

// The layers' normFirst flag is set to "layer norm kept", so their attention-weight readers (which look at
// normFirst to know whether the attention read norm(x) or x) read exactly what the ablated sub-layer feeds it.
class AblatedEncoderLayer extends TransformerEncoderLayer {
  constructor(dModel: number, nHead: number, opts: TransformerLayerOptions, private readonly keepResidual: boolean) {
    super(dModel, nHead, opts);
    if (!this.normFirst) removeNorms(this, ['norm1', 'norm2']);
  }

  protected override residual(x: Tensor, norm: LayerNorm, dropout: Dropout | null, f: (h: Tensor) => Tensor): Tensor {
    return ablatedSublayer(this.keepResidual, this.normFirst, x, norm, (y) => this.drop(dropout, y), f);
  }
}

class AblatedDecoderLayer extends TransformerDecoderLayer {
  constructor(dModel: number, nHead: number, opts: TransformerLayerOptions, private readonly keepResidual: boolean) {
    super(dModel, nHead, opts);
    if (!this.normFirst) removeNorms(this, ['norm1', 'norm2', 'norm3']);
  }

  protected override residual(x: Tensor, norm: LayerNorm, dropout: Dropout | null, f: (h: Tensor) => Tensor): Tensor {
    return ablatedSublayer(this.keepResidual, this.normFirst, x, norm, (y) => this.drop(dropout, y), f);
  }
}

/**
 * The engine's pre-LN encoder-decoder with each layer's residuals and layer norms kept or removed (removing layer
 * norm also drops the stacks' final norms). Its layers are built from `config.seed` whatever is removed, so every
 * variant starts from the same weights, and with both kept it computes exactly what nn.Transformer does.
 */
export class AblationTransformer extends Transformer {
  readonly ablation: Readonly<Ablation>;

  constructor(config: TransformerConfig, ablation: Ablation) {
    super({ ...config, normFirst: true });
    this.ablation = { ...ablation };
    const { dModel, nHead } = config;
    const seed = (config.seed ?? 0) * 7919 + 17;
    const opts = { ...config, normFirst: ablation.layerNorm };
    // Replaces the stacks' layers (same fields and names, so state dicts carry over) before any optimizer sees them.
    this.encoder.layers = this.encoder.layers.map((old, i) => {
      dispose(old.parameters());
      return new AblatedEncoderLayer(dModel, nHead, { ...opts, seed: seed + 101 * i }, ablation.residual);
    });
    this.decoder.layers = this.decoder.layers.map((old, i) => {
      dispose(old.parameters());
      return new AblatedDecoderLayer(dModel, nHead, { ...opts, seed: seed + 5003 + 101 * i }, ablation.residual);
    });
    if (!ablation.layerNorm) {
      dispose([...(this.encoder.norm?.parameters() ?? []), ...(this.decoder.norm?.parameters() ?? [])]);
      this.encoder.norm = null;
      this.decoder.norm = null;
    }
  }
}

export interface ReversalModelOptions {
  dModel: number;
  nHead: number;
  /** Encoder layers and decoder layers (the same number of each). */
  layers: number;
  /** Feed-forward width (default 2·dModel, as engine/train/translate.ts). */
  ffn?: number;
  ablation?: Ablation;
  seed: number;
  device?: DeviceName;
}

/** The model for digit strings up to maxLen: no dropout, ReLU feed-forward. */
export function reversalModel(opts: ReversalModelOptions, maxLen: number): AblationTransformer {
  const { vocab, pad, bos, eos } = REVERSAL_TOKENS;
  return new AblationTransformer(
    {
      srcVocabSize: vocab, tgtVocabSize: vocab, dModel: opts.dModel, nHead: opts.nHead, numEncoderLayers: opts.layers,
      numDecoderLayers: opts.layers, dimFeedforward: opts.ffn ?? 2 * opts.dModel, dropout: 0, maxLen: maxLen + 1,
      padId: pad, bosId: bos, eosId: eos, seed: opts.seed, device: opts.device,
    },
    opts.ablation ?? { residual: true, layerNorm: true },
  );
}

export interface ReversalTrainOptions extends ReversalModelOptions {
  steps: number;
  batch: number;
  lr: number;
  /** Steps of linear warmup from 0 to lr (0: the full rate from the first step). The rate stays at lr afterwards. */
  warmup: number;
  /** ε of the training loss's label smoothing (0: plain cross-entropy). */
  labelSmoothing: number;
  minLen: number;
  maxLen: number;
  testSize: number;
  /** Record the training loss, and the held-out token accuracy, every this many steps (and at the first and last). */
  every: number;
  onProgress?: (p: ReversalPoint & { steps: number }) => void | Promise<void>;
  signal?: AbortSignal;
}

export interface ReversalPoint {
  step: number;
  /** The batch's training loss (smoothed when labelSmoothing > 0: that is what the optimizer minimises). */
  loss: number;
  /** The learning rate used at this step. */
  lr: number;
  /** Held-out token accuracy after this step. */
  accuracy: number;
}

export interface ReversalRun {
  points: ReversalPoint[];
  /** Held-out teacher-forced token accuracy at the end. */
  accuracy: number;
  /** Held-out cross-entropy (unsmoothed) at the end, nats per token. */
  heldOutLoss: number;
  numParameters: number;
  /** The trained model (its parameters stay allocated: call dispose(model.parameters()) when done). */
  model: AblationTransformer;
  split: ReversalSplit;
  /** True when the loss stopped being finite and training stopped early. */
  diverged: boolean;
}

/** Held-out token accuracy and cross-entropy of a model, teacher-forced, over `sources` in one batch. */
export async function reversalScore(model: Transformer, sources: readonly (readonly number[])[], maxLen: number): Promise<{ accuracy: number; loss: number }> {
  const { src, tgtIn, tgtOut, B, S, T } = reversalBatch(sources, maxLen);
  const device = model.generator.weight.device;
  const wasTraining = model.training;
  model.eval();
  try {
    const [pred, loss] = noGrad(() =>
      tidy(() => {
        const logits = model.forward(tensor(src, [B, S], { device }), tensor(tgtIn, [B, T], { device })); // (B, T, V)
        const l = crossEntropy(logits, tensor(tgtOut, [B, T], { device }), { ignoreIndex: -100 });
        return [logits.argmax(-1), l] as const; // (B, T), ()
      }),
    );
    const [p, l] = await Promise.all([pred.toArray(), loss.item()]);
    dispose([pred, loss]);
    let right = 0;
    let counted = 0;
    tgtOut.forEach((y, i) => {
      if (y === -100) return;
      counted++;
      if (p[i] === y) right++;
    });
    return { accuracy: right / counted, loss: l };
  } finally {
    model.train(wasTraining);
  }
}

/** Adam on batches of fresh training strings, with optional warmup and label smoothing; scored on the held-out strings. */
export async function trainReversal(opts: ReversalTrainOptions): Promise<ReversalRun> {
  const split = reversalSplit({ seed: opts.seed, minLen: opts.minLen, maxLen: opts.maxLen, testSize: opts.testSize });
  const model = reversalModel(opts, opts.maxLen);
  const device = model.generator.weight.device;
  const optimizer = new Adam(model.parameters(), { lr: opts.lr });
  const scheduler = new LRScheduler(optimizer, warmupSchedule({ warmup: opts.warmup, decay: 'none' }));
  const points: ReversalPoint[] = [];
  let diverged = false;
  try {
    for (let step = 1; step <= opts.steps; step++) {
      if (opts.signal?.aborted) break;
      const lr = optimizer.lr;
      const { src, tgtIn, tgtOut, B, S, T } = reversalBatch(Array.from({ length: opts.batch }, split.drawTrain), opts.maxLen);
      const loss = tidy(() =>
        crossEntropy(model.forward(tensor(src, [B, S], { device }), tensor(tgtIn, [B, T], { device })), tensor(tgtOut, [B, T], { device }), {
          ignoreIndex: -100,
          labelSmoothing: opts.labelSmoothing,
        }),
      );
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      scheduler.step();
      if (step === 1 || step % opts.every === 0 || step === opts.steps) {
        const value = await loss.item();
        const { accuracy } = await reversalScore(model, split.test, opts.maxLen);
        const point = { step, loss: value, lr, accuracy };
        points.push(point);
        await opts.onProgress?.({ ...point, steps: opts.steps });
        if (!Number.isFinite(value)) diverged = true;
      }
      loss.dispose();
      if (diverged) break;
    }
  } finally {
    model.zeroGrad();
    optimizer.dispose();
  }
  const final = await reversalScore(model, split.test, opts.maxLen);
  return { points, accuracy: final.accuracy, heldOutLoss: final.loss, numParameters: model.numParameters(), model, split, diverged };
}

/** The model's input to its encoder or decoder stack, as nn/seq2seq.ts forms it: embed(ids)·√d + sinusoidal positions. ids (B, T) → (B, T, d). */
export function stackInput(model: Transformer, table: Transformer['src_embed'], ids: Tensor): Tensor {
  const { dModel, maxLen } = model.config;
  return tidy(() => new SinusoidalPositionalEncoding(dModel, maxLen).forward(table.forward(ids).mul(Math.sqrt(dModel))));
}

/** One attention map: rows are queries, columns keys, each row summing to 1. */
export type AttentionGrid = number[][];

export interface ReversalAttention {
  source: string[];
  /** The decoder's input tokens: <s> then the greedy output. */
  target: string[];
  /** [layer][head]: (Ts, Ts), (Tt, Tt) causal, and (Tt, Ts). */
  encoderSelf: AttentionGrid[][];
  decoderSelf: AttentionGrid[][];
  cross: AttentionGrid[][];
}

/** (1, H, Tq, Tk) → [head][query][key]. */
async function heads(w: Tensor): Promise<AttentionGrid[]> {
  const [, H, Tq, Tk] = w.shape;
  const d = await w.toArray();
  return Array.from({ length: H }, (_, h) => Array.from({ length: Tq }, (_, q) => Array.from(d.subarray((h * Tq + q) * Tk, (h * Tq + q + 1) * Tk))));
}

/**
 * Every attention map of `model` on one source, the decoder fed its own greedy output (as when it translates).
 * The layers are run one at a time from the model's embeddings, each layer's maps read before it runs.
 */
export async function reversalAttention(model: Transformer, source: readonly number[]): Promise<ReversalAttention> {
  const { bosId, maxLen } = model.config;
  const output = (await model.greedyDecode([source], maxLen - 1))[0]; // BOS + output fits the position table
  const targetIds = [bosId, ...output];
  const device = model.generator.weight.device;
  const wasTraining = model.training;
  model.eval();
  const encoderSelf: AttentionGrid[][] = [];
  const decoderSelf: AttentionGrid[][] = [];
  const cross: AttentionGrid[][] = [];
  let held: Tensor[] = [];
  try {
    held = noGrad(() =>
      tidy(() => {
        const maps: Tensor[] = [];
        const src = tensor(Int32Array.from(source), [1, source.length], { device });
        const tgt = tensor(Int32Array.from(targetIds), [1, targetIds.length], { device });
        let x = stackInput(model, model.src_embed, src); // (1, Ts, d)
        for (const layer of model.encoder.layers) {
          maps.push(layer.selfAttentionWeights(x)); // (1, H, Ts, Ts)
          x = layer.encode(x);
        }
        const memory = model.encoder.norm ? model.encoder.norm.forward(x) : x; // (1, Ts, d)
        let y = stackInput(model, model.tgt_embed, tgt); // (1, Tt, d)
        for (const layer of model.decoder.layers) {
          const { self, cross: c } = layer.attentionWeights(y, memory, { causal: true });
          maps.push(self, c); // (1, H, Tt, Tt), (1, H, Tt, Ts)
          y = layer.decode(y, memory, { causal: true });
        }
        return maps;
      }),
    );
    const nEnc = model.encoder.layers.length;
    for (let i = 0; i < nEnc; i++) encoderSelf.push(await heads(held[i]));
    for (let i = nEnc; i < held.length; i += 2) {
      decoderSelf.push(await heads(held[i]));
      cross.push(await heads(held[i + 1]));
    }
  } finally {
    dispose(held);
    model.train(wasTraining);
  }
  const names = (ids: readonly number[]) => ids.map((t) => (t === bosId ? '<s>' : reversalText([t])));
  return { source: names(source), target: names(targetIds), encoderSelf, decoderSelf, cross };
}

/**
 * How often the last decoder layer's cross-attention, averaged over heads, puts its largest weight on the source
 * digit that the next output digit copies: the query at target position i (which predicts output digit i)
 * should look at source position n − 1 − i. Counted over the output digits of every source given, with `chance`
 * the same share for a guess uniform over the source (1/n for each digit counted).
 */
export async function mirrorAlignment(model: Transformer, sources: readonly (readonly number[])[]): Promise<{ share: number; chance: number }> {
  let hit = 0;
  let expected = 0;
  let total = 0;
  for (const s of sources) {
    const a = await reversalAttention(model, s);
    const last = a.cross[a.cross.length - 1]; // [head][Tt][Ts]
    const n = s.length;
    for (let i = 0; i < Math.min(n, a.target.length); i++) {
      const mean = s.map((_, j) => last.reduce((acc, h) => acc + h[i][j], 0) / last.length);
      const best = mean.indexOf(Math.max(...mean));
      total++;
      expected += 1 / n;
      if (best === n - 1 - i) hit++;
    }
  }
  return total ? { share: hit / total, chance: expected / total } : { share: 0, chance: 0 };
}
