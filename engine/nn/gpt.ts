// GPT (Radford et al.; nanoGPT's layout): token embedding + positions → pre-LN causal transformer blocks → final
// LayerNorm → logits through the token embedding transposed (tied input and output embeddings: one (V, E) matrix
// both reads tokens in and scores them out, saving V·E parameters and tying similar tokens' in/out vectors).
// generate() keeps a KV cache per layer, so each new token runs one query through the network instead of the
// whole prefix again.
// positional 't5': T5's learned relative bias with causal buckets, one table built in block 0 (its name
// h.0.self_attn.relative_attention_bias.weight) and lent to every later block, as T5 shares it across its stack.
import { Tensor, tensor } from '../tensor';
import { crossEntropy } from '../ops/loss';
import { linear } from '../ops/matmul';
import { noGrad } from '../autograd';
import { dispose, tidy } from '../memory';
import { mulberry32, nextSeed } from '../random';
import { fmt, ShapeError } from '../shape';
import { Module } from './module';
import { Dropout, Embedding, LayerNorm, type InitOptions } from './layers';
import { KVCache } from './attention';
import { LearnedPositionalEmbedding, normalParam, SinusoidalPositionalEncoding } from './positional';
import { TransformerEncoderLayer } from './transformer';
import { sampleToken, type SamplingOptions } from './sampling';
import { gpt2FromHuggingFace, gpt2ToHuggingFace, type GPT2Config } from '../io/huggingface/gpt2';
import type { HuggingFaceLoadOptions, HuggingFaceWeights } from '../io/huggingface/checkpoint';
import { loadModuleSafetensors } from '../io/safetensors';
import { ModelCardError, type GPTCardConfig, type ModelCard } from '../io/model-card';
import type { DeviceName } from '../backend/backend';

export type GPTPositional = 'learned' | 'sinusoidal' | 'rope' | 'alibi' | 't5';

export interface GPTConfig extends InitOptions {
  vocabSize: number;
  /** The longest context the model sees (and the size of a learned position table). */
  blockSize: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  /** Default 0. */
  dropout?: number;
  /** Default 'learned' (GPT-2). */
  positional?: GPTPositional;
  /** The feed-forward activation: default 'gelu' (exact); GPT-2's checkpoints use 'geluTanh'. */
  activation?: 'gelu' | 'geluTanh' | 'relu';
  /** Default 1e-5, as GPT-2. */
  layerNormEps?: number;
  /** Width of the feed-forward block; default 4·nEmbd. */
  dimFeedforward?: number;
}

export interface LogitsOptions {
  /** With a cache, idx holds only the positions after the cached ones, and the cache is extended with them. */
  cache?: GPTCache;
  /**
   * Score only the last position: (B, 1, V) instead of (B, T, V). Generation needs no more, and with GPT-2's
   * 50257-token vocabulary the full (1, 1024, V) logits are 205 MB.
   */
  lastOnly?: boolean;
}

export interface GenerateOptions extends SamplingOptions {
  maxNewTokens: number;
  /** Seeds the sampler; the same seed and prompt give the same continuation. */
  seed?: number;
  /** Stop after producing this token (it is included in the result). */
  stopToken?: number;
  /** Use the KV cache (default true); false recomputes the whole context at every step. */
  useCache?: boolean;
  /** Called with each new token as soon as it is chosen. */
  onToken?: (token: number) => void;
  /** Stops generation between steps: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** One KVCache per block. */
export class GPTCache {
  readonly layers: KVCache[];
  constructor(n: number) {
    this.layers = Array.from({ length: n }, () => new KVCache());
  }
  get length(): number {
    return this.layers[0]?.length ?? 0;
  }
  dispose(): void {
    for (const c of this.layers) c.dispose();
  }
}

export class GPT extends Module {
  wte: Embedding;
  wpe: LearnedPositionalEmbedding | null;
  drop: Dropout | null;
  h: TransformerEncoderLayer[];
  ln_f: LayerNorm;
  readonly config: Readonly<Required<Omit<GPTConfig, 'seed' | 'device'>>>;
  private readonly sinusoidal: SinusoidalPositionalEncoding | null;

  constructor(config: GPTConfig) {
    super();
    const seed = nextSeed(config.seed);
    const positional = config.positional ?? 'learned';
    const activation = config.activation ?? 'gelu';
    const layerNormEps = config.layerNormEps ?? 1e-5;
    const dimFeedforward = config.dimFeedforward ?? 4 * config.nEmbd;
    this.config = { ...config, dropout: config.dropout ?? 0, positional, activation, layerNormEps, dimFeedforward };
    const { vocabSize, blockSize, nLayer, nHead, nEmbd, device } = { ...config };
    this.wte = new Embedding(vocabSize, nEmbd, { seed, device });
    // GPT-2's N(0, 0.02²) instead of Embedding's N(0, 1): tied to the output, it makes the initial logits ≈ 0,
    // so the initial loss is ln V.
    this.wte.weight.dispose();
    this.wte.weight = normalParam([vocabSize, nEmbd], 0.02, seed, { device });
    this.wpe = positional === 'learned' ? new LearnedPositionalEmbedding(blockSize, nEmbd, { seed: seed + 1, device }) : null;
    this.sinusoidal = positional === 'sinusoidal' ? new SinusoidalPositionalEncoding(nEmbd, blockSize) : null;
    const p = this.config.dropout;
    this.drop = p > 0 ? new Dropout(p, { seed: seed + 2 }) : null;
    const inAttention = positional === 'rope' || positional === 'alibi' || positional === 't5' ? positional : 'none';
    this.h = [];
    for (let i = 0; i < nLayer; i++) {
      // 't5': block 0 builds the causal table (T5's 32 buckets up to distance 128); later blocks borrow it.
      const relativeBias = inAttention !== 't5' ? undefined : i === 0 ? { bidirectional: false } : this.h[0].self_attn.relativeBias!;
      this.h.push(
        new TransformerEncoderLayer(nEmbd, nHead, {
          seed: seed + 1000 * (i + 1), device, dropout: p, activation, normFirst: true, positional: inAttention, relativeBias, layerNormEps, dimFeedforward,
        }),
      );
    }
    this.ln_f = new LayerNorm(nEmbd, layerNormEps, { device });
  }

  /** idx (B, T) int32 → logits (B, T, V). */
  forward(idx: Tensor): Tensor {
    return this.logits(idx);
  }

  newCache(): GPTCache {
    return new GPTCache(this.h.length);
  }

  /**
   * A GPT-2 checkpoint in Hugging Face's layout (GPT2Model or GPT2LMHeadModel): the bytes of model.safetensors or a
   * sharded { index, shard }, and the parsed config.json. See io/huggingface/gpt2.ts.
   */
  static async fromHuggingFace(weights: HuggingFaceWeights, config: GPT2Config | Readonly<Record<string, unknown>>, opts: HuggingFaceLoadOptions = {}): Promise<GPT> {
    return gpt2FromHuggingFace((c) => new GPT(c), weights, config, opts);
  }

  /**
   * A shipped checkpoint: the model its card describes (engine/io/model-card.ts), with the safetensors weights
   * loaded, in eval mode. Every parameter must be in the file with its shape; nothing is kept if one is not.
   */
  static fromCard(card: ModelCard, weights: Uint8Array, opts: { device?: DeviceName } = {}): GPT {
    if (card.architecture.kind !== 'gpt') {
      throw new ModelCardError(`GPT.fromCard: card "${card.name}" describes a ${card.architecture.kind} model, not a GPT`);
    }
    const model = new GPT({ ...card.architecture.config, device: opts.device });
    try {
      loadModuleSafetensors(model, weights);
    } catch (e) {
      dispose(model.parameters());
      throw new ModelCardError(`GPT.fromCard: card "${card.name}", ${card.weights.file}: ${(e as Error).message}`);
    }
    model.eval();
    return model;
  }

  /** The config as a model card records it, every default filled in. */
  cardConfig(): GPTCardConfig {
    const c = this.config;
    return {
      vocabSize: c.vocabSize, blockSize: c.blockSize, nLayer: c.nLayer, nHead: c.nHead, nEmbd: c.nEmbd, dropout: c.dropout,
      positional: c.positional, activation: c.activation, layerNormEps: c.layerNormEps, dimFeedforward: c.dimFeedforward,
    };
  }

  /** This model as GPT2LMHeadModel's model.safetensors (tied head omitted, as save_pretrained writes it) and config.json. */
  async toHuggingFace(): Promise<{ weights: Uint8Array; config: GPT2Config }> {
    return gpt2ToHuggingFace(this);
  }

  /** Logits for idx (B, T): (B, T, V), or (B, 1, V) with lastOnly. */
  logits(idx: Tensor, opts: LogitsOptions = {}): Tensor {
    if (idx.ndim !== 2 || idx.dtype !== 'int32') throw new ShapeError(`GPT: idx must be (B, T) int32, got ${fmt(idx.shape)} ${idx.dtype}`);
    const offset = opts.cache?.length ?? 0;
    if (offset + idx.shape[1] > this.config.blockSize) {
      throw new RangeError(`GPT: ${offset + idx.shape[1]} positions exceed blockSize ${this.config.blockSize}`);
    }
    return tidy(() => {
      let x = this.wte.forward(idx); // (B, T, E)
      if (this.wpe) x = this.wpe.encode(x, offset);
      if (this.sinusoidal) x = this.sinusoidal.encode(x, offset);
      if (this.drop && this.training) x = this.drop.forward(x);
      this.h.forEach((block, i) => (x = block.encode(x, { causal: true, cache: opts.cache?.layers[i] })));
      const T = idx.shape[1];
      if (opts.lastOnly && T > 1) x = x.slice(1, T - 1, T); // (B, 1, E)
      x = this.ln_f.forward(x);
      return linear(x, this.wte.weight); // (B, T, E) @ (V, E)ᵀ → (B, T, V), the tied embedding read in place
    });
  }

  /** Mean next-token cross-entropy; targets (B, T) int32, −100 where nothing is predicted (padding). */
  loss(idx: Tensor, targets: Tensor): Tensor {
    return tidy(() => crossEntropy(this.logits(idx), targets, { ignoreIndex: -100 }));
  }

  /**
   * Extends `prompt` (token ids, at least one) by up to maxNewTokens sampled tokens; returns prompt + new tokens.
   * Once the context is full (blockSize), each step recomputes the last blockSize tokens without the cache.
   */
  async generate(prompt: readonly number[], opts: GenerateOptions): Promise<number[]> {
    if (prompt.length === 0) throw new Error('GPT.generate: the prompt needs at least one token (e.g. a start token)');
    const random = mulberry32(nextSeed(opts.seed));
    const tokens = [...prompt];
    const { blockSize, vocabSize } = this.config;
    const device = this.wte.weight.device;
    let cache: GPTCache | null = opts.useCache === false ? null : this.newCache();
    const wasTraining = this.training;
    this.eval();
    try {
      for (let step = 0; step < opts.maxNewTokens; step++) {
        opts.signal?.throwIfAborted();
        if (cache && tokens.length > blockSize) {
          cache.dispose();
          cache = null;
        }
        // With a cache, only the tokens it has not seen yet (the whole prompt at first, then one).
        const input = cache ? tokens.slice(cache.length) : tokens.slice(-blockSize);
        const c = cache ?? undefined;
        const last = noGrad(() =>
          tidy(() => {
            const lg = this.logits(tensor(Int32Array.from(input), [1, input.length], { device }), { cache: c, lastOnly: true });
            return lg.reshape([vocabSize]); // (1, 1, V) → (V): the last position
          }),
        );
        const row = await last.toArray();
        last.dispose();
        const next = sampleToken(row, opts, random);
        tokens.push(next);
        opts.onToken?.(next);
        if (next === opts.stopToken) break;
      }
    } finally {
      cache?.dispose();
      this.train(wasTraining);
    }
    return tokens;
  }

  protected override describe(): string {
    const c = this.config;
    return `vocab=${c.vocabSize}, block=${c.blockSize}, layers=${c.nLayer}, heads=${c.nHead}, embd=${c.nEmbd}, ${c.positional}`;
  }
}
