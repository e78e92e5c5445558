// Gradients: every differentiable op is checked by gradcheck (GPU float32 autograd against float64 central
// differences on the CPU), over odd shapes and broadcasting; then autograd's own semantics.
import { beforeAll, describe, expect, test } from 'vitest';
import {
  init, tensor, randn, gradcheck, noGrad, cat, where, functional as F, memoryStats, tidy, dispose, type Tensor,
} from '../engine/index';
import { randInts } from './helpers';

beforeAll(async () => {
  await init({ backend: 'webgpu' });
});

const gpu = (shape: number[], seed: number, scale = 1) => {
  const t = randn(shape, { seed, device: 'webgpu' });
  const out = t.mul(scale);
  t.dispose();
  return out;
};
/** Positive inputs for log/sqrt/pow/div denominators: in [0.5, 2.5). */
const positive = (shape: number[], seed: number) => tidy(() => gpu(shape, seed).sigmoid().mul(2).add(0.5));

// Tolerances: float32 analytic vs float64 numeric. Elementwise rules are accurate to ~1e-6 relative; ops that
// reduce (matmul, softmax, norms) accumulate float32 rounding over their length.
const ELEMENTWISE = { atol: 1e-4, rtol: 1e-3 };
const REDUCING = { atol: 5e-4, rtol: 5e-3 };

describe('gradcheck: elementwise', () => {
  const unary = ['neg', 'abs', 'exp', 'relu', 'gelu', 'tanh', 'sigmoid', 'square', 'sin', 'cos'] as const;
  for (const op of unary) {
    test(op, async () => {
      // Keep relu/abs inputs away from their kink at 0, where the derivative is one-sided.
      const x = tidy(() => {
        const r = gpu([7, 33], 1);
        return op === 'relu' || op === 'abs' ? r.add(r.sign().mul(0.05)) : r;
      });
      await gradcheck((a) => a[op](), [x], ELEMENTWISE);
    });
  }
  test('log, sqrt, rsqrt, reciprocal', async () => {
    for (const op of ['log', 'sqrt', 'rsqrt', 'reciprocal'] as const) {
      await gradcheck((a) => a[op](), [positive([33], 2)], ELEMENTWISE);
    }
  });
  test('binary ops with broadcasting', async () => {
    const shapes: Array<[number[], number[]]> = [[[7, 1], [1, 5]], [[3, 4], [4]], [[2, 3, 4], [3, 1]], [[1], [7]]];
    for (const [sa, sb] of shapes) {
      await gradcheck((a, b) => a.add(b), [gpu(sa, 3), gpu(sb, 4)], ELEMENTWISE);
      await gradcheck((a, b) => a.sub(b), [gpu(sa, 5), gpu(sb, 6)], ELEMENTWISE);
      await gradcheck((a, b) => a.mul(b), [gpu(sa, 7), gpu(sb, 8)], ELEMENTWISE);
      await gradcheck((a, b) => a.div(b), [gpu(sa, 9), positive(sb, 10)], ELEMENTWISE);
      await gradcheck((a, b) => a.pow(b), [positive(sa, 11), gpu(sb, 12)], ELEMENTWISE);
      await gradcheck((a, b) => a.maximum(b), [gpu(sa, 13), gpu(sb, 14)], ELEMENTWISE);
      await gradcheck((a, b) => a.minimum(b), [gpu(sa, 15), gpu(sb, 16)], ELEMENTWISE);
    }
  });
  test('scalar operands on either side', async () => {
    const x = positive([33], 17);
    await gradcheck((a) => a.add(2).mul(-3).sub(1).div(4), [x], ELEMENTWISE);
    await gradcheck((a) => a.pow(3), [x], ELEMENTWISE);
    await gradcheck((a) => a.maximum(1.2).minimum(2), [x], ELEMENTWISE);
  });
  test('where and maskedFill', async () => {
    const mask = tensor(randInts(7 * 5, 18, 0, 2), [7, 5], { device: 'webgpu' });
    // Constants such as masks are passed as (int32, so not differentiated) inputs: gradcheck re-runs fn on the CPU.
    await gradcheck((a, b, m) => where(m, a, b), [gpu([7, 5], 19), gpu([5], 20), mask], ELEMENTWISE);
    await gradcheck((a, m) => a.maskedFill(m, -1e9).softmax(-1), [gpu([7, 5], 21), mask], REDUCING);
  });
});

describe('gradcheck: layout and reductions', () => {
  test('reshape, transpose, permute, slice, expand, squeeze, cat', async () => {
    const x = gpu([2, 3, 4], 30);
    await gradcheck((a) => a.reshape([6, 4]).transpose(0, 1), [x], ELEMENTWISE);
    await gradcheck((a) => a.permute(2, 0, 1), [x], ELEMENTWISE);
    await gradcheck((a) => a.slice(2, 1, 3), [x], ELEMENTWISE);
    await gradcheck((a) => a.slice(0, 1).unsqueeze(0).expand([3, 1, 3, 4]), [x], ELEMENTWISE);
    await gradcheck((a) => a.slice(1, 0, 1).squeeze(1), [x], ELEMENTWISE);
    await gradcheck((a, b) => cat([a, b, a], 1), [x, gpu([2, 5, 4], 31)], ELEMENTWISE);
  });
  test('sum and mean over dims, with and without keepDim', async () => {
    const x = gpu([7, 33, 5], 32);
    for (const dim of [undefined, 0, 1, 2]) {
      await gradcheck((a) => a.sum(dim), [x], REDUCING);
      await gradcheck((a) => a.mean(dim, true), [x], REDUCING);
    }
    await gradcheck((a) => a.sum([0, 2]), [x], REDUCING);
  });
  test('max and min route the gradient to the extreme element', async () => {
    const x = gpu([7, 33], 33);
    await gradcheck((a) => a.max(1), [x], ELEMENTWISE);
    await gradcheck((a) => a.min(0, true), [x], ELEMENTWISE);
    await gradcheck((a) => a.max(), [x], ELEMENTWISE);
  });
});

describe('gradcheck: matmul, softmax, layerNorm, crossEntropy, embedding, dropout', () => {
  test('matmul: 2-D, vector promotion, batched with broadcasting', async () => {
    const cases: Array<[number[], number[]]> = [
      [[7, 33], [33, 5]], [[33], [33, 5]], [[7, 33], [33]], [[3, 7, 5], [5, 4]], [[7, 5], [2, 5, 4]], [[2, 1, 4, 6], [1, 3, 6, 5]],
    ];
    for (const [sa, sb] of cases) await gradcheck((a, b) => a.matmul(b), [gpu(sa, 40), gpu(sb, 41)], REDUCING);
  });
  test('softmax and logSoftmax over each dim, including large logits', async () => {
    await gradcheck((a) => a.softmax(-1), [gpu([7, 33], 42)], REDUCING);
    await gradcheck((a) => a.softmax(0), [gpu([7, 33], 43)], REDUCING);
    await gradcheck((a) => a.logSoftmax(-1), [gpu([5, 257], 44, 10)], REDUCING);
  });
  test('layerNorm: input, weight and bias', async () => {
    for (const n of [1, 7, 33]) {
      await gradcheck((x, w, b) => F.layerNorm(x, w, b), [gpu([5, n], 45), gpu([n], 46), gpu([n], 47)], REDUCING);
    }
  });
  test('crossEntropy: mean, sum and none, ignoreIndex, label smoothing, (B, T, C) logits', async () => {
    const targets = randInts(4 * 3, 48, 0, 11);
    targets[2] = -100;
    const t = tensor(targets, [4, 3], { device: 'webgpu' });
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      for (const labelSmoothing of [0, 0.1]) {
        await gradcheck((x, y) => F.crossEntropy(x, y, { reduction, labelSmoothing }), [gpu([4, 3, 11], 49, 3), t], REDUCING);
      }
    }
  });
  test('embedding with repeated indices', async () => {
    const idx = tensor(Int32Array.from([3, 1, 3, 0, 3, 9]), [2, 3], { device: 'webgpu' });
    await gradcheck((w, i) => F.embedding(i, w), [gpu([10, 7], 50), idx], ELEMENTWISE);
  });
  test('dropout with a fixed seed', async () => {
    await gradcheck((x) => F.dropout(x, 0.3, 1234), [gpu([7, 33], 51)], ELEMENTWISE);
  });
  test('a composite: a two-layer MLP loss', async () => {
    const t = tensor(randInts(7, 52, 0, 3), [7], { device: 'webgpu' });
    await gradcheck(
      (x, w1, b1, w2, y) => F.crossEntropy(x.matmul(w1).add(b1).gelu().matmul(w2), y),
      [gpu([7, 5], 53), gpu([5, 8], 54), gpu([8], 55), gpu([8, 3], 56), t],
      REDUCING,
    );
  });
});

describe('autograd semantics', () => {
  test('gradients accumulate across backward calls until zeroed', async () => {
    const w = tensor([1, 2, 3], [3], { device: 'webgpu', requiresGrad: true });
    w.mul(2).sum().backward();
    w.mul(3).sum().backward();
    expect(Array.from(await w.grad!.toArray())).toEqual([5, 5, 5]);
  });
  test('a tensor used twice gets the sum of both paths', async () => {
    const x = tensor([2], [1], { device: 'webgpu', requiresGrad: true });
    x.mul(x).add(x).sum().backward(); // d(x² + x) = 2x + 1
    expect(await x.grad!.item()).toBe(5);
  });
  test('noGrad records nothing', () => {
    const x = tensor([1], [1], { device: 'webgpu', requiresGrad: true });
    const y = noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(() => y.backward()).toThrow(/does not require grad/);
  });
  test('int32 tensors cannot require gradients', () => {
    expect(() => tensor(Int32Array.from([1]), [1], { device: 'webgpu', requiresGrad: true })).toThrow(/float32/);
    const i = tensor(Int32Array.from([1]), [1], { device: 'webgpu' });
    expect(() => i.backward()).toThrow(/int32 tensors are not differentiable/);
  });
  test('a second backward through freed buffers is a clear error; retainGraph allows it', async () => {
    const x = tensor([1, 2], [2], { device: 'webgpu', requiresGrad: true });
    const y = x.exp().sum();
    y.backward();
    expect(() => y.backward()).toThrow(/already freed.*retainGraph/);
    const z = x.exp().sum();
    z.backward(undefined, { retainGraph: true });
    z.backward();
    expect((await x.grad!.toArray())[0]).toBeCloseTo(3 * Math.E, 4);
  });
  test('backward frees the saved tensors, and disposing an unused graph frees them too', async () => {
    const w = randn([33, 33], { seed: 60, device: 'webgpu', requiresGrad: true });
    const x = randn([7, 33], { seed: 61, device: 'webgpu' });
    const base = memoryStats().buffers;
    const loss = tidy(() => x.matmul(w).tanh().softmax(-1).sum());
    loss.backward();
    loss.dispose();
    w.grad!.dispose();
    w.grad = null;
    expect(memoryStats().buffers).toBe(base);
    // An eval pass without noGrad: the graph's saved tensors go when its output is disposed.
    const out = tidy(() => x.matmul(w).relu().mean());
    expect(memoryStats().buffers).toBeGreaterThan(base + 1);
    out.dispose();
    expect(memoryStats().buffers).toBe(base);
    dispose([w, x]);
  });
  test('non-scalar outputs need an explicit gradient of their shape', () => {
    const x = randn([3], { seed: 62, device: 'webgpu', requiresGrad: true });
    const y = x.mul(2);
    expect(() => y.backward()).toThrow(/non-scalar/);
    expect(() => y.backward(randn([2], { device: 'webgpu' }))).toThrow(/does not match/);
  });
  test('gradcheck catches a wrong gradient', async () => {
    // sin with a deliberately wrong "gradient": detach half of the graph so autograd misses a path.
    const x = gpu([5], 63);
    const r = await gradcheck((a: Tensor) => a.mul(a.detach()), [x], { ...ELEMENTWISE, raise: false });
    expect(r.ok).toBe(false);
    expect(r.failures.length).toBeGreaterThan(0);
  });
});
