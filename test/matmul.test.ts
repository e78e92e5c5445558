// The WebGPU matmul kernels (shaders/matmul.wgsl, the vec4 path, and shaders/matmul_general.wgsl, any shape)
// against the CPU backend's plain loops. Shapes are chosen to reach every edge of the 32×16 and 8×16 blocks:
// odd sizes, K = 1, K mod 4 ≠ 0, M or N = 1, batches with and without stride-0 broadcast, and grids over the
// per-dimension workgroup limit. No test skips: without an adapter gpuBackend() rejects and every test fails.
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../engine/backend/cpu';
import type { MatmulParams } from '../engine/backend/backend';
import { matmulVec4Ok } from '../engine/backend/gpu/matmul';
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
  const path = matmulVec4Ok(p) && M >= 16 ? 'vec4' : 'general';
  expectAllClose(got, want, tolerance(K), `(${batch}, ${M}, ${K}) @ (${K}, ${N}) [${path}]`);
}

describe('matmul on WebGPU vs the CPU backend', () => {
  it('reports the adapter it runs on', async () => {
    const gpu = await gpuBackend();
    expect(gpu.adapterName.length).toBeGreaterThan(0);
  });

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

  it('a 1000 × 1000 output (K = 64, vec4 path; K = 33, general path)', async () => {
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
    // z: one workgroup per batch entry, so a batch of max + 5 needs two dispatches.
    await check({ batch: max + 5, M: 1, N: 2, K: 3 });
    // y: the general kernel covers 8 rows × 4 invocations = 32 rows per workgroup; K = 1 keeps it cheap.
    await check({ M: (max + 3) * 32 + 5, N: 2, K: 1 });
  });
});
