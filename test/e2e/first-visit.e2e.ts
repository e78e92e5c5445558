// What a newcomer meets, end to end, in headless chromium, on one page (the tests run in order, each starting where
// the previous one left off):
//   1. a first visit shows a welcome (what this is; drag, wire, train; the examples and the course); Escape
//      dismisses it, and after a reload it stays away; its examples button opens the gallery and dismisses it too;
//   2. each port has one name: the node, the palette, the inspector and the messages all say "x" for linear's input;
//   3. a node dropped at the canvas's left edge lands wholly in view, clear of the palette;
//   4. wires that close loops (a self-loop and a two-node loop, made together) are drawn above the nodes and marked,
//      and the graph's problems name every loop at once;
//   5. a large example fits at a zoom where its labels stay readable, showing the graph from its start.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'puppeteer';
import { openPlayground, type Playground } from './harness';
import { pageHelpers } from './page-helpers';
import { FIT_MIN_ZOOM } from '../../playground/components/canvas';
import { PORT_ROW } from '../../playground/layout';
import { WELCOME_DISMISSED_KEY } from '../../playground/ui-state';

let pg: Playground;
let page: Page;
const { context, el, text, click, until, centre, dragMouse, dropFromPalette, nodeIds, selectNode } = pageHelpers(() => pg);

async function box(selector: string): Promise<{ x: number; y: number; width: number; height: number }> {
  const b = await (await el(selector)).boundingBox();
  if (!b) throw new Error(`${selector} is not visible.${context()}`);
  return b;
}

/** Drags from one node's output port to another's input port. */
async function wire(from: string, fromPort: string, to: string, toPort: string): Promise<void> {
  await dragMouse(
    await centre(`[data-node-id="${from}"] >>> [data-port="${fromPort}"][data-port-kind="out"]`),
    await centre(`[data-node-id="${to}"] >>> [data-port="${toPort}"][data-port-kind="in"]`),
  );
}

async function portTexts(selector: string): Promise<string[]> {
  return page.$$eval(`>>> ${selector}`, (els) => els.map((e) => e.textContent?.trim() ?? ''));
}

beforeAll(async () => {
  pg = await openPlayground({ width: 1280, height: 800 }, { welcome: true });
  page = pg.page;
  await page.goto(pg.url, { waitUntil: 'load' });
  await until('the first-visit example', async () => (await nodeIds()).includes('xor_1'), 30_000);
}, 60_000);

afterAll(async () => {
  await pg?.close();
});

describe('a first visit', () => {
  test('1. a welcome says what the playground is and where to go; Escape dismisses it for good', async () => {
    const said = await text('welcome-panel >>> [data-welcome]');
    for (const words of [/train it/i, /Drag/, /Wire/, /Train/, /Examples/, /course/]) expect(said, said).toMatch(words);
    expect(await (await el('welcome-panel >>> [data-action="welcome-course"]')).evaluate((a) => a.getAttribute('href'))).toBe('./learn.html');
    // Keyboard users start on its button; Escape closes it from anywhere.
    expect(await page.evaluate(() => document.querySelector('playground-app')?.shadowRoot?.querySelector('welcome-panel')?.shadowRoot?.activeElement?.getAttribute('data-action'))).toBe('welcome-dismiss');
    await pg.screenshot('first-visit-1-welcome.png');
    await page.keyboard.press('Escape');
    await until('the welcome to close', async () => (await page.$('>>> welcome-panel >>> [data-welcome]')) === null, 5_000);
    await page.reload({ waitUntil: 'load' });
    await until('the graph after the reload', async () => (await nodeIds()).includes('xor_1'), 30_000);
    await (await el('welcome-panel')).evaluate((e) => (e as HTMLElement & { updateComplete: Promise<boolean> }).updateComplete);
    expect(await page.$('>>> welcome-panel >>> [data-welcome]'), 'the welcome came back after being dismissed').toBeNull();

    // Another first visit (the flag cleared): its examples button opens the gallery and dismisses the welcome too.
    await page.evaluate((key) => localStorage.removeItem(key), WELCOME_DISMISSED_KEY);
    await page.reload({ waitUntil: 'load' });
    await click('welcome-panel >>> [data-action="welcome-examples"]');
    await el('example-gallery[open] >>> [data-example="xor-mlp"]');
    expect(await page.$('>>> welcome-panel >>> [data-welcome]')).toBeNull();
    expect(await page.evaluate((key) => localStorage.getItem(key), WELCOME_DISMISSED_KEY)).not.toBeNull();
    await page.keyboard.press('Escape'); // closes the gallery
    await until('the gallery to close', async () => (await page.$('>>> example-gallery[open]')) === null, 5_000);
    await until('the graph', async () => (await nodeIds()).includes('xor_1'), 30_000);
  }, 60_000);

  test('2. a port has one name on the node, in the palette, in the inspector and in messages', async () => {
    expect(await portTexts('[data-node-id="linear_1"] >>> [data-port]')).toEqual(['x', 'y']);
    expect(await portTexts('[data-node-id="xor_1"] >>> [data-port]')).toEqual(['x', 'label']);
    expect(await portTexts('[data-node-id="crossentropy_1"] >>> [data-port]')).toEqual(['logits', 'target', 'loss']);
    expect(await text('node-palette >>> [data-node-type="linear"] [data-ports]')).toBe('x → y');
    expect(await text('node-palette >>> [data-node-type="xor"] [data-ports]')).toBe('→ x, label');
    expect(await text('node-palette >>> [data-node-type="attention"] [data-ports]')).toBe('x, memory → y, weights');
    await selectNode('linear_1');
    await until('the inspector to show linear_1', async () => (await portTexts('node-inspector >>> [data-port-name]')).join() === 'x,y', 5_000);
  }, 30_000);

  test('3. a node dropped at the canvas\'s left edge lands wholly in view, clear of the palette', async () => {
    const canvas = await box('graph-canvas');
    const palette = await box('node-palette');
    const before = await nodeIds();
    // Low on the canvas, below the example, and 4 px from the palette.
    await dropFromPalette('relu', { x: canvas.x + 4, y: canvas.y + canvas.height * 0.85 });
    await until('the dropped node', async () => (await nodeIds()).length === before.length + 1, 10_000);
    expect((await nodeIds()).filter((id) => !before.includes(id))).toEqual(['relu_1']);
    const node = await box('[data-node-id="relu_1"]');
    expect(node.x, context()).toBeGreaterThanOrEqual(palette.x + palette.width + 6); // its input dot (6.5 px out) too
    expect(node.x + node.width).toBeLessThanOrEqual(canvas.x + canvas.width);
    expect(node.y + node.height).toBeLessThanOrEqual(canvas.y + canvas.height);
    // Its unconnected input is called by the same name in the message.
    expect(await text('[data-node-id="relu_1"] >>> .issues li')).toMatch(/^Input "x" is not connected/);
  }, 30_000);

  test('4. loops are drawn above the nodes, marked, and all named at once', async () => {
    await wire('relu_1', 'y', 'relu_1', 'x'); // a self-loop
    await wire('tanh_1', 'y', 'linear_1', 'x'); // replaces xor_1 → linear_1: linear_1 → tanh_1 → linear_1
    await until('both loops', async () => (await page.$$('>>> [data-cycle-wire]')).length === 3, 10_000);
    const marked = await page.$$eval('>>> [data-cycle-wire]', (els) => els.map((e) => e.getAttribute('data-edge')).sort());
    expect(marked).toEqual(['linear_1.x', 'relu_1.x', 'tanh_1.x']);
    expect(await page.$$('>>> graph-canvas >>> path.wire.cycle')).toHaveLength(3);

    // The self-loop runs through its own node: at a point of the wire inside the node's box, the wire is on top.
    const hit = await page.evaluate(() => {
      const canvas = document.querySelector('playground-app')!.shadowRoot!.querySelector('graph-canvas')!.shadowRoot!;
      const path = canvas.querySelector<SVGPathElement>('path[data-edge="relu_1.x"]')!;
      const node = canvas.querySelector('[data-node-id="relu_1"]')!.getBoundingClientRect();
      const ctm = path.getScreenCTM()!;
      const len = path.getTotalLength();
      for (let i = 1; i < 40; i++) {
        const p = new DOMPoint(path.getPointAtLength((len * i) / 40).x, path.getPointAtLength((len * i) / 40).y).matrixTransform(ctm);
        // Well inside the node, away from its port dots at the edges.
        if (p.x < node.left + 20 || p.x > node.right - 20 || p.y < node.top + 4 || p.y > node.bottom - 4) continue;
        let top = document.elementFromPoint(p.x, p.y);
        while (top?.shadowRoot) {
          const inner = top.shadowRoot.elementFromPoint(p.x, p.y);
          if (!inner || inner === top) break;
          top = inner;
        }
        return { at: [Math.round(p.x), Math.round(p.y)], top: top?.getAttribute('data-edge') ?? top?.tagName ?? null };
      }
      return null;
    });
    expect(hit, 'the self-loop never passes over its node').not.toBeNull();
    expect(hit!.top, `what is on top at ${hit!.at.join(', ')}`).toBe('relu_1.x');

    await pg.screenshot('first-visit-4-loops.png');
    // With nothing selected, the inspector lists the graph's problems: both loops, each by its nodes.
    await page.keyboard.press('Escape');
    await until('the graph problems', async () => (await text('node-inspector >>> h2')) === 'Graph', 5_000);
    const problems = await text('node-inspector >>> ul.issues');
    expect(problems).toContain('(relu_1 → relu_1)');
    expect(problems).toContain('(linear_1 → tanh_1 → linear_1)');
    expect(problems).toContain('(tanh_1 → linear_1 → tanh_1)');
  }, 30_000);

  test('5. a large example fits at a readable zoom, from its start', async () => {
    await click('editor-toolbar >>> [data-action="gallery"]');
    await click('example-gallery >>> [data-example="toy-translation"]');
    await until('the translation example', async () => (await nodeIds()).includes('translation_1'), 10_000);
    const canvas = await box('graph-canvas');
    let zoom = 0;
    // fitView runs after the graph renders and animates nothing, but wait for it to land.
    await until('the view to fit', async () => {
      zoom = (await box('[data-node-id="linear_1"] >>> [data-port="x"]')).height / PORT_ROW;
      const first = await box('[data-node-id="translation_1"]');
      return first.x >= canvas.x && first.x + first.width <= canvas.x + canvas.width;
    }, 5_000);
    await pg.screenshot('first-visit-5-fit.png');
    expect(zoom, context()).toBeGreaterThanOrEqual(FIT_MIN_ZOOM - 0.01);
    // Its first node, the data, is in view; the far end (the loss) is a pan away.
    const data = await box('[data-node-id="translation_1"]');
    expect(data.y).toBeGreaterThanOrEqual(canvas.y);
    expect(data.y + data.height).toBeLessThanOrEqual(canvas.y + canvas.height);
  }, 30_000);
});
