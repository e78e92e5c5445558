// Optimizers update parameters in place with fused kernels (backend sgdStep/adamStep, which take several
// parameters per dispatch), keeping their state (momentum, Adam moments) as tensors on the parameters' device, in
// each parameter's row-major order.
// A parameter that is a view of a larger storage (a slice, a transpose) is updated through a contiguous copy
// written back through its layout, so the storage the view shares sees the update.
import type { Storage } from '../backend/backend';
import { Tensor, zerosLike } from '../tensor';
import { keep } from '../memory';
import { fmt, sameShape, stridesOf } from '../shape';
import { contiguousData } from '../ops/layout';

/** One parameter of a step: the tensor (which keys the optimizer's state), and the storages the kernel updates. */
export interface UpdateItem {
  p: Tensor;
  param: Storage;
  grad: Storage;
}

export abstract class Optimizer {
  /** The learning rate used by the next step(); schedulers set it. */
  lr: number;
  protected stepCount = 0;
  /**
   * Updates each parameter has had. It equals stepCount for a parameter that had a gradient at every step, but a
   * parameter adopted from another optimizer brings its own count (Adam's bias correction needs it, as in PyTorch,
   * which also counts per parameter).
   */
  private readonly updateCounts = new Map<Tensor, number>();

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

  /** How many updates `p` has had (0 before its first). */
  updates(p: Tensor): number {
    return this.updateCounts.get(p) ?? 0;
  }

  /**
   * Takes over the state `from` keeps for its parameter `src` (update count, and Adam's moments or SGD's momentum)
   * as the state of this optimizer's parameter `dst`, so that training `dst` continues where `src` left off. The
   * state moves (from no longer has it, and disposing from leaves it alive); the values of `dst` are the caller's
   * to copy. Both optimizers must be of the same kind, and the two parameters of the same shape.
   */
  adopt(from: Optimizer, src: Tensor, dst: Tensor): void {
    if (from.constructor !== this.constructor) {
      throw new Error(`optimizer.adopt: ${from.constructor.name} state cannot continue in ${this.constructor.name}`);
    }
    if (!from.params.includes(src)) throw new Error(`optimizer.adopt: ${src} is not a parameter of the optimizer it is taken from`);
    if (!this.params.includes(dst)) throw new Error(`optimizer.adopt: ${dst} is not a parameter of this optimizer`);
    if (!sameShape(src.shape, dst.shape)) throw new Error(`optimizer.adopt: shape ${fmt(src.shape)} cannot continue as ${fmt(dst.shape)}`);
    const theirs = from.stateMaps();
    this.stateMaps().forEach((mine, i) => {
      const s = theirs[i].get(src);
      mine.get(dst)?.dispose();
      mine.delete(dst);
      if (s) mine.set(dst, s);
      theirs[i].delete(src);
    });
    this.updateCounts.set(dst, from.updates(src));
    from.updateCounts.delete(src);
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
    const items: UpdateItem[] = [];
    const temps: Tensor[] = [];
    for (const p of this.params) {
      if (!p.grad) continue;
      this.updateCounts.set(p, this.updates(p) + 1);
      if (p.grad.numel !== p.numel) throw new Error(`optimizer: gradient ${fmt(p.grad.shape)} does not match parameter ${fmt(p.shape)}`);
      const g = contiguousData(p.grad);
      const data = contiguousData(p);
      items.push({ p, param: data.storage, grad: g.storage });
      for (const [t, of] of [[g, p.grad], [data, p]] as const) if (t !== of) temps.push(t);
    }
    // One call per device, so each backend updates its parameters together.
    for (const device of new Set(items.map((it) => it.p.device))) this.update(items.filter((it) => it.p.device === device));
    for (const it of items) {
      if (it.param === it.p.storage) continue;
      // A view: write the updated values back through its layout.
      it.p.backend.copy(it.param, { shape: it.p.shape, strides: stridesOf(it.p.shape), offset: 0 }, { storage: it.p.storage, view: it.p.layout });
    }
    for (const t of temps) t.dispose();
  }

  /** Updates each item's `param` (its parameter's values, contiguous) in place from `grad`; `p` keys the state. */
  protected abstract update(items: readonly UpdateItem[]): void;

  /** The maps of per-parameter state tensors (the same kinds in the same order for every optimizer of a class). */
  protected abstract stateMaps(): Array<Map<Tensor, Tensor>>;

  /** A zero-initialised state tensor for p that lives as long as the optimizer. */
  protected stateFor(map: Map<Tensor, Tensor>, p: Tensor): Tensor {
    let s = map.get(p);
    if (!s) map.set(p, (s = keep(zerosLike(p, { requiresGrad: false }))));
    return s;
  }

  /** Frees the optimizer's state tensors. */
  dispose(): void {
    for (const map of this.stateMaps()) {
      for (const t of map.values()) t.dispose();
      map.clear();
    }
  }
}
