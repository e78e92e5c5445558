// Optimizers through the public API: trajectories on both devices agree, known PyTorch values, schedules and
// gradient clipping.
import { beforeAll, describe, expect, test } from 'vitest';
import { init, optim, tensor, randn, type DeviceName, type Tensor } from '../engine/index';
import { expectAllClose } from './helpers';

beforeAll(async () => {
  await init({ backend: 'webgpu' });
});

/** Runs `steps` of an optimizer on f(p) = Σ (p − 3)² · c from a seeded start; returns the final parameter. */
async function run(device: DeviceName, make: (ps: Tensor[]) => optim.Optimizer, steps = 10): Promise<Float32Array> {
  const p = randn([33], { seed: 1, device, requiresGrad: true });
  const c = randn([33], { seed: 2, device }).abs();
  const opt = make([p]);
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    p.sub(3).square().mul(c).sum().backward();
    opt.step();
  }
  return (await p.toArray()) as Float32Array;
}

describe('optimizers agree across devices', () => {
  const cases: Record<string, (ps: Tensor[]) => optim.Optimizer> = {
    sgd: (ps) => new optim.SGD(ps, { lr: 0.05 }),
    momentum: (ps) => new optim.SGD(ps, { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }),
    nesterov: (ps) => new optim.SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true }),
    adam: (ps) => new optim.Adam(ps, { lr: 0.1, weightDecay: 0.01 }),
    adamw: (ps) => new optim.AdamW(ps, { lr: 0.1 }),
  };
  for (const [name, make] of Object.entries(cases)) {
    test(name, async () => {
      expectAllClose(await run('webgpu', make), await run('cpu', make), { atol: 1e-5, rtol: 1e-5 }, name);
    });
  }
});

describe('known values', () => {
  test("Adam's first step moves each weight by lr against the gradient's sign", async () => {
    const p = tensor([1, -1, 2], [3], { device: 'webgpu', requiresGrad: true });
    const opt = new optim.Adam([p], { lr: 0.1 });
    p.mul(tensor([0.5, -2, 3], [3], { device: 'webgpu' })).sum().backward();
    opt.step();
    expectAllClose(await p.toArray(), [0.9, -0.9, 1.9], { atol: 1e-6, rtol: 0 }, 'adam step 1');
  });
  test('SGD with momentum follows PyTorch: the buffer starts as the gradient', async () => {
    const p = tensor([1], [1], { device: 'webgpu', requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 0.1, momentum: 0.9 });
    for (let i = 0; i < 2; i++) {
      opt.zeroGrad();
      p.mul(2).sum().backward(); // gradient 2
      opt.step();
    }
    // step 1: buf = 2, p = 0.8; step 2: buf = 0.9·2 + 2 = 3.8, p = 0.8 − 0.38
    expect(await p.item()).toBeCloseTo(0.42, 6);
  });
  test('optimizers minimise a quadratic', async () => {
    const p = await run('webgpu', (ps) => new optim.Adam(ps, { lr: 0.2 }), 200);
    expectAllClose(p, new Float32Array(33).fill(3), { atol: 0.05, rtol: 0 }, 'adam converged');
  });
});

describe('schedules and clipping', () => {
  test('linear warmup then cosine decay, and inverse-sqrt', () => {
    const cos = optim.warmupSchedule({ warmup: 10, total: 110, decay: 'cosine', minFactor: 0.1 });
    expect(cos(0)).toBeCloseTo(0.1);
    expect(cos(9)).toBeCloseTo(1);
    expect(cos(10)).toBeCloseTo(1);
    expect(cos(60)).toBeCloseTo(0.1 + 0.9 * 0.5);
    expect(cos(110)).toBeCloseTo(0.1);
    expect(cos(500)).toBeCloseTo(0.1);
    const isq = optim.warmupSchedule({ warmup: 4, decay: 'inverse-sqrt' });
    expect(isq(3)).toBeCloseTo(1);
    expect(isq(15)).toBeCloseTo(0.5);
    expect(() => optim.warmupSchedule({ warmup: 10, decay: 'cosine' })).toThrow(/total/);
  });
  test('LRScheduler sets the optimizer rate each step', () => {
    const p = tensor([1], [1], { device: 'webgpu', requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 1 });
    const sched = new optim.LRScheduler(opt, optim.warmupSchedule({ warmup: 4, decay: 'none' }));
    expect(opt.lr).toBeCloseTo(0.25);
    sched.step();
    sched.step();
    expect(opt.lr).toBeCloseTo(0.75);
    sched.step();
    sched.step();
    expect(sched.lastLr).toBe(1);
  });
  test('clipGradNorm scales all gradients by one factor to the max norm and returns the old norm', async () => {
    const a = tensor([3, 0], [2], { device: 'webgpu', requiresGrad: true });
    const b = tensor([4], [1], { device: 'webgpu', requiresGrad: true });
    a.mul(tensor([3, 0], [2], { device: 'webgpu' })).sum().add(b.mul(4).sum()).backward(); // grads (3, 0) and (4): norm 5
    const norm = optim.clipGradNorm([a, b], 1);
    expect(await norm!.item()).toBeCloseTo(5, 5);
    expectAllClose(await a.grad!.toArray(), [0.6, 0], { atol: 1e-6, rtol: 0 }, 'a.grad');
    expectAllClose(await b.grad!.toArray(), [0.8], { atol: 1e-6, rtol: 0 }, 'b.grad');
    // Below the threshold nothing changes.
    optim.clipGradNorm([a, b], 10);
    expectAllClose(await a.grad!.toArray(), [0.6, 0], { atol: 1e-6, rtol: 0 }, 'unclipped');
  });
});
