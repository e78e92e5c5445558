// The storage-binding cap: a storage may be as large as maxBufferSize, dispatch refuses a binding over the cap
// with a clear OverLimitError (never a WebGPU validation error), and setBindingLimit lowers the cap so that tests
// can exercise the split embedding and matmul paths on small models.
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { init, setBindingLimit, tensor, nn, noGrad, functional as F, OverLimitError, type Tensor } from '../engine/index';
import { webgpuBackend } from '../engine/device';
import { setMatmulVariant } from '../engine/backend/gpu/matmul';
import { product } from '../engine/ops/matmul';
import type { WebGPUBackend } from '../engine/backend/webgpu';
import { expectAllClose, randArray, randInts } from './helpers';

let be: WebGPUBackend;

beforeAll(async () => {
  await init({ backend: 'webgpu' });
  be = webgpuBackend()!;
});

afterEach(() => setBindingLimit(null));

describe('setBindingLimit', () => {
  test('lowers the cap, and null restores the adapter limit', () => {
    const adapterCap = be.ctx.limits.maxStorageBufferBindingSize;
    expect(be.ctx.bindingLimit).toBe(adapterCap);
    setBindingLimit(1024);
    expect(be.ctx.bindingLimit).toBe(1024);
    setBindingLimit(null);
    expect(be.ctx.bindingLimit).toBe(adapterCap);
  });

  test('refuses a limit above the adapter, unaligned or below the offset alignment, and keeps the old one', () => {
    const adapterCap = be.ctx.limits.maxStorageBufferBindingSize;
    setBindingLimit(2048);
    expect(() => setBindingLimit(adapterCap + 4)).toThrow(/above this adapter's maxStorageBufferBindingSize/);
    expect(() => setBindingLimit(1026)).toThrow(/multiple of 4/);
    expect(() => setBindingLimit(4)).toThrow(/minStorageBufferOffsetAlignment/);
    expect(() => setBindingLimit(Number.NaN)).toThrow(/not a usable binding limit/);
    expect(be.ctx.bindingLimit).toBe(2048);
  });

  test('a storage over the cap is made and read back, but a kernel binding it whole gets a clear OverLimitError', async () => {
    setBindingLimit(1024);
    const n = 300; // 1200 bytes, over the 1024-byte cap
    const values = Float32Array.from({ length: n }, (_, i) => i * 0.5 - 7);
    const x = tensor(values, [n], { device: 'webgpu' });
    expect(Array.from(await x.toArray())).toEqual(Array.from(values)); // upload and readback bind nothing
    const err = (() => {
      try {
        x.mul(2);
      } catch (e) {
        return e as Error;
      }
      throw new Error('x.mul(2) bound 1200 bytes under a 1024-byte cap without an error');
    })();
    expect(err).toBeInstanceOf(OverLimitError);
    // The kernel, the binding and both sizes are named.
    expect(err.message).toMatch(/^binary: binding '\w+' is a whole buffer of 1200 bytes, over the storage binding limit of 1024 bytes/);
    expect(err.message).toMatch(/setBindingLimit; the adapter's maxStorageBufferBindingSize is \d+/);
    // Nothing was lost: the tensor still reads, and small tensors still compute under the cap.
    expect((await x.toArray())[3]).toBe(values[3]);
    const y = tensor([1, 2, 3], [3], { device: 'webgpu' }).mul(2);
    expect(Array.from(await y.toArray())).toEqual([2, 4, 6]);
    setBindingLimit(null);
    expect((await x.mul(2).toArray())[n - 1]).toBe(values[n - 1] * 2);
  });

  test('a tensor under the cap in a pooled buffer bigger than the cap still binds', async () => {
    setBindingLimit(768);
    // 720 bytes sit in a 1024-byte pool bucket: bound as its first 720 bytes, not refused.
    const x = tensor(Float32Array.from({ length: 180 }, (_, i) => i), [180], { device: 'webgpu' });
    expect(Array.from(await x.add(1).toArray())).toEqual(Array.from({ length: 180 }, (_, i) => i + 1));
  });
});

/** Runs fn with the binding cap at `bytes`, then restores the adapter's; returns fn's arrays. */
async function capped<T>(bytes: number, fn: () => Promise<T>): Promise<T> {
  setBindingLimit(bytes);
  try {
    return await fn();
  } finally {
    setBindingLimit(null);
  }
}

const dispatchesOf = (kernel: string): number => be.ctx.dispatchesByKernel.get(kernel) ?? 0;

// Forward tolerance against the CPU backend (float32 dot products summed in another order); the split paths
// themselves are compared with the uncapped GPU path bit for bit.
const VS_CPU = { atol: 1e-5, rtol: 1e-5 };

describe('embedding over the binding limit', () => {
  // Rows of 13 words (52 bytes): windows start mid-row of the 256-byte alignment, and rows are not a multiple of a
  // window. A cap must hold one row after the worst alignment slack (252 bytes), and the output (n, 13) whole.
  const rowSize = 13;
  const cap = 304;
  const cases: Array<[number, number, number]> = [[7, 5, 304], [33, 17, 1024], [257, 41, 4096]]; // rows, n, cap
  test.each(cases)('a (%i, 13) table is gathered window by window for %i indices, equal to the uncapped path and the CPU', async (rows, n, rowCap) => {
    const table = randArray(rows * rowSize, rows);
    const idx = randInts(n, rows + 1, 0, rows);
    idx[0] = rows - 1; // the last row (in the last window) and the first
    idx[1] = 0;
    const gt = tensor(table, [rows, rowSize], { device: 'webgpu' });
    const gi = tensor(idx, [n], { device: 'webgpu' });
    const whole = await F.embedding(gi, gt).toArray();
    const before = dispatchesOf('gather');
    const split = await capped(rowCap, () => F.embedding(gi, gt).toArray());
    expect(dispatchesOf('gather') - before).toBeGreaterThan(1); // it really was split
    expect(Array.from(split)).toEqual(Array.from(whole));
    const cpu = await F.embedding(tensor(idx, [n], { device: 'cpu' }), tensor(table, [rows, rowSize], { device: 'cpu' })).toArray();
    expectAllClose(split, cpu, { atol: 0, rtol: 0 }, `embedding (${rows}, ${rowSize})`);
  });

  test('an index outside [0, rows) still sets the gather error flag, once, when split', async () => {
    const rows = 33;
    const gt = tensor(randArray(rows * rowSize, 3), [rows, rowSize], { device: 'webgpu' });
    const gi = tensor(Int32Array.from([4, rows, -1, 32]), [4], { device: 'webgpu' });
    await capped(cap, async () => {
      const y = F.embedding(gi, gt);
      await expect(y.toArray()).rejects.toThrow(/gather: an index was outside \[0, rows\)/);
      // The flag was cleared by that read: a good lookup afterwards reads cleanly.
      const ok = F.embedding(tensor(Int32Array.from([32, 0]), [2], { device: 'webgpu' }), gt);
      expect((await ok.toArray()).length).toBe(2 * rowSize);
    });
  });

  test('a row that cannot fit the cap, and the table\'s gradient, get clear errors', async () => {
    const gt = tensor(randArray(7 * 100, 5), [7, 100], { device: 'webgpu' }); // 400-byte rows
    await capped(512, async () => {
      // Row 1 starts 144 bytes past an aligned byte: 544 bytes to bind it.
      expect(() => F.embedding(tensor(Int32Array.from([1]), [1], { device: 'webgpu' }), gt)).toThrow(/one row of the \(7, 100\) table is 400 bytes/);
    });
    const gi = tensor(Int32Array.from([1, 6]), [2], { device: 'webgpu' });
    const big = tensor(randArray(33 * rowSize, 6), [33, rowSize], { device: 'webgpu', requiresGrad: true });
    await capped(cap, async () => {
      const y = F.embedding(gi, big).sum();
      expect(() => y.backward()).toThrow(OverLimitError);
      expect(() => F.embedding(gi, big).sum().backward()).toThrow(/Training a weight over the binding limit is not supported on this adapter/);
    });
  });
});

describe('matmul over the binding limit', () => {
  // W (V, E) read as Wᵀ by linear, as GPT's tied head reads its embedding. E = 36: rows of 144 bytes, so chunk
  // boundaries fall mid-alignment. Each cap is over the output (which is not split) and under W.
  const E = 36;
  const capFor = (M: number, V: number): number => Math.max(512, Math.ceil((M * V * 4) / 16) * 16 + 256);
  const cases: Array<[number, number]> = [[1, 7], [7, 33], [33, 65], [4, 64]]; // (rows of x, V); V = 257 below
  test.each(cases)('linear(x (%i, 36), W (%i, 36)) with a bias and relu splits W by rows, equal to the uncapped path', async (M, V) => {
    const [x, w, b] = [randArray(M * E, M), randArray(V * E, V + 1), randArray(V, V + 2)];
    const run = (device: 'webgpu' | 'cpu'): Promise<Float32Array | Int32Array> =>
      F.linear(tensor(x, [M, E], { device }), tensor(w, [V, E], { device }), tensor(b, [V], { device }), 'relu').toArray();
    const whole = await run('webgpu');
    const before = be.ctx.dispatches;
    const split = await capped(capFor(M, V), () => run('webgpu'));
    expect(be.ctx.dispatches - before).toBeGreaterThan(2); // chunks and their copies
    expect(Array.from(split)).toEqual(Array.from(whole));
    expectAllClose(split, await run('cpu'), VS_CPU, `linear (${M}, ${E}) @ (${V}, ${E})ᵀ`);
  });

  test('under the tiled kernel that hardware GPUs run, the split equals the uncapped path', async () => {
    const [M, V] = [7, 257];
    const [x, w, b] = [randArray(M * E, 41), randArray(V * E, 42), randArray(V, 43)];
    const run = (): Promise<Float32Array | Int32Array> =>
      F.linear(tensor(x, [M, E], { device: 'webgpu' }), tensor(w, [V, E], { device: 'webgpu' }), tensor(b, [V], { device: 'webgpu' }), 'relu').toArray();
    setMatmulVariant('gpu');
    try {
      const whole = await run();
      const split = await capped(8192, run); // W 37008 bytes, the output 7196
      expect(Array.from(split)).toEqual(Array.from(whole));
    } finally {
      setMatmulVariant('auto');
    }
  });

  test('odd rows (E = 5) and a plain matmul with Wᵀ as a view split alike', async () => {
    const [M, V, E5] = [3, 257, 5]; // W 5140 bytes, the output 3084
    const [x, w] = [randArray(M * E5, 11), randArray(V * E5, 12)];
    const run = (device: 'webgpu' | 'cpu'): Promise<Float32Array | Int32Array> =>
      tensor(x, [M, E5], { device }).matmul(tensor(w, [V, E5], { device }).transpose(0, 1)).toArray();
    const whole = await run('webgpu');
    const split = await capped(3600, () => run('webgpu'));
    expect(Array.from(split)).toEqual(Array.from(whole));
    expectAllClose(split, await run('cpu'), VS_CPU, 'x @ Wᵀ, E = 5');
  });

  test('W over the cap as A splits by rows (M), N splits keep the row sums, both with a bias, equal to the uncapped path', async () => {
    const [V, M2] = [257, 3];
    const [w, v, x, b3, bV] = [randArray(V * E, 51), randArray(E * M2, 52), randArray(M2 * E, 53), randArray(M2, 54), randArray(V, 55)];
    const dev = { device: 'webgpu' as const };
    const run = async (): Promise<number[][]> => {
      const W = tensor(w, [V, E], dev);
      // W (257, 36) @ v (36, 3) + b: A over the cap, split along M; Σ_k W[m, k] rides along.
      const m = product(W, tensor(v, [E, M2], dev), { bias: tensor(b3, [M2], dev), sumA: true });
      // x (3, 36) @ Wᵀ + b: B over the cap, split along N; Σ_k x[m, k] from the first chunk.
      const n = product(tensor(x, [M2, E], dev), W.transpose(0, 1), { bias: tensor(bV, [V], dev), sumA: true });
      return Promise.all([m.out, m.sumA!, n.out, n.sumA!].map(async (t) => Array.from(await t.toArray())));
    };
    const whole = await run();
    const before = be.ctx.dispatches;
    const split = await capped(4096, run); // W 37008 bytes; outputs 3084 bytes
    expect(be.ctx.dispatches - before).toBeGreaterThan(8);
    expect(split).toEqual(whole);
  });

  test('the gradient of x through a frozen W over the cap sums K chunks, equal to the uncapped path', async () => {
    const [M, V] = [3, 257];
    const [x, w, g] = [randArray(M * E, 21), randArray(V * E, 22), randArray(M * V, 23)];
    const grad = async (): Promise<Float32Array | Int32Array> => {
      const xt = tensor(x, [M, E], { device: 'webgpu', requiresGrad: true });
      const y = F.linear(xt, tensor(w, [V, E], { device: 'webgpu' })); // (M, V)
      y.mul(tensor(g, [M, V], { device: 'webgpu' })).sum().backward(); // dy = g, so dx = g W
      return (xt.grad as Tensor).toArray();
    };
    const whole = await grad();
    const split = await capped(4096, grad);
    // dx = g W sums over V: split along V (K), the chunk sums are added in another order.
    expectAllClose(split, whole, { atol: 1e-5, rtol: 1e-5 }, 'dx = g W');
  });

  test('training W over the cap, or an output over the cap, gets a clear error', async () => {
    const [M, V] = [3, 257];
    const xt = tensor(randArray(M * E, 31), [M, E], { device: 'webgpu' });
    const wt = tensor(randArray(V * E, 32), [V, E], { device: 'webgpu', requiresGrad: true });
    await capped(4096, async () => {
      const loss = F.linear(xt, wt).sum();
      expect(() => loss.backward()).toThrow(/output of shape \(257, 36\) is 37008 bytes, over the storage binding limit of 4096 bytes/);
      expect(() => F.linear(xt, wt).sum().backward()).toThrow(/training a weight over the binding limit .*is not supported on this adapter/);
      // (40, 257) logits are 41120 bytes: over a 32 KiB cap whatever the split.
      const x40 = tensor(randArray(40 * E, 33), [40, E], { device: 'webgpu' });
      setBindingLimit(32768);
      expect(() => F.linear(x40, wt)).toThrow(/output of shape \(40, 257\) is 41120 bytes/);
    });
  });
});

describe('a model whose embedding is over the binding limit', () => {
  test('GPT logits (embedding lookup and tied head) under a lowered cap equal the uncapped ones', async () => {
    const m = new nn.GPT({ vocabSize: 257, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 16, seed: 1, device: 'webgpu' });
    const idx = tensor(Int32Array.from([0, 5, 256, 100, 7, 3]), [2, 3], { device: 'webgpu' });
    const whole = await noGrad(() => m.logits(idx)).toArray();
    // wte (257, 16) is 16448 bytes, over the cap; the (2, 3, 257) logits (6168 bytes) are under it.
    const split = await capped(8192, () => noGrad(() => m.logits(idx)).toArray());
    expect(Array.from(split)).toEqual(Array.from(whole));
  });
});
