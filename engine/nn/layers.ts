// Standard layers with PyTorch's parameter names, shapes and default initialisation, so that state dicts and
// exported code line up with torch.nn.
import { Tensor, ones, randn, tensor, zeros } from '../tensor';
import { Module } from './module';
import { layerNorm } from '../ops/norm';
import { linear } from '../ops/matmul';
import type { MatmulActivation } from '../backend/backend';
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
 * y = x Wᵀ + b with W of shape (out, in): one matmul kernel reading W transposed in place, with the bias added
 * before the store. PyTorch's default init: kaiming_uniform(a=√5) on W, which is U(±1/√in), and U(±1/√in) on b.
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
    return this.forwardWith(x, 'none');
  }

  /** act(x Wᵀ + b) in one kernel: Sequential uses it to fuse a following activation module into this layer. */
  forwardWith(x: Tensor, activation: MatmulActivation): Tensor {
    if (x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new ShapeError(`Linear(${this.inFeatures}→${this.outFeatures}): input ${fmt(x.shape)} must end in ${this.inFeatures}`);
    }
    return linear(x, this.weight, this.bias, activation); // (…, out)
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

/** An elementwise activation that a preceding Linear can apply before its store (see Sequential). */
export abstract class ActivationModule extends Module {
  abstract readonly activation: MatmulActivation;
}

export class ReLU extends ActivationModule {
  readonly activation = 'relu' as const;
  forward(x: Tensor): Tensor {
    return x.relu();
  }
}
/** GELU, exact by default; `{ approximate: 'tanh' }` for the tanh approximation (PyTorch's names). */
export class GELU extends ActivationModule {
  readonly activation: MatmulActivation;
  constructor(readonly opts: { approximate?: 'none' | 'tanh' } = {}) {
    super();
    this.activation = opts.approximate === 'tanh' ? 'geluTanh' : 'gelu';
  }
  forward(x: Tensor): Tensor {
    return x.gelu({ approximate: this.opts.approximate });
  }
  protected override describe(): string {
    return this.opts.approximate === 'tanh' ? "approximate='tanh'" : '';
  }
}
export class Tanh extends ActivationModule {
  readonly activation = 'tanh' as const;
  forward(x: Tensor): Tensor {
    return x.tanh();
  }
}
export class Sigmoid extends ActivationModule {
  readonly activation = 'sigmoid' as const;
  forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
}

/**
 * Applies modules in order; intermediate activations are freed as soon as the next one is computed. A Linear
 * followed by an activation module runs as one fused kernel (Linear.forwardWith), the same values in one dispatch.
 */
export class Sequential extends Module {
  layers: Module[];

  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
  }

  forward(x: Tensor): Tensor {
    let h = x;
    for (let i = 0; i < this.layers.length; i++) {
      const layer = this.layers[i];
      const after = this.layers[i + 1];
      let next: Tensor;
      if (layer instanceof Linear && after instanceof ActivationModule) {
        next = layer.forwardWith(h, after.activation);
        i++;
      } else {
        next = layer.forward(h);
      }
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
