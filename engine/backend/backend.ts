// The contract between ops/ and a device. ops/ does all shape logic, broadcasting and validation; a backend
// runs kernels over flat storages whose layout the caller describes exactly. Elementwise kernels, reductions,
// copies and matmul read their inputs through strides and an offset (so transposes, slices, broadcasts and other
// views need no copy); every other kernel takes contiguous row-major storages starting at element 0, and ops/
// makes its inputs so first (Tensor.contiguous()). Outputs are always new contiguous storages.
// Two implementations: cpu.ts (plain loops, the oracle) and webgpu.ts (WGSL kernels in shaders/).

import type { DType, TypedArray } from '../dtype';

export type DeviceName = 'cpu' | 'webgpu';

/** An opaque handle to `numel` elements of `dtype` owned by one backend. */
export interface Storage {
  readonly dtype: DType;
  readonly numel: number;
}

// The pointwise op names are the keys of their records in ops/pointwise.ts (CPU maths, WGSL body, backward).
export type { UnaryOp, BinaryOp } from '../ops/pointwise';
import type { UnaryOp, BinaryOp } from '../ops/pointwise';
import type { BlockLayout } from '../ops/sparse-layout';

export type ReduceOp = 'sum' | 'max' | 'min' | 'argmax' | 'argmin';

/** out[i] = src[offset + Σ_k idx_k · strides[k]], for i enumerating `shape` row-major. */
export interface StridedView {
  shape: readonly number[];
  strides: readonly number[];
  offset: number;
}

/**
 * An elementwise op's inputs, each read through its own strides (0 on broadcast dims) and offset over
 * `outShape`, which the output has, contiguous. `offsets` defaults to zeros.
 */
export interface BroadcastLayout {
  outShape: readonly number[];
  strides: ReadonlyArray<readonly number[]>; // one per input
  offsets?: readonly number[];
}

/**
 * A reduction of one axis of a strided input: for each position of `outShape` (the kept dims, row-major, which
 * the output has), the `len` elements x[offset + Σ_k idx_k·outStrides[k] + l·lenStride] for l < len.
 */
export interface ReduceLayout {
  outShape: readonly number[];
  outStrides: readonly number[];
  len: number;
  lenStride: number;
  offset: number;
}

/** The reduction of x viewed as (outer, len, inner), contiguous, over its middle axis: the commonest layout. */
export function contiguousReduce(outer: number, len: number, inner: number): ReduceLayout {
  return { outShape: [outer, inner], outStrides: [len * inner, 1], len, lenStride: inner, offset: 0 };
}

/** How a matmul operand's (rows, cols) matrices sit in its storage: element (z…, r, c) is at offset + Σ z·batch + r·row + c·col. */
export interface MatmulOperand {
  offset: number;
  rowStride: number;
  colStride: number;
  /** One per dim of MatmulParams.batchShape; 0 broadcasts the operand over that dim. */
  batchStrides: readonly number[];
}

/** Applied to each element of a matmul's output before it is stored, after the bias. */
export type MatmulActivation = 'none' | 'relu' | 'gelu' | 'geluTanh' | 'tanh' | 'sigmoid';

/** The most batch dims a matmul takes after coalescing; ops/ copies an operand whose batch dims cannot coalesce to this. */
export const MAX_MATMUL_BATCH_DIMS = 4;

/**
 * C = act(A @ B + bias): A (batch…, M, K) and B (batch…, K, N) read through their strides (so Aᵀ, Bᵀ, head-split
 * and broadcast operands need no copy), C (batch…, M, N) contiguous. The bias, when given, is N contiguous
 * elements from `biasOffset`, added to every row.
 */
export interface MatmulParams {
  M: number;
  N: number;
  K: number;
  /** At most MAX_MATMUL_BATCH_DIMS dims; [] for one matrix. */
  batchShape: readonly number[];
  a: MatmulOperand;
  b: MatmulOperand;
  biasOffset: number;
  activation: MatmulActivation;
  /**
   * Also write the bias gradient of A: biasGrad[m] = Σ_k A[m][k] over the single matrix (batchShape []). Linear's
   * backward computes dW = gᵀ @ x with g as A, and db = Σ_rows g comes with it instead of taking a reduction.
   */
  sumA?: boolean;
}

/** The plain (batch, M, K) @ (batch, K, N) product of contiguous operands, with per-operand batch strides (0 broadcasts). */
export function denseMatmul(p: { batch: number; M: number; N: number; K: number; aBatchStride: number; bBatchStride: number }): MatmulParams {
  return {
    M: p.M, N: p.N, K: p.K, batchShape: [p.batch],
    a: { offset: 0, rowStride: p.K, colStride: 1, batchStrides: [p.aBatchStride] },
    b: { offset: 0, rowStride: p.N, colStride: 1, batchStrides: [p.bBatchStride] },
    biasOffset: 0, activation: 'none',
  };
}

export interface LayerNormResult {
  out: Storage; // (rows, cols)
  mean: Storage; // (rows), saved for the backward
  rstd: Storage; // (rows), 1 / sqrt(var + eps)
}

export interface CrossEntropyParams {
  rows: number;
  classes: number;
  ignoreIndex: number; // rows whose target equals this contribute 0 loss and are not counted
  labelSmoothing: number; // ε: the target distribution is (1-ε)·onehot + ε/classes
}

/** One parameter of an SGD step: updated in place, with its gradient and (when momentum ≠ 0) its buffer. */
export interface SgdSlot {
  param: Storage;
  grad: Storage;
  momentumBuf: Storage | null;
}

/** One parameter of an Adam step: updated in place with its moments, from its gradient. */
export interface AdamSlot {
  param: Storage;
  grad: Storage;
  m: Storage;
  v: Storage;
}

export interface SgdParams {
  lr: number;
  momentum: number; // 0 disables the buffer
  dampening: number;
  nesterov: boolean;
  weightDecay: number; // L2: added to the gradient
  /** True on the first step with these buffers: each is set to its gradient rather than decayed (PyTorch). */
  firstStep: boolean;
}

export interface AdamParams {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** AdamW: decay the weights directly (p -= lr·wd·p) instead of adding wd·p to the gradient. */
  decoupled: boolean;
  /** 1-based step count, for the bias corrections 1 - β^t. */
  step: number;
}

export interface HealthCounts {
  nan: number;
  posInf: number;
  negInf: number;
}

/**
 * Where the rows of a (B, H, T, d) attention operand sit in its storage: row (b, h, t) starts at element
 * offset + b·sb + h·sh + t·st, and its d elements are contiguous. Head-split views of a (B, T, 3, H, d)
 * projection, and outputs laid out (B, T, H, d) so that heads merge without a copy, are such layouts.
 */
export interface HeadLayout {
  offset: number;
  sb: number;
  sh: number;
  st: number;
}

/** The contiguous (B, H, T, d) layout. */
export function denseHeads(H: number, T: number, d: number): HeadLayout {
  return { offset: 0, sb: H * T * d, sh: T * d, st: d };
}

/** The layouts of an attention's q, k, v and out: p.layouts, or contiguous when absent. */
export function attentionLayouts(p: AttentionParams): NonNullable<AttentionParams['layouts']> {
  return p.layouts ?? { q: denseHeads(p.H, p.Tq, p.d), k: denseHeads(p.H, p.Tk, p.d), v: denseHeads(p.H, p.Tk, p.d), out: denseHeads(p.H, p.Tq, p.d) };
}

/** The contiguous gradient layouts of an attention. */
export function denseAttentionGrads(p: AttentionParams): AttentionGradLayouts {
  return { dOut: denseHeads(p.H, p.Tq, p.d), dq: denseHeads(p.H, p.Tq, p.d), dk: denseHeads(p.H, p.Tk, p.d), dv: denseHeads(p.H, p.Tk, p.d) };
}

/** Layouts of the attention gradients: the incoming dOut and the dq, dk, dv the backward writes. */
export interface AttentionGradLayouts {
  dOut: HeadLayout;
  dq: HeadLayout;
  dk: HeadLayout;
  dv: HeadLayout;
}

/**
 * One fused scaled-dot-product attention over q (B, H, Tq, d), k and v (B, H, Tk, d), each read through its
 * HeadLayout (contiguous when `layouts` is absent). Score
 * (i, j) of head (b, h) is s_ij = scale·q_i·k_j + mask_ij (float mask) − slope_h·|i − j| (ALiBi), and it takes part
 * in the row's softmax only when j ≤ i (causal), i − window < j ≤ i (window > 0), the sparse pattern allows it
 * (|i − j| < local where local > 0 and the block layout's 1 where given, or i or j global), mask_ij ≠ 0 (bool
 * mask) and mask_ij ≠ −∞ (float mask). A row where no score takes part gives zeros and logsumexp −∞.
 */
export interface AttentionParams {
  B: number;
  H: number;
  Tq: number;
  Tk: number;
  d: number;
  scale: number;
  causal: boolean;
  /** > 0: query i sees keys i − window < j ≤ i only; 0: no window. */
  window: number;
  /** > 0: query i sees keys |i − j| < local only (Longformer's two-sided local window); 0 or absent: none. */
  local?: number;
  /**
   * Global positions (sorted, distinct): they see, and are seen by, every position the causal and window
   * constraints allow, whatever the local window and block layout say (ops/sparse-layout.ts has the definition).
   */
  globals?: readonly number[] | null;
  /** A block-sparse layout: query block ⌊i/s⌋ sees key block ⌊j/s⌋ only where it says 1. */
  blocks?: BlockLayout | null;
  /** 'float': an additive float32 mask; 'bool': int32, 1 = take part. Passed with maskStrides. */
  mask: 'none' | 'float' | 'bool';
  /** Strides (elements) that read the mask storage as (B, H, Tq, Tk); 0 on broadcast dims. */
  maskStrides: readonly [number, number, number, number];
  /** ALiBi slopes (H) are passed. */
  alibi: boolean;
  /**
   * How q, k and v are read and where the forward writes out (read again by the backward); each defaults to
   * contiguous. Non-finite scores: a NaN or ±Inf among the scores of a row that take part makes that row's out
   * and logsumexp NaN (as PyTorch's softmax does for NaN and +Inf; a computed −Inf, which PyTorch would weigh 0,
   * is NaN here too, one bit test per score), and its backward non-finite; keys that do not take part (masked,
   * −Inf in a float mask) contribute nothing, so NaN or Inf in their v rows stays out.
   */
  layouts?: { q: HeadLayout; k: HeadLayout; v: HeadLayout; out: HeadLayout };
}

export interface AttentionForwardResult {
  out: Storage; // (B, H, Tq, d), laid out as p.layouts.out
  lse: Storage; // (B, H, Tq): logsumexp of each row's scores, saved for the backward
}

export interface AttentionBackwardResult {
  dq: Storage; // (B, H, Tq, d), laid out as the grads.dq layout
  dk: Storage; // (B, H, Tk, d)
  dv: Storage; // (B, H, Tk, d)
}

/** Pool and allocation counters; the CPU backend reports zeros for the pooled fields. */
export interface MemoryStats {
  buffers: number; // storages alive now
  bytes: number;
  pooledBuffers: number; // freed GPU buffers kept for reuse
  pooledBytes: number;
}

/** A device's memory: storages in and out, and what it holds. */
export interface Runtime {
  readonly name: DeviceName;
  /** Human-readable adapter name, e.g. "SwiftShader Device (Subzero)" or "cpu". */
  readonly adapterName: string;

  /** Copies host data into a new storage. */
  upload(data: TypedArray): Storage;
  /**
   * Copies host data into an existing storage in place, from element `offset` on (default 0), with no kernel: so
   * no binding-size limit applies, and a checkpoint loader can fill a large parameter, or rows of one, as it reads.
   */
  write(s: Storage, data: TypedArray, offset?: number): void;
  /**
   * Reads the first `numel` elements (default all) of a storage back. Also raises errors that earlier kernels
   * flagged (an index out of range).
   */
  read(s: Storage, numel?: number): Promise<TypedArray>;
  /** Returns the storage's memory to the backend. Using it afterwards is an error. */
  free(s: Storage): void;
  memoryStats(): MemoryStats;

  /**
   * The element multiple that every HeadLayout offset and stride passed to the fused attention must be: 4 on
   * WebGPU, whose kernels load vec4s, 1 on the CPU. ops/ copies an operand whose layout is not.
   */
  readonly attentionAlign: number;
}

/**
 * A device's kernels: everything ops/ asks a backend to compute. The CPU backend writes each as plain loops; the
 * WebGPU backend binds each to its entry of the kernel table in gpu/kernels.ts.
 */
export interface Kernels {
  /** A new storage of `numel` elements, every one equal to `value`. */
  fill(numel: number, value: number, dtype: DType): Storage;

  /** float32 → float32, elementwise over x read through `view` (default: all of x, contiguous). */
  unary(op: UnaryOp, x: Storage, view?: StridedView): Storage;
  /** float32 (op) float32, both inputs read through `layout`; the result has `layout.outShape`. */
  binary(op: BinaryOp, a: Storage, b: Storage, layout: BroadcastLayout): Storage;
  /** x (op) scalar, or scalar (op) x when `scalarFirst`; x read through `view` (default: all of x). */
  binaryScalar(op: BinaryOp, x: Storage, scalar: number, scalarFirst: boolean, view?: StridedView): Storage;
  /** Converts element types: float32 → int32 truncates toward zero (NaN → 0, saturating); x read through `view`. */
  cast(x: Storage, to: DType, view?: StridedView): Storage;

  /** cond ? a : b. cond is float32 or int32, nonzero meaning true; a and b share one dtype, kept in the output. */
  where(cond: Storage, a: Storage, b: Storage, layout: BroadcastLayout): Storage;

  /**
   * Gathers `src` through a strided view into a new contiguous storage of the view's shape, or into `dst` at
   * `dst.view` when given (cat, the backward of slice). Dtype-agnostic: elements move as raw 32-bit words. With
   * `accumulate` (float32 only) the view is added into dst instead.
   */
  copy(src: Storage, view: StridedView, dst?: { storage: Storage; view: StridedView }, accumulate?: boolean): Storage;

  /**
   * Reduces one axis of x as `layout` describes, giving a contiguous storage of `layout.outShape`. NaN wins max
   * and min (and their args), as in PyTorch. argmax/argmin give int32 indices of the first extreme element.
   */
  reduce(op: ReduceOp, x: Storage, layout: ReduceLayout): Storage;

  /**
   * act(A @ B + bias) as MatmulParams describes, a new contiguous (batch…, M, N) storage; with `p.sumA`, also the
   * row sums of A (M elements) as `sumA`.
   */
  matmul(a: Storage, b: Storage, p: MatmulParams, bias?: Storage | null): { out: Storage; sumA?: Storage };

  /** Softmax or log-softmax over the last axis of x viewed as (rows, cols). Max-subtracted, so finite for finite x. */
  softmax(x: Storage, rows: number, cols: number, log: boolean): Storage;

  /** Normalises each row of (rows, cols) and applies weight and bias of shape (cols). */
  layerNorm(x: Storage, weight: Storage, bias: Storage, rows: number, cols: number, eps: number): LayerNormResult;

  /**
   * Per-row cross-entropy of logits (rows, classes) against int32 class targets (rows).
   * Returns the per-row loss and a per-row 1/0 "counted" flag (0 where target == ignoreIndex).
   * A target outside [0, classes) that is not ignoreIndex is an error: the CPU throws at once, the GPU flags it
   * and raises it at the next read.
   */
  crossEntropy(logits: Storage, targets: Storage, p: CrossEntropyParams): { loss: Storage; counted: Storage };

  /**
   * Embedding lookup: out[i, :] = table[idx[i], :] for a table of (rows, rowSize) and int32 idx.
   * An index outside [0, rows) is an error: the CPU throws at once; the GPU writes zeros and raises it at the
   * next read.
   */
  gather(table: Storage, idx: Storage, rows: number, rowSize: number): Storage;

  /**
   * The linear recurrence h_t = a_t ⊙ h_{t−1} + x_t along the middle axis of contiguous (B, T, D) a and x, from
   * h_{−1} = 0 (so h_0 = x_0): h, a new (B, T, D) storage. Each of the B·D columns is an independent recurrence.
   */
  scan(a: Storage, x: Storage, B: number, T: number, D: number): Storage;

  /**
   * Why the fused attention kernels cannot serve these parameters (an unsupported head dim, a tile that does not
   * fit the adapter's workgroup storage), or null when they can. ops/ then composes attention from matmul and
   * softmax instead.
   */
  attentionUnsupported(p: AttentionParams): string | null;

  /**
   * Fused attention: out = softmax(S)·V row by row, with S as AttentionParams describes, and the logsumexp
   * L_i = log Σ_j exp(s_ij) of each row, without materialising S. mask is float32 or int32 (p.mask says which)
   * and slopes is (H), each null when absent.
   */
  attentionForward(
    q: Storage, k: Storage, v: Storage, mask: Storage | null, slopes: Storage | null, p: AttentionParams,
  ): AttentionForwardResult;

  // ---- backward kernels (the gradient rules in ops/ call these) ----

  /**
   * The fused attention backward from the forward's out and logsumexp and the upstream dOut (B, H, Tq, d),
   * recomputing P_ij = exp(s_ij − L_i) instead of storing it:
   *   D_i = dOut_i·out_i;  dP_ij = dOut_i·v_j;  dS_ij = P_ij·(dP_ij − D_i)
   *   dq_i = scale·Σ_j dS_ij·k_j;  dk_j = scale·Σ_i dS_ij·q_i;  dv_j = Σ_i P_ij·dOut_i
   * Rows where nothing takes part contribute zeros. Deterministic; no Tq×Tk buffer.
   */
  attentionBackward(
    q: Storage, k: Storage, v: Storage, out: Storage, lse: Storage, dOut: Storage,
    mask: Storage | null, slopes: Storage | null, p: AttentionParams, grads?: AttentionGradLayouts,
  ): AttentionBackwardResult;

  /**
   * The scan's backward from a, the forward's h and the upstream g, all contiguous (B, T, D): the reverse
   * recurrence δ_t = g_t + a_{t+1} ⊙ δ_{t+1} (δ_T = 0), then dx = δ and da_t = δ_t ⊙ h_{t−1} (0 at t = 0).
   */
  scanBackward(a: Storage, h: Storage, g: Storage, B: number, T: number, D: number): { da: Storage; dx: Storage };

  /** d softmax: dx = y ⊙ (g − Σ_row g⊙y); d log-softmax (y = log-probabilities): dx = g − exp(y)·Σ_row g. */
  softmaxBackward(y: Storage, g: Storage, rows: number, cols: number, log: boolean): Storage;

  /**
   * The layerNorm backward from the saved per-row mean and rstd, with x̂ = (x − mean)·rstd:
   * dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ⊙x̂)) where ĝ = g⊙weight; dweight = Σ_rows g⊙x̂; dbias = Σ_rows g.
   */
  layerNormBackward(
    x: Storage, weight: Storage, mean: Storage, rstd: Storage, g: Storage, rows: number, cols: number,
  ): { dx: Storage; dweight: Storage; dbias: Storage };

  /**
   * d logits of the per-row cross-entropy: gRow[r]·(softmax(x_r) − q_r) with q the smoothed target distribution;
   * rows whose target is ignoreIndex (or out of range) get zeros. gRow is the upstream gradient of each row's loss
   * (for a mean reduction, ops/ has already divided it by the number of counted rows).
   */
  crossEntropyBackward(logits: Storage, targets: Storage, gRow: Storage, p: CrossEntropyParams): Storage;

  /**
   * The backward of gather: out[r, :] = Σ_{i : idx[i] = r} g[i, :] for r in [0, rows), an (rows, rowSize) storage.
   * Correct when indices repeat, deterministic, and without float atomics; out-of-range indices contribute nothing.
   */
  scatterAdd(g: Storage, idx: Storage, rows: number, rowSize: number): Storage;

  /**
   * A dropout mask of `numel` float32 elements: 1/(1−p) with probability 1−p, else 0. Element i is kept when
   * dropoutBits(seed, i) ≥ threshold, with threshold and scale from dropoutParams(p) (backend/rng.ts), so every
   * backend keeps exactly the same elements.
   */
  dropoutMask(numel: number, p: number, seed: number): Storage;

  // ---- optimizer updates, in place on each param and its state buffers; several parameters per call, so that
  // the WebGPU backend updates as many in one dispatch as its storage-buffer limit binds ----

  /** One SGD step of every slot: g' = g + wd·p; buf = momentum·buf + (1−dampening)·g' (buf = g' on the first
   * step); d = nesterov ? g' + momentum·buf : buf (or g' when momentum = 0); p -= lr·d. A buffer is required when
   * momentum ≠ 0. */
  sgdStep(slots: readonly SgdSlot[], p: SgdParams): void;

  /** One Adam/AdamW step of every slot: m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
   * p -= lr·(m/(1−β1^t)) / (√(v/(1−β2^t)) + eps), with weight decay added to g (Adam) or applied as
   * p -= lr·wd·p first (AdamW). */
  adamStep(slots: readonly AdamSlot[], p: AdamParams): void;

  /** Counts NaN and ±Inf among the first `numel` elements (default all) by bit pattern, which is exact on adapters whose float compares drop NaN. */
  health(x: Storage, numel?: number): Promise<HealthCounts>;
}

/** The name of a kernel method. */
export type KernelName = keyof Kernels;

export interface Backend extends Runtime, Kernels {}
