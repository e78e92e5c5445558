// A Mamba-style selective state-space layer (Gu & Dao, 2023), the gated block around it, and a language model of
// such blocks. Built on functional.scan (ops/scan.ts), the linear recurrence h_t = a_t ⊙ h_{t−1} + x_t.
//
// Why Mamba's selective SSM rather than S4D: S4D's Δ, B and C are fixed per channel, so it is a linear
// time-invariant filter; it cannot decide, token by token, what to keep. Tasks where long memory matters
// (selective copying, associative recall) need exactly that: to write a token into the state when it matters and
// to ignore the noise between. The selective SSM makes Δ_t, B_t and C_t functions of the input at t, so a_t and
// x_t vary with t, which is what functional.scan computes (an LTI layer would more naturally run as a long
// convolution). A is real and diagonal (Mamba's S4D-Real initialisation), not complex.
//
// The layer, per channel e < E and state n < N (E channels, N states each, so E·N independent recurrences):
//   Δ_t[e]     = softplus(dt_proj(x_proj(u_t)[:R]))[e]          the step size, > 0; R = dt_rank (low rank)
//   B_t, C_t   = x_proj(u_t)[R:R+N], x_proj(u_t)[R+N:]           (N) each, shared by the channels
//   A[e, n]    = −exp(A_log[e, n])                               < 0, so the state decays
//   a_t[e, n]  = exp(Δ_t[e] · A[e, n])                           in (0, 1): zero-order hold of dh/dt = A h
//   x_t[e, n]  = Δ_t[e] · B_t[n] · u_t[e]                        the input side (Mamba's simplified Euler B̄ = Δ·B)
//   h_t        = a_t ⊙ h_{t−1} + x_t                             functional.scan over (B, T, E·N)
//   y_t[e]     = Σ_n C_t[n] · h_t[e, n] + D[e] · u_t[e]          readout plus a skip
// A large Δ resets the state to the current input (a → 0), a small one keeps it (a → 1): that is the selection.
//
// The block (Mamba's, with LayerNorm for RMSNorm): x + out_proj( SSM(silu(conv(u))) ⊙ silu(z) ), where
// (u, z) = in_proj(LayerNorm(x)) split in halves of E, and conv is a causal depthwise convolution of width 4 (each
// channel sees its own last 4 positions), built from slices and multiply-adds, no kernel of its own.
// Parameter names follow the reference implementation's (in_proj, conv1d, x_proj, dt_proj, A_log, D, out_proj).
import { Tensor, tensor, zeros } from '../tensor';
import { scan } from '../ops/scan';
import { cat } from '../ops/layout';
import { linear } from '../ops/matmul';
import { crossEntropy } from '../ops/loss';
import { tidy } from '../memory';
import { nextSeed, uniformArray } from '../random';
import { getDefaultDevice } from '../device';
import { fmt, ShapeError } from '../shape';
import type { DeviceName } from '../backend/backend';
import { Module } from './module';
import { Embedding, LayerNorm, Linear, type InitOptions } from './layers';
import { normalParam } from './positional';

/** softplus(z) = log(1 + eᶻ), written as max(z, 0) + log(1 + e^(−|z|)) so that eᶻ never overflows. */
function softplus(z: Tensor): Tensor {
  return z.relu().add(z.abs().neg().exp().add(1).log());
}

/** silu(x) = x · σ(x), Mamba's (and the gate's) activation. */
function silu(x: Tensor): Tensor {
  return x.mul(x.sigmoid());
}

function positiveInt(owner: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${owner}: ${name} must be a positive integer, got ${v}`);
}

/** Checks x is float32 (B, T, dim) and names the owner and the shape when it is not. */
function checkSequence(owner: string, x: Tensor, dim: number): void {
  if (x.dtype !== 'float32') throw new TypeError(`${owner}: input must be float32, got ${x.dtype} ${fmt(x.shape)}`);
  if (x.ndim !== 3 || x.shape[2] !== dim) throw new ShapeError(`${owner}: input must be (B, T, ${dim}), got ${fmt(x.shape)}`);
}

export interface SelectiveSSMOptions extends InitOptions {
  /** N, the states per channel; default 16. */
  stateSize?: number;
  /** R, the rank of Δ's projection; default ⌈E / 16⌉ (Mamba's). */
  dtRank?: number;
  /** Δ is initialised log-uniform in [dtMin, dtMax]; defaults 0.001 and 0.1 (Mamba's). */
  dtMin?: number;
  dtMax?: number;
}

/** The selective scan: u (B, T, E) → y (B, T, E). See the file header for the maths. */
export class SelectiveSSM extends Module {
  x_proj: Linear;
  dt_proj: Linear;
  A_log: Tensor;
  D: Tensor;
  readonly stateSize: number;
  readonly dtRank: number;

  constructor(
    readonly dim: number,
    opts: SelectiveSSMOptions = {},
  ) {
    super();
    const owner = 'SelectiveSSM';
    const N = (this.stateSize = opts.stateSize ?? 16);
    const R = (this.dtRank = opts.dtRank ?? Math.ceil(dim / 16));
    positiveInt(owner, 'dim', dim);
    positiveInt(owner, 'stateSize', N);
    positiveInt(owner, 'dtRank', R);
    const dtMin = opts.dtMin ?? 0.001;
    const dtMax = opts.dtMax ?? 0.1;
    if (!(dtMin > 0 && dtMax >= dtMin)) throw new RangeError(`${owner}: need 0 < dtMin ≤ dtMax, got dtMin ${dtMin}, dtMax ${dtMax}`);
    const device = opts.device ?? getDefaultDevice();
    const seed = nextSeed(opts.seed);
    this.x_proj = new Linear(dim, R + 2 * N, { bias: false, seed, device });
    this.dt_proj = new Linear(R, dim, { seed: seed + 1, device });
    // Δ starts log-uniform in [dtMin, dtMax]: the bias is softplus⁻¹(Δ) = Δ + log(1 − e^(−Δ)), so that the
    // channels start with memories from ~10 to ~1000 steps.
    const u = uniformArray(dim, seed + 2, Math.log(dtMin), Math.log(dtMax));
    const bias = u.map((v) => {
      const dt = Math.exp(v);
      return dt + Math.log(-Math.expm1(-dt));
    });
    this.dt_proj.bias!.dispose();
    this.dt_proj.bias = tensor(bias, [dim], { device, requiresGrad: true });
    // S4D-Real: A[e, n] = −(n + 1), the same spectrum in every channel.
    const aLog = new Float32Array(dim * N);
    for (let e = 0; e < dim; e++) for (let n = 0; n < N; n++) aLog[e * N + n] = Math.log(n + 1);
    this.A_log = tensor(aLog, [dim, N], { device, requiresGrad: true });
    this.D = tensor(new Float32Array(dim).fill(1), [dim], { device, requiresGrad: true });
  }

  forward(u: Tensor): Tensor {
    checkSequence('SelectiveSSM', u, this.dim);
    const [B, T, E] = u.shape;
    const N = this.stateSize;
    const R = this.dtRank;
    return tidy(() => {
      const dbc = this.x_proj.forward(u); // (B, T, R + 2N)
      const delta = softplus(this.dt_proj.forward(dbc.slice(2, 0, R))); // (B, T, E)
      const Bt = dbc.slice(2, R, R + N).unsqueeze(2); // (B, T, 1, N)
      const Ct = dbc.slice(2, R + N, R + 2 * N).unsqueeze(2); // (B, T, 1, N)
      const A = this.A_log.exp().neg(); // (E, N)
      const a = delta.unsqueeze(3).mul(A).exp(); // (B, T, E, 1) · (E, N) → (B, T, E, N)
      const x = delta.mul(u).unsqueeze(3).mul(Bt); // (B, T, E, 1) · (B, T, 1, N) → (B, T, E, N)
      // E·N independent recurrences along T, flattened to the scan's (B, T, D).
      const h = scan(a.reshape([B, T, E * N]), x.reshape([B, T, E * N])).reshape([B, T, E, N]);
      return h.mul(Ct).sum(3).add(u.mul(this.D)); // Σ_n C_t[n] h_t[e, n] + D[e] u_t[e]: (B, T, E)
    });
  }

  protected override describe(): string {
    return `dim=${this.dim}, state=${this.stateSize}, dt_rank=${this.dtRank}`;
  }
}

/**
 * A causal depthwise 1-D convolution over (B, T, C): y_t[c] = bias[c] + Σ_k weight[c, 0, k] · x_{t−K+1+k}[c],
 * with zeros before t = 0, PyTorch's Conv1d(C, C, K, groups=C, padding=K−1) with the last K−1 outputs dropped.
 */
export class CausalConv1d extends Module {
  weight: Tensor;
  bias: Tensor;

  constructor(
    readonly channels: number,
    readonly width: number,
    opts: InitOptions = {},
  ) {
    super();
    positiveInt('CausalConv1d', 'channels', channels);
    positiveInt('CausalConv1d', 'width', width);
    const device = opts.device ?? getDefaultDevice();
    const seed = nextSeed(opts.seed);
    // PyTorch's Conv1d init: U(±1/√fan_in) with fan_in = (C / groups) · K = K.
    const bound = 1 / Math.sqrt(width);
    this.weight = tensor(uniformArray(channels * width, seed, -bound, bound), [channels, 1, width], { device, requiresGrad: true });
    this.bias = tensor(uniformArray(channels, seed + 1, -bound, bound), [channels], { device, requiresGrad: true });
  }

  forward(x: Tensor): Tensor {
    checkSequence('CausalConv1d', x, this.channels);
    const [B, T, C] = x.shape;
    const K = this.width;
    return tidy(() => {
      const padded = K > 1 ? cat([zeros([B, K - 1, C], { device: x.device }), x], 1) : x; // (B, T + K − 1, C)
      const w = this.weight.reshape([C, K]);
      let y = this.bias.reshape([1, 1, C]);
      // Tap k reads position t − (K − 1) + k, i.e. padded rows k … k + T − 1.
      for (let k = 0; k < K; k++) y = y.add(padded.slice(1, k, k + T).mul(w.select(1, k))); // (B, T, C)
      return y;
    });
  }

  protected override describe(): string {
    return `channels=${this.channels}, width=${this.width}, causal`;
  }
}

export interface SSMBlockOptions extends SelectiveSSMOptions {
  /** E = expand · dModel, the SSM's width; default 2. */
  expand?: number;
  /** The causal convolution's width; default 4. */
  convWidth?: number;
  layerNormEps?: number;
}

/** Pre-norm gated block: x + out_proj(SSM(silu(conv1d(u))) ⊙ silu(z)), (u, z) = in_proj(norm(x)). (B, T, d) → (B, T, d). */
export class SSMBlock extends Module {
  norm: LayerNorm;
  in_proj: Linear;
  conv1d: CausalConv1d;
  ssm: SelectiveSSM;
  out_proj: Linear;
  readonly innerDim: number;

  constructor(
    readonly dModel: number,
    opts: SSMBlockOptions = {},
  ) {
    super();
    positiveInt('SSMBlock', 'dModel', dModel);
    const expand = opts.expand ?? 2;
    positiveInt('SSMBlock', 'expand', expand);
    const E = (this.innerDim = expand * dModel);
    const device = opts.device ?? getDefaultDevice();
    const seed = nextSeed(opts.seed);
    this.norm = new LayerNorm(dModel, opts.layerNormEps ?? 1e-5, { device });
    this.in_proj = new Linear(dModel, 2 * E, { bias: false, seed, device });
    this.conv1d = new CausalConv1d(E, opts.convWidth ?? 4, { seed: seed + 1, device });
    this.ssm = new SelectiveSSM(E, { ...opts, seed: seed + 2, device });
    this.out_proj = new Linear(E, dModel, { bias: false, seed: seed + 3, device });
  }

  forward(x: Tensor): Tensor {
    checkSequence('SSMBlock', x, this.dModel);
    const E = this.innerDim;
    return tidy(() => {
      const uz = this.in_proj.forward(this.norm.forward(x)); // (B, T, 2E)
      const u = silu(this.conv1d.forward(uz.slice(2, 0, E))); // (B, T, E)
      const gate = silu(uz.slice(2, E, 2 * E)); // (B, T, E)
      return x.add(this.out_proj.forward(this.ssm.forward(u).mul(gate))); // (B, T, d)
    });
  }

  protected override describe(): string {
    return `d_model=${this.dModel}, inner=${this.innerDim}`;
  }
}

export interface SSMConfig extends Omit<SSMBlockOptions, 'seed' | 'device'> {
  vocabSize: number;
  dModel: number;
  nLayer: number;
  seed?: number;
  device?: DeviceName;
}

/**
 * embedding → nLayer SSMBlocks → LayerNorm → logits through the embedding transposed (tied, as GPT's). It needs
 * no positions: the recurrence is causal and knows order by itself, so any length runs. forward(ids (B, T)) →
 * logits (B, T, V).
 */
export class SSMLanguageModel extends Module {
  embedding: Embedding;
  layers: SSMBlock[];
  norm_f: LayerNorm;
  readonly config: Readonly<SSMConfig>;

  constructor(config: SSMConfig) {
    super();
    for (const k of ['vocabSize', 'dModel', 'nLayer'] as const) positiveInt('SSMLanguageModel', k, config[k]);
    this.config = { ...config };
    const { vocabSize, dModel, nLayer, device } = config;
    const seed = nextSeed(config.seed);
    this.embedding = new Embedding(vocabSize, dModel, { seed, device });
    // N(0, 0.02²), as GPT's tied table: the initial logits are ≈ 0 and the initial loss is ln V.
    this.embedding.weight.dispose();
    this.embedding.weight = normalParam([vocabSize, dModel], 0.02, seed, { device });
    this.layers = Array.from({ length: nLayer }, (_, i) => new SSMBlock(dModel, { ...config, seed: seed + 1000 * (i + 1) }));
    this.norm_f = new LayerNorm(dModel, config.layerNormEps ?? 1e-5, { device });
  }

  /** ids (B, T) int32 → logits (B, T, V). */
  forward(ids: Tensor): Tensor {
    if (ids.ndim !== 2 || ids.dtype !== 'int32') throw new ShapeError(`SSMLanguageModel: ids must be (B, T) int32, got ${fmt(ids.shape)} ${ids.dtype}`);
    return tidy(() => {
      let x = this.embedding.forward(ids); // (B, T, d)
      for (const block of this.layers) x = block.forward(x);
      return linear(this.norm_f.forward(x), this.embedding.weight); // (B, T, d) @ (V, d)ᵀ → (B, T, V)
    });
  }

  /** Mean next-token cross-entropy; targets (B, T) int32, −100 where nothing is predicted. */
  loss(ids: Tensor, targets: Tensor): Tensor {
    return tidy(() => crossEntropy(this.forward(ids), targets, { ignoreIndex: -100 }));
  }

  protected override describe(): string {
    const c = this.config;
    return `vocab=${c.vocabSize}, d_model=${c.dModel}, layers=${c.nLayer}, state=${this.layers[0].ssm.stateSize}`;
  }
}
