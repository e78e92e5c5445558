// One forward and backward of scaledDotProductAttention on seeded inputs, read back, and the comparison of two such
// runs: shared by the suites that hold an attention option (a local window, a sparse pattern) to the composed
// path with the equivalent dense mask (attention.local.test.ts, attention.sparse.test.ts).
import { expect } from 'vitest';
import { tensor, functional, dispose, gradcheck, type Tensor } from '../engine/index';
import type { AttentionOptions } from '../engine/functional';
import { expectAllClose, randArray, type Tolerance } from './helpers';

export type Device = 'cpu' | 'webgpu';

export interface AttentionShape {
  B: number;
  H: number;
  Tq: number;
  Tk: number;
  d: number;
}

export interface AttentionRun {
  out: Float32Array;
  dq: Float32Array;
  dk: Float32Array;
  dv: Float32Array;
}

/**
 * out = attention(q, k, v, opts) and its backward from a seeded dO: q uniform in [−2, 2) (seed), k, v and dO in
 * [−1, 1) (seeds + 1, + 2, + 3). Everything is read back and freed, opts.mask included.
 */
export async function runAttention(c: AttentionShape, seed: number, device: Device, opts: AttentionOptions): Promise<AttentionRun> {
  const q = tensor(randArray(c.B * c.H * c.Tq * c.d, seed, -2, 2), [c.B, c.H, c.Tq, c.d], { device, requiresGrad: true }); // (B, H, Tq, d)
  const k = tensor(randArray(c.B * c.H * c.Tk * c.d, seed + 1), [c.B, c.H, c.Tk, c.d], { device, requiresGrad: true }); // (B, H, Tk, d)
  const v = tensor(randArray(c.B * c.H * c.Tk * c.d, seed + 2), [c.B, c.H, c.Tk, c.d], { device, requiresGrad: true });
  const out = functional.scaledDotProductAttention(q, k, v, opts);
  const g = tensor(randArray(c.B * c.H * c.Tq * c.d, seed + 3), out.shape, { device });
  out.backward(g);
  const r: AttentionRun = {
    out: (await out.toArray()) as Float32Array,
    dq: (await q.grad!.toArray()) as Float32Array,
    dk: (await k.grad!.toArray()) as Float32Array,
    dv: (await v.grad!.toArray()) as Float32Array,
  };
  dispose([q, k, v, out, g, q.grad, k.grad, v.grad, opts.mask]);
  return r;
}

/** out within `fwd`, dq, dk and dv within `grad`, and every gradient finite. */
export function expectRunsClose(a: AttentionRun, b: AttentionRun, fwd: Tolerance, grad: Tolerance, what: string): void {
  expectAllClose(a.out, b.out, fwd, `${what}: out`);
  for (const key of ['dq', 'dk', 'dv'] as const) {
    expectAllClose(a[key], b[key], grad, `${what}: ${key}`);
    const bad = a[key].findIndex((x) => !Number.isFinite(x));
    expect(bad, `${what}: ${key}[${bad}] = ${a[key][bad]}`).toBe(-1);
  }
}

/**
 * Float64 finite differences of the CPU's fused attention with `opts`, q (1, 2, Tq, 4) against k and v
 * (1, 2, Tk, 4), seeded by the lengths.
 */
export async function expectFusedGradcheck(Tq: number, Tk: number, opts: AttentionOptions): Promise<void> {
  const attn = (q: Tensor, k: Tensor, v: Tensor) => functional.scaledDotProductAttention(q, k, v, { ...opts, impl: 'fused' });
  const inputs = [
    tensor(randArray(2 * Tq * 4, Tq, -2, 2), [1, 2, Tq, 4], { device: 'cpu' }),
    tensor(randArray(2 * Tk * 4, Tk + 10), [1, 2, Tk, 4], { device: 'cpu' }),
    tensor(randArray(2 * Tk * 4, Tk + 20), [1, 2, Tk, 4], { device: 'cpu' }),
  ];
  const r = await gradcheck(attn, inputs, { maxSamples: 48 });
  expect(r.ok, `Tq=${Tq}, Tk=${Tk}`).toBe(true);
  dispose(inputs);
}
