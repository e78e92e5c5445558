// Weeks 7-8 lessons: optimisation surfaces (values and autograd gradients against the calculus), optimizePath with
// the engine's real optimizers (SGD, momentum, Adam) on both devices, and the perceptron's convergence theorem.
import { beforeAll, describe, expect, test } from 'vitest';
import { init, tensor, surfaces, optimizePath, Perceptron, optim, type Tensor } from '../engine/index';
import { rng } from './helpers';

beforeAll(async () => {
  // Fails (never skips) with NoAdapterError when there is no WebGPU adapter.
  await init({ backend: 'webgpu' });
});

// Each surface with its hand-derived value and gradient.
const CALCULUS: Record<keyof typeof surfaces, (x: number, y: number) => [number, number, number]> = {
  bowl: (x, y) => [x * x + y * y, 2 * x, 2 * y],
  rosenbrock: (x, y) => [(1 - x) ** 2 + 100 * (y - x * x) ** 2, -2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)],
  saddle: (x, y) => [x * x - y * y, 2 * x, -2 * y],
  himmelblau: (x, y) => {
    const a = x * x + y - 11;
    const b = x + y * y - 7;
    return [a * a + b * b, 4 * x * a + 2 * b, 2 * a + 4 * y * b];
  },
  beale: (x, y) => {
    const t = [1.5 - x + x * y, 2.25 - x + x * y * y, 2.625 - x + x * y ** 3];
    return [
      t[0] ** 2 + t[1] ** 2 + t[2] ** 2,
      2 * t[0] * (y - 1) + 2 * t[1] * (y * y - 1) + 2 * t[2] * (y ** 3 - 1),
      2 * t[0] * x + 2 * t[1] * 2 * x * y + 2 * t[2] * 3 * x * y * y,
    ];
  },
};

describe('surfaces', () => {
  test('values and autograd gradients match the calculus at random points; minima are 0', async () => {
    const r = rng(4);
    for (const [name, f] of Object.entries(surfaces)) {
      for (let i = 0; i < 5; i++) {
        const [x, y] = [-2 + 4 * r(), -2 + 4 * r()];
        const p = tensor([x, y], [2], { device: 'cpu', requiresGrad: true });
        const v = f(p);
        expect(v.shape).toEqual([]);
        v.backward();
        const [want, gx, gy] = CALCULUS[name as keyof typeof surfaces](x, y);
        const [gotX, gotY] = await p.grad!.toArray();
        const tol = (w: number) => 1e-5 * Math.max(1, Math.abs(w));
        expect(Math.abs((await v.item()) - want), `${name} f`).toBeLessThan(tol(want));
        expect(Math.abs(gotX - gx), `${name} ∂x`).toBeLessThan(tol(gx) * 10);
        expect(Math.abs(gotY - gy), `${name} ∂y`).toBeLessThan(tol(gy) * 10);
      }
    }
    const at = (x: number, y: number) => tensor([x, y], [2], { device: 'cpu' });
    expect(await surfaces.rosenbrock(at(1, 1)).item()).toBe(0);
    expect(await surfaces.himmelblau(at(3, 2)).item()).toBe(0);
    expect(await surfaces.beale(at(3, 0.5)).item()).toBe(0);
    expect(() => surfaces.bowl(tensor([1, 2, 3], [3]))).toThrow(/\(2\)/);
  });
});

describe('optimizePath', () => {
  test('SGD on the bowl follows p_k = (1 − 2·lr)^k·p_0 exactly; momentum follows its recurrence', async () => {
    const sgd = await optimizePath(surfaces.bowl, { name: 'sgd', lr: 0.1 }, { start: [1, -2], steps: 10, device: 'cpu' });
    expect(sgd.points).toHaveLength(11);
    sgd.points.forEach(([x, y], k) => {
      expect(x).toBeCloseTo(0.8 ** k, 6);
      expect(y).toBeCloseTo(-2 * 0.8 ** k, 6);
      expect(sgd.values[k]).toBeCloseTo(5 * 0.64 ** k, 5);
    });
    // PyTorch's momentum: buf = g on the first step, then buf = μ·buf + g; p −= lr·buf, with g = 2p.
    const mom = await optimizePath(surfaces.bowl, { name: 'momentum', lr: 0.05, momentum: 0.9 }, { start: [1, 1], steps: 30, device: 'cpu' });
    let p = 1;
    let buf = 0;
    for (let k = 0; k < 30; k++) {
      buf = k === 0 ? 2 * p : 0.9 * buf + 2 * p;
      p -= 0.05 * buf;
      expect(mom.points[k + 1][0]).toBeCloseTo(p, 5);
    }
    // A factory works too, and the saddle's run stops once it leaves float range instead of returning NaN.
    const custom = await optimizePath(surfaces.saddle, (ps: Tensor[]) => new optim.SGD(ps, { lr: 1 }), { start: [0, 1], steps: 500, device: 'cpu' });
    expect(custom.points.length).toBeLessThan(501);
    expect(custom.values[custom.values.length - 1]).toBe(-Infinity);
  });

  test("Adam reaches within 1e-2 of Rosenbrock's minimum (1, 1) from (−1.5, 2) within 1300 steps", async () => {
    const steps = 1500;
    const path = await optimizePath(surfaces.rosenbrock, { name: 'adam', lr: 0.05 }, { start: [-1.5, 2], steps, device: 'cpu' });
    const dist = path.points.map(([x, y]) => Math.hypot(x - 1, y - 1));
    let reached = steps; // the first step from which it stays within 1e-2
    while (reached > 0 && dist[reached - 1] < 1e-2) reached--;
    console.log(`Adam (lr 0.05) on Rosenbrock: within 1e-2 of (1, 1) from step ${reached}; distance after ${steps} steps ${dist[steps].toExponential(2)}, f = ${path.values[steps].toExponential(2)}`);
    expect(dist[steps]).toBeLessThan(1e-2);
    expect(reached).toBeLessThanOrEqual(1300);
    // Plain SGD, at the largest stable step size, is still far away after as many steps: the valley is the lesson.
    const sgd = await optimizePath(surfaces.rosenbrock, { name: 'sgd', lr: 1e-3 }, { start: [-1.5, 2], steps, device: 'cpu' });
    const [sx, sy] = sgd.points[steps];
    expect(Math.hypot(sx - 1, sy - 1)).toBeGreaterThan(0.1);
  });

  test('on the GPU the path matches the CPU path', async () => {
    for (const spec of [{ name: 'adam', lr: 0.05 }, { name: 'momentum', lr: 1e-3 }] as const) {
      const [g, c] = [
        await optimizePath(surfaces.rosenbrock, spec, { start: [-1.5, 2], steps: 25, device: 'webgpu' }),
        await optimizePath(surfaces.rosenbrock, spec, { start: [-1.5, 2], steps: 25, device: 'cpu' }),
      ];
      g.points.forEach(([x, y], k) => {
        expect(Math.abs(x - c.points[k][0])).toBeLessThan(1e-4);
        expect(Math.abs(y - c.points[k][1])).toBeLessThan(1e-4);
        expect(Math.abs(g.values[k] - c.values[k])).toBeLessThan(1e-3 * Math.max(1, c.values[k]));
      });
    }
  }, 60_000);
});

describe('Perceptron', () => {
  test('converges on separable data within the (R/γ)² mistake bound', () => {
    const r = rng(12);
    for (const [w, b] of [[[1, -2], 0.5], [[0.3, 0.9, -0.4], -0.2]] as const) {
      const len = Math.hypot(...w, b);
      const X: number[][] = [];
      const y: number[] = [];
      while (X.length < 200) {
        const x = w.map(() => -3 + 6 * r());
        const s = (w.reduce((acc, wi, i) => acc + wi * x[i], 0) + b) / len;
        if (Math.abs(s) < 0.1) continue; // keep a margin of at least 0.1
        X.push(x);
        y.push(s > 0 ? 1 : 0);
      }
      const { bound, gamma } = Perceptron.mistakeBound(X, y, [...w], b);
      expect(gamma).toBeGreaterThanOrEqual(0.1);
      const model = new Perceptron({ maxEpochs: 1000 });
      const fit = model.fit(X, y);
      expect(fit.converged).toBe(true);
      expect(fit.mistakes).toBeLessThanOrEqual(bound);
      expect(fit.mistakesPerEpoch[fit.epochs - 1]).toBe(0);
      expect(model.predict(X)).toEqual(y);
      // The step size only rescales (w, b) from zero: the same mistakes.
      expect(new Perceptron({ maxEpochs: 1000, lr: 0.01 }).fit(X, y).mistakes).toBe(fit.mistakes);
    }
  });

  test('fails to fit XOR: it never has an epoch without mistakes', () => {
    const X = [[0, 0], [0, 1], [1, 0], [1, 1]];
    const y = [0, 1, 1, 0];
    const model = new Perceptron({ maxEpochs: 200 });
    const fit = model.fit(X, y);
    expect(fit.converged).toBe(false);
    expect(fit.epochs).toBe(200);
    expect(Math.min(...fit.mistakesPerEpoch)).toBeGreaterThan(0);
    const correct = model.predict(X).filter((p, i) => p === y[i]).length;
    expect(correct).toBeLessThan(4);
    expect(() => model.fit(X, [1, 1, 1, 1])).toThrow(/two labels/);
  });
});
