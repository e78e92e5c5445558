// The WebGPU matmul kernels against the CPU backend's plain loops, for both variants: the software one
// (shaders/matmul.wgsl, the vec4 path, and shaders/matmul_general.wgsl, any shape) and the hardware-GPU one
// (shaders/matmul_tiled.wgsl, 64×64 and 32×32 tiles through workgroup memory, vec4 and scalar loads), forced with
// setMatmulVariant so that it runs on SwiftShader too. The same shapes run under each: they reach every edge of
// the 32×16 and 8×16 blocks and of the 32- and 64-wide tiles and 32-deep K steps: odd sizes, K = 1,
// K mod 4 ≠ 0, M or N = 1, batches with and without stride-0 broadcast, and grids over the per-dimension
// workgroup limit. No test skips: without an adapter gpuBackend() rejects and every test fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuBackend } from '../engine/backend/cpu';
import type { MatmulParams } from '../engine/backend/backend';
import { softwareAdapter } from '../engine/backend/gpu/adapter-class';
import { getMatmulVariant, matmulKernelInfo, matmulTiled, setMatmulVariant, type MatmulVariant } from '../engine/backend/gpu/matmul';
import { expectAllClose, gpuBackend, ODD_SIZES, randArray, type Tolerance } from './helpers';

const cpu = new CpuBackend();

/**
 * Inputs are uniform in [-1, 1). The CPU oracle sums in float64; the GPU sums K float32 products in a fixed
 * order, so its rounding error grows like eps·K·E|partial sum| ≈ 6e-8·sqrt(K)·sqrt(K/9): about 2e-5 at K = 1000.
 * atol = 1e-4·sqrt(K) leaves 100× headroom there (3e-3), yet one dropped or doubled product (|a·b| ≈ 0.25 on
 * average) or a wrong row/column (an error of order sqrt(K)/3) fails by orders of magnitude.
 */
function tolerance(K: number): Tolerance {
  return { atol: 1e-4 * Math.sqrt(Math.max(K, 1)), rtol: 1e-5 };
}

interface Case {
  batch?: number;
  M: number;
  N: number;
  K: number;
  aBroadcast?: boolean; // one A for every batch entry (aBatchStride 0)
  bBroadcast?: boolean;
}

let seed = 1;

/** Runs one matmul on both backends with seeded inputs and compares. */
async function check(c: Case): Promise<void> {
  const batch = c.batch ?? 1;
  const { M, N, K } = c;
  const p: MatmulParams = {
    batch,
    M,
    N,
    K,
    aBatchStride: c.aBroadcast ? 0 : M * K,
    bBatchStride: c.bBroadcast ? 0 : K * N,
  };
  const aData = randArray((c.aBroadcast ? 1 : batch) * M * K, seed++); // (batch | 1, M, K)
  const bData = randArray((c.bBroadcast ? 1 : batch) * K * N, seed++); // (batch | 1, K, N)
  const gpu = await gpuBackend();
  const [ga, gb] = [gpu.upload(aData), gpu.upload(bData)];
  const gc = gpu.matmul(ga, gb, p); // (batch, M, N)
  const got = await gpu.read(gc);
  [ga, gb, gc].forEach((s) => gpu.free(s));
  const [ca, cb] = [cpu.upload(aData), cpu.upload(bData)];
  const cc = cpu.matmul(ca, cb, p);
  const want = await cpu.read(cc);
  [ca, cb, cc].forEach((s) => cpu.free(s));
  const kernel = matmulKernelInfo(gpu.ctx, p).name;
  // The forced variant really ran: the tiled kernel under 'gpu', the software ones under 'software'.
  expect(kernel.startsWith('matmul_tiled'), kernel).toBe(getMatmulVariant() !== 'software');
  expectAllClose(got, want, tolerance(K), `(${batch}, ${M}, ${K}) @ (${K}, ${N}) [${kernel}]`);
}

describe('matmul variant selection', () => {
  it('reports the adapter it runs on, and auto picks the variant for its class', async () => {
    const gpu = await gpuBackend();
    expect(gpu.adapterName.length).toBeGreaterThan(0);
    expect(getMatmulVariant()).toBe('auto');
    const p: MatmulParams = { batch: 1, M: 1024, N: 1024, K: 1024, aBatchStride: 0, bBatchStride: 0 };
    const tiled = matmulKernelInfo(gpu.ctx, p).name.startsWith('matmul_tiled');
    expect(tiled).toBe(!softwareAdapter(gpu.ctx));
  });

  it('the tiled kernel picks 64×64 tiles for big outputs and 32×32 for small or thin ones', async () => {
    const gpu = await gpuBackend();
    setMatmulVariant('gpu');
    try {
      const info = (M: number, N: number, batch = 1) =>
        matmulKernelInfo(gpu.ctx, { batch, M, N, K: 8, aBatchStride: 0, bBatchStride: 0 });
      expect(info(1024, 1024)).toMatchObject({ wgRows: 64, wgCols: 64 });
      expect(info(512, 512)).toMatchObject({ wgRows: 32, wgCols: 32 }); // 64 large tiles: too few workgroups
      expect(info(512, 512, 4)).toMatchObject({ wgRows: 64, wgCols: 64 });
      expect(info(33, 100_000)).toMatchObject({ wgRows: 32, wgCols: 32 }); // thin: a 64-row tile wastes half
    } finally {
      setMatmulVariant('auto');
    }
  });
});

for (const v of ['software', 'gpu'] as const satisfies readonly MatmulVariant[]) describe(`matmul on WebGPU vs the CPU backend, ${v} variant`, () => {
  beforeAll(() => setMatmulVariant(v));
  afterAll(() => setMatmulVariant('auto'));

  // Every (M, N) pair of the odd sizes except the big ones, at a few K: both kernels and every block edge.
  const small = ODD_SIZES.filter((s) => s <= 257);
  for (const K of [1, 7, 33]) {
    it(`odd sizes M, N ∈ {${small.join(', ')}}, K = ${K}`, async () => {
      for (const M of small) for (const N of small) await check({ M, N, K });
    });
  }

  it('the vec4 path at sizes that are multiples of 4 but not of the block (36, 20, 260, 132)', async () => {
    for (const [M, N, K] of [
      [16, 4, 4], [36, 20, 8], [260, 132, 4], [33, 36, 20], [64, 64, 64], [100, 260, 132], [257, 260, 128],
    ]) {
      await check({ M, N, K });
    }
  });

  it('K = 1000 and K mod 4 ≠ 0 over long rows (7 × 1000 @ 1000 × 33, 33 × 1001 @ 1001 × 7)', async () => {
    await check({ M: 7, N: 33, K: 1000 });
    await check({ M: 33, N: 7, K: 1001 });
    await check({ M: 40, N: 36, K: 1000 });
  });

  it('M = 1 and N = 1 (vector-matrix and matrix-vector)', async () => {
    for (const [M, N, K] of [[1, 1000, 257], [1, 64, 64], [1000, 1, 257], [64, 1, 64], [1, 1, 1000]]) {
      await check({ M, N, K });
    }
  });

  it('a 1000 × 1000 output (K = 64, vec4 path; K = 33, general path; 64×64 tiles under gpu)', async () => {
    await check({ M: 1000, N: 1000, K: 64 });
    await check({ M: 1000, N: 1000, K: 33 });
  });

  it('batches: independent, A broadcast (stride 0), B broadcast, both broadcast', async () => {
    for (const [M, N, K] of [[33, 36, 20], [7, 33, 1], [40, 20, 12]]) {
      await check({ batch: 3, M, N, K });
      await check({ batch: 3, M, N, K, aBroadcast: true });
      await check({ batch: 4, M, N, K, bBroadcast: true });
      await check({ batch: 2, M, N, K, aBroadcast: true, bBroadcast: true });
    }
  });

  it('K = 0 gives zeros and empty shapes give empty outputs', async () => {
    const gpu = await gpuBackend();
    const a = gpu.upload(new Float32Array(0));
    const z = gpu.matmul(a, a, { batch: 2, M: 3, N: 5, K: 0, aBatchStride: 0, bBatchStride: 0 });
    expect(Array.from(await gpu.read(z))).toEqual(new Array(30).fill(0));
    const e = gpu.matmul(a, a, { batch: 1, M: 0, N: 5, K: 3, aBatchStride: 0, bBatchStride: 0 });
    expect((await gpu.read(e)).length).toBe(0);
    [a, z, e].forEach((s) => gpu.free(s));
  });

  it('grids over maxComputeWorkgroupsPerDimension are split, in z (batch) and in y (rows)', async () => {
    const gpu = await gpuBackend();
    const max = gpu.ctx.limits.maxComputeWorkgroupsPerDimension;
    // Over 65 535 workgroups of the tiled kernel's 64 invocations (with barriers) take minutes on SwiftShader,
    // so under 'gpu' the small tile shrinks to one invocation, 4×4 with K steps of 4: the same template and
    // the same wgOffset arithmetic, at the software kernels' cost.
    const saved = { ...matmulTiled.small };
    if (v === 'gpu') Object.assign(matmulTiled.small, { WG_X: 1, WG_Y: 1, RM: 4, TK: 4 });
    try {
      // z: one workgroup per batch entry, so a batch of max + 5 needs two dispatches.
      await check({ batch: max + 5, M: 1, N: 2, K: 3 });
      // y: the general kernel covers 8 rows × 4 invocations = 32 rows per workgroup, the shrunken tile 4 rows;
      // K = 1 keeps it cheap.
      const rows = matmulKernelInfo(gpu.ctx, { batch: 1, M: 1 << 20, N: 2, K: 1, aBatchStride: 0, bBatchStride: 0 }).wgRows;
      expect(rows).toBe(v === 'gpu' ? 4 : 32);
      await check({ M: (max + 3) * rows + 5, N: 2, K: 1 });
    } finally {
      Object.assign(matmulTiled.small, saved);
    }
  });
});
