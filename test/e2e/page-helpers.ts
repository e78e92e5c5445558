// Queries and waits the editor's end-to-end tests share. Selectors pierce shadow roots (puppeteer's `>>>`), and
// every failure carries the tail of the page's log so that a broken page says why.
import type { ElementHandle } from 'puppeteer';
import { howToGetWebGPU, type Playground } from './harness';

export interface PageHelpers {
  context(): string;
  el(selector: string): Promise<ElementHandle<Element>>;
  text(selector: string): Promise<string>;
  attr(selector: string, name: string): Promise<string | null>;
  click(selector: string): Promise<void>;
  /** The trainer's state: idle, compiling, ready, training, … (the toolbar's data-phase). */
  phase(): Promise<string>;
  /** Polls until `check` holds (the page works asynchronously: validation, compiling, training). */
  until(what: string, check: () => Promise<boolean>, timeoutMs?: number): Promise<void>;
  /** Loads the playground and waits for <device-status> to open WebGPU, failing with how to get it otherwise. */
  openOnWebGPU(): Promise<void>;
  /** The centre of what `selector` matches, in page coordinates. */
  centre(selector: string): Promise<Point>;
  /** A mouse drag in small steps, as a person would make it. */
  dragMouse(from: Point, to: Point): Promise<void>;
  /** Drags a palette item (by its node type) to a point on the page. */
  dropFromPalette(type: string, at: Point): Promise<void>;
  /** Types into the palette's search box, replacing what it held (an empty string clears it). */
  searchPalette(query: string): Promise<void>;
  /** The ids of the nodes on the canvas, sorted. */
  nodeIds(): Promise<string[]>;
  /** Selects a node by clicking its header. */
  selectNode(id: string): Promise<void>;
}

export interface Point {
  x: number;
  y: number;
}

/** Helpers bound to the playground that `current()` returns (set in a beforeAll). */
export function pageHelpers(current: () => Playground): PageHelpers {
  const h: PageHelpers = {
    context: () => `\nBrowser log:\n${current().log.slice(-40).join('\n') || '(empty)'}`,
    async el(selector) {
      const found = await current().page.waitForSelector(`>>> ${selector}`, { timeout: 15_000 }).catch(() => null);
      if (!found) throw new Error(`Nothing on the page matches ${selector}.${h.context()}`);
      return found;
    },
    async text(selector) {
      return (await h.el(selector)).evaluate((e) => e.textContent?.trim() ?? '');
    },
    async attr(selector, name) {
      const found = await current().page.$(`>>> ${selector}`);
      return found ? found.evaluate((e, n) => e.getAttribute(n), name) : null;
    },
    async click(selector) {
      await (await h.el(selector)).click();
    },
    async phase() {
      return (await h.el('[data-phase]')).evaluate((e) => e.getAttribute('data-phase') ?? '');
    },
    async until(what, check, timeoutMs = 60_000) {
      const end = Date.now() + timeoutMs;
      while (Date.now() < end) {
        if (await check().catch(() => false)) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${what}. Phase: ${await h.phase().catch(() => '?')}; ` +
          `message: ${await h.text('[data-phase]').catch(() => '?')}.${h.context()}`,
      );
    },
    async openOnWebGPU() {
      const { page, url } = current();
      await page.goto(url, { waitUntil: 'load' });
      const status = await page
        .waitForFunction(() => {
          const s = document.querySelector('device-status')?.getAttribute('status');
          return s && s !== 'loading' ? s : null;
        }, { timeout: 60_000 })
        .then((handle) => handle.jsonValue());
      if (status !== 'webgpu') {
        throw new Error(`WebGPU is unavailable in headless chromium (status ${String(status)}). ${howToGetWebGPU}${h.context()}`);
      }
    },
    async centre(selector) {
      const box = await (await h.el(selector)).boundingBox();
      if (!box) throw new Error(`${selector} is not visible.${h.context()}`);
      return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    },
    async dragMouse(from, to) {
      const { mouse } = current().page;
      await mouse.move(from.x, from.y);
      await mouse.down();
      await mouse.move(from.x + (to.x - from.x) / 3, from.y + (to.y - from.y) / 3, { steps: 4 });
      await mouse.move(to.x, to.y, { steps: 8 });
      await mouse.up();
    },
    async dropFromPalette(type, at) {
      await (await h.el(`[data-node-type="${type}"]`)).scrollIntoView();
      await h.dragMouse(await h.centre(`[data-node-type="${type}"]`), at);
    },
    async searchPalette(query) {
      const box = await h.el('node-palette >>> input[type="search"]');
      await box.click({ count: 3 });
      await current().page.keyboard.press('Backspace');
      if (query) await current().page.keyboard.type(query);
    },
    async nodeIds() {
      return (await current().page.$$eval('>>> graph-node', (els) => els.map((e) => e.getAttribute('data-node-id') ?? ''))).sort();
    },
    async selectNode(id) {
      const at = await h.centre(`[data-node-id="${id}"] >>> header`);
      await current().page.mouse.click(at.x, at.y);
    },
  };
  return h;
}
