// GPU memory, batching, limits and device loss: the runtime behaviour beneath the ops.
import { beforeAll, describe, expect, test } from 'vitest';
import {
  init, tensor, zeros, ones, randn, tidy, dispose, keep, memoryStats, OverLimitError, DeviceLostError, full,
} from '../engine/index';
import { webgpuBackend } from '../engine/device';
import type { WebGPUBackend } from '../engine/backend/webgpu';

let be: WebGPUBackend;

beforeAll(async () => {
  await init({ backend: 'webgpu' });
  be = webgpuBackend()!;
});

describe('buffer pool', () => {
  test('creating and disposing 10,000 tensors keeps the pool bounded', async () => {
    const before = memoryStats();
    for (let i = 0; i < 10_000; i++) {
      const a = tensor([i, i + 1, i + 2], [3], { device: 'webgpu' });
      const b = tidy(() => a.mul(2).add(1)); // tidy frees the intermediate a.mul(2)
      a.dispose();
      b.dispose();
    }
    const after = memoryStats();
    expect(after.buffers).toBe(before.buffers);
    expect(after.bytes).toBe(before.bytes);
    // Two buffers of one size class are enough for the whole loop.
    expect(after.pooledBuffers - before.pooledBuffers).toBeLessThanOrEqual(4);
  }, 120_000);

  test('a freed buffer is reused for the next tensor of its size class', () => {
    const a = zeros([1000], { device: 'webgpu' });
    const buf = (a.storage as unknown as { buffer: GPUBuffer }).buffer;
    a.dispose();
    const b = zeros([900], { device: 'webgpu' });
    expect((b.storage as unknown as { buffer: GPUBuffer }).buffer).toBe(buf);
    b.dispose();
  });

  test('a buffer freed while encoded work still uses it is destroyed only after that work is submitted', async () => {
    const cap = be.ctx.pool.maxPooledBytes;
    be.ctx.pool.maxPooledBytes = 0; // every release destroys
    try {
      const a = ones([1000], { device: 'webgpu' });
      const b = a.add(1); // encoded, not yet submitted, and reads a's buffer
      a.dispose();
      expect(Array.from(await b.toArray()).every((v) => v === 2)).toBe(true);
      b.dispose();
    } finally {
      be.ctx.pool.maxPooledBytes = cap;
    }
  });

  test('views share storage: the memory goes back only when the last view is disposed', async () => {
    const base = memoryStats().buffers;
    const a = randn([4, 6], { seed: 1, device: 'webgpu' });
    const v = a.reshape([24]);
    a.dispose();
    expect(memoryStats().buffers).toBe(base + 1);
    expect((await v.toArray()).length).toBe(24);
    v.dispose();
    expect(memoryStats().buffers).toBe(base);
    expect(() => a.add(1)).toThrow(/disposed/);
  });
});

describe('tidy', () => {
  test('disposes intermediates and keeps what the scope returns', async () => {
    const base = memoryStats().buffers;
    const x = ones([8], { device: 'webgpu' });
    const { y, z } = tidy(() => {
      const a = x.mul(3);
      const b = a.add(1);
      return { y: b.sum(), z: [b.max()] };
    });
    expect(memoryStats().buffers).toBe(base + 3); // x, y, z[0]
    expect(await y.item()).toBe(32);
    expect(await z[0].item()).toBe(4);
    dispose([x, y, z]);
    expect(memoryStats().buffers).toBe(base);
  });

  test('nested scopes, keep(), and a throwing scope that still cleans up', () => {
    const base = memoryStats().buffers;
    let kept = null as ReturnType<typeof ones> | null;
    tidy(() => {
      tidy(() => {
        kept = keep(ones([4], { device: 'webgpu' }));
        ones([4], { device: 'webgpu' });
      });
      expect(memoryStats().buffers).toBe(base + 1);
    });
    expect(kept!.isDisposed).toBe(false);
    kept!.dispose();
    expect(() =>
      tidy(() => {
        ones([4], { device: 'webgpu' });
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(memoryStats().buffers).toBe(base);
  });

  test('an async function is refused with a clear message', () => {
    expect(() => tidy(async () => 1)).toThrow(/synchronous/);
  });
});

describe('encoding', () => {
  test('a chain of ops is encoded into one submission with no readback between', async () => {
    const x = randn([64, 64], { seed: 3, device: 'webgpu' });
    const submitsBefore = be.ctx.submits;
    const dispatchesBefore = be.ctx.dispatches;
    const y = tidy(() => x.mul(2).add(1).relu().sub(0.5).tanh().sum());
    expect(be.ctx.submits).toBe(submitsBefore); // nothing submitted yet
    expect(be.ctx.dispatches - dispatchesBefore).toBeGreaterThanOrEqual(6);
    await y.item();
    expect(be.ctx.submits - submitsBefore).toBeLessThanOrEqual(2); // the batch, then the readback copy
    dispose([x, y]);
  });

  test('pipelines are compiled once and reused', () => {
    const run = () => tidy(() => randn([33, 7], { seed: 4, device: 'webgpu' }).matmul(ones([7, 5], { device: 'webgpu' })).softmax(-1).sum(0));
    run();
    const count = be.ctx.pipelineCount;
    run();
    run();
    expect(be.ctx.pipelineCount).toBe(count);
  });
});

describe('limits', () => {
  test('a tensor over the adapter buffer limit gets a clear error, not a wrong answer', () => {
    // A storage may exceed one binding (split kernels bind it in ranges), not the buffer limit.
    const limit = be.ctx.limits.maxBufferSize;
    const n = Math.floor(limit / 4) + 1;
    expect(() => zeros([n], { device: 'webgpu' })).toThrow(OverLimitError);
    expect(() => zeros([n], { device: 'webgpu' })).toThrow(/over this adapter's limit/);
  });

  test('more than 65535 workgroups are folded into a 2-D grid', async () => {
    const perDim = be.ctx.limits.maxComputeWorkgroupsPerDimension;
    const n = perDim * 256 + 1000; // one thread per element, 256 per workgroup
    const y = tidy(() => full([n], -1, { device: 'webgpu' }).abs().sum());
    expect(await y.item()).toBe(n);
    y.dispose();
  }, 120_000);
});

describe('device loss', () => {
  test('a lost device gives a clear error and init() recovers', async () => {
    const x = ones([4], { device: 'webgpu' });
    be.device.destroy();
    await be.device.lost;
    expect(() => x.add(1)).toThrow(DeviceLostError);
    expect(() => x.add(1)).toThrow(/call init\(\) again/);
    await expect(x.toArray()).rejects.toThrow(DeviceLostError);
    const info = await init({ backend: 'webgpu' });
    expect(info.adapter.length).toBeGreaterThan(0);
    const y = ones([4], { device: 'webgpu' }).add(1);
    expect(Array.from(await y.toArray())).toEqual([2, 2, 2, 2]);
    be = webgpuBackend()!;
  });
});
