// Reverse-mode autograd. An op whose inputs need gradients records a GradFn on its output: the inputs and a
// backward rule written beside the op's forward in ops/. backward() walks the recorded graph in reverse
// topological order, accumulating gradients of every intermediate, and adds the gradient of each leaf that
// requires one into its .grad.
import { onesLike, Tensor, type GradFn } from './tensor';
import { keep, tidy } from './memory';
import { fmt, numel, sameShape } from './shape';

/**
 * Zeros of x's shape on g's device, laid out densely in the order of x's strides (PyTorch's preserve_format): a
 * gradient written for a head-split or transposed view then reshapes back as a view, without a copy. (x may be a
 * disposed intermediate: only its shape and strides are read.)
 */
function zerosLaidOutLike(x: Tensor, g: Tensor): Tensor {
  const order = x.shape.map((_, i) => i).sort((a, b) => x.strides[b] - x.strides[a] || a - b); // outermost first
  const strides = new Array<number>(x.ndim);
  let acc = 1;
  for (let i = x.ndim - 1; i >= 0; i--) {
    strides[order[i]] = acc;
    acc *= x.shape[order[i]];
  }
  return Tensor.fromStorage(g.backend.fill(numel(x.shape), 0, 'float32'), x.shape, g.device, strides);
}

let enabled = true;

/** Runs fn with recording off, like torch.no_grad(): nothing inside builds a graph. */
export function noGrad<T>(fn: () => T): T {
  const prev = enabled;
  enabled = false;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}

export function isGradEnabled(): boolean {
  return enabled;
}

/** A tensor kept for the backward: it holds its own reference to the storage, outside every tidy scope. */
export function save(t: Tensor): Tensor {
  return keep(t.detach());
}

/**
 * Called by every differentiable op after its forward. Records `backward` on `out` when recording is on and
 * some float input requires a gradient; otherwise frees what the op saved, since no backward will run.
 * `backward` receives d(out) and returns d(input) per input, in `inputs` order (null where none flows).
 */
export function record(
  name: string,
  out: Tensor,
  inputs: Tensor[],
  backward: GradFn['backward'],
  saved: Tensor[] = [],
): Tensor {
  if (enabled && inputs.some((t) => t.requiresGrad)) {
    const parents = inputs.map((t) => t.gradFn).filter((n): n is GradFn => n !== null);
    for (const p of parents) p.refs++;
    out.requiresGrad = true;
    out.gradFn = { name, inputs, backward, saved, parents, refs: 1 };
  } else {
    for (const s of saved) s.dispose();
  }
  return out;
}

/**
 * Lets go of one reference to a graph node: its output tensor was disposed, or a node computed from it was
 * released. The last reference frees the tensors it saved and releases its parents in turn, so a graph that
 * never reaches backward() (an eval pass without noGrad) still returns its memory once its outputs are disposed.
 */
export function releaseNode(node: GradFn): void {
  const stack = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if (--n.refs > 0) continue;
    for (const s of n.saved) s.dispose();
    stack.push(...n.parents);
  }
}

export interface GraphStats {
  /** Recorded nodes under the root. */
  nodes: number;
  /** Tensors those nodes saved for their backward rules. */
  savedTensors: number;
  /** Bytes of the distinct storages the saved tensors hold (views of one storage count it once). */
  savedBytes: number;
}

/** What the graph under `root` holds until its backward runs: the memory cost of having recorded it. */
export function graphStats(root: Tensor): GraphStats {
  const seen = new Set<GradFn>();
  const storages = new Set<object>();
  let savedTensors = 0;
  let savedBytes = 0;
  const stack = root.gradFn ? [root.gradFn] : [];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    for (const s of n.saved) {
      savedTensors++;
      if (s.isDisposed || storages.has(s.storage)) continue;
      storages.add(s.storage);
      savedBytes += s.storage.numel * 4;
    }
    stack.push(...n.parents);
  }
  return { nodes: seen.size, savedTensors, savedBytes };
}

export interface BackwardOptions {
  /** Keep saved tensors so that backward can run through this graph again. */
  retainGraph?: boolean;
}

/** Orders the graph under `root` so that every tensor comes after all tensors computed from it. */
function reverseTopological(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative DFS: deep graphs (an RNN unrolled for 1000 steps) must not overflow the JS stack.
  const stack: Array<[Tensor, boolean]> = [[root, false]];
  while (stack.length) {
    const [t, done] = stack.pop()!;
    if (done) {
      order.push(t);
      continue;
    }
    if (seen.has(t)) continue;
    seen.add(t);
    stack.push([t, true]);
    for (const p of t.gradFn?.inputs ?? []) if (p.requiresGrad && !seen.has(p)) stack.push([p, false]);
  }
  return order.reverse();
}

/**
 * Backpropagates from `root`. With no `grad`, root must hold one element and d(root) = 1. Leaves that require
 * gradients get them added into .grad (PyTorch's accumulation); intermediates are freed as soon as used.
 */
export function backward(root: Tensor, grad?: Tensor, opts: BackwardOptions = {}): void {
  if (!root.requiresGrad) {
    throw new Error(
      root.dtype === 'int32'
        ? 'backward: int32 tensors are not differentiable'
        : 'backward: this tensor does not require grad (no input had requiresGrad: true, or it was made under noGrad)',
    );
  }
  if (!grad && root.numel !== 1) {
    throw new Error(`backward: a gradient must be given for a non-scalar output of shape ${fmt(root.shape)}`);
  }
  if (grad && !sameShape(grad.shape, root.shape)) {
    throw new Error(`backward: gradient shape ${fmt(grad.shape)} does not match the output shape ${fmt(root.shape)}`);
  }
  const order = reverseTopological(root);
  const grads = new Map<Tensor, Tensor>();
  // Gradient buffers that slices write into in place: made here, referenced by nothing but `grads`, and given up
  // (removed) as soon as their tensor's own rule reads them, since a rule may pass its g on to several inputs.
  const owned = new Set<Tensor>();
  tidy(() => {
    grads.set(root, grad ? grad.detach() : onesLike(root));
    for (const t of order) {
      const g = grads.get(t);
      if (!g) continue;
      owned.delete(g);
      const fn = t.gradFn;
      if (!fn) {
        // A leaf: accumulate into .grad, which lives beyond this scope. A .grad is always contiguous (a rule may
        // return a view, e.g. sum's stride-0 expand), so optimizers and readers can take its storage as it is.
        const prev = t.grad;
        t.grad = keep(prev ? prev.add(g) : g.isContiguous() ? g.detach() : g.contiguous());
        if (prev) prev.dispose();
        continue;
      }
      if (fn.saved.some((s) => s.isDisposed)) {
        throw new Error(
          `backward: the graph through ${fn.name} was already freed by an earlier backward(); ` +
            'pass { retainGraph: true } to the first call to run backward twice',
        );
      }
      if (fn.placeInto) {
        // A slice: write g into its region of the input's gradient buffer, made on first use (zeros laid out like
        // the input) and added into in place by the input's other slices.
        const input = fn.inputs[0];
        if (input.requiresGrad) {
          const prev = grads.get(input);
          if (prev && owned.has(prev)) {
            fn.placeInto(g, prev, true);
          } else {
            const buf = zerosLaidOutLike(input, g);
            fn.placeInto(g, buf, false);
            if (prev) buf.backend.copy(prev.storage, prev.layout, { storage: buf.storage, view: buf.layout }, true);
            grads.set(input, buf);
            owned.add(buf);
          }
        }
        grads.delete(t);
        if (!opts.retainGraph) for (const s of fn.saved) s.dispose();
        continue;
      }
      const inputGrads = fn.backward(g);
      grads.delete(t);
      fn.inputs.forEach((input, i) => {
        const gi = inputGrads[i];
        if (!gi || !input.requiresGrad) return;
        if (!sameShape(gi.shape, input.shape)) {
          throw new Error(`internal: ${fn.name} produced a gradient of shape ${fmt(gi.shape)} for an input of shape ${fmt(input.shape)}`);
        }
        const prev = grads.get(input);
        grads.set(input, prev ? prev.add(gi) : gi);
      });
      if (!opts.retainGraph) {
        for (const s of fn.saved) s.dispose();
      }
    }
  });
}
