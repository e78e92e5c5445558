// Optimizers update parameters in place with one fused kernel per tensor (backend sgdStep/adamStep), keeping
// their state (momentum, Adam moments) as tensors on the parameters' device.
import { Tensor, zerosLike } from '../tensor';
import { keep } from '../memory';
import { fmt } from '../shape';

export abstract class Optimizer {
  /** The learning rate used by the next step(); schedulers set it. */
  lr: number;
  protected stepCount = 0;

  constructor(
    readonly params: Tensor[],
    lr: number,
  ) {
    if (!(lr >= 0)) throw new RangeError(`optimizer: lr must be ≥ 0, got ${lr}`);
    for (const p of params) {
      if (!p.requiresGrad) throw new Error(`optimizer: parameter ${p} does not require grad`);
    }
    this.lr = lr;
  }

  get steps(): number {
    return this.stepCount;
  }

  /** Drops every parameter's gradient (PyTorch's set_to_none). */
  zeroGrad(): void {
    for (const p of this.params) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** Applies one update to every parameter that has a gradient. */
  step(): void {
    this.stepCount++;
    for (const p of this.params) {
      if (!p.grad) continue;
      if (p.grad.numel !== p.numel) throw new Error(`optimizer: gradient ${fmt(p.grad.shape)} does not match parameter ${fmt(p.shape)}`);
      this.update(p, p.grad);
    }
  }

  protected abstract update(p: Tensor, g: Tensor): void;

  /** A zero-initialised state tensor for p that lives as long as the optimizer. */
  protected stateFor(map: Map<Tensor, Tensor>, p: Tensor): Tensor {
    let s = map.get(p);
    if (!s) map.set(p, (s = keep(zerosLike(p, { requiresGrad: false }))));
    return s;
  }

  /** Frees the optimizer's state tensors. */
  abstract dispose(): void;
}
