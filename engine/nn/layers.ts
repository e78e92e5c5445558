// Standard layers with PyTorch's parameter names, shapes and default initialisation, so that state dicts and
// exported code line up with torch.nn.
import { Tensor, ones, randn, tensor, zeros } from '../tensor';
import { Module } from './module';
import { layerNorm } from '../ops/norm';
import { embedding } from '../ops/gather';
import { dropout } from '../ops/dropout';
import { nextSeed, uniformArray } from '../random';
import { getDefaultDevice } from '../device';
import type { DeviceName } from '../backend/backend';
import { fmt, ShapeError } from '../shape';

export interface InitOptions {
  seed?: number;
  device?: DeviceName;
}

/** U(−bound, bound) as a trainable parameter. */
function uniformParam(shape: number[], bound: number, seed: number, device: DeviceName): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(uniformArray(n, seed, -bound, bound), shape, { device, requiresGrad: true });
}

/**
 * y = x Wᵀ + b with W of shape (out, in). PyTorch's default init: kaiming_uniform(a=√5) on W, which is
 * U(±1/√in), and U(±1/√in) on b.
 */
export class Linear extends Module {
  weight: Tensor;
  bias: Tensor | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: InitOptions & { bias?: boolean } = {},
  ) {
    super();
    const device = opts.device ?? getDefaultDevice();
    const seed = nextSeed(opts.seed);
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = uniformParam([outFeatures, inFeatures], bound, seed, device);
    this.bias = opts.bias === false ? null : uniformParam([outFeatures], bound, seed + 1, device);
  }

  forward(x: Tensor): Tensor {
    if (x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new ShapeError(`Linear(${this.inFeatures}→${this.outFeatures}): input ${fmt(x.shape)} must end in ${this.inFeatures}`);
    }
    const wt = this.weight.transpose(0, 1); // (in, out)
    const y = x.matmul(wt); // (…, out)
    wt.dispose();
    if (!this.bias) return y;
    const out = y.add(this.bias);
    y.dispose();
    return out;
  }

  protected override describe(): string {
    return `in=${this.inFeatures}, out=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

/** A (num, dim) lookup table initialised N(0, 1), as in PyTorch. */
export class Embedding extends Module {
  weight: Tensor;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    opts: InitOptions = {},
  ) {
    super();
    this.weight = randn([numEmbeddings, embeddingDim], { seed: nextSeed(opts.seed), device: opts.device, requiresGrad: true });
  }

  forward(indices: Tensor): Tensor {
    return embedding(indices, this.weight);
  }

  protected override describe(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}`;
  }
}

export class LayerNorm extends Module {
  weight: Tensor;
  bias: Tensor;

  constructor(
    readonly dim: number,
    readonly eps = 1e-5,
    opts: { device?: DeviceName } = {},
  ) {
    super();
    this.weight = ones([dim], { device: opts.device, requiresGrad: true });
    this.bias = zeros([dim], { device: opts.device, requiresGrad: true });
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.weight, this.bias, this.eps);
  }

  protected override describe(): string {
    return `${this.dim}, eps=${this.eps}`;
  }
}

/** Inverted dropout in training mode, identity in eval mode. Each call draws a fresh seed from its own stream. */
export class Dropout extends Module {
  private calls = 0;
  private readonly seed: number;

  constructor(
    readonly p = 0.5,
    opts: { seed?: number } = {},
  ) {
    super();
    if (!(p >= 0 && p <= 1)) throw new RangeError(`Dropout: p must be in [0, 1], got ${p}`);
    this.seed = nextSeed(opts.seed);
  }

  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x.mul(1);
    return dropout(x, this.p, (this.seed + Math.imul(++this.calls, 0x9e3779b1)) >>> 0);
  }

  protected override describe(): string {
    return `p=${this.p}`;
  }
}

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return x.relu();
  }
}
export class GELU extends Module {
  forward(x: Tensor): Tensor {
    return x.gelu();
  }
}
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return x.tanh();
  }
}
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
}

/** Applies modules in order; intermediate activations are freed as soon as the next one is computed. */
export class Sequential extends Module {
  layers: Module[];

  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
  }

  forward(x: Tensor): Tensor {
    let h = x;
    for (const layer of this.layers) {
      const next = layer.forward(h);
      if (h !== x) h.dispose(); // autograd keeps what it saved
      h = next;
    }
    return h === x ? x.mul(1) : h;
  }

  override children(): Array<[string, Module]> {
    return this.layers.map((m, i) => [String(i), m]);
  }
}

export type Activation = 'relu' | 'gelu' | 'tanh' | 'sigmoid';

const ACTIVATIONS: Record<Activation, () => Module> = {
  relu: () => new ReLU(),
  gelu: () => new GELU(),
  tanh: () => new Tanh(),
  sigmoid: () => new Sigmoid(),
};

/** Linear layers of the given sizes with an activation (and optional dropout) between them, none after the last. */
export class MLP extends Sequential {
  constructor(sizes: number[], opts: InitOptions & { activation?: Activation; dropout?: number } = {}) {
    if (sizes.length < 2) throw new Error(`MLP: needs at least an input and an output size, got ${fmt(sizes)}`);
    const layers: Module[] = [];
    const seed = nextSeed(opts.seed);
    for (let i = 0; i + 1 < sizes.length; i++) {
      layers.push(new Linear(sizes[i], sizes[i + 1], { seed: seed + 2 * i, device: opts.device }));
      if (i + 2 < sizes.length) {
        layers.push(ACTIVATIONS[opts.activation ?? 'relu']());
        if (opts.dropout) layers.push(new Dropout(opts.dropout, { seed: seed + 7919 * (i + 1) }));
      }
    }
    super(...layers);
  }
}
