// Matrix products. The backend multiplies strided operands, so x @ Wᵀ, Q @ Kᵀ, head-split views and broadcast
// batches run without a copy, and applies an optional epilogue (+ bias, then an activation) before it stores.
//   matmul(a, b): NumPy/PyTorch semantics: 1-D operands are promoted (and the added dim removed), leading batch
//                 dims broadcast. Backward: dA = g @ Bᵀ and dB = Aᵀ @ g, the transposes being views.
//   linear(x, w, b, act): act(x Wᵀ + b), nn.Linear's forward in one dispatch. Backward: dX = g W, and dW = gᵀ x with
//                 db = Σ_rows g taken by the same kernel (MatmulParams.sumA).
import type { MatmulActivation, MatmulOperand, MatmulParams } from '../backend/backend';
import { MAX_MATMUL_BATCH_DIMS } from '../backend/backend';
import { Tensor } from '../tensor';
import { broadcastShapes, coalesceDims, fmt, ShapeError, viewStrides } from '../shape';
import { binary, requireFloat, sameDevice, unary } from './elementwise';
import { fused } from './fused';
import { reshapeDetached, sumToShape } from './layout';

export interface ProductOptions {
  /** (N), added to every row before the activation. */
  bias?: Tensor | null;
  activation?: MatmulActivation;
  /** Also return Σ_k A[m][k] (A must be a single matrix). */
  sumA?: boolean;
}

/** One operand's matrix strides, and its batch strides over `batchShape` (0 where it is broadcast). */
function operand(t: Tensor, batchShape: readonly number[]): MatmulOperand {
  const lead = batchShape.length - (t.ndim - 2);
  return {
    offset: t.offset,
    rowStride: t.strides[t.ndim - 2],
    colStride: t.strides[t.ndim - 1],
    batchStrides: batchShape.map((_, i) => (i < lead || t.shape[i - lead] === 1 ? 0 : t.strides[i - lead])),
  };
}

/**
 * act(a @ b + bias) for a (…, M, K) and b (…, K, N) whose batch dims broadcast, as a new contiguous (…, M, N)
 * tensor, with no autograd. Batch dims that both operands walk contiguously are merged; where more than the
 * backend's MAX_MATMUL_BATCH_DIMS remain, the operands are copied contiguous first (the batch then merges to one).
 */
export function product(a: Tensor, b: Tensor, opts: ProductOptions = {}): { out: Tensor; sumA?: Tensor } {
  const [M, K] = a.shape.slice(-2);
  const N = b.shape[b.ndim - 1];
  const batchShape = broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  let A = operand(a, batchShape);
  let B = operand(b, batchShape);
  let merged = coalesceDims(batchShape, [A.batchStrides, B.batchStrides]);
  if (merged.shape.length > MAX_MATMUL_BATCH_DIMS) {
    // Contiguous copies over the whole batch, whose batch dims merge into one.
    const ac = denseCopy(a, [...batchShape, M, K], A.batchStrides);
    const bc = denseCopy(b, [...batchShape, K, N], B.batchStrides);
    try {
      return product(ac, bc, opts);
    } finally {
      ac.dispose();
      bc.dispose();
    }
  }
  if (merged.shape.length === 1 && merged.shape[0] === 1) merged = { shape: [], strides: [[], []] };
  A = { ...A, batchStrides: merged.strides[0] };
  B = { ...B, batchStrides: merged.strides[1] };
  const bias = opts.bias ? contiguousVector(opts.bias) : null;
  const p: MatmulParams = {
    M, N, K, batchShape: merged.shape, a: A, b: B, biasOffset: bias?.offset ?? 0, activation: opts.activation ?? 'none', sumA: opts.sumA,
  };
  const r = a.backend.matmul(a.storage, b.storage, p, bias?.storage ?? null);
  if (bias && bias !== opts.bias) bias.dispose();
  return {
    out: Tensor.fromStorage(r.out, [...batchShape, M, N], a.device),
    sumA: r.sumA ? Tensor.fromStorage(r.sumA, [M], a.device) : undefined,
  };
}

/** t (…, R, C) broadcast to `shape` (batchStrides over its batch dims) and copied contiguous; no autograd. */
function denseCopy(t: Tensor, shape: number[], batchStrides: readonly number[]): Tensor {
  const strides = [...batchStrides, t.strides[t.ndim - 2], t.strides[t.ndim - 1]];
  return Tensor.fromStorage(t.backend.copy(t.storage, { shape, strides, offset: t.offset }), shape, t.device);
}

/** A 1-D tensor whose elements are adjacent in its storage (any offset), as the matmul epilogue reads a bias. */
function contiguousVector(v: Tensor): Tensor {
  if (v.strides[0] === 1 || v.shape[0] <= 1) return v;
  return Tensor.fromStorage(v.backend.copy(v.storage, v.layout), v.shape, v.device);
}

/** x (…, R, C) as (rows, C) without a copy when its leading dims merge, else null. No autograd. */
function flattenRows(x: Tensor): Tensor | null {
  const shape = [x.shape.slice(0, -1).reduce((p, d) => p * d, 1), x.shape[x.ndim - 1]];
  const strides = viewStrides(x.shape, x.strides, shape);
  return strides ? x.viewOf(shape, strides, x.offset) : null;
}

/** The transpose of a matrix's last two dims, as a view with no autograd. */
function mT(x: Tensor): Tensor {
  const n = x.ndim;
  const shape = [...x.shape.slice(0, -2), x.shape[n - 1], x.shape[n - 2]];
  const strides = [...x.strides.slice(0, -2), x.strides[n - 1], x.strides[n - 2]];
  return x.viewOf(shape, strides, x.offset);
}

export function matmul(a: Tensor, b: Tensor): Tensor {
  requireFloat('matmul', a);
  requireFloat('matmul', b);
  sameDevice('matmul', a, b);
  if (a.ndim === 0 || b.ndim === 0) throw new ShapeError(`matmul: needs tensors of rank ≥ 1, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
  const aShape = a.ndim === 1 ? [1, a.shape[0]] : [...a.shape]; // (…, M, K)
  const bShape = b.ndim === 1 ? [b.shape[0], 1] : [...b.shape]; // (…, K, N)
  const [M, K] = aShape.slice(-2);
  const [K2, N] = bShape.slice(-2);
  if (K !== K2) {
    throw new ShapeError(`matmul: shapes ${fmt(a.shape)} and ${fmt(b.shape)} are incompatible (inner dims ${K} and ${K2} differ)`);
  }
  const batchShape = broadcastShapes('matmul', aShape.slice(0, -2), bShape.slice(0, -2));
  const outShape = [...batchShape];
  if (a.ndim > 1) outShape.push(M);
  if (b.ndim > 1) outShape.push(N);
  // Promoted views of the operands, cut off from autograd: the rule below is the product's own.
  const ap = reshapeDetached(a, aShape);
  const bp = reshapeDetached(b, bShape);
  // A stack of matrices times one matrix is one (rows, K) @ (K, N) product when the stack's rows merge as a
  // view: a single dispatch, and a backward with no sum over the batch.
  const a2 = b.ndim <= 2 && a.ndim > 2 ? flattenRows(ap) : null;
  const [aOrig, bOrig] = [a.shape, b.shape];
  // dA = g @ Bᵀ reads B; dB = Aᵀ @ g reads A: each saved only when the other operand needs its gradient.
  return fused('matmul', [a, b], () => {
    const y = product(a2 ?? ap, bp).out;
    const out = y.reshape(outShape);
    y.dispose();
    return { out, saves: [a.requiresGrad ? bp : null, b.requiresGrad ? a2 ?? ap : null], temps: [ap, bp, a2] };
  }, (g, [sb, sa]) => {
    if (a2) {
      const g2 = g.reshape([-1, N]); // (rows, N)
      return [
        sb ? product(g2, mT(sb)).out.reshape(aOrig) : null, // (rows, N) @ (N, K)
        sa ? product(mT(sa), g2).out.reshape(bOrig) : null, // (K, rows) @ (rows, N)
      ];
    }
    // Each summed over the batch dims its operand was broadcast along, then given the operand's own shape back.
    const g3 = g.reshape([...batchShape, M, N]);
    return [
      sb ? sumToShape(product(g3, mT(sb)).out, aShape).reshape(aOrig) : null, // (…, M, N) @ (…, N, K)
      sa ? sumToShape(product(mT(sa), g3).out, bShape).reshape(bOrig) : null, // (…, K, M) @ (…, M, N)
    ];
  });
}

/** Activations whose derivative the backward can take from the fused output alone (so only it is saved). */
const FROM_OUTPUT: Partial<Record<MatmulActivation, 'reluGrad' | 'tanhGrad' | 'sigmoidGrad'>> = {
  relu: 'reluGrad',
  tanh: 'tanhGrad',
  sigmoid: 'sigmoidGrad',
};

/**
 * act(x Wᵀ + b) for x (…, in), weight (out, in) and bias (out): PyTorch's F.linear with the activation fused into
 * the same kernel. When a gradient is needed, GELU (whose derivative needs its input) runs as its own op after
 * the fused x Wᵀ + b; relu, tanh and sigmoid stay fused, their derivatives read from the output.
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null, activation: MatmulActivation = 'none'): Tensor {
  for (const t of [x, weight, ...(bias ? [bias] : [])]) requireFloat('linear', t);
  sameDevice('linear', x, weight, ...(bias ? [bias] : []));
  if (weight.ndim !== 2) throw new ShapeError(`linear: weight must be (out, in), got ${fmt(weight.shape)}`);
  const [outF, inF] = weight.shape;
  if (x.ndim < 1 || x.shape[x.ndim - 1] !== inF) {
    throw new ShapeError(`linear: input ${fmt(x.shape)} must end in ${inF} to match weight ${fmt(weight.shape)}`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outF)) {
    throw new ShapeError(`linear: bias has shape ${fmt(bias.shape)}, expected [${outF}] to match weight ${fmt(weight.shape)}`);
  }
  const needsGrad = x.requiresGrad || weight.requiresGrad || !!bias?.requiresGrad;
  if (needsGrad && activation !== 'none' && !FROM_OUTPUT[activation]) {
    const z = linear(x, weight, bias); // x Wᵀ + b
    const out = unary(activation === 'gelu' ? 'gelu' : 'geluTanh', z);
    z.dispose();
    return out;
  }
  const lead = x.shape.slice(0, -1);
  const x2 = reshapeDetached(x, [lead.reduce((p, d) => p * d, 1), inF]); // (rows, in): a view when the rows merge
  const act = FROM_OUTPUT[activation];
  const xShape = x.shape;
  return fused('linear', bias ? [x, weight, bias] : [x, weight], () => {
    const wT = mT(weight); // (in, out)
    const y2 = product(x2, wT, { bias, activation }).out; // (rows, in) @ (in, out) → (rows, out)
    const out = y2.reshape([...lead, outF]);
    y2.dispose();
    // dW = gᵀ x reads x; dX = g W reads W; the activation's derivative reads the output.
    return { out, saves: [weight.requiresGrad ? x2 : null, x.requiresGrad ? weight : null, act ? out : null], temps: [wT, x2] };
  }, (g, [sx, sw, sy]) => {
    const g2 = g.reshape([-1, outF]); // (rows, out)
    const gz = act ? binary(act, g2, sy!.reshape([-1, outF])) : g2; // the gradient before the activation
    const dx = sw ? product(gz, sw).out.reshape(xShape) : null; // (rows, out) @ (out, in)
    let dw: Tensor | null = null;
    let db: Tensor | null = null;
    if (sx) {
      // (out, rows) @ (rows, in), and Σ_rows gz from the same kernel
      const r = product(mT(gz), sx, { sumA: !!bias?.requiresGrad });
      dw = r.out;
      db = r.sumA ?? null;
    } else if (bias?.requiresGrad) {
      db = gz.sum(0);
    }
    return bias ? [dx, dw, db] : [dx, dw];
  }, `linear${activation === 'none' ? '' : `+${activation}`}`);
}
