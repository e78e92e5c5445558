// Reductions along dims. The backend reduces one axis of a strided input (ReduceLayout), so reducing any dim of
// any view needs no copy: the kept dims keep their strides, and the reduced one is walked by its own.
import type { ReduceOp } from '../backend/backend';
import { Tensor, arange, full } from '../tensor';
import { record, save } from '../autograd';
import { fmt, normDim, ShapeError } from '../shape';
import { requireFloat } from './elementwise';
import { reshapeDetached } from './layout';

/** The reduced shape with size-1 dims kept, which broadcasts the gradient back over the reduced dims. */
function keptShape(shape: readonly number[], dims: number[]): number[] {
  return shape.map((v, i) => (dims.includes(i) ? 1 : v));
}

function reduceDim(op: ReduceOp, x: Tensor, d: number, keepDim: boolean): Tensor {
  const len = x.shape[d];
  const shape = [...x.shape];
  if (keepDim) shape[d] = 1;
  else shape.splice(d, 1);
  if (len === 0) {
    if (op !== 'sum') throw new ShapeError(`${op}: cannot reduce dim ${d} of size 0 in ${fmt(x.shape)}`);
    return full(shape, 0, { device: x.device });
  }
  const layout = {
    outShape: x.shape.filter((_, i) => i !== d),
    outStrides: x.strides.filter((_, i) => i !== d),
    len,
    lenStride: x.strides[d],
    offset: x.offset,
  };
  return Tensor.fromStorage(x.backend.reduce(op, x.storage, layout), shape, x.device);
}

function dimsOf(x: Tensor, dim: number | number[] | undefined, op: string): number[] {
  if (dim === undefined) return x.shape.map((_, i) => i);
  const dims = (Array.isArray(dim) ? dim : [dim]).map((v) => normDim(v, x.ndim, op));
  if (new Set(dims).size !== dims.length) throw new ShapeError(`${op}: repeated dim in ${fmt(dims)}`);
  return dims;
}

/** Sums over `dim` (one dim, a list, or all when omitted). */
export function sum(x: Tensor, dim?: number | number[], keepDim = false): Tensor {
  requireFloat('sum', x);
  const dims = dimsOf(x, dim, 'sum');
  let out: Tensor;
  if (x.ndim === 0) out = x.detach();
  else if (dim === undefined && !keepDim) {
    // One pass over the flattened tensor (a view, or a copy where the layout cannot flatten).
    const flat = reshapeDetached(x, [x.numel]); // the reduction records its own rule
    out = reduceDim('sum', flat, 0, false);
    flat.dispose();
  } else {
    // Highest dim first, so the remaining dim numbers stay valid.
    out = x;
    for (const d of [...dims].sort((a, b) => b - a)) {
      const next = reduceDim('sum', out, d, keepDim);
      if (out !== x) out.dispose();
      out = next;
    }
  }
  if (!x.requiresGrad) return out;
  // d sum: every input element receives the gradient of the sum it fed.
  const inShape = x.shape;
  const kept = keptShape(inShape, dims);
  return record('sum', out, [x], (g) => [g.reshape(kept).expand(inShape)]);
}

export function mean(x: Tensor, dim?: number | number[], keepDim = false): Tensor {
  const count = dimsOf(x, dim, 'mean').reduce((acc, d) => acc * x.shape[d], 1);
  const s = sum(x, dim, keepDim);
  const out = s.div(count);
  s.dispose();
  return out;
}

/** max/min values or argmax/argmin int32 indices along one dim, or over the flattened tensor. */
export function extreme(op: 'max' | 'min' | 'argmax' | 'argmin', x: Tensor, dim?: number, keepDim = false): Tensor {
  requireFloat(op, x);
  let out: Tensor;
  if (dim === undefined) {
    const flatIn = reshapeDetached(x, [x.numel]);
    const flat = reduceDim(op, flatIn, 0, false);
    flatIn.dispose();
    out = keepDim ? flat.reshape(x.shape.map(() => 1)) : flat;
    if (out !== flat) flat.dispose();
  } else {
    out = reduceDim(op, x, normDim(dim, x.ndim, op), keepDim);
  }
  if ((op !== 'max' && op !== 'min') || !x.requiresGrad) return out;
  // The gradient goes to the first extreme element of each reduced slice, as with PyTorch's max(dim).
  const sx = save(x);
  const arg = op === 'max' ? 'argmax' : 'argmin';
  return record(op, out, [x], (g) => {
    if (dim === undefined) {
      const flat = sx.reshape([sx.numel]);
      const hit = arange(sx.numel, undefined, 1, { device: sx.device }).eq(extreme(arg, flat, 0, true));
      return [hit.mul(g.reshape([1])).reshape(sx.shape)];
    }
    const d = normDim(dim, sx.ndim, op);
    const kept = keptShape(sx.shape, [d]);
    const along = sx.shape.map((_, i) => (i === d ? sx.shape[d] : 1));
    const hit = arange(sx.shape[d], undefined, 1, { device: sx.device }).reshape(along).eq(extreme(arg, sx, d, true));
    return [hit.mul(g.reshape(kept))];
  }, [sx]);
}
