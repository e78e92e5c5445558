// The storage-binding cap: a storage may be as large as maxBufferSize, dispatch refuses a binding over the cap
// with a clear OverLimitError (never a WebGPU validation error), and setBindingLimit lowers the cap so that tests
// can exercise the split embedding and matmul paths on small models.
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { init, setBindingLimit, tensor, OverLimitError } from '../engine/index';
import { webgpuBackend } from '../engine/device';
import type { WebGPUBackend } from '../engine/backend/webgpu';

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
