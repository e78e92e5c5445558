// The WebGPU backend's storage handle: a pooled GPUBuffer holding `numel` 32-bit elements.
import type { DType } from '../../dtype';
import type { Storage } from '../backend';
import type { CollectScope, GpuContext } from './context';
import { fmt } from '../../shape';

export class GpuStorage implements Storage {
  freed = false;
  constructor(
    readonly buffer: GPUBuffer,
    readonly dtype: DType,
    readonly numel: number,
    /** The warmup that made this storage, if one did: its values were never computed. */
    readonly warmup: CollectScope | null = null,
  ) {}

  get bytes(): number {
    return this.numel * 4;
  }
}

/** Takes a buffer for `numel` elements from the pool, after checking the adapter's size limits. */
export function allocStorage(ctx: GpuContext, numel: number, dtype: DType, what = 'a tensor'): GpuStorage {
  ctx.checkAlive();
  const bytes = Math.max(4, numel * 4);
  ctx.checkBytes(bytes, what);
  return new GpuStorage(ctx.pool.acquire(bytes), dtype, numel, ctx.collectScope);
}

/** Narrows a backend-agnostic Storage to this backend's, refusing storages that were freed or come from elsewhere. */
export function gpu(s: Storage): GpuStorage {
  if (!(s instanceof GpuStorage)) throw new Error('internal: a non-WebGPU storage reached the WebGPU backend');
  if (s.freed) throw new Error('This tensor was disposed; its GPU memory has been released');
  if (s.warmup && !s.warmup.open) {
    // Kept past warmup(fn) (a gradient left on a parameter, an optimizer's state), with garbage in it.
    throw new Error(
      'This tensor was made inside warmup(fn), which runs no GPU work, so it has no values. Dispose what fn keeps ' +
        '(optimizer.zeroGrad(), a throwaway optimizer\'s dispose()) and compute it again after warmup.',
    );
  }
  return s;
}

/** Gives a storage's buffer back to the pool; also one made inside warmup(fn), which gpu() refuses. */
export function freeStorage(ctx: GpuContext, s: Storage): void {
  if (!(s instanceof GpuStorage)) throw new Error('internal: a non-WebGPU storage reached the WebGPU backend');
  if (s.freed) throw new Error('This tensor was disposed; its GPU memory has been released');
  s.freed = true;
  if (ctx.lostReason === null) ctx.pool.release(s.buffer);
}

/** Pads shape/stride lists to the 8 slots of the kernels' `array<vec4<u32>, 2>` uniforms. */
export function dims8(values: readonly number[], what: readonly number[] = values): number[] {
  if (values.length > 8) throw new Error(`tensors of rank > 8 are not supported (shape ${fmt(what)})`);
  const out = new Array<number>(8).fill(0);
  values.forEach((v, i) => (out[i] = v));
  return out;
}

/** Workgroups for `n` threads at `wg` per group. */
export function groups(n: number, wg: number): number {
  return Math.ceil(n / wg);
}
