// Every public op, run through the Tensor API on the WebGPU device and on the CPU oracle, compared elementwise.
// Kernel-level suites (matmul, reductions, softmax, …) go deeper per kernel; this suite checks the op layer:
// broadcasting, dims, layouts, dtype handling and the composition of kernels.
import { beforeAll, describe, expect, test } from 'vitest';
import {
  init, tensor, cat, where, indexSelect, functional as F, type Tensor, type DeviceName, zeros, ones, arange, randn,
  full, ShapeError,
} from '../engine/index';
import { expectAllClose, randArray, randInts, ODD_SIZES, type Tolerance } from './helpers';

// Tolerances per op family (float32 on both sides; the CPU accumulates in float64).
const TOL: Record<string, Tolerance> = {
  exact: { atol: 0, rtol: 0 },
  arith: { atol: 1e-6, rtol: 1e-6 },
  transcendental: { atol: 1e-5, rtol: 2e-5 }, // exp/log/tanh/gelu/sigmoid: a few ulp on GPUs
  trig: { atol: 5e-4, rtol: 0 }, // WGSL promises sin/cos only to 2^-11 absolute error
  reduce: { atol: 1e-4, rtol: 1e-5 },
  matmul: { atol: 1e-4, rtol: 1e-4 },
  softmax: { atol: 1e-6, rtol: 1e-5 },
  norm: { atol: 1e-4, rtol: 1e-4 },
};

beforeAll(async () => {
  // Fails (never skips) with NoAdapterError, which says how to install an adapter, when there is none.
  await init({ backend: 'webgpu' });
});

/** Runs `build` on both devices with the same host inputs and compares the outputs. */
async function compare(build: (device: DeviceName) => Tensor, tol: Tolerance, what: string): Promise<void> {
  const want = build('cpu');
  const got = build('webgpu');
  expect(got.shape, `${what}: shape`).toEqual(want.shape);
  expect(got.dtype, `${what}: dtype`).toBe(want.dtype);
  expectAllClose(await got.toArray(), await want.toArray(), tol, what);
  got.dispose();
  want.dispose();
}

const t = (data: Float32Array | Int32Array, shape: number[], device: DeviceName) => tensor(data, shape, { device });

describe('unary ops', () => {
  const ops = ['neg', 'abs', 'exp', 'log', 'sqrt', 'relu', 'gelu', 'tanh', 'sigmoid', 'square', 'sin', 'cos'] as const;
  for (const op of ops) {
    test(`${op} over odd sizes`, async () => {
      for (const n of ODD_SIZES) {
        const positive = op === 'log' || op === 'sqrt';
        const data = randArray(n, 11 + n, positive ? 0.01 : -4, 4);
        const tol = op === 'abs' || op === 'neg' || op === 'relu' ? TOL.exact : op === 'sin' || op === 'cos' ? TOL.trig : TOL.transcendental;
        await compare((d) => t(data, [n], d)[op](), tol, `${op}(n=${n})`);
      }
    });
  }
  test('activations give correct finite results for large-magnitude inputs', async () => {
    const data = new Float32Array([-1e4, -100, -30, -10, 0, 10, 30, 100, 1e4]);
    for (const op of ['relu', 'gelu', 'tanh', 'sigmoid'] as const) {
      await compare((d) => t(data, [data.length], d)[op](), TOL.transcendental, `${op} large`);
    }
    const th = await t(data, [data.length], 'webgpu').tanh().toArray();
    expect(Array.from(th)).toEqual([-1, -1, -1, -1, 0, 1, 1, 1, 1]);
  });
  test('softmax and logSoftmax stay finite and exact for ±100 and ±1e4', async () => {
    const data = new Float32Array([1e4, 0, -1e4, 100, -100, 1e4, 1e4, -1e4]);
    await compare((d) => t(data, [2, 4], d).softmax(-1), TOL.softmax, 'softmax large');
    await compare((d) => t(data, [2, 4], d).logSoftmax(-1), { atol: 1e-3, rtol: 1e-6 }, 'logSoftmax large');
    const s = await t(new Float32Array([1e4, 0]), [2], 'webgpu').softmax().toArray();
    expect(Array.from(s)).toEqual([1, 0]);
  });
});

describe('binary ops with broadcasting', () => {
  const cases: Array<[number[], number[]]> = [
    [[7], [7]],
    [[33, 1], [1, 257]],
    [[1], [1000]],
    [[2, 3, 4], [4]],
    [[2, 1, 4], [3, 1]],
    [[5, 1, 1, 3], [1, 6, 2, 1]],
    [[1, 1], [1]],
    [[0, 3], [3]],
    [[], [4, 2]],
  ];
  for (const op of ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'lt', 'ge', 'eq'] as const) {
    test(`${op}`, async () => {
      for (const [sa, sb] of cases) {
        const na = sa.reduce((a, b) => a * b, 1);
        const nb = sb.reduce((a, b) => a * b, 1);
        const a = randArray(na, na + 3, -3, 3);
        const b = randArray(nb, nb + 5, 0.5, 3);
        if (op === 'eq') b.set(a.subarray(0, Math.min(na, nb)).map((v, i) => (i % 2 ? v : 0)));
        await compare((d) => t(a, sa, d)[op](t(b, sb, d)), TOL.arith, `${op} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`);
      }
    });
  }
  test('scalar operands and pow', async () => {
    const a = randArray(257, 4, -3, 3);
    await compare((d) => t(a, [257], d).add(2.5), TOL.arith, 'add scalar');
    await compare((d) => t(a, [257], d).div(-4), TOL.arith, 'div scalar');
    await compare((d) => t(a, [257], d).pow(2), TOL.transcendental, 'pow 2 (negative bases)');
    await compare((d) => t(a, [257], d).pow(3), TOL.transcendental, 'pow 3 (negative bases)');
    await compare((d) => t(a, [257], d).abs().pow(t(randArray(257, 9, -2, 2), [257], d)), TOL.transcendental, 'pow tensor');
  });
  test('int32 operands are converted to float32', async () => {
    const a = randInts(33, 1, -50, 50);
    const b = randInts(33, 2, -50, 50);
    await compare((d) => t(a, [33], d).eq(t(b, [33], d)), TOL.exact, 'int eq');
    await compare((d) => t(a, [33], d).add(t(b, [33], d)), TOL.exact, 'int add');
  });
  test('shape errors name the op and both shapes', () => {
    const a = zeros([2, 3], { device: 'webgpu' });
    const b = zeros([4], { device: 'webgpu' });
    expect(() => a.add(b)).toThrow(ShapeError);
    expect(() => a.add(b)).toThrow(/add: shapes \[2, 3\] and \[4\] cannot be broadcast/);
    expect(() => a.matmul(b)).toThrow(/matmul: shapes \[2, 3\] and \[4\] are incompatible/);
  });
  test('mixing devices is an error that says how to move a tensor', () => {
    expect(() => zeros([2], { device: 'cpu' }).add(zeros([2], { device: 'webgpu' }))).toThrow(/different devices/);
  });
});

describe('matmul through the op layer', () => {
  const cases: Array<[number[], number[]]> = [
    [[7, 33], [33, 1]],
    [[1, 257], [257, 7]],
    [[33], [33, 5]],
    [[5, 33], [33]],
    [[33], [33]],
    [[3, 7, 5], [5, 9]],
    [[7, 5], [3, 5, 9]],
    [[2, 3, 4, 6], [2, 3, 6, 5]],
    [[2, 1, 4, 6], [1, 3, 6, 5]],
    [[4, 1], [1, 6]],
  ];
  test('shapes, promotion and batch broadcasting', async () => {
    for (const [sa, sb] of cases) {
      const a = randArray(sa.reduce((x, y) => x * y, 1), 21, -1, 1);
      const b = randArray(sb.reduce((x, y) => x * y, 1), 22, -1, 1);
      await compare((d) => t(a, sa, d).matmul(t(b, sb, d)), TOL.matmul, `matmul ${JSON.stringify(sa)}@${JSON.stringify(sb)}`);
    }
  });
});

describe('reductions', () => {
  const shape = [7, 33, 5];
  const data = randArray(7 * 33 * 5, 31, -2, 2);
  test('sum, mean, max, min over each dim and all dims', async () => {
    for (const dim of [undefined, 0, 1, 2, -1]) {
      for (const keep of [false, true]) {
        for (const op of ['sum', 'mean', 'max', 'min'] as const) {
          await compare((d) => t(data, shape, d)[op](dim, keep), TOL.reduce, `${op}(${dim}, ${keep})`);
        }
      }
    }
    await compare((d) => t(data, shape, d).sum([0, 2]), TOL.reduce, 'sum([0, 2])');
  });
  test('argmax and argmin give int32 indices', async () => {
    for (const dim of [undefined, 0, 1, 2]) {
      await compare((d) => t(data, shape, d).argmax(dim), TOL.exact, `argmax(${dim})`);
      await compare((d) => t(data, shape, d).argmin(dim, true), TOL.exact, `argmin(${dim})`);
    }
    expect(t(data, shape, 'webgpu').argmax(1).dtype).toBe('int32');
  });
  test('long rows', async () => {
    for (const n of ODD_SIZES) {
      const x = randArray(n * 3, n, -1, 1);
      await compare((d) => t(x, [3, n], d).sum(1), TOL.reduce, `sum rows n=${n}`);
      await compare((d) => t(x, [3, n], d).max(1), TOL.exact, `max rows n=${n}`);
    }
  });
});

describe('layout ops', () => {
  const data = randArray(2 * 3 * 4 * 5, 41);
  const shape = [2, 3, 4, 5];
  test('transpose, permute, reshape, slice, expand, cat', async () => {
    await compare((d) => t(data, shape, d).transpose(1, 3), TOL.exact, 'transpose');
    await compare((d) => t(data, shape, d).permute(3, 1, 0, 2), TOL.exact, 'permute');
    await compare((d) => t(data, shape, d).permute(0, 2, 1, 3).reshape([6, -1]), TOL.exact, 'permute+reshape');
    await compare((d) => t(data, shape, d).slice(2, 1, 3), TOL.exact, 'slice');
    await compare((d) => t(data, shape, d).slice(-1, -3), TOL.exact, 'slice negative');
    await compare((d) => t(data, shape, d).slice(0, 1, 2).transpose(0, 2), TOL.exact, 'slice then transpose');
    await compare((d) => t(data.subarray(0, 4), [4, 1], d).expand([4, 6]), TOL.exact, 'expand');
    await compare((d) => cat([t(data, shape, d), t(data, shape, d).mul(2)], 1), TOL.exact, 'cat dim 1');
    await compare((d) => cat([t(data.subarray(0, 5), [1, 5], d), t(data.subarray(5, 20), [3, 5], d)], 0), TOL.exact, 'cat dim 0');
  });
  test('int32 tensors move through layout ops unchanged', async () => {
    const ints = randInts(24, 3, -1000, 1000);
    await compare((d) => t(ints, [2, 3, 4], d).permute(2, 0, 1), TOL.exact, 'int permute');
    await compare((d) => cat([t(ints, [2, 12], d), t(ints, [2, 12], d)], 1), TOL.exact, 'int cat');
  });
  test('reshape errors', () => {
    const x = zeros([2, 3], { device: 'webgpu' });
    expect(() => x.reshape([4])).toThrow(/reshape: cannot reshape \[2, 3\]/);
    expect(() => x.permute(0, 0)).toThrow(/permute/);
    expect(() => x.transpose(0, 2)).toThrow(/dim 2 is out of range/);
  });
});

describe('where and maskedFill', () => {
  test('broadcast where with float and int32 conditions', async () => {
    const c = randArray(7 * 33, 51, -1, 1).map((v) => (v > 0 ? 1 : 0));
    const ci = Int32Array.from(c);
    const a = randArray(33, 52);
    const b = randArray(7, 53);
    await compare((d) => where(t(c, [7, 33], d), t(a, [33], d), t(b, [7, 1], d)), TOL.exact, 'where float cond');
    await compare((d) => where(t(ci, [7, 33], d), t(a, [33], d), 0), TOL.exact, 'where int cond, scalar b');
    await compare((d) => t(randArray(7 * 33, 54), [7, 33], d).maskedFill(t(ci, [7, 33], d), -1e9), TOL.exact, 'maskedFill');
  });
  test('a causal mask built from arange', async () => {
    await compare((d) => {
      const i = arange(7, undefined, 1, { device: d }).reshape([7, 1]);
      const j = arange(7, undefined, 1, { device: d }).reshape([1, 7]);
      return ones([7, 7], { device: d }).maskedFill(j.gt(i), 0);
    }, TOL.exact, 'causal mask');
  });
});

describe('softmax, layerNorm, crossEntropy, embedding', () => {
  test('softmax over each dim at odd sizes', async () => {
    for (const n of ODD_SIZES) {
      const x = randArray(3 * n, n + 60, -5, 5);
      await compare((d) => t(x, [3, n], d).softmax(-1), TOL.softmax, `softmax n=${n}`);
      await compare((d) => t(x, [3, n], d).logSoftmax(0), TOL.softmax, `logSoftmax dim0 n=${n}`);
    }
  });
  test('layerNorm with and without affine parameters, large magnitudes', async () => {
    for (const n of ODD_SIZES) {
      const x = randArray(5 * n, n + 70, -3, 3);
      const w = randArray(n, n + 71);
      const b = randArray(n, n + 72);
      await compare((d) => F.layerNorm(t(x, [5, n], d), t(w, [n], d), t(b, [n], d)), TOL.norm, `layerNorm n=${n}`);
    }
    const big = randArray(4 * 33, 73, -1e4, 1e4);
    await compare((d) => F.layerNorm(t(big, [4, 33], d), null, null), TOL.norm, 'layerNorm ±1e4');
    const offset = randArray(4 * 33, 74, 100, 101);
    await compare((d) => F.layerNorm(t(offset, [4, 33], d), null, null, 1e-5), { atol: 2e-3, rtol: 1e-3 }, 'layerNorm around 100');
    expect(() => F.layerNorm(zeros([2, 3], { device: 'webgpu' }), zeros([4], { device: 'webgpu' }), null)).toThrow(/weight has shape \[4\]/);
  });
  test('crossEntropy: mean, sum, none, ignoreIndex, labelSmoothing, (B, T, C) logits', async () => {
    const logits = randArray(6 * 7 * 11, 81, -4, 4);
    const targets = randInts(6 * 7, 82, 0, 11);
    targets[3] = -100;
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      for (const labelSmoothing of [0, 0.1]) {
        await compare(
          (d) => F.crossEntropy(t(logits, [6, 7, 11], d), t(targets, [6, 7], d), { reduction, labelSmoothing }),
          TOL.reduce,
          `crossEntropy ${reduction} ε=${labelSmoothing}`,
        );
      }
    }
    expect(() => F.crossEntropy(zeros([3, 4], { device: 'webgpu' }), zeros([3], { device: 'webgpu' }))).toThrow(/targets must be int32/);
    expect(() => F.crossEntropy(zeros([3, 4], { device: 'webgpu' }), zeros([4], { device: 'webgpu', dtype: 'int32' }))).toThrow(/need targets of shape \[3\]/);
  });
  test('embedding with repeated indices, and out-of-range indices raise', async () => {
    const table = randArray(10 * 7, 91);
    const idx = Int32Array.from([3, 3, 0, 9, 3, 1]);
    await compare((d) => F.embedding(t(idx, [2, 3], d), t(table, [10, 7], d)), TOL.exact, 'embedding');
    await compare((d) => indexSelect(t(table, [10, 7], d), t(idx, [6], d)), TOL.exact, 'indexSelect');
    const bad = F.embedding(tensor(Int32Array.from([1, 10]), [2], { device: 'webgpu' }), tensor(table, [10, 7], { device: 'webgpu' }));
    await expect(bad.toArray()).rejects.toThrow(/gather: an index was outside/);
    expect(() => F.embedding(tensor(Int32Array.from([1, 10]), [2], { device: 'cpu' }), tensor(table, [10, 7], { device: 'cpu' }))).toThrow(RangeError);
  });
});

describe('creation and movement', () => {
  test('factories and dtypes', async () => {
    expect(Array.from(await arange(5, undefined, 1, { device: 'webgpu' }).toArray())).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(await full([3], 2.5, { device: 'webgpu' }).toArray())).toEqual([2.5, 2.5, 2.5]);
    const i = tensor(Int32Array.from([1, -2, 3]), [3], { device: 'webgpu' });
    expect(i.dtype).toBe('int32');
    expect(await i.toArray()).toBeInstanceOf(Int32Array);
    expect(Array.from(await tensor([1.9, -1.9], [2], { device: 'webgpu' }).int().toArray())).toEqual([1, -1]);
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(/data has 3 elements but shape \[2, 2\] needs 4/);
    expect(() => tensor([1.5], [1], { dtype: 'int32' })).toThrow(/not a 32-bit integer/);
  });
  test('randn is seeded and identical on both devices', async () => {
    const a = await randn([257], { seed: 7, device: 'webgpu' }).toArray();
    const b = await randn([257], { seed: 7, device: 'cpu' }).toArray();
    expect(Array.from(a)).toEqual(Array.from(b));
    const mean = Array.from(a).reduce((s, v) => s + v, 0) / a.length;
    expect(Math.abs(mean)).toBeLessThan(0.2);
  });
  test('.to() moves between devices, item() and detach()', async () => {
    const x = tensor([1, 2, 3, 4], [2, 2], { device: 'webgpu' });
    const c = await x.to('cpu');
    expect(c.device).toBe('cpu');
    expect(Array.from(await c.toArray())).toEqual([1, 2, 3, 4]);
    const back = await c.to('webgpu');
    expect(await back.sum().item()).toBe(10);
    expect(() => x.item()).rejects.toThrow(/one element/);
    expect(x.detach().shape).toEqual([2, 2]);
  });
});
