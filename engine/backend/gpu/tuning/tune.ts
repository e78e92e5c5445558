// The autotuner: for each requested op and shape, every candidate configuration (candidates.ts) is run once and
// checked against the adapter default's output at that shape (a candidate outside the op's tolerance is
// discarded, never chosen), then timed as the benchmarks time work (engine/timing.ts: one warm-up, the median of
// `reps` runs, each awaiting the GPU); the fastest becomes the table's choice for the shape's class (table.ts).
// A candidate must beat the default by WIN_MARGIN to replace it, so timing noise does not pick a tiling; one
// that runs HOPELESS times slower than the default once compiled is not timed further; candidates that run the
// very kernel another already ran at a shape (the tiled 'auto' and the tile it picks) are timed once.
import type { TypedArray } from '../../../dtype';
import type { AttentionParams, MatmulParams, Storage } from '../../backend';
import { denseMatmul } from '../../backend';
import type { WebGPUBackend } from '../../webgpu';
import { timeIt } from '../../../timing';
import { mulberry32 } from '../../../random';
import { softwareAdapter } from '../adapter-class';
import { getMatmulVariant, matmulKernelInfo } from '../matmul';
import { attentionKernelInfo } from '../attention';
import { rowLayout } from '../softmax';
import { FAMILIES, TUNE_OPS, defaultCandidate, type TuneOp } from './candidates';
import { attentionShapeClass, matmulShapeClass, rowShapeClass, tuningTableOf, withCandidate } from './table';
import { TUNE_TOLERANCE, withinTolerance } from './tolerance';
import { saveTuningCache } from './cache';

export interface MatmulTuneShape {
  M: number;
  N: number;
  K: number;
  batch?: number;
}

export interface AttentionTuneShape {
  B: number;
  H: number;
  T: number;
  d: number;
  causal?: boolean; // default true
}

export interface RowTuneShape {
  rows: number;
  cols: number;
}

export interface TuneShapes {
  matmul?: MatmulTuneShape[];
  attention?: AttentionTuneShape[];
  attentionBackward?: AttentionTuneShape[];
  softmax?: RowTuneShape[];
  layernorm?: RowTuneShape[];
}

export interface TuneProgress {
  op: TuneOp;
  shape: string;
  candidate: string;
  step: number; // candidates run so far, over all ops and shapes
  steps: number;
}

export interface TuneOptions {
  /** The ops to tune (default: all of TUNE_OPS). */
  ops?: readonly TuneOp[];
  /** Shapes per op (default: defaultTuneShapes for the adapter class; with quick, the first of each). */
  shapes?: TuneShapes;
  /** One shape per op and 3 timed runs. */
  quick?: boolean;
  /** Timed runs per candidate after the warm-up (default 5, quick 3). */
  reps?: number;
  /** Write the winners into the tuning cache (default true; nothing is written when the cache is off). */
  save?: boolean;
  onProgress?: (p: TuneProgress) => void;
  /**
   * Called after each (op, shape) is decided, once its winner is in the table (and saved, with save), with that
   * result and the report so far: a caller stopped part-way (a time limit) keeps what it wrote from here.
   */
  onResult?: (r: TuneResult, report: TuneReport) => void | Promise<void>;
}

export interface CandidateResult {
  id: string;
  ms: number | null; // median, null when not timed
  maxErr: number | null; // largest |candidate − default| over the outputs
  /** Why it was not timed: outside the tolerance, or the same kernel as another candidate at this shape. */
  skipped?: string;
}

export interface TuneResult {
  op: TuneOp;
  shape: string;
  shapeClass: string;
  defaultId: string;
  defaultMs: number;
  winner: string;
  winnerMs: number;
  speedup: number; // defaultMs / winnerMs
  candidates: CandidateResult[];
}

export interface TuneReport {
  adapter: string;
  results: TuneResult[];
  /** Where the winners were written, or null (cache off, save: false, or the save failed). */
  savedTo: string | null;
  /** Why the last save failed (the winners then hold for this session only), or null. */
  saveError: string | null;
  /** Notes such as an op skipped at a shape the fused kernels do not take. */
  notes: string[];
}

/** A candidate replaces the default only when at least this much faster (SwiftShader's timings vary ~5% run to run). */
export const WIN_MARGIN = 1.05;

/**
 * A candidate whose first run after compiling takes this many times the default's median is not timed further:
 * on a hardware GPU the SwiftShader-shaped kernels run 4-10× behind, and timing them at the large shapes would
 * spend most of a tuning run.
 */
export const HOPELESS = 4;

/**
 * Shapes tune() measures when given none, one per shape class (table.ts): small on CPU Vulkans (the whole run
 * stays within minutes on SwiftShader), the benchmarks' shapes on hardware GPUs.
 */
export function defaultTuneShapes(software: boolean): Required<TuneShapes> {
  if (software) {
    return {
      matmul: [{ M: 64, N: 64, K: 64 }, { M: 256, N: 256, K: 256 }, { M: 32, N: 64, K: 2048 }, { M: 64, N: 64, K: 64, batch: 8 }],
      attention: [{ B: 1, H: 2, T: 128, d: 32 }, { B: 1, H: 2, T: 256, d: 64 }],
      attentionBackward: [{ B: 1, H: 2, T: 128, d: 32 }],
      softmax: [{ rows: 256, cols: 128 }, { rows: 16, cols: 2048 }],
      layernorm: [{ rows: 256, cols: 128 }, { rows: 16, cols: 2048 }],
    };
  }
  return {
    matmul: [
      { M: 2048, N: 2048, K: 2048 }, { M: 256, N: 256, K: 256 }, { M: 64, N: 64, K: 64 },
      { M: 8192, N: 64, K: 8192 }, { M: 512, N: 512, K: 64, batch: 32 },
    ],
    attention: [{ B: 4, H: 12, T: 1024, d: 64 }, { B: 4, H: 12, T: 4096, d: 64 }, { B: 1, H: 4, T: 256, d: 64 }],
    attentionBackward: [{ B: 4, H: 12, T: 1024, d: 64 }, { B: 1, H: 4, T: 256, d: 64 }],
    softmax: [{ rows: 4096, cols: 1024 }, { rows: 64, cols: 50304 }, { rows: 8192, cols: 128 }],
    layernorm: [{ rows: 4096, cols: 768 }, { rows: 8192, cols: 128 }],
  };
}

/** One op at one shape: its inputs on the device, and the run that produces its outputs from them. */
interface Job {
  label: string;
  shapeClass: string;
  run: () => Storage[]; // encodes the op; the caller reads and frees the outputs
  /** The kernel a candidate runs here: candidates that share one are timed once. */
  kernelOf: () => string;
  K?: number; // matmul's sum length, for its tolerance
  free: () => void;
}

/** Seeded uniform values in [-1, 1), so every run of the tuner sees the same inputs. */
function values(n: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({ length: n }, () => 2 * random() - 1);
}

function attentionParams(s: AttentionTuneShape): AttentionParams {
  return {
    B: s.B, H: s.H, Tq: s.T, Tk: s.T, d: s.d, scale: 1 / Math.sqrt(s.d), causal: s.causal ?? true, window: 0,
    mask: 'none', maskStrides: [0, 0, 0, 0], alibi: false,
  };
}

/** The job of `op` at `shape`, or a string saying why this adapter cannot run it. */
function makeJob(be: WebGPUBackend, op: TuneOp, shape: MatmulTuneShape | AttentionTuneShape | RowTuneShape): Job | string {
  const uploads: Storage[] = [];
  const up = (n: number, seed: number): Storage => {
    const s = be.upload(values(n, seed));
    uploads.push(s);
    return s;
  };
  const free = (): void => uploads.forEach((s) => be.free(s));
  if (op === 'matmul') {
    const { M, N, K, batch = 1 } = shape as MatmulTuneShape;
    const p: MatmulParams = denseMatmul({ batch, M, N, K, aBatchStride: M * K, bBatchStride: K * N });
    const [a, b] = [up(batch * M * K, 1), up(batch * K * N, 2)];
    return {
      label: `${batch > 1 ? `${batch}×` : ''}${M}×${N}×${K}`, shapeClass: matmulShapeClass({ M, N, K, batch }), K,
      run: () => [be.matmul(a, b, p).out], kernelOf: () => matmulKernelInfo(be.ctx, p).name, free,
    };
  }
  if (op === 'attention' || op === 'attentionBackward') {
    const s = shape as AttentionTuneShape;
    const p = attentionParams(s);
    const why = be.attentionUnsupported(p);
    if (why) return `the fused kernels do not take B${s.B} H${s.H} T${s.T} d${s.d}: ${why}`;
    const n = s.B * s.H * s.T * s.d;
    const [q, k, v] = [up(n, 3), up(n, 4), up(n, 5)];
    const label = `B${s.B} H${s.H} T${s.T} d${s.d}${p.causal ? ' causal' : ''}`;
    const shapeClass = attentionShapeClass({ T: s.T, d: s.d, causal: p.causal });
    if (op === 'attention') {
      const kernelOf = (): string => attentionKernelInfo(be.ctx, p, ['forward']);
      return { label, shapeClass, kernelOf, run: () => { const r = be.attentionForward(q, k, v, null, null, p); return [r.out, r.lse]; }, free };
    }
    // The backward's inputs: one forward, at the default tiling (attention is not forced here).
    const fwd = be.attentionForward(q, k, v, null, null, p);
    uploads.push(fwd.out, fwd.lse);
    const g = up(n, 6);
    return {
      label, shapeClass, free, kernelOf: () => attentionKernelInfo(be.ctx, p, ['dq', 'dkdv']),
      run: () => { const r = be.attentionBackward(q, k, v, fwd.out, fwd.lse, g, null, null, p); return [r.dq, r.dk, r.dv]; },
    };
  }
  const { rows, cols } = shape as RowTuneShape;
  const x = up(rows * cols, 7);
  const label = `${rows}×${cols}`;
  const shapeClass = rowShapeClass({ rows, cols });
  const kernelOf = (): string => `WG ${rowLayout(be.ctx, rows, cols, op).constants.WG}`;
  if (op === 'softmax') return { label, shapeClass, kernelOf, run: () => [be.softmax(x, rows, cols, false)], free };
  const [w, b] = [up(cols, 8), up(cols, 9)];
  return { label, shapeClass, kernelOf, run: () => { const r = be.layerNorm(x, w, b, rows, cols, 1e-5); return [r.out, r.mean, r.rstd]; }, free };
}

/** Runs the job once and reads every output (the GPU work done), freeing them. */
async function outputs(be: WebGPUBackend, job: Job): Promise<TypedArray[]> {
  const outs = job.run();
  try {
    return await Promise.all(outs.map((s) => be.read(s)));
  } finally {
    outs.forEach((s) => be.free(s));
  }
}

/** Runs the job once and waits for the GPU to finish it (reading back one element), freeing the outputs. */
async function runToCompletion(be: WebGPUBackend, job: Job): Promise<void> {
  const outs = job.run();
  try {
    await be.read(outs[0], Math.min(1, outs[0].numel));
  } finally {
    outs.forEach((s) => be.free(s));
  }
}

/** The contexts a tune() is running on: a second one there would time its candidates under the first's forcing. */
const tuning = new WeakSet<object>();

/**
 * Times every candidate of every requested op and shape on `be`'s adapter; records and (optionally) saves the
 * winners. Refuses to start while another tune() runs on the same device.
 */
export async function tuneBackend(be: WebGPUBackend, opts: TuneOptions = {}): Promise<TuneReport> {
  if (tuning.has(be.ctx)) throw new Error(`tune() is already running on this device (${be.ctx.adapterName}); wait for it to finish`);
  tuning.add(be.ctx);
  try {
    return await tuneAll(be, opts);
  } finally {
    tuning.delete(be.ctx);
  }
}

async function tuneAll(be: WebGPUBackend, opts: TuneOptions): Promise<TuneReport> {
  const ops = opts.ops ?? TUNE_OPS;
  for (const op of ops) if (!TUNE_OPS.includes(op)) throw new Error(`tune: unknown op '${op}'; the ops are ${TUNE_OPS.join(', ')}`);
  if (ops.includes('matmul') && getMatmulVariant() !== 'auto') {
    throw new Error(`tune: the matmul variant is forced to '${getMatmulVariant()}' (setMatmulVariant); tuning needs 'auto'`);
  }
  const software = softwareAdapter(be.ctx);
  const defaults = defaultTuneShapes(software);
  const reps = opts.reps ?? (opts.quick ? 3 : 5);
  const plan = ops.map((op) => {
    const shapes: Array<MatmulTuneShape | AttentionTuneShape | RowTuneShape> = opts.shapes?.[op] ?? defaults[op];
    return { op, shapes: opts.quick ? shapes.slice(0, 1) : shapes };
  });
  const steps = plan.reduce((n, { op, shapes }) => n + shapes.length * FAMILIES[op].candidates.length, 0);
  let step = 0;
  const table = tuningTableOf(be.ctx);
  const report: TuneReport = { adapter: be.ctx.adapterName, results: [], savedTo: null, saveError: null, notes: [] };

  for (const { op, shapes } of plan) {
    const classes = new Map<string, string>(); // shape class → the shape tuned for it so far
    for (const shape of shapes) {
      const job = makeJob(be, op, shape);
      if (typeof job === 'string') {
        report.notes.push(`${op}: ${job}`);
        step += FAMILIES[op].candidates.length;
        continue;
      }
      const earlier = classes.get(job.shapeClass);
      if (earlier) report.notes.push(`${op}: ${earlier} and ${job.label} share the shape class ${job.shapeClass}; the choice at ${job.label} is kept`);
      classes.set(job.shapeClass, job.label);
      try {
        const def = defaultCandidate(op, software);
        const tol = TUNE_TOLERANCE[op](job.K ?? 0);
        const reference = await withCandidate(be.ctx, op, def.id, () => outputs(be, job));
        let defaultMs = Infinity; // known once the default, which runs first, is timed
        const results: CandidateResult[] = [];
        const kernels = new Map<string, string>(); // kernel name → first candidate that ran it
        // The default first, so that candidates sharing its kernel are skipped as its duplicates.
        const order = [def, ...FAMILIES[op].candidates.filter((c) => c.id !== def.id)];
        for (const c of order) {
          opts.onProgress?.({ op, shape: job.label, candidate: c.id, step: step++, steps });
          await withCandidate(be.ctx, op, c.id, async () => {
            const kernel = job.kernelOf();
            const same = kernels.get(kernel);
            if (same !== undefined) {
              results.push({ id: c.id, ms: null, maxErr: null, skipped: `runs the same kernel as ${same} here` });
              return;
            }
            kernels.set(kernel, c.id);
            const got = c.id === def.id ? reference : await outputs(be, job);
            const maxErr = Math.max(0, ...got.map((g, i) => withinTolerance(g, reference[i], tol)));
            if (!(maxErr <= 1)) {
              results.push({ id: c.id, ms: null, maxErr, skipped: `differs from ${def.id} beyond the tolerance (${maxErr.toFixed(1)}× the allowed error)` });
              return;
            }
            if (c.id !== def.id) {
              const t0 = performance.now();
              await runToCompletion(be, job);
              const probe = performance.now() - t0;
              if (probe > HOPELESS * defaultMs) {
                results.push({ id: c.id, ms: null, maxErr, skipped: `one run took ${(probe / defaultMs).toFixed(1)}× the default's median` });
                return;
              }
            }
            const t = await timeIt(() => runToCompletion(be, job), reps);
            if (c.id === def.id) defaultMs = t.ms;
            results.push({ id: c.id, ms: t.ms, maxErr });
          });
        }
        const timed = results.filter((r) => r.ms !== null) as Array<CandidateResult & { ms: number }>;
        const best = timed.reduce((x, y) => (y.ms < x.ms ? y : x));
        const winner = best.ms * WIN_MARGIN <= defaultMs ? best : timed.find((r) => r.id === def.id)!;
        table.set(op, job.shapeClass, { id: winner.id, ms: winner.ms, defaultMs, shape: job.label });
        const result: TuneResult = {
          op, shape: job.label, shapeClass: job.shapeClass, defaultId: def.id, defaultMs, winner: winner.id, winnerMs: winner.ms,
          speedup: defaultMs / winner.ms, candidates: results,
        };
        report.results.push(result);
        // Saved after every winner (one small file write), so a run stopped by a time limit keeps what it chose.
        if (opts.save ?? true) await save(be, report);
        await opts.onResult?.(result, report);
      } finally {
        job.free();
      }
    }
  }
  return report;
}

/** Writes the table to the cache; a failure is recorded in the report (the run's results stand), never thrown. */
async function save(be: WebGPUBackend, report: TuneReport): Promise<void> {
  try {
    report.savedTo = await saveTuningCache(be.ctx);
    report.saveError = null;
  } catch (e) {
    report.savedTo = null;
    report.saveError = (e as Error).message ?? String(e);
  }
}
