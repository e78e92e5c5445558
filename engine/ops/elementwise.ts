// Elementwise ops: unary maths, broadcasting binary arithmetic and comparisons, where/maskedFill and casts.
// int32 operands of arithmetic are converted to float32 first (exact below 2^24), so `pred.eq(labels)` works
// on argmax output and integer labels.
import type { BinaryOp, UnaryOp } from '../backend/backend';
import type { DType } from '../dtype';
import { Tensor, full } from '../tensor';
import { fmt, sameShape, ShapeError } from '../shape';
import { record, save } from '../autograd';
import { broadcastLayout, sumToShape } from './layout';

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

/** Converts the element type. float32 → int32 truncates and ends the gradient; int32 tensors have none. */
export function cast(x: Tensor, to: DType): Tensor {
  if (x.dtype === to) return identity(x);
  return Tensor.fromStorage(x.backend.cast(x.storage, to), x.shape, x.device);
}

/** The same values as a new tensor sharing storage, with the gradient passed straight through. */
export function identity(x: Tensor): Tensor {
  const out = x.shareAs(x.shape);
  if (!x.requiresGrad) return out;
  return record('identity', out, [x], (g) => [g]);
}

/**
 * d(op)/dx as a function of the saved input x and output y. Each returns the gradient g·f'(x); the tensors it
 * makes along the way are freed by the tidy scope around backward().
 */
const UNARY_GRAD: Record<UnaryOp, ((g: Tensor, x: Tensor, y: Tensor) => Tensor) | null> = {
  neg: (g) => g.neg(),
  abs: (g, x) => g.mul(x.sign()), // sign(0) = 0: the subgradient PyTorch picks
  exp: (g, _x, y) => g.mul(y), // d e^x = e^x
  log: (g, x) => g.div(x),
  sqrt: (g, _x, y) => g.div(y.mul(2)), // 1 / (2√x)
  rsqrt: (g, _x, y) => g.mul(y.pow(3)).mul(-0.5), // -½ x^(-3/2)
  square: (g, x) => g.mul(x).mul(2),
  reciprocal: (g, _x, y) => g.mul(y.square()).neg(), // -1/x²
  relu: (g, x) => g.mul(unary('step', x)), // relu'(0) is taken as 0, as PyTorch does
  gelu: (g, x) => g.mul(unary('geluGrad', x)),
  tanh: (g, _x, y) => g.mul(rbinary('sub', y.square(), 1)), // 1 - tanh²
  sigmoid: (g, _x, y) => g.mul(y.mul(rbinary('sub', y, 1))), // σ(1 - σ)
  sin: (g, x) => g.mul(x.cos()),
  cos: (g, x) => g.mul(x.sin()).neg(),
  // Derivative helpers are piecewise constant or only used inside backward rules.
  step: null,
  sign: null,
  geluGrad: null,
};

export function unary(op: UnaryOp, x: Tensor): Tensor {
  const xf = asFloat(x);
  const out = Tensor.fromStorage(x.backend.unary(op, xf.storage), x.shape, x.device);
  if (xf !== x) xf.dispose();
  const rule = UNARY_GRAD[op];
  if (!rule || !x.requiresGrad) return out;
  const sx = save(x);
  const sy = save(out);
  return record(op, out, [x], (g) => [rule(g, sx, sy)], [sx, sy]);
}

/**
 * Gradients of a (op) b for both operands, before summing back over broadcast dims. max/min send the gradient
 * to the larger (smaller) operand, and to a on ties. Comparisons have none.
 */
const BINARY_GRAD: Record<BinaryOp, ((g: Tensor, a: Tensor, b: Tensor, y: Tensor) => [Tensor, Tensor]) | null> = {
  add: (g) => [g, g],
  sub: (g) => [g, g.neg()],
  mul: (g, a, b) => [g.mul(b), g.mul(a)],
  div: (g, a, b) => [g.div(b), g.mul(a).div(b.square()).neg()], // d(a/b)/db = -a/b²
  // d a^b/da = b·a^(b-1); d a^b/db = a^b·ln a (PyTorch's formula, meaningful for a > 0)
  pow: (g, a, b, y) => [g.mul(b).mul(a.pow(b.sub(1))), g.mul(y).mul(a.log())],
  max: (g, a, b) => {
    const m = a.ge(b);
    return [g.mul(m), g.mul(rbinary('sub', m, 1))];
  },
  min: (g, a, b) => {
    const m = a.le(b);
    return [g.mul(m), g.mul(rbinary('sub', m, 1))];
  },
  eq: null, ne: null, lt: null, le: null, gt: null, ge: null,
};

/** d(x op s)/dx for a scalar s, and d(s op x)/dx when the scalar comes first. */
function scalarGrad(op: BinaryOp, g: Tensor, x: Tensor, y: Tensor, s: number, scalarFirst: boolean): Tensor | null {
  switch (op) {
    case 'add': return g;
    case 'sub': return scalarFirst ? g.neg() : g;
    case 'mul': return g.mul(s);
    case 'div': return scalarFirst ? g.mul(y).div(x).neg() : g.div(s); // d(s/x) = -s/x² = -y/x
    case 'pow': return scalarFirst ? g.mul(y).mul(Math.log(s)) : g.mul(x.pow(s - 1)).mul(s);
    case 'max': return g.mul(scalarFirst ? x.gt(s) : x.ge(s));
    case 'min': return g.mul(scalarFirst ? x.lt(s) : x.le(s));
    default: return null;
  }
}

export function binary(op: BinaryOp, a: Tensor, b: Tensor | number): Tensor {
  if (typeof b === 'number') return scalarOp(op, a, b, false);
  sameDevice(op, a, b);
  const af = asFloat(a);
  const bf = asFloat(b);
  const { outShape, layout } = broadcastLayout(op, [a.shape, b.shape]);
  const out = Tensor.fromStorage(a.backend.binary(op, af.storage, bf.storage, layout), outShape, a.device);
  if (bf !== b) bf.dispose();
  if (af !== a) af.dispose();
  const rule = BINARY_GRAD[op];
  if (!rule || !(a.requiresGrad || b.requiresGrad)) return out;
  const [sa, sb, sy] = [save(a), save(b), save(out)];
  return record(op, out, [a, b], (g) => {
    const [ga, gb] = rule(g, sa, sb, sy);
    return [sumToShape(ga, sa.shape), sumToShape(gb, sb.shape)];
  }, [sa, sb, sy]);
}

function scalarOp(op: BinaryOp, x: Tensor, s: number, scalarFirst: boolean): Tensor {
  const xf = asFloat(x);
  const out = Tensor.fromStorage(x.backend.binaryScalar(op, xf.storage, s, scalarFirst), x.shape, x.device);
  if (xf !== x) xf.dispose();
  if (!x.requiresGrad || BINARY_GRAD[op] === null) return out;
  const [sx, sy] = [save(x), save(out)];
  return record(op, out, [x], (g) => [scalarGrad(op, g, sx, sy, s, scalarFirst)], [sx, sy]);
}

/** scalar (op) x, e.g. 1 - x as rbinary('sub', x, 1). */
export function rbinary(op: BinaryOp, x: Tensor, scalar: number): Tensor {
  return scalarOp(op, x, scalar, true);
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
  if (!at.requiresGrad && !bt.requiresGrad) return out;
  // d where(c, a, b) = (where(c, g, 0), where(c, 0, g)), each summed back to its operand's shape.
  const sc = save(cond);
  const shapes = [at.shape, bt.shape];
  return record('where', out, [at, bt], (g) => [
    sumToShape(where(sc, g, 0), shapes[0]),
    sumToShape(where(sc, 0, g), shapes[1]),
  ], [sc]);
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
