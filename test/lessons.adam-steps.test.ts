// The lessons' training loop (engine/lessons/adam-steps.ts): it reports the loss every `every` steps and at the
// last, follows a step-size schedule, stops when its signal aborts, and fits a least-squares line (so the steps
// really move the weights the right way).
import { beforeAll, describe, expect, test } from 'vitest';
import { init, tensor, type Tensor } from '../engine/index';
import { adamSteps } from '../engine/lessons/adam-steps';

beforeAll(async () => {
  await init({ backend: 'cpu' });
});

/** y = 3x − 1 on eight points; the loss is the mean squared error of w·x + b. */
function line() {
  const w = tensor([0], [1], { requiresGrad: true });
  const b = tensor([0], [1], { requiresGrad: true });
  const xs = [-1, -0.5, 0, 0.25, 0.5, 1, 1.5, 2];
  const draw = () => ({ x: tensor(xs, [8]), y: tensor(xs.map((x) => 3 * x - 1), [8]) });
  const loss = (x: Tensor, y: Tensor) => x.mul(w).add(b).sub(y).square().mean();
  return { w, b, draw, loss };
}

describe('adamSteps', () => {
  test('fits a line, reporting every `every` steps and at the last; the schedule sets each step size', async () => {
    const { w, b, draw, loss } = line();
    const rates: number[] = [];
    const seen: number[] = [];
    const losses = await adamSteps({
      params: [w, b], steps: 301, every: 100, draw, loss,
      lr: (step) => {
        rates.push(step);
        return step <= 150 ? 0.1 : 0.02;
      },
      onProgress: (p) => void seen.push(p.step),
    });
    expect(losses.map((l) => l.step)).toEqual([100, 200, 300, 301]);
    expect(seen).toEqual([100, 200, 300, 301]);
    expect(rates).toContain(301);
    expect(losses.at(-1)!.loss).toBeLessThan(1e-3);
    expect((await w.toArray())[0]).toBeCloseTo(3, 1);
    expect((await b.toArray())[0]).toBeCloseTo(-1, 1);
  });

  test('stops at the first step after its signal aborts', async () => {
    const { w, b, draw, loss } = line();
    const stop = new AbortController();
    const losses = await adamSteps({
      params: [w, b], steps: 1000, every: 10, lr: 0.05, draw, loss, signal: stop.signal,
      onProgress: (p) => {
        if (p.step === 30) stop.abort();
      },
    });
    expect(losses.map((l) => l.step)).toEqual([10, 20, 30]);
  });
});
