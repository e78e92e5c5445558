// Reductions along dims. The backend reduces x viewed as (outer, len, inner) over len, so reducing dim d of a
// contiguous tensor needs no copy: outer = Π shape[<d], len = shape[d], inner = Π shape[>d].
import type { ReduceOp } from '../backend/backend';
import { Tensor, full } from '../tensor';
import { fmt, normDim, numel, ShapeError } from '../shape';
import { requireFloat } from './elementwise';

function reduceDim(op: ReduceOp, x: Tensor, d: number, keepDim: boolean): Tensor {
  const outer = numel(x.shape.slice(0, d));
  const len = x.shape[d];
  const inner = numel(x.shape.slice(d + 1));
  const shape = [...x.shape];
  if (keepDim) shape[d] = 1;
  else shape.splice(d, 1);
  if (len === 0) {
    if (op !== 'sum') throw new ShapeError(`${op}: cannot reduce dim ${d} of size 0 in ${fmt(x.shape)}`);
    return full(shape, 0, { device: x.device });
  }
  return Tensor.fromStorage(x.backend.reduce(op, x.storage, outer, len, inner), shape, x.device);
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
  if (x.ndim === 0) return x.detach();
  if (dim === undefined && !keepDim) {
    // One pass over the flattened tensor.
    return reduceDim('sum', x.reshape([x.numel]), 0, false);
  }
  // Highest dim first, so the remaining dim numbers stay valid.
  let out = x;
  for (const d of dimsOf(x, dim, 'sum').sort((a, b) => b - a)) {
    const next = reduceDim('sum', out, d, keepDim);
    if (out !== x) out.dispose();
    out = next;
  }
  return out;
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
  if (dim === undefined) {
    const flat = reduceDim(op, x.reshape([x.numel]), 0, false);
    if (!keepDim) return flat;
    const out = flat.reshape(x.shape.map(() => 1));
    flat.dispose();
    return out;
  }
  return reduceDim(op, x, normDim(dim, x.ndim, op), keepDim);
}
