// Week 0 lessons: the two Gaussian clouds and the logistic regression trained on them with the engine (on the
// CPU backend here), checked against the optimum that Newton's method finds in float64.
import { describe, expect, test } from 'vitest';
import { gaussianBlobs, subset, trainLogistic, LogisticModel, metrics } from '../engine/course';
import { init } from '../engine/index';

/** Mean logistic loss (nats) of w·x + b on the data, in float64. */
function logLoss(x: Float32Array, y: Int32Array, w: readonly number[], b: number): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const z = w[0] * x[2 * i] + w[1] * x[2 * i + 1] + b;
    // log(1 + e^z) − y·z, written to avoid overflow.
    s += Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - y[i] * z;
  }
  return s / y.length;
}

/** The minimiser of logLoss by Newton's method (IRLS), an independent float64 oracle. */
function newtonLogistic(x: Float32Array, y: Int32Array): { w: number[]; b: number } {
  let t = [0, 0, 0]; // w0, w1, b
  for (let it = 0; it < 50; it++) {
    const g = [0, 0, 0];
    const H = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
    for (let i = 0; i < y.length; i++) {
      const f = [x[2 * i], x[2 * i + 1], 1];
      const p = 1 / (1 + Math.exp(-(t[0] * f[0] + t[1] * f[1] + t[2])));
      for (let a = 0; a < 3; a++) {
        g[a] += (p - y[i]) * f[a];
        for (let c = 0; c < 3; c++) H[a][c] += p * (1 - p) * f[a] * f[c];
      }
    }
    // Solve H·d = g by Gaussian elimination (3×3, positive definite).
    const M = H.map((row, a) => [...row, g[a]]);
    for (let k = 0; k < 3; k++) {
      for (let r = k + 1; r < 3; r++) {
        const f = M[r][k] / M[k][k];
        for (let c = k; c < 4; c++) M[r][c] -= f * M[k][c];
      }
    }
    const d = [0, 0, 0];
    for (let k = 2; k >= 0; k--) {
      let s = M[k][3];
      for (let c = k + 1; c < 3; c++) s -= M[k][c] * d[c];
      d[k] = s / M[k][k];
    }
    t = t.map((v, a) => v - d[a]);
  }
  return { w: [t[0], t[1]], b: t[2] };
}

describe('gaussianBlobs', () => {
  test('seeded, with the class shares and centres asked for', () => {
    const a = gaussianBlobs(2001, { seed: 7, separation: 3, positiveShare: 0.3 });
    expect(a).toEqual(gaussianBlobs(2001, { seed: 7, separation: 3, positiveShare: 0.3 }));
    expect(a.x).toHaveLength(4002);
    const pos = a.y.reduce((s, v) => s + v, 0);
    expect(pos / 2001).toBeGreaterThan(0.26);
    expect(pos / 2001).toBeLessThan(0.34);
    // Each class's mean sits ±(3/2)/√2 ≈ ±1.06 along both axes, within sampling error.
    for (const c of [0, 1]) {
      let sx = 0, sy = 0, k = 0;
      for (let i = 0; i < a.y.length; i++) if (a.y[i] === c) (sx += a.x[2 * i], sy += a.x[2 * i + 1], k++);
      const want = (c === 1 ? 1 : -1) * 1.5 / Math.SQRT2;
      expect(Math.abs(sx / k - want)).toBeLessThan(0.15);
      expect(Math.abs(sy / k - want)).toBeLessThan(0.15);
    }
    expect(() => gaussianBlobs(1)).toThrow(/n must be/);
    expect(() => gaussianBlobs(10, { positiveShare: 1 })).toThrow(/positiveShare/);
  });

  test('subset picks rows and rejects indices out of range', () => {
    const d = gaussianBlobs(5, { seed: 1 });
    const s = subset(d, [4, 0]);
    expect([...s.x]).toEqual([d.x[8], d.x[9], d.x[0], d.x[1]]);
    expect([...s.y]).toEqual([d.y[4], d.y[0]]);
    expect(() => subset(d, [5])).toThrow(/outside/);
  });
});

describe('trainLogistic', () => {
  test('reaches the float64 optimum on overlapping clouds, and its predictions score as expected', async () => {
    const data = gaussianBlobs(301, { seed: 2 });
    const fit = await trainLogistic(data, { steps: 300, lr: 0.1, device: 'cpu', every: 50 });
    expect(fit.steps).toBe(300);
    expect(fit.losses.map((l) => l.step)).toEqual([50, 100, 150, 200, 250, 300]);
    // The engine's reported loss agrees with the float64 loss of the weights it returned.
    const { weights, bias } = fit.model;
    expect(Math.abs(fit.losses.at(-1)!.loss - logLoss(data.x, data.y, weights, bias))).toBeLessThan(2e-3);
    const best = newtonLogistic(data.x, data.y);
    expect(logLoss(data.x, data.y, weights, bias) - logLoss(data.x, data.y, best.w, best.b)).toBeLessThan(2e-3);
    // The clouds are 2σ apart, so the best linear rule gets roughly 84% right.
    const acc = metrics.accuracy(data.y, fit.model.predict(data.x));
    expect(acc).toBeGreaterThan(0.78);
    expect(acc).toBeLessThan(0.92);
  });

  test('threshold 0 predicts everything positive, threshold 1 nearly nothing; an abort stops early', async () => {
    const data = gaussianBlobs(64, { seed: 3 });
    const ctrl = new AbortController();
    const seen: number[] = [];
    const fit = await trainLogistic(data, {
      steps: 100, device: 'cpu', every: 10,
      onProgress: ({ step, model }) => {
        seen.push(model.weights[0]);
        if (step === 20) ctrl.abort();
      },
      signal: ctrl.signal,
    });
    expect(fit.steps).toBe(20);
    // The model so far is reported at steps 10 and 20, and the returned one is the model at step 20.
    expect(seen).toHaveLength(2);
    expect(seen[1]).toBe(fit.model.weights[0]);
    expect(metrics.recall(data.y, fit.model.predict(data.x, 0))).toBe(1);
    expect(metrics.precision(data.y, fit.model.predict(data.x, 0))).toBeCloseTo(data.y.reduce((a, b) => a + b, 0) / 64, 12);
    expect([...fit.model.predict(data.x, 1)].every((v) => v === 0)).toBe(true);
  });

  test('on WebGPU (pipelines compiled ahead by warmup) it trains to the same model as on the CPU', async () => {
    await init({ backend: 'webgpu' }); // fails, never skips, without an adapter
    try {
      const data = gaussianBlobs(97, { seed: 5 });
      const gpu = await trainLogistic(data, { steps: 60, every: 20 });
      // CPU tensors while the default device is WebGPU: no warm-up walk may touch them.
      const cpu = await trainLogistic(data, { steps: 60, every: 20, device: 'cpu' });
      expect(cpu.losses[0].step).toBe(20);
      // At step 1 the weights are still zero, so every point has P = 1/2 and the loss is ln 2 on both devices.
      for (const device of ['webgpu', 'cpu'] as const) {
        const first = await trainLogistic(data, { steps: 1, device });
        expect(first.losses[0].loss, device).toBeCloseTo(Math.LN2, 6);
      }
      for (let i = 0; i < 2; i++) expect(Math.abs(gpu.model.weights[i] - cpu.model.weights[i])).toBeLessThan(1e-4);
      expect(Math.abs(gpu.model.bias - cpu.model.bias)).toBeLessThan(1e-4);
      gpu.losses.forEach((l, i) => expect(Math.abs(l.loss - cpu.losses[i].loss)).toBeLessThan(1e-5));
    } finally {
      await init({ backend: 'cpu' });
    }
  });

  test('LogisticModel is a stable sigmoid, and bad input gets a clear error', async () => {
    const m = new LogisticModel([1000, 0], 0);
    expect([...m.proba([1, 0, -1, 0, 0, 0])]).toEqual([1, 0, 0.5]);
    expect(() => m.proba([1, 2, 3])).toThrow(/\(n, 2\)/);
    expect(() => m.predict([0, 0], 1.5)).toThrow(/threshold/);
    await expect(trainLogistic({ x: new Float32Array(4), y: new Int32Array([0, 2]) })).rejects.toThrow(/label 2/);
    await expect(trainLogistic({ x: new Float32Array(3), y: new Int32Array([0, 1]) })).rejects.toThrow(/\(n, 2\)/);
  });
});
