// Weeks 19-20, beyond the transformer, as engine code the course page and its tests share:
// - sparse attention patterns drawn as masks: which (query, key) pairs the engine's attention lets take part under
//   a causal window, Longformer's two-sided window with global tokens, or Child et al.'s strided block layout, read
//   off the engine's own attention weights (so the picture is the kernels' definition, not a copy of it), and the
//   share of the T² scores each keeps;
// - the references the code cells are checked against: a two-sided window mask, Linformer's projected attention,
//   the linear recurrence h_t = a_t ⊙ h_{t−1} + x_t and the parallel scan's combine rule, each through the engine
//   (scaledDotProductAttention, functional.scan) on the CPU backend;
// - the scan's combine tree (what the GPU's parallel scan computes level by level) for one short sequence;
// - a small timing of dense, windowed and Longformer fused attention forward on a device, for the page's live
//   benchmark (a measurement, never asserted).
import { tensor, type Tensor } from '../tensor';
import { tidy } from '../memory';
import { noGrad } from '../autograd';
import { scaledDotProductAttention, type AttentionOptions } from '../ops/attention';
import { scan } from '../ops/scan';
import type { BlockLayout } from '../ops/sparse-layout';
import type { DeviceName } from '../backend/backend';
import { normalArray } from '../random';
import { flat2, toRows } from './rows';

type Matrix = number[][];

/** The sparse part of an attention call, as the page's mask widget and the window cell choose it. */
export interface AttentionPattern {
  causal?: boolean;
  window?: number;
  localWindow?: number;
  globalTokens?: readonly number[];
  blockLayout?: BlockLayout;
}

/** Reads a small CPU result back as rows and frees it. */
async function readRows(t: Tensor, rows: number, cols: number): Promise<Matrix> {
  try {
    return toRows(await t.toArray(), rows, cols);
  } finally {
    t.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Patterns as masks.

/**
 * The (T, T) 0/1 mask of a pattern: 1 where query i's attention may weigh key j. Read off the engine's attention
 * weights with all-zero queries and keys (every score 0, so every allowed key gets weight 1/count > 0 and every
 * excluded one exactly 0), on the CPU backend: the same definition the fused kernels and the oracle use.
 */
export async function patternMask(T: number, pattern: AttentionPattern): Promise<Matrix> {
  if (!Number.isInteger(T) || T < 1) throw new RangeError(`patternMask: T must be a positive integer, got ${T}`);
  const weights = tidy(() => {
    const zeros = tensor(new Float32Array(T), [1, 1, T, 1], { device: 'cpu' }); // (B, H, T, d) with d = 1
    const opts: AttentionOptions = { ...pattern };
    return scaledDotProductAttention(zeros, zeros, zeros, { ...opts, returnWeights: true }).weights.reshape([T, T]); // (T, T)
  });
  const w = await readRows(weights, T, T);
  return w.map((row) => row.map((x) => (x > 0 ? 1 : 0)));
}

/** The two-sided window |i − j| < w widened by global tokens, from the engine (the window cell's reference). */
export function windowMaskReference(T: number, w: number, globals: readonly number[] = []): Promise<Matrix> {
  return patternMask(T, { localWindow: w, ...(globals.length ? { globalTokens: globals } : {}) });
}

/** Ones in a 0/1 mask: the scores an attention with that pattern computes. */
export function maskCount(mask: readonly (readonly number[])[]): number {
  let n = 0;
  for (const row of mask) for (const x of row) n += x;
  return n;
}

/** The share of the T² (query, key) pairs a mask keeps. */
export function maskDensity(mask: readonly (readonly number[])[]): number {
  const T = mask.length;
  return T === 0 ? 0 : maskCount(mask) / (T * T);
}

/**
 * The exact number of scores a causal window i − w < j ≤ i keeps at length T: every query sees min(i + 1, w)
 * keys. Closed form, so it can be stated at benchmark lengths where a T × T mask would not fit.
 */
export function causalWindowScores(T: number, w: number): number {
  const full = Math.min(T, w); // queries 0 … w − 1 see i + 1 keys, the rest w
  return (full * (full + 1)) / 2 + (T - full) * w;
}

// ---------------------------------------------------------------------------------------------------------------
// Linformer.

/**
 * Linformer's attention for one head, computed by the engine as nn.MultiHeadAttention's linformer option does
 * it: K' = E K and V' = F V, both (k, d), then softmax(Q K'ᵀ / √d) V'. Q, K, V are (T, d); E and F are (k, T).
 * The scores are (T, k) instead of (T, T).
 */
export async function linformerReference(Q: Matrix, K: Matrix, V: Matrix, E: Matrix, F: Matrix): Promise<Matrix> {
  const [q, k, v, e, f] = [flat2('Q', Q), flat2('K', K), flat2('V', V), flat2('E', E), flat2('F', F)];
  const T = q.rows;
  if (k.rows !== T || v.rows !== T) throw new RangeError(`Q, K and V must have the same number of rows (T), got ${q.rows}, ${k.rows} and ${v.rows}`);
  if (k.cols !== q.cols) throw new RangeError(`Q and K must have the same number of columns (d), got ${q.cols} and ${k.cols}`);
  if (e.cols !== T || f.cols !== T) throw new RangeError(`E and F must have T = ${T} columns (one per position), got ${e.cols} and ${f.cols}`);
  if (e.rows !== f.rows) throw new RangeError(`E and F must have the same number of rows (k), got ${e.rows} and ${f.rows}`);
  const out = tidy(() => {
    const t = (m: typeof q) => tensor(m.data, [m.rows, m.cols], { device: 'cpu' });
    const head = (m: Tensor) => m.reshape([1, 1, m.shape[0], m.shape[1]]); // (B, H, rows, d) with B = H = 1
    const kp = t(e).matmul(t(k)); // (k, T) @ (T, d) → (k, d)
    const vp = t(f).matmul(t(v)); // (k, T) @ (T, dv) → (k, dv)
    return scaledDotProductAttention(head(t(q)), head(kp), head(vp)).reshape([T, v.cols]); // (T, dv)
  });
  return readRows(out, T, v.cols);
}

/** Score entries per head and sequence: dense T × T against Linformer's T × k. */
export function linformerScores(T: number, k: number): { dense: number; linformer: number; ratio: number } {
  return { dense: T * T, linformer: T * k, ratio: T / k };
}

// ---------------------------------------------------------------------------------------------------------------
// The linear recurrence and its scan.

/** h_t = a_t ⊙ h_{t−1} + x_t with h_{−1} = 0, for a and x (T, D), by the engine's functional.scan on the CPU. */
export async function scanReference(a: Matrix, x: Matrix): Promise<Matrix> {
  const [fa, fx] = [flat2('a', a), flat2('x', x)];
  if (fa.rows !== fx.rows || fa.cols !== fx.cols) throw new RangeError(`a and x must have the same (T, D) shape, got (${fa.rows}, ${fa.cols}) and (${fx.rows}, ${fx.cols})`);
  const { rows: T, cols: D } = fa;
  const h = noGrad(() => tidy(() => scan(tensor(fa.data, [1, T, D], { device: 'cpu' }), tensor(fx.data, [1, T, D], { device: 'cpu' })))); // (1, T, D)
  return readRows(h, T, D);
}

/** One step of the recurrence, or a run of steps composed: h ↦ a ⊙ h + x. */
export interface ScanPair {
  a: number[];
  x: number[];
}

/**
 * The combine rule (a₁, x₁) ∘ (a₂, x₂) = (a₁a₂, a₂x₁ + x₂), "first step 1, then step 2", read off functional.scan:
 * scanning the two steps from h = 0 gives x-part h₁ = a₂x₁ + x₂, and scanning them with inputs (a₁, 0) gives the
 * decay part a₂a₁. Both scans run as one, side by side along D.
 */
export async function combineReference(first: ScanPair, second: ScanPair): Promise<ScanPair> {
  const D = first.a.length;
  for (const [name, v] of [['first.a', first.a], ['first.x', first.x], ['second.a', second.a], ['second.x', second.x]] as const) {
    if (!Array.isArray(v) || v.length !== D || D === 0) throw new RangeError(`combineReference: ${name} must be an array of ${D || 'at least 1'} numbers, got ${Array.isArray(v) ? v.length : typeof v}`);
  }
  // Rows: t = 0 (step 1), t = 1 (step 2); columns: D for the decay, then D for the input.
  const a = [[...first.a, ...first.a], [...second.a, ...second.a]];
  const x = [[...first.a, ...first.x], [...new Array<number>(D).fill(0), ...second.x]];
  const [, h1] = await scanReference(a, x);
  return { a: h1.slice(0, D), x: h1.slice(D) };
}

/** combine in float64, for the tree: (a₁, x₁) ∘ (a₂, x₂) = (a₁a₂, a₂x₁ + x₂). */
function combine(p: { a: number; x: number }, q: { a: number; x: number }): { a: number; x: number } {
  return { a: p.a * q.a, x: q.a * p.x + q.x };
}

export interface TreeNode {
  /** The composed step of positions from … to (inclusive). */
  from: number;
  to: number;
  a: number;
  x: number;
}

/**
 * The up-sweep of a parallel scan over one channel: level 0 holds the T steps (a_t, x_t), and node i of level l
 * combines nodes 2i and 2i + 1 of level l − 1, so it is the composed step of positions i·2^l … (i + 1)·2^l − 1. The
 * nodes that start at 0 carry h at their last position (h_{−1} = 0); the root's x is h_{T−1}. T must be a power
 * of two (the page draws T = 8). All levels run at once on a GPU: log₂ T rounds instead of T steps.
 */
export function scanTree(a: readonly number[], x: readonly number[]): TreeNode[][] {
  const T = a.length;
  if (T < 1 || (T & (T - 1)) !== 0) throw new RangeError(`scanTree: the length must be a power of two, got ${T}`);
  if (x.length !== T) throw new RangeError(`scanTree: a has ${T} entries and x ${x.length}; they must match`);
  const levels: TreeNode[][] = [a.map((at, t) => ({ from: t, to: t, a: at, x: x[t] }))];
  while (levels[levels.length - 1].length > 1) {
    const below = levels[levels.length - 1];
    levels.push(Array.from({ length: below.length / 2 }, (_, i) => {
      const [l, r] = [below[2 * i], below[2 * i + 1]];
      return { from: l.from, to: r.to, ...combine(l, r) };
    }));
  }
  return levels;
}

// ---------------------------------------------------------------------------------------------------------------
// The live benchmark.

export type TimedMethod = 'dense-causal' | 'window' | 'longformer';
export const TIMED_METHODS: readonly TimedMethod[] = ['dense-causal', 'window', 'longformer'];

export interface TimingOptions {
  T: number;
  /** The causal window and Longformer's two-sided window. */
  window: number;
  /** Longformer's global tokens: positions 0 … globals − 1. */
  globals: number;
  heads: number;
  headDim: number;
  device: DeviceName;
  /** Timed calls per method after one untimed one; the median is reported. */
  reps: number;
  /** Called between calls, so a page can paint its progress. */
  onProgress?: (method: TimedMethod, rep: number) => Promise<void> | void;
}

export interface Timing {
  method: TimedMethod;
  /** Median wall time of one forward call, its output read back. */
  ms: number;
}

/** The attention options of a timed method. */
export function timedOptions(method: TimedMethod, o: Pick<TimingOptions, 'window' | 'globals'>): AttentionOptions {
  switch (method) {
    case 'dense-causal':
      return { causal: true, impl: 'fused' };
    case 'window':
      return { causal: true, window: o.window, impl: 'fused' };
    case 'longformer':
      return { localWindow: o.window, globalTokens: Array.from({ length: o.globals }, (_, i) => i), impl: 'fused' };
  }
}

/**
 * Times one fused attention forward per method on `device` at (1, heads, T, headDim), seeded inputs: one untimed
 * call first (pipelines compile), then `reps` timed calls, each read back so the device has finished.
 */
export async function timeAttention(o: TimingOptions): Promise<Timing[]> {
  for (const [name, v] of [['T', o.T], ['window', o.window], ['heads', o.heads], ['headDim', o.headDim], ['reps', o.reps]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`timeAttention: ${name} must be a positive integer, got ${v}`);
  }
  if (!Number.isInteger(o.globals) || o.globals < 0 || o.globals > o.T) throw new RangeError(`timeAttention: globals must be an integer in [0, T], got ${o.globals}`);
  const shape = [1, o.heads, o.T, o.headDim];
  const n = o.heads * o.T * o.headDim;
  const [q, k, v] = [1, 2, 3].map((s) => tensor(normalArray(n, s), shape, { device: o.device })); // (B, H, T, d)
  const out: Timing[] = [];
  try {
    for (const method of TIMED_METHODS) {
      const opts = timedOptions(method, o);
      const once = async (): Promise<number> => {
        const t0 = performance.now();
        const y = noGrad(() => scaledDotProductAttention(q, k, v, opts));
        await y.toArray();
        const ms = performance.now() - t0;
        y.dispose();
        return ms;
      };
      await once();
      const times: number[] = [];
      for (let r = 0; r < o.reps; r++) {
        await o.onProgress?.(method, r);
        times.push(await once());
      }
      times.sort((x, y) => x - y);
      out.push({ method, ms: times[Math.floor(times.length / 2)] });
    }
  } finally {
    for (const t of [q, k, v]) t.dispose();
  }
  return out;
}
