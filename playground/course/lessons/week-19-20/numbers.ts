// The numbers weeks 19-20's page states, each computed by engine code (engine/lessons/efficient.ts, lsh.ts, the
// sparse layouts) or read from a file a benchmark or a recipe wrote, never retyped:
//   docs/bench-long.json      `npm run bench:long -- --T=1024,2048,4096 --json=docs/bench-long.json`
//   docs/extrapolation.json   `npm run train -- extrapolation --cpu --json docs/extrapolation.json`
//   docs/ssm-compare.json     `npm run train -- ssm --cpu --json docs/ssm-compare.json`
// Each file is checked for the fields the page reads, so a re-run that changed its format fails loudly here (and in
// test/course.week-19-20.test.ts) instead of showing undefined.
import { functional, mulberry32 } from '../../../../engine/index';
import { efficient, lshBuckets, nearestKeyCollisionRate } from '../../../../engine/course';
import benchJson from '../../../../docs/bench-long.json';
import extrapolationJson from '../../../../docs/extrapolation.json';
import ssmJson from '../../../../docs/ssm-compare.json';

// ---------------------------------------------------------------------------------------------------------------
// Reading the committed results.

/** `value` when `ok`, else an error naming the file and the field, and how to write the file again. */
export function need<T>(ok: boolean, file: string, what: string, value: T, rerun = 're-run the command in its header'): T {
  if (!ok) throw new Error(`${file}: ${what} is missing or malformed; ${rerun}`);
  return value;
}
export const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export interface BenchRow {
  method: string;
  T: number;
  pass: 'fwd' | 'fwd+bwd';
  ms: number;
  peakBytes: number;
}

export interface BenchLong {
  adapter: string;
  B: number;
  H: number;
  d: number;
  rows: BenchRow[];
  /** The 1-minute load average before and after the run (SwiftShader shares the CPU with everything else). */
  load: { before: number; after: number };
  /** The lengths the run reached, ascending. */
  lengths: number[];
}

/** docs/bench-long.json, checked. */
export function benchLong(raw: unknown = benchJson): BenchLong {
  const f = 'docs/bench-long.json';
  const o = raw as Record<string, unknown>;
  const rows = need(Array.isArray(o?.rows) && o.rows.length > 0, f, 'rows', o.rows as BenchRow[]);
  rows.forEach((r, i) => need(typeof r.method === 'string' && isNum(r.T) && isNum(r.ms) && isNum(r.peakBytes) && (r.pass === 'fwd' || r.pass === 'fwd+bwd'), f, `rows[${i}]`, r));
  return {
    adapter: need(typeof o.adapter === 'string', f, 'adapter', o.adapter as string),
    B: need(isNum(o.B), f, 'B', o.B as number),
    H: need(isNum(o.H), f, 'H', o.H as number),
    d: need(isNum(o.d), f, 'd', o.d as number),
    rows,
    load: need(isNum((o.load as Record<string, unknown>)?.before) && isNum((o.load as Record<string, unknown>)?.after), f, 'load', o.load as { before: number; after: number }),
    lengths: [...new Set(rows.map((r) => r.T))].sort((a, b) => a - b),
  };
}

/** One measured time, or an error naming the missing cell. */
export function benchMs(b: BenchLong, method: string, T: number, pass: 'fwd' | 'fwd+bwd'): number {
  const r = b.rows.find((x) => x.method === method && x.T === T && x.pass === pass);
  if (!r) throw new Error(`docs/bench-long.json has no ${method} ${pass} row at T=${T}`);
  return r.ms;
}

export interface Extrapolation {
  trainLength: number;
  /** The task: y_t = x_{t − shift}. */
  shift: number;
  evalLengths: number[];
  chance: number;
  steps: number;
  seconds: number;
  device: string;
  /** Accuracy by encoding, one per eval length; null where the encoding has no positions (learned past training). */
  accuracy: Record<string, Array<number | null>>;
}

/** docs/extrapolation.json, checked. */
export function extrapolation(raw: unknown = extrapolationJson): Extrapolation {
  const f = 'docs/extrapolation.json';
  const o = raw as Record<string, unknown>;
  const evalLengths = need(Array.isArray(o?.evalLengths) && (o.evalLengths as unknown[]).every(isNum), f, 'evalLengths', o.evalLengths as number[]);
  const rows = need(Array.isArray(o.rows), f, 'rows', o.rows as Array<{ encoding: string; accuracy: Array<number | null> }>);
  const accuracy: Record<string, Array<number | null>> = {};
  rows.forEach((r, i) => {
    need(typeof r.encoding === 'string' && Array.isArray(r.accuracy) && r.accuracy.length === evalLengths.length && r.accuracy.every((a) => a === null || isNum(a)), f, `rows[${i}]`, r);
    accuracy[r.encoding] = r.accuracy;
  });
  return {
    trainLength: need(isNum(o.trainLength), f, 'trainLength', o.trainLength as number),
    shift: need(isNum(o.shift), f, 'shift', o.shift as number),
    evalLengths,
    chance: need(isNum(o.chance), f, 'chance', o.chance as number),
    steps: need(isNum(o.steps), f, 'steps', o.steps as number),
    seconds: need(isNum(o.seconds), f, 'seconds', o.seconds as number),
    device: need(typeof o.device === 'string', f, 'device', o.device as string),
    accuracy,
  };
}

/** One encoding's accuracy at one length (a number: the page states no n/a cell). */
export function extrapolationAt(e: Extrapolation, encoding: string, T: number): number {
  const i = e.evalLengths.indexOf(T);
  const a = e.accuracy[encoding]?.[i];
  if (i < 0 || a === undefined || a === null) throw new Error(`docs/extrapolation.json has no accuracy for ${encoding} at T=${T}`);
  return a;
}

export interface SsmComparison {
  lengths: number[];
  seeds: number;
  recallSteps: number;
  textSteps: number;
  /** Mean held-out recall accuracy per length, and its min and max over seeds. */
  recall: Record<'ssm' | 'gpt', Array<{ T: number; mean: number; min: number; max: number; stepsPerSecond: number }>>;
  /** Held-out text loss at the end, mean over seeds. */
  textLoss: Record<'ssm' | 'gpt', number>;
  textStepsPerSecond: Record<'ssm' | 'gpt', number>;
  params: Record<'ssm' | 'gpt', number>;
  chance: number;
  device: string;
  /** The 1-minute load average before and after the run. */
  load: { before: number; after: number };
}

/** docs/ssm-compare.json, checked. */
export function ssmComparison(raw: unknown = ssmJson): SsmComparison {
  const f = 'docs/ssm-compare.json';
  const o = raw as {
    config?: Record<string, unknown>; recall?: Record<string, unknown>; text?: Record<string, unknown>; params?: Record<string, unknown>;
    device?: unknown; loadAverage?: { before?: unknown; after?: unknown };
  };
  // The recipe writes each load average as os.loadavg()'s three figures in a string ("7.46 4.33 2.86").
  const oneMinute = (v: unknown): number => (typeof v === 'string' ? Number(v.split(' ')[0]) : NaN);
  const config = need(typeof o?.config === 'object' && o.config !== null, f, 'config', o.config!);
  const runs = need(typeof o.recall?.runs === 'object', f, 'recall.runs', o.recall!.runs as Record<string, unknown>);
  const text = need(typeof o.text?.runs === 'object', f, 'text.runs', o.text!.runs as Record<string, unknown>);
  const recall = {} as SsmComparison['recall'];
  const textLoss = {} as SsmComparison['textLoss'];
  const textSteps = {} as SsmComparison['textStepsPerSecond'];
  const params = {} as SsmComparison['params'];
  // The recipe names the GPT baseline 'transformer'.
  for (const [m, key] of [['ssm', 'ssm'], ['gpt', 'transformer']] as const) {
    const cells = need(Array.isArray(runs[key]), f, `recall.runs.${key}`, runs[key] as Array<Record<string, unknown>>);
    recall[m] = cells.map((c, i) => {
      const acc = c.accuracy as Record<string, unknown> | undefined;
      need(isNum(c.length) && isNum(acc?.mean) && isNum(acc?.min) && isNum(acc?.max) && isNum(c.stepsPerSecond), f, `recall.runs.${key}[${i}]`, c);
      return { T: c.length as number, mean: acc!.mean as number, min: acc!.min as number, max: acc!.max as number, stepsPerSecond: c.stepsPerSecond as number };
    });
    const t = text[key] as Record<string, unknown> | undefined;
    const loss = (t?.heldOutLoss as Record<string, unknown> | undefined)?.mean;
    textLoss[m] = need(isNum(loss), f, `text.runs.${key}.heldOutLoss.mean`, loss as number);
    textSteps[m] = need(isNum(t?.stepsPerSecond), f, `text.runs.${key}.stepsPerSecond`, t!.stepsPerSecond as number);
    const p = o.params?.[key];
    params[m] = need(isNum(p), f, `params.${key}`, p as number);
  }
  return {
    lengths: need(Array.isArray(o.recall?.lengths), f, 'recall.lengths', o.recall!.lengths as number[]),
    seeds: need(isNum(config.seeds), f, 'config.seeds', config.seeds as number),
    recallSteps: need(isNum(config.recallSteps), f, 'config.recallSteps', config.recallSteps as number),
    textSteps: need(isNum(config.textSteps), f, 'config.textSteps', config.textSteps as number),
    recall,
    textLoss,
    textStepsPerSecond: textSteps,
    params,
    chance: need(isNum(o.recall?.chance), f, 'recall.chance', o.recall!.chance as number),
    device: need(typeof o.device === 'string', f, 'device', o.device as string),
    load: need(isNum(oneMinute(o.loadAverage?.before)) && isNum(oneMinute(o.loadAverage?.after)), f, 'loadAverage', {
      before: oneMinute(o.loadAverage?.before), after: oneMinute(o.loadAverage?.after),
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Masks.

/** The mask widget's length and default window; the prose states the default picture's counts. */
export const MASK_T = 32;
export const MASK_WINDOW = 4;
/** Longformer's global tokens in the picture: the first two positions (a [CLS]-like token and one more). */
export const MASK_GLOBALS = [0, 1] as const;
/** Child et al.'s layout in the picture: blocks of 4 positions, every 4th key block a summary block. */
export const MASK_BLOCK = { blockSize: 4, stride: 4 } as const;

export type MaskKind = 'causal' | 'window' | 'longformer' | 'strided';
export const MASK_KINDS: readonly MaskKind[] = ['causal', 'window', 'longformer', 'strided'];

/** The strided layout's local blocks for a window w: as many blocks as cover w positions. */
export const stridedLocal = (w: number): number => Math.max(1, Math.ceil(w / MASK_BLOCK.blockSize));

/** The engine's attention options for one kind at window w and length T. */
export function maskPattern(kind: MaskKind, w: number, T: number = MASK_T): efficient.AttentionPattern {
  switch (kind) {
    case 'causal':
      return { causal: true };
    case 'window':
      return { causal: true, window: w };
    case 'longformer':
      return { localWindow: w, globalTokens: MASK_GLOBALS.filter((g) => g < T) };
    case 'strided':
      return { causal: true, blockLayout: functional.stridedBlockLayout({ Tq: T, blockSize: MASK_BLOCK.blockSize, local: stridedLocal(w), stride: MASK_BLOCK.stride, causal: true }) };
  }
}

const masks = new Map<string, Promise<number[][]>>();

/** A kind's (T, T) mask at window w, from the engine, computed once per page. */
export function maskOf(kind: MaskKind, w: number, T: number = MASK_T): Promise<number[][]> {
  const key = `${kind}:${w}:${T}`;
  let m = masks.get(key);
  if (!m) {
    m = efficient.patternMask(T, maskPattern(kind, w, T));
    masks.set(key, m);
    m.catch(() => masks.delete(key));
  }
  return m;
}

/** Scores a kind keeps in the default picture. */
export const maskScores = (kind: MaskKind): Promise<number> => maskOf(kind, MASK_WINDOW).then(efficient.maskCount);

/** bench:long's settings (bench/long.ts's constants; its JSON records the measurements, not these). */
export const BENCH_BLOCK = { blockSize: 64, local: 4, stride: 16 } as const;
export const BENCH_WINDOW = 256;
export const BENCH_GLOBALS = 16;
export const BENCH_LINFORMER_K = 256;

/** bench:long's block-sparse layout at length T. */
export const benchLayout = (T: number): functional.BlockLayout => functional.stridedBlockLayout({ Tq: T, ...BENCH_BLOCK, causal: true });
/** The length the README's full run reached, where the page states the shares of scores kept. */
export const FULL_T = 16_384;

// ---------------------------------------------------------------------------------------------------------------
// Reformer's LSH.

/** The LSH demo's vectors: keys N(0, 1), each query a key (in shuffled order) plus noise of this size. */
export const LSH = { keys: 64, dim: 16, noise: 0.6, seed: 5, hashSeed: 11, maxHashes: 8, buckets: [4, 8, 16, 32] as const, defaultBuckets: 16 } as const;

function normals(n: number, r: () => number): number[] {
  // Box–Muller on the seeded uniform stream.
  return Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r()));
}

let lshData: { queries: number[][]; keys: number[][] } | null = null;

/** The seeded keys and queries (the same on every machine). */
export function lshVectors(): { queries: number[][]; keys: number[][] } {
  if (!lshData) {
    const r = mulberry32(LSH.seed);
    const keys = Array.from({ length: LSH.keys }, () => normals(LSH.dim, r));
    // Query i is near key 37·i mod 64 (37 is coprime with 64, so every key is some query's): a fixed shuffle.
    const queries = keys.map((_, i) => keys[(i * 37) % LSH.keys].map((v) => v + LSH.noise * normals(1, r)[0]));
    lshData = { queries, keys };
  }
  return lshData;
}

/** How often a query's nearest key shares a bucket in 1 … maxHashes rounds, for nBuckets buckets. */
export function lshCurve(nBuckets: number): number[] {
  const { queries, keys } = lshVectors();
  return Array.from({ length: LSH.maxHashes }, (_, h) => nearestKeyCollisionRate(queries, keys, nBuckets, h + 1, LSH.hashSeed));
}

/**
 * The work LSH attention leaves: the mean number of keys that share a bucket with a query in at least one of
 * nHashes rounds (the keys it would score), from the engine's lshBuckets with the same rotations as the rate.
 */
export function lshCandidates(nBuckets: number, nHashes: number): number {
  const { queries, keys } = lshVectors();
  const b = lshBuckets([...queries, ...keys], nBuckets, nHashes, LSH.hashSeed); // (nHashes, nq + nk)
  const n = queries.length + keys.length;
  let total = 0;
  for (let i = 0; i < queries.length; i++) {
    for (let j = 0; j < keys.length; j++) {
      for (let h = 0; h < nHashes; h++) {
        if (b[h * n + i] === b[h * n + queries.length + j]) {
          total++;
          break;
        }
      }
    }
  }
  return total / queries.length;
}

// ---------------------------------------------------------------------------------------------------------------
// The scan.

/** The scan widget's inputs: eight steps of one channel. */
export const SCAN_INPUTS = {
  'one pulse': [1, 0, 0, 0, 0, 0, 0, 0],
  'two pulses': [1, 0, 0, 0, 1, 0, 0, 0],
  'steady input': [1, 1, 1, 1, 1, 1, 1, 1],
  'alternating': [1, -1, 1, -1, 1, -1, 1, -1],
} as const satisfies Record<string, readonly number[]>;
export type ScanInput = keyof typeof SCAN_INPUTS;
export const SCAN_DECAY = 0.8;

const scans = new Map<string, Promise<number[]>>();

/** h for a constant decay and one of the inputs, from functional.scan (CPU), once per setting. */
export function scanDemo(decay: number, input: ScanInput): Promise<number[]> {
  const key = `${decay}:${input}`;
  let h = scans.get(key);
  if (!h) {
    const x = SCAN_INPUTS[input];
    h = efficient.scanReference(x.map(() => [decay]), x.map((v) => [v])).then((rows) => rows.map((r) => r[0]));
    scans.set(key, h);
    h.catch(() => scans.delete(key));
  }
  return h;
}
