// Training that converges, on the WebGPU device (SwiftShader in CI), seeded, with thresholds.
import { beforeAll, expect, test } from 'vitest';
import { init, memoryStats } from '../engine/index';
import { trainXor, trainMnist } from '../engine/train/index';

beforeAll(async () => {
  await init({ backend: 'webgpu' });
});

test('an MLP learns XOR to 100% accuracy', async () => {
  const before = memoryStats();
  const r = await trainXor({ steps: 300, seed: 0 });
  expect(r.accuracy).toBe(1);
  expect(r.losses[r.losses.length - 1].loss).toBeLessThan(0.05);
  // Everything the run allocated was released.
  expect(memoryStats().buffers).toBe(before.buffers);
}, 120_000);

test('an MLP reaches at least 90% held-out accuracy on MNIST', async () => {
  const r = await trainMnist({ steps: 400, batchSize: 64, seed: 0 });
  console.log(`MNIST: ${(r.accuracy * 100).toFixed(1)}% on ${r.testSize} held-out digits, ${r.stepsPerSecond.toFixed(1)} steps/s`);
  expect(r.testSize).toBeGreaterThanOrEqual(1000);
  expect(r.losses[r.losses.length - 1].loss).toBeLessThan(r.losses[0].loss / 3);
  expect(r.accuracy).toBeGreaterThanOrEqual(0.9);
}, 600_000);
