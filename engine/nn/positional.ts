// Positional information for attention, which by itself is blind to order:
// - sinusoidal (Vaswani et al.): a fixed table added to the token embeddings;
// - learned (GPT-2, BERT): a trainable (maxLen, d) table added the same way;
// - ALiBi (Press et al.): no embedding at all, a per-head linear penalty −slope·distance on the attention scores
//   (the slopes are computed here; the penalty is applied inside attention);
// - RoPE (Su et al.): q and k rotated pairwise by position-dependent angles, so q·k depends only on i − j.
// Constant tables are computed on the host and uploaded on the input's device at each call: they are small, and a
// module then owns no GPU memory beyond its parameters (nothing to leak, and gradcheck can rerun it on the CPU).
import { Tensor, tensor } from '../tensor';
import { cat } from '../ops/layout';
import { tidy } from '../memory';
import { nextSeed, normalArray } from '../random';
import { getDefaultDevice } from '../device';
import { fmt, ShapeError } from '../shape';
import { Module } from './module';
import type { InitOptions } from './layers';

/** PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(pos / 10000^(2i/d)), for pos in [offset, offset+T). */
export function sinusoidalTable(length: number, dim: number, offset = 0): Float32Array {
  const out = new Float32Array(length * dim);
  for (let t = 0; t < length; t++) {
    const pos = offset + t;
    for (let i = 0; i < dim; i += 2) {
      const angle = pos / Math.pow(10000, i / dim);
      out[t * dim + i] = Math.sin(angle);
      if (i + 1 < dim) out[t * dim + i + 1] = Math.cos(angle);
    }
  }
  return out;
}

function checkSequence(op: string, x: Tensor, dim: number, maxLen: number, offset: number): number {
  if (x.ndim < 2 || x.shape[x.ndim - 1] !== dim) throw new ShapeError(`${op}: input ${fmt(x.shape)} must be (…, T, ${dim})`);
  const t = x.shape[x.ndim - 2];
  if (offset + t > maxLen) throw new RangeError(`${op}: positions up to ${offset + t} exceed maxLen ${maxLen}`);
  return t;
}

/** x + PE[offset : offset + T] for x of shape (…, T, d); the table is fixed, so no parameters. */
export class SinusoidalPositionalEncoding extends Module {
  constructor(
    readonly dim: number,
    readonly maxLen = 4096,
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    return this.encode(x, 0);
  }

  encode(x: Tensor, offset: number): Tensor {
    const t = checkSequence('SinusoidalPositionalEncoding', x, this.dim, this.maxLen, offset);
    return tidy(() => x.add(tensor(sinusoidalTable(t, this.dim, offset), [t, this.dim], { device: x.device }))); // (…, T, d)
  }

  protected override describe(): string {
    return `${this.dim}, maxLen=${this.maxLen}`;
  }
}

/** x + W[offset : offset + T] with a trainable W of shape (maxLen, d), initialised N(0, std²) (GPT-2: 0.02). */
export class LearnedPositionalEmbedding extends Module {
  weight: Tensor;

  constructor(
    readonly maxLen: number,
    readonly dim: number,
    opts: InitOptions & { std?: number } = {},
  ) {
    super();
    this.weight = normalParam([maxLen, dim], opts.std ?? 0.02, nextSeed(opts.seed), opts);
  }

  forward(x: Tensor): Tensor {
    return this.encode(x, 0);
  }

  encode(x: Tensor, offset: number): Tensor {
    const t = checkSequence('LearnedPositionalEmbedding', x, this.dim, this.maxLen, offset);
    return tidy(() => x.add(this.weight.slice(0, offset, offset + t))); // (T, d) broadcasts over (…)
  }

  protected override describe(): string {
    return `${this.maxLen}, ${this.dim}`;
  }
}

/** A trainable N(0, std²) tensor. */
export function normalParam(shape: number[], std: number, seed: number, opts: InitOptions = {}): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = normalArray(n, seed);
  for (let i = 0; i < n; i++) data[i] *= std;
  return tensor(data, shape, { device: opts.device ?? getDefaultDevice(), requiresGrad: true });
}

/**
 * ALiBi's head slopes: for H a power of two, the geometric sequence 2^(−8/H), 2^(−16/H), …, 2^(−8). Otherwise the
 * slopes of the next lower power of two, followed by every other slope of the next higher one (the paper's code).
 */
export function alibiSlopes(heads: number): number[] {
  const pow2 = (n: number): number[] => {
    const start = Math.pow(2, -8 / n);
    return Array.from({ length: n }, (_, i) => Math.pow(start, i + 1));
  };
  if (Number.isInteger(Math.log2(heads))) return pow2(heads);
  const lower = Math.pow(2, Math.floor(Math.log2(heads)));
  return [...pow2(lower), ...pow2(2 * lower).filter((_, i) => i % 2 === 0).slice(0, heads - lower)];
}

/**
 * Rotary position embedding, in the half-split layout (GPT-NeoX, LLaMA): with x = [x₁, x₂] split in halves along d,
 *   rope(x, pos) = [x₁·cos θ − x₂·sin θ, x₂·cos θ + x₁·sin θ],  θ_k = pos · base^(−2k/d).
 * Applied to q and k (not v), it makes q_i·k_j a function of i − j only.
 */
export class RotaryEmbedding extends Module {
  constructor(
    readonly headDim: number,
    readonly base = 10000,
  ) {
    super();
    if (headDim % 2 !== 0) throw new RangeError(`RotaryEmbedding: the head dim must be even, got ${headDim}`);
  }

  forward(x: Tensor): Tensor {
    return this.rotate(x, 0);
  }

  /** x of shape (…, T, d), its rows at positions offset … offset + T − 1. */
  rotate(x: Tensor, offset: number): Tensor {
    const d = this.headDim;
    const t = checkSequence('RotaryEmbedding', x, d, Infinity, offset);
    const half = d / 2;
    const cos = new Float32Array(t * half);
    const sin = new Float32Array(t * half);
    for (let p = 0; p < t; p++) {
      for (let k = 0; k < half; k++) {
        const theta = (offset + p) * Math.pow(this.base, (-2 * k) / d);
        cos[p * half + k] = Math.cos(theta);
        sin[p * half + k] = Math.sin(theta);
      }
    }
    return tidy(() => {
      const c = tensor(cos, [t, half], { device: x.device }); // (T, d/2)
      const s = tensor(sin, [t, half], { device: x.device });
      const x1 = x.slice(-1, 0, half); // (…, T, d/2)
      const x2 = x.slice(-1, half, d);
      return cat([x1.mul(c).sub(x2.mul(s)), x2.mul(c).add(x1.mul(s))], -1); // (…, T, d)
    });
  }

  protected override describe(): string {
    return `${this.headDim}, base=${this.base}`;
  }
}
