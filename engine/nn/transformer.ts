// Transformer layers with PyTorch's structure and names (torch.nn.TransformerEncoderLayer / DecoderLayer:
// self_attn, multihead_attn, linear1, linear2, norm1–3), pre-LN or post-LN:
//   post-LN (Vaswani, BERT):   x = norm1(x + attn(x));        x = norm2(x + ff(x))
//   pre-LN (GPT-2, default in most modern models, trains without warmup):
//                              x = x + attn(norm1(x));        x = x + ff(norm2(x))
// where ff(x) = linear2(dropout(act(linear1(x)))). Modules take tensors in forward(); masks and caches go to
// encode()/decode(), since Module.forward takes tensors only.
// T5's relative bias (positional 't5'): a lone layer owns its table; a stack builds it in its first layer and
// lends that one to every later layer, as T5 does, so the table is one set of parameters whose gradient sums
// over the layers. A decoder's self-attention gets causal buckets; its cross-attention gets no bias (T5's too).
import type { Tensor } from '../tensor';
import { tidy } from '../memory';
import { nextSeed } from '../random';
import { Module } from './module';
import { Dropout, LayerNorm, Linear, type InitOptions } from './layers';
import { RelativePositionBias } from './relative-bias';
import { KVCache, MultiHeadAttention, type AttentionResult, type MultiHeadAttentionOptions } from './attention';

export interface TransformerLayerOptions extends InitOptions {
  /** Width of the feed-forward block (default 4·dModel). */
  dimFeedforward?: number;
  /** Dropout after attention, inside and after the feed-forward block (default 0.1, as PyTorch). */
  dropout?: number;
  /** Default 'relu', as PyTorch; BERT uses 'gelu', GPT-2 its tanh approximation 'geluTanh'. */
  activation?: 'relu' | 'gelu' | 'geluTanh';
  /** Pre-LN when true (PyTorch's norm_first), post-LN by default. */
  normFirst?: boolean;
  layerNormEps?: number;
  /** Positional information inside the self-attention (RoPE, ALiBi or T5's learned relative bias); default none. */
  positional?: 'none' | 'rope' | 'alibi' | 't5';
  /**
   * With positional 't5': the table's options (the decoder defaults to bidirectional: false, causal buckets), or
   * a RelativePositionBias to share, which this layer uses without registering it (see MultiHeadAttention).
   */
  relativeBias?: MultiHeadAttentionOptions['relativeBias'];
}

export interface EncoderCallOptions {
  /** (B, T) int32, 1 = padding. */
  keyPaddingMask?: Tensor;
  attnMask?: Tensor;
  causal?: boolean;
  /** Self-attention cache for incremental decoding (GPT). */
  cache?: KVCache;
}

export interface DecoderCallOptions {
  /** (B, Tt) int32, 1 = padding in the target. */
  tgtKeyPaddingMask?: Tensor;
  /** (B, Ts) int32, 1 = padding in the source (memory). */
  memoryKeyPaddingMask?: Tensor;
  /** Causal self-attention over the target; default true. */
  causal?: boolean;
}

/**
 * The self-attention's positional options. relativeBias without 't5' is refused here, naming the layer. A table
 * built here gets bidirectional buckets by default in an encoder and causal ones in a decoder, unless the options
 * say otherwise; a shared RelativePositionBias passes as it is.
 */
function selfAttentionPositions(
  where: string,
  opts: TransformerLayerOptions,
  bidirectional: boolean,
): Pick<MultiHeadAttentionOptions, 'positional' | 'relativeBias'> {
  const positional = opts.positional ?? 'none';
  if (opts.relativeBias && positional !== 't5') throw new Error(`${where}: relativeBias is for positional 't5', not '${positional}'`);
  if (positional !== 't5') return { positional };
  const rb = opts.relativeBias;
  return { positional, relativeBias: rb instanceof RelativePositionBias ? rb : { bidirectional, ...rb } };
}

/**
 * Options for the layers of a stack: with positional 't5' and no shared table given, layer 0 builds the table
 * (from opts.relativeBias's options, if any) and every later layer borrows layer 0's.
 */
function stackLayerOptions(opts: TransformerLayerOptions, i: number, seed: number, first: MultiHeadAttention | undefined): TransformerLayerOptions {
  const shared = i > 0 && opts.positional === 't5' && !(opts.relativeBias instanceof RelativePositionBias) ? first?.relativeBias : undefined;
  return { ...opts, seed: seed + 101 * i, ...(shared ? { relativeBias: shared } : {}) };
}

/** Sub-layer pieces shared by encoder and decoder layers. */
abstract class TransformerLayerBase extends Module {
  linear1: Linear;
  dropout: Dropout | null;
  linear2: Linear;
  readonly normFirst: boolean;
  readonly activation: 'relu' | 'gelu' | 'geluTanh';
  protected readonly p: number;

  constructor(readonly dModel: number, readonly nHead: number, opts: TransformerLayerOptions, seed: number) {
    super();
    const ff = opts.dimFeedforward ?? 4 * dModel;
    this.p = opts.dropout ?? 0.1;
    this.linear1 = new Linear(dModel, ff, { seed: seed + 11, device: opts.device });
    this.dropout = this.p > 0 ? new Dropout(this.p, { seed: seed + 12 }) : null;
    this.linear2 = new Linear(ff, dModel, { seed: seed + 13, device: opts.device });
    this.normFirst = opts.normFirst ?? false;
    this.activation = opts.activation ?? 'relu';
  }

  /** linear2(dropout(act(linear1(x)))): (B, T, d) → (B, T, ff) → (B, T, d), the activation fused into linear1. */
  protected feedForward(x: Tensor): Tensor {
    const a = this.linear1.forwardWith(x, this.activation); // (B, T, ff)
    return this.linear2.forward(this.drop(this.dropout, a));
  }

  protected drop(d: Dropout | null, x: Tensor): Tensor {
    return d && this.training ? d.forward(x) : x;
  }

  /** Applies one residual sub-layer in the configured order: pre-LN x + f(norm(x)) or post-LN norm(x + f(x)). */
  protected residual(x: Tensor, norm: LayerNorm, dropout: Dropout | null, f: (h: Tensor) => Tensor): Tensor {
    if (this.normFirst) return x.add(this.drop(dropout, f(norm.forward(x))));
    return norm.forward(x.add(this.drop(dropout, f(x))));
  }
}

export class TransformerEncoderLayer extends TransformerLayerBase {
  self_attn: MultiHeadAttention;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout | null;
  dropout2: Dropout | null;

  constructor(dModel: number, nHead: number, opts: TransformerLayerOptions = {}) {
    const seed = nextSeed(opts.seed);
    super(dModel, nHead, opts, seed);
    this.self_attn = new MultiHeadAttention(dModel, nHead, { seed, device: opts.device, ...selfAttentionPositions('TransformerEncoderLayer', opts, true) });
    const eps = opts.layerNormEps ?? 1e-5;
    this.norm1 = new LayerNorm(dModel, eps, { device: opts.device });
    this.norm2 = new LayerNorm(dModel, eps, { device: opts.device });
    this.dropout1 = this.p > 0 ? new Dropout(this.p, { seed: seed + 21 }) : null;
    this.dropout2 = this.p > 0 ? new Dropout(this.p, { seed: seed + 22 }) : null;
  }

  forward(src: Tensor): Tensor {
    return this.encode(src);
  }

  /** src (B, T, d) → (B, T, d). */
  encode(src: Tensor, opts: EncoderCallOptions = {}): Tensor {
    return tidy(() => {
      const attn = (h: Tensor): Tensor =>
        this.self_attn.attend(h, { keyPaddingMask: opts.keyPaddingMask, attnMask: opts.attnMask, causal: opts.causal, cache: opts.cache }).output;
      const x = this.residual(src, this.norm1, this.dropout1, attn);
      return this.residual(x, this.norm2, this.dropout2, (h) => this.feedForward(h));
    });
  }

  /**
   * The self-attention weights (B, H, T, T) that encode(src, opts) forms, for visualisation. Call it in eval mode
   * (dropout would draw from its generator) and, for a plain view, under noGrad().
   */
  selfAttentionWeights(src: Tensor, opts: Omit<EncoderCallOptions, 'cache'> = {}): Tensor {
    return tidy(() => {
      const h = this.normFirst ? this.norm1.forward(src) : src; // what the attention sub-layer reads
      return this.self_attn.attend(h, { keyPaddingMask: opts.keyPaddingMask, attnMask: opts.attnMask, causal: opts.causal, needWeights: true }).weights!;
    });
  }

  protected override describe(): string {
    return `dModel=${this.dModel}, nHead=${this.nHead}, ${this.normFirst ? 'pre-LN' : 'post-LN'}, ${this.activation}`;
  }
}

export class TransformerDecoderLayer extends TransformerLayerBase {
  self_attn: MultiHeadAttention;
  multihead_attn: MultiHeadAttention;
  norm1: LayerNorm;
  norm2: LayerNorm;
  norm3: LayerNorm;
  dropout1: Dropout | null;
  dropout2: Dropout | null;
  dropout3: Dropout | null;

  constructor(dModel: number, nHead: number, opts: TransformerLayerOptions = {}) {
    const seed = nextSeed(opts.seed);
    super(dModel, nHead, opts, seed);
    this.self_attn = new MultiHeadAttention(dModel, nHead, { seed, device: opts.device, ...selfAttentionPositions('TransformerDecoderLayer', opts, false) });
    this.multihead_attn = new MultiHeadAttention(dModel, nHead, { seed: seed + 5, device: opts.device });
    const eps = opts.layerNormEps ?? 1e-5;
    this.norm1 = new LayerNorm(dModel, eps, { device: opts.device });
    this.norm2 = new LayerNorm(dModel, eps, { device: opts.device });
    this.norm3 = new LayerNorm(dModel, eps, { device: opts.device });
    this.dropout1 = this.p > 0 ? new Dropout(this.p, { seed: seed + 21 }) : null;
    this.dropout2 = this.p > 0 ? new Dropout(this.p, { seed: seed + 22 }) : null;
    this.dropout3 = this.p > 0 ? new Dropout(this.p, { seed: seed + 23 }) : null;
  }

  forward(tgt: Tensor, memory: Tensor): Tensor {
    return this.decode(tgt, memory);
  }

  /** tgt (B, Tt, d) attends causally to itself, then to memory (B, Ts, d): → (B, Tt, d). */
  decode(tgt: Tensor, memory: Tensor, opts: DecoderCallOptions = {}): Tensor {
    return tidy(() => {
      const selfAttn = (h: Tensor): Tensor =>
        this.self_attn.attend(h, { keyPaddingMask: opts.tgtKeyPaddingMask, causal: opts.causal ?? true }).output;
      const crossAttn = (h: Tensor): Tensor =>
        this.multihead_attn.attend(h, { key: memory, value: memory, keyPaddingMask: opts.memoryKeyPaddingMask }).output;
      let x = this.residual(tgt, this.norm1, this.dropout1, selfAttn);
      x = this.residual(x, this.norm2, this.dropout2, crossAttn);
      return this.residual(x, this.norm3, this.dropout3, (h) => this.feedForward(h));
    });
  }

  /**
   * Both attention maps that decode(tgt, memory, opts) forms, for visualisation: self (B, H, Tt, Tt) over the
   * target and cross (B, H, Tt, Ts) from the target to memory. The cross-attention reads the self-attention
   * sub-layer's result, so that sub-layer runs again here. Call it in eval mode (dropout would draw from its
   * generator) and, for a plain view, under noGrad().
   */
  attentionWeights(tgt: Tensor, memory: Tensor, opts: DecoderCallOptions = {}): { self: Tensor; cross: Tensor } {
    return tidy(() => {
      let self: Tensor | undefined;
      let cross: Tensor | undefined;
      const selfAttn = (h: Tensor): Tensor => {
        const r = this.self_attn.attend(h, { keyPaddingMask: opts.tgtKeyPaddingMask, causal: opts.causal ?? true, needWeights: true });
        self = r.weights;
        return r.output;
      };
      const x = this.residual(tgt, this.norm1, this.dropout1, selfAttn); // (B, Tt, d)
      // Only the cross-attention's input is needed: norm2(x) pre-LN, x itself post-LN.
      const h = this.normFirst ? this.norm2.forward(x) : x;
      cross = this.multihead_attn.attend(h, { key: memory, value: memory, keyPaddingMask: opts.memoryKeyPaddingMask, needWeights: true }).weights;
      return { self: self!, cross: cross! };
    });
  }

  /** The cross-attention weights (B, H, Tt, Ts) of this layer for visualisation, given its input. */
  crossAttentionWeights(tgtHidden: Tensor, memory: Tensor, memoryKeyPaddingMask?: Tensor): Tensor {
    const r: AttentionResult = this.multihead_attn.attend(tgtHidden, { key: memory, value: memory, keyPaddingMask: memoryKeyPaddingMask, needWeights: true });
    r.output.dispose();
    return r.weights!;
  }

  protected override describe(): string {
    return `dModel=${this.dModel}, nHead=${this.nHead}, ${this.normFirst ? 'pre-LN' : 'post-LN'}, ${this.activation}`;
  }
}

/** A stack of encoder layers, with a final LayerNorm (needed after pre-LN layers, whose output is unnormalised). */
export class TransformerEncoder extends Module {
  layers: TransformerEncoderLayer[];
  norm: LayerNorm | null;

  constructor(dModel: number, nHead: number, numLayers: number, opts: TransformerLayerOptions & { finalNorm?: boolean } = {}) {
    super();
    const seed = nextSeed(opts.seed);
    this.layers = [];
    for (let i = 0; i < numLayers; i++) this.layers.push(new TransformerEncoderLayer(dModel, nHead, stackLayerOptions(opts, i, seed, this.layers[0]?.self_attn)));
    this.norm = (opts.finalNorm ?? opts.normFirst ?? false) ? new LayerNorm(dModel, opts.layerNormEps ?? 1e-5, { device: opts.device }) : null;
  }

  forward(src: Tensor): Tensor {
    return this.encode(src);
  }

  /** With caches, one KVCache per layer. */
  encode(src: Tensor, opts: Omit<EncoderCallOptions, 'cache'> & { caches?: KVCache[] } = {}): Tensor {
    return tidy(() => {
      let x = src;
      this.layers.forEach((layer, i) => (x = layer.encode(x, { ...opts, cache: opts.caches?.[i] })));
      return this.norm ? this.norm.forward(x) : x === src ? x.mul(1) : x;
    });
  }
}

export class TransformerDecoder extends Module {
  layers: TransformerDecoderLayer[];
  norm: LayerNorm | null;

  constructor(dModel: number, nHead: number, numLayers: number, opts: TransformerLayerOptions & { finalNorm?: boolean } = {}) {
    super();
    const seed = nextSeed(opts.seed);
    this.layers = [];
    for (let i = 0; i < numLayers; i++) this.layers.push(new TransformerDecoderLayer(dModel, nHead, stackLayerOptions(opts, i, seed, this.layers[0]?.self_attn)));
    this.norm = (opts.finalNorm ?? opts.normFirst ?? false) ? new LayerNorm(dModel, opts.layerNormEps ?? 1e-5, { device: opts.device }) : null;
  }

  forward(tgt: Tensor, memory: Tensor): Tensor {
    return this.decode(tgt, memory);
  }

  decode(tgt: Tensor, memory: Tensor, opts: DecoderCallOptions = {}): Tensor {
    return tidy(() => {
      let x = tgt;
      for (const layer of this.layers) x = layer.decode(x, memory, opts);
      return this.norm ? this.norm.forward(x) : x === tgt ? x.mul(1) : x;
    });
  }
}
