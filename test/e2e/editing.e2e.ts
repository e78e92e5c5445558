// Editor widgets, end to end, in headless chromium on SwiftShader's WebGPU, on the first-visit XOR example:
//   1. a node added (and so selected) while the graph is compiled leaves no internal error in the Views tab bar;
//   2. dragging the one item of a filtered palette adds that item's node, not the one its button first showed;
//   3. a number field keeps text that is no number, says what is wrong with it and which value is in force, and
//      shows the model's value again once that changes.
// The tests run in order on one page, each starting where the previous one left off.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'puppeteer';
import { openPlayground, type Playground } from './harness';
import { pageHelpers, type Point } from './page-helpers';

let pg: Playground;
let page: Page;
const { openOnWebGPU, context, el, text, attr, click, phase, until, dropFromPalette, searchPalette, nodeIds, selectNode } = pageHelpers(() => pg);

/** An empty spot near the canvas's lower right, clear of the example's nodes. */
async function freeSpot(dx = 0): Promise<Point> {
  const box = await (await el('graph-canvas')).boundingBox();
  if (!box) throw new Error('the canvas is not visible');
  return { x: box.x + box.width - 160 + dx, y: box.y + box.height - 70 };
}

/** Drops a palette item and returns the id of the node it added. */
async function addFromPalette(type: string, at: Point): Promise<string> {
  const before = await nodeIds();
  await dropFromPalette(type, at);
  let added: string[] = [];
  await until(`a node dropped from the palette item "${type}"`, async () => {
    added = (await nodeIds()).filter((id) => !before.includes(id));
    return added.length > 0;
  }, 10_000);
  expect(added, context()).toHaveLength(1);
  return added[0];
}

beforeAll(async () => {
  pg = await openPlayground({ width: 1280, height: 800 });
  page = pg.page;
  await openOnWebGPU();
  await until('the first-visit example', async () => (await nodeIds()).includes('xor_1'), 30_000);
}, 90_000);

afterAll(async () => {
  await pg?.close();
});

describe('editor widgets', () => {
  test('1. selecting a node added since the graph was compiled leaves the Views tab bar free of internal errors', async () => {
    // The views watch the compiled graph: wait for it, and show the Tensor tab, which follows the selection.
    await until('the example to be compiled ahead (phase "ready")', async () => (await phase()) === 'ready', 60_000);
    await click('views-panel >>> [data-tab="tensor"]');
    const id = await addFromPalette('tanh', await freeSpot());
    expect(id).toMatch(/^tanh_\d+$/);
    // The node dropped last is selected, and the tab shows it (rendered after the views were told to watch it).
    await until(`the Tensor tab to show ${id}`, async () => (await text('views-panel >>> .body .bar b')) === id, 10_000);
    const tabBar = await text('views-panel >>> nav');
    expect(tabBar, context()).not.toMatch(/Unknown node type/);
    expect(await page.$('>>> views-panel >>> nav .error'), `the tab bar says: ${tabBar}`).toBeNull();
  }, 90_000);

  test('2. dragging the one item of a filtered palette adds that node', async () => {
    for (const [query, type] of [['tanh', 'tanh'], ['attention', 'attention']] as const) {
      await searchPalette(query);
      expect(await page.$$eval('>>> [data-node-type]', (els) => els.map((e) => e.getAttribute('data-node-type')))).toEqual([type]);
      const id = await addFromPalette(type, await freeSpot(type === 'tanh' ? -120 : 0));
      expect(id, `searched "${query}" and dragged the item shown`).toMatch(new RegExp(`^${type}_\\d+$`));
    }
    await searchPalette('');
  }, 60_000);

  test('3. a number field shows what was typed, the error about it, and the value in force', async () => {
    await selectNode('linear_1');
    const field = 'node-inspector >>> input[data-param="outFeatures"]';
    const rejected = 'node-inspector >>> [data-rejected-entry="outFeatures"]';
    const enter = async (typed: string): Promise<void> => {
      await (await el(field)).click({ count: 3 });
      await page.keyboard.press('Backspace');
      if (typed) await page.keyboard.type(typed);
      await page.keyboard.press('Enter');
    };
    const value = async (): Promise<string> => (await el(field)).evaluate((e) => (e as HTMLInputElement).value);

    // Out of range: the model takes it and validation names it.
    await enter('99999');
    await until('the range problem', async () => (await text('node-inspector >>> .problem')).includes('got 99999'), 10_000);

    await enter('abc');
    await until('the rejected entry', async () => (await attr(rejected, 'data-rejected-entry')) === 'outFeatures', 10_000);
    expect(await value()).toBe('abc');
    expect(await text(rejected)).toBe('Output features: "abc" is not a number. The value in force is still 99999.');
    expect(await (await el(field)).evaluate((e) => e.classList.contains('bad'))).toBe(true);

    await enter('');
    await until('the empty field to be named', async () => (await text(rejected)).includes('is empty'), 10_000);
    expect(await value()).toBe('');
    expect(await text(rejected)).toBe('Output features is empty: type a number. The value in force is still 99999.');

    // Undo takes the model back to 8: the rejected entry was about 99999, so the field shows 8 again.
    await click('[data-action="undo"]');
    await until('the field to show the value undone to', async () => (await value()) === '8', 10_000);
    expect(await page.$(`>>> ${rejected}`)).toBeNull();

    // A number is taken: the wire out of linear_1 carries 4 features.
    await enter('4');
    await until('linear_1 to give 4 features', async () => (await text('[data-shape-for="tanh_1.x"]')) === '(B, 4)', 10_000);
    expect(await value()).toBe('4');
    expect(await page.$(`>>> ${rejected}`)).toBeNull();

    // ArrowUp and ArrowDown step it by one, as a number input's arrows did.
    await page.keyboard.press('ArrowUp');
    await until('ArrowUp to step to 5', async () => (await text('[data-shape-for="tanh_1.x"]')) === '(B, 5)', 10_000);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await until('two ArrowDowns to step to 3', async () => (await value()) === '3', 10_000);
  }, 60_000);
  test('4. the training settings keep a rejected entry too, with the value in force', async () => {
    const field = 'train-controls >>> input[data-setting="batchSize"]';
    const rejected = 'train-controls >>> [data-rejected-setting="batchSize"]';
    const value = async (): Promise<string> => (await el(field)).evaluate((e) => (e as HTMLInputElement).value);
    const inForce = await value();
    const enter = async (typed: string): Promise<void> => {
      await (await el(field)).click({ count: 3 });
      await page.keyboard.press('Backspace');
      await page.keyboard.type(typed);
      await page.keyboard.press('Enter');
    };
    await enter('abc');
    await until('the rejected batch size', async () => (await page.$(`>>> ${rejected}`)) !== null, 10_000);
    expect(await value()).toBe('abc');
    expect(await text(rejected)).toBe(`Batch size: "abc" is not a number. The value in force is still ${inForce}.`);
    await enter('0');
    await until('the out-of-range message', async () => (await text(rejected)).includes('from 1 to 4096; got 0'), 10_000);
    await enter('16');
    await until('16 to be taken', async () => (await page.$(`>>> ${rejected}`)) === null && (await value()) === '16', 10_000);
  }, 60_000);
});
