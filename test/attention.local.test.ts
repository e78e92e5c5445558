// The two-sided local window of scaledDotProductAttention (`localWindow: w`, Longformer's local attention): query
// i attends keys |i − j| < w, queries and keys aligned at 0 as causal's are. The reference for every check is the
// composed path (matmul → softmax → matmul) with the equivalent dense boolean mask built here by hand, so the
// option's three implementations — the CPU backend's loops, the composed path's structural mask and the WebGPU
// kernels with their two-sided tile skipping — are each held to the plain definition. Lengths 1, 7, 33 and 257
// against w = 1, 5 and 16 put the window inside one tile, across tile edges and wider than the sequence; Tq ≠ Tk
// both ways, including the rows past Tk + w − 1 that see nothing. Gradients by float64 finite differences.
import { beforeAll, describe, expect, test } from 'vitest';
import { init, tensor, functional, gradcheck, dispose, type Tensor } from '../engine/index';
import type { AttentionOptions } from '../engine/functional';
import { expectAllClose, randArray } from './helpers';

// CPU fused and composed both compute in float32 with different summation orders; the GPU adds online softmax.
const TOL = {
  cpu: { atol: 1e-5, rtol: 1e-4 },
  gpuForward: { atol: 2e-5, rtol: 1e-4 },
  gpuGrad: { atol: 1e-4, rtol: 1e-3 },
};

beforeAll(async () => {
  // Rejects with NoAdapterError (saying how to install one) when there is no adapter: the GPU tests then fail.
  await init({ backend: 'webgpu' });
});

type Device = 'cpu' | 'webgpu';

interface Case {
  B: number;
  H: number;
  Tq: number;
  Tk: number;
  d: number;
  w: number;
}

interface Result {
  out: Float32Array;
  dq: Float32Array;
  dk: Float32Array;
  dv: Float32Array;
}

/** The dense equivalent of localWindow: w, as an int32 (Tq, Tk) mask, 1 = take part. */
function localMask(Tq: number, Tk: number, w: number): Int32Array {
  const m = new Int32Array(Tq * Tk);
  for (let i = 0; i < Tq; i++) for (let j = 0; j < Tk; j++) m[i * Tk + j] = Math.abs(i - j) < w ? 1 : 0;
  return m;
}

function host(c: Case, seed: number): { q: Float32Array; k: Float32Array; v: Float32Array; g: Float32Array } {
  return {
    q: randArray(c.B * c.H * c.Tq * c.d, seed, -2, 2),
    k: randArray(c.B * c.H * c.Tk * c.d, seed + 1),
    v: randArray(c.B * c.H * c.Tk * c.d, seed + 2),
    g: randArray(c.B * c.H * c.Tq * c.d, seed + 3),
  };
}

/**
 * Forward and backward of one call: `opts(device)` gives its options (a mask tensor is made on that device and
 * freed here). Everything is read back and freed.
 */
async function run(c: Case, seed: number, device: Device, opts: AttentionOptions): Promise<Result> {
  const h = host(c, seed);
  const q = tensor(h.q, [c.B, c.H, c.Tq, c.d], { device, requiresGrad: true }); // (B, H, Tq, d)
  const k = tensor(h.k, [c.B, c.H, c.Tk, c.d], { device, requiresGrad: true }); // (B, H, Tk, d)
  const v = tensor(h.v, [c.B, c.H, c.Tk, c.d], { device, requiresGrad: true });
  const out = functional.scaledDotProductAttention(q, k, v, opts);
  const g = tensor(h.g, out.shape, { device });
  out.backward(g);
  const r: Result = {
    out: (await out.toArray()) as Float32Array,
    dq: (await q.grad!.toArray()) as Float32Array,
    dk: (await k.grad!.toArray()) as Float32Array,
    dv: (await v.grad!.toArray()) as Float32Array,
  };
  dispose([q, k, v, out, g, q.grad, k.grad, v.grad, opts.mask]);
  return r;
}

/** The reference: the composed path on the CPU with the dense boolean mask. */
function reference(c: Case, seed: number): Promise<Result> {
  const mask = tensor(localMask(c.Tq, c.Tk, c.w), [c.Tq, c.Tk], { device: 'cpu' });
  return run(c, seed, 'cpu', { mask, impl: 'composed' });
}

function expectClose(a: Result, b: Result, fwd: { atol: number; rtol: number }, grad: { atol: number; rtol: number }, what: string): void {
  expectAllClose(a.out, b.out, fwd, `${what}: out`);
  for (const key of ['dq', 'dk', 'dv'] as const) {
    expectAllClose(a[key], b[key], grad, `${what}: ${key}`);
    const bad = a[key].findIndex((x) => !Number.isFinite(x));
    expect(bad, `${what}: ${key}[${bad}] = ${a[key][bad]}`).toBe(-1);
  }
}

const square: Case[] = [];
for (const T of [1, 7, 33, 257]) for (const w of [1, 5, 16]) square.push({ B: 1, H: 2, Tq: T, Tk: T, d: 16, w });
const CASES: Array<[string, Case]> = [
  ...square.map((c): [string, Case] => [`T=${c.Tq} w=${c.w}`, c]),
  ['Tq=9 < Tk=33, w=5', { B: 2, H: 1, Tq: 9, Tk: 33, d: 16, w: 5 }],
  ['Tq=40 > Tk=20, w=5 (rows 24… see nothing)', { B: 1, H: 2, Tq: 40, Tk: 20, d: 16, w: 5 }],
  ['Tq=257 > Tk=33, w=16 (whole blocks see nothing)', { B: 1, H: 1, Tq: 257, Tk: 33, d: 16, w: 16 }],
];

describe('localWindow against the composed path with the dense mask', () => {
  test.each(CASES)('CPU fused, CPU composed and WebGPU fused: %s', async (name, c) => {
    const ref = await reference(c, 11);
    const cpuFused = await run(c, 11, 'cpu', { localWindow: c.w, impl: 'fused' });
    expectClose(cpuFused, ref, TOL.cpu, TOL.cpu, `${name}, CPU fused`);
    const cpuComposed = await run(c, 11, 'cpu', { localWindow: c.w, impl: 'composed' });
    expectClose(cpuComposed, ref, TOL.cpu, TOL.cpu, `${name}, CPU composed`);
    const gpu = await run(c, 11, 'webgpu', { localWindow: c.w, impl: 'fused' });
    expectClose(gpu, ref, TOL.gpuForward, TOL.gpuGrad, `${name}, WebGPU fused`);
  });

  test('rows that see no key give zeros and zero dq on the CPU and the GPU, as with a mask', async () => {
    const c: Case = { B: 1, H: 1, Tq: 12, Tk: 4, d: 16, w: 3 }; // |i − j| < 3 with j ≤ 3: rows 6… are empty
    for (const device of ['cpu', 'webgpu'] as const) {
      const r = await run(c, 3, device, { localWindow: c.w, impl: 'fused' });
      expect(Array.from(r.out.subarray(6 * 16)), device).toEqual(new Array(6 * 16).fill(0));
      expect(Array.from(r.dq.subarray(6 * 16)), device).toEqual(new Array(6 * 16).fill(0));
      expect(r.out.subarray(0, 6 * 16).some((x) => x !== 0), device).toBe(true); // rows 0–5 see keys
    }
  });

  test('with causal it is the one-sided window, and with window the narrower one; the GPU against the CPU', async () => {
    const c: Case = { B: 1, H: 2, Tq: 33, Tk: 33, d: 16, w: 5 };
    const oneSided = await run(c, 21, 'cpu', { causal: true, window: 5, impl: 'fused' });
    const local = await run(c, 21, 'cpu', { causal: true, localWindow: 5, impl: 'fused' });
    expectClose(local, oneSided, TOL.cpu, TOL.cpu, 'CPU: causal + localWindow 5');
    const both = await run(c, 21, 'cpu', { window: 9, localWindow: 5, impl: 'fused' });
    expectClose(both, oneSided, TOL.cpu, TOL.cpu, 'CPU: window 9 + localWindow 5');
    // The GPU's causal + local variant (both key ranges intersected) against the CPU's one-sided window.
    const gpu = await run(c, 21, 'webgpu', { causal: true, localWindow: 5, impl: 'fused' });
    expectClose(gpu, oneSided, TOL.gpuForward, TOL.gpuGrad, 'WebGPU: causal + localWindow 5');
  });

  test('a window wider than the sequence, up to past 2³², excludes nothing, on both devices', async () => {
    const c: Case = { B: 1, H: 2, Tq: 7, Tk: 7, d: 16, w: 7 };
    const all = await run(c, 31, 'cpu', { impl: 'composed' });
    for (const device of ['cpu', 'webgpu'] as const) {
      for (const w of [7, 2 ** 33 + 3]) {
        const r = await run(c, 31, device, { localWindow: w, impl: 'fused' });
        expectClose(r, all, TOL.gpuForward, TOL.gpuGrad, `${device}: localWindow ${w}`);
      }
    }
  });
});

describe('finite differences (float64 gradcheck)', () => {
  test('CPU fused: localWindow 2, Tq ≠ Tk both ways, an empty row', async () => {
    const attn = (q: Tensor, k: Tensor, v: Tensor) => functional.scaledDotProductAttention(q, k, v, { localWindow: 2, impl: 'fused' });
    for (const [Tq, Tk] of [[7, 5], [3, 6]]) {
      const inputs = [
        tensor(randArray(2 * Tq * 4, Tq, -2, 2), [1, 2, Tq, 4], { device: 'cpu' }),
        tensor(randArray(2 * Tk * 4, Tk + 10), [1, 2, Tk, 4], { device: 'cpu' }),
        tensor(randArray(2 * Tk * 4, Tk + 20), [1, 2, Tk, 4], { device: 'cpu' }),
      ];
      const r = await gradcheck(attn, inputs, { maxSamples: 48 });
      expect(r.ok, `Tq=${Tq}, Tk=${Tk}`).toBe(true);
      dispose(inputs);
    }
  });
});

describe('bad values', () => {
  test('localWindow that is not a positive integer is refused, naming the option and the value', () => {
    const q = tensor(randArray(16, 1), [1, 1, 1, 16], { device: 'cpu' });
    for (const bad of [0, -3, 2.5, NaN, Infinity]) {
      expect(() => functional.scaledDotProductAttention(q, q, q, { localWindow: bad }), String(bad)).toThrow(
        new RegExp(`localWindow must be a positive integer.*got ${bad}`),
      );
    }
    dispose([q]);
  });
});
