// Comparing a code cell's result with the engine's reference, and saying in plain words what is wrong. Pure: no DOM
// and no engine, so Node unit tests (test/course.compare.test.ts) check every message.
//
// Results arrive as plain data: numbers, nested arrays (typed arrays count as 1-D arrays), and for other values
// whatever structured cloning keeps. A tensor is turned into nested arrays before it gets here (toPlain).
import type { CheckResult, CodeArgs } from './types';

/** |got − want| ≤ atol + rtol·|want|, as types.ts documents for CodeExercise.compare. */
export interface Tolerance {
  atol: number;
  rtol: number;
}
export const DEFAULT_TOLERANCE: Tolerance = { atol: 1e-6, rtol: 1e-5 };

/** A number as the messages write it: six significant digits, no trailing zeros. */
export function fmtNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-4) return v.toExponential(3).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(6)));
}

export const fmtShape = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** A short, safe description of any value, for "got …" in messages. */
export function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'number') return fmtNumber(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (isArrayLike(v)) {
    const s = shapeOf(v);
    return 'shape' in s ? `an array of shape ${fmtShape(s.shape)}` : 'a ragged array';
  }
  if (typeof v === 'function') return 'a function';
  return 'an object';
}

function isArrayLike(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

/**
 * The shape of a nested array ([] for a number), or why it has none: ragged rows. Leaves that are not numbers
 * still get a shape; valuesOf() reports them.
 */
export function shapeOf(v: unknown, at: number[] = []): { shape: number[] } | { ragged: string } {
  if (!isArrayLike(v)) return { shape: [] };
  const n = v.length;
  if (n === 0) return { shape: [0] };
  const first = shapeOf(v[0], [...at, 0]);
  if ('ragged' in first) return first;
  for (let i = 1; i < n; i++) {
    const s = shapeOf(v[i], [...at, i]);
    if ('ragged' in s) return s;
    if (fmtShape(s.shape) !== fmtShape(first.shape)) {
      const where = at.length ? ` inside ${fmtShape(at)}` : '';
      return { ragged: `entry ${i}${where} has shape ${fmtShape(s.shape)} but entry 0 has shape ${fmtShape(first.shape)}` };
    }
  }
  return { shape: [n, ...first.shape] };
}

/** The multi-index of flat position i in a row-major array of this shape. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return idx;
}

function flatten(v: unknown, out: unknown[] = []): unknown[] {
  if (isArrayLike(v)) for (let i = 0; i < v.length; i++) flatten(v[i], out);
  else out.push(v);
  return out;
}

/** Equal within tolerance; NaN equals NaN and an infinity only itself, so a reference's NaN is matched exactly. */
function close(g: number, w: number, tol: Tolerance): boolean {
  if (Number.isNaN(w)) return Number.isNaN(g);
  if (!Number.isFinite(w)) return g === w;
  return Math.abs(g - w) <= tol.atol + tol.rtol * Math.abs(w);
}

const NAN_HINT = 'Look for 0/0, a log of 0 or of a negative number, or an exp() that overflowed to Infinity.';

function compareNumber(got: unknown, want: number, tol: Tolerance): CheckResult {
  if (typeof got !== 'number') {
    if (isArrayLike(got)) {
      const s = shapeOf(got);
      return { ok: false, message: `Wrong shape: expected a single number, got ${'shape' in s ? `an array of shape ${fmtShape(s.shape)}` : 'a ragged array'}.` };
    }
    return { ok: false, message: `Expected a number, got ${describe(got)}.` };
  }
  if (Number.isNaN(got) && !Number.isNaN(want)) return { ok: false, message: `Your result is NaN (expected ${fmtNumber(want)}). ${NAN_HINT}` };
  if (close(got, want, tol)) return { ok: true, message: `Matches the reference (${fmtNumber(want)}).` };
  const err = Math.abs(got - want);
  return { ok: false, message: `Wrong value: expected ${fmtNumber(want)}, got ${fmtNumber(got)} (off by ${fmtNumber(err)}).` };
}

function compareArrays(got: unknown, want: ArrayLike<unknown>, tol: Tolerance): CheckResult {
  const ws = shapeOf(want);
  if ('ragged' in ws) throw new Error(`The reference returned a ragged array (${ws.ragged}); a lesson's reference must be rectangular.`);
  if (!isArrayLike(got)) return { ok: false, message: `Wrong shape: expected an array of shape ${fmtShape(ws.shape)}, got ${describe(got)}.` };
  const gs = shapeOf(got);
  if ('ragged' in gs) return { ok: false, message: `Your result is a ragged array: ${gs.ragged}. Expected shape ${fmtShape(ws.shape)}.` };
  if (fmtShape(gs.shape) !== fmtShape(ws.shape)) return { ok: false, message: `Wrong shape: expected ${fmtShape(ws.shape)}, got ${fmtShape(gs.shape)}.` };
  const g = flatten(got);
  const w = flatten(want) as number[];
  const at = (i: number): string => fmtShape(unravel(i, ws.shape));
  for (let i = 0; i < g.length; i++) {
    if (typeof g[i] !== 'number') return { ok: false, message: `Expected numbers, but the entry at ${at(i)} is ${describe(g[i])}.` };
  }
  const gn = g as number[];
  const nan = gn.findIndex((v, i) => Number.isNaN(v) && !Number.isNaN(w[i]));
  if (nan >= 0) {
    const count = gn.filter((v, i) => Number.isNaN(v) && !Number.isNaN(w[i])).length;
    return { ok: false, message: `Your result has NaN at ${at(nan)} (expected ${fmtNumber(w[nan])})${count > 1 ? ` and at ${count - 1} more entries` : ''}. ${NAN_HINT}` };
  }
  let first = -1;
  let wrong = 0;
  let maxErr = 0;
  for (let i = 0; i < gn.length; i++) {
    const err = Number.isFinite(gn[i]) && Number.isFinite(w[i]) ? Math.abs(gn[i] - w[i]) : gn[i] === w[i] ? 0 : Infinity;
    if (err > maxErr) maxErr = err;
    if (!close(gn[i], w[i], tol)) {
      wrong++;
      if (first < 0) first = i;
    }
  }
  if (first < 0) return { ok: true, message: `All ${gn.length} values match the reference (largest error ${fmtNumber(maxErr)}).` };
  return {
    ok: false,
    message:
      `Wrong values: ${wrong} of ${gn.length} entries differ; the largest error is ${fmtNumber(maxErr)}. ` +
      `The first is at ${at(first)}: expected ${fmtNumber(w[first])}, got ${fmtNumber(gn[first])}.`,
  };
}

/**
 * The default compare for code cells: numbers and nested arrays within tolerance, anything else by structural
 * equality. `got` and `want` are plain data (see toPlain).
 */
export function defaultCompare(got: unknown, want: unknown, _args?: CodeArgs, tol: Tolerance = DEFAULT_TOLERANCE): CheckResult {
  if (got === undefined && want !== undefined) return { ok: false, message: 'Your function returned nothing (undefined). Did you forget a `return`?' };
  if (typeof want === 'number') return compareNumber(got, want, tol);
  if (isArrayLike(want)) return compareArrays(got, want, tol);
  return sameJson(got, want)
    ? { ok: true, message: `Matches the reference (${describeShort(want)}).` }
    : { ok: false, message: `Expected ${describeShort(want)}, got ${describeShort(got)}.` };
}

function describeShort(v: unknown): string {
  if (v === undefined) return 'undefined';
  const json = JSON.stringify(v);
  return json === undefined ? describe(v) : json.length > 80 ? `${json.slice(0, 80)}…` : json;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A tensor-like value (anything with a numeric `shape` and an async `toArray()`), as the engine's Tensor is. */
interface TensorLike {
  shape: readonly number[];
  toArray(): Promise<ArrayLike<number>>;
}
function isTensorLike(v: unknown): v is TensorLike {
  return typeof v === 'object' && v !== null && Array.isArray((v as { shape?: unknown }).shape) && typeof (v as { toArray?: unknown }).toArray === 'function';
}

/** Nested arrays from flat row-major data. */
export function nest(data: ArrayLike<number>, shape: readonly number[]): unknown {
  if (shape.length === 0) return data[0];
  const walk = (d: number, offset: number): unknown[] => {
    const stride = shape.slice(d + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: shape[d] }, (_, i) => (d === shape.length - 1 ? data[offset + i] : walk(d + 1, offset + i * stride)));
  };
  return walk(0, 0);
}

/**
 * Plain data for comparing and for postMessage: a tensor becomes nested arrays of its values, typed arrays become
 * arrays, and arrays and plain objects are converted entry by entry.
 */
export async function toPlain(v: unknown): Promise<unknown> {
  if (isTensorLike(v)) return nest(Array.from(await v.toArray()), v.shape);
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
  if (Array.isArray(v)) return Promise.all(v.map(toPlain));
  if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = await toPlain(x);
    return out;
  }
  return v;
}

/** "a number (7), an array of shape [7]": what a check case passed, so a message can say which case failed. */
export function describeArgs(args: CodeArgs): string {
  return args.map(describe).join(', ');
}
