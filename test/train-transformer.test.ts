// The transformer family trained for real on the WebGPU device (SwiftShader in CI): each run is seeded, has a
// threshold and its own timeout, and is sized to finish in a minute or two on two CPU cores. A GPU test fails,
// never skips, without an adapter: init() throws in beforeAll.
import { beforeAll, expect, test } from 'vitest';
import { init, memoryStats, tensor, tidy, dispose, nn, optim } from '../engine/index';
import { trainNames, trainTranslate, trainBert } from '../engine/train/index';

beforeAll(async () => {
  await init({ backend: 'webgpu' });
});

test('a character-level GPT learns first names: validation loss ≥ 30% below its initial value, name-like samples', async () => {
  const before = memoryStats();
  const r = await trainNames({ steps: 400, seed: 0, numSamples: 30 });
  console.log(
    `names: val loss ${r.initialValLoss.toFixed(3)} → ${r.finalValLoss.toFixed(3)} ` +
      `(${((1 - r.finalValLoss / r.initialValLoss) * 100).toFixed(1)}% lower), ${r.stepsPerSecond.toFixed(2)} steps/s; ` +
      `samples: ${r.samples.join(', ')}`,
  );
  expect(r.finalValLoss).toBeLessThanOrEqual(0.7 * r.initialValLoss);
  // Name-like: an untrained model emits uniform characters (1 in 5 a vowel) and rarely stops within 15.
  const lengths = r.samples.map((s) => s.length);
  const letters = r.samples.join('');
  const vowels = [...letters].filter((c) => 'aeiouy'.includes(c)).length / letters.length;
  expect(r.samples.filter((s) => /^[a-z][a-z-]*[a-z]$/.test(s)).length).toBeGreaterThanOrEqual(0.9 * r.samples.length);
  expect(lengths.filter((n) => n >= 2 && n <= 12).length).toBeGreaterThanOrEqual(0.8 * r.samples.length);
  expect(new Set(r.samples).size).toBeGreaterThanOrEqual(0.8 * r.samples.length);
  expect(vowels).toBeGreaterThan(0.3);
  expect(vowels).toBeLessThan(0.65);
  expect(memoryStats().buffers).toBe(before.buffers);
}, 400_000);

test('an encoder-decoder Transformer reverses digit strings: ≥ 90% exact match on held-out pairs', async () => {
  const r = await trainTranslate({ steps: 300, seed: 0 });
  console.log(
    `translate: loss ${r.losses[0].loss.toFixed(3)} → ${r.losses[r.losses.length - 1].loss.toFixed(3)}, exact match ` +
      `${(r.exactMatch * 100).toFixed(1)}% greedy on ${r.testSize} held-out, ${(r.beamExactMatch * 100).toFixed(0)}% beam(3) on 20; ` +
      `${r.stepsPerSecond.toFixed(2)} steps/s; ${r.examples.join(', ')}`,
  );
  expect(r.exactMatch).toBeGreaterThanOrEqual(0.9);
  expect(r.beamExactMatch).toBeGreaterThanOrEqual(0.9);
}, 400_000);

test('a tiny BERT\'s masked-LM loss falls on a held-out masked set', async () => {
  const r = await trainBert({ steps: 100, seed: 0 });
  console.log(
    `bert: held-out MLM loss ${r.initialEvalLoss.toFixed(3)} → ${r.finalEvalLoss.toFixed(3)}, masked-token accuracy ` +
      `${(r.accuracy * 100).toFixed(1)}%, ${r.stepsPerSecond.toFixed(2)} steps/s; ${r.examples[0]}`,
  );
  expect(r.finalEvalLoss).toBeLessThan(0.7 * r.initialEvalLoss);
}, 300_000);

test('200 training steps of a small GPT: memoryStats() buffers and bytes stay flat after the first step', async () => {
  const model = new nn.GPT({ vocabSize: 11, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 16, seed: 1 });
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-2 });
  const B = 4;
  const T = 8;
  const x = tensor(Int32Array.from({ length: B * T }, (_, i) => (i * 7) % 11), [B, T]);
  const y = tensor(Int32Array.from({ length: B * T }, (_, i) => (i * 7 + 3) % 11), [B, T]);
  let first = { buffers: 0, bytes: 0 };
  let firstLoss = 0;
  let lastLoss = 0;
  for (let step = 1; step <= 200; step++) {
    const loss = tidy(() => model.loss(x, y));
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    if (step === 1 || step === 200) {
      const v = await loss.item();
      if (step === 1) firstLoss = v;
      else lastLoss = v;
    }
    loss.dispose();
    const now = memoryStats();
    if (step === 1) first = { buffers: now.buffers, bytes: now.bytes };
    else if (now.buffers !== first.buffers || now.bytes !== first.bytes) {
      expect.fail(`step ${step}: ${now.buffers} buffers / ${now.bytes} bytes, after step 1: ${first.buffers} / ${first.bytes}`);
    }
  }
  expect(lastLoss).toBeLessThan(firstLoss); // it trained, too
  model.zeroGrad();
  optimizer.dispose();
  dispose([x, y, model.parameters()]);
}, 200_000);
