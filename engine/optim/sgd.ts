import type { Tensor } from '../tensor';
import { Optimizer, type UpdateItem } from './optimizer';

export interface SGDOptions {
  lr?: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

/** SGD with PyTorch's momentum, dampening, Nesterov and L2 weight-decay semantics (formulas in backend.ts). */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
  private buffers = new Map<Tensor, Tensor>();

  constructor(params: Tensor[], opts: SGDOptions = {}) {
    super(params, opts.lr ?? 0.01);
    this.momentum = opts.momentum ?? 0;
    this.dampening = opts.dampening ?? 0;
    this.nesterov = opts.nesterov ?? false;
    this.weightDecay = opts.weightDecay ?? 0;
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new Error('SGD: Nesterov momentum needs momentum > 0 and dampening = 0');
    }
  }

  protected update(items: readonly UpdateItem[]): void {
    // A parameter's first step with a momentum buffer sets the buffer to the gradient, so those go in a call of
    // their own (usually all of them on step 1, none after).
    const first = new Set(items.filter(({ p }) => this.momentum !== 0 && !this.buffers.has(p)));
    for (const firstStep of [true, false]) {
      const these = items.filter((it) => first.has(it) === firstStep);
      if (!these.length) continue;
      const slots = these.map(({ p, param, grad }) => ({ param, grad, momentumBuf: this.momentum !== 0 ? this.stateFor(this.buffers, p).storage : null }));
      these[0].p.backend.sgdStep(slots, {
        lr: this.lr,
        momentum: this.momentum,
        dampening: this.dampening,
        nesterov: this.nesterov,
        weightDecay: this.weightDecay,
        firstStep,
      });
    }
  }

  protected stateMaps(): Array<Map<Tensor, Tensor>> {
    return [this.buffers];
  }
}
