// The two-sided local window of scaledDotProductAttention (`localWindow: w`, Longformer's local attention): query
// i attends keys |i − j| < w, queries and keys aligned at 0 as causal's are. The reference for every check is the
// composed path (matmul → softmax → matmul) with the equivalent dense boolean mask built here by hand, so the
// option's three implementations — the CPU backend's loops, the composed path's structural mask and the WebGPU
// kernels with their two-sided tile skipping — are each held to the plain definition. Lengths 1, 7, 33 and 257
// against w = 1, 5 and 16 put the window inside one tile, across tile edges and wider than the sequence; Tq ≠ Tk
// both ways, including the rows past Tk + w − 1 that see nothing. Gradients by float64 finite differences.
import { beforeAll, describe, expect, test } from 'vitest';
import { init, tensor, functional, dispose } from '../engine/index';
import { randArray } from './helpers';
import { expectFusedGradcheck, expectRunsClose, runAttention, type AttentionRun, type AttentionShape } from './attention-run';

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

interface Case extends AttentionShape {
  w: number;
}

/** The dense equivalent of localWindow: w, as an int32 (Tq, Tk) mask, 1 = take part. */
function localMask(Tq: number, Tk: number, w: number): Int32Array {
  const m = new Int32Array(Tq * Tk);
  for (let i = 0; i < Tq; i++) for (let j = 0; j < Tk; j++) m[i * Tk + j] = Math.abs(i - j) < w ? 1 : 0;
  return m;
}


/** The reference: the composed path on the CPU with the dense boolean mask. */
function reference(c: Case, seed: number): Promise<AttentionRun> {
  const mask = tensor(localMask(c.Tq, c.Tk, c.w), [c.Tq, c.Tk], { device: 'cpu' });
  return runAttention(c, seed, 'cpu', { mask, impl: 'composed' });
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
    const cpuFused = await runAttention(c, 11, 'cpu', { localWindow: c.w, impl: 'fused' });
    expectRunsClose(cpuFused, ref, TOL.cpu, TOL.cpu, `${name}, CPU fused`);
    const cpuComposed = await runAttention(c, 11, 'cpu', { localWindow: c.w, impl: 'composed' });
    expectRunsClose(cpuComposed, ref, TOL.cpu, TOL.cpu, `${name}, CPU composed`);
    const gpu = await runAttention(c, 11, 'webgpu', { localWindow: c.w, impl: 'fused' });
    expectRunsClose(gpu, ref, TOL.gpuForward, TOL.gpuGrad, `${name}, WebGPU fused`);
  });

  test('rows that see no key give zeros and zero dq on the CPU and the GPU, as with a mask', async () => {
    const c: Case = { B: 1, H: 1, Tq: 12, Tk: 4, d: 16, w: 3 }; // |i − j| < 3 with j ≤ 3: rows 6… are empty
    for (const device of ['cpu', 'webgpu'] as const) {
      const r = await runAttention(c, 3, device, { localWindow: c.w, impl: 'fused' });
      expect(Array.from(r.out.subarray(6 * 16)), device).toEqual(new Array(6 * 16).fill(0));
      expect(Array.from(r.dq.subarray(6 * 16)), device).toEqual(new Array(6 * 16).fill(0));
      expect(r.out.subarray(0, 6 * 16).some((x) => x !== 0), device).toBe(true); // rows 0–5 see keys
    }
  });

  test('with causal it is the one-sided window, and with window the narrower one; the GPU against the CPU', async () => {
    const c: Case = { B: 1, H: 2, Tq: 33, Tk: 33, d: 16, w: 5 };
    const oneSided = await runAttention(c, 21, 'cpu', { causal: true, window: 5, impl: 'fused' });
    const local = await runAttention(c, 21, 'cpu', { causal: true, localWindow: 5, impl: 'fused' });
    expectRunsClose(local, oneSided, TOL.cpu, TOL.cpu, 'CPU: causal + localWindow 5');
    const both = await runAttention(c, 21, 'cpu', { window: 9, localWindow: 5, impl: 'fused' });
    expectRunsClose(both, oneSided, TOL.cpu, TOL.cpu, 'CPU: window 9 + localWindow 5');
    // The GPU's causal + local variant (both key ranges intersected) against the CPU's one-sided window.
    const gpu = await runAttention(c, 21, 'webgpu', { causal: true, localWindow: 5, impl: 'fused' });
    expectRunsClose(gpu, oneSided, TOL.gpuForward, TOL.gpuGrad, 'WebGPU: causal + localWindow 5');
  });

  test('a window wider than the sequence, up to past 2³², excludes nothing (a causal one leaves causal), on both devices', async () => {
    const c: Case = { B: 1, H: 2, Tq: 7, Tk: 7, d: 16, w: 7 };
    const all = await runAttention(c, 31, 'cpu', { impl: 'composed' });
    for (const device of ['cpu', 'webgpu'] as const) {
      for (const w of [7, 2 ** 33 + 3]) {
        const r = await runAttention(c, 31, device, { localWindow: w, impl: 'fused' });
        expectRunsClose(r, all, TOL.gpuForward, TOL.gpuGrad, `${device}: localWindow ${w}`);
      }
    }
    // The causal window likewise: one of T or more, up to past 2³² (which a u32 would truncate), is plain causal.
    const causal = await runAttention(c, 31, 'cpu', { causal: true, impl: 'composed' });
    for (const device of ['cpu', 'webgpu'] as const) {
      for (const w of [7, 2 ** 33 + 3]) {
        const r = await runAttention(c, 31, device, { causal: true, window: w, impl: 'fused' });
        expectRunsClose(r, causal, TOL.gpuForward, TOL.gpuGrad, `${device}: causal window ${w}`);
      }
    }
  });
});

describe('finite differences (float64 gradcheck)', () => {
  test('CPU fused: localWindow 2, Tq ≠ Tk both ways, an empty row', async () => {
    for (const [Tq, Tk] of [[7, 5], [3, 6]]) await expectFusedGradcheck(Tq, Tk, { localWindow: 2 });
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
