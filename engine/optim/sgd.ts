import type { Storage } from '../backend/backend';
import type { Tensor } from '../tensor';
import { Optimizer } from './optimizer';

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

  protected update(p: Tensor, param: Storage, grad: Storage): void {
    const firstStep = this.momentum !== 0 && !this.buffers.has(p);
    const buf = this.momentum !== 0 ? this.stateFor(this.buffers, p) : null;
    p.backend.sgdStep(param, grad, buf?.storage ?? null, {
      lr: this.lr,
      momentum: this.momentum,
      dampening: this.dampening,
      nesterov: this.nesterov,
      weightDecay: this.weightDecay,
      firstStep,
    });
  }

  dispose(): void {
    for (const b of this.buffers.values()) b.dispose();
    this.buffers.clear();
  }
}
