// The WebGPU backward kernels (softmaxBackward, layerNormBackward, crossEntropyBackward, scatterAdd), the dropout
// mask and the optimizer updates (sgdStep, adamStep), each checked against the CPU backend, the oracle. Odd
// sizes, large magnitudes, repeated and out-of-range indices, bit-identical dropout masks, and several
// consecutive optimizer steps so that state carried between steps is checked too.
//
// Tolerances (|gpu − cpu| ≤ atol + rtol·|cpu|). The GPU computes in float32 with tree or sequential sums; the CPU
// accumulates in doubles and rounds once, so each bound covers float32 summation error of the op's reductions.
//
// | op                       | atol  | rtol  | why                                                                  |
// |--------------------------|-------|-------|----------------------------------------------------------------------|
// | softmaxBackward          | 1e-6  | 1e-4  | y ∈ [0, 1] times (g − Σ g·y): one float32 row sum                    |
// | logSoftmaxBackward       | 1e-5  | 1e-4  | g − exp(y)·Σ g: Σ g over ≤ 1000 cols of ±1 is O(30)                  |
// | layerNormBackward dx     | 1e-4  | 1e-4  | rstd·(…) with two float32 row sums; rstd up to ~3                    |
// | layerNormBackward dw, db | 1e-4  | 1e-4  | float32 column sums over ≤ 1000 rows, lanes added in a fixed order   |
// | crossEntropyBackward     | 1e-6  | 1e-4  | relative to gRow: softmax − q, each term ≤ 1                         |
// | scatterAdd               | 1e-5  | 1e-5  | float32 sums of the repeats in index order vs one double rounding    |
// | dropoutMask              | exact | exact | the same integer hash and integer threshold: compared bit for bit    |
// | sgdStep (5 steps)        | 1e-6  | 1e-5  | a few float32 roundings per step; the CPU rounds state to float32 too |
// | adamStep (5 steps)       | 1e-6  | 1e-4  | m / (√v + eps) amplifies an ulp of v; bias corrections in float64    |
import { beforeAll, describe, expect, test } from 'vitest';
import { CpuBackend } from '../engine/backend/cpu';
import type { AdamParams, Backend, CrossEntropyParams, SgdParams, Storage } from '../engine/backend/backend';
import type { WebGPUBackend } from '../engine/backend/webgpu';
import type { TypedArray } from '../engine/dtype';
import { expectAllClose, gpuBackend, randArray, randInts, ODD_SIZES, type Tolerance } from './helpers';

const TOL = {
  softmaxBackward: { atol: 1e-6, rtol: 1e-4 },
  logSoftmaxBackward: { atol: 1e-5, rtol: 1e-4 },
  layerNormDx: { atol: 1e-4, rtol: 1e-4 },
  layerNormParams: { atol: 1e-4, rtol: 1e-4 },
  crossEntropyBackward: { atol: 1e-6, rtol: 1e-4 },
  scatterAdd: { atol: 1e-5, rtol: 1e-5 },
  sgd: { atol: 1e-6, rtol: 1e-5 },
  adam: { atol: 1e-6, rtol: 1e-4 },
} satisfies Record<string, Tolerance>;

const cpu = new CpuBackend();
let gpu: WebGPUBackend;

beforeAll(async () => {
  // Rejects with NoAdapterError (which says how to install an adapter) when there is none: the suite fails.
  gpu = await gpuBackend();
});

/** The part of a backend these helpers need, so they take either backend whatever else the contract grows. */
type Io = Pick<Backend, 'upload' | 'read' | 'free'>;

function up(b: Io, ...arrays: TypedArray[]): Storage[] {
  return arrays.map((a) => b.upload(a));
}

async function readFree(b: Io, s: Storage): Promise<TypedArray> {
  const out = await b.read(s);
  b.free(s);
  return out;
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

/** Real (log-)softmax outputs of logits in [−scale, scale], from the CPU forward, as the backward's input y. */
async function softmaxOutputs(rows: number, cols: number, scale: number, log: boolean, seed: number): Promise<Float32Array> {
  const [x] = up(cpu, randArray(rows * cols, seed, -scale, scale));
  const y = (await readFree(cpu, cpu.softmax(x, rows, cols, log))) as Float32Array;
  cpu.free(x);
  return y;
}

describe('softmaxBackward', () => {
  async function check(rows: number, cols: number, scale: number, log: boolean): Promise<void> {
    const y = await softmaxOutputs(rows, cols, scale, log, rows * 31 + cols);
    const g = randArray(rows * cols, rows + cols * 7, -1, 1);
    const [cy, cg] = up(cpu, y, g);
    const want = await readFree(cpu, cpu.softmaxBackward(cy, cg, rows, cols, log));
    const [gy, gg] = up(gpu, y, g);
    const got = await readFree(gpu, gpu.softmaxBackward(gy, gg, rows, cols, log));
    freeAll(gpu, gy, gg);
    const what = `${log ? 'logSoftmaxBackward' : 'softmaxBackward'} (${rows}, ${cols}) logits ±${scale}`;
    expectAllClose(got, want, log ? TOL.logSoftmaxBackward : TOL.softmaxBackward, what);
  }

  test('odd shapes', async () => {
    for (const [rows, cols] of oddShapes()) for (const log of [false, true]) await check(rows, cols, 3, log);
  });

  test('y from large-magnitude logits (±100, ±1e4): one-hot-like rows and very negative log-probabilities', async () => {
    for (const scale of [100, 1e4]) {
      for (const [rows, cols] of [[7, 33], [33, 257], [3, 1000]] as const) {
        for (const log of [false, true]) await check(rows, cols, scale, log);
      }
    }
  });
});

describe('layerNormBackward', () => {
  /** The forward runs on the CPU; both backends get the same x, weight, mean, rstd and g. */
  async function check(rows: number, cols: number, center: number, spread: number): Promise<void> {
    const seed = rows * 13 + cols;
    const x = randArray(rows * cols, seed, center - spread, center + spread);
    const w = randArray(cols, seed + 1, 0.5, 1.5);
    const b = randArray(cols, seed + 2, -0.5, 0.5);
    const g = randArray(rows * cols, seed + 3, -1, 1);
    const [cx, cw, cb, cg] = up(cpu, x, w, b, g);
    const fwd = cpu.layerNorm(cx, cw, cb, rows, cols, 1e-5);
    const mean = await cpu.read(fwd.mean);
    const rstd = await cpu.read(fwd.rstd);
    const want = cpu.layerNormBackward(cx, cw, fwd.mean, fwd.rstd, cg, rows, cols);
    const [wdx, wdw, wdb] = [await cpu.read(want.dx), await cpu.read(want.dweight), await cpu.read(want.dbias)];
    const [gx, gw, gm, gr, gg] = up(gpu, x, w, mean, rstd, g);
    const got = gpu.layerNormBackward(gx, gw, gm, gr, gg, rows, cols);
    const [dx, dw, db] = [await readFree(gpu, got.dx), await readFree(gpu, got.dweight), await readFree(gpu, got.dbias)];
    freeAll(gpu, gx, gw, gm, gr, gg);
    const what = `layerNormBackward (${rows}, ${cols}) x = ${center} ± ${spread}`;
    expectAllClose(dx, wdx, TOL.layerNormDx, `${what} dx`);
    expectAllClose(dw, wdw, TOL.layerNormParams, `${what} dweight`);
    expectAllClose(db, wdb, TOL.layerNormParams, `${what} dbias`);
  }

  test('odd shapes', async () => {
    for (const [rows, cols] of oddShapes()) await check(rows, cols, 0, 3);
  });

  test('large mean, unit spread (x = 1e4 ± 1) and large spread (±100)', async () => {
    for (const [rows, cols] of [[7, 33], [33, 257], [257, 7]] as const) {
      await check(rows, cols, 1e4, 1);
      await check(rows, cols, 0, 100);
    }
  });

  test('is deterministic: the same inputs give bit-identical dweight and dbias', async () => {
    const [rows, cols] = [1000, 33];
    const [gx, gw, gm, gr, gg] = up(
      gpu, randArray(rows * cols, 1), randArray(cols, 2), randArray(rows, 3), randArray(rows, 4, 0.5, 2),
      randArray(rows * cols, 5),
    );
    const runs: Uint32Array[] = [];
    for (let k = 0; k < 3; k++) {
      const r = gpu.layerNormBackward(gx, gw, gm, gr, gg, rows, cols);
      const dw = (await readFree(gpu, r.dweight)) as Float32Array;
      const db = (await readFree(gpu, r.dbias)) as Float32Array;
      gpu.free(r.dx);
      runs.push(new Uint32Array([...new Uint32Array(dw.buffer), ...new Uint32Array(db.buffer)]));
    }
    freeAll(gpu, gx, gw, gm, gr, gg);
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
  });
});

describe('crossEntropyBackward', () => {
  const IGNORE = -100;

  /** Targets in range, with every 5th row ignored and every 11th out of range (both must give zero rows). */
  function targetsFor(rows: number, classes: number, seed: number): Int32Array {
    const t = randInts(rows, seed, 0, classes);
    for (let r = 0; r < rows; r += 5) t[r] = IGNORE;
    for (let r = 3; r < rows; r += 11) t[r] = r % 2 === 0 ? classes : -1;
    return t;
  }

  async function check(rows: number, classes: number, scale: number, smoothing: number): Promise<void> {
    const seed = rows * 17 + classes;
    const logits = randArray(rows * classes, seed, -scale, scale);
    const targets = targetsFor(rows, classes, seed + 1);
    const gRow = randArray(rows, seed + 2, -2, 2);
    const p: CrossEntropyParams = { rows, classes, ignoreIndex: IGNORE, labelSmoothing: smoothing };
    const [cl, ct, cg] = up(cpu, logits, targets, gRow);
    const want = await readFree(cpu, cpu.crossEntropyBackward(cl, ct, cg, p));
    const [gl, gt, gg] = up(gpu, logits, targets, gRow);
    const got = await readFree(gpu, gpu.crossEntropyBackward(gl, gt, gg, p));
    freeAll(gpu, gl, gt, gg);
    expectAllClose(got, want, TOL.crossEntropyBackward, `crossEntropyBackward (${rows}, ${classes}) ±${scale} ε=${smoothing}`);
  }

  test('odd shapes, with and without label smoothing, ignored and out-of-range targets give zero rows', async () => {
    for (const [rows, classes] of oddShapes()) for (const eps of [0, 0.1]) await check(rows, classes, 3, eps);
  });

  test('large-magnitude logits (±100, ±1e4) give finite gradients', async () => {
    for (const scale of [100, 1e4]) {
      for (const [rows, classes] of [[7, 33], [33, 257], [3, 1000]] as const) {
        for (const eps of [0, 0.1]) await check(rows, classes, scale, eps);
      }
    }
  });

  test('out-of-range targets raise nothing in the backward (the forward reports them)', async () => {
    const p: CrossEntropyParams = { rows: 2, classes: 3, ignoreIndex: IGNORE, labelSmoothing: 0 };
    const [gl, gt, gg] = up(gpu, Float32Array.from([1, 2, 3, 4, 5, 6]), Int32Array.from([7, 1]), Float32Array.from([1, 1]));
    const got = await readFree(gpu, gpu.crossEntropyBackward(gl, gt, gg, p));
    freeAll(gpu, gl, gt, gg);
    expect(Array.from(got.subarray(0, 3))).toEqual([0, 0, 0]);
  });
});

describe('scatterAdd', () => {
  async function check(g: Float32Array, idx: Int32Array, rows: number, rowSize: number, what: string): Promise<Float32Array> {
    const [cg, ci] = up(cpu, g, idx);
    const want = await readFree(cpu, cpu.scatterAdd(cg, ci, rows, rowSize));
    const [gg, gi] = up(gpu, g, idx);
    const got = (await readFree(gpu, gpu.scatterAdd(gg, gi, rows, rowSize))) as Float32Array;
    freeAll(gpu, gg, gi);
    expectAllClose(got, want, TOL.scatterAdd, what);
    return got;
  }

  test('odd sizes with repeated indices (n > rows, so rows repeat)', async () => {
    for (const rows of ODD_SIZES) {
      for (const n of ODD_SIZES) {
        for (const rowSize of [1, 7, 33]) {
          if (rows * rowSize > 40_000 || n * rowSize > 40_000) continue;
          const seed = rows * 7 + n * 3 + rowSize;
          await check(randArray(n * rowSize, seed), randInts(n, seed + 1, 0, rows), rows, rowSize, `(${rows}, ${n}, ${rowSize})`);
        }
      }
    }
  });

  // Both paths: the one-dispatch scan for rows·n·rowSize ≤ 2^22, the counting sort above it.
  test('out-of-range indices contribute nothing and raise nothing', async () => {
    for (const [rows, n, rowSize] of [[33, 257, 7], [1000, 1001, 7]]) {
      const idx = randInts(n, 9, 0, rows);
      for (let i = 0; i < n; i += 4) idx[i] = [-1, rows, rows + 5, -2147483648, 2147483647][i % 5];
      await check(randArray(n * rowSize, 10), idx, rows, rowSize, `out-of-range indices (${rows}, ${n}, ${rowSize})`);
      await check(randArray(5 * rowSize, 11), Int32Array.from([-1, rows, -1, 99, rows]), rows, rowSize, 'all out of range');
    }
  });

  test('one index repeated n times, and no indices at all', async () => {
    await check(randArray(1000 * 33, 12), new Int32Array(1000).fill(6), 7, 33, 'one index ×1000 (scan)');
    await check(randArray(1000 * 33, 12), new Int32Array(1000).fill(6), 200, 33, 'one index ×1000 (sort)');
    await check(new Float32Array(0), new Int32Array(0), 7, 33, 'n = 0');
  });

  test('is deterministic: repeated runs are bit-identical', async () => {
    const [rows, n, rowSize] = [7, 1000, 33];
    const [gg, gi] = up(gpu, randArray(n * rowSize, 13, -1e3, 1e3), randInts(n, 14, 0, rows));
    const first = new Uint32Array(((await readFree(gpu, gpu.scatterAdd(gg, gi, rows, rowSize))) as Float32Array).buffer);
    for (let k = 0; k < 3; k++) {
      const again = (await readFree(gpu, gpu.scatterAdd(gg, gi, rows, rowSize))) as Float32Array;
      expect(new Uint32Array(again.buffer)).toEqual(first);
    }
    freeAll(gpu, gg, gi);
  });

  test('a vocabulary-sized table: rows 50,000 × n 4,096 × rowSize 64', async () => {
    const [rows, n, rowSize] = [50_000, 4096, 64];
    const idx = randInts(n, 15, 0, rows);
    for (let i = 0; i < n; i += 3) idx[i] = idx[i % 97]; // plenty of repeats, as frequent tokens give
    await check(randArray(n * rowSize, 16), idx, rows, rowSize, 'vocabulary-sized');
  });
});

describe('dropoutMask', () => {
  test('is bit-identical to the CPU for several seeds and p ∈ {0, 0.1, 0.5, 0.7, 0.9, 1}', async () => {
    for (const numel of [...ODD_SIZES, 100_003]) {
      for (const seed of [0, 1, 42, 0xdeadbeef, -7]) {
        for (const p of [0, 0.1, 0.5, 0.7, 0.9, 1]) {
          const want = (await readFree(cpu, cpu.dropoutMask(numel, p, seed))) as Float32Array;
          const got = (await readFree(gpu, gpu.dropoutMask(numel, p, seed))) as Float32Array;
          const [wb, gb] = [new Uint32Array(want.buffer), new Uint32Array(got.buffer)];
          expect(gb.length).toBe(wb.length);
          const bad = gb.findIndex((v, i) => v !== wb[i]);
          if (bad >= 0) {
            expect.fail(`dropoutMask n=${numel} seed=${seed} p=${p}: element ${bad} is ${got[bad]}, expected ${want[bad]}`);
          }
        }
      }
    }
  });

  test('keeps about 1 − p of the elements', async () => {
    const n = 100_003;
    for (const p of [0.1, 0.5, 0.9]) {
      const mask = await readFree(gpu, gpu.dropoutMask(n, p, 123));
      let kept = 0;
      for (const v of mask) if (v !== 0) kept++;
      expect(Math.abs(kept / n - (1 - p))).toBeLessThan(0.01);
    }
  });
});

describe('optimizer steps (5 consecutive steps, fresh gradients each step)', () => {
  const STEPS = 5;
  // Ten parameters in one call: the WebGPU kernel updates several small ones per dispatch (as many as the
  // adapter's storage-buffer limit binds, at most 8) and a large one alone, so this covers full groups, a
  // remainder, the slot boundaries and the large tensor's own dispatch.
  const SIZES = [1, 7, 257, 1000, 33, 5, 20_000, 64, 3, 2];

  test.each<[string, Omit<SgdParams, 'firstStep'>]>([
    ['plain', { lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 }],
    ['momentum + dampening', { lr: 0.05, momentum: 0.9, dampening: 0.1, nesterov: false, weightDecay: 0 }],
    ['nesterov', { lr: 0.05, momentum: 0.9, dampening: 0, nesterov: true, weightDecay: 0 }],
    ['weight decay + momentum', { lr: 0.1, momentum: 0.5, dampening: 0, nesterov: false, weightDecay: 0.01 }],
    ['weight decay, no momentum', { lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0.1 }],
  ])('sgd: %s', async (_name, cfg) => {
    const c = SIZES.map((n) => up(cpu, randArray(n, n, -2, 2), new Float32Array(n))); // [param, buf] each
    const g = SIZES.map((n) => up(gpu, randArray(n, n, -2, 2), new Float32Array(n)));
    const dispatches = gpu.ctx.dispatchesByKernel.get('sgdStep') ?? 0;
    for (let step = 0; step < STEPS; step++) {
      const grads = SIZES.map((n) => randArray(n, n * 100 + step, -1, 1));
      const p: SgdParams = { ...cfg, firstStep: step === 0 };
      const cg = grads.map((x) => up(cpu, x)[0]);
      const gg = grads.map((x) => up(gpu, x)[0]);
      cpu.sgdStep(c.map(([param, buf], i) => ({ param, grad: cg[i], momentumBuf: cfg.momentum !== 0 ? buf : null })), p);
      gpu.sgdStep(g.map(([param, buf], i) => ({ param, grad: gg[i], momentumBuf: cfg.momentum !== 0 ? buf : null })), p);
      freeAll(cpu, ...cg);
      freeAll(gpu, ...gg);
      for (const [i, n] of SIZES.entries()) {
        const what = `sgd n=${n} (slot ${i}) after step ${step + 1}`;
        expectAllClose(await gpu.read(g[i][0]), await cpu.read(c[i][0]), TOL.sgd, `${what} param`);
        if (cfg.momentum !== 0) expectAllClose(await gpu.read(g[i][1]), await cpu.read(c[i][1]), TOL.sgd, `${what} momentum buffer`);
      }
    }
    // Fewer dispatches than parameters per step.
    const perStep = ((gpu.ctx.dispatchesByKernel.get('sgdStep') ?? 0) - dispatches) / STEPS;
    expect(perStep).toBeLessThan(SIZES.length);
    for (const pair of c) freeAll(cpu, ...pair);
    for (const pair of g) freeAll(gpu, ...pair);
  });

  test.each<[string, Omit<AdamParams, 'step'>]>([
    ['Adam', { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false }],
    ['Adam + L2 weight decay', { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: false }],
    ['AdamW', { lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-6, weightDecay: 0.1, decoupled: true }],
  ])('adam: %s', async (_name, cfg) => {
    const state = (be: typeof cpu | typeof gpu) => SIZES.map((n) => up(be, randArray(n, n + 1, -2, 2), new Float32Array(n), new Float32Array(n)));
    const c = state(cpu); // [param, m, v] each
    const g = state(gpu);
    const dispatches = gpu.ctx.dispatchesByKernel.get('adamStep') ?? 0;
    for (let step = 1; step <= STEPS; step++) {
      const grads = SIZES.map((n) => randArray(n, n * 100 + step, -1, 1));
      const p: AdamParams = { ...cfg, step };
      const cg = grads.map((x) => up(cpu, x)[0]);
      const gg = grads.map((x) => up(gpu, x)[0]);
      cpu.adamStep(c.map(([param, m, v], i) => ({ param, grad: cg[i], m, v })), p);
      gpu.adamStep(g.map(([param, m, v], i) => ({ param, grad: gg[i], m, v })), p);
      freeAll(cpu, ...cg);
      freeAll(gpu, ...gg);
      for (const [i, n] of SIZES.entries()) {
        const what = `adam n=${n} (slot ${i}) after step ${step}`;
        expectAllClose(await gpu.read(g[i][0]), await cpu.read(c[i][0]), TOL.adam, `${what} param`);
        expectAllClose(await gpu.read(g[i][1]), await cpu.read(c[i][1]), TOL.adam, `${what} m`);
        expectAllClose(await gpu.read(g[i][2]), await cpu.read(c[i][2]), TOL.adam, `${what} v`);
      }
    }
    const perStep = ((gpu.ctx.dispatchesByKernel.get('adamStep') ?? 0) - dispatches) / STEPS;
    expect(perStep).toBeLessThan(SIZES.length);
    for (const t of c) freeAll(cpu, ...t);
    for (const t of g) freeAll(gpu, ...t);
  });
});
