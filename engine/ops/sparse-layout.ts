// Sparse attention patterns, the definition every implementation shares (the CPU oracle's loops, the composed
// path's dense mask and the WebGPU kernels' tile lists):
//
//   takes part(i, j) = C(i, j) ∧ [ (L(i, j) ∧ K(i, j)) ∨ G(i) ∨ G(j) ] ∧ masks
//
//   C: causal (j ≤ i) and the causal window (i − window < j ≤ i), whichever are set;
//   L: the two-sided local window |i − j| < local (Longformer's local attention), true when unset;
//   K: a block layout: query block ⌊i / s⌋ may attend key block ⌊j / s⌋ (Child et al.'s sparse transformer), true
//      when unset;
//   G: global tokens (Longformer): a global position attends to every key and is attended by every query that the
//      hard constraints C allow. Without a local window or a block layout there is nothing for them to widen.
//
// Queries and keys are aligned at 0, as the causal mask's are.
import { ShapeError } from '../shape';

/**
 * Which query blocks attend which key blocks, blockSize positions each: allowed[I·cols + J] = 1 when queries
 * I·s … I·s + s − 1 may attend keys J·s … J·s + s − 1. rows = ⌈Tq / s⌉, cols = ⌈Tk / s⌉.
 */
export interface BlockLayout {
  blockSize: number;
  rows: number;
  cols: number;
  allowed: Uint8Array;
}

export interface StridedLayoutOptions {
  Tq: number;
  /** Keys; defaults to Tq. */
  Tk?: number;
  blockSize: number;
  /** Key blocks within this many blocks of the query's own (|I − J| < local; I − local < J ≤ I when causal). */
  local: number;
  /**
   * Every stride-th key block, the last of each group of `stride` (J mod stride = stride − 1), is a summary block
   * that every query block attends: Child et al.'s "fixed" pattern, in blocks. 0: none.
   */
  stride: number;
  /** Only key blocks J ≤ I. */
  causal?: boolean;
}

/** Child et al.'s local + strided sparse-transformer pattern as a block layout. */
export function stridedBlockLayout(o: StridedLayoutOptions): BlockLayout {
  const Tk = o.Tk ?? o.Tq;
  for (const [name, v, min] of [['Tq', o.Tq, 0], ['Tk', Tk, 0], ['blockSize', o.blockSize, 1], ['local', o.local, 0], ['stride', o.stride, 0]] as const) {
    if (!Number.isInteger(v) || v < min) throw new RangeError(`stridedBlockLayout: ${name} must be an integer ≥ ${min}, got ${v}`);
  }
  const s = o.blockSize;
  const rows = Math.ceil(o.Tq / s);
  const cols = Math.ceil(Tk / s);
  const allowed = new Uint8Array(rows * cols);
  for (let I = 0; I < rows; I++) {
    for (let J = 0; J < cols; J++) {
      const near = o.causal ? J <= I && I - J < o.local : Math.abs(I - J) < o.local;
      const summary = o.stride > 0 && J % o.stride === o.stride - 1 && (!o.causal || J <= I);
      allowed[I * cols + J] = near || summary ? 1 : 0;
    }
  }
  return { blockSize: s, rows, cols, allowed };
}

/** The fraction of (query block, key block) pairs a layout keeps: the work a block-skipping kernel does. */
export function layoutDensity(l: BlockLayout): number {
  let n = 0;
  for (const a of l.allowed) n += a;
  return l.rows * l.cols === 0 ? 0 : n / (l.rows * l.cols);
}

/** The sparse part of an attention call, as validated by checkSparse. */
export interface SparsePattern {
  /** Two-sided local window, 0 for none. */
  local: number;
  /** Sorted, distinct global positions, or null. */
  globals: readonly number[] | null;
  blocks: BlockLayout | null;
}

/**
 * Checks global tokens and a block layout against (Tq, Tk), naming what is wrong: positions must be integers in
 * [0, max(Tq, Tk)); a layout must have ⌈Tq / s⌉ × ⌈Tk / s⌉ entries of 0 or 1. Returns the globals sorted and
 * deduplicated.
 */
export function checkSparse(
  op: string, Tq: number, Tk: number, globals: readonly number[] | undefined, blocks: BlockLayout | undefined,
): { globals: number[] | null; blocks: BlockLayout | null } {
  let g: number[] | null = null;
  if (globals !== undefined) {
    if (!Array.isArray(globals) && !ArrayBuffer.isView(globals)) {
      throw new TypeError(`${op}: globalTokens must be an array of positions, got ${typeof globals}`);
    }
    const n = Math.max(Tq, Tk);
    Array.from(globals).forEach((x, at) => {
      if (!Number.isInteger(x) || x < 0 || x >= n) {
        throw new RangeError(`${op}: globalTokens[${at}] = ${x} is not a position in [0, ${n}) (max(Tq, Tk) = ${n})`);
      }
    });
    g = [...new Set(Array.from(globals))].sort((a, b) => a - b);
  }
  let b: BlockLayout | null = null;
  if (blocks !== undefined) {
    const s = blocks.blockSize;
    if (!Number.isInteger(s) || s < 1) throw new RangeError(`${op}: blockLayout.blockSize must be a positive integer, got ${s}`);
    const rows = Math.ceil(Tq / s);
    const cols = Math.ceil(Tk / s);
    if (blocks.rows !== rows || blocks.cols !== cols) {
      throw new ShapeError(
        `${op}: blockLayout is ${blocks.rows} × ${blocks.cols} blocks, but Tq = ${Tq} and Tk = ${Tk} at blockSize ${s} need ⌈Tq/s⌉ × ⌈Tk/s⌉ = ${rows} × ${cols}`,
      );
    }
    if (!(blocks.allowed instanceof Uint8Array) || blocks.allowed.length !== rows * cols) {
      throw new ShapeError(`${op}: blockLayout.allowed must be a Uint8Array of rows·cols = ${rows * cols} entries, got ${blocks.allowed?.length ?? typeof blocks.allowed}`);
    }
    const bad = blocks.allowed.findIndex((x) => x > 1);
    if (bad >= 0) throw new RangeError(`${op}: blockLayout.allowed[${bad}] = ${blocks.allowed[bad]}; entries are 0 (skip) or 1 (attend)`);
    b = blocks;
  }
  return { globals: g, blocks: b };
}

/** A 0/1 flag per position 0 … n − 1 for the globals. */
export function globalFlags(globals: readonly number[] | null, n: number): Uint8Array | null {
  if (!globals) return null;
  const f = new Uint8Array(n);
  for (const g of globals) if (g < n) f[g] = 1;
  return f;
}

/**
 * Whether the sparse pattern (L ∧ K) ∨ G(i) ∨ G(j) lets query i see key j; the hard constraints (causal, window,
 * masks) are the caller's. `flags` is globalFlags over at least max(i, j) + 1 positions.
 */
export function patternAllows(p: SparsePattern, flags: Uint8Array | null, i: number, j: number): boolean {
  const near = (p.local === 0 || Math.abs(i - j) < p.local) &&
    (!p.blocks || p.blocks.allowed[Math.floor(i / p.blocks.blockSize) * p.blocks.cols + Math.floor(j / p.blocks.blockSize)] === 1);
  return near || (!!flags && (flags[i] === 1 || flags[j] === 1));
}
