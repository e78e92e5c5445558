// The linear recurrence h_t = a_t·h_{t−1} + x_t over (B, T, D) as a parallel scan (shaders/scan.wgsl has the
// maths): a chunk of L steps per workgroup, and across chunks reduce-then-scan. When T fits one chunk, one pass
// writes h. Otherwise a REDUCE pass folds each chunk into one pair (A, X) (B, chunks, D), those totals are scanned
// by this same function (recursively, as a recurrence of length `chunks`: its h is the true h at each chunk's
// end), and a second pass over the data walks every chunk again from its carry. The data is read twice and written
// once (five tensor-sized transfers against an elementwise add's three); the totals are L times smaller, so every
// level below the first costs 1/L as much, and T = 16,384 at L = 64 takes three levels.
import type { Storage } from '../backend';
import type { GpuContext } from './context';
import { allocStorage, gpu, type GpuStorage } from './storage';
import { softwareAdapter } from './adapter-class';

const THREADS = 256; // shaders/scan.wgsl's workgroup size

/**
 * The tiling: DC columns per workgroup (a power of two up to 64, so that a small D does not leave most threads
 * idle, and consecutive threads read consecutive d of one step) and TT = 256 / DC time lanes, each walking a run of
 * ITEMS steps alone. Hardware GPUs: runs of 16, for many workgroups in flight. SwiftShader pays a fixed cost per
 * workgroup (and per barrier) that dwarfs a short run: at B = 1, T = 16,384, D = 512 the forward took 1.6, 1.0,
 * 0.77, 0.59, 0.52 and 0.52 s with runs of 16, 32, … 512 steps (an add of the same tensors: 0.22 to 0.26 s, on a
 * loaded machine). So there runs are as long as still leave MIN_SOFTWARE_GROUPS workgroups, up to `maxItems`
 * (512; tests pass 16 to reach several levels of chunk totals at small T).
 */
function tiling(ctx: GpuContext, B: number, T: number, D: number, maxItems: number): { DC: number; ITEMS: number; L: number } {
  const DC = Math.min(64, 2 ** Math.ceil(Math.log2(Math.max(1, D))));
  const TT = THREADS / DC;
  const groups = (items: number): number => B * Math.ceil(D / DC) * Math.ceil(T / (TT * items));
  let ITEMS = 16;
  if (softwareAdapter(ctx)) while (ITEMS < maxItems && groups(2 * ITEMS) >= MIN_SOFTWARE_GROUPS) ITEMS *= 2;
  return { DC, ITEMS, L: TT * ITEMS };
}

/**
 * The fewest workgroups SwiftShader is given when runs could be longer. Forward / add at B = 1, D = 512 and
 * T = 1,024, 4,096, 16,384 (bench:scan, 2 loaded cores): 2.3, 2.2, 2.0× with 8; 4.2, 2.1, 1.9× with 16; 10, 2.8,
 * 2.9× with 64 (short runs at small T, each workgroup a fixed cost).
 */
const MIN_SOFTWARE_GROUPS = 8;

interface Pass {
  /** The adjoint recurrence of the backward (shaders/scan.wgsl: REVERSE). */
  reverse: boolean;
  /** The forward's h, for da = δ ⊙ h_{t−1}; only with reverse, and only at the top level. */
  h: GpuStorage | null;
  /** The longest run per thread (tiling). */
  maxItems: number;
}

/** h (or δ, and da with pass.h) of the recurrence over (B, T, D) coefficients a and inputs x. */
function run(
  ctx: GpuContext, a: GpuStorage, x: GpuStorage, B: number, T: number, D: number, pass: Pass,
): { out: GpuStorage; da: GpuStorage | null } {
  const { DC, ITEMS, L } = tiling(ctx, B, T, D, pass.maxItems);
  const chunks = Math.ceil(T / L);
  const colTiles = Math.ceil(D / DC);
  const params = { B, T, D, chunks, colTiles };
  const grid = ctx.grid1d(B * colTiles * chunks);
  const vars = { REVERSE: pass.reverse ? 1 : 0, GRAD_A: pass.h ? 1 : 0 };
  const name = (reduce: boolean, carry: boolean): string =>
    `scan${reduce ? 'Reduce' : ''}${carry ? 'Carry' : ''}${pass.reverse ? 'Reverse' : ''}${pass.h && !reduce ? 'GradA' : ''}`;

  // With several chunks: the REDUCE pass, then the scan of its totals, whose h after chunk c is the carry into
  // chunk c + 1.
  let carried: { carry: GpuStorage; prefixA: GpuStorage; prefixX: GpuStorage } | null = null;
  if (chunks > 1) {
    const runs = B * chunks * (THREADS / DC) * D; // (B, chunks·TT, D): one prefix per thread
    const totalA = allocStorage(ctx, B * chunks * D, 'float32', 'scan chunk totals'); // (B, chunks, D)
    const totalX = allocStorage(ctx, B * chunks * D, 'float32', 'scan chunk totals');
    const prefixA = allocStorage(ctx, runs, 'float32', 'scan run prefixes');
    const prefixX = allocStorage(ctx, runs, 'float32', 'scan run prefixes');
    const k = ctx.kernel(name(true, false), { file: 'scan', vars: { ...vars, REDUCE: 1, CARRY: 0, GRAD_A: 0 } }, { DC, ITEMS });
    ctx.dispatch(k, {
      a: a.buffer, x: x.buffer, totalA: totalA.buffer, totalX: totalX.buffer, prefixA: prefixA.buffer, prefixX: prefixX.buffer,
    }, params, grid);
    // The totals, in processing order, are themselves a recurrence; its h at chunk c is h after chunk c.
    const carry = run(ctx, totalA, totalX, B, chunks, D, { reverse: false, h: null, maxItems: pass.maxItems }).out;
    // Later users of these buffers are encoded after the dispatches that read them.
    ctx.pool.release(totalA.buffer);
    ctx.pool.release(totalX.buffer);
    carried = { carry, prefixA, prefixX };
  }
  const out = allocStorage(ctx, B * T * D, 'float32');
  const da = pass.h ? allocStorage(ctx, B * T * D, 'float32') : null;
  const k = ctx.kernel(name(false, carried !== null), { file: 'scan', vars: { ...vars, REDUCE: 0, CARRY: carried ? 1 : 0 } }, { DC, ITEMS });
  const buffers: Record<string, GPUBuffer> = { a: a.buffer, x: x.buffer, out: out.buffer };
  if (carried) {
    buffers.carry = carried.carry.buffer;
    buffers.prefixA = carried.prefixA.buffer;
    buffers.prefixX = carried.prefixX.buffer;
  }
  if (pass.h && da) {
    buffers.h = pass.h.buffer;
    buffers.da = da.buffer;
  }
  ctx.dispatch(k, buffers, params, grid);
  if (carried) for (const s of Object.values(carried)) ctx.pool.release(s.buffer);
  return { out, da };
}

/** h of h_t = a_t·h_{t−1} + x_t over (B, T, D); `maxItems` caps the steps per thread (tiling). */
export function scan(ctx: GpuContext, as: Storage, xs: Storage, B: number, T: number, D: number, maxItems = 512): GpuStorage {
  return run(ctx, gpu(as), gpu(xs), B, T, D, { reverse: false, h: null, maxItems }).out;
}

/** δ_t = g_t + a_{t+1}·δ_{t+1} by the same scan run backwards; dx = δ and da_t = δ_t·h_{t−1} in the same pass. */
export function scanBackward(
  ctx: GpuContext, as: Storage, hs: Storage, gs: Storage, B: number, T: number, D: number, maxItems = 512,
): { da: GpuStorage; dx: GpuStorage } {
  const r = run(ctx, gpu(as), gpu(gs), B, T, D, { reverse: true, h: gpu(hs), maxItems });
  return { da: r.da!, dx: r.out };
}
