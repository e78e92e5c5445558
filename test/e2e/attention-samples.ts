// Reading the Views panel's Attention and Samples tabs in the end-to-end tests (editor.e2e.ts scenarios 7 and 8).
import type { Page } from 'puppeteer';

/** One attention map shown: its node, kind, shape (B,H,T,S), head count, and the query and key tokens. */
export interface ShownMap {
  node: string;
  kind: string;
  shape: string;
  heads: number;
  queries: string;
  keys: string;
}

export async function shownMaps(page: Page): Promise<ShownMap[]> {
  return page.$$eval('>>> views-panel >>> attention-view', (els) =>
    els.map((e) => ({
      node: e.getAttribute('data-node') ?? '',
      kind: e.getAttribute('data-kind') ?? '',
      shape: e.getAttribute('data-shape') ?? '',
      heads: e.shadowRoot?.querySelectorAll('[data-head]').length ?? 0,
      queries: e.shadowRoot?.querySelector('[data-tokens]')?.textContent ?? '',
      keys: e.shadowRoot?.querySelector('[data-key-tokens]')?.textContent ?? '',
    })),
  );
}

/** The samples shown: the training step they were started at (-1: none) and each one's source, text and whether it is finished. */
export interface ShownSamples {
  step: number;
  rows: Array<{ source: string; text: string; done: boolean }>;
}

export async function shownSamples(page: Page): Promise<ShownSamples> {
  const list = await page.$('>>> samples-panel >>> [data-samples]');
  if (!list) return { step: -1, rows: [] };
  return list.evaluate((e) => ({
    step: Number(e.getAttribute('data-step')),
    rows: [...e.querySelectorAll('[data-sample]')].map((s) => ({
      source: s.querySelector('[data-source]')?.textContent ?? '',
      text: s.querySelector('[data-text]')?.textContent ?? '',
      done: s.getAttribute('data-done') === 'true',
    })),
  }));
}

export const allFinished = (s: ShownSamples): boolean => s.rows.length > 0 && s.rows.every((r) => r.done);

/** Types a value into one of the Samples tab's settings and presses Enter. */
export async function setSampleSetting(page: Page, key: string, value: string): Promise<void> {
  const input = await page.waitForSelector(`>>> samples-panel >>> [data-sample-setting="${key}"]`, { timeout: 15_000 });
  if (!input) throw new Error(`No sample setting ${key}`);
  await input.click({ count: 3 });
  await page.keyboard.type(value);
  await page.keyboard.press('Enter');
}
