// Embedding lookup (shaders/gather.wgsl): one thread per output word; bad indices give zeros and set error
// slot gatherIndex, raised at the next read. Its backward, scatterAdd (shaders/scatter_add.wgsl), sums rows of the
// gradient into the table's shape.
import type { Storage } from '../backend';
import { errorSlotConsts, OverLimitError, type Binding, type GpuContext, type Kernel } from './context';
import { fill } from './elementwise';
import { allocStorage, gpu, groups, type GpuStorage } from './storage';
import { wgslConsts } from './shader';

const WG = 256;

/** A window of table rows [rowStart, rowStart + windowRows), bound as `table` with `lead` words before its first row. */
interface RowWindow {
  table: Binding;
  rowStart: number;
  windowRows: number;
  lead: number;
}

/**
 * The table as row windows that each fit one storage binding: the whole table when it fits (the usual case),
 * else consecutive row ranges, each bound from the aligned byte at or before its first row. GPT-2's (50257, 768)
 * embedding is 154 MB, over the 128 MiB binding limit of many adapters.
 */
function rowWindows(ctx: GpuContext, table: GpuStorage, rows: number, rowSize: number): RowWindow[] {
  const cap = ctx.bindingLimit;
  const rowBytes = rowSize * 4;
  if (rows * rowBytes <= cap || rowBytes === 0) return [{ table: table.buffer, rowStart: 0, windowRows: rows, lead: 0 }];
  const align = ctx.limits.minStorageBufferOffsetAlignment;
  const windows: RowWindow[] = [];
  for (let r0 = 0; r0 < rows; ) {
    const start = r0 * rowBytes;
    const base = Math.floor(start / align) * align;
    const fit = Math.min(rows - r0, Math.floor((cap - (start - base)) / rowBytes));
    if (fit < 1) {
      throw new OverLimitError(
        `embedding: one row of the (${rows}, ${rowSize}) table is ${rowBytes} bytes, which with the ${align}-byte offset ` +
          `alignment does not fit the storage binding limit of ${cap} bytes`,
      );
    }
    windows.push({ table: { buffer: table.buffer, offset: base, size: start - base + fit * rowBytes }, rowStart: r0, windowRows: fit, lead: (start - base) / 4 });
    r0 += fit;
  }
  return windows;
}

export function gather(ctx: GpuContext, tableS: Storage, idxS: Storage, rows: number, rowSize: number): GpuStorage {
  const [table, idx] = [gpu(tableS), gpu(idxS)];
  const n = idx.numel;
  const out = allocStorage(ctx, n * rowSize, table.dtype); // (n, rowSize)
  const k = ctx.kernel('gather', { file: 'gather', consts: errorSlotConsts() }, { WG });
  // One dispatch per window; each writes the positions whose index falls in it (every position is in exactly one,
  // or out of range, which the window at row 0 writes and flags).
  for (const w of rowWindows(ctx, table, rows, rowSize)) {
    ctx.dispatch(
      k,
      { table: w.table, idx: idx.buffer, out: out.buffer },
      { n, rows, rowSize, rowStart: w.rowStart, windowRows: w.windowRows, lead: w.lead },
      ctx.grid1d(groups(n * rowSize, WG)),
    );
  }
  return out;
}

/** Workgroup size of the scatterAdd passes: 64, as SwiftShader runs 256-thread groups several times slower. */
const SCATTER_WG = 64;
/** The passes of shaders/scatter_add.wgsl, chosen by its PASS override; it reads them as PASS_<NAME> consts. */
const SCATTER_PASS = { count: 0, scan: 1, place: 2, rank: 3, sum: 4 } as const;
const SCATTER_SHADER = { file: 'scatter_add', consts: wgslConsts('PASS_', SCATTER_PASS) };

/**
 * The most rows·n·rowSize steps the direct scan takes: 2^22, about a millisecond on SwiftShader (a 28-character
 * vocabulary, 512 positions and 32 features is 460,000).
 */
const DIRECT_STEPS = 1 << 22;

/**
 * d gather: out[r, :] = Σ_{i : idx[i] = r} g[i, :], deterministic and without float atomics.
 *
 * Design (shaders/scatter_add.wgsl): a counting sort of the positions i by their index, then one thread per
 * output element sums its row's positions in increasing i. The counts and the slot each position takes in its row
 * use u32 atomics (exact, but the slot order depends on scheduling); a RANK pass then re-sorts every row's
 * segment by i, so the float additions always run in the same order and the result is bit-for-bit repeatable.
 * Why not the simpler "one thread per (r, c) scanning all n indices": that is O(rows·n·rowSize), 1.3e10 steps for
 * a 50,000-token vocabulary, 4,096 positions and rowSize 64 — minutes on SwiftShader — while this is
 * O(n + Σ_r count_r² + rows·rowSize + n·rowSize), a few million steps for the same case. Its worst case is one
 * index repeated n times (RANK becomes O(n²)); a radix sort would bound that at O(n log n) at the price of much
 * more code, which no profile has asked for yet.
 * Small problems (rows·n·rowSize ≤ DIRECT_STEPS) take the direct scan instead (shaders/scatter_add_direct.wgsl):
 * one dispatch rather than six, which is what a character-level model's embedding backward wants.
 */
export function scatterAdd(ctx: GpuContext, gS: Storage, idxS: Storage, rows: number, rowSize: number): GpuStorage {
  const [g, idx] = [gpu(gS), gpu(idxS)];
  const n = idx.numel;
  const bytes = rows * rowSize * 4;
  if (bytes > ctx.bindingLimit) {
    // The lookup splits such a table over several bindings; its gradient (and an optimizer step on it) would too,
    // which nothing needs for inference.
    throw new OverLimitError(
      `embedding backward: the gradient of the (${rows}, ${rowSize}) table is ${bytes} bytes, over the storage binding ` +
        `limit of ${ctx.bindingLimit} bytes. Training a weight over the binding limit is not supported on this adapter ` +
        '(inference through it is); freeze it (requiresGrad = false) or use an adapter with a larger limit.',
    );
  }
  const out = allocStorage(ctx, rows * rowSize, 'float32'); // (rows, rowSize)
  if (rows * n * rowSize <= DIRECT_STEPS) {
    const k = ctx.kernel('scatterAddDirect', { file: 'scatter_add_direct' }, { WG: SCATTER_WG });
    ctx.dispatch(k, { g: g.buffer, idx: idx.buffer, out: out.buffer }, { n, rows, rowSize }, ctx.grid1d(groups(rows * rowSize, SCATTER_WG)));
    return out;
  }
  const counts = fill(ctx, rows, 0, 'int32'); // (rows), u32 counts then cursors
  const starts = allocStorage(ctx, rows + 1, 'int32', 'scatterAdd row offsets'); // (rows + 1)
  const list = allocStorage(ctx, n, 'int32', 'scatterAdd positions'); // (n)
  const sorted = allocStorage(ctx, n, 'int32', 'scatterAdd sorted positions'); // (n)
  const buffers = {
    g: g.buffer, idx: idx.buffer, counts: counts.buffer, starts: starts.buffer, list: list.buffer,
    sorted: sorted.buffer, out: out.buffer,
  };
  const params = { n, rows, rowSize };
  const perIndex = ctx.grid1d(groups(n, SCATTER_WG));
  const pass = (p: number): Kernel => ctx.kernel('scatterAdd', SCATTER_SHADER, { PASS: p, WG: SCATTER_WG });
  ctx.dispatch(pass(SCATTER_PASS.count), buffers, params, perIndex);
  ctx.dispatch(pass(SCATTER_PASS.scan), buffers, params, [1, 1, 1]);
  ctx.dispatch(pass(SCATTER_PASS.place), buffers, params, perIndex);
  ctx.dispatch(pass(SCATTER_PASS.rank), buffers, params, perIndex);
  ctx.dispatch(pass(SCATTER_PASS.sum), buffers, params, ctx.grid1d(groups(rows * rowSize, SCATTER_WG)));
  // The scratch goes back to the pool at once: later users of these buffers are encoded after these dispatches.
  for (const s of [counts, starts, list, sorted]) ctx.pool.release(s.buffer);
  return out;
}
