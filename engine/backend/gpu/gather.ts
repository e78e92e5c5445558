// Embedding lookup (shaders/gather.wgsl): one thread per output word; bad indices give zeros and set error
// slot 0, raised at the next read.
import gatherWgsl from '../../../shaders/gather.wgsl?raw';
import type { Storage } from '../backend';
import type { GpuContext } from './context';
import { allocStorage, gpu, groups, type GpuStorage } from './storage';

const WG = 256;

export function gather(ctx: GpuContext, tableS: Storage, idxS: Storage, rows: number, rowSize: number): GpuStorage {
  const [table, idx] = [gpu(tableS), gpu(idxS)];
  const n = idx.numel;
  const out = allocStorage(ctx, n * rowSize, table.dtype); // (n, rowSize)
  const k = ctx.kernel('gather', gatherWgsl, { WG });
  ctx.dispatch(
    k,
    { table: table.buffer, idx: idx.buffer, out: out.buffer },
    { n, rows, rowSize },
    ctx.grid1d(groups(n * rowSize, WG)),
  );
  return out;
}
