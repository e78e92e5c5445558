// The tuning table: per GPU context, (op, shape class) → the candidate id that tune() measured fastest there. A
// shape class is a coarse bucket of shapes that should share a tiling (see the *ShapeClass functions); kernels
// look their config up with configFor() and get the adapter class's default where the table says nothing. The
// table is filled by tune() and by the cache (cache.ts) when the device opens; nothing else writes it, except
// tests that set an entry to watch a kernel switch.
import { softwareAdapter } from '../adapter-class';
import { candidate, defaultCandidate, type Candidate, type ConfigOf, type TuneOp } from './candidates';

/** What tune() recorded for one (op, shape class): the winner, and the times it was chosen on. */
export interface TuningEntry {
  id: string; // the winning candidate
  ms: number; // its median time at the tuned shape
  defaultMs: number; // the default's median time there, in the same run
  shape: string; // the shape it was measured at, for people reading the cache
}

/** Shapes in a class within 4× of each other's work: the buckets' edges in multiply-adds. */
const MATMUL_SMALL = 1 << 21; // below 128³
const MATMUL_LARGE = 1 << 27; // from 512³

/**
 * matmul: small / medium / large by M·N·K over the batch, then "tall" where C is thin (min(M, N) ≤ 64) and K long
 * (≥ 1024, so splitting K leaves real work per slice), or "batched" for a batch of products.
 */
export function matmulShapeClass(s: { M: number; N: number; K: number; batch: number }): string {
  const macs = s.M * s.N * s.K * s.batch;
  const size = macs < MATMUL_SMALL ? 'small' : macs < MATMUL_LARGE ? 'medium' : 'large';
  if (s.batch > 1) return `${size}-batched`;
  if (Math.min(s.M, s.N) <= 64 && s.K >= 1024) return `${size}-tall`;
  return size;
}

/** attention: the query length's bucket (≤ 128, ≤ 512, ≤ 2048, longer), the head dim's (≤ 32, ≤ 64, ≤ 128), causal or not. */
export function attentionShapeClass(s: { T: number; d: number; causal: boolean }): string {
  const t = s.T <= 128 ? 'T128' : s.T <= 512 ? 'T512' : s.T <= 2048 ? 'T2048' : 'Tlong';
  const d = s.d <= 32 ? 'd32' : s.d <= 64 ? 'd64' : 'd128';
  return `${t}-${d}-${s.causal ? 'causal' : 'full'}`;
}

/** The row kernels: the row length's bucket (≤ 128, ≤ 1024, longer) and whether there are many rows (≥ 64). */
export function rowShapeClass(s: { rows: number; cols: number }): string {
  const c = s.cols <= 128 ? 'c128' : s.cols <= 1024 ? 'c1024' : 'clong';
  return `${c}-${s.rows >= 64 ? 'many' : 'few'}`;
}

export class TuningTable {
  private entries = new Map<string, TuningEntry>();
  /** Where the entries were loaded from (a file path or 'IndexedDB'), or null. */
  source: string | null = null;
  /** Why the cache could not be read, when it could not (the table then holds only what tune() adds). */
  loadError: string | null = null;

  constructor(readonly adapterKey: string) {}

  get(op: TuneOp, shapeClass: string): TuningEntry | undefined {
    return this.entries.get(`${op}|${shapeClass}`);
  }

  /** Records a winner; throws on an id that is not one of the op's candidates. */
  set(op: TuneOp, shapeClass: string, entry: TuningEntry): void {
    if (!candidate(op, entry.id)) throw new Error(`tuning table: '${entry.id}' is not a ${op} candidate`);
    this.entries.set(`${op}|${shapeClass}`, entry);
  }

  delete(op: TuneOp, shapeClass: string): void {
    this.entries.delete(`${op}|${shapeClass}`);
  }

  clear(): void {
    this.entries.clear();
  }

  /** Every entry, as { op: { shapeClass: entry } } (what the cache stores per adapter). */
  toJSON(): Partial<Record<TuneOp, Record<string, TuningEntry>>> {
    const out: Partial<Record<TuneOp, Record<string, TuningEntry>>> = {};
    for (const [key, e] of this.entries) {
      const [op, cls] = key.split('|') as [TuneOp, string];
      (out[op] ??= {})[cls] = e;
    }
    return out;
  }
}

/** The key a cache files results under: the adapter's description / vendor / architecture / device (adapter.ts). */
export function adapterKey(ctx: { readonly adapterName: string }): string {
  return ctx.adapterName;
}

const tables = new WeakMap<object, TuningTable>();

/** This context's table (empty until the cache is loaded or tune() runs). */
export function tuningTableOf(ctx: { readonly adapterName: string }): TuningTable {
  let t = tables.get(ctx);
  if (!t) tables.set(ctx, (t = new TuningTable(adapterKey(ctx))));
  return t;
}

/**
 * While tune() times a candidate, every call of its op on that context runs it whatever the shape class. Per
 * context (another device is not affected), and per op a stack of the withCandidate calls in force, each removing
 * its own entry when it ends: overlapping calls that end out of order leave nothing forced behind them.
 */
const forced = new WeakMap<object, Map<TuneOp, Array<{ id: string }>>>();

/** tune()'s and the tests' hook: runs `fn` with `op` on `ctx` forced to candidate `id` (which must exist). */
export async function withCandidate<T>(ctx: object, op: TuneOp, id: string, fn: () => Promise<T>): Promise<T> {
  if (!candidate(op, id)) throw new Error(`withCandidate: '${id}' is not a ${op} candidate`);
  let ops = forced.get(ctx);
  if (!ops) forced.set(ctx, (ops = new Map()));
  let stack = ops.get(op);
  if (!stack) ops.set(op, (stack = []));
  const mine = { id };
  stack.push(mine);
  try {
    return await fn();
  } finally {
    stack.splice(stack.indexOf(mine), 1);
  }
}

/** The candidate forced on `op` at `ctx` now (the latest withCandidate still running), if any. */
function forcedId(ctx: object, op: TuneOp): string | undefined {
  return forced.get(ctx)?.get(op)?.at(-1)?.id;
}

/** The candidate a kernel of `op` runs at this shape class: forced, else tuned, else the adapter class's default. */
export function configFor<K extends TuneOp>(ctx: { readonly adapterName: string }, op: K, shapeClass: string): Candidate<ConfigOf[K]> {
  const id = forcedId(ctx, op) ?? tables.get(ctx)?.get(op, shapeClass)?.id;
  return (id !== undefined ? candidate(op, id) : undefined) ?? defaultCandidate(op, softwareAdapter(ctx));
}
