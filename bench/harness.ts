// Reusable benchmark plumbing: command-line flags, a seeded input source, timing with warm-up and median,
// and the table / JSON output. A benchmark reports; it never asserts speed.

import type { Page } from 'puppeteer';

export interface BenchArgs {
  json: boolean; // print only a JSON array on stdout
  reps: number; // timed repetitions per measurement (after one untimed warm-up)
  only: Set<string> | null; // --impl=ours,tfjs: run just these implementations
  flags: Map<string, string>; // every --key=value (or bare --key → "true")
}

/** Parses `--json`, `--reps=N`, `--impl=a,b` and any other `--key=value` from argv (after the script's `--`). */
export function parseArgs(argv: readonly string[], defaultReps: number): BenchArgs {
  const flags = new Map<string, string>();
  for (const arg of argv) {
    if (!arg.startsWith('--') || arg === '--') continue;
    const [key, value] = arg.slice(2).split('=', 2);
    flags.set(key, value ?? 'true');
  }
  const reps = Number(flags.get('reps') ?? defaultReps);
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps must be a positive integer, got ${flags.get('reps')}`);
  const impl = flags.get('impl');
  return { json: flags.has('json'), reps, only: impl ? new Set(impl.split(',')) : null, flags };
}

/**
 * Progress and notes go to stderr whenever stdout must stay pure JSON, and to stdout otherwise.
 */
export function makeLog(json: boolean): (msg: string) => void {
  return json ? (msg) => process.stderr.write(`${msg}\n`) : (msg) => process.stdout.write(`${msg}\n`);
}

/** mulberry32, seeded: benchmark inputs are reproducible run to run. Uniform in [lo, hi). */
export function seededFloats(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + ((hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296));
  }
  return out;
}

// Timing (warm-up, then the median of timed reps) lives in the engine, which the autotuner shares.
export { median, timeIt, type Timing } from '../engine/bench';

/**
 * The fitted exponent e of y ∝ xᵉ: the least-squares slope of log y against log x (how a benchmark's time or
 * memory grows with T); null with fewer than two points.
 */
export function logLogSlope(points: ReadonlyArray<readonly [number, number]>): number | null {
  if (points.length < 2) return null;
  const lx = points.map(([x]) => Math.log(x));
  const ly = points.map(([, y]) => Math.log(y));
  const mx = lx.reduce((s, v) => s + v) / lx.length;
  const my = ly.reduce((s, v) => s + v) / ly.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < lx.length; i++) {
    num += (lx[i] - mx) * (ly[i] - my);
    den += (lx[i] - mx) ** 2;
  }
  return num / den;
}

/** Largest |a[i] - b[i]|; Infinity on a length mismatch or a NaN. */
export function maxAbsErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

export type Cell = string | number;

/** Prints rows as an aligned text table; numbers are right-aligned. */
export function formatTable(columns: readonly string[], rows: ReadonlyArray<Record<string, Cell>>): string {
  const text = (v: Cell | undefined): string => (v === undefined ? '' : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => text(r[c]).length)));
  const line = (cells: Array<Cell | undefined>): string =>
    cells
      .map((v, i) => (typeof v === 'number' ? text(v).padStart(widths[i]) : text(v).padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line([...columns]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => line(columns.map((c) => r[c])))].join(
    '\n',
  );
}

/** A number rounded for display (the JSON keeps full precision). */
export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/**
 * The adapter a page of ours reports, as its <device-status> element names it ("webgpu (google / swiftshader)"), once
 * the device has opened: browser benchmarks print it beside their numbers.
 */
export async function pageAdapter(page: Page): Promise<string> {
  const handle = await page.waitForFunction(() => {
    const s = document.querySelector('device-status');
    const status = s?.getAttribute('status');
    return status && status !== 'loading' ? `${status} (${s?.getAttribute('adapter') ?? '?'})` : null;
  }, { timeout: 60_000 });
  return handle.jsonValue() as Promise<string>;
}
