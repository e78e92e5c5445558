// The autotuner's guarantee: whichever candidate a tuned table picks, results stay within the op's tolerance
// (engine/backend/gpu/tuning/tolerance.ts) of the CPU oracle. Every candidate of every family runs here (forced
// through withCandidate) at odd shapes: matmul with K = 1, 1 × N, M × 1, sizes that are multiples of no tile,
// transposed operands, a batch, the vec4 paths, the fused bias + activation and the row sums, and the long K
// that split-K splits; attention causal and not, with a window, ALiBi, a float mask, a block-sparse layout with a
// global token, T not a multiple of any tile, head dims 4 and 8 forward and backward and 64 forward (its unrolled
// backward kernels take seconds each to compile on SwiftShader; test/attention.test.ts runs them at the
// defaults); softmax and layerNorm with short and long rows.
// Then the table and its cache: a tuned entry changes the kernel a matmul runs (seen through matmulKernelInfo and
// the dispatch counts, not timing), the cache file round-trips, a malformed one is refused by name and leaves
// the defaults, GPU_LEARN_TUNING=off reads and writes nothing, and tune() itself records a winner.
// No test skips: without an adapter init() rejects and every test fails.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { init, tensor, functional, dispose, tune, tuningTable, reloadTuning, TuningCacheError, type Tensor } from '../engine/index';
import { CpuBackend } from '../engine/backend/cpu';
import type { AttentionParams, MatmulActivation, MatmulParams } from '../engine/backend/backend';
import { attentionKernelInfo } from '../engine/backend/gpu/attention';
import type { WebGPUBackend } from '../engine/backend/webgpu';
import { webgpuBackend } from '../engine/device';
import { matmulKernelInfo } from '../engine/backend/gpu/matmul';
import { FAMILIES } from '../engine/backend/gpu/tuning/candidates';
import { configFor, matmulShapeClass, tuningTableOf, withCandidate } from '../engine/backend/gpu/tuning/table';
import { TUNE_TOLERANCE } from '../engine/backend/gpu/tuning/tolerance';
import { loadTuningCache, saveTuningCache, TUNING_ENV } from '../engine/backend/gpu/tuning/cache';
import { stridedBlockLayout, type AttentionOptions } from '../engine/functional';
import { expectAllClose, randArray } from './helpers';

const cpu = new CpuBackend();
let be: WebGPUBackend;

beforeAll(async () => {
  await init({ backend: 'webgpu' });
  be = webgpuBackend()!;
});

describe('every matmul candidate against the CPU oracle', () => {
  interface Case {
    name: string;
    batch?: number;
    M: number;
    N: number;
    K: number;
    aT?: boolean; // A stored transposed (K, M)
    bT?: boolean; // B stored transposed (N, K): x @ Wᵀ
    bias?: boolean;
    activation?: MatmulActivation;
    sumA?: boolean;
  }
  const CASES: Case[] = [
    { name: 'M × 1 with K = 1, Aᵀ, bias + gelu', M: 33, N: 1, K: 1, aT: true, bias: true, activation: 'gelu' },
    { name: '1 × N, bias + gelu', M: 1, N: 257, K: 33, bias: true, activation: 'gelu' },
    { name: 'long K (split), Aᵀ Bᵀ, bias + gelu', M: 33, N: 7, K: 257, aT: true, bT: true, bias: true, activation: 'gelu' },
    { name: 'vec4 layouts, x @ Wᵀ, long K (split), bias + gelu', M: 36, N: 68, K: 260, bT: true, bias: true, activation: 'gelu' },
    { name: 'batch of 3, bias + gelu', batch: 3, M: 7, N: 33, K: 9, bias: true, activation: 'gelu' },
    { name: 'row sums (Linear\'s dW), bias + gelu', M: 7, N: 33, K: 9, bias: true, activation: 'gelu', sumA: true },
  ];
  // The cases share their epilogue and load widths where they can, so that a tile compiles few kernel variants
  // (compiling, 1-3 s a kernel on SwiftShader, not running, is what costs here): a tiled candidate compiles three
  // (scalar loads, vec4 loads, and row sums). Each activation is covered by test/matmul.test.ts.
  // Candidates that run the same kernel at a case (the tiled 'auto' and the 8×8 tile it picks here, say) are
  // checked there once: the same kernel on the same inputs gives the same output.
  const checked = new Set<string>();

  /** Contiguous operands of (batch, rows, cols), or stored transposed as (batch, cols, rows). */
  function params(c: Case): MatmulParams {
    const batch = c.batch ?? 1;
    const op = (rows: number, cols: number, t?: boolean) => ({
      offset: 0, rowStride: t ? 1 : cols, colStride: t ? rows : 1, batchStrides: [rows * cols],
    });
    return {
      M: c.M, N: c.N, K: c.K, batchShape: [batch], a: op(c.M, c.K, c.aT), b: op(c.K, c.N, c.bT),
      biasOffset: 0, activation: c.activation ?? 'none', sumA: c.sumA,
    };
  }

  it.each(FAMILIES.matmul.candidates.map((cand) => [cand.id]))('%s', async (id) => {
    for (const [n, c] of CASES.entries()) {
      const p = params(c);
      const batch = c.batch ?? 1;
      const a = randArray(batch * c.M * c.K, 10 + n);
      const b = randArray(batch * c.K * c.N, 20 + n);
      const bias = c.bias ? randArray(c.N, 30 + n) : null;
      const want = cpu.matmul(cpu.upload(a), cpu.upload(b), p, bias ? cpu.upload(bias) : null);
      const wantOut = (await cpu.read(want.out)) as Float32Array;
      const [ga, gb, gbias] = [be.upload(a), be.upload(b), bias ? be.upload(bias) : null];
      await withCandidate(be.ctx, 'matmul', id, async () => {
        const kernel = matmulKernelInfo(be.ctx, p, !!bias).name;
        if (checked.has(`${n}|${kernel}`)) return;
        checked.add(`${n}|${kernel}`);
        const got = be.matmul(ga, gb, p, gbias);
        const tol = TUNE_TOLERANCE.matmul(c.K);
        expectAllClose((await be.read(got.out)) as Float32Array, wantOut, tol, `${id}, ${c.name} (${kernel}): C`);
        if (c.sumA) expectAllClose((await be.read(got.sumA!)) as Float32Array, (await cpu.read(want.sumA!)) as Float32Array, tol, `${id}, ${c.name}: row sums`);
        be.free(got.out);
        if (got.sumA) be.free(got.sumA);
      });
      [ga, gb, gbias].forEach((s) => s && be.free(s));
    }
  });

  it('split-K really splits the long-K cases (and only where it applies)', async () => {
    await withCandidate(be.ctx, 'matmul', 'splitk-8', async () => {
      expect(matmulKernelInfo(be.ctx, params(CASES[2]), true).name).toMatch(/^splitk=8\|/);
      expect(matmulKernelInfo(be.ctx, params(CASES[3]), true).name).toMatch(/^splitk=8\|/);
      expect(matmulKernelInfo(be.ctx, params(CASES[0])).name).not.toMatch(/^splitk/); // K = 1: nothing to split
      expect(matmulKernelInfo(be.ctx, params(CASES[5]), true).name).not.toMatch(/^splitk/); // row sums
      expect(matmulKernelInfo(be.ctx, params(CASES[4])).name).not.toMatch(/^splitk/); // a batch
    });
  });
});

describe('every attention candidate against the CPU oracle', () => {
  interface Case {
    name: string;
    B: number;
    H: number;
    Tq: number;
    Tk: number;
    d: number;
    opts: (device: 'cpu' | 'webgpu') => AttentionOptions;
    forwardOnly?: boolean; // d = 64's unrolled backward kernels take seconds each to compile on SwiftShader
  }
  const slopes = (device: 'cpu' | 'webgpu'): Tensor => tensor(Float32Array.from([0.5, 0.25]), [2], { device });
  const maskValues = randArray(1 * 2 * 7 * 37, 99, -2, 2);
  const CASES: Case[] = [
    { name: 'causal, window 9 + ALiBi, d4 T37', B: 1, H: 2, Tq: 37, Tk: 37, d: 4, opts: (dev) => ({ causal: true, window: 9, alibiSlopes: slopes(dev) }) },
    {
      name: 'not causal, float bias (H, Tq, Tk), Tq 7 ≠ Tk 37, d8', B: 1, H: 2, Tq: 7, Tk: 37, d: 8,
      opts: (dev) => ({ mask: tensor(maskValues, [1, 2, 7, 37], { device: dev }) }),
    },
    {
      name: 'block-sparse with a global token, causal d8 T40', B: 1, H: 2, Tq: 40, Tk: 40, d: 8,
      opts: () => ({ causal: true, blockLayout: stridedBlockLayout({ Tq: 40, blockSize: 8, local: 1, stride: 2, causal: true }), globalTokens: [3] }),
    },
    // T = 17 keeps R at 4 or less for every candidate (tilingFor cuts R to the rows there are): an 8-row block at
    // d = 64 compiles for seconds here, and test/attention.test.ts runs it at the default tiling.
    { name: 'causal d64 T17', B: 1, H: 2, Tq: 17, Tk: 17, d: 64, opts: () => ({ causal: true }), forwardOnly: true },
  ];

  async function run(c: Case, n: number, device: 'cpu' | 'webgpu', grads: boolean): Promise<Float32Array[]> {
    const [nq, nk] = [c.B * c.H * c.Tq * c.d, c.B * c.H * c.Tk * c.d];
    const q = tensor(randArray(nq, 40 + n, -2, 2), [c.B, c.H, c.Tq, c.d], { device, requiresGrad: grads });
    const k = tensor(randArray(nk, 50 + n), [c.B, c.H, c.Tk, c.d], { device, requiresGrad: grads });
    const v = tensor(randArray(nk, 60 + n), [c.B, c.H, c.Tk, c.d], { device, requiresGrad: grads });
    const opts = c.opts(device);
    const out = functional.scaledDotProductAttention(q, k, v, { ...opts, impl: device === 'webgpu' ? 'fused' : 'auto' });
    const r = [(await out.toArray()) as Float32Array];
    if (grads) {
      const g = tensor(randArray(nq, 70 + n), out.shape, { device });
      out.backward(g);
      for (const t of [q, k, v]) r.push((await t.grad!.toArray()) as Float32Array);
      dispose([g, q.grad, k.grad, v.grad]);
    }
    dispose([q, k, v, out, opts.mask, opts.alibiSlopes]);
    return r;
  }

  const oracle = new Map<string, Promise<Float32Array[]>>();
  const want = (c: Case, n: number): Promise<Float32Array[]> => {
    if (!oracle.has(c.name)) oracle.set(c.name, run(c, n, 'cpu', !c.forwardOnly));
    return oracle.get(c.name)!;
  };

  // As for matmul, a case runs once per distinct tiling (short rows cut R down, so candidates can coincide).
  const checked = new Set<string>();
  const firstTime = (c: Case, which: Array<'forward' | 'dq' | 'dkdv'>): boolean => {
    const p: AttentionParams = {
      B: c.B, H: c.H, Tq: c.Tq, Tk: c.Tk, d: c.d, scale: 1, causal: false, window: 0, mask: 'none', maskStrides: [0, 0, 0, 0], alibi: false,
    };
    const key = `${c.name}|${attentionKernelInfo(be.ctx, p, which)}`;
    if (checked.has(key)) return false;
    checked.add(key);
    return true;
  };

  it.each(FAMILIES.attention.candidates.map((cand) => [cand.id]))('forward %s', async (id) => {
    for (const [n, c] of CASES.entries()) {
      if (!(await withCandidate(be.ctx, 'attention', id, async () => firstTime(c, ['forward'])))) continue;
      const [out] = await withCandidate(be.ctx, 'attention', id, () => run(c, n, 'webgpu', false));
      expectAllClose(out, (await want(c, n))[0], TUNE_TOLERANCE.attention(0), `forward ${id}, ${c.name}: out`);
    }
  });

  it.each(FAMILIES.attentionBackward.candidates.map((cand) => [cand.id]))('backward %s', async (id) => {
    for (const [n, c] of CASES.entries()) {
      if (c.forwardOnly || !(await withCandidate(be.ctx, 'attentionBackward', id, async () => firstTime(c, ['dq', 'dkdv'])))) continue;
      const got = await withCandidate(be.ctx, 'attentionBackward', id, () => run(c, n, 'webgpu', true));
      const ref = await want(c, n);
      ['dq', 'dk', 'dv'].forEach((name, i) => expectAllClose(got[i + 1], ref[i + 1], TUNE_TOLERANCE.attentionBackward(0), `backward ${id}, ${c.name}: ${name}`));
    }
  });
});

describe('every row-kernel candidate against the CPU oracle', () => {
  const SHAPES: Array<[number, number]> = [[7, 33], [65, 257], [3, 1100]];
  it.each(FAMILIES.softmax.candidates.map((cand) => [cand.id]))('softmax and layerNorm %s', async (id) => {
    for (const [n, [rows, cols]] of SHAPES.entries()) {
      const x = randArray(rows * cols, 80 + n, -3, 3);
      const w = randArray(cols, 90 + n);
      const b = randArray(cols, 95 + n);
      const wantSm = (await cpu.read(cpu.softmax(cpu.upload(x), rows, cols, false))) as Float32Array;
      const wantLn = (await cpu.read(cpu.layerNorm(cpu.upload(x), cpu.upload(w), cpu.upload(b), rows, cols, 1e-5).out)) as Float32Array;
      const [gx, gw, gb] = [be.upload(x), be.upload(w), be.upload(b)];
      const sm = await withCandidate(be.ctx, 'softmax', id, async () => (await be.read(be.softmax(gx, rows, cols, false))) as Float32Array);
      expectAllClose(sm, wantSm, TUNE_TOLERANCE.softmax(0), `softmax ${id}, ${rows}×${cols}`);
      const ln = await withCandidate(be.ctx, 'layernorm', id, async () => (await be.read(be.layerNorm(gx, gw, gb, rows, cols, 1e-5).out)) as Float32Array);
      expectAllClose(ln, wantLn, TUNE_TOLERANCE.layernorm(0), `layerNorm ${id}, ${rows}×${cols}`);
      [gx, gw, gb].forEach((s) => be.free(s));
    }
  });
});

describe('the tuning table and its cache', () => {
  let dir: string;
  const envBefore = process.env[TUNING_ENV];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gpu-learn-tuning-'));
  });
  afterEach(() => {
    tuningTableOf(be.ctx).clear();
    process.env[TUNING_ENV] = envBefore;
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const p: MatmulParams = {
    M: 24, N: 40, K: 12, batchShape: [1], a: { offset: 0, rowStride: 12, colStride: 1, batchStrides: [0] },
    b: { offset: 0, rowStride: 40, colStride: 1, batchStrides: [0] }, biasOffset: 0, activation: 'none',
  };
  const cls = matmulShapeClass({ M: 24, N: 40, K: 12, batch: 1 });

  it('runs the built-in defaults under the tests (GPU_LEARN_TUNING=off)', () => {
    expect(process.env[TUNING_ENV]).toBe('off');
    expect(tuningTable().source).toBeNull();
  });

  it('a table entry changes the kernel a matmul runs', async () => {
    const before = matmulKernelInfo(be.ctx, p).name;
    tuningTableOf(be.ctx).set('matmul', cls, { id: 'tiled-8x8-rm4-tk32', ms: 1, defaultMs: 2, shape: '24×40×12' });
    const after = matmulKernelInfo(be.ctx, p).name;
    expect(after).not.toBe(before);
    expect(after).toMatch(/^matmul_tiled\|WG_X=8,WG_Y=8,RM=4,TK=32/);
    // The dispatch goes to that kernel too.
    const count = (): number => be.ctx.dispatchesByKernel.get('matmul_tiled') ?? 0;
    const n0 = count();
    const [a, b] = [be.upload(randArray(24 * 12, 1)), be.upload(randArray(12 * 40, 2))];
    const out = be.matmul(a, b, p).out;
    await be.read(out);
    expect(count()).toBe(n0 + 1);
    [a, b, out].forEach((s) => be.free(s));
    // Another shape class is untouched.
    const big = { ...p, M: 512, N: 512, K: 512, a: { ...p.a, rowStride: 512 }, b: { ...p.b, rowStride: 512 } };
    expect(matmulKernelInfo(be.ctx, big).name).not.toMatch(/^matmul_tiled/);
  });

  it('writes the table, reloads it, and keeps other adapters\' entries', async () => {
    const file = join(dir, 'round-trip.json');
    const other = { format: 'gpu-learn-tuning', version: 1, adapters: { 'another GPU': { softmax: { 'c128-many': { id: 'wg4', ms: 1, defaultMs: 1, shape: '1×1' } } } } };
    await writeFile(file, JSON.stringify(other));
    process.env[TUNING_ENV] = file;
    tuningTableOf(be.ctx).set('matmul', cls, { id: 'software-r8-wg2', ms: 0.5, defaultMs: 0.6, shape: '24×40×12' });
    expect(await saveTuningCache(be.ctx)).toBe(file);
    tuningTableOf(be.ctx).clear();
    const info = await reloadTuning();
    expect(info.source).toBe(file);
    expect(info.entries.matmul?.[cls]?.id).toBe('software-r8-wg2');
    const saved = JSON.parse(await readFile(file, 'utf8'));
    expect(saved.adapters['another GPU'].softmax['c128-many'].id).toBe('wg4');
  });

  it('a malformed cache is refused by name, the defaults run, and a later save keeps the bad file aside', async () => {
    const defaultKernel = matmulKernelInfo(be.ctx, p).name;
    for (const [name, text, why] of [
      ['not-json.json', '{ "format": ', /not JSON/],
      ['bad-id.json', JSON.stringify({ format: 'gpu-learn-tuning', version: 1, adapters: { [be.ctx.adapterName]: { matmul: { [cls]: { id: 'no-such', ms: 1, defaultMs: 1, shape: '' } } } } }), /"no-such" is not a matmul candidate/],
      ['bad-version.json', JSON.stringify({ format: 'gpu-learn-tuning', version: 99, adapters: {} }), /version/],
    ] as const) {
      const file = join(dir, name);
      await writeFile(file, text);
      process.env[TUNING_ENV] = file;
      const err = await loadTuningCache(be.ctx).then(() => null, (e: unknown) => e as Error);
      expect(err).toBeInstanceOf(TuningCacheError);
      expect(err!.message).toContain(file);
      expect(err!.message).toMatch(why);
      expect(tuningTable().loadError).toBe(err!.message);
      expect(matmulKernelInfo(be.ctx, p).name).toBe(defaultKernel);
    }
    // Saving over the last malformed file moves it to .malformed first: nothing in it is lost.
    const file = join(dir, 'bad-version.json');
    const bad = await readFile(file, 'utf8');
    tuningTableOf(be.ctx).set('softmax', 'c128-many', { id: 'wg4', ms: 1, defaultMs: 1, shape: '1×1' });
    await saveTuningCache(be.ctx);
    expect(await readFile(`${file}.malformed`, 'utf8')).toBe(bad);
    expect(JSON.parse(await readFile(file, 'utf8')).adapters[be.ctx.adapterName].softmax['c128-many'].id).toBe('wg4');
  });

  it('GPU_LEARN_TUNING=off reads and writes nothing', async () => {
    process.env[TUNING_ENV] = 'off';
    tuningTableOf(be.ctx).set('softmax', 'c128-many', { id: 'wg4', ms: 1, defaultMs: 1, shape: '1×1' });
    expect(await saveTuningCache(be.ctx)).toBeNull();
    const info = await reloadTuning();
    expect(info.source).toBeNull();
    expect(info.entries).toEqual({});
  });

  it('tune() checks, times and records a winner per shape, and saves it', async () => {
    const file = join(dir, 'tuned.json');
    process.env[TUNING_ENV] = file;
    const seen: string[] = [];
    // onResult fires once per shape, after its winner is saved: the file then already holds it.
    const decided: Array<{ shape: string; results: number; saved: string | undefined }> = [];
    const report = await tune({
      ops: ['softmax'], shapes: { softmax: [{ rows: 5, cols: 9 }, { rows: 70, cols: 300 }] }, reps: 1, onProgress: (e) => seen.push(e.candidate),
      onResult: async (res, so) => {
        const onDisk = JSON.parse(await readFile(file, 'utf8')).adapters[be.ctx.adapterName].softmax[res.shapeClass]?.id;
        decided.push({ shape: res.shape, results: so.results.length, saved: onDisk });
      },
    });
    expect(report.results).toHaveLength(2);
    expect(decided).toEqual(report.results.map((x, i) => ({ shape: x.shape, results: i + 1, saved: x.winner })));
    expect(report.saveError).toBeNull();
    const r = report.results[0];
    expect(r.shapeClass).toBe('c128-few');
    expect(FAMILIES.softmax.candidates.map((c) => c.id)).toContain(r.winner);
    expect(seen).toHaveLength(2 * FAMILIES.softmax.candidates.length);
    expect(r.candidates.every((c) => c.ms !== null || c.skipped)).toBe(true);
    expect(tuningTable().entries.softmax?.['c128-few']?.id).toBe(r.winner);
    expect(report.savedTo).toBe(file);
    expect(JSON.parse(await readFile(file, 'utf8')).adapters[be.ctx.adapterName].softmax['c128-few'].id).toBe(r.winner);
  });

  it('withCandidate forces per device, nests, and restores even when overlapping calls end out of order', async () => {
    const now = (): string => configFor(be.ctx, 'softmax', 'c128-few').id;
    const unforced = now();
    await withCandidate({}, 'softmax', 'wg1', async () => expect(now()).toBe(unforced)); // another context's forcing
    await withCandidate(be.ctx, 'softmax', 'wg4', async () => {
      await withCandidate(be.ctx, 'softmax', 'wg16', async () => expect(now()).toBe('wg16'));
      expect(now()).toBe('wg4');
    });
    expect(now()).toBe(unforced);
    // A forces wg4, B forces wg16, A ends first, then B: nothing stays forced.
    let endA!: () => void;
    let endB!: () => void;
    const a = withCandidate(be.ctx, 'softmax', 'wg4', () => new Promise<void>((r) => (endA = r)));
    const b = withCandidate(be.ctx, 'softmax', 'wg16', () => new Promise<void>((r) => (endB = r)));
    expect(now()).toBe('wg16');
    endA();
    await a;
    expect(now()).toBe('wg16');
    endB();
    await b;
    expect(now()).toBe(unforced);
  });

  it('a second tune() on the same device is refused while the first runs', async () => {
    const shapes = { softmax: [{ rows: 5, cols: 9 }] };
    const first = tune({ ops: ['softmax'], shapes, reps: 1 });
    await expect(tune({ ops: ['softmax'], shapes, reps: 1 })).rejects.toThrow(/tune\(\) is already running on this device/);
    expect((await first).results).toHaveLength(1);
    // Once it has finished, tune() runs again.
    expect((await tune({ ops: ['softmax'], shapes, reps: 1 })).results).toHaveLength(1);
  });

  it('a tuned softmax or layerNorm WG applies to the forwards only; the backwards keep the built-in rule', async () => {
    const [rows, cols] = [5, 9]; // class c128-few; the built-in rule runs one thread per row (WG 1) on SwiftShader
    const wgOf = new Map<string, number>(); // kernel name → the WG it was built with
    const kernel = be.ctx.kernel.bind(be.ctx);
    const spy = vi.spyOn(be.ctx, 'kernel').mockImplementation((name, shader, constants) => {
      wgOf.set(name, constants?.WG ?? -1);
      return kernel(name, shader, constants);
    });
    try {
      for (const op of ['softmax', 'layernorm'] as const) tuningTableOf(be.ctx).set(op, 'c128-few', { id: 'wg16', ms: 1, defaultMs: 2, shape: '5×9' });
      const [x, w, b, g] = [randArray(rows * cols, 1), randArray(cols, 2), randArray(cols, 3), randArray(rows * cols, 4)].map((a) => be.upload(a));
      const y = be.softmax(x, rows, cols, false);
      const dx = be.softmaxBackward(y, g, rows, cols, false);
      const fwd = be.layerNorm(x, w, b, rows, cols, 1e-5);
      const ln = be.layerNormBackward(x, w, fwd.mean, fwd.rstd, g, rows, cols);
      await be.read(ln.dx);
      expect(wgOf.get('softmax')).toBe(16);
      expect(wgOf.get('layerNorm')).toBe(16);
      expect(wgOf.get('softmaxBackward')).toBe(1);
      expect(wgOf.get('layerNormBackward')).toBe(1);
      [x, w, b, g, y, dx, fwd.out, fwd.mean, fwd.rstd, ln.dx, ln.dweight, ln.dbias].forEach((s) => be.free(s));
    } finally {
      spy.mockRestore();
    }
  });

  it('a cache that cannot be written is reported, and tune() still returns every result', async () => {
    const blocker = join(dir, 'a-file');
    await writeFile(blocker, 'not a folder');
    process.env[TUNING_ENV] = join(blocker, 'tuning.json'); // its folder is a file: mkdir fails
    const report = await tune({ ops: ['softmax'], shapes: { softmax: [{ rows: 5, cols: 9 }] }, reps: 1 });
    expect(report.results).toHaveLength(1);
    expect(report.savedTo).toBeNull();
    expect(report.saveError).toMatch(/a-file/);
    expect(tuningTable().entries.softmax?.['c128-few']?.id).toBe(report.results[0].winner);
  });
});
