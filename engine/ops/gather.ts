// Row lookup: out[…, :] = table[idx[…], :]. Embeddings are this with a (vocab, dim) table.
import { Tensor } from '../tensor';
import { fmt, ShapeError } from '../shape';
import { sameDevice } from './elementwise';
import { contiguousData } from './layout';
import { fused } from './fused';

/**
 * Selects rows of `table` (rows, …) by int32 `indices` of any shape; the result is indices.shape + table.shape[1:].
 * On the GPU an out-of-range index gives zeros and raises a RangeError at the next readback; on the CPU it throws.
 */
export function embedding(indices: Tensor, table: Tensor): Tensor {
  sameDevice('embedding', indices, table);
  if (indices.dtype !== 'int32') throw new TypeError(`embedding: indices must be int32, got ${indices.dtype}; convert with .int()`);
  if (table.ndim < 1) throw new ShapeError(`embedding: the table needs rank ≥ 1, got ${fmt(table.shape)}`);
  const rows = table.shape[0];
  const rowShape = table.shape.slice(1);
  const rowSize = rowShape.reduce((a, b) => a * b, 1);
  // d table[r] = Σ over positions i with indices[i] = r of g[i]: a deterministic scatter-add (no float atomics).
  const tableShape = table.shape;
  return fused('embedding', [table], () => {
    const [tc, ic] = [contiguousData(table), contiguousData(indices)];
    const storage = table.backend.gather(tc.storage, ic.storage, rows, rowSize);
    const out = Tensor.fromStorage(storage, [...indices.shape, ...rowShape], table.device);
    return { out, saves: [ic], temps: [tc !== table ? tc : null, ic !== indices ? ic : null] };
  }, (g, [si]) => [
    Tensor.fromStorage(g.backend.scatterAdd(g.contiguous().storage, si!.storage, rows, rowSize), tableShape, g.device),
  ]);
}

/** PyTorch's index_select along dim 0. */
export function indexSelect(table: Tensor, indices: Tensor): Tensor {
  if (indices.ndim !== 1) throw new ShapeError(`indexSelect: indices must be 1-D, got ${fmt(indices.shape)}`);
  return embedding(indices, table);
}
