// The CPU backend: plain loops over typed arrays, slow on purpose. It is the oracle every WebGPU kernel is tested
// against, so it shares no code with gpu/ or shaders/, computes in JS doubles (sums included) and rounds to
// float32 only when it stores a result. Validation of shapes is ops/' job; this file checks only what would
// otherwise corrupt memory or silently give a wrong answer (dtype mix-ups, freed storages, bad indices).
import { BINARY, UNARY } from '../ops/pointwise';
import { globalFlags, patternAllows, type SparsePattern } from '../ops/sparse-layout';
import { attentionLayouts, denseAttentionGrads } from './backend';
import type {
  AdamParams, AdamSlot, SgdSlot, AttentionBackwardResult, AttentionForwardResult, AttentionGradLayouts, AttentionParams, Backend, HeadLayout, BinaryOp, BroadcastLayout, CrossEntropyParams, HealthCounts, LayerNormResult,
  MatmulActivation, MatmulParams, MemoryStats, ReduceLayout, ReduceOp, SgdParams, Storage, StridedView, UnaryOp,
} from './backend';
import { dropoutBits, dropoutParams } from './rng';
import type { DType, TypedArray } from '../dtype';

/** float32 tensors are Float32Array, except in a float64 backend (gradcheck's), where they are Float64Array. */
export type FloatArray = Float32Array | Float64Array;

export class CpuStorage implements Storage {
  freed = false;
  constructor(
    readonly data: FloatArray | Int32Array,
    readonly dtype: DType,
  ) {}

  get numel(): number {
    return this.data.length;
  }

  /**
   * The same memory as unsigned 32-bit words, for kernels that move elements without looking at them (float64
   * storages move as whole doubles).
   */
  get words(): Uint32Array | Float64Array {
    if (this.data instanceof Float64Array) return this.data;
    return new Uint32Array(this.data.buffer, this.data.byteOffset, this.data.length);
  }
}

// The pointwise ops' maths is their `cpu` field in ops/pointwise.ts; erf and erfc are re-exported for tests.
export { erf, erfc } from '../ops/scalar-math';

/** The matmul epilogue's activations, from the same definitions as the unary ops. */
const ACTIVATION: Record<MatmulActivation, (x: number) => number> = {
  none: (x) => x,
  relu: UNARY.relu.cpu,
  gelu: UNARY.gelu.cpu,
  geluTanh: UNARY.geluTanh.cpu,
  tanh: UNARY.tanh.cpu,
  sigmoid: UNARY.sigmoid.cpu,
};

// ---------------------------------------------------------------------------------------------------------------
// Index helpers.

function product(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** True when `strides` walk `shape` row-major with no gaps (size-1 dims may have any stride). */
function isRowMajor(shape: readonly number[], strides: readonly number[]): boolean {
  let expect = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && strides[d] !== expect) return false;
    expect *= shape[d];
  }
  return true;
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

/** The per-call inputs of the CPU attention loops (CpuBackend.attentionInputs). */
interface AttentionInputs {
  maskData: FloatArray | Int32Array | null;
  slopeData: FloatArray | null;
  sparse: SparsePattern;
  /** 1 at global positions, over max(Tq, Tk); null without globals. */
  flags: Uint8Array | null;
}

export class CpuBackend implements Backend {
  readonly name = 'cpu' as const;
  readonly adapterName = 'cpu';
  readonly attentionAlign = 1;

  private readonly live = new Set<CpuStorage>();
  /** Stores float32 tensors in float64: only gradcheck's finite differences use this. */
  private readonly float64: boolean;

  constructor(opts: { float64?: boolean } = {}) {
    this.float64 = opts.float64 ?? false;
  }

  // --- storage -------------------------------------------------------------------------------------------------

  /**
   * Set by warmup() while it walks a step to learn its GPU kernels. CPU ops would run for real there (an
   * optimizer step on CPU parameters would really step), so the CPU backend refuses all work meanwhile.
   */
  static walking = false;

  private refuseWhileWalking(): void {
    if (CpuBackend.walking) {
      throw new Error(
        'warmup(fn) met a CPU tensor: warmup compiles WebGPU pipelines without running anything, but CPU ops would ' +
          "run for real. Put the model and its inputs on 'webgpu', or leave warmup out on the CPU, which compiles nothing.",
      );
    }
  }

  private alloc(dtype: DType, numel: number): CpuStorage {
    this.refuseWhileWalking();
    const data = dtype === 'int32' ? new Int32Array(numel) : this.float64 ? new Float64Array(numel) : new Float32Array(numel);
    const s = new CpuStorage(data, dtype);
    this.live.add(s);
    return s;
  }

  /** Narrows a Storage to a live one of this backend. */
  private cpu(s: Storage, freeing = false): CpuStorage {
    if (!freeing) this.refuseWhileWalking();
    if (!(s instanceof CpuStorage)) throw new Error('internal: a non-CPU storage reached the CPU backend');
    if (s.freed) throw new Error('This tensor was disposed; its memory has been released');
    if (!this.live.has(s)) throw new Error('internal: a storage from another CpuBackend reached this one');
    return s;
  }

  /** A live float32 storage; other dtypes are a bug in ops/, which must cast first. */
  private f32(s: Storage, op: string): FloatArray {
    const c = this.cpu(s);
    if (c.data instanceof Int32Array) throw new Error(`internal: ${op} expects float32 input, got ${c.dtype}`);
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

  write(s: Storage, data: TypedArray, offset = 0): void {
    const c = this.cpu(s);
    if (c.dtype !== (data instanceof Int32Array ? 'int32' : 'float32') || offset < 0 || offset + data.length > c.data.length) {
      throw new Error(`internal: write of ${data.length} ${data.constructor.name} values at ${offset} into a ${c.data.length}-element ${c.dtype} storage`);
    }
    c.data.set(data, offset);
  }

  // async, so that a freed storage rejects the promise (as on WebGPU) instead of throwing synchronously.
  async read(s: Storage, numel = s.numel): Promise<TypedArray> {
    // A copy, so that a caller mutating the result cannot change the storage.
    const data = this.cpu(s).data.subarray(0, numel);
    return data instanceof Float64Array ? Float32Array.from(data) : data.slice();
  }

  free(s: Storage): void {
    const c = this.cpu(s, true); // warmup's tidy frees what its walk made
    c.freed = true;
    this.live.delete(c);
  }

  fill(numel: number, value: number, dtype: DType): Storage {
    const s = this.alloc(dtype, numel);
    s.data.fill(value);
    return s;
  }

  // --- elementwise ---------------------------------------------------------------------------------------------

  unary(op: UnaryOp, x: Storage, view: StridedView = whole(x)): Storage {
    const xd = this.f32(x, op);
    const f = UNARY[op].cpu;
    const n = product(view.shape);
    const out = this.alloc('float32', n);
    if (isRowMajor(view.shape, view.strides)) {
      for (let i = 0; i < n; i++) out.data[i] = f(xd[view.offset + i]);
    } else {
      forEachIndex(view.shape, (i, idx) => (out.data[i] = f(xd[dot(idx, view.strides, view.offset)])));
    }
    return out;
  }

  binary(op: BinaryOp, a: Storage, b: Storage, layout: BroadcastLayout): Storage {
    const ad = this.f32(a, op);
    const bd = this.f32(b, op);
    const [as, bs] = layout.strides;
    const [ao, bo] = [layout.offsets?.[0] ?? 0, layout.offsets?.[1] ?? 0];
    const f = BINARY[op].cpu;
    const n = product(layout.outShape);
    const out = this.alloc('float32', n);
    if (isRowMajor(layout.outShape, as) && isRowMajor(layout.outShape, bs)) {
      for (let i = 0; i < n; i++) out.data[i] = f(ad[ao + i], bd[bo + i]);
    } else {
      forEachIndex(layout.outShape, (i, idx) => {
        out.data[i] = f(ad[dot(idx, as, ao)], bd[dot(idx, bs, bo)]);
      });
    }
    return out;
  }

  binaryScalar(op: BinaryOp, x: Storage, scalar: number, scalarFirst: boolean, view: StridedView = whole(x)): Storage {
    const xd = this.f32(x, op);
    const f = BINARY[op].cpu;
    // The scalar stands for a float32 tensor element, so it is rounded to float32 first.
    const s = Math.fround(scalar);
    const n = product(view.shape);
    const out = this.alloc('float32', n);
    const apply = (i: number, v: number): void => {
      out.data[i] = scalarFirst ? f(s, v) : f(v, s);
    };
    if (isRowMajor(view.shape, view.strides)) {
      for (let i = 0; i < n; i++) apply(i, xd[view.offset + i]);
    } else {
      forEachIndex(view.shape, (i, idx) => apply(i, xd[dot(idx, view.strides, view.offset)]));
    }
    return out;
  }

  cast(x: Storage, to: DType, view: StridedView = whole(x)): Storage {
    const src = this.cpu(x).data;
    const out = this.alloc(to, product(view.shape));
    const toInt = to === 'int32' && x.dtype === 'float32';
    forEachIndex(view.shape, (i, idx) => {
      const v = src[dot(idx, view.strides, view.offset)];
      // Truncate toward zero. Out-of-range values saturate and NaN becomes 0 (WGSL's rule: the bounds are the
      // extreme float32 values an int32 holds, −2³¹ and 2³¹ − 128), instead of the modulo-2³² wrap an Int32Array
      // store would do. int32 → float32 rounds to nearest; same dtype copies.
      out.data[i] = toInt ? (Number.isNaN(v) ? 0 : Math.min(2147483520, Math.max(-2147483648, Math.trunc(v)))) : v;
    });
    return out;
  }

  where(cond: Storage, a: Storage, b: Storage, layout: BroadcastLayout): Storage {
    const c = this.cpu(cond).data;
    const ac = this.cpu(a);
    const bc = this.cpu(b);
    if (ac.dtype !== bc.dtype) throw new Error(`internal: where needs a and b of one dtype, got ${ac.dtype} and ${bc.dtype}`);
    const [cs, as, bs] = layout.strides;
    const [co, ao, bo] = [0, 1, 2].map((k) => layout.offsets?.[k] ?? 0);
    const out = this.alloc(ac.dtype, product(layout.outShape));
    // Raw words, so that a and b pass through bit for bit.
    const aw = ac.words;
    const bw = bc.words;
    const ow = out.words;
    forEachIndex(layout.outShape, (i, idx) => {
      ow[i] = c[dot(idx, cs, co)] !== 0 ? aw[dot(idx, as, ao)] : bw[dot(idx, bs, bo)]; // NaN counts as nonzero, i.e. true
    });
    return out;
  }

  copy(src: Storage, view: StridedView, dst?: { storage: Storage; view: StridedView }, accumulate = false): Storage {
    const s = this.cpu(src);
    const out = dst ? this.cpu(dst.storage) : this.alloc(s.dtype, product(view.shape));
    // Without a dst view the output is the view's shape, contiguous row-major from offset 0.
    const dstStrides = dst ? dst.view.strides : rowMajorStrides(view.shape);
    const dstOffset = dst ? dst.view.offset : 0;
    if (accumulate) {
      const sd = this.f32(src, 'copy (accumulate)');
      const od = this.f32(out, 'copy (accumulate)');
      forEachIndex(view.shape, (_, idx) => {
        od[dot(idx, dstStrides, dstOffset)] += sd[dot(idx, view.strides, view.offset)];
      });
      return out;
    }
    const sw = s.words;
    const ow = out.words;
    forEachIndex(view.shape, (_, idx) => {
      ow[dot(idx, dstStrides, dstOffset)] = sw[dot(idx, view.strides, view.offset)];
    });
    return out;
  }

  // --- reductions ----------------------------------------------------------------------------------------------

  reduce(op: ReduceOp, x: Storage, layout: ReduceLayout): Storage {
    const xd = this.f32(x, op);
    const isArg = op === 'argmax' || op === 'argmin';
    const { len, lenStride } = layout;
    const out = this.alloc(isArg ? 'int32' : 'float32', product(layout.outShape));
    forEachIndex(layout.outShape, (p, idx) => {
      const base = dot(idx, layout.outStrides, layout.offset);
      const at = (j: number): number => xd[base + j * lenStride];
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
      out.data[p] = result;
    });
    return out;
  }

  // --- matmul --------------------------------------------------------------------------------------------------

  matmul(a: Storage, b: Storage, p: MatmulParams, bias: Storage | null = null): { out: Storage; sumA?: Storage } {
    const ad = this.f32(a, 'matmul');
    const bd = this.f32(b, 'matmul');
    const biasData = bias ? this.f32(bias, 'matmul bias') : null;
    const act = ACTIVATION[p.activation];
    const { M, N, K, a: A, b: B } = p;
    const batch = product(p.batchShape);
    const out = this.alloc('float32', batch * M * N); // (batch…, M, N)
    const [ars, acs, brs, bcs] = [A.rowStride, A.colStride, B.rowStride, B.colStride];
    // Plain loops in doubles, in the order whose inner loop walks memory contiguously: dot products of A's rows and
    // B's columns when both run along k (x @ Wᵀ), else row updates acc[·] += A[m][k]·B[k][·] along B's rows. Both
    // add the K products of each output in the same order (k ascending).
    const dots = acs === 1 && brs === 1;
    const starts: Array<[number, number]> = []; // where A[z] and B[z] start, for each batch entry z
    forEachIndex(p.batchShape, (_, z) => starts.push([dot(z, A.batchStrides, A.offset), dot(z, B.batchStrides, B.offset)]));
    const o = out.data;
    const acc = new Float64Array(N);
    for (let t = 0; t < starts.length; t++) {
      const [a0, b0] = starts[t];
      for (let m = 0; m < M; m++) {
        const aRow = a0 + m * ars;
        const row = (t * M + m) * N;
        if (dots) {
          for (let n = 0; n < N; n++) {
            const bCol = b0 + n * bcs;
            let s = 0;
            for (let k = 0; k < K; k++) s += ad[aRow + k] * bd[bCol + k];
            o[row + n] = biasData ? s + biasData[p.biasOffset + n] : s;
          }
        } else {
          acc.fill(0);
          for (let k = 0; k < K; k++) {
            const av = ad[aRow + k * acs];
            const bRow = b0 + k * brs;
            for (let n = 0; n < N; n++) acc[n] += av * bd[bRow + n * bcs];
          }
          for (let n = 0; n < N; n++) o[row + n] = biasData ? acc[n] + biasData[p.biasOffset + n] : acc[n];
        }
      }
    }
    // The activation, on the float32-rounded sums plus bias (the GPU applies it to its float32 accumulator too).
    if (p.activation !== 'none') for (let i = 0; i < o.length; i++) o[i] = act(o[i]);
    if (!p.sumA) return { out };
    if (batch !== 1) throw new Error('internal: matmul sumA needs a single matrix');
    // Σ_k A[m][k], the bias gradient that Linear's backward takes alongside dW = gᵀ x.
    const sumA = this.alloc('float32', M);
    for (let m = 0; m < M; m++) {
      let acc = 0;
      for (let k = 0; k < K; k++) acc += ad[A.offset + m * A.rowStride + k * A.colStride];
      sumA.data[m] = acc;
    }
    return { out, sumA };
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

  // --- linear recurrence ---------------------------------------------------------------------------------------

  scan(a: Storage, x: Storage, B: number, T: number, D: number): Storage {
    const ad = this.f32(a, 'scan');
    const xd = this.f32(x, 'scan');
    const h = this.alloc('float32', B * T * D);
    // The plain sequential loop, one column (b, d) at a time, h carried in a double: h_t = a_t·h_{t−1} + x_t.
    for (let b = 0; b < B; b++) {
      for (let d = 0; d < D; d++) {
        let hd = 0;
        for (let t = 0; t < T; t++) {
          const i = (b * T + t) * D + d;
          hd = ad[i] * hd + xd[i];
          h.data[i] = hd;
        }
      }
    }
    return h;
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
      // Classes with no target mass are skipped: 0·(−∞ − lse) would be NaN, where PyTorch's loss stays finite.
      let acc = 0;
      for (let c = 0; c < classes; c++) {
        const q = (c === t ? 1 - eps : 0) + eps / classes;
        if (q !== 0) acc += q * (row[c] - lse);
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

  // --- backward kernels ----------------------------------------------------------------------------------------

  softmaxBackward(y: Storage, g: Storage, rows: number, cols: number, log: boolean): Storage {
    const yd = this.f32(y, 'softmaxBackward');
    const gd = this.f32(g, 'softmaxBackward');
    const out = this.alloc('float32', rows * cols);
    for (let r = 0; r < rows; r++) {
      const at = r * cols;
      if (log) {
        // y = log_softmax(x): ∂y_j/∂x_i = δ_ij − softmax_i, so dx_i = g_i − exp(y_i)·Σ_j g_j.
        let sumG = 0;
        for (let c = 0; c < cols; c++) sumG += gd[at + c];
        for (let c = 0; c < cols; c++) out.data[at + c] = gd[at + c] - Math.exp(yd[at + c]) * sumG;
      } else {
        // y = softmax(x): ∂y_j/∂x_i = y_j·(δ_ij − y_i), so dx_i = y_i·(g_i − Σ_j g_j·y_j).
        let sumGY = 0;
        for (let c = 0; c < cols; c++) sumGY += gd[at + c] * yd[at + c];
        for (let c = 0; c < cols; c++) out.data[at + c] = yd[at + c] * (gd[at + c] - sumGY);
      }
    }
    return out;
  }

  layerNormBackward(
    x: Storage, weight: Storage, mean: Storage, rstd: Storage, g: Storage, rows: number, cols: number,
  ): { dx: Storage; dweight: Storage; dbias: Storage } {
    const xd = this.f32(x, 'layerNormBackward');
    const w = this.f32(weight, 'layerNormBackward');
    const mu = this.f32(mean, 'layerNormBackward');
    const rs = this.f32(rstd, 'layerNormBackward');
    const gd = this.f32(g, 'layerNormBackward');
    const dx = this.alloc('float32', rows * cols);
    // The column sums run over every row, so they accumulate in doubles and are rounded once at the end.
    const dw = new Float64Array(cols);
    const db = new Float64Array(cols);
    const xhat = new Float64Array(cols);
    for (let r = 0; r < rows; r++) {
      const at = r * cols;
      // y = x̂·w + b with x̂ = (x − μ)·rstd. With ĝ = g⊙w = ∂L/∂x̂, differentiating μ and rstd through x gives
      // dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ⊙x̂)).
      let sumGh = 0; // Σ_c ĝ_c
      let sumGhXh = 0; // Σ_c ĝ_c·x̂_c
      for (let c = 0; c < cols; c++) {
        xhat[c] = (xd[at + c] - mu[r]) * rs[r];
        const gh = gd[at + c] * w[c];
        sumGh += gh;
        sumGhXh += gh * xhat[c];
        dw[c] += gd[at + c] * xhat[c]; // dweight = Σ_rows g⊙x̂
        db[c] += gd[at + c]; // dbias = Σ_rows g
      }
      const meanGh = sumGh / cols;
      const meanGhXh = sumGhXh / cols;
      for (let c = 0; c < cols; c++) {
        dx.data[at + c] = rs[r] * (gd[at + c] * w[c] - meanGh - xhat[c] * meanGhXh);
      }
    }
    const dweight = this.alloc('float32', cols);
    const dbias = this.alloc('float32', cols);
    dweight.data.set(dw);
    dbias.data.set(db);
    return { dx, dweight, dbias };
  }

  scanBackward(a: Storage, h: Storage, g: Storage, B: number, T: number, D: number): { da: Storage; dx: Storage } {
    const ad = this.f32(a, 'scanBackward');
    const hd = this.f32(h, 'scanBackward');
    const gd = this.f32(g, 'scanBackward');
    const da = this.alloc('float32', B * T * D);
    const dx = this.alloc('float32', B * T * D);
    // h_t depends on x_t directly and on everything earlier through h_{t−1}, which only h_{t+1} = a_{t+1}·h_t + …
    // reads: so δ_t = ∂L/∂h_t = g_t + a_{t+1}·δ_{t+1}, walked from the end (δ_T = 0). Then ∂h_t/∂x_t = 1 gives
    // dx_t = δ_t, and ∂h_t/∂a_t = h_{t−1} gives da_t = δ_t·h_{t−1} (h_{−1} = 0).
    for (let b = 0; b < B; b++) {
      for (let d = 0; d < D; d++) {
        let delta = 0;
        for (let t = T - 1; t >= 0; t--) {
          const i = (b * T + t) * D + d;
          delta = gd[i] + (t + 1 < T ? ad[i + D] * delta : 0);
          dx.data[i] = delta;
          da.data[i] = t > 0 ? delta * hd[i - D] : 0;
        }
      }
    }
    return { da, dx };
  }

  crossEntropyBackward(logits: Storage, targets: Storage, gRow: Storage, p: CrossEntropyParams): Storage {
    const xd = this.f32(logits, 'crossEntropyBackward');
    const td = this.i32(targets, 'crossEntropyBackward targets');
    const gr = this.f32(gRow, 'crossEntropyBackward');
    const { rows, classes, ignoreIndex, labelSmoothing: eps } = p;
    const out = this.alloc('float32', rows * classes); // zeros, which ignored rows keep
    for (let r = 0; r < rows; r++) {
      const t = td[r];
      // Ignored rows have no loss; an out-of-range target was already reported by the forward, so it gets zeros
      // here rather than a second error.
      if (t === ignoreIndex || t < 0 || t >= classes) continue;
      const row = xd.subarray(r * classes, (r + 1) * classes);
      // loss = lse(x) − Σ_c q_c·x_c with Σ_c q_c = 1, so ∂loss/∂x_c = softmax(x)_c − q_c.
      const m = rowMax(row);
      const z = sumExpShifted(row, m);
      for (let c = 0; c < classes; c++) {
        const q = (c === t ? 1 - eps : 0) + eps / classes;
        out.data[r * classes + c] = gr[r] * (Math.exp(row[c] - m) / z - q);
      }
    }
    return out;
  }

  scatterAdd(g: Storage, idx: Storage, rows: number, rowSize: number): Storage {
    const gd = this.f32(g, 'scatterAdd');
    const id = this.i32(idx, 'scatterAdd indices');
    // d gather: table row r received g[i, :] for every i with idx[i] = r, so its gradient is their sum.
    // Summed in doubles in index order (deterministic), rounded once.
    const acc = new Float64Array(rows * rowSize);
    for (let i = 0; i < id.length; i++) {
      const r = id[i];
      if (r < 0 || r >= rows) continue; // out of range: contributes nothing (gather already reported it)
      for (let c = 0; c < rowSize; c++) acc[r * rowSize + c] += gd[i * rowSize + c];
    }
    const out = this.alloc('float32', rows * rowSize); // (rows, rowSize)
    out.data.set(acc);
    return out;
  }

  dropoutMask(numel: number, p: number, seed: number): Storage {
    const out = this.alloc('float32', numel);
    // Inverted dropout: kept elements are scaled by 1/(1−p) so that E[mask] = 1. The threshold and scale are
    // defined in rng.ts so that every backend keeps exactly the same elements with the same float32 scale.
    const { threshold, scale } = dropoutParams(p);
    for (let i = 0; i < numel; i++) out.data[i] = dropoutBits(seed, i) >= threshold ? scale : 0;
    return out;
  }

  // --- optimizer updates, in place -----------------------------------------------------------------------------

  sgdStep(slots: readonly SgdSlot[], p: SgdParams): void {
    for (const s of slots) this.sgdOne(s.param, s.grad, s.momentumBuf, p);
  }

  private sgdOne(param: Storage, grad: Storage, momentumBuf: Storage | null, p: SgdParams): void {
    const pd = this.f32(param, 'sgdStep');
    const gd = this.f32(grad, 'sgdStep');
    this.sameNumel('sgdStep', param, grad);
    const useBuf = p.momentum !== 0;
    let buf: FloatArray | null = null;
    if (useBuf) {
      if (momentumBuf === null) throw new Error('internal: sgdStep with momentum needs a momentum buffer');
      buf = this.f32(momentumBuf, 'sgdStep');
      this.sameNumel('sgdStep', param, momentumBuf);
    }
    for (let i = 0; i < pd.length; i++) {
      const gi = gd[i] + p.weightDecay * pd[i]; // g' = g + wd·p (L2)
      let d = gi;
      if (buf !== null) {
        // buf = g' on the first step (PyTorch clones the gradient, undamped), else momentum·buf + (1−dampening)·g'.
        const b = p.firstStep ? gi : p.momentum * buf[i] + (1 - p.dampening) * gi;
        buf[i] = b;
        // Nesterov looks ahead along the updated buffer: d = g' + momentum·buf; otherwise d = buf.
        d = p.nesterov ? gi + p.momentum * b : b;
      }
      pd[i] = pd[i] - p.lr * d;
    }
  }

  adamStep(slots: readonly AdamSlot[], p: AdamParams): void {
    for (const s of slots) this.adamOne(s.param, s.grad, s.m, s.v, p);
  }

  private adamOne(param: Storage, grad: Storage, m: Storage, v: Storage, p: AdamParams): void {
    const pd = this.f32(param, 'adamStep');
    const gd = this.f32(grad, 'adamStep');
    const md = this.f32(m, 'adamStep');
    const vd = this.f32(v, 'adamStep');
    this.sameNumel('adamStep', param, grad);
    this.sameNumel('adamStep', param, m);
    this.sameNumel('adamStep', param, v);
    // The moments start at 0, so after t steps they are biased toward 0 by a factor 1 − β^t.
    const bc1 = 1 - Math.pow(p.beta1, p.step);
    const bc2 = 1 - Math.pow(p.beta2, p.step);
    for (let i = 0; i < pd.length; i++) {
      let w = pd[i];
      let gi = gd[i];
      if (p.decoupled) w -= p.lr * p.weightDecay * w; // AdamW: p -= lr·wd·p, outside the adaptive scaling
      else gi += p.weightDecay * w; // Adam: L2, g' = g + wd·p, which the adaptive scaling then rescales
      const mi = p.beta1 * md[i] + (1 - p.beta1) * gi; // m = β1·m + (1−β1)·g
      const vi = p.beta2 * vd[i] + (1 - p.beta2) * gi * gi; // v = β2·v + (1−β2)·g²
      md[i] = mi;
      vd[i] = vi;
      // p -= lr·m̂ / (√v̂ + eps), with m̂ = m/(1−β1^t), v̂ = v/(1−β2^t); eps sits outside the root (PyTorch).
      pd[i] = w - (p.lr * (mi / bc1)) / (Math.sqrt(vi / bc2) + p.eps);
    }
  }

  /** In-place updates walk several storages in step, so a length mismatch would read past one of them. */
  private sameNumel(op: string, a: Storage, b: Storage): void {
    if (a.numel !== b.numel) throw new Error(`internal: ${op} needs storages of equal size, got ${a.numel} and ${b.numel}`);
  }

  async health(x: Storage, numel = x.numel): Promise<HealthCounts> {
    const c = this.cpu(x);
    const counts: HealthCounts = { nan: 0, posInf: 0, negInf: 0 };
    if (c.dtype === 'float32') {
      for (const v of c.data.subarray(0, numel)) {
        if (Number.isNaN(v)) counts.nan++;
        else if (v === Infinity) counts.posInf++;
        else if (v === -Infinity) counts.negInf++;
      }
    }
    return counts;
  }

  // --- attention ---------------------------------------------------------------------------------------------
  // Row by row with the whole score row in doubles: the definition itself, with no tiling, no online softmax
  // and no recomputation, so it shares no trick with the fused GPU kernels it checks.

  attentionUnsupported(): string | null {
    return null;
  }

  /**
   * The scores of query row i of head (b, h): s_j for every key, or null where the key does not take part.
   * Written out from AttentionParams' definition.
   */
  private attentionRow(
    qd: FloatArray, kd: FloatArray, { maskData, slopeData: slopes, sparse, flags }: AttentionInputs,
    p: AttentionParams, b: number, h: number, i: number,
  ): Array<number | null> {
    const { Tk, d } = p;
    const L = attentionLayouts(p);
    const qAt = headRow(L.q, b, h, i);
    const [sb, sh, si, sj] = p.maskStrides;
    const row: Array<number | null> = [];
    for (let j = 0; j < Tk; j++) {
      if (p.causal && j > i) { row.push(null); continue; }
      if (p.window > 0 && !(i - p.window < j && j <= i)) { row.push(null); continue; }
      if (!patternAllows(sparse, flags, i, j)) { row.push(null); continue; }
      const kAt = headRow(L.k, b, h, j);
      let s = 0;
      for (let c = 0; c < d; c++) s += qd[qAt + c] * kd[kAt + c];
      s *= p.scale;
      if (slopes) s -= slopes[h] * Math.abs(i - j);
      if (maskData) {
        const mv = maskData[b * sb + h * sh + i * si + j * sj];
        if (p.mask === 'bool') {
          if (mv === 0) { row.push(null); continue; }
        } else {
          if (mv === -Infinity) { row.push(null); continue; }
          s += mv;
        }
      }
      row.push(s);
    }
    return row;
  }

  /** What every row of one attention call reads besides q and k: the mask, the slopes and the sparse pattern. */
  private attentionInputs(mask: Storage | null, slopes: Storage | null, p: AttentionParams): AttentionInputs {
    const maskData = mask ? (p.mask === 'bool' ? this.i32(mask, 'attention') : this.f32(mask, 'attention')) : null;
    const slopeData = slopes ? this.f32(slopes, 'attention') : null;
    const sparse: SparsePattern = { local: p.local ?? 0, globals: p.globals ?? null, blocks: p.blocks ?? null };
    return { maskData, slopeData, sparse, flags: globalFlags(sparse.globals, Math.max(p.Tq, p.Tk)) };
  }

  attentionForward(
    q: Storage, k: Storage, v: Storage, mask: Storage | null, slopes: Storage | null, p: AttentionParams,
  ): AttentionForwardResult {
    const [qd, kd, vd] = [this.f32(q, 'attention'), this.f32(k, 'attention'), this.f32(v, 'attention')];
    const inputs = this.attentionInputs(mask, slopes, p);
    const { B, H, Tq, Tk, d } = p;
    const L = attentionLayouts(p);
    const out = this.alloc('float32', B * H * Tq * d); // (B, H, Tq, d), laid out as L.out
    const lse = this.alloc('float32', B * H * Tq); // (B, H, Tq)
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < H; h++) {
        for (let i = 0; i < Tq; i++) {
          const s = this.attentionRow(qd, kd, inputs, p, b, h, i);
          const row = (b * H + h) * Tq + i;
          // softmax over the scores that take part, max-subtracted; none: zeros and logsumexp −∞. A NaN or ±Inf
          // among them makes the whole row and its logsumexp NaN (the fused kernels' rule, AttentionParams).
          if (s.some((x) => x !== null && !Number.isFinite(x))) {
            lse.data[row] = NaN;
            out.data.fill(NaN, headRow(L.out, b, h, i), headRow(L.out, b, h, i) + d);
            continue;
          }
          let m = -Infinity;
          for (const x of s) if (x !== null) m = Math.max(m, x);
          if (m === -Infinity) {
            lse.data[row] = -Infinity;
            continue; // out is already zero
          }
          let z = 0;
          for (const x of s) if (x !== null) z += Math.exp(x - m);
          lse.data[row] = m + Math.log(z);
          const acc = new Float64Array(d);
          for (let j = 0; j < Tk; j++) {
            const x = s[j];
            if (x === null) continue;
            const pj = Math.exp(x - m) / z;
            const vAt = headRow(L.v, b, h, j);
            for (let c = 0; c < d; c++) acc[c] += pj * vd[vAt + c];
          }
          out.data.set(acc, headRow(L.out, b, h, i));
        }
      }
    }
    return { out, lse };
  }

  attentionBackward(
    q: Storage, k: Storage, v: Storage, out: Storage, lse: Storage, dOut: Storage,
    mask: Storage | null, slopes: Storage | null, p: AttentionParams,
    grads: AttentionGradLayouts = denseAttentionGrads(p),
  ): AttentionBackwardResult {
    const [qd, kd, vd] = [this.f32(q, 'attention'), this.f32(k, 'attention'), this.f32(v, 'attention')];
    const gd = this.f32(dOut, 'attentionBackward');
    // out and lse are the forward's; this oracle recomputes the softmax from the scores instead of trusting them.
    this.f32(out, 'attentionBackward');
    this.f32(lse, 'attentionBackward');
    const inputs = this.attentionInputs(mask, slopes, p);
    const { B, H, Tq, Tk, d } = p;
    const L = attentionLayouts(p);
    // Accumulated in contiguous (B, H, T, d) doubles, then stored through the requested layouts.
    const dq = new Float64Array(B * H * Tq * d);
    const dk = new Float64Array(B * H * Tk * d);
    const dv = new Float64Array(B * H * Tk * d);
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < H; h++) {
        const head = b * H + h;
        for (let i = 0; i < Tq; i++) {
          const s = this.attentionRow(qd, kd, inputs, p, b, h, i);
          // A row whose forward was NaN (a non-finite score took part) passes NaN to q_i and to every key it saw:
          // m = NaN makes each P_ij, and so each product below, NaN.
          const nan = s.some((x) => x !== null && !Number.isFinite(x));
          let m = nan ? NaN : -Infinity;
          if (!nan) for (const x of s) if (x !== null) m = Math.max(m, x);
          if (m === -Infinity) continue; // nothing took part: no gradient flows through this row
          let z = 0;
          for (const x of s) if (x !== null) z += Math.exp(x - m);
          const qAt = (head * Tq + i) * d; // in dq
          const qIn = headRow(L.q, b, h, i);
          const gIn = headRow(grads.dOut, b, h, i);
          // P_ij, and dP_ij = dO_i·v_j; then the softmax backward dS_ij = P_ij·(dP_ij − Σ_j' P_ij'·dP_ij').
          const P = new Float64Array(Tk);
          const dP = new Float64Array(Tk);
          let sumPdP = 0;
          for (let j = 0; j < Tk; j++) {
            const x = s[j];
            if (x === null) continue;
            P[j] = Math.exp(x - m) / z;
            const vAt = headRow(L.v, b, h, j);
            let dot = 0;
            for (let c = 0; c < d; c++) dot += gd[gIn + c] * vd[vAt + c];
            dP[j] = dot;
            sumPdP += P[j] * dot;
          }
          for (let j = 0; j < Tk; j++) {
            if (s[j] === null) continue;
            const dS = P[j] * (dP[j] - sumPdP);
            const kAt = (head * Tk + j) * d; // in dk and dv
            const kIn = headRow(L.k, b, h, j);
            for (let c = 0; c < d; c++) {
              dq[qAt + c] += p.scale * dS * kd[kIn + c]; // s = scale·q·k
              dk[kAt + c] += p.scale * dS * qd[qIn + c];
              dv[kAt + c] += P[j] * gd[gIn + c]; // out_i = Σ_j P_ij·v_j
            }
          }
        }
      }
    }
    const store = (x: Float64Array, T: number, layout: HeadLayout): Storage => {
      const st = this.alloc('float32', x.length);
      for (let b = 0; b < B; b++) {
        for (let h = 0; h < H; h++) {
          for (let t = 0; t < T; t++) st.data.set(x.subarray(((b * H + h) * T + t) * d, ((b * H + h) * T + t + 1) * d), headRow(layout, b, h, t));
        }
      }
      return st;
    };
    return { dq: store(dq, Tq, grads.dq), dk: store(dk, Tk, grads.dk), dv: store(dv, Tk, grads.dv) };
  }

  memoryStats(): MemoryStats {
    let bytes = 0;
    for (const s of this.live) bytes += s.numel * 4;
    return { buffers: this.live.size, bytes, pooledBuffers: 0, pooledBytes: 0 };
  }
}

/** Where row (b, h, t) of a (B, H, T, d) operand starts. */
function headRow(l: HeadLayout, b: number, h: number, t: number): number {
  return l.offset + b * l.sb + h * l.sh + t * l.st;
}

/** All of a storage, contiguous. */
function whole(s: Storage): StridedView {
  return { shape: [s.numel], strides: [1], offset: 0 };
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

function rowMax(row: FloatArray): number {
  let m = -Infinity;
  for (const v of row) m = Math.max(m, v);
  return m;
}

/** Σ exp(x - m), with m the row max so that no term exceeds 1. */
function sumExpShifted(row: FloatArray, m: number): number {
  let s = 0;
  for (const v of row) s += Math.exp(v - m);
  return s;
}

/** log Σ exp(x) = m + log Σ exp(x - m), finite for finite x. */
function logSumExp(row: FloatArray): number {
  const m = rowMax(row);
  return m + Math.log(sumExpShifted(row, m));
}
