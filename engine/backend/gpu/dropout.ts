// Dropout masks (shaders/dropout.wgsl): one thread per element, drawing the same counter-based hash as the CPU
// (backend/rng.ts), so a seeded mask is bit-identical on every backend and needs no random state on the device.
import { dropoutParams } from '../rng';
import type { GpuContext } from './context';
import { allocStorage, groups, type GpuStorage } from './storage';

const WG = 64;

/** 1/(1−p) where dropoutBits(seed, i) ≥ ceil(p·2^24), else 0. */
export function dropoutMask(ctx: GpuContext, numel: number, p: number, seed: number): GpuStorage {
  const mask = allocStorage(ctx, numel, 'float32');
  // The integer threshold and the float32 scale come from the one definition in rng.ts; the kernel only compares.
  const { threshold, scale } = dropoutParams(p);
  const k = ctx.kernel('dropoutMask', { file: 'dropout' }, { WG });
  ctx.dispatch(
    k,
    { mask: mask.buffer },
    { n: numel, seed: seed >>> 0, threshold, scale },
    ctx.grid1d(groups(numel, WG)),
  );
  return mask;
}
