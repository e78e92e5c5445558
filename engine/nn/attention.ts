// Multi-head attention (Vaswani et al.), with PyTorch's parameter names and initialisation
// (torch.nn.MultiheadAttention: in_proj_weight (3E, E) and in_proj_bias (3E) for q, k and v stacked, and out_proj).
// Self-attention projects q, k and v with one matmul; cross-attention projects q from the query and k, v from
// the key/value input with slices of the same weight. Attention itself is the engine's one entry point,
// scaledDotProductAttention (ops/attention.ts), with its mask built by ops/attention-mask.ts.
import { Tensor, tensor, zeros } from '../tensor';
import { cat } from '../ops/layout';
import { linear } from '../ops/matmul';
import { keep, tidy } from '../memory';
import { nextSeed, uniformArray } from '../random';
import { getDefaultDevice } from '../device';
import { fmt, ShapeError } from '../shape';
import { Module } from './module';
import { Linear, type InitOptions } from './layers';
import { alibiSlopes, RotaryEmbedding } from './positional';
import { RelativePositionBias, type RelativePositionBiasOptions } from './relative-bias';
import { scaledDotProductAttention } from '../ops/attention';
import { buildAttentionMask, type SparseAttention } from '../ops/attention-mask';

export interface MultiHeadAttentionOptions extends InitOptions {
  /** Biases on the projections (default true). */
  bias?: boolean;
  /**
   * Rotate q and k by position (RoPE), add ALiBi's distance penalty to the scores, or add T5's learned bucketed
   * relative bias (a RelativePositionBias owned by this layer, `relative_attention_bias`). Default: none.
   */
  positional?: 'none' | 'rope' | 'alibi' | 't5';
  /**
   * With positional 't5': the bias's buckets (default 32 buckets, maxDistance 128, bidirectional: pass
   * bidirectional: false for a causal decoder) and its init (default std embedDim^−½, Hugging Face T5's).
   * Or a RelativePositionBias owned elsewhere, to share one table across layers as T5 does (it computes the bias
   * in a stack's first layer and reuses it in every layer): it must have numHeads heads and live on this layer's
   * device, and this layer does not register it, so its owner's parameters() and state dict hold it once.
   */
  relativeBias?: Omit<RelativePositionBiasOptions, 'device' | 'seed'> | RelativePositionBias;
  /** Linformer (Wang et al. 2020): keys and values projected along the sequence to k rows. Non-causal only. */
  linformer?: LinformerOptions;
}

/**
 * Linformer's low-rank attention: learned E and F, each (k, maxLen), turn the T keys and values of a head into k
 * rows, K' = E[:, :T] K and V' = F[:, :T] V, so the scores are (Tq, k) instead of (Tq, T). One E and one F serve
 * every head of the layer (the paper's "headwise sharing"). Sequences longer than maxLen are refused.
 */
export interface LinformerOptions {
  k: number;
  maxLen: number;
}

export interface AttendOptions {
  /** The keys and values to attend to; both default to the query (self-attention). */
  key?: Tensor;
  value?: Tensor;
  /** (B, Tk), int32 with 1 = padding, ignored by every query (PyTorch's key_padding_mask, True = ignore). */
  keyPaddingMask?: Tensor;
  /** Broadcastable to (B, H, Tq, Tk): int32 with 1 = attend, or float32 added to the scores. */
  attnMask?: Tensor;
  /** Query i attends keys j ≤ i only. */
  causal?: boolean;
  /** Also return the attention weights (B, H, Tq, Tk). */
  needWeights?: boolean;
  /**
   * Sparse attention, as scaledDotProductAttention takes it: `{ localWindow, globalTokens, blockLayout }`
   * (Longformer's local window and global tokens, a block-sparse layout), at absolute positions: with a KV cache,
   * query i sits at cache.length + i and the layout covers cache.length + Tq query positions.
   */
  sparse?: SparseAttention;
  /** Self-attention only: keys and values of earlier positions, extended in place with this call's. */
  cache?: KVCache;
}

export interface AttentionResult {
  output: Tensor;
  weights?: Tensor;
}

/**
 * The keys and values (B, H, T, d) that one attention layer has computed so far during generation, so that each
 * new token costs one query against the cache instead of recomputing the whole prefix. Its tensors live outside
 * tidy scopes; call dispose() when done.
 */
export class KVCache {
  k: Tensor | null = null;
  v: Tensor | null = null;

  /** Positions already cached. */
  get length(): number {
    return this.k ? this.k.shape[2] : 0;
  }

  /** Appends this step's k, v (B, H, Tnew, d) and returns the whole (B, H, T, d) keys and values. */
  append(k: Tensor, v: Tensor): [Tensor, Tensor] {
    const nk = this.k ? cat([this.k, k], 2) : k.detach(); // (B, H, T + Tnew, d)
    const nv = this.v ? cat([this.v, v], 2) : v.detach();
    this.dispose();
    this.k = keep(nk);
    this.v = keep(nv);
    return [nk, nv];
  }

  dispose(): void {
    this.k?.dispose();
    this.v?.dispose();
    this.k = this.v = null;
  }
}

export class MultiHeadAttention extends Module {
  in_proj_weight: Tensor;
  in_proj_bias: Tensor | null;
  out_proj: Linear;
  readonly headDim: number;
  readonly positional: 'none' | 'rope' | 'alibi' | 't5';
  /**
   * T5's bias table when this layer owns it (positional 't5' with relativeBias options or none); null when it
   * borrows a shared one (relativeBias: a RelativePositionBias), which `relativeBias` returns either way.
   */
  relative_attention_bias: RelativePositionBias | null;
  // A borrowed table, in an ES private field: Module walks the enumerable own fields for children and parameters,
  // and this one must stay out of them, or every layer sharing the table would list (and save) it again.
  #sharedBias: RelativePositionBias | null = null;
  /** Linformer's key and value projections (k, maxLen), or null for full attention. */
  linformerE: Tensor | null;
  linformerF: Tensor | null;
  readonly linformer: LinformerOptions | null;
  private readonly rope: RotaryEmbedding | null;

  constructor(
    readonly embedDim: number,
    readonly numHeads: number,
    opts: MultiHeadAttentionOptions = {},
  ) {
    super();
    if (embedDim % numHeads !== 0) throw new RangeError(`MultiHeadAttention: embedDim ${embedDim} must divide by numHeads ${numHeads}`);
    this.headDim = embedDim / numHeads;
    this.linformer = opts.linformer ?? null;
    if (this.linformer) {
      const { k, maxLen } = this.linformer;
      if (!Number.isInteger(k) || k < 1 || !Number.isInteger(maxLen) || maxLen < 1) {
        throw new RangeError(`MultiHeadAttention: linformer k and maxLen must be positive integers, got k=${k}, maxLen=${maxLen}`);
      }
      // A position bias over the scores (ALiBi's −slope·|i − j|, a learned relative bias) needs key positions j,
      // and the projection leaves none. RoPE is fine: it rotates q and k before the projection.
      const pos = opts.positional ?? 'none';
      if (pos !== 'none' && pos !== 'rope') {
        throw new Error(`MultiHeadAttention: linformer cannot use positional '${pos}': its bias needs key positions, which the projection mixes away`);
      }
    }
    const device = opts.device ?? getDefaultDevice();
    const seed = nextSeed(opts.seed);
    // PyTorch: xavier_uniform_ on the stacked (3E, E) weight, bound √(6 / (fan_in + fan_out)) = √(6 / 4E); zero biases.
    const bound = Math.sqrt(6 / (embedDim + 3 * embedDim));
    this.in_proj_weight = tensor(uniformArray(3 * embedDim * embedDim, seed, -bound, bound), [3 * embedDim, embedDim], {
      device,
      requiresGrad: true,
    });
    const bias = opts.bias !== false;
    this.in_proj_bias = bias ? zeros([3 * embedDim], { device, requiresGrad: true }) : null;
    this.out_proj = new Linear(embedDim, embedDim, { seed: seed + 1, device, bias });
    if (this.out_proj.bias) {
      this.out_proj.bias.dispose();
      this.out_proj.bias = zeros([embedDim], { device, requiresGrad: true });
    }
    this.positional = opts.positional ?? 'none';
    this.rope = this.positional === 'rope' ? new RotaryEmbedding(this.headDim) : null;
    if (!['none', 'rope', 'alibi', 't5'].includes(this.positional)) {
      throw new RangeError(`MultiHeadAttention: positional must be 'none', 'rope', 'alibi' or 't5', got ${JSON.stringify(opts.positional)}`);
    }
    if (opts.relativeBias && this.positional !== 't5') throw new Error(`MultiHeadAttention: relativeBias is for positional 't5', not '${this.positional}'`);
    if (opts.relativeBias instanceof RelativePositionBias) {
      const shared = opts.relativeBias;
      if (shared.numHeads !== numHeads) {
        throw new RangeError(`MultiHeadAttention: the shared relativeBias has ${shared.numHeads} heads, but this layer has numHeads ${numHeads}`);
      }
      if (shared.weight.device !== device) {
        throw new Error(`MultiHeadAttention: the shared relativeBias lives on ${shared.weight.device}, but this layer on ${device}`);
      }
      this.#sharedBias = shared;
      this.relative_attention_bias = null;
    } else {
      this.relative_attention_bias =
        this.positional === 't5'
          ? new RelativePositionBias(numHeads, { std: 1 / Math.sqrt(embedDim), ...opts.relativeBias, seed: seed + 4, device })
          : null;
    }
    this.linformerE = null;
    this.linformerF = null;
    if (this.linformer) {
      const { k, maxLen } = this.linformer;
      // xavier_uniform_ on (k, maxLen), as for a Linear from maxLen to k.
      const lb = Math.sqrt(6 / (k + maxLen));
      this.linformerE = tensor(uniformArray(k * maxLen, seed + 2, -lb, lb), [k, maxLen], { device, requiresGrad: true });
      this.linformerF = tensor(uniformArray(k * maxLen, seed + 3, -lb, lb), [k, maxLen], { device, requiresGrad: true });
    }
  }

  /** The T5 bias this layer adds to its scores, owned or shared; null unless positional is 't5'. */
  get relativeBias(): RelativePositionBias | null {
    return this.relative_attention_bias ?? this.#sharedBias;
  }

  /** Self-attention, or attention of `query` over `key` and `value` (both default to the query). */
  forward(query: Tensor, key?: Tensor, value?: Tensor): Tensor {
    return this.attend(query, { key, value }).output;
  }

  /** rows [start, end) of the stacked projection: x (B, T, E) → (B, T, end − start). */
  private project(x: Tensor, start: number, end: number): Tensor {
    const all = start === 0 && end === 3 * this.embedDim;
    const w = all ? this.in_proj_weight : this.in_proj_weight.slice(0, start, end); // (n, E), a view
    const b = !this.in_proj_bias || all ? this.in_proj_bias : this.in_proj_bias.slice(0, start, end);
    return linear(x, w, b); // (B, T, n)
  }

  /** (B, T, parts·E) → `parts` tensors of shape (B, H, T, d). */
  private splitHeads(y: Tensor, parts: number): Tensor[] {
    const [b, t] = y.shape;
    const h = this.numHeads;
    const d = this.headDim;
    const heads = y.reshape([b, t, parts, h, d]).permute(2, 0, 3, 1, 4); // (parts, B, H, T, d)
    if (parts === 1) return [heads.reshape([b, h, t, d])];
    return Array.from({ length: parts }, (_, i) => heads.slice(0, i, i + 1).reshape([b, h, t, d]));
  }

  attend(query: Tensor, opts: AttendOptions = {}): AttentionResult {
    const key = opts.key ?? query;
    const value = opts.value ?? key;
    const E = this.embedDim;
    for (const [name, x] of [['query', query], ['key', key], ['value', value]] as const) {
      if (x.ndim !== 3 || x.shape[2] !== E) throw new ShapeError(`MultiHeadAttention: ${name} ${fmt(x.shape)} must be (B, T, ${E})`);
    }
    if (key.shape[0] !== query.shape[0] || value.shape[0] !== query.shape[0] || key.shape[1] !== value.shape[1]) {
      throw new ShapeError(`MultiHeadAttention: query ${fmt(query.shape)}, key ${fmt(key.shape)} and value ${fmt(value.shape)} disagree`);
    }
    if (opts.cache && (key !== query || value !== query)) throw new Error('MultiHeadAttention: a KV cache is for self-attention only');
    if (this.linformer) this.checkLinformer(key.shape[1], opts);
    const [B, Tq] = query.shape;

    return tidy(() => {
      let q: Tensor;
      let k: Tensor;
      let v: Tensor;
      if (key === query && value === query) {
        [q, k, v] = this.splitHeads(this.project(query, 0, 3 * E), 3); // each (B, H, T, d)
      } else if (value === key) {
        [q] = this.splitHeads(this.project(query, 0, E), 1); // (B, H, Tq, d)
        [k, v] = this.splitHeads(this.project(key, E, 3 * E), 2); // each (B, H, Tk, d)
      } else {
        [q] = this.splitHeads(this.project(query, 0, E), 1);
        [k] = this.splitHeads(this.project(key, E, 2 * E), 1);
        [v] = this.splitHeads(this.project(value, 2 * E, 3 * E), 1);
      }
      // Positions of the new queries: after the cached ones.
      const offset = opts.cache?.length ?? 0;
      if (this.rope) {
        q = this.rope.rotate(q, offset);
        k = this.rope.rotate(k, offset);
      }
      if (opts.cache) [k, v] = opts.cache.append(k, v); // (B, H, offset + T, d)
      if (this.linformerE && this.linformerF) {
        const T = k.shape[2];
        k = this.linformerE.slice(1, 0, T).matmul(k); // (k, T) @ (B, H, T, d) → (B, H, k, d)
        v = this.linformerF.slice(1, 0, T).matmul(v);
      }

      const attnOpts = buildAttentionMask({
        B, H: this.numHeads, Tq, Tk: k.shape[2], offset, causal: opts.causal ?? false, keyPaddingMask: opts.keyPaddingMask,
        attnMask: opts.attnMask, alibiSlopes: this.positional === 'alibi' ? alibiSlopes(this.numHeads) : null, device: query.device,
        bias: this.relativeBias?.bias(Tq, k.shape[2], offset), // (H, Tq, Tk), query i at position offset + i
        sparse: opts.sparse,
      });
      let out: Tensor; // (B, H, Tq, d)
      let weights: Tensor | undefined;
      if (opts.needWeights) ({ output: out, weights } = scaledDotProductAttention(q, k, v, { ...attnOpts, returnWeights: true }));
      else out = scaledDotProductAttention(q, k, v, attnOpts);
      const merged = out.permute(0, 2, 1, 3).reshape([B, Tq, E]); // (B, Tq, E)
      const output = this.out_proj.forward(merged);
      return weights ? { output, weights } : { output };
    });
  }

  /** What Linformer cannot do, refused before anything runs: every mask here names key positions that E and F mix. */
  private checkLinformer(Tk: number, opts: AttendOptions): void {
    const { maxLen } = this.linformer!;
    // Each projected key is a sum over all T positions, so query i would see keys j > i through it: no mask on the
    // projected rows can restore causality.
    if (opts.causal) throw new Error('MultiHeadAttention: linformer attention cannot be causal: its projection mixes future positions into every key');
    if (opts.cache) throw new Error('MultiHeadAttention: linformer attention has no KV cache: the cache serves causal generation, which the projection cannot');
    if (opts.sparse) throw new Error('MultiHeadAttention: linformer attention takes no sparse pattern: its keys are k projected rows, not positions');
    if (opts.attnMask || opts.keyPaddingMask) {
      throw new Error(`MultiHeadAttention: linformer attention takes no ${opts.attnMask ? 'attnMask' : 'keyPaddingMask'}: masks name key positions, which the projection mixes (a causal mask would leak the future)`);
    }
    if (Tk > maxLen) throw new ShapeError(`MultiHeadAttention: linformer sequence length ${Tk} exceeds its maxLen ${maxLen}`);
  }

  protected override describe(): string {
    const lin = this.linformer ? `, linformer k=${this.linformer.k} maxLen=${this.linformer.maxLen}` : '';
    return `embedDim=${this.embedDim}, numHeads=${this.numHeads}${this.positional !== 'none' ? `, ${this.positional}` : ''}${lin}`;
  }
}
