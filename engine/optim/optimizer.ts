// Optimizers update parameters in place with one fused kernel per tensor (backend sgdStep/adamStep), keeping
// their state (momentum, Adam moments) as tensors on the parameters' device, in each parameter's row-major order.
// A parameter that is a view of a larger storage (a slice, a transpose) is updated through a contiguous copy
// written back through its layout, so the storage the view shares sees the update.
import type { Storage } from '../backend/backend';
import { Tensor, zerosLike } from '../tensor';
import { keep } from '../memory';
import { fmt, stridesOf } from '../shape';
import { contiguousData } from '../ops/layout';

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
      const g = contiguousData(p.grad);
      const data = contiguousData(p);
      this.update(p, data.storage, g.storage);
      if (data !== p) {
        // Write the updated values back through the view's layout.
        p.backend.copy(data.storage, { shape: p.shape, strides: stridesOf(p.shape), offset: 0 }, { storage: p.storage, view: p.layout });
        data.dispose();
      }
      if (g !== p.grad) g.dispose();
    }
  }

  /** Updates `param` (p's values, contiguous) in place from its gradient; p keys the optimizer's state. */
  protected abstract update(p: Tensor, param: Storage, grad: Storage): void;

  /** A zero-initialised state tensor for p that lives as long as the optimizer. */
  protected stateFor(map: Map<Tensor, Tensor>, p: Tensor): Tensor {
    let s = map.get(p);
    if (!s) map.set(p, (s = keep(zerosLike(p, { requiresGrad: false }))));
    return s;
  }

  /** Frees the optimizer's state tensors. */
  abstract dispose(): void;
}
