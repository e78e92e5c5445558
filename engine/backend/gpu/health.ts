// NaN/±Inf counts by bit pattern (shaders/health.wgsl), read back at once. The counters live in a small pooled
// buffer that is zeroed before the kernel and returned to the pool afterwards.
import type { HealthCounts, Storage } from '../backend';
import type { GpuContext } from './context';
import { gpu, groups } from './storage';

const WG = 256;

export async function health(ctx: GpuContext, xs: Storage, numel = xs.numel): Promise<HealthCounts> {
  const x = gpu(xs);
  // int32 words that look like NaN or Inf are ordinary integers; like the CPU backend, report none.
  if (x.dtype !== 'float32' || numel === 0) return { nan: 0, posInf: 0, negInf: 0 };
  const counts = ctx.pool.acquire(12);
  try {
    ctx.write(counts, new Uint32Array(3), 12); // a pooled buffer holds whatever it held last
    const k = ctx.kernel('health', { file: 'health' }, { WG });
    ctx.dispatch(k, { x: x.buffer, counts }, { n: numel }, ctx.grid1d(groups(numel, WG)));
    const [nan, posInf, negInf] = new Uint32Array(await ctx.read(counts, 12));
    return { nan, posInf, negInf };
  } finally {
    ctx.pool.release(counts);
  }
}
