// The CPU backend: plain loops over typed arrays, slow on purpose. It is the oracle every WebGPU kernel is tested
// against, so it shares no code with gpu/ or shaders/, computes in JS doubles (sums included) and rounds to
// float32 only when it stores a result. Validation of shapes is ops/' job; this file checks only what would
// otherwise corrupt memory or silently give a wrong answer (dtype mix-ups, freed storages, bad indices).
import type {
  Backend, BinaryOp, BroadcastLayout, CrossEntropyParams, HealthCounts, LayerNormResult, MatmulParams, MemoryStats,
  ReduceOp, Storage, StridedView, UnaryOp,
} from './backend';
import type { DType, TypedArray } from '../dtype';

export class CpuStorage implements Storage {
  freed = false;
  constructor(
    readonly data: Float32Array | Int32Array,
    readonly dtype: DType,
  ) {}

  get numel(): number {
    return this.data.length;
  }

  /** The same memory as unsigned 32-bit words, for kernels that move elements without looking at them. */
  get words(): Uint32Array {
    return new Uint32Array(this.data.buffer, this.data.byteOffset, this.data.length);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// erf and erfc, to ~1e-15, written independently of the shader's Abramowitz–Stegun approximation.

const TWO_OVER_SQRT_PI = 1.1283791670955126; // 2/√π
const INV_SQRT_PI = 0.5641895835477563; // 1/√π
const INV_SQRT_2 = 0.7071067811865476; // 1/√2
const INV_SQRT_2PI = 0.3989422804014327; // 1/√(2π)

/**
 * erf(x) for |x| < 2 by the series erf(x) = 2/√π · e^{-x²} · Σ_n 2ⁿ x^{2n+1} / (1·3·5···(2n+1)).
 * Every term has the sign of x, so unlike the alternating Taylor series nothing cancels.
 */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (Math.abs(term) <= Math.abs(sum) * 1e-17) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/**
 * erfc(x) for x ≥ 2 by Laplace's continued fraction
 *   erfc(x) = e^{-x²}/√π · 1/(x + (1/2)/(x + (2/2)/(x + (3/2)/(x + …)))),
 * evaluated bottom-up. At x ≥ 2, 80 levels converge to double precision (checked against 2000 levels).
 */
function erfcContinuedFraction(x: number): number {
  let f = x;
  for (let k = 80; k >= 1; k--) f = x + k / 2 / f;
  return (INV_SQRT_PI * Math.exp(-x * x)) / f;
}

/** The error function, accurate to about 1e-15 absolute. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (Math.abs(x) < 2) return erfSeries(x);
  const tail = erfcContinuedFraction(Math.abs(x)); // erfc(|x|), exp underflow makes it 0 for huge |x|
  return x > 0 ? 1 - tail : tail - 1;
}

/** The complementary error function 1 - erf(x), keeping relative accuracy in the right tail. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x >= 2) return erfcContinuedFraction(x);
  if (x <= -2) return 2 - erfcContinuedFraction(-x);
  return 1 - erfSeries(x);
}

/** Standard normal CDF Φ(x) = erfc(-x/√2)/2, via erfc so that Φ of a very negative x keeps its digits. */
function normalCdf(x: number): number {
  return 0.5 * erfc(-x * INV_SQRT_2);
}

// ---------------------------------------------------------------------------------------------------------------
// Scalar definitions of every elementwise op. A Record, so the compiler says when an op is missing.

const UNARY: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  abs: (x) => Math.abs(x),
  exp: (x) => Math.exp(x),
  log: (x) => Math.log(x),
  sqrt: (x) => Math.sqrt(x),
  rsqrt: (x) => 1 / Math.sqrt(x),
  square: (x) => x * x,
  reciprocal: (x) => 1 / x,
  relu: (x) => (Number.isNaN(x) ? NaN : x > 0 ? x : 0), // PyTorch keeps NaN
  gelu: (x) => x * normalCdf(x), // exact GELU: x·Φ(x) = ½·x·(1 + erf(x/√2))
  tanh: (x) => Math.tanh(x),
  // Both branches exponentiate a non-positive number, so neither overflows.
  sigmoid: (x) => {
    if (x >= 0) return 1 / (1 + Math.exp(-x));
    const e = Math.exp(x);
    return e / (1 + e);
  },
  sin: (x) => Math.sin(x),
  cos: (x) => Math.cos(x),
  step: (x) => (x > 0 ? 1 : 0), // relu's derivative, taken as 0 at 0
  geluGrad: (x) => normalCdf(x) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x), // d/dx x·Φ(x) = Φ(x) + x·φ(x)
  sign: (x) => Math.sign(x),
};

const BINARY: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: (a, b) => Math.pow(a, b),
  max: (a, b) => Math.max(a, b), // propagates NaN, like torch.maximum
  min: (a, b) => Math.min(a, b),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
};

// ---------------------------------------------------------------------------------------------------------------
// Index helpers.

function product(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Calls `visit(i, multiIndex)` for every flat output index i of `shape`, row-major. The multi-index is one
 * array updated in place, like an odometer.
 */
function forEachIndex(shape: readonly number[], visit: (i: number, idx: readonly number[]) => void): void {
  const n = product(shape);
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    visit(i, idx);
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d]++;
      if (idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

/** offset + Σ_k idx_k · strides_k */
function dot(idx: readonly number[], strides: readonly number[], offset = 0): number {
  let p = offset;
  for (let k = 0; k < idx.length; k++) p += idx[k] * strides[k];
  return p;
}

export class CpuBackend implements Backend {
  readonly name = 'cpu' as const;
  readonly adapterName = 'cpu';

  private readonly live = new Set<CpuStorage>();

  // --- storage -------------------------------------------------------------------------------------------------

  private alloc(dtype: DType, numel: number): CpuStorage {
    const s = new CpuStorage(dtype === 'int32' ? new Int32Array(numel) : new Float32Array(numel), dtype);
    this.live.add(s);
    return s;
  }

  /** Narrows a Storage to a live one of this backend. */
  private cpu(s: Storage): CpuStorage {
    if (!(s instanceof CpuStorage)) throw new Error('internal: a non-CPU storage reached the CPU backend');
    if (s.freed) throw new Error('This tensor was disposed; its memory has been released');
    if (!this.live.has(s)) throw new Error('internal: a storage from another CpuBackend reached this one');
    return s;
  }

  /** A live float32 storage; other dtypes are a bug in ops/, which must cast first. */
  private f32(s: Storage, op: string): Float32Array {
    const c = this.cpu(s);
    if (!(c.data instanceof Float32Array)) throw new Error(`internal: ${op} expects float32 input, got ${c.dtype}`);
    return c.data;
  }

  private i32(s: Storage, op: string): Int32Array {
    const c = this.cpu(s);
    if (!(c.data instanceof Int32Array)) throw new Error(`internal: ${op} expects int32 input, got ${c.dtype}`);
    return c.data;
  }

  upload(data: TypedArray): Storage {
    const dtype: DType = data instanceof Int32Array ? 'int32' : 'float32';
    const s = this.alloc(dtype, data.length);
    s.data.set(data);
    return s;
  }

  // async, so that a freed storage rejects the promise (as on WebGPU) instead of throwing synchronously.
  async read(s: Storage): Promise<TypedArray> {
    // A copy, so that a caller mutating the result cannot change the storage.
    return this.cpu(s).data.slice();
  }

  free(s: Storage): void {
    const c = this.cpu(s);
    c.freed = true;
    this.live.delete(c);
  }

  fill(numel: number, value: number, dtype: DType): Storage {
    const s = this.alloc(dtype, numel);
    s.data.fill(value);
    return s;
  }

  // --- elementwise ---------------------------------------------------------------------------------------------

  unary(op: UnaryOp, x: Storage): Storage {
    const xd = this.f32(x, op);
    const f = UNARY[op];
    const out = this.alloc('float32', xd.length);
    for (let i = 0; i < xd.length; i++) out.data[i] = f(xd[i]);
    return out;
  }

  binary(op: BinaryOp, a: Storage, b: Storage, layout: BroadcastLayout): Storage {
    const ad = this.f32(a, op);
    const bd = this.f32(b, op);
    const [as, bs] = layout.strides;
    const f = BINARY[op];
    const out = this.alloc('float32', product(layout.outShape));
    forEachIndex(layout.outShape, (i, idx) => {
      out.data[i] = f(ad[dot(idx, as)], bd[dot(idx, bs)]);
    });
    return out;
  }

  binaryScalar(op: BinaryOp, x: Storage, scalar: number, scalarFirst: boolean): Storage {
    const xd = this.f32(x, op);
    const f = BINARY[op];
    // The scalar stands for a float32 tensor element, so it is rounded to float32 first.
    const s = Math.fround(scalar);
    const out = this.alloc('float32', xd.length);
    for (let i = 0; i < xd.length; i++) out.data[i] = scalarFirst ? f(s, xd[i]) : f(xd[i], s);
    return out;
  }

  cast(x: Storage, to: DType): Storage {
    const src = this.cpu(x).data;
    const out = this.alloc(to, src.length);
    for (let i = 0; i < src.length; i++) {
      if (to === 'int32' && x.dtype === 'float32') {
        // Truncate toward zero. Out-of-range values saturate and NaN becomes 0 (WGSL's rule), instead of the
        // modulo-2³² wrap an Int32Array store would do.
        const v = src[i];
        out.data[i] = Number.isNaN(v) ? 0 : Math.min(2147483647, Math.max(-2147483648, Math.trunc(v)));
      } else {
        out.data[i] = src[i]; // int32 → float32 rounds to nearest; same dtype copies
      }
    }
    return out;
  }

  where(cond: Storage, a: Storage, b: Storage, layout: BroadcastLayout): Storage {
    const c = this.cpu(cond).data;
    const ac = this.cpu(a);
    const bc = this.cpu(b);
    if (ac.dtype !== bc.dtype) throw new Error(`internal: where needs a and b of one dtype, got ${ac.dtype} and ${bc.dtype}`);
    const [cs, as, bs] = layout.strides;
    const out = this.alloc(ac.dtype, product(layout.outShape));
    // Raw words, so that a and b pass through bit for bit.
    const aw = ac.words;
    const bw = bc.words;
    const ow = out.words;
    forEachIndex(layout.outShape, (i, idx) => {
      ow[i] = c[dot(idx, cs)] !== 0 ? aw[dot(idx, as)] : bw[dot(idx, bs)]; // NaN counts as nonzero, i.e. true
    });
    return out;
  }

  copy(src: Storage, view: StridedView, dst?: { storage: Storage; view: StridedView }): Storage {
    const s = this.cpu(src);
    const out = dst ? this.cpu(dst.storage) : this.alloc(s.dtype, product(view.shape));
    // Without a dst view the output is the view's shape, contiguous row-major from offset 0.
    const dstStrides = dst ? dst.view.strides : rowMajorStrides(view.shape);
    const dstOffset = dst ? dst.view.offset : 0;
    const sw = s.words;
    const ow = out.words;
    forEachIndex(view.shape, (_, idx) => {
      ow[dot(idx, dstStrides, dstOffset)] = sw[dot(idx, view.strides, view.offset)];
    });
    return out;
  }

  // --- reductions ----------------------------------------------------------------------------------------------

  reduce(op: ReduceOp, x: Storage, outer: number, len: number, inner: number): Storage {
    const xd = this.f32(x, op);
    const isArg = op === 'argmax' || op === 'argmin';
    const out = this.alloc(isArg ? 'int32' : 'float32', outer * inner);
    // x viewed as (outer, len, inner): element (o, j, i) is at (o·len + j)·inner + i.
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const at = (j: number): number => xd[(o * len + j) * inner + i];
        let result: number;
        if (op === 'sum') {
          let acc = 0;
          for (let j = 0; j < len; j++) acc += at(j);
          result = acc;
        } else {
          // max/min and their args. NaN beats every number (torch propagates it), and a strict comparison keeps
          // the first of equal extremes.
          const better = op === 'max' || op === 'argmax' ? (v: number, b: number) => v > b : (v: number, b: number) => v < b;
          let best = len > 0 ? at(0) : op === 'max' ? -Infinity : Infinity;
          let bestJ = 0;
          for (let j = 1; j < len && !Number.isNaN(best); j++) {
            const v = at(j);
            if (Number.isNaN(v) || better(v, best)) {
              best = v;
              bestJ = j;
            }
          }
          result = isArg ? bestJ : best;
        }
        out.data[o * inner + i] = result;
      }
    }
    return out;
  }

  // --- matmul --------------------------------------------------------------------------------------------------

  matmul(a: Storage, b: Storage, p: MatmulParams): Storage {
    const ad = this.f32(a, 'matmul');
    const bd = this.f32(b, 'matmul');
    const { batch, M, N, K, aBatchStride, bBatchStride } = p;
    const out = this.alloc('float32', batch * M * N); // (batch, M, N)
    for (let t = 0; t < batch; t++) {
      const a0 = t * aBatchStride; // A[t] is (M, K) row-major
      const b0 = t * bBatchStride; // B[t] is (K, N) row-major
      for (let m = 0; m < M; m++) {
        for (let n = 0; n < N; n++) {
          let acc = 0;
          for (let k = 0; k < K; k++) acc += ad[a0 + m * K + k] * bd[b0 + k * N + n];
          out.data[(t * M + m) * N + n] = acc;
        }
      }
    }
    return out;
  }

  // --- row-wise kernels ----------------------------------------------------------------------------------------

  softmax(x: Storage, rows: number, cols: number, log: boolean): Storage {
    const xd = this.f32(x, 'softmax');
    const out = this.alloc('float32', rows * cols);
    for (let r = 0; r < rows; r++) {
      const row = xd.subarray(r * cols, (r + 1) * cols);
      // Subtracting the row max m first keeps every exp(x - m) ≤ 1: softmax = exp(x - m) / Σ exp(x - m) and
      // log_softmax = x - m - log Σ exp(x - m).
      const m = rowMax(row);
      const z = sumExpShifted(row, m);
      for (let c = 0; c < cols; c++) {
        out.data[r * cols + c] = log ? row[c] - m - Math.log(z) : Math.exp(row[c] - m) / z;
      }
    }
    return out;
  }

  layerNorm(x: Storage, weight: Storage, bias: Storage, rows: number, cols: number, eps: number): LayerNormResult {
    const xd = this.f32(x, 'layerNorm');
    const w = this.f32(weight, 'layerNorm');
    const bd = this.f32(bias, 'layerNorm');
    const out = this.alloc('float32', rows * cols);
    const mean = this.alloc('float32', rows);
    const rstd = this.alloc('float32', rows);
    for (let r = 0; r < rows; r++) {
      const row = xd.subarray(r * cols, (r + 1) * cols);
      // Two passes: mean first, then the population variance Σ(x - mean)² / cols, which avoids the cancellation
      // of E[x²] - E[x]².
      let s = 0;
      for (let c = 0; c < cols; c++) s += row[c];
      const mu = s / cols;
      let ss = 0;
      for (let c = 0; c < cols; c++) ss += (row[c] - mu) * (row[c] - mu);
      const inv = 1 / Math.sqrt(ss / cols + eps);
      for (let c = 0; c < cols; c++) out.data[r * cols + c] = (row[c] - mu) * inv * w[c] + bd[c];
      // The saved statistics are the float32-rounded values of the same mu and inv used above.
      mean.data[r] = mu;
      rstd.data[r] = inv;
    }
    return { out, mean, rstd };
  }

  crossEntropy(logits: Storage, targets: Storage, p: CrossEntropyParams): { loss: Storage; counted: Storage } {
    const xd = this.f32(logits, 'crossEntropy');
    const td = this.i32(targets, 'crossEntropy targets');
    const { rows, classes, ignoreIndex, labelSmoothing: eps } = p;
    const loss = this.alloc('float32', rows);
    const counted = this.alloc('float32', rows);
    for (let r = 0; r < rows; r++) {
      const t = td[r];
      if (t === ignoreIndex) continue; // loss 0, counted 0
      if (t < 0 || t >= classes) {
        this.free(loss);
        this.free(counted);
        throw new RangeError(`crossEntropy: target ${t} at row ${r} is outside [0, ${classes})`);
      }
      const row = xd.subarray(r * classes, (r + 1) * classes);
      const lse = logSumExp(row);
      // loss = -Σ_c q_c · log_softmax(x)_c, with q = (1-ε)·onehot(t) + ε/classes and log_softmax(x)_c = x_c - lse.
      let acc = 0;
      for (let c = 0; c < classes; c++) {
        const q = (c === t ? 1 - eps : 0) + eps / classes;
        acc += q * (row[c] - lse);
      }
      loss.data[r] = -acc;
      counted.data[r] = 1;
    }
    return { loss, counted };
  }

  gather(table: Storage, idx: Storage, rows: number, rowSize: number): Storage {
    const tc = this.cpu(table);
    const id = this.i32(idx, 'gather indices');
    const out = this.alloc(tc.dtype, id.length * rowSize); // (n, rowSize)
    const tw = tc.words;
    const ow = out.words;
    for (let i = 0; i < id.length; i++) {
      const v = id[i];
      if (v < 0 || v >= rows) {
        this.free(out);
        throw new RangeError(`gather: index ${v} at position ${i} is outside the valid range [0, ${rows})`);
      }
      for (let c = 0; c < rowSize; c++) ow[i * rowSize + c] = tw[v * rowSize + c];
    }
    return out;
  }

  async health(x: Storage): Promise<HealthCounts> {
    const c = this.cpu(x);
    const counts: HealthCounts = { nan: 0, posInf: 0, negInf: 0 };
    if (c.dtype === 'float32') {
      for (const v of c.data) {
        if (Number.isNaN(v)) counts.nan++;
        else if (v === Infinity) counts.posInf++;
        else if (v === -Infinity) counts.negInf++;
      }
    }
    return counts;
  }

  memoryStats(): MemoryStats {
    let bytes = 0;
    for (const s of this.live) bytes += s.numel * 4;
    return { buffers: this.live.size, bytes, pooledBuffers: 0, pooledBytes: 0 };
  }
}

function rowMajorStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = acc;
    acc *= shape[d];
  }
  return strides;
}

function rowMax(row: Float32Array): number {
  let m = -Infinity;
  for (const v of row) m = Math.max(m, v);
  return m;
}

/** Σ exp(x - m), with m the row max so that no term exceeds 1. */
function sumExpShifted(row: Float32Array, m: number): number {
  let s = 0;
  for (const v of row) s += Math.exp(v - m);
  return s;
}

/** log Σ exp(x) = m + log Σ exp(x - m), finite for finite x. */
function logSumExp(row: Float32Array): number {
  const m = rowMax(row);
  return m + Math.log(sumExpShifted(row, m));
}
