// functional.scan, the linear recurrence h_t = a_t ⊙ h_{t−1} + x_t along dim 1 of (B, T, D): the CPU backend's
// sequential loop (the oracle) against a closed form and float64 finite differences, and the WebGPU parallel scan
// (shaders/scan.wgsl) against the CPU, forward and backward.
//
// Sizes: T = 1, 7, 33, 257, 1000, 5000, 9000 and 16,500 with D = 1, 3 and 37 (no multiple of the 64-column tile)
// and B > 1. The GPU's chunk is L = (256 / DC)·ITEMS steps, with DC = 64, 4, 1 columns per workgroup for D = 37,
// 3, 1 and runs of ITEMS = 16 steps (L = 64, 1024, 4096) on hardware; SwiftShader lengthens runs while 8
// workgroups remain (up to 512 steps), so there T ≥ 257 crosses chunks at D = 37 (T = 257: 5 chunks of 64,
// 16,500: 9 of 2048) but its totals fit one chunk. The last group of tests therefore caps runs at 16 steps by
// calling the WebGPU kernel functions directly: T = 5000 and 16,500 at D = 37 then have totals that are chunked
// again (79 chunks → 2 → 1, 258 → 5 → 1), on every adapter. At D = 1 one workgroup scans T ≤ 4096 through its
// 256 lanes (T = 1000), and T = 5000 and 9000 take several.
//
// Tolerance: |gpu − cpu| ≤ REL · max|cpu| over the tensor compared. The CPU carries h in a double and rounds each
// h_t once; the GPU works in float32 and groups the steps differently (products of up to L coefficients, then
// combines across chunks). Each rounding is relative to the h it touches, and it is carried forward, scaled by
// the coefficients, for as long as the recurrence remembers: about 1 / (1 − |a|) steps. So the error is bounded
// relative to the scale of h, not to each element (h crosses zero, where an element-wise relative bound means
// nothing), and it grows with the memory: measured here, max|gpu − cpu| / max|cpu| was ~1e−7 for a uniform in
// (−1, 1) (memory of a few steps) and ~1e−6 for |a| in [0.998, 1) (h, δ up to ~50, da up to ~1,300), against
// ~2e−5 at |a| ≥ 0.9999 over T = 16,384. The bounds leave 10× margin: 1e−6 and 1e−5. The backward runs the same
// recurrence backwards, so δ = dx and da = δ·h_{t−1} (relative to its own max) obey the same bounds.
import { beforeAll, describe, expect, test } from 'vitest';
import { init, tensor, functional, gradcheck, dispose, type Tensor } from '../engine/index';
import { webgpuBackend } from '../engine/bench';
import { scan as gpuScan, scanBackward as gpuScanBackward } from '../engine/backend/gpu/scan';
import { expectAllClose, randArray } from './helpers';

/** max|gpu − cpu| / max|cpu| (see the header). */
const REL = { uniform: 1e-6, nearOne: 1e-5 };

beforeAll(async () => {
  // Rejects with NoAdapterError (saying how to install one) when there is no adapter: the GPU tests then fail.
  await init({ backend: 'webgpu' });
});

type Device = 'cpu' | 'webgpu';
type Coefficients = 'uniform' | 'nearOne' | 'nearMinusOne';

interface Result {
  h: Float32Array;
  da: Float32Array;
  dx: Float32Array;
}

/** Seeded a, x and upstream g, (B, T, D) each. */
function inputs(B: number, T: number, D: number, kind: Coefficients, seed: number): { a: Float32Array; x: Float32Array; g: Float32Array } {
  const n = B * T * D;
  const a = kind === 'uniform' ? randArray(n, seed, -1, 1) : kind === 'nearOne' ? randArray(n, seed, 0.998, 1) : randArray(n, seed, -1, -0.998);
  return { a, x: randArray(n, seed + 1), g: randArray(n, seed + 2) };
}

/** h = scan(a, x) and its backward from g on one device, read back and freed. */
async function run(B: number, T: number, D: number, kind: Coefficients, seed: number, device: Device): Promise<Result> {
  const host = inputs(B, T, D, kind, seed);
  const a = tensor(host.a, [B, T, D], { device, requiresGrad: true });
  const x = tensor(host.x, [B, T, D], { device, requiresGrad: true });
  const h = functional.scan(a, x); // (B, T, D)
  h.backward(tensor(host.g, [B, T, D], { device }));
  const r = {
    h: (await h.toArray()) as Float32Array,
    da: (await a.grad!.toArray()) as Float32Array,
    dx: (await x.grad!.toArray()) as Float32Array,
  };
  dispose([a, x, h, a.grad, x.grad]);
  return r;
}

function maxAbs(v: Float32Array): number {
  return v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
}

/** actual against expected within rel · max|expected|. */
function expectNear(actual: Float32Array, expected: Float32Array, rel: number, what: string): void {
  expectAllClose(actual, expected, { atol: rel * maxAbs(expected), rtol: 0 }, what);
}

function expectClose(gpu: Result, cpu: Result, rel: number, what: string): void {
  for (const key of ['h', 'dx', 'da'] as const) expectNear(gpu[key], cpu[key], rel, `${what}: ${key}`);
}

describe('the CPU oracle', () => {
  test('a constant c and x = 1 give the geometric sum h_t = (1 − c^(t+1)) / (1 − c)', async () => {
    const [B, T, D] = [2, 40, 3];
    const cs = [0.5, -0.9, 0.99];
    const a = tensor(Float32Array.from({ length: B * T * D }, (_, i) => cs[i % D]), [B, T, D], { device: 'cpu' });
    const x = tensor(new Float32Array(B * T * D).fill(1), [B, T, D], { device: 'cpu' });
    const h = (await functional.scan(a, x).toArray()) as Float32Array;
    const want = Float32Array.from({ length: B * T * D }, (_, i) => {
      const c = Math.fround(cs[i % D]);
      const t = Math.floor(i / D) % T;
      return (1 - c ** (t + 1)) / (1 - c);
    });
    expectAllClose(h, want, { atol: 1e-6, rtol: 1e-6 }, 'geometric sums');
    dispose([a, x]);
  });

  test('gradients of a and x match float64 finite differences, including |a| near 1', async () => {
    for (const kind of ['uniform', 'nearOne', 'nearMinusOne'] as const) {
      const [B, T, D] = [2, 6, 3];
      const host = inputs(B, T, D, kind, 5);
      const ins = [tensor(host.a, [B, T, D], { device: 'cpu' }), tensor(host.x, [B, T, D], { device: 'cpu' })];
      const r = await gradcheck((a: Tensor, x: Tensor) => functional.scan(a, x), ins);
      expect(r.ok, `${kind}: worst |analytic − numeric| ${r.maxAbsErr}`).toBe(true);
      expect(r.checked).toBe(2 * B * T * D);
      dispose(ins);
    }
  });
});

describe('the WebGPU parallel scan against the CPU oracle', () => {
  const cases: Array<[number, number, number]> = [];
  for (const T of [1, 7, 33, 257, 1000]) cases.push([2, T, 37], [3, T, 3]);
  cases.push([2, 1000, 1], [1, 5000, 37], [2, 5000, 3], [1, 5000, 1], [1, 9000, 1], [1, 16500, 37]);

  test.each(cases)('B=%i T=%i D=%i, a uniform in (−1, 1)', async (B, T, D) => {
    const cpu = await run(B, T, D, 'uniform', T + D, 'cpu');
    const gpu = await run(B, T, D, 'uniform', T + D, 'webgpu');
    expectClose(gpu, cpu, REL.uniform, `B=${B} T=${T} D=${D} uniform`);
  });

  const nearOne: Array<[number, number, number, Coefficients]> = [
    [2, 257, 37, 'nearOne'], [1, 5000, 37, 'nearOne'], [1, 16500, 37, 'nearMinusOne'], [2, 5000, 3, 'nearMinusOne'], [1, 1000, 37, 'nearMinusOne'], [1, 5000, 1, 'nearOne'],
  ];
  test.each(nearOne)('B=%i T=%i D=%i, a %s (|a| in [0.998, 1))', async (B, T, D, kind) => {
    const cpu = await run(B, T, D, kind, 3 * T + D, 'cpu');
    const gpu = await run(B, T, D, kind, 3 * T + D, 'webgpu');
    expectClose(gpu, cpu, REL.nearOne, `B=${B} T=${T} D=${D} ${kind}`);
    // Not vacuous: with a near ±1 the recurrence remembers, so h has grown well past any single x.
    expect(maxAbs(cpu.h)).toBeGreaterThan(5);
  });
});

describe('several levels of chunk totals: runs capped at 16 steps', () => {
  /** scan and its backward by the WebGPU kernel functions with runs of at most 16 steps (L = 64 at D = 37). */
  async function shortRuns(B: number, T: number, D: number, kind: Coefficients, seed: number): Promise<Result> {
    const be = webgpuBackend()!;
    const host = inputs(B, T, D, kind, seed);
    const [a, x, g] = [host.a, host.x, host.g].map((v) => be.upload(v));
    const h = gpuScan(be.ctx, a, x, B, T, D, 16); // (B, T, D)
    const { da, dx } = gpuScanBackward(be.ctx, a, h, g, B, T, D, 16);
    const r = { h: (await be.read(h)) as Float32Array, da: (await be.read(da)) as Float32Array, dx: (await be.read(dx)) as Float32Array };
    for (const s of [a, x, g, h, da, dx]) be.free(s);
    return r;
  }

  // The last number: REDUCE passes per direction, one per level of totals (5000 → 79 → 2 → 1 is two).
  const cases: Array<[number, number, number, Coefficients, number]> = [
    [1, 5000, 37, 'nearOne', 2], [1, 16500, 37, 'nearMinusOne', 2], [2, 5000, 37, 'uniform', 2], [1, 9000, 1, 'nearOne', 1],
  ];
  test.each(cases)('B=%i T=%i D=%i, a %s', async (B, T, D, kind, levels) => {
    const reduces = (): number => [...webgpuBackend()!.ctx.dispatchesByKernel].reduce((n, [k, c]) => (k.startsWith('scanReduce') ? n + c : n), 0);
    const cpu = await run(B, T, D, kind, 5 * T + D, 'cpu');
    const before = reduces();
    const gpu = await shortRuns(B, T, D, kind, 5 * T + D);
    expect(reduces() - before, 'REDUCE passes, forward and backward').toBe(2 * levels);
    expectClose(gpu, cpu, kind === 'uniform' ? REL.uniform : REL.nearOne, `B=${B} T=${T} D=${D} ${kind}, runs of 16`);
  });
});

describe('views, gradients and bad input', () => {
  test('transposed and sliced inputs give what their contiguous copies give, on both devices', async () => {
    const [B, T, D] = [2, 300, 5];
    const host = inputs(B, T, D, 'uniform', 77);
    const ref = await run(B, T, D, 'uniform', 77, 'cpu');
    for (const device of ['cpu', 'webgpu'] as const) {
      // a stored as (B, D, T) and viewed as (B, T, D); x the middle columns of a (B, T, D + 2) tensor.
      const aT = new Float32Array(B * D * T);
      const xWide = new Float32Array(B * T * (D + 2));
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < T; t++) {
          for (let d = 0; d < D; d++) {
            aT[(b * D + d) * T + t] = host.a[(b * T + t) * D + d];
            xWide[(b * T + t) * (D + 2) + d + 1] = host.x[(b * T + t) * D + d];
          }
        }
      }
      const aLeaf = tensor(aT, [B, D, T], { device, requiresGrad: true });
      const xLeaf = tensor(xWide, [B, T, D + 2], { device, requiresGrad: true });
      const a = aLeaf.transpose(1, 2); // (B, T, D), strided
      const x = xLeaf.slice(2, 1, D + 1); // (B, T, D), offset and strided
      expect(a.isContiguous() || x.isContiguous()).toBe(false);
      const h = functional.scan(a, x);
      h.backward(tensor(host.g, [B, T, D], { device }));
      expectNear((await h.toArray()) as Float32Array, ref.h, device === 'cpu' ? 0 : REL.uniform, `${device}: h`);
      // The gradients come back in the leaves' own layouts.
      const da = (await aLeaf.grad!.toArray()) as Float32Array;
      const dx = (await xLeaf.grad!.toArray()) as Float32Array;
      const daBTD = Float32Array.from({ length: B * T * D }, (_, i) => {
        const [b, t, d] = [Math.floor(i / (T * D)), Math.floor(i / D) % T, i % D];
        return da[(b * D + d) * T + t];
      });
      const dxBTD = Float32Array.from({ length: B * T * D }, (_, i) => dx[Math.floor(i / D) * (D + 2) + (i % D) + 1]);
      expectNear(daBTD, ref.da, device === 'cpu' ? 0 : REL.uniform, `${device}: da through the transpose`);
      expectNear(dxBTD, ref.dx, device === 'cpu' ? 0 : REL.uniform, `${device}: dx through the slice`);
      expect(dx.filter((_, i) => i % (D + 2) === 0 || i % (D + 2) === D + 1).every((v) => v === 0), `${device}: sliced-off columns`).toBe(true);
      dispose([aLeaf, xLeaf, h, aLeaf.grad, xLeaf.grad]);
    }
  });

  test('only x requiring grad: x gets its gradient and a none', async () => {
    const host = inputs(1, 9, 2, 'uniform', 9);
    for (const device of ['cpu', 'webgpu'] as const) {
      const a = tensor(host.a, [1, 9, 2], { device });
      const x = tensor(host.x, [1, 9, 2], { device, requiresGrad: true });
      const h = functional.scan(a, x);
      h.sum().backward();
      expect(a.grad, device).toBeNull();
      // dL/dx_t for L = Σ h: δ_t = 1 + a_{t+1}·δ_{t+1}, checked at the last two steps.
      const dx = (await x.grad!.toArray()) as Float32Array;
      expect(dx[16], device).toBeCloseTo(1, 6);
      expect(dx[14], device).toBeCloseTo(1 + host.a[16], 6);
      dispose([a, x, h, x.grad]);
    }
  });

  test('wrong dtype, rank, shapes and devices are refused, naming the problem', () => {
    const f = (shape: number[], device: Device = 'cpu') => tensor(new Float32Array(shape.reduce((p, s) => p * s, 1)), shape, { device });
    const a = f([2, 3, 4]);
    const ints = tensor(new Int32Array(24), [2, 3, 4], { device: 'cpu' });
    expect(() => functional.scan(ints, a)).toThrow(/scan: a must be float32, got int32 \[2, 3, 4\]/);
    expect(() => functional.scan(a, ints)).toThrow(/scan: x must be float32, got int32/);
    expect(() => functional.scan(f([3, 4]), f([3, 4]))).toThrow(/scan: a must be \(B, T, D\), got \[3, 4\] \(rank 2\)/);
    expect(() => functional.scan(a, f([2, 3, 4, 1]))).toThrow(/scan: x must be \(B, T, D\), got \[2, 3, 4, 1\] \(rank 4\)/);
    expect(() => functional.scan(a, f([2, 4, 3]))).toThrow(/scan: a and x must have the same \(B, T, D\) shape, got a \[2, 3, 4\] and x \[2, 4, 3\]/);
    const g = f([2, 3, 4], 'webgpu');
    expect(() => functional.scan(a, g)).toThrow(/scan: tensors are on different devices \(cpu and webgpu\)/);
    dispose([a, ints, g]);
  });
});
