// The WebGPU matmul kernels against the CPU backend's plain loops, for both variants: the software one
// (shaders/matmul.wgsl, the vec4 path, and shaders/matmul_general.wgsl, any layout) and the hardware-GPU one
// (shaders/matmul_tiled.wgsl, 64×64 and 32×32 tiles through workgroup memory, vec4 and scalar loads), forced with
// setMatmulVariant so that it runs on SwiftShader too. The same cases run under each: they reach every edge of
// the 32×16 and 8×16 blocks and of the 32- and 64-wide tiles and 32-deep K steps (odd sizes, K = 1, K mod 4 ≠ 0,
// M or N = 1), batches with and without stride-0 broadcast, grids over the per-dimension workgroup limit, and the
// strided layouts: transposed operands (NT, TN, TT), padded rows with offsets, head-split batch dims, and the
// epilogue (bias, each activation, the row sums of A). No test skips: without an adapter gpuBackend() rejects
// and every test fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuBackend } from '../engine/backend/cpu';
import { denseMatmul, type MatmulActivation, type MatmulOperand, type MatmulParams } from '../engine/backend/backend';
import { softwareAdapter } from '../engine/backend/gpu/adapter-class';
import { getMatmulVariant, matmulKernelInfo, matmulSoftware, matmulTiled, setMatmulVariant, type MatmulVariant } from '../engine/backend/gpu/matmul';
import { expectAllClose, gpuBackend, ODD_SIZES, randArray, type Tolerance } from './helpers';

const cpu = new CpuBackend();

/**
 * Inputs are uniform in [-1, 1). The CPU oracle sums in float64; the GPU sums K float32 products in a fixed
 * order, so its rounding error grows like eps·K·E|partial sum| ≈ 6e-8·sqrt(K)·sqrt(K/9): about 2e-5 at K = 1000.
 * atol = 1e-4·sqrt(K) leaves 100× headroom there (3e-3), yet one dropped or doubled product (|a·b| ≈ 0.25 on
 * average) or a wrong row/column (an error of order sqrt(K)/3) fails by orders of magnitude. The epilogue's
 * activations add their own float32 error (GELU's erf approximation: 1.5e-7), far inside it.
 */
function tolerance(K: number): Tolerance {
  return { atol: 1e-4 * Math.sqrt(Math.max(K, 1)), rtol: 1e-5 };
}

/** How an operand's (batch…, rows, cols) elements sit in its storage. */
interface Layout {
  /** Stored transposed: cols outermost of the matrix dims, so the row stride is 1. */
  transposed?: boolean;
  /** Extra elements after each innermost run (unaligned row strides) and before the first element. */
  pad?: number;
  /** Batch dims stored inside the matrix, as (rows, batch…, cols): a head-split view of (B, T, H, d). */
  batchInside?: boolean;
  /** One matrix shared by the whole batch (batch strides 0). */
  broadcast?: boolean;
}

interface Case {
  batch?: number[]; // batch dims, default none
  M: number;
  N: number;
  K: number;
  a?: Layout;
  b?: Layout;
  bias?: boolean;
  activation?: MatmulActivation;
  sumA?: boolean;
  /** The kernel name this case must run (checked under the software variant, whose choices it pins down). */
  kernel?: RegExp;
}

let seed = 1;

/** Seeded values for an operand of logical shape (batch…, rows, cols) laid out as `l`, and its MatmulOperand. */
function place(batch: number[], rows: number, cols: number, l: Layout = {}): { data: Float32Array; op: MatmulOperand } {
  const bShape = l.broadcast ? batch.map(() => 1) : batch;
  const shape = [...bShape, rows, cols];
  const nb = batch.length;
  // Storage order of the logical dims, outermost first.
  const matrix = l.transposed ? [nb + 1, nb] : [nb, nb + 1];
  const order = l.batchInside ? [matrix[0], ...batch.map((_, i) => i), matrix[1]] : [...batch.map((_, i) => i), ...matrix];
  const pad = l.pad ?? 0;
  const strides = new Array<number>(shape.length).fill(0);
  let acc = 1;
  for (let j = order.length - 1; j >= 0; j--) {
    strides[order[j]] = acc;
    acc *= shape[order[j]] + (j === order.length - 1 ? pad : 0);
  }
  const data = new Float32Array(pad + acc).fill(NaN); // padding is NaN: a kernel that reads it fails loudly
  const values = randArray(shape.reduce((p, d) => p * d, 1), seed++);
  let i = 0;
  const idx = new Array<number>(shape.length).fill(0);
  for (; i < values.length; i++) {
    data[pad + idx.reduce((p, v, d) => p + v * strides[d], 0)] = values[i];
    for (let d = shape.length - 1; d >= 0 && ++idx[d] === shape[d]; d--) idx[d] = 0;
  }
  return {
    data,
    op: { offset: pad, rowStride: strides[nb], colStride: strides[nb + 1], batchStrides: batch.map((_, d) => (l.broadcast ? 0 : strides[d])) },
  };
}

/** Runs one matmul on both backends from the same storages and compares. */
async function check(c: Case): Promise<void> {
  const batch = c.batch ?? [];
  const { M, N, K } = c;
  const A = place(batch, M, K, c.a);
  const B = place(batch, K, N, c.b);
  const biasData = c.bias ? randArray(N + 2, seed++) : null; // read from offset 2
  const p: MatmulParams = {
    M, N, K, batchShape: batch, a: A.op, b: B.op, biasOffset: 2, activation: c.activation ?? 'none', sumA: c.sumA,
  };
  const gpu = await gpuBackend();
  const run = async (be: CpuBackend | typeof gpu): Promise<[Float32Array, Float32Array | null]> => {
    const [sa, sb] = [be.upload(A.data), be.upload(B.data)];
    const sbias = biasData ? be.upload(biasData) : null;
    const r = be.matmul(sa, sb, p, sbias);
    const out = (await be.read(r.out)) as Float32Array;
    const sums = r.sumA ? ((await be.read(r.sumA)) as Float32Array) : null;
    for (const s of [sa, sb, sbias, r.out, r.sumA]) if (s) be.free(s);
    return [out, sums];
  };
  const [got, gotSums] = await run(gpu);
  const [want, wantSums] = await run(cpu);
  const kernel = matmulKernelInfo(gpu.ctx, p, c.bias).name;
  // The forced variant really ran: the tiled kernel under 'gpu', the software ones under 'software'.
  expect(kernel.startsWith('matmul_tiled'), kernel).toBe(getMatmulVariant() !== 'software');
  if (c.kernel && getMatmulVariant() === 'software') expect(kernel).toMatch(c.kernel);
  const what = `(${[...batch, M, K]}) @ (${[...batch, K, N]}) ${JSON.stringify({ a: c.a, b: c.b, bias: c.bias, act: c.activation })} [${kernel}]`;
  expectAllClose(got, want, tolerance(K), what);
  if (c.sumA) expectAllClose(gotSums!, wantSums!, tolerance(K), `${what} sumA`);
}

const dense = (batch: number, M: number, N: number, K: number): MatmulParams =>
  denseMatmul({ batch, M, N, K, aBatchStride: 0, bBatchStride: 0 });

describe('matmul variant selection', () => {
  it('reports the adapter it runs on, and auto picks the variant for its class', async () => {
    const gpu = await gpuBackend();
    expect(gpu.adapterName.length).toBeGreaterThan(0);
    expect(getMatmulVariant()).toBe('auto');
    const tiled = matmulKernelInfo(gpu.ctx, dense(1, 1024, 1024, 1024)).name.startsWith('matmul_tiled');
    expect(tiled).toBe(!softwareAdapter(gpu.ctx));
  });

  it('the tiled kernel picks 64×64 tiles for big outputs and 32×32 for small or thin ones', async () => {
    const gpu = await gpuBackend();
    setMatmulVariant('gpu');
    try {
      const info = (M: number, N: number, batch = 1) => matmulKernelInfo(gpu.ctx, dense(batch, M, N, 8));
      expect(info(1024, 1024)).toMatchObject({ wgRows: 64, wgCols: 64 });
      expect(info(512, 512)).toMatchObject({ wgRows: 32, wgCols: 32 }); // 64 large tiles: too few workgroups
      expect(info(512, 512, 4)).toMatchObject({ wgRows: 64, wgCols: 64 });
      expect(info(33, 100_000)).toMatchObject({ wgRows: 32, wgCols: 32 }); // thin: a 64-row tile wastes half
    } finally {
      setMatmulVariant('auto');
    }
  });

  it('the software variant reads vec4s, along rows or down columns, only where every vec4 is aligned', async () => {
    const gpu = await gpuBackend();
    setMatmulVariant('software');
    try {
      const name = (p: MatmulParams) => matmulKernelInfo(gpu.ctx, p).name;
      expect(name(dense(1, 64, 64, 64))).toMatch(/^matmul\|A_T=0,B_T=0/);
      const bT: MatmulParams = { ...dense(1, 64, 64, 64), b: { offset: 0, rowStride: 1, colStride: 64, batchStrides: [0] } };
      expect(name(bT)).toMatch(/^matmul\|A_T=0,B_T=1/); // x @ Wᵀ: B read down its columns
      const aT: MatmulParams = { ...dense(1, 64, 64, 64), a: { offset: 0, rowStride: 1, colStride: 64, batchStrides: [0] } };
      expect(name(aT)).toMatch(/^matmul\|A_T=1,B_T=0/); // gᵀ @ x
      const odd: MatmulParams = { ...dense(1, 64, 64, 64), a: { offset: 1, rowStride: 64, colStride: 1, batchStrides: [0] } };
      expect(name(odd)).toMatch(/^matmul_general/); // rows not starting on a vec4
      const oddT: MatmulParams = { ...dense(1, 64, 64, 64), b: { offset: 0, rowStride: 1, colStride: 66, batchStrides: [0] } };
      expect(name(oddT)).toMatch(/^matmul_general/); // columns not starting on a vec4
      // 32-row blocks only where there are enough of them and enough work to repay their longer compile.
      expect(name(dense(1, 64, 64, 64))).toMatch(/ROWS=32,/);
      expect(name(dense(1, 64, 128, 12))).toMatch(/ROWS=8,/); // 98 304 multiply-adds
      expect(name(dense(1, 64, 32, 256))).toMatch(/ROWS=8,/); // four 32 × 16 blocks
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

  it('batches: independent, A broadcast (stride 0), B broadcast, both broadcast, two batch dims', async () => {
    for (const [M, N, K] of [[33, 36, 20], [7, 33, 1], [40, 20, 12]]) {
      await check({ batch: [3], M, N, K });
      await check({ batch: [3], M, N, K, a: { broadcast: true } });
      await check({ batch: [4], M, N, K, b: { broadcast: true } });
      await check({ batch: [2], M, N, K, a: { broadcast: true }, b: { broadcast: true } });
      await check({ batch: [2, 3], M, N, K, b: { broadcast: true } });
    }
  });

  it('transposed operands at odd sizes: x @ Wᵀ (NT), gᵀ @ x (TN) and TT', async () => {
    const shapes = [[1, 7, 33], [7, 33, 1], [33, 257, 7], [257, 33, 33], [64, 128, 784], [36, 20, 8]];
    for (const [M, N, K] of v === 'software' ? shapes : shapes.slice(2, 5)) {
      await check({ M, N, K, b: { transposed: true } });
      await check({ M, N, K, a: { transposed: true } });
      await check({ M, N, K, a: { transposed: true }, b: { transposed: true } });
    }
  });

  it('padded rows with offsets (strides not multiples of 4), and head-split batch dims', async () => {
    for (const [M, N, K] of [[7, 33, 33], [33, 36, 20], [64, 64, 64]]) {
      await check({ M, N, K, a: { pad: 3 }, b: { pad: 1 } });
      await check({ M, N, K, a: { pad: 4 }, b: { pad: 4 } }); // aligned padding: vec4 loads from an offset
      await check({ M, N, K, a: { pad: 2, transposed: true }, b: { pad: 5, transposed: true } });
    }
    // Q @ Kᵀ with q, k (B, H, T, d) views of (B, T, H, d) storages: (2, 3) batch dims that cannot merge.
    for (const [T, d] of [[7, 8], [33, 16], [5, 3]]) {
      await check({ batch: [2, 3], M: T, N: T, K: d, a: { batchInside: true }, b: { batchInside: true, transposed: true } });
      await check({ batch: [2, 3], M: T, N: d, K: T, a: { batchInside: true }, b: { batchInside: true } }); // P @ V
    }
  });

  it('the epilogue: bias from an offset, the activations, and the row sums of A', async () => {
    // The bias and activation are template switches, so each combination is a pipeline of its own, and the tiled
    // kernel's take about a second each to compile on SwiftShader. The activations come from one shared WGSL
    // function (shaders/activations.wgsl, epilogue_act): here two through each kernel; test/linear.test.ts runs
    // every activation, forward and backward, through F.linear.
    if (v === 'software') {
      const vec4x32 = /^matmul\|.*ROWS=32,/;
      await check({ M: 65, N: 68, K: 36, bias: true, activation: 'geluTanh', kernel: vec4x32 });
      await check({ M: 33, N: 36, K: 20, activation: 'none', bias: true, kernel: /^matmul\|.*ROWS=8,/ });
      await check({ M: 7, N: 33, K: 33, bias: true, activation: 'relu', kernel: /^matmul_general\|ROWS=8,/ });
      await check({ M: 1, N: 7, K: 33, activation: 'relu', b: { transposed: true } }); // no bias
      await check({ M: 64, N: 64, K: 64, sumA: true, kernel: vec4x32 });
      await check({ M: 33, N: 7, K: 20, a: { transposed: true }, sumA: true });
    }
    await check({ M: 33, N: 7, K: 257, bias: true, activation: 'gelu', b: { transposed: true } }); // Linear: x @ Wᵀ + b
    // Linear's backward: dW = gᵀ @ x with db = Σ_rows g from the same kernel
    await check({ M: 7, N: 257, K: 33, a: { transposed: true }, sumA: true });
  });

  it('K = 0 gives zeros (or the epilogue of 0) and empty shapes give empty outputs', async () => {
    const gpu = await gpuBackend();
    const a = gpu.upload(new Float32Array(0));
    const z = gpu.matmul(a, a, dense(2, 3, 5, 0)).out;
    expect(Array.from(await gpu.read(z))).toEqual(new Array(30).fill(0));
    const bias = gpu.upload(new Float32Array([-1, 2]));
    const zb = gpu.matmul(a, a, { ...dense(1, 2, 2, 0), activation: 'relu' }, bias).out;
    expect(Array.from(await gpu.read(zb))).toEqual([0, 2, 0, 2]);
    const e = gpu.matmul(a, a, dense(1, 0, 5, 3)).out;
    expect((await gpu.read(e)).length).toBe(0);
    [a, z, bias, zb, e].forEach((s) => gpu.free(s));
  });

  it('grids over maxComputeWorkgroupsPerDimension are split, in z (batch) and in y (rows)', async () => {
    const gpu = await gpuBackend();
    const max = gpu.ctx.limits.maxComputeWorkgroupsPerDimension;
    // Over 65 535 workgroups of the tiled kernel's 64 invocations (with barriers) take minutes on SwiftShader,
    // so under 'gpu' the small tile shrinks to one invocation, 4×4 with K steps of 4: the same template and
    // the same wgOffset arithmetic, at the software kernels' cost.
    // The software kernels are held to their smallest workgroup (8-row blocks, 2 × 2 invocations) for the same
    // reason: fewer rows make the grid overflow.
    const saved = { ...matmulTiled.small };
    const savedSoftware = { ...matmulSoftware };
    if (v === 'gpu') Object.assign(matmulTiled.small, { WG_X: 1, WG_Y: 1, RM: 4, TK: 4 });
    Object.assign(matmulSoftware, { minBlocks32: Infinity, minWorkgroups: Infinity });
    try {
      // z: one workgroup per batch entry, so a batch of max + 5 needs two dispatches.
      await check({ batch: [max + 5], M: 1, N: 2, K: 3 });
      // y: the general kernel covers 8 rows × 2 invocations = 16 rows per workgroup, the shrunken tile 4 rows;
      // K = 1 keeps it cheap.
      const rows = matmulKernelInfo(gpu.ctx, dense(1, 1 << 20, 2, 1)).wgRows;
      expect(rows).toBe(v === 'gpu' ? 4 : 16);
      await check({ M: (max + 3) * rows + 5, N: 1, K: 1 });
    } finally {
      Object.assign(matmulTiled.small, saved);
      Object.assign(matmulSoftware, savedSoftware);
    }
  });
});
