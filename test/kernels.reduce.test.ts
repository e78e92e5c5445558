// The WebGPU reduce kernel (sum, max, min, argmax, argmin over one axis of a strided input) checked against the
// CPU backend, the oracle. Covers both kernel layouts (workgroup tree and per-thread loop), multi-pass reductions
// over a million elements, every axis of 3-D tensors, strided inputs (permuted, sliced, expanded views), ties for
// the arg ops and NaN propagation.
import { beforeAll, describe, expect, test } from 'vitest';
import { CpuBackend } from '../engine/backend/cpu';
import { contiguousReduce, type ReduceLayout, type ReduceOp } from '../engine/backend/backend';
import type { WebGPUBackend } from '../engine/backend/webgpu';
import { expectAllClose, gpuBackend, randArray, randInts, ODD_SIZES, type Tolerance } from './helpers';

// Tolerances per op. The GPU sums in float32 by trees of partial sums; the CPU accumulates in float64 and rounds
// once. Extremes and their indices are exact: they select an input, they compute nothing.
const TOL: Record<ReduceOp, Tolerance> = {
  sum: { atol: 2e-5, rtol: 1e-5 }, // inputs in [-1, 1), len ≤ ~5000; the million-element cases state their own
  max: { atol: 0, rtol: 0 },
  min: { atol: 0, rtol: 0 },
  argmax: { atol: 0, rtol: 0 },
  argmin: { atol: 0, rtol: 0 },
};
const OPS: ReduceOp[] = ['sum', 'max', 'min', 'argmax', 'argmin'];

const cpu = new CpuBackend();
let gpu: WebGPUBackend;

beforeAll(async () => {
  // Rejects with NoAdapterError (which says how to install an adapter) when there is none: the suite fails.
  gpu = await gpuBackend();
});

interface Dims {
  outer: number;
  len: number;
  inner: number;
}

/** Runs one reduction on both backends from the same host data and compares the results. */
async function check(op: ReduceOp, data: Float32Array, d: Dims | ReduceLayout, tol: Tolerance = TOL[op]): Promise<void> {
  const layout = 'outer' in d ? contiguousReduce(d.outer, d.len, d.inner) : d;
  const what = `${op} over ${JSON.stringify(d)}`;
  const cs = cpu.upload(data);
  const want = await cpu.read(cpu.reduce(op, cs, layout));
  const gs = gpu.upload(data);
  const gout = gpu.reduce(op, gs, layout);
  expect(gout.dtype, what).toBe(op.startsWith('arg') ? 'int32' : 'float32');
  const got = await gpu.read(gout);
  gpu.free(gs);
  gpu.free(gout);
  expectAllClose(got, want, tol, what);
}

describe('reduce', () => {
  test('odd (outer, len, inner) combinations, every op', async () => {
    for (const len of ODD_SIZES) {
      for (const [outer, inner] of [[1, 1], [7, 1], [1, 7], [33, 33], [7, 257]]) {
        const d = { outer, len, inner };
        const data = randArray(outer * len * inner, len * 31 + outer * 7 + inner);
        for (const op of OPS) await check(op, data, d);
      }
    }
  });

  test('each axis of 3-D tensors', async () => {
    for (const shape of [[7, 33, 257], [257, 1, 7], [1000, 7, 1], [1, 1000, 33]]) {
      const data = randArray(shape[0] * shape[1] * shape[2], shape[0] + shape[1] * 3 + shape[2] * 5);
      for (let axis = 0; axis < 3; axis++) {
        const d = {
          outer: shape.slice(0, axis).reduce((a, b) => a * b, 1),
          len: shape[axis],
          inner: shape.slice(axis + 1).reduce((a, b) => a * b, 1),
        };
        for (const op of OPS) await check(op, data, d);
      }
    }
  });

  test('strided inputs: each axis of permuted 3-D views, a sliced view with an offset, a stride-0 expand', async () => {
    const shape = [7, 33, 41];
    const rowMajor = [33 * 41, 41, 1];
    const data = randArray(7 * 33 * 41 + 5, 17);
    for (const perm of [[2, 0, 1], [1, 2, 0]]) {
      const vShape = perm.map((i) => shape[i]);
      const vStrides = perm.map((i) => rowMajor[i]);
      for (let axis = 0; axis < 3; axis++) {
        const layout: ReduceLayout = {
          outShape: vShape.filter((_, i) => i !== axis), outStrides: vStrides.filter((_, i) => i !== axis),
          len: vShape[axis], lenStride: vStrides[axis], offset: 0,
        };
        for (const op of OPS) await check(op, data, layout);
      }
    }
    // x[:, 3:30, :] of the (7, 33, 41) tensor starting at element 5, reduced over its middle dim (long: tree layout)
    const sliced: ReduceLayout = { outShape: [7, 41], outStrides: [33 * 41, 1], len: 27, lenStride: 41, offset: 5 + 3 * 41 };
    for (const op of OPS) await check(op, data, sliced);
    // a (1000,) vector expanded to (5, 1000) with stride 0, reduced over dim 1 and over dim 0
    for (const op of OPS) {
      await check(op, data, { outShape: [5], outStrides: [0], len: 1000, lenStride: 1, offset: 3 });
      await check(op, data, { outShape: [1000], outStrides: [1], len: 5, lenStride: 0, offset: 3 });
    }
  });

  test('many outputs with a long axis (the per-thread layout over several passes)', async () => {
    // outer·inner ≥ 4096 selects one thread per output; len > 64 makes it chunk the axis and run two passes.
    for (const d of [{ outer: 1, len: 257, inner: 4099 }, { outer: 4097, len: 1000, inner: 1 }]) {
      const data = randArray(d.outer * d.len * d.inner, d.outer + d.inner);
      for (const op of OPS) await check(op, data, d);
    }
  });

  test('few outputs with a long axis (the tree layout over several passes)', async () => {
    for (const d of [{ outer: 3, len: 100_003, inner: 1 }, { outer: 1, len: 5000, inner: 3 }, { outer: 2, len: 4097, inner: 7 }]) {
      const data = randArray(d.outer * d.len * d.inner, d.len);
      for (const op of OPS) await check(op, data, d, op === 'sum' ? { atol: 1e-4, rtol: 1e-5 } : TOL[op]);
    }
  });

  test('a million elements: accurate sum and exact extremes', async () => {
    const len = (1 << 20) + 3;
    const d = { outer: 1, len, inner: 1 };
    const data = randArray(len, 2024);
    data[777_777] = 5; // a unique max and min deep inside, far from the first chunk
    data[12_345] = -5;
    // |Σ| ≈ 600 here; float32's ulp there is 6e-5, and the tree adds ~log2(len) roundings.
    for (const op of OPS) await check(op, data, d, op === 'sum' ? { atol: 2e-3, rtol: 1e-6 } : TOL[op]);

    // A serial float32 loop over 2^20 copies of 0.1 drifts by about 1% (each addition rounds at the running
    // total's ulp); a tree of partial sums stays within a few ulp of Σ = 2^20 · fl(0.1).
    const tenths = new Float32Array(1 << 20).fill(0.1);
    await check('sum', tenths, { outer: 1, len: 1 << 20, inner: 1 }, { atol: 0, rtol: 1e-6 });
  });

  test('len = 1 is the identity (argmax/argmin give 0)', async () => {
    for (const [outer, inner] of [[1, 1], [33, 1], [7, 257]]) {
      const data = randArray(outer * inner, outer * inner);
      for (const op of OPS) await check(op, data, { outer, len: 1, inner });
    }
  });

  test('more outputs than one grid dimension holds (the per-thread layout folds its grid into y)', async () => {
    // 2^22 + 1 outputs at 64 threads per workgroup: 65537 workgroups, past the 65535 limit of one dimension.
    const d = { outer: (1 << 22) + 1, len: 2, inner: 1 };
    const data = randArray(d.outer * d.len, 77);
    for (const op of ['sum', 'argmax'] as const) await check(op, data, d);
  });

  test('ties: argmax/argmin give the FIRST extreme in every layout and pass', async () => {
    const cases: Dims[] = [
      { outer: 5, len: 33, inner: 1 }, // per-thread, one pass
      { outer: 3, len: 9000, inner: 1 }, // tree, three chunks then a second pass
      { outer: 2, len: 300, inner: 4100 }, // per-thread, chunked, two passes
      { outer: 1, len: 20_000, inner: 7 }, // tree with a strided axis
    ];
    for (const d of cases) {
      // Integers 0..3 as floats: every row has thousands of equal extremes.
      const data = Float32Array.from(randInts(d.outer * d.len * d.inner, d.len + d.inner, 0, 4));
      for (const op of ['argmax', 'argmin', 'max', 'min'] as const) await check(op, data, d);
    }
  });

  test('NaN propagates through max/min/sum, and arg ops point at the first NaN (as the CPU oracle does)', async () => {
    for (const d of [{ outer: 4, len: 50, inner: 1 }, { outer: 1, len: 10_000, inner: 1 }, { outer: 2, len: 100, inner: 4096 }]) {
      const data = randArray(d.outer * d.len * d.inner, 99);
      // NaN at two places of the first row/column, none in the others.
      data[d.inner * 3] = NaN;
      data[d.inner * (d.len - 2)] = NaN;
      for (const op of OPS) await check(op, data, d);
    }
  });

  test('±Inf are ordinary extremes', async () => {
    const data = Float32Array.from([1, -Infinity, 3, Infinity, 2, Infinity, -Infinity, 0]);
    for (const op of OPS) await check(op, data, { outer: 1, len: 8, inner: 1 });
    const allNegInf = new Float32Array(300).fill(-Infinity); // the identity of max is -Inf: index 0 must still win
    for (const op of ['argmax', 'argmin', 'max'] as const) await check(op, allNegInf, { outer: 1, len: 300, inner: 1 });
  });

  test('temporary buffers go back to the pool', async () => {
    const data = randArray(3 * 100_003, 5);
    const x = gpu.upload(data);
    const before = gpu.memoryStats().buffers;
    for (const op of OPS) {
      const out = gpu.reduce(op, x, contiguousReduce(3, 100_003, 1)); // two passes: partial values (and indices) are temporaries
      expect(gpu.memoryStats().buffers, op).toBe(before + 1);
      gpu.free(out);
    }
    gpu.free(x);
  });
});
