// Training continuity, end to end, in headless chromium on SwiftShader's WebGPU, on the XOR example a first visit
// opens. The tests run in order on one page (opened with ?test-hooks, which installs window.__playgroundTest):
//   1. the gradient-norm tile fills during training;
//   2. making a layer wider mid-training keeps every other weight, says what was reset, and the count carries on;
//   3. a mis-wire followed by Undo loses no weight and no step;
//   4. after loading weights, the loss tile describes them, and Forward updates it as the message does;
//   5. New: the first-step time of the graph before does not carry over;
//   6. the empty graph is not called ready to train while Train is disabled;
//   7. the GPU device lost mid-training: a banner says so, the graph and the weights read back survive, and one
//      click opens a new device and resumes from them.
// Screenshots go to test-output/training-*.png.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ElementHandle, Page } from 'puppeteer';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openPlayground, outDir, type Playground } from './harness';
import { pageHelpers } from './page-helpers';
import { writeSafetensors } from '../../engine/io/safetensors';

let pg: Playground;
let page: Page;
// The hooks are installed only with ?test-hooks in the address.
const { openOnWebGPU, el, text, attr, phase, until, click, context } = pageHelpers(() => ({ ...pg, url: `${pg.url}?test-hooks` }));
const timings: string[] = [];

function note(line: string): void {
  timings.push(line);
  console.log(`[training e2e] ${line}`);
}

async function stat(name: string): Promise<string> {
  return text(`[data-stat="${name}"]`);
}

async function step(): Promise<number> {
  return Number(await stat('step'));
}

async function message(): Promise<string> {
  return text('[data-phase]');
}

/** The text inside an element's shadow root (the inspector's). */
async function shadowText(selector: string): Promise<string> {
  return (await el(selector)).evaluate((e) => e.shadowRoot?.textContent?.replace(/\s+/g, ' ').trim() ?? '');
}

async function parameters(): Promise<Record<string, number[]>> {
  const p = await page.evaluate(() => {
    const hooks = window.__playgroundTest;
    if (!hooks) throw new Error('window.__playgroundTest is not installed (open the page with ?test-hooks)');
    return hooks.parameters();
  });
  if (!p) throw new Error(`The graph is not prepared, so it has no parameters to read.${context()}`);
  return p;
}

async function centre(selector: string): Promise<{ x: number; y: number }> {
  const box = await (await el(selector)).boundingBox();
  if (!box) throw new Error(`${selector} is not visible`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

async function wire(fromNode: string, fromPort: string, toNode: string, toPort: string): Promise<void> {
  const from = await centre(`[data-node-id="${fromNode}"] >>> [data-port="${fromPort}"][data-port-kind="out"]`);
  const to = await centre(`[data-node-id="${toNode}"] >>> [data-port="${toPort}"][data-port-kind="in"]`);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 8 });
  await page.mouse.up();
}

async function pressUndo(): Promise<void> {
  await page.keyboard.down('Control');
  await page.keyboard.press('z');
  await page.keyboard.up('Control');
}

async function pause(): Promise<void> {
  await click('[data-action="train"]');
  await until('training to pause', async () => (await phase()) === 'ready', 30_000);
}

beforeAll(async () => {
  pg = await openPlayground({ width: 1280, height: 800 });
  page = pg.page;
  await openOnWebGPU();
  await until('the XOR example, compiled ahead', async () => (await page.$('>>> [data-node-id="xor_1"]')) !== null && (await phase()) === 'ready', 60_000);
}, 90_000);

afterAll(async () => {
  if (timings.length) console.log(`[training e2e] summary:\n  ${timings.join('\n  ')}`);
  const problems = pg?.log.filter((l) => l.startsWith('console.warn') || l.startsWith('console.error')) ?? [];
  if (problems.length) console.log(`[training e2e] page warnings and errors:\n  ${problems.join('\n  ')}`);
  await pg?.close();
});

describe('training continuity', () => {
  test('1. the gradient-norm tile shows a number while training', async () => {
    await click('[data-action="train"]');
    await until('20 steps', async () => (await step()) >= 20, 30_000);
    const norm = await stat('grad-norm');
    expect(await phase()).toBe('training');
    expect(norm, 'the gradient norm during training').toMatch(/^\d/);
    expect(Number(norm)).toBeGreaterThan(0);
    note(`1. gradient norm ${norm} at step ${await step()}`);
  }, 60_000);

  test('2. a layer made wider mid-training: the rest is kept, the reset is named, and the step count continues', async () => {
    const before = await step();
    const header = await centre('[data-node-id="linear_1"] >>> header');
    await page.mouse.click(header.x, header.y);
    const width = await el('node-inspector >>> input[data-param="outFeatures"]');
    await width.click({ count: 3 });
    await page.keyboard.type('16');
    await page.keyboard.press('Enter');
    await until('the recompiled graph', async () => /continuing from step/.test(await message()), 30_000);
    const said = await message();
    const m = /^Reset linear_1\.weight \(shape 8×2 → 16×2\), linear_1\.bias \(shape 8 → 16\), linear_2\.weight \(shape 2×8 → 2×16\); kept 1 parameter; continuing from step (\d+)\.$/.exec(said);
    expect(m, `the message: "${said}"`).not.toBeNull();
    const from = Number(m![1]);
    expect(from).toBeGreaterThanOrEqual(before);
    expect(await step()).toBeGreaterThanOrEqual(from);
    // Training resumes by itself, from there.
    await until('training to go on past the edit', async () => (await step()) >= from + 10, 30_000);
    expect(await phase()).toBe('training');
    await pause();
    await pg.screenshot('training-2-widened.png');
    note(`2. widened linear_1 at step ${before}: "${said}"; now at step ${await step()}`);
  }, 60_000);

  test('3. a mis-wire followed by Undo keeps every weight and the step count', async () => {
    const steps = await step();
    // Read through the hook, which is checked below, after what the page shows.
    const kept = await page.evaluate(() => window.__playgroundTest?.parameters() ?? null);
    await wire('linear_1', 'y', 'crossentropy_1', 'logits');
    await until('the mis-wire to be refused', async () => (await phase()) === 'invalid', 10_000);
    await pressUndo();
    await until('the graph to be prepared again', async () => (await phase()) === 'ready', 30_000);
    expect(await message()).toBe(`Kept all 4 parameters; continuing from step ${steps}.`);
    expect(await step()).toBe(steps);
    expect(kept, 'the weights before the mis-wire (window.__playgroundTest, with ?test-hooks)').not.toBeNull();
    expect(await parameters()).toEqual(kept);
    await click('[data-action="step"]');
    await until('one more step', async () => (await step()) === steps + 1, 10_000);
    note(`3. mis-wire and Undo at step ${steps}: all 4 parameters kept`);
  }, 60_000);

  test('4. weights loaded from a file: the loss tile describes them, and Forward updates it', async () => {
    const trainedLoss = await stat('loss');
    // All-zero weights give zero logits, so a cross-entropy of ln 2 = 0.6931 on any batch of two classes.
    const zeros = (...shape: number[]): { shape: number[]; data: Float32Array } => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
    const file = join(outDir, 'training-zero-weights.safetensors');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(file, writeSafetensors({ 'linear_1.weight': zeros(16, 2), 'linear_1.bias': zeros(16), 'linear_2.weight': zeros(2, 16), 'linear_2.bias': zeros(2) }));
    const input = (await el('editor-toolbar >>> input[type="file"]')) as ElementHandle<HTMLInputElement>;
    await input.uploadFile(file);
    await until('the weights to load', async () => /^Loaded the weights/.test(await message()), 15_000);
    expect(await message()).toMatch(/^Loaded the weights: loss 0\.6931 on a fresh batch/);
    expect(await stat('loss'), `the loss tile showed ${trainedLoss} before`).toBe('0.6931');
    // One step moves the weights off zero; then Forward's loss is a new number, and the tile must show it too.
    await click('[data-action="step"]');
    await until('the step', async () => /^Step /.test(await message()), 10_000);
    await click('[data-action="forward"]');
    await until('the forward pass', async () => /^Forward: loss/.test(await message()), 10_000);
    const forward = /^Forward: loss (\d+\.\d{4})/.exec(await message())![1];
    expect(await stat('loss')).toBe(forward);
    note(`4. loaded zero weights (loss tile ${trainedLoss} → 0.6931), then Forward: ${forward}`);
  }, 60_000);

  test('5. New: the first-step time of the graph before does not carry over', async () => {
    await click('[data-action="train"]');
    await until('the first step timed', async () => /ms$/.test(await stat('first-step-ms')), 10_000);
    await pause();
    await click('[data-action="new"]');
    await until('an empty canvas', async () => (await page.$('>>> [data-node-id]')) === null, 10_000);
    expect(await stat('first-step-ms')).toBe('—');
  }, 30_000);

  test('6. the empty graph is not called ready to train, and Train is disabled', async () => {
    expect(await attr('[data-action="train"]', 'disabled')).not.toBeNull();
    const inspector = await shadowText('node-inspector');
    expect(inspector).not.toMatch(/ready to train/);
    expect(inspector).toMatch(/Add nodes, or open an example, to train\./);
  }, 30_000);

  test('7. the device lost mid-training: a banner, the graph and weights survive, and one click resumes', async () => {
    await click('[data-action="gallery"]');
    await click('[data-example="xor-mlp"]'); // a graph opened afresh, so trained from scratch
    await until('the XOR graph, prepared', async () => (await page.$('>>> [data-node-id="xor_1"]')) !== null && (await phase()) === 'ready', 30_000);
    await click('[data-action="train"]');
    await until('a few steps', async () => (await step()) >= 10, 30_000);
    // Training goes on at a learning rate too small to move the weights measurably, so that the weights read
    // here can be compared with those training resumes from.
    const lr = await el('[data-setting="lr"]');
    await lr.click({ count: 3 });
    await page.keyboard.type('0.0000001');
    await page.keyboard.press('Enter');
    await new Promise((r) => setTimeout(r, 700)); // past the next read-back (every 500 ms while training)
    expect(await phase()).toBe('training');
    const weights = await parameters();
    const lossBefore = Number(await stat('loss'));
    await page.evaluate(() => window.__playgroundTest!.loseDevice());
    await until('the lost-device banner', async () => (await attr('device-status', 'status')) === 'lost' && (await phase()) === 'lost', 10_000);
    const banner = await text('device-status >>> [data-device-lost]');
    expect(banner).toMatch(/The GPU device was lost \(destroyed/);
    const said = await message();
    const saved = /the graph and the weights read back at step (\d+) are kept/.exec(said);
    expect(saved, `the message: "${said}"`).not.toBeNull();
    const at = Number(saved![1]);
    expect(at).toBeGreaterThan(0);
    expect((await page.$$('>>> graph-node')).length, 'the graph survives').toBe(5);
    await pg.screenshot('training-7-lost.png');

    await click('device-status >>> [data-action="reopen-device"]');
    await until('a new device', async () => (await attr('device-status', 'status')) === 'webgpu', 30_000);
    await until('training to resume', async () => /^Restored the weights read back at step/.test(await message()) && (await step()) > at, 30_000);
    expect(await message()).toMatch(new RegExp(`^Restored the weights read back at step ${at} on the new device;.*Kept all 4 parameters; continuing from step ${at}\\.$`));
    expect(await phase()).toBe('training');
    // Training goes on from the weights read back before the loss (not from a fresh initialisation).
    const resumed = await parameters();
    expect(Object.keys(resumed)).toEqual(Object.keys(weights));
    const drift = Math.max(...Object.keys(weights).flatMap((k) => weights[k].map((w, i) => Math.abs(w - resumed[k][i]))));
    expect(drift, 'the largest change of a weight across the loss of the device').toBeLessThan(1e-3);
    const lossAfter = Number(await stat('loss'));
    await pause();
    const errors = pg.log.filter((l) => l.startsWith('page error'));
    expect(errors, 'errors on the page').toEqual([]);
    await pg.screenshot('training-7-resumed.png');
    note(`7. lost the device at step ≥ ${at} (loss ${lossBefore}); resumed from step ${at}, loss now ${lossAfter}`);
  }, 90_000);
});
