// warmup(fn) (engine/warmup.ts): compiling a training step's pipelines ahead, asynchronously, without running it.
// Each test file gets a fresh device, so the first warmup here starts from an empty pipeline cache.
import { beforeAll, describe, expect, test } from 'vitest';
import {
  init, keep, memoryStats, nn, optim, randn, setBindingLimit, tensor, tidy, warmup, OverLimitError, functional as F, type Tensor,
} from '../engine/index';
import { webgpuBackend } from '../engine/device';
import type { GpuContext } from '../engine/backend/gpu/context';
import { randInts } from './helpers';

let ctx: GpuContext;

beforeAll(async () => {
  await init({ backend: 'webgpu' });
  ctx = webgpuBackend()!.ctx;
});

const VOCAB = 11;

/** A small classifier touching most kernel families: embedding, layerNorm, fused linear + gelu, dropout, loss. */
function model(): nn.Sequential {
  return new nn.Sequential(
    new nn.Embedding(VOCAB, 8, { seed: 1 }),
    new nn.LayerNorm(8),
    new nn.Linear(8, 16, { seed: 2 }),
    new nn.GELU(),
    new nn.Dropout(0.1, { seed: 3 }),
    new nn.Linear(16, VOCAB, { seed: 4 }),
  );
}

/** One training step: the loss (B = 12) before the update. */
function step(m: nn.Sequential, opt: optim.Optimizer, x: Tensor, y: Tensor): Tensor {
  const loss = tidy(() => F.crossEntropy(m.forward(x), y));
  opt.zeroGrad();
  loss.backward();
  opt.step();
  return loss;
}

describe('warmup', () => {
  test('compiles a training step ahead: the real step then compiles nothing, and warmup changed nothing', async () => {
    const m = model();
    const params = m.parameters();
    const x = tensor(randInts(12, 5, 0, VOCAB), [12], { dtype: 'int32' });
    const y = tensor(randInts(12, 6, 0, VOCAB), [12], { dtype: 'int32' });
    const before = await Promise.all(params.map((p) => p.toArray()));
    const pipelines = ctx.pipelineCount;
    const dispatches = ctx.dispatches;
    const buffers = memoryStats().buffers;

    const r = await warmup(() => {
      const throwaway = new optim.Adam(params, { lr: 0.1 });
      step(m, throwaway, x, y);
      throwaway.dispose();
    });
    expect(r.pipelines).toBeGreaterThan(5);
    expect(ctx.pipelineCount - pipelines).toBe(r.pipelines);
    expect(ctx.dispatches).toBe(dispatches); // nothing was encoded
    // The gradients the backward left on the parameters hold nothing; zeroGrad frees them.
    const opt = new optim.Adam(params, { lr: 0.1 });
    opt.zeroGrad();
    expect(memoryStats().buffers).toBe(buffers);
    const after = await Promise.all(params.map((p) => p.toArray()));
    after.forEach((a, i) => expect(Array.from(a), `parameter ${i}`).toEqual(Array.from(before[i])));

    const compiled = ctx.pipelineCount;
    const loss = step(m, opt, x, y);
    const value = await loss.item();
    loss.dispose();
    expect(ctx.pipelineCount).toBe(compiled);
    expect(Number.isFinite(value)).toBe(true);
    expect(Array.from(await params[2].toArray())).not.toEqual(Array.from(before[2])); // the real step updated
    // A second warmup of the same step finds everything cached.
    expect((await warmup(() => tidy(() => F.crossEntropy(m.forward(x), y)))).pipelines).toBe(0);
    opt.dispose();
  }, 120_000);

  test('warmup(module, ...inputs) compiles its forward and backward and leaves its real gradients untouched', async () => {
    // A size no other test uses is no help (pipelines are per kernel, not per shape), so count against a fresh
    // activation: Tanh after a Linear runs as the fused linear+tanh kernel.
    const m = new nn.Sequential(new nn.Linear(6, 5, { seed: 7 }), new nn.Tanh(), new nn.Linear(5, 3, { seed: 8 }));
    const x = tensor(Float32Array.from(randInts(24, 9, -3, 4), (v) => v / 2), [4, 6]);
    // Real gradients, uploaded (no kernel runs, so nothing this model needs is compiled before warmup).
    const values = m.parameters().map((p, i) => Float32Array.from(randInts(p.numel, 20 + i, -5, 6)));
    m.parameters().forEach((p, i) => (p.grad = keep(tensor(values[i], p.shape))));
    const grads = m.parameters().map((p) => p.grad);
    const buffers = memoryStats().buffers;
    const r = await warmup(m, x);
    expect(r.pipelines).toBeGreaterThan(0); // linear+tanh and its backward were new to this file
    expect(memoryStats().buffers).toBe(buffers);
    m.parameters().forEach((p, i) => expect(p.grad).toBe(grads[i]));
    const again = await Promise.all(m.parameters().map((p) => p.grad!.toArray()));
    again.forEach((a, i) => expect(Array.from(a)).toEqual(Array.from(values[i])));
    // Everything the walk needed is now compiled: a real forward and backward compile nothing more.
    for (const p of m.parameters()) {
      p.grad!.dispose();
      p.grad = null;
    }
    const compiled = ctx.pipelineCount;
    const loss = tidy(() => m.forward(x).sum());
    loss.backward();
    expect(Number.isFinite(await loss.item())).toBe(true);
    expect(ctx.pipelineCount).toBe(compiled);
    loss.dispose();
    for (const p of m.parameters()) p.grad?.dispose();
  });

  test('a CPU tensor inside warmup is refused, since its ops would run for real, and nothing changes', async () => {
    const w = tensor([1, 2, 3], [3], { device: 'cpu', requiresGrad: true });
    const opt = new optim.SGD([w], { lr: 1 });
    w.grad = keep(tensor([1, 1, 1], [3], { device: 'cpu' }));
    await expect(warmup(() => opt.step())).rejects.toThrow(/warmup\(fn\) met a CPU tensor/);
    expect(Array.from(await w.toArray())).toEqual([1, 2, 3]); // not stepped
    // The refusal ends with the walk: CPU work runs again.
    opt.step();
    expect(Array.from(await w.toArray())).toEqual([0, 1, 2]);
    w.grad.dispose();
    w.dispose();
  });

  test('reading a tensor inside warmup throws an error naming warmup', async () => {
    const seen: { read?: Promise<unknown> } = {};
    await warmup(() => {
      const t = randn([3], { seed: 1 }).mul(2);
      // Caught at once: the rejection comes before warmup resolves.
      seen.read = t.toArray().then(
        () => null,
        (e: unknown) => e,
      );
    });
    const err = await seen.read;
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/inside warmup\(fn\)/);
  });

  test('a tensor kept past warmup is refused, not read as garbage, and can still be disposed', async () => {
    let kept: Tensor | null = null;
    await warmup(() => {
      kept = keep(randn([4], { seed: 2 }).mul(3));
    });
    expect(() => kept!.add(1)).toThrow(/made inside warmup/);
    kept!.dispose();
  });

  test('an op run while its pipeline still compiles asynchronously gets it at once and computes right', async () => {
    const x = tensor([0.5, -1, 2, 3]);
    const before = ctx.pipelineCount;
    const pending = warmup(() => x.sin().cos());
    const started = ctx.pipelineCount - before;
    expect(started).toBeGreaterThan(0);
    // Not awaited: the real op finds its pipelines still compiling and compiles them synchronously.
    const y = tidy(() => x.sin().cos());
    expect(ctx.pipelineCount - before).toBe(started); // one cache entry per kernel, whichever compile wins
    expectClose(Array.from(await y.toArray()), [0.5, -1, 2, 3].map((v) => Math.cos(Math.sin(v))));
    expect((await pending).pipelines).toBe(started);
    y.dispose();
    x.dispose();
  });

  test('the walk builds and parses no WGSL: each new kernel is reflected afterwards, in a task of its own', async () => {
    // In Node there is no Worker, so the reflector answers on this thread, each kernel from its own timer task; in a
    // browser a worker answers. Either way the synchronous walk, which the page cannot interrupt, parses nothing.
    const x = tensor([0.5, -1, 2, 3, 0, 1], [2, 3]);
    const before = ctx.reflector.inThread;
    const pending = warmup(() => x.softmax(-1).log().sum(0));
    expect(ctx.reflector.inThread).toBe(before);
    const r = await pending;
    expect(r.pipelines).toBeGreaterThan(0);
    expect(ctx.reflector.inThread - before).toBe(r.pipelines);
    x.dispose();
  });

  test('a binding over the cap fails warmup with the real op\'s OverLimitError, though the kernel is reflected after the walk', async () => {
    setBindingLimit(1024);
    try {
      const x = tensor(Float32Array.from({ length: 300 }, (_, i) => i), [300]); // 1200 bytes
      const kernels = ctx.pipelineCount;
      const err = await warmup(() => x.exp().abs()).then(() => null, (e: unknown) => e as Error);
      expect(ctx.pipelineCount).toBeGreaterThan(kernels); // a new kernel: its bindings were checked only once reflected
      expect(err).toBeInstanceOf(OverLimitError);
      expect(err!.message).toMatch(/: binding '\w+' is a whole buffer of 1200 bytes, over the storage binding limit of 1024 bytes/);
      x.dispose();
    } finally {
      setBindingLimit(null);
    }
  });

  test('an error in fn rejects warmup and leaves collect mode', async () => {
    await expect(warmup(() => { throw new Error('boom'); })).rejects.toThrow('boom');
    const t = tensor([1, 2]);
    expect(Array.from(await t.mul(2).toArray())).toEqual([2, 4]);
    t.dispose();
  });

  test('on the CPU backend warmup runs nothing and resolves at once', async () => {
    await init({ backend: 'cpu' });
    try {
      let ran = false;
      expect(await warmup(() => (ran = true))).toEqual({ pipelines: 0, ms: 0 });
      expect(ran).toBe(false);
    } finally {
      await init({ backend: 'webgpu' });
    }
  });
});

/** Within WGSL's guaranteed accuracy of sin and cos (2^-11 absolute). */
function expectClose(actual: number[], expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i])).toBeLessThan(1e-3));
}
