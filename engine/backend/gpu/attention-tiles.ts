// The tile lists of the sparse attention kernels (GLOBAL or BLOCKS in shaders/attention_common.wgsl): for each
// workgroup's block of rows, the tiles of the other side that some score of the block may take part in, so that
// a kernel visits only those. The forward and the dQ pass list key tiles per block of query rows; the dK/dV pass
// lists query tiles per block of key rows (transposed). The list goes to the kernel in one u32 buffer:
//
//   [start of group 0, …, start of group G, entries…, globals bitset…, block layout…]
//
// with each entry a tile's first row, plus bit 31 when every score of the tile takes part for every row of the
// group under causal, window, local window and block layout (the forward then skips its per-score selects).
//
// Every test is O(1) per (group, tile) rectangle of queries [a, b] × keys [c, e]: causal, the window and the
// local window each keep a band of diagonals, j − i ∈ [−U, V], and so does their intersection; over a rectangle
// j − i runs through every integer of [c − b, e − a], so the band meets it when c − b ≤ V and e − a ≥ −U, and
// holds all of it when c − b ≥ −U and e − a ≤ V. A block layout splits the rectangle at block edges; global
// positions are found by binary search in their sorted list.
import type { AttentionParams } from '../backend';
import type { BlockLayout } from '../../ops/sparse-layout';

/** Diagonals j − i ∈ [−U, V] (Infinity for no bound). */
interface Band {
  U: number;
  V: number;
}

const meets = (a: number, b: number, c: number, e: number, band: Band): boolean => c - b <= band.V && e - a >= -band.U;
const holds = (a: number, b: number, c: number, e: number, band: Band): boolean => c - b >= -band.U && e - a <= band.V;

/** The first index of sorted `xs` whose value is ≥ x. */
function lowerBound(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface SparseTiles {
  data: Uint32Array;
  globalsAt: number;
  blocksAt: number;
}

/** Whether (queries [a, b] × keys [c, e]) has a score the sparse pattern and the hard band allow, and whether all. */
function rectangle(
  a: number, b: number, c: number, e: number, hard: Band, near: Band, blocks: BlockLayout | null, globals: readonly number[] | null,
): { any: boolean; all: boolean } {
  if (!meets(a, b, c, e, hard)) return { any: false, all: false };
  let any = false;
  let all = holds(a, b, c, e, near);
  if (!blocks) {
    any = meets(a, b, c, e, near);
  } else {
    // The sub-rectangles cut at block edges: the pattern (near band ∧ layout) meets some, and holds all.
    const s = blocks.blockSize;
    for (let I = Math.floor(a / s); I <= Math.floor(b / s); I++) {
      const [a2, b2] = [Math.max(a, I * s), Math.min(b, I * s + s - 1)];
      for (let J = Math.floor(c / s); J <= Math.floor(e / s); J++) {
        const [c2, e2] = [Math.max(c, J * s), Math.min(e, J * s + s - 1)];
        if (blocks.allowed[I * blocks.cols + J]) any ||= meets(a2, b2, c2, e2, near);
        else all = false;
      }
    }
  }
  if (!any && globals) {
    // A global query sees every key the hard band allows; a global key is seen by every such query.
    for (let n = lowerBound(globals, a); n < globals.length && globals[n] <= b && !any; n++) any = meets(globals[n], globals[n], c, e, hard);
    for (let n = lowerBound(globals, c); n < globals.length && globals[n] <= e && !any; n++) any = meets(a, b, globals[n], globals[n], hard);
  }
  return { any, all: any && all };
}

/**
 * The tile list of one kernel: groups of `rowsPerGroup` rows (queries, or keys when `transposed`) against tiles
 * of TK rows of the other side, then the globals bitset over max(Tq, Tk) positions and the block layout.
 */
export function sparseTiles(p: AttentionParams, rowsPerGroup: number, TK: number, transposed: boolean): SparseTiles {
  const { Tq, Tk } = p;
  const globals = p.globals && p.globals.length ? p.globals : null;
  const blocks = p.blocks ?? null;
  const local = p.local ?? 0;
  // Causal keeps j − i ≤ 0; the window i − window < j ≤ i keeps [−(window − 1), 0]; the local window |i − j| < local
  // keeps [−(local − 1), local − 1] and belongs to the pattern, which globals widen.
  const hard: Band = { U: p.window > 0 ? p.window - 1 : Infinity, V: p.causal || p.window > 0 ? 0 : Infinity };
  const near: Band = local > 0 ? { U: Math.min(hard.U, local - 1), V: Math.min(hard.V, local - 1) } : hard;
  const [rows, other] = transposed ? [Tk, Tq] : [Tq, Tk];
  const groups = Math.ceil(rows / rowsPerGroup);
  const entries: number[] = [];
  const starts = new Uint32Array(groups + 1);
  for (let g = 0; g < groups; g++) {
    starts[g] = groups + 1 + entries.length;
    const r0 = g * rowsPerGroup;
    const r1 = Math.min(r0 + rowsPerGroup, rows) - 1;
    for (let t0 = 0; t0 < other; t0 += TK) {
      const t1 = Math.min(t0 + TK, other) - 1;
      const { any, all } = transposed
        ? rectangle(t0, t1, r0, r1, hard, near, blocks, globals)
        : rectangle(r0, r1, t0, t1, hard, near, blocks, globals);
      if (any) entries.push(all ? (t0 | 0x80000000) >>> 0 : t0);
    }
  }
  starts[groups] = groups + 1 + entries.length;
  const globalsAt = groups + 1 + entries.length;
  const words = globals ? Math.ceil(Math.max(Tq, Tk) / 32) : 0;
  const blocksAt = globalsAt + words;
  const data = new Uint32Array(blocksAt + (blocks ? blocks.rows * blocks.cols : 0) + 1); // + 1: never empty
  data.set(starts, 0);
  data.set(entries, groups + 1);
  if (globals) for (const t of globals) data[globalsAt + (t >> 5)] |= 1 << (t & 31);
  if (blocks) data.set(blocks.allowed, blocksAt);
  return { data, globalsAt, blocksAt };
}
