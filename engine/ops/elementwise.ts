// Elementwise ops: unary maths, broadcasting binary arithmetic and comparisons, where/maskedFill and casts. Every
// kernel reads its inputs through their strides, so views need no copy. int32 operands of arithmetic are converted
// to float32 first (exact below 2^24), so `pred.eq(labels)` works on argmax output and integer labels.
//
// The unary and binary ops' backward rules live in their records (ops/pointwise.ts). Each says what it reads (the
// input, the output, the other operand, or nothing), and only that is saved for the backward, as tfjs's
// inputsToSave/outputsToSave do: add saves nothing, exp its output, and a·b saves b only when a needs a gradient.
import { BINARY, UNARY, type BinaryBackward, type BinaryOp, type BinarySaved, type RuleOps, type UnaryBackward, type UnaryOp } from './pointwise';
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
  return Tensor.fromStorage(x.backend.cast(x.storage, to, x.layout), x.shape, x.device);
}

/** The same values as a new view of the same storage, with the gradient passed straight through. */
export function identity(x: Tensor): Tensor {
  const out = x.detach();
  if (!x.requiresGrad) return out;
  return record('identity', out, [x], (g) => [g]);
}

/** The one-kernel activation derivatives, handed to the backward rules of ops/pointwise.ts. */
const RULE_OPS: RuleOps = { binary: (op, a, b) => binary(op, a, b) };

export function unary(op: UnaryOp, x: Tensor): Tensor {
  const xf = asFloat(x);
  const out = Tensor.fromStorage(x.backend.unary(op, xf.storage, xf.layout), x.shape, x.device);
  if (xf !== x) xf.dispose();
  const rule: UnaryBackward | null = UNARY[op].backward;
  if (!rule || !x.requiresGrad) return out;
  const kept = rule.saves === 'input' ? save(x) : rule.saves === 'output' ? save(out) : null;
  return record(op, out, [x], (g) => [rule.grad(g, kept!, RULE_OPS)], kept ? [kept] : []);
}

type SavedName = keyof BinarySaved;

export function binary(op: BinaryOp, a: Tensor, b: Tensor | number): Tensor {
  if (typeof b === 'number') return scalarOp(op, a, b, false);
  sameDevice(op, a, b);
  const af = asFloat(a);
  const bf = asFloat(b);
  const layout = broadcastLayout(op, [af, bf]);
  const out = Tensor.fromStorage(a.backend.binary(op, af.storage, bf.storage, layout), layout.outShape, a.device);
  if (bf !== b) bf.dispose();
  if (af !== a) af.dispose();
  const rule: BinaryBackward | null = BINARY[op].backward;
  if (!rule || !(a.requiresGrad || b.requiresGrad)) return out;
  // Save what the gradients of the operands that need one read, and nothing else.
  const wanted = new Set<SavedName>([...(a.requiresGrad ? rule.needs[0] : []), ...(b.requiresGrad ? rule.needs[1] : [])]);
  const from: BinarySaved = { a, b, out };
  const kept = {} as BinarySaved;
  for (const name of wanted) kept[name] = save(from[name]);
  const [aShape, bShape] = [a.shape, b.shape];
  return record(op, out, [a, b], (g) => [
    a.requiresGrad ? sumToShape(rule.grad[0](g, kept, RULE_OPS), aShape) : null,
    b.requiresGrad ? sumToShape(rule.grad[1](g, kept, RULE_OPS), bShape) : null,
  ], Object.values(kept));
}

/** d(x op s)/dx for a scalar s, and d(s op x)/dx when the scalar comes first, with what each reads. */
function scalarRule(op: BinaryOp, s: number, scalarFirst: boolean): { saves: 'input' | 'output' | 'none'; grad: (g: Tensor, t: Tensor) => Tensor } | null {
  switch (op) {
    case 'add': return { saves: 'none', grad: (g) => g };
    case 'sub': return { saves: 'none', grad: (g) => (scalarFirst ? g.neg() : g) };
    case 'mul': return { saves: 'none', grad: (g) => g.mul(s) };
    case 'div': return scalarFirst
      ? { saves: 'input', grad: (g, x) => g.mul(-s).div(x.square()) } // d(s/x) = -s/x²
      : { saves: 'none', grad: (g) => g.div(s) };
    case 'pow': return scalarFirst
      ? { saves: 'output', grad: (g, y) => g.mul(y).mul(Math.log(s)) } // d s^x = s^x·ln s
      : { saves: 'input', grad: (g, x) => g.mul(x.pow(s - 1)).mul(s) };
    case 'max': return { saves: 'input', grad: (g, x) => g.mul(scalarFirst ? x.gt(s) : x.ge(s)) };
    case 'min': return { saves: 'input', grad: (g, x) => g.mul(scalarFirst ? x.lt(s) : x.le(s)) };
    default: return null;
  }
}

function scalarOp(op: BinaryOp, x: Tensor, s: number, scalarFirst: boolean): Tensor {
  const xf = asFloat(x);
  const out = Tensor.fromStorage(x.backend.binaryScalar(op, xf.storage, s, scalarFirst, xf.layout), x.shape, x.device);
  if (xf !== x) xf.dispose();
  const rule = x.requiresGrad ? scalarRule(op, s, scalarFirst) : null;
  if (!rule) return out;
  const kept = rule.saves === 'input' ? save(x) : rule.saves === 'output' ? save(out) : null;
  return record(op, out, [x], (g) => [rule.grad(g, kept!)], kept ? [kept] : []);
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
  const layout = broadcastLayout('where', [cond, at, bt]);
  const out = Tensor.fromStorage(cond.backend.where(cond.storage, at.storage, bt.storage, layout), layout.outShape, cond.device);
  if (at !== a) at.dispose();
  if (bt !== b) bt.dispose();
  if (!at.requiresGrad && !bt.requiresGrad) return out;
  // d where(c, a, b) = (where(c, g, 0), where(c, 0, g)), each summed back to its operand's shape.
  const sc = save(cond);
  const shapes = [at.shape, bt.shape];
  return record('where', out, [at, bt], (g) => [
    at.requiresGrad ? sumToShape(where(sc, g, 0), shapes[0]) : null,
    bt.requiresGrad ? sumToShape(where(sc, 0, g), shapes[1]) : null,
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
