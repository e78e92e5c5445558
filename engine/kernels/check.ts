// checkKernel: is a user's WGSL kernel right? It compiles the kernel (WGSL errors with line and column), reads
// its contract, then runs it at odd sizes on seeded inputs against the CPU backend (the oracle), each shape
// `repeats` times with out poisoned before every run. A report names the first problem found, in this order of
// precedence: compile error, contract violation, timeout, device loss, writes past the end of out, NaN/Inf,
// unwritten outputs, results that differ run to run, wrong values.
//
// Tolerance: an element passes when |got − want| ≤ atol + rtol·|want|, by default atol = 1e-4 and rtol = 1e-3:
// float32 rounding over a 257-term dot product or a 33-key softmax stays two orders of magnitude inside it.
//
// Races. A race shows as results that differ between runs of the same inputs, and the report says
// "nondeterministic: likely a race (missing workgroupBarrier?)". SwiftShader, though, runs a workgroup's
// invocations in a fixed order (in SIMD groups of 4, switching only at barriers), so a missing barrier gives the
// same wrong values every time there. For that case the report adds a static reading of the source: wrong
// values from a kernel that declares var<workgroup> memory and never calls workgroupBarrier() are reported as
// "likely a race (missing workgroupBarrier?)". A kernel that has some barriers but lacks one is reported only as
// wrong values on such an adapter.
import { ContractError, type KernelFamily } from './contract';
import { defaultShapes, makeCase, oracle, validateShape, type KernelShape } from './cases';
import { kernelDevice, retireKernelDevice } from './device';
import {
  KernelCompileError, KernelDeviceLostError, KernelTimeoutError, POISON, compileKernel, prepareRun, type CompileMessage,
} from './run';

export type KernelProblem =
  | 'compile' | 'contract' | 'timeout' | 'device-lost' | 'out-of-range' | 'nan' | 'unwritten' | 'nondeterministic' | 'race' | 'wrong' | 'error';

/** Most severe first: the report's `problem` is the first of these any shape showed. */
const PRECEDENCE: KernelProblem[] = ['out-of-range', 'nan', 'unwritten', 'nondeterministic', 'race', 'wrong'];

export interface Tolerance {
  atol: number;
  rtol: number;
}

export const DEFAULT_TOLERANCE: Tolerance = { atol: 1e-4, rtol: 1e-3 };
/** Per dispatch (one run of one shape, with its readback). */
export const DEFAULT_TIMEOUT_MS = 5000;

export interface CheckOptions {
  family: KernelFamily;
  source: string;
  /** Shapes to check at; the family's odd sizes by default (cases.ts). */
  shapes?: readonly KernelShape[];
  /** Seeds the inputs (default 1). */
  seed?: number;
  /** How long one dispatch may take before the check gives up and retires the device (default 5000 ms). */
  timeoutMs?: number;
  tolerance?: Tolerance;
  /** Runs per shape, compared bit for bit (default 3). */
  repeats?: number;
}

export interface CaseResult {
  label: string;
  ok: boolean;
  problem: KernelProblem | null;
  message: string;
  maxAbsErr: number;
  maxRelErr: number;
  /** Elements outside the tolerance, and the first of them. */
  wrong: number;
  firstWrong: { index: number[]; got: number; want: number } | null;
  nan: number;
  inf: number;
  firstNonFinite: number[] | null;
  unwritten: number;
  firstUnwritten: number[] | null;
  /** Elements written past the end of out (into the guard region), and the first one's distance past the end. */
  outOfRange: number;
  firstOutOfRange: number | null;
  nondeterministic: boolean;
  grid: [number, number, number];
}

export interface KernelReport {
  ok: boolean;
  family: KernelFamily;
  source: string;
  adapter: string;
  problem: KernelProblem | null;
  /** One line: what is wrong (or that it passed), starting with a fixed phrase per problem. */
  message: string;
  compileErrors: CompileMessage[];
  cases: CaseResult[];
  maxAbsErr: number;
  maxRelErr: number;
  tolerance: Tolerance;
  timeoutMs: number;
  /** What the contract read from the kernel, when it got that far. */
  kernel: { entryPoint: string; workgroupSize: [number, number, number]; grid: string } | null;
}

/** (b, h, t, j) or (i, j): a flat index of out unravelled by its shape. */
function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let a = shape.length - 1; a >= 0; a--) {
    idx[a] = i % shape[a];
    i = Math.floor(i / shape[a]);
  }
  return idx;
}

const axes = (family: KernelFamily): string => (family === 'attention' ? '(b, h, t, j)' : '(i, j)');
const at = (idx: readonly number[]): string => `(${idx.join(', ')})`;
const num = (x: number): string => (Number.isFinite(x) ? x.toPrecision(4) : String(x));

/** Compares one run's bits with the oracle. */
function compare(
  family: KernelFamily, label: string, bits: Uint32Array, want: Float32Array, shape: readonly number[], tol: Tolerance, grid: [number, number, number],
): CaseResult {
  const n = want.length;
  const f = new Float32Array(bits.buffer, bits.byteOffset, bits.length);
  const r: CaseResult = {
    label, ok: true, problem: null, message: '', maxAbsErr: 0, maxRelErr: 0, wrong: 0, firstWrong: null, nan: 0, inf: 0,
    firstNonFinite: null, unwritten: 0, firstUnwritten: null, outOfRange: 0, firstOutOfRange: null, nondeterministic: false, grid,
  };
  for (let i = 0; i < n; i++) {
    if (bits[i] === POISON) {
      r.unwritten++;
      r.firstUnwritten ??= unravel(i, shape);
      continue;
    }
    const g = f[i];
    if (!Number.isFinite(g)) {
      if (Number.isNaN(g)) r.nan++;
      else r.inf++;
      r.firstNonFinite ??= unravel(i, shape);
      continue;
    }
    const err = Math.abs(g - want[i]);
    r.maxAbsErr = Math.max(r.maxAbsErr, err);
    r.maxRelErr = Math.max(r.maxRelErr, err / Math.max(Math.abs(want[i]), 1e-6));
    if (err > tol.atol + tol.rtol * Math.abs(want[i])) {
      r.wrong++;
      r.firstWrong ??= { index: unravel(i, shape), got: g, want: want[i] };
    }
  }
  for (let i = n; i < bits.length; i++) {
    if (bits[i] !== POISON) {
      r.outOfRange++;
      r.firstOutOfRange ??= i - n;
    }
  }
  const where = `at ${label}`;
  if (r.outOfRange) {
    r.problem = 'out-of-range';
    r.message = `out-of-range writes: ${r.outOfRange} element${r.outOfRange > 1 ? 's' : ''} written past the end of out (${n} elements) ${where}, ` +
      `the first ${r.firstOutOfRange} past the end: a missing bounds check?`;
  } else if (r.nan || r.inf) {
    r.problem = 'nan';
    r.message = `NaN in out: ${r.nan} NaN and ${r.inf} ±Inf of ${n} elements ${where}, the first at ${axes(family)} = ${at(r.firstNonFinite!)}`;
  } else if (r.unwritten) {
    r.problem = 'unwritten';
    r.message = `unwritten outputs: ${r.unwritten} of ${n} elements of out were never written ${where}, the first at ${axes(family)} = ${at(r.firstUnwritten!)}`;
  } else if (r.wrong) {
    r.problem = 'wrong';
    const w = r.firstWrong!;
    r.message = `wrong values: ${r.wrong} of ${n} elements outside the tolerance ${where}, the first at ${axes(family)} = ${at(w.index)}: ` +
      `got ${num(w.got)}, want ${num(w.want)} (max abs error ${num(r.maxAbsErr)})`;
  }
  r.ok = r.problem === null;
  return r;
}

function failed(o: CheckOptions, adapter: string, problem: KernelProblem, message: string, extra: Partial<KernelReport> = {}): KernelReport {
  return {
    ok: false, family: o.family, source: o.source, adapter, problem, message, compileErrors: [], cases: [], maxAbsErr: NaN, maxRelErr: NaN,
    tolerance: o.tolerance ?? DEFAULT_TOLERANCE, timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS, kernel: null, ...extra,
  };
}

/**
 * Checks a user kernel against the CPU oracle (see the file comment). Never throws for a bad kernel: the report
 * says what is wrong. Throws only for bad options (an unknown family, a malformed shape) or when no adapter exists.
 */
export async function checkKernel(o: CheckOptions): Promise<KernelReport> {
  const tol = o.tolerance ?? DEFAULT_TOLERANCE;
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const repeats = o.repeats ?? 3;
  if (o.family !== 'attention' && o.family !== 'matmul') throw new Error(`checkKernel: unknown family '${String(o.family)}'; use 'attention' or 'matmul'`);
  if (typeof o.source !== 'string') throw new Error('checkKernel: source must be the kernel\'s WGSL text');
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`checkKernel: repeats must be a positive integer, got ${repeats}`);
  if (!(timeoutMs > 0)) throw new Error(`checkKernel: timeoutMs must be positive, got ${timeoutMs}`);
  const shapes = o.shapes ?? defaultShapes(o.family);
  for (const s of shapes) validateShape(o.family, s);

  const kd = await kernelDevice();
  const adapter = kd.adapterName;
  let compiled;
  try {
    compiled = await compileKernel(kd, o.family, o.source);
  } catch (e) {
    if (e instanceof KernelCompileError) {
      const m = e.messages[0];
      const where = m.line > 0 ? `WGSL error at ${m.line}:${m.col}` : 'WGSL error';
      return failed(o, adapter, 'compile', `${where}: ${m.message}`, { compileErrors: e.messages });
    }
    if (e instanceof ContractError) return failed(o, adapter, 'contract', `contract: ${e.message}`);
    throw e;
  }
  const c = compiled.contract;
  const kernel = { entryPoint: c.entryPoint, workgroupSize: c.workgroupSize, grid: c.grid.text };

  const cases: CaseResult[] = [];
  const seed = o.seed ?? 1;
  for (let s = 0; s < shapes.length; s++) {
    const kc = makeCase(shapes[s], seed + 10 * s);
    const want = await oracle(o.family, kc);
    let prepared;
    try {
      prepared = prepareRun(compiled, kc);
    } catch (e) {
      return failed(o, adapter, 'contract', `contract: ${(e as Error).message}`, { cases, kernel });
    }
    try {
      let first: CaseResult | null = null;
      let firstBits: Uint32Array | null = null;
      for (let rep = 0; rep < repeats; rep++) {
        if (rep > 0) prepared.poison();
        const bits = await prepared.run(timeoutMs);
        if (!first) {
          first = compare(o.family, kc.label, bits, want, kc.outShape, tol, prepared.grid);
          firstBits = bits;
        } else if (!first.nondeterministic && bits.some((b, i) => b !== firstBits![i])) {
          first.nondeterministic = true;
        }
      }
      const r = first!;
      if (r.nondeterministic && r.problem !== 'out-of-range' && r.problem !== 'nan' && r.problem !== 'unwritten') {
        r.problem = 'nondeterministic';
        r.message = `nondeterministic: likely a race (missing workgroupBarrier?): runs on the same inputs at ${kc.label} gave different outputs`;
      } else if (r.problem === 'wrong' && c.usesWorkgroupMemory && !c.hasBarrier) {
        r.problem = 'race';
        r.message = `likely a race (missing workgroupBarrier?): the kernel shares var<workgroup> memory but never calls workgroupBarrier(), and ${r.message}`;
      }
      r.ok = r.problem === null;
      cases.push(r);
    } catch (e) {
      if (e instanceof KernelTimeoutError) {
        retireKernelDevice(kd, 'a kernel timed out');
        return failed(o, adapter, 'timeout', `timeout: ${e.message} at ${kc.label} (grid ${prepared.grid.join(' × ')}); its device was retired, and the next check opens a fresh one`, { cases, kernel });
      }
      if (e instanceof KernelDeviceLostError) {
        retireKernelDevice(kd, 'the device was lost');
        return failed(o, adapter, 'device-lost', `device lost: ${e.message} at ${kc.label}; the next check opens a fresh device`, { cases, kernel });
      }
      return failed(o, adapter, 'error', `error at ${kc.label}: ${(e as Error).message}`, { cases, kernel });
    } finally {
      prepared.dispose();
    }
  }
  const worst = PRECEDENCE.find((p) => cases.some((r) => r.problem === p)) ?? null;
  const maxAbsErr = Math.max(0, ...cases.map((r) => r.maxAbsErr));
  const maxRelErr = Math.max(0, ...cases.map((r) => r.maxRelErr));
  const message = worst
    ? cases.find((r) => r.problem === worst)!.message
    : `passed: ${cases.length} shapes × ${repeats} runs, max abs error ${num(maxAbsErr)}, max rel error ${num(maxRelErr)} ` +
      `(tolerance |got − want| ≤ ${tol.atol} + ${tol.rtol}·|want|)`;
  return {
    ok: worst === null, family: o.family, source: o.source, adapter, problem: worst, message, compileErrors: [], cases, maxAbsErr, maxRelErr,
    tolerance: tol, timeoutMs, kernel,
  };
}
