import type { Tensor } from '../tensor';
import { Optimizer, type UpdateItem } from './optimizer';

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

/** Adam (Kingma & Ba), with L2 weight decay added to the gradient as in torch.optim.Adam. */
export class Adam extends Optimizer {
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  protected readonly decoupled: boolean = false;
  private m = new Map<Tensor, Tensor>();
  private v = new Map<Tensor, Tensor>();

  constructor(params: Tensor[], opts: AdamOptions = {}) {
    super(params, opts.lr ?? 1e-3);
    this.betas = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? this.defaultDecay();
    for (const b of this.betas) if (!(b >= 0 && b < 1)) throw new RangeError(`Adam: betas must be in [0, 1), got ${this.betas}`);
  }

  protected defaultDecay(): number {
    return 0;
  }

  protected update(items: readonly UpdateItem[]): void {
    // The bias correction depends on each parameter's own update count: one call per count (one in all, unless
    // some parameters were adopted from another optimizer or skipped steps with no gradient).
    for (const step of new Set(items.map(({ p }) => this.updates(p)))) {
      const these = items.filter(({ p }) => this.updates(p) === step);
      const slots = these.map(({ p, param, grad }) => ({ param, grad, m: this.stateFor(this.m, p).storage, v: this.stateFor(this.v, p).storage }));
      these[0].p.backend.adamStep(slots, {
        lr: this.lr,
        beta1: this.betas[0],
        beta2: this.betas[1],
        eps: this.eps,
        weightDecay: this.weightDecay,
        decoupled: this.decoupled,
        step,
      });
    }
  }

  protected stateMaps(): Array<Map<Tensor, Tensor>> {
    return [this.m, this.v];
  }
}

/** AdamW (Loshchilov & Hutter): weight decay applied to the weights directly, default 0.01 as in PyTorch. */
export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;

  protected override defaultDecay(): number {
    return 0.01;
  }
}
