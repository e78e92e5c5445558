// The Tensor handle: a strided view (shape, strides, offset) of a reference-counted storage, with a dtype and a
// device. Layout ops (transpose, permute, slice, expand, reshape where the strides allow, squeeze, unsqueeze,
// detach) make new views of the same storage; kernels that need a contiguous input ask for one with
// contiguous(). Its methods hand off to ops/, which validate shapes and call the backend. Autograd's slots
// (requiresGrad, grad, gradFn) live here; the rules live beside each op.
import type { Backend, DeviceName, Storage, StridedView } from './backend/backend';
import { allocArray, dtypeOf, type DType, type TypedArray } from './dtype';
import { getBackend, getDefaultDevice } from './device';
import { StorageRef, track } from './memory';
import { checkShape, fmt, numel, ShapeError, stridesOf, type Shape } from './shape';
import { nextSeed, normalArray, uniformArray } from './random';
import { backward, releaseNode, type BackwardOptions } from './autograd';
import * as ew from './ops/elementwise';
import * as layout from './ops/layout';
import * as red from './ops/reduce';
import { matmul } from './ops/matmul';
import { softmax, logSoftmax } from './ops/softmax';

export interface TensorOptions {
  dtype?: DType;
  device?: DeviceName;
  requiresGrad?: boolean;
}

/** A backward rule recorded by an op (see autograd.ts): given d(out), returns d(input) per input. */
export interface GradFn {
  name: string;
  inputs: Tensor[];
  backward: (grad: Tensor) => Array<Tensor | null>;
  /** Tensors the rule reads (only those: each rule says which it needs), held outside every tidy scope until the backward has run. */
  saved: Tensor[];
  /** The inputs' own nodes, released when this one is. */
  parents: GradFn[];
  /** The output tensor's hold plus one per node computed from this one. */
  refs: number;
  /**
   * Set by ops whose output is a region of their one input (slice): writes (or, with accumulate, adds) d(out)
   * into that region of a gradient `into` laid out like the input. backward() then accumulates several slices of
   * one tensor into a single buffer (a fill and one copy each) instead of padding each with zeros and adding.
   */
  placeInto?: (g: Tensor, into: Tensor, accumulate: boolean) => void;
}

export class Tensor {
  readonly shape: readonly number[];
  /** Elements of the storage between consecutive indices of each dim: row-major, unless this is a view. */
  readonly strides: readonly number[];
  /** Where element [0, …, 0] sits in the storage. */
  readonly offset: number;
  readonly dtype: DType;
  readonly device: DeviceName;
  requiresGrad = false;
  grad: Tensor | null = null;
  gradFn: GradFn | null = null;
  private ref: StorageRef | null;

  /** Internal: ops build tensors with Tensor.fromStorage, Tensor.viewOf or the factories below. */
  constructor(ref: StorageRef, shape: Shape, dtype: DType, device: DeviceName, strides: Shape = stridesOf(shape), offset = 0) {
    this.ref = ref;
    this.shape = Object.freeze([...shape]);
    this.strides = Object.freeze([...strides]);
    this.offset = offset;
    this.dtype = dtype;
    this.device = device;
    track(this);
  }

  /** A tensor over a new storage: contiguous, or laid out by `strides` (a kernel that wrote its output so). */
  static fromStorage(storage: Storage, shape: Shape, device: DeviceName, strides?: Shape): Tensor {
    const backend = getBackend(device);
    return new Tensor(new StorageRef(storage, backend), shape, storage.dtype, device, strides);
  }

  /**
   * Internal (ops/layout.ts): a view of this tensor's storage with another layout. No copy and no autograd node;
   * the layout ops record their gradients.
   */
  viewOf(shape: Shape, strides: Shape, offset: number): Tensor {
    return new Tensor(this.liveRef().retain(), shape, this.dtype, this.device, strides, offset);
  }

  /** Shape, strides and offset: how a strided kernel reads this tensor from its storage. */
  get layout(): StridedView {
    return { shape: this.shape, strides: this.strides, offset: this.offset };
  }

  /**
   * True when the elements lie row-major from the start of the storage and fill it: the layout every kernel
   * that takes a plain storage expects. (Unlike PyTorch's is_contiguous, an offset or a larger storage, as after
   * slicing, also makes this false.)
   */
  isContiguous(): boolean {
    if (this.offset !== 0 || this.liveRef().storage.numel !== this.numel) return false;
    let expect = 1;
    for (let d = this.ndim - 1; d >= 0; d--) {
      if (this.shape[d] !== 1 && this.strides[d] !== expect) return false;
      expect *= this.shape[d];
    }
    return true;
  }

  /** This tensor when isContiguous(), else a contiguous copy (whose gradient passes straight back). */
  contiguous(): Tensor {
    return layout.contiguous(this);
  }

  private liveRef(): StorageRef {
    if (!this.ref) throw new Error(`This tensor (${fmt(this.shape)}, ${this.dtype}) was disposed`);
    return this.ref;
  }

  get storage(): Storage {
    return this.liveRef().storage;
  }

  get backend(): Backend {
    return this.liveRef().backend;
  }

  get numel(): number {
    return numel(this.shape);
  }

  get ndim(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.ref === null;
  }

  /** Releases this tensor's hold on its storage; the memory returns to the pool when no view still uses it. */
  dispose(): void {
    if (!this.ref) return;
    const ref = this.ref;
    this.ref = null;
    // The node stays attached: a disposed intermediate is still a step of the graph that backward() walks.
    if (this.gradFn) releaseNode(this.gradFn);
    ref.release();
  }

  /** Reads the data back, row-major: a Float32Array, or an Int32Array for int32. */
  async toArray(): Promise<TypedArray> {
    if (this.isContiguous()) return this.backend.read(this.storage);
    // A view is gathered into a contiguous copy first (never recorded: reading is not part of any graph).
    const c = Tensor.fromStorage(this.backend.copy(this.storage, this.layout), this.shape, this.device);
    try {
      return await c.backend.read(c.storage);
    } finally {
      c.dispose();
    }
  }

  /** The value of a one-element tensor. */
  async item(): Promise<number> {
    if (this.numel !== 1) throw new ShapeError(`item: needs a tensor with one element, got shape ${fmt(this.shape)}`);
    return (await this.toArray())[0];
  }

  /**
   * Backpropagates from this tensor (one element, or pass `grad` of its shape) and adds gradients into the .grad
   * of every leaf created with requiresGrad: true.
   */
  backward(grad?: Tensor, opts?: BackwardOptions): void {
    backward(this, grad, opts);
  }

  /** The same view of the same storage, cut off from autograd. */
  detach(): Tensor {
    return this.viewOf(this.shape, this.strides, this.offset);
  }

  /** A copy on another device. Async because leaving the GPU means a readback. */
  async to(device: DeviceName): Promise<Tensor> {
    if (device === this.device) return this.detach();
    const data = await this.toArray();
    return Tensor.fromStorage(getBackend(device).upload(data), this.shape, device);
  }

  float(): Tensor {
    return ew.cast(this, 'float32');
  }
  int(): Tensor {
    return ew.cast(this, 'int32');
  }

  // Elementwise arithmetic with NumPy broadcasting; a number operand is a scalar.
  add(other: Tensor | number): Tensor {
    return ew.binary('add', this, other);
  }
  sub(other: Tensor | number): Tensor {
    return ew.binary('sub', this, other);
  }
  mul(other: Tensor | number): Tensor {
    return ew.binary('mul', this, other);
  }
  div(other: Tensor | number): Tensor {
    return ew.binary('div', this, other);
  }
  pow(other: Tensor | number): Tensor {
    return ew.binary('pow', this, other);
  }
  maximum(other: Tensor | number): Tensor {
    return ew.binary('max', this, other);
  }
  minimum(other: Tensor | number): Tensor {
    return ew.binary('min', this, other);
  }
  // Comparisons give float32 1 or 0.
  eq(other: Tensor | number): Tensor {
    return ew.binary('eq', this, other);
  }
  ne(other: Tensor | number): Tensor {
    return ew.binary('ne', this, other);
  }
  lt(other: Tensor | number): Tensor {
    return ew.binary('lt', this, other);
  }
  le(other: Tensor | number): Tensor {
    return ew.binary('le', this, other);
  }
  gt(other: Tensor | number): Tensor {
    return ew.binary('gt', this, other);
  }
  ge(other: Tensor | number): Tensor {
    return ew.binary('ge', this, other);
  }

  neg(): Tensor {
    return ew.unary('neg', this);
  }
  abs(): Tensor {
    return ew.unary('abs', this);
  }
  sign(): Tensor {
    return ew.unary('sign', this);
  }
  exp(): Tensor {
    return ew.unary('exp', this);
  }
  log(): Tensor {
    return ew.unary('log', this);
  }
  sqrt(): Tensor {
    return ew.unary('sqrt', this);
  }
  rsqrt(): Tensor {
    return ew.unary('rsqrt', this);
  }
  square(): Tensor {
    return ew.unary('square', this);
  }
  reciprocal(): Tensor {
    return ew.unary('reciprocal', this);
  }
  sin(): Tensor {
    return ew.unary('sin', this);
  }
  cos(): Tensor {
    return ew.unary('cos', this);
  }
  relu(): Tensor {
    return ew.unary('relu', this);
  }
  /** GELU: exact x·Φ(x) by default, or `{ approximate: 'tanh' }` for ½x(1 + tanh(√(2/π)(x + 0.044715x³))) (GPT-2's). */
  gelu(opts: { approximate?: 'none' | 'tanh' } = {}): Tensor {
    return ew.unary(opts.approximate === 'tanh' ? 'geluTanh' : 'gelu', this);
  }
  tanh(): Tensor {
    return ew.unary('tanh', this);
  }
  sigmoid(): Tensor {
    return ew.unary('sigmoid', this);
  }

  /** Sets elements where `mask` is nonzero to `value`; mask broadcasts to this tensor's shape. */
  maskedFill(mask: Tensor, value: number): Tensor {
    return ew.maskedFill(this, mask, value);
  }

  matmul(other: Tensor): Tensor {
    return matmul(this, other);
  }

  reshape(shape: readonly number[]): Tensor {
    return layout.reshape(this, shape);
  }
  view(shape: readonly number[]): Tensor {
    return layout.reshape(this, shape);
  }
  flatten(): Tensor {
    return layout.reshape(this, [this.numel]);
  }
  transpose(dim0: number, dim1: number): Tensor {
    return layout.transpose(this, dim0, dim1);
  }
  permute(...dims: number[]): Tensor {
    return layout.permute(this, dims);
  }
  slice(dim: number, start: number, end?: number): Tensor {
    return layout.slice(this, dim, start, end);
  }
  /** Index `index` of dim `dim`, which is removed: x.select(0, i) is x[i]. A view. */
  select(dim: number, index: number): Tensor {
    return layout.select(this, dim, index);
  }
  expand(shape: readonly number[]): Tensor {
    return layout.expand(this, shape);
  }
  unsqueeze(dim: number): Tensor {
    return layout.unsqueeze(this, dim);
  }
  squeeze(dim?: number): Tensor {
    return layout.squeeze(this, dim);
  }

  sum(dim?: number | number[], keepDim = false): Tensor {
    return red.sum(this, dim, keepDim);
  }
  mean(dim?: number | number[], keepDim = false): Tensor {
    return red.mean(this, dim, keepDim);
  }
  /** Maximum values (use argmax for indices). */
  max(dim?: number, keepDim = false): Tensor {
    return red.extreme('max', this, dim, keepDim);
  }
  min(dim?: number, keepDim = false): Tensor {
    return red.extreme('min', this, dim, keepDim);
  }
  /** int32 index of the first maximum; over the flattened tensor when dim is omitted. */
  argmax(dim?: number, keepDim = false): Tensor {
    return red.extreme('argmax', this, dim, keepDim);
  }
  argmin(dim?: number, keepDim = false): Tensor {
    return red.extreme('argmin', this, dim, keepDim);
  }

  softmax(dim = -1): Tensor {
    return softmax(this, dim);
  }
  logSoftmax(dim = -1): Tensor {
    return logSoftmax(this, dim);
  }

  toString(): string {
    const state = this.isDisposed ? ', disposed' : '';
    return `Tensor(shape=${fmt(this.shape)}, dtype=${this.dtype}, device=${this.device}${this.requiresGrad ? ', requiresGrad' : ''}${state})`;
  }
}

// ---- factories ----

function deviceOf(opts?: TensorOptions): DeviceName {
  return opts?.device ?? getDefaultDevice();
}

function finish(t: Tensor, opts?: TensorOptions): Tensor {
  if (opts?.requiresGrad) {
    if (t.dtype !== 'float32') throw new TypeError('requiresGrad: only float32 tensors can require gradients');
    t.requiresGrad = true;
  }
  return t;
}

/**
 * A tensor from host data. An Int32Array means int32; a number[] is float32 unless `dtype: 'int32'`. `shape`
 * defaults to [data.length] and must hold exactly data.length elements.
 */
export function tensor(data: Float32Array | Int32Array | readonly number[], shape?: readonly number[], opts?: TensorOptions): Tensor {
  const dtype: DType = opts?.dtype ?? (ArrayBuffer.isView(data) ? dtypeOf(data as TypedArray) : 'float32');
  const s = checkShape(shape ?? [data.length], 'tensor');
  if (numel(s) !== data.length) {
    throw new ShapeError(`tensor: data has ${data.length} elements but shape ${fmt(s)} needs ${numel(s)}`);
  }
  let host: TypedArray;
  if (dtype === 'int32') {
    for (let i = 0; i < data.length; i++) {
      if (!Number.isInteger(data[i]) || data[i] < -2147483648 || data[i] > 2147483647) {
        throw new TypeError(`tensor: element ${i} (${data[i]}) is not a 32-bit integer, but dtype is int32`);
      }
    }
    host = data instanceof Int32Array ? data : Int32Array.from(data);
  } else {
    host = data instanceof Float32Array ? data : Float32Array.from(data);
  }
  const device = deviceOf(opts);
  return finish(Tensor.fromStorage(getBackend(device).upload(host), s, device), opts);
}

export function full(shape: readonly number[], value: number, opts?: TensorOptions): Tensor {
  const s = checkShape(shape, 'full');
  const device = deviceOf(opts);
  const dtype = opts?.dtype ?? 'float32';
  return finish(Tensor.fromStorage(getBackend(device).fill(numel(s), value, dtype), s, device), opts);
}

export function zeros(shape: readonly number[], opts?: TensorOptions): Tensor {
  return full(shape, 0, opts);
}

export function ones(shape: readonly number[], opts?: TensorOptions): Tensor {
  return full(shape, 1, opts);
}

export function zerosLike(t: Tensor, opts?: TensorOptions): Tensor {
  return full(t.shape, 0, { dtype: t.dtype, device: t.device, ...opts });
}

export function onesLike(t: Tensor, opts?: TensorOptions): Tensor {
  return full(t.shape, 1, { dtype: t.dtype, device: t.device, ...opts });
}

export interface RandomOptions extends TensorOptions {
  seed?: number;
}

/** Standard normal samples; the same seed gives the same values on every device. */
export function randn(shape: readonly number[], opts?: RandomOptions): Tensor {
  const s = checkShape(shape, 'randn');
  return tensor(normalArray(numel(s), nextSeed(opts?.seed)), s, { ...opts, dtype: 'float32' });
}

/** Uniform samples in [0, 1). */
export function rand(shape: readonly number[], opts?: RandomOptions): Tensor {
  const s = checkShape(shape, 'rand');
  return tensor(uniformArray(numel(s), nextSeed(opts?.seed)), s, { ...opts, dtype: 'float32' });
}

/** [0, 1, …, n-1], or arange(start, end, step) when given three numbers. float32 unless `dtype: 'int32'`. */
export function arange(startOrEnd: number, end?: number, step = 1, opts?: TensorOptions): Tensor {
  const [start, stop] = end === undefined ? [0, startOrEnd] : [startOrEnd, end];
  if (step === 0 || !Number.isFinite(step)) throw new RangeError('arange: step must be a nonzero finite number');
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const data = allocArray(opts?.dtype ?? 'float32', n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return tensor(data, [n], opts);
}
