// Elementwise ops: unary maths, broadcasting binary arithmetic and comparisons, where/maskedFill and casts.
// int32 operands of arithmetic are converted to float32 first (exact below 2^24), so `pred.eq(labels)` works
// on argmax output and integer labels.
import type { BinaryOp, UnaryOp } from '../backend/backend';
import type { DType } from '../dtype';
import { Tensor, full } from '../tensor';
import { fmt, sameShape, ShapeError } from '../shape';
import { broadcastLayout } from './layout';

export function sameDevice(op: string, ...ts: Tensor[]): void {
  const d = ts[0].device;
  for (const t of ts) {
    if (t.device !== d) {
      throw new Error(`${op}: tensors are on different devices (${d} and ${t.device}); move one with \`await t.to('${d}')\``);
    }
  }
}

export function requireFloat(op: string, t: Tensor): void {
  if (t.dtype !== 'float32') throw new TypeError(`${op}: needs a float32 tensor, got ${t.dtype} ${fmt(t.shape)}; convert with .float()`);
}

/** float32 view of x for arithmetic: x itself, or a converted copy (which the caller disposes). */
function asFloat(x: Tensor): Tensor {
  return x.dtype === 'float32' ? x : cast(x, 'float32');
}

export function cast(x: Tensor, to: DType): Tensor {
  if (x.dtype === to) return x.detach();
  return Tensor.fromStorage(x.backend.cast(x.storage, to), x.shape, x.device);
}

export function unary(op: UnaryOp, x: Tensor): Tensor {
  const xf = asFloat(x);
  const out = Tensor.fromStorage(x.backend.unary(op, xf.storage), x.shape, x.device);
  if (xf !== x) xf.dispose();
  return out;
}

export function binary(op: BinaryOp, a: Tensor, b: Tensor | number): Tensor {
  const af = asFloat(a);
  let out: Tensor;
  if (typeof b === 'number') {
    out = Tensor.fromStorage(a.backend.binaryScalar(op, af.storage, b, false), a.shape, a.device);
  } else {
    sameDevice(op, a, b);
    const bf = asFloat(b);
    const { outShape, layout } = broadcastLayout(op, [a.shape, b.shape]);
    out = Tensor.fromStorage(a.backend.binary(op, af.storage, bf.storage, layout), outShape, a.device);
    if (bf !== b) bf.dispose();
  }
  if (af !== a) af.dispose();
  return out;
}

/** scalar (op) x, e.g. 1 - x as rbinary('sub', x, 1). */
export function rbinary(op: BinaryOp, x: Tensor, scalar: number): Tensor {
  const xf = asFloat(x);
  const out = Tensor.fromStorage(x.backend.binaryScalar(op, xf.storage, scalar, true), x.shape, x.device);
  if (xf !== x) xf.dispose();
  return out;
}

/** cond ? a : b with broadcasting over all three; numbers become scalars of the other operand's dtype. */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  const like = typeof a !== 'number' ? a : typeof b !== 'number' ? b : null;
  const dtype: DType = like?.dtype ?? 'float32';
  const opts = { device: cond.device, dtype };
  const at = typeof a === 'number' ? full([], a, opts) : a;
  const bt = typeof b === 'number' ? full([], b, opts) : b;
  sameDevice('where', cond, at, bt);
  if (at.dtype !== bt.dtype) throw new TypeError(`where: a is ${at.dtype} but b is ${bt.dtype}`);
  const { outShape, layout } = broadcastLayout('where', [cond.shape, at.shape, bt.shape]);
  const out = Tensor.fromStorage(cond.backend.where(cond.storage, at.storage, bt.storage, layout), outShape, cond.device);
  if (at !== a) at.dispose();
  if (bt !== b) bt.dispose();
  return out;
}

/** x with elements where mask is nonzero replaced by value; the result keeps x's shape. */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  const out = where(mask, value, x);
  if (!sameShape(out.shape, x.shape)) {
    out.dispose();
    throw new ShapeError(`maskedFill: mask ${fmt(mask.shape)} must broadcast to the tensor's shape ${fmt(x.shape)}`);
  }
  return out;
}
