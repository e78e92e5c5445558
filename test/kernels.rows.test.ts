// The WebGPU row-wise kernels (softmax, log-softmax, layerNorm, crossEntropy) and the lookup/inspection kernels
// (gather, health), each checked against the CPU backend, the oracle. Odd sizes, large-magnitude inputs, grids
// past 65535 workgroups, the device-side error flags and buffer hygiene.
import { beforeAll, describe, expect, test } from 'vitest';
import { CpuBackend } from '../engine/backend/cpu';
import type { Backend, CrossEntropyParams, Storage } from '../engine/backend/backend';
import type { WebGPUBackend } from '../engine/backend/webgpu';
import type { TypedArray } from '../engine/dtype';
import { expectAllClose, gpuBackend, randArray, randInts, ODD_SIZES, type Tolerance } from './helpers';

// Tolerances per op: float32 on the GPU (with its exp/log), float64 accumulation on the CPU.
const TOL = {
  softmax: { atol: 1e-6, rtol: 1e-5 }, // probabilities in [0, 1]: a few ulp of exp plus the 1/Σ rounding
  logSoftmax: { atol: 1e-5, rtol: 1e-5 }, // x - m - log Σ: m and log Σ are exact-ish, so relative to |x - m|
  layerNorm: { atol: 1e-4, rtol: 1e-4 }, // out is O(1)·w + b; the mean and rstd are compared with the same bound
  crossEntropy: { atol: 1e-5, rtol: 1e-5 },
  exact: { atol: 0, rtol: 0 }, // gather moves words; health counts
} satisfies Record<string, Tolerance>;

const cpu = new CpuBackend();
let gpu: WebGPUBackend;

beforeAll(async () => {
  // Rejects with NoAdapterError (which says how to install an adapter) when there is none: the suite fails.
  gpu = await gpuBackend();
});

/** The part of a backend these helpers need, so they take either backend whatever else the contract grows. */
type Io = Pick<Backend, 'upload' | 'read' | 'free'>;

/** Uploads the same host arrays to a backend. */
function up(b: Io, ...arrays: TypedArray[]): Storage[] {
  return arrays.map((a) => b.upload(a));
}

async function readAll(b: Io, ...s: Storage[]): Promise<TypedArray[]> {
  return Promise.all(s.map((x) => b.read(x)));
}

function freeAll(b: Io, ...s: Storage[]): void {
  for (const x of s) b.free(x);
}

/** Row-major shapes (rows, cols) from the odd sizes, capped so each case stays small. */
function oddShapes(maxNumel = 300_000): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const rows of ODD_SIZES) for (const cols of ODD_SIZES) if (rows * cols <= maxNumel) out.push([rows, cols]);
  return out;
}

describe('softmax / log-softmax', () => {
  async function check(x: Float32Array, rows: number, cols: number, log: boolean): Promise<void> {
    const what = `${log ? 'logSoftmax' : 'softmax'} (${rows}, ${cols})`;
    const [cx] = up(cpu, x);
    const want = await cpu.read(cpu.softmax(cx, rows, cols, log));
    const [gx] = up(gpu, x);
    const gout = gpu.softmax(gx, rows, cols, log);
    const got = await gpu.read(gout);
    freeAll(gpu, gx, gout);
    expectAllClose(got, want, log ? TOL.logSoftmax : TOL.softmax, what);
  }

  test('odd shapes', async () => {
    for (const [rows, cols] of oddShapes()) {
      const x = randArray(rows * cols, rows * 1000 + cols, -3, 3);
      for (const log of [false, true]) await check(x, rows, cols, log);
    }
  });

  test('large magnitudes (±100, ±1e4) stay exact and finite', async () => {
    for (const scale of [100, 1e4]) {
      for (const [rows, cols] of [[7, 33], [33, 257], [3, 1000]] as const) {
        const x = randArray(rows * cols, scale + cols, -scale, scale);
        for (const log of [false, true]) await check(x, rows, cols, log);
      }
    }
    const gx = gpu.upload(Float32Array.from([1e4, 0, -1e4, -1e4, 100, 100]));
    const p = gpu.softmax(gx, 3, 2, false);
    const lp = gpu.softmax(gx, 3, 2, true);
    expect(Array.from(await gpu.read(p))).toEqual([1, 0, 0.5, 0.5, 0.5, 0.5]);
    expectAllClose(await gpu.read(lp), [0, -1e4, -Math.LN2, -Math.LN2, -Math.LN2, -Math.LN2], TOL.logSoftmax, 'logSoftmax');
    freeAll(gpu, gx, p, lp);
  });

  test('long rows (50k columns) and more rows than one grid dimension holds', async () => {
    await check(randArray(3 * 50_000, 7, -5, 5), 3, 50_000, false);
    await check(randArray(3 * 50_000, 8, -5, 5), 3, 50_000, true);
    await check(randArray(70_001 * 3, 9, -5, 5), 70_001, 3, false); // 70001 workgroups: folded into y
  });
});

describe('layerNorm', () => {
  async function check(x: Float32Array, rows: number, cols: number, eps = 1e-5, tol: Tolerance = TOL.layerNorm): Promise<void> {
    const what = `layerNorm (${rows}, ${cols})`;
    const w = randArray(cols, cols + 1, 0.5, 1.5);
    const b = randArray(cols, cols + 2);
    const [cx, cw, cb] = up(cpu, x, w, b);
    const c = cpu.layerNorm(cx, cw, cb, rows, cols, eps);
    const [wantOut, wantMean, wantRstd] = await readAll(cpu, c.out, c.mean, c.rstd);
    const [gx, gw, gb] = up(gpu, x, w, b);
    const g = gpu.layerNorm(gx, gw, gb, rows, cols, eps);
    const [out, mean, rstd] = await readAll(gpu, g.out, g.mean, g.rstd);
    freeAll(gpu, gx, gw, gb, g.out, g.mean, g.rstd);
    expectAllClose(out, wantOut, tol, `${what} out`);
    expectAllClose(mean, wantMean, tol, `${what} mean`);
    expectAllClose(rstd, wantRstd, tol, `${what} rstd`);
  }

  test('odd shapes', async () => {
    for (const [rows, cols] of oddShapes()) await check(randArray(rows * cols, rows + cols * 17, -2, 2), rows, cols);
  });

  test('large magnitudes: spread ±100 and ±1e4, and a mean of 1e4 with unit spread', async () => {
    for (const scale of [100, 1e4]) await check(randArray(33 * 257, scale, -scale, scale), 33, 257);
    // |mean| ≫ std: E[x²] - E[x]² would lose every digit here; the mean's rounding must not leak into out.
    const offset = randArray(7 * 1000, 3, -1, 1).map((v) => 1e4 + v);
    await check(offset, 7, 1000, 1e-5, { atol: 1e-3, rtol: 1e-4 }); // x itself is quantized to 1e-3 at 1e4
    const negOffset = randArray(33 * 33, 4, -1, 1).map((v) => -1e4 + v);
    await check(negOffset, 33, 33, 1e-5, { atol: 1e-3, rtol: 1e-4 });
  });

  test('constant rows give rstd = 1/sqrt(eps)', async () => {
    // The folded grid (rows > 65535) is covered by softmax, whose row indexing is the same; 70k one-workgroup
    // rows cost ~7 s on SwiftShader.
    await check(new Float32Array(7 * 33).fill(3), 7, 33, 1e-3);
  });
});

describe('crossEntropy', () => {
  const IGNORE = -100;

  async function check(logits: Float32Array, targets: Int32Array, p: CrossEntropyParams): Promise<void> {
    const what = `crossEntropy (${p.rows}, ${p.classes}) ε=${p.labelSmoothing}`;
    const [cl, ct] = up(cpu, logits, targets);
    const c = cpu.crossEntropy(cl, ct, p);
    const [wantLoss, wantCounted] = await readAll(cpu, c.loss, c.counted);
    const [gl, gt] = up(gpu, logits, targets);
    const g = gpu.crossEntropy(gl, gt, p);
    const [loss, counted] = await readAll(gpu, g.loss, g.counted);
    freeAll(gpu, gl, gt, g.loss, g.counted);
    expectAllClose(loss, wantLoss, TOL.crossEntropy, `${what} loss`);
    expectAllClose(counted, wantCounted, TOL.exact, `${what} counted`);
  }

  /** Targets in [0, classes) with about one row in five set to ignoreIndex. */
  function targetsFor(rows: number, classes: number, seed: number): Int32Array {
    const t = randInts(rows, seed, 0, classes);
    const drop = randInts(rows, seed + 1, 0, 5);
    return t.map((v, i) => (drop[i] === 0 ? IGNORE : v));
  }

  test('odd shapes, with and without label smoothing, ignored rows', async () => {
    for (const [rows, classes] of oddShapes()) {
      const logits = randArray(rows * classes, rows + classes, -4, 4);
      const targets = targetsFor(rows, classes, rows * 3 + classes);
      for (const labelSmoothing of [0, 0.1]) await check(logits, targets, { rows, classes, ignoreIndex: IGNORE, labelSmoothing });
    }
  });

  test('large-magnitude logits (±100, ±1e4) and 50k classes', async () => {
    for (const scale of [100, 1e4]) {
      const [rows, classes] = [33, 257];
      const logits = randArray(rows * classes, scale, -scale, scale);
      const targets = targetsFor(rows, classes, 11);
      for (const labelSmoothing of [0, 0.1]) await check(logits, targets, { rows, classes, ignoreIndex: IGNORE, labelSmoothing });
    }
    const logits = randArray(3 * 50_000, 12, -5, 5);
    await check(logits, Int32Array.from([0, 49_999, 1234]), { rows: 3, classes: 50_000, ignoreIndex: IGNORE, labelSmoothing: 0.1 });
  });

  test('an ignoreIndex inside [0, classes) is still ignored', async () => {
    const logits = randArray(7 * 5, 13);
    await check(logits, Int32Array.from([0, 1, 2, 3, 4, 2, 2]), { rows: 7, classes: 5, ignoreIndex: 2, labelSmoothing: 0 });
  });

  test('a target outside [0, classes) is raised at the next read, and its row gives loss 0', async () => {
    const logits = randArray(4 * 7, 14);
    const [gl, gt] = up(gpu, logits, Int32Array.from([1, 7, IGNORE, -1]));
    const g = gpu.crossEntropy(gl, gt, { rows: 4, classes: 7, ignoreIndex: IGNORE, labelSmoothing: 0 });
    await expect(gpu.read(g.loss)).rejects.toThrow(/crossEntropy/);
    // The flag is cleared once raised; the bad rows read as loss 0, not counted.
    const [loss, counted] = await readAll(gpu, g.loss, g.counted);
    expect(loss[1]).toBe(0);
    expect(loss[3]).toBe(0);
    expect(loss[0]).toBeGreaterThan(0);
    expect(Array.from(counted)).toEqual([1, 0, 0, 0]);
    freeAll(gpu, gl, gt, g.loss, g.counted);
  });
});

describe('gather', () => {
  async function check(table: TypedArray, idx: Int32Array, rows: number, rowSize: number): Promise<void> {
    const what = `gather ${table instanceof Int32Array ? 'int32' : 'float32'} (${rows}, ${rowSize})[${idx.length}]`;
    const [ct, ci] = up(cpu, table, idx);
    const want = await cpu.read(cpu.gather(ct, ci, rows, rowSize));
    const [gt, gi] = up(gpu, table, idx);
    const gout = gpu.gather(gt, gi, rows, rowSize);
    expect(gout.dtype, what).toBe(table instanceof Int32Array ? 'int32' : 'float32');
    const got = await gpu.read(gout);
    freeAll(gpu, gt, gi, gout);
    expectAllClose(got, want, TOL.exact, what);
  }

  test('odd table shapes with repeated indices, float32 and int32 tables', async () => {
    for (const rows of ODD_SIZES) {
      for (const rowSize of [1, 7, 33, 257]) {
        const n = 2 * rows + 5; // more lookups than rows: repeats are certain
        const idx = randInts(n, rows + rowSize, 0, rows);
        await check(randArray(rows * rowSize, rows * rowSize), idx, rows, rowSize);
      }
    }
    // int32 words, including ones whose bits read as NaN/Inf as floats, must pass unchanged.
    const ints = Int32Array.from([0x7fc00000, -1, 0x7f800000, 42, -0x80000000, 7]);
    await check(ints, Int32Array.from([2, 0, 0, 1, 2]), 3, 2);
  });

  test('more outputs than one grid dimension holds', async () => {
    // 70001 lookups of 257 words: 70k+ workgroups of 256 threads, folded into y.
    await check(randArray(33 * 257, 1), randInts(70_001, 2, 0, 33), 33, 257);
  });

  test('an index outside [0, rows) gives zeros and is raised at the next read', async () => {
    const table = randArray(5 * 3, 15, 1, 2); // no zeros, so a zeroed row is visible
    const [gt, gi] = up(gpu, table, Int32Array.from([4, 5, 0, -1, 4]));
    const out = gpu.gather(gt, gi, 5, 3);
    await expect(gpu.read(out)).rejects.toThrow(/gather/);
    const got = await gpu.read(out); // the flag was cleared when raised
    expect(Array.from(got.subarray(3, 6))).toEqual([0, 0, 0]);
    expect(Array.from(got.subarray(9, 12))).toEqual([0, 0, 0]);
    expectAllClose(got.subarray(0, 3), table.subarray(12, 15), TOL.exact, 'good row');
    freeAll(gpu, gt, gi, out);
  });
});

describe('health', () => {
  /** Float32 words with these bit patterns: several NaN payloads (quiet, signalling, negative). */
  const NAN_BITS = [0x7fc00000, 0xffc00000, 0x7f800001, 0x7fffffff, 0xff800123];

  function planted(n: number, nan: number, posInf: number, negInf: number, seed: number): Float32Array {
    // Huge but finite values are not Inf; past a million elements the rest stay 0 to keep the test quick.
    const x = new Float32Array(n);
    x.set(randArray(Math.min(n, 1 << 20), seed, -3e38, 3e38));
    const bits = new Uint32Array(x.buffer);
    const slots = randInts(nan + posInf + negInf, seed + 1, 0, n);
    // Distinct positions: walk forward past any already used.
    const used = new Set<number>();
    const take = (k: number): number => {
      let p = slots[k];
      while (used.has(p)) p = (p + 1) % n;
      used.add(p);
      return p;
    };
    let k = 0;
    for (let i = 0; i < nan; i++, k++) bits[take(k)] = NAN_BITS[i % NAN_BITS.length];
    for (let i = 0; i < posInf; i++, k++) x[take(k)] = Infinity;
    for (let i = 0; i < negInf; i++, k++) x[take(k)] = -Infinity;
    return x;
  }

  async function check(x: Float32Array, want: { nan: number; posInf: number; negInf: number }): Promise<void> {
    const [cx] = up(cpu, x);
    expect(await cpu.health(cx)).toEqual(want); // the oracle agrees with what was planted
    const [gx] = up(gpu, x);
    const before = gpu.memoryStats().buffers;
    expect(await gpu.health(gx)).toEqual(want);
    expect(gpu.memoryStats().buffers, 'the counter buffer went back to the pool').toBe(before);
    gpu.free(gx);
  }

  test('counts NaN (any payload) and ±Inf by bit pattern', async () => {
    await check(planted(1000, 7, 3, 2, 1), { nan: 7, posInf: 3, negInf: 2 });
    await check(planted(257, 0, 0, 0, 2), { nan: 0, posInf: 0, negInf: 0 });
    await check(planted(1, 1, 0, 0, 3), { nan: 1, posInf: 0, negInf: 0 });
    await check(Float32Array.from([0, -0, 1e-45, -1e-45, 3.4028234e38, -3.4028234e38]), { nan: 0, posInf: 0, negInf: 0 });
  });

  test('large tensors: counts across many workgroups and a folded grid', async () => {
    // 2^24 + 5 elements: 65537 workgroups of 256, folded into y.
    await check(planted((1 << 24) + 5, 300, 200, 100, 4), { nan: 300, posInf: 200, negInf: 100 });
  });

  test('int32 tensors have no NaN or Inf', async () => {
    const g = gpu.upload(Int32Array.from([0x7fc00000, 0x7f800000, -0x800000]));
    expect(await gpu.health(g)).toEqual({ nan: 0, posInf: 0, negInf: 0 });
    gpu.free(g);
  });
});
