// Matrix product with NumPy/PyTorch semantics: 1-D operands are promoted (and the added dim removed), leading
// batch dims broadcast. The backend multiplies (batch, M, K) @ (batch, K, N) with per-operand batch strides.
import { Tensor } from '../tensor';
import { broadcastShapes, fmt, numel, ShapeError } from '../shape';
import { requireFloat, sameDevice } from './elementwise';
import { record, save } from '../autograd';
import { sumToShape } from './layout';

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
  const aBatch = aShape.slice(0, -2);
  const bBatch = bShape.slice(0, -2);
  const batchShape = broadcastShapes('matmul', aBatch, bBatch);
  const batch = numel(batchShape);

  // Each operand either covers the whole batch (stride = one matrix), is shared by it (stride 0), or is
  // broadcast over some batch dims only, which needs a materialised copy.
  const operand = (t: Tensor, own: number[], rows: number, cols: number): { t: Tensor; stride: number } => {
    const ownBatch = numel(own.slice(0, -2));
    if (ownBatch === 1) return { t, stride: 0 };
    if (ownBatch === batch) return { t, stride: rows * cols };
    const promoted = t.reshape(own);
    const expanded = promoted.expand([...batchShape, rows, cols]);
    promoted.dispose();
    return { t: expanded, stride: rows * cols };
  };
  const A = operand(a, aShape, M, K);
  const B = operand(b, bShape, K, N);
  const storage = a.backend.matmul(A.t.storage, B.t.storage, { batch, M, N, K, aBatchStride: A.stride, bBatchStride: B.stride });
  if (A.t !== a) A.t.dispose();
  if (B.t !== b) B.t.dispose();

  const outShape = [...batchShape];
  if (a.ndim > 1) outShape.push(M);
  if (b.ndim > 1) outShape.push(N);
  const out = Tensor.fromStorage(storage, outShape, a.device);
  if (!a.requiresGrad && !b.requiresGrad) return out;
  // In the promoted shapes: dA = g @ Bᵀ (…, M, K) and dB = Aᵀ @ g (…, K, N), each summed over the batch dims
  // its operand was broadcast along, then given the operand's own shape back.
  const [sa, sb] = [save(a), save(b)];
  return record('matmul', out, [a, b], (g) => {
    const g3 = g.reshape([...batchShape, M, N]);
    const ap = sa.reshape(aShape);
    const bp = sb.reshape(bShape);
    const da = a.requiresGrad ? sumToShape(g3.matmul(bp.transpose(-1, -2)), aShape).reshape(sa.shape) : null;
    const db = b.requiresGrad ? sumToShape(ap.transpose(-1, -2).matmul(g3), bShape).reshape(sb.shape) : null;
    return [da, db];
  }, [sa, sb]);
}
