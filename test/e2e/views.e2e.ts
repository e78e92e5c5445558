// The Views panel, end to end, in headless chromium on SwiftShader's WebGPU:
//   1. open a small transformer (characters → embedding + positions → causal multi-head attention → next-character
//      scores, on names) through the toolbar's Open…;
//   2. record one forward and one backward pass and step through it node by node, checking the canvas lights the
//      nodes in forward order and then in reverse, and that each step shows a tensor of the right shape;
//   3. open the tensor view of a node output: activation and gradient of the right shape, with a heatmap slice;
//   4. open the attention view: one heatmap per head, of the right shape, over the input tokens;
//   5. see per-layer weight and gradient norms;
//   6. inject a NaN with a huge learning rate and see the flag on the canvas naming the first node where it appeared.
// Screenshots go to test-output/views-*.png.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ElementHandle, Page } from 'puppeteer';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openPlayground, outDir, type Playground } from './harness';
import { pageHelpers } from './page-helpers';

const B = 16;
const T = 8;
const D = 16;
const HEADS = 2;
/** The graph's nodes in forward order (a chain, so the order is fixed). */
const ORDER = ['text_1', 'embedding_1', 'positional_1', 'attention_1', 'linear_1', 'crossentropy_1'];

const GRAPH = {
  format: 'gpu-learn.graph',
  version: 1,
  name: 'Attention on names',
  nodes: [
    { id: 'text_1', type: 'text', params: { corpus: 'names', blockSize: T }, position: { x: 0, y: 60 } },
    { id: 'embedding_1', type: 'embedding', params: { numEmbeddings: 28, dim: D }, position: { x: 200, y: 60 } },
    { id: 'positional_1', type: 'positional', params: { kind: 'learned', maxLen: T }, position: { x: 400, y: 60 } },
    { id: 'attention_1', type: 'attention', params: { heads: HEADS, causal: true }, position: { x: 600, y: 60 } },
    { id: 'linear_1', type: 'linear', params: { outFeatures: 28 }, position: { x: 800, y: 60 } },
    { id: 'crossentropy_1', type: 'crossentropy', params: {}, position: { x: 1000, y: 110 } },
  ],
  edges: [
    { from: 'text_1.tokens', to: 'embedding_1.ids' },
    { from: 'embedding_1.y', to: 'positional_1.x' },
    { from: 'positional_1.y', to: 'attention_1.x' },
    { from: 'attention_1.y', to: 'linear_1.x' },
    { from: 'linear_1.y', to: 'crossentropy_1.logits' },
    { from: 'text_1.next', to: 'crossentropy_1.target' },
  ],
  train: { optimizer: 'adam', lr: 0.01, batchSize: B, seed: 0 },
};

let pg: Playground;
let page: Page;
const { openOnWebGPU, el, attr, text, phase, until, click } = pageHelpers(() => pg);
const timings: string[] = [];

function note(line: string): void {
  timings.push(line);
  console.log(`[views e2e] ${line}`);
}

async function passMarks(): Promise<Record<string, string>> {
  const pairs = await page.$$eval('>>> graph-node', (els) => els.map((e) => [e.getAttribute('data-node-id') ?? '', e.getAttribute('pass') ?? '']));
  return Object.fromEntries(pairs.filter(([, p]) => p));
}

async function selectNode(id: string): Promise<void> {
  const box = await (await el(`[data-node-id="${id}"] >>> header`)).boundingBox();
  if (!box) throw new Error(`${id} is not visible`);
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
}

beforeAll(async () => {
  pg = await openPlayground({ width: 1400, height: 900 });
  page = pg.page;
  await openOnWebGPU();
}, 90_000);

afterAll(async () => {
  if (timings.length) console.log(`[views e2e] summary:\n  ${timings.join('\n  ')}`);
  const warnings = pg?.log.filter((l) => l.startsWith('console.warn')) ?? [];
  if (warnings.length) console.log(`[views e2e] page warnings:\n  ${warnings.join('\n  ')}`);
  await pg?.close();
});

describe('the Views panel', () => {
  test('1. a small transformer opens through Open… and compiles', async () => {
    const t0 = Date.now();
    mkdirSync(outDir, { recursive: true });
    const file = join(outDir, 'views-attention-names.json');
    writeFileSync(file, JSON.stringify(GRAPH, null, 2));
    const input = (await el('editor-toolbar >>> input[type="file"]')) as ElementHandle<HTMLInputElement>;
    await input.uploadFile(file);
    await until('the graph on the canvas', async () => (await page.$$('>>> [data-node-id="attention_1"]')).length === 1, 30_000);
    await until('the graph to be compiled ahead', async () => (await phase()) === 'ready', 120_000);
    note(`1. opened and compiled the attention model in ${Date.now() - t0} ms`);
  }, 150_000);

  test('2. step through one forward and one backward pass', async () => {
    const t0 = Date.now();
    await click('views-panel >>> [data-tab="pass"]');
    await click('views-panel >>> [data-action="record-pass"]');
    await until('the recorded pass', async () => (await attr('[data-pass-step]', 'data-pass-total')) !== null, 60_000);
    const total = Number(await attr('[data-pass-step]', 'data-pass-total'));
    const seen: Array<[string, string]> = [];
    for (let i = 0; i < total; i++) {
      if (i > 0) await click('views-panel >>> [data-action="pass-next"]');
      await until(`step ${i + 1}`, async () => (await attr('[data-pass-step]', 'data-pass-cursor')) === String(i), 10_000);
      const node = (await attr('[data-pass-step]', 'data-pass-node'))!;
      const ph = (await attr('[data-pass-step]', 'data-pass-phase'))!;
      seen.push([ph, node]);
      // The canvas lights the node of this step, in the colour of its phase.
      await until(`${node} lit on the canvas`, async () => (await passMarks())[node] === ph, 5_000);
      if (node === 'embedding_1') {
        const shape = await attr('views-panel >>> tensor-view', 'data-shape');
        expect(shape, `${ph} ${node}`).toBe(`${B},${T},${D}`);
        if (ph === 'forward') await pg.screenshot('views-1-forward-step.png');
        else await pg.screenshot('views-2-backward-step.png');
      }
    }
    const forward = seen.filter(([p]) => p === 'forward').map(([, n]) => n);
    const backward = seen.filter(([p]) => p === 'backward').map(([, n]) => n);
    expect(forward, 'forward steps in forward order').toEqual(ORDER);
    expect(backward, 'backward steps in reverse order (data nodes have no gradient)').toEqual(ORDER.slice(1).reverse());
    expect(seen.map(([p]) => p).indexOf('backward'), 'every forward step comes before the backward ones').toBe(forward.length);
    note(`2. recorded and stepped through ${total} steps (${forward.length} forward, ${backward.length} backward) in ${Date.now() - t0} ms`);
  }, 120_000);

  test('3. the tensor view of a node output shows its activation and gradient', async () => {
    await click('views-panel >>> [data-action="pass-close"]');
    await selectNode('positional_1');
    await click('views-panel >>> [data-tab="tensor"]');
    await until('the tensor view', async () => (await attr('views-panel >>> tensor-view[data-kind="gradient"]', 'data-shape')) === `${B},${T},${D}`, 20_000);
    expect(await attr('views-panel >>> tensor-view[data-kind="activation"]', 'data-shape')).toBe(`${B},${T},${D}`);
    // Rank 3: the heatmap is one (T, D) slice, and a slider picks the batch index.
    expect(await attr('views-panel >>> tensor-view[data-kind="activation"] >>> tensor-heatmap', 'data-rows')).toBe(String(T));
    expect(await attr('views-panel >>> tensor-view[data-kind="activation"] >>> tensor-heatmap', 'data-cols')).toBe(String(D));
    expect(await page.$('>>> views-panel >>> tensor-view[data-kind="activation"] >>> input[data-slice="0"]')).not.toBeNull();
    const std = Number(await text('views-panel >>> tensor-view[data-kind="activation"] >>> [data-stat="std"]'));
    expect(std).toBeGreaterThan(0);
    expect(await text('views-panel >>> tensor-view[data-kind="activation"] >>> [data-stat="nan"]')).toBe('0');
    await pg.screenshot('views-3-tensor.png');
    note(`3. tensor view of positional_1.y: (${B}, ${T}, ${D}), std ${std}`);
  }, 60_000);

  test('4. the attention view shows every head over the input tokens', async () => {
    await selectNode('attention_1');
    await click('views-panel >>> [data-tab="attention"]');
    // The weights are computed on request: from the next pass on.
    await click('[data-action="step"]');
    await until('the attention weights', async () => (await attr('views-panel >>> attention-view', 'data-shape')) === `${B},${HEADS},${T},${T}`, 30_000);
    const heads = await page.$$('>>> views-panel >>> attention-view >>> [data-head]');
    expect(heads.length).toBe(HEADS);
    expect(await attr('views-panel >>> attention-view >>> [data-big-head] tensor-heatmap', 'data-rows')).toBe(String(T));
    expect(await attr('views-panel >>> attention-view >>> [data-big-head] tensor-heatmap', 'data-cols')).toBe(String(T));
    const tokens = await text('views-panel >>> attention-view >>> [data-tokens]');
    expect(tokens.length).toBe(T);
    await click('views-panel >>> attention-view >>> [data-head="1"]');
    await until('head 1 enlarged', async () => (await attr('views-panel >>> attention-view >>> [data-big-head]', 'data-big-head')) === '1', 5_000);
    await pg.screenshot('views-4-attention.png');
    note(`4. attention view: ${heads.length} heads of (${T}, ${T}) over "${tokens}"`);
  }, 60_000);

  test('5. per-layer weight and gradient norms', async () => {
    await click('views-panel >>> [data-tab="norms"]');
    await click('[data-action="step"]');
    await until('norm samples', async () => Number(await attr('views-panel >>> norms-chart', 'data-samples')) >= 1, 30_000);
    await pg.screenshot('views-5-norms.png');
    note(`5. norms chart has ${await attr('views-panel >>> norms-chart', 'data-samples')} samples`);
  }, 60_000);

  test('6. a huge learning rate makes NaNs, and the canvas flags the first node where they appeared', async () => {
    const t0 = Date.now();
    await (await el('[data-setting="optimizer"]')).select('sgd');
    const lr = await el('[data-setting="lr"]');
    await lr.click({ count: 3 });
    await page.keyboard.type('10');
    await page.keyboard.press('Enter');
    await until('the SGD optimizer to be ready', async () => (await phase()) === 'ready', 30_000);
    await click('[data-action="train"]');
    await until('the NaN flag', async () => (await attr('views-panel >>> [data-health-first]', 'data-health-first')) !== null, 90_000);
    await click('[data-action="train"]'); // Pause
    await until('training to pause', async () => (await phase()) === 'ready', 30_000);
    const first = (await attr('views-panel >>> [data-health-first]', 'data-health-first'))!;
    const flagged = await page.$$eval('>>> graph-node[flag]', (els) => els.map((e) => [e.getAttribute('data-node-id') ?? '', e.getAttribute('flag') ?? '']));
    const flaggedIds = flagged.map(([id]) => id).sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b));
    expect(flaggedIds.length, 'flagged nodes').toBeGreaterThan(0);
    expect(first, `the first flagged node in forward order (flagged: ${flaggedIds.join(', ')})`).toBe(flaggedIds[0]);
    expect(flagged.find(([id]) => id === first)?.[1]).toMatch(/first appeared here/);
    await pg.screenshot('views-6-nan-flag.png');
    const errors = pg.log.filter((l) => l.startsWith('page error') || l.startsWith('console.error'));
    expect(errors, 'errors on the page').toEqual([]);
    note(`6. NaN after ${await text('[data-stat="step"]')} steps with SGD at lr 10, flagged first at ${first} (flagged: ${flaggedIds.join(', ')}) in ${Date.now() - t0} ms`);
  }, 150_000);
});
