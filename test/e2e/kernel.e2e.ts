// The Bench page's "Your kernel" tab in headless chromium on SwiftShader: the starter attention kernel is checked
// against the CPU oracle and timed beside our fused kernel in the same sweep and chart; a kernel with a syntax
// error shows its line and column and is marked in the editor, untimed; after a reload the kernel and that run's
// report are still there (IndexedDB); a share link loads the code into the editor without compiling or running
// it and leaves the address bar, so a reload shows the user's own saved kernel unless they edited the link's code,
// and a malformed one says so and keeps the editor's text; the starter matmul kernel is timed beside our matmul,
// tfjs and jax-js, each checked against the CPU oracle. Speed is reported, never asserted.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Page } from 'puppeteer';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openPlayground, outDir, howToGetWebGPU, type Playground } from './harness';
import { pageHelpers } from './page-helpers';

let pg: Playground;
let page: Page;
const { context } = pageHelpers(() => pg);

const tabAttr = (name: string): Promise<string | null> => page.$eval('kernel-tab', (e, n) => e.getAttribute(n), name);

/** Waits for a Run to settle (done or failed) and returns the state. */
async function settled(): Promise<string> {
  await page
    .waitForFunction(() => ['done', 'failed'].includes(document.querySelector('kernel-tab')?.getAttribute('state') ?? ''), { timeout: 60_000, polling: 200 })
    .catch(async (e: Error) => {
      const text = await page.$eval('kernel-tab', (el) => el.shadowRoot?.textContent?.replace(/\s+/g, ' ') ?? '');
      throw new Error(`The run did not finish (${e.message}). ${howToGetWebGPU}\nThe tab says: ${text}${context()}`);
    });
  return (await tabAttr('state')) ?? '';
}

async function openKernelTab(url: string): Promise<void> {
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => !!document.querySelector('kernel-tab')?.shadowRoot?.querySelector('.cm-content'), { timeout: 30_000 });
  // The tab strip opens on Your kernel by itself only for a share link.
  await (await page.waitForSelector('bench-tabs >>> #tab-kernel'))!.click();
}

beforeAll(async () => {
  pg = await openPlayground({ width: 1200, height: 900 });
  page = pg.page;
}, 60_000);

afterAll(async () => {
  await pg?.close();
});

test('the starter attention kernel is checked, timed beside ours, and charted', { timeout: 60_000 }, async () => {
  const t0 = Date.now();
  await openKernelTab(`${pg.url}bench.html`);
  expect(await page.$eval('kernel-tab', (e) => e.family)).toBe('attention');
  // Beside our fused kernel only, to keep the test short (the Bench tab's own e2e runs every peer).
  for (const impl of ['unfused', 'tfjs', 'jax-js', 'onnxruntime']) await (await page.waitForSelector(`kernel-tab >>> input[data-impl="${impl}"]`))!.click();
  await (await page.waitForSelector('kernel-tab >>> #run'))!.click();
  const state = await settled();
  const verdict = await page.$eval('kernel-tab >>> #verdict', (e) => e.textContent ?? '');
  expect(state, `${verdict}${context()}`).toBe('done');
  expect(verdict).toMatch(/^passed: 6 shapes × 3 runs/);
  const rows = await page.$$eval('kernel-tab >>> #results tr[data-impl]', (trs) =>
    trs.map((tr) => ({ impl: tr.getAttribute('data-impl'), T: Number(tr.getAttribute('data-t')), cells: [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '') })),
  );
  for (const impl of ['fused', 'yours']) expect(rows.filter((r) => r.impl === impl).map((r) => r.T), `${impl} rows: ${JSON.stringify(rows)}`).toEqual([64, 128]);
  for (const r of rows) expect(Number(r.cells[5]), `${r.impl} T=${r.T} against the CPU oracle`).toBeLessThan(1e-4);
  const series = await page.$eval('kernel-tab >>> bench-chart', (e) => e.getAttribute('data-series') ?? '');
  expect(series.split(',')).toEqual(expect.arrayContaining(['fused fwd:2', 'yours fwd:2']));
  mkdirSync(outDir, { recursive: true });
  await page.screenshot({ path: join(outDir, 'kernel.png'), fullPage: true });
  console.log(`[kernel e2e] run ${((Date.now() - t0) / 1000).toFixed(1)} s\n${rows.map((r) => `${r.impl} T=${r.T}: ${r.cells[2]} ms`).join('\n')}`);
});

test('a kernel with a syntax error shows its line and column, is marked in the editor, and is not timed', { timeout: 30_000 }, async () => {
  await page.$eval('kernel-tab', (e) => {
    e.source = e.source.replace('let head = gid.y;', 'let head = gid.y');
  });
  await (await page.waitForSelector('kernel-tab >>> #run'))!.click();
  expect(await settled()).toBe('failed');
  expect(await tabAttr('problem')).toBe('compile');
  expect(await page.$eval('kernel-tab >>> #verdict', (e) => e.textContent ?? '')).toMatch(/^Failed: WGSL error at \d+:\d+: /);
  expect(await page.$$eval('kernel-tab >>> .cm-wgsl-error', (els) => els.length)).toBeGreaterThan(0);
  expect(await page.$$eval('kernel-tab >>> #results', (els) => els.length), 'a failed kernel is never timed').toBe(0);
});

test('the kernel and its last run are saved in the browser', { timeout: 30_000 }, async () => {
  await openKernelTab(`${pg.url}bench.html`);
  expect(await page.$eval('kernel-tab', (e) => e.source)).toMatch(/let head = gid\.y \/\/ b · H \+ h/);
  expect(await page.$eval('kernel-tab >>> #verdict', (e) => e.textContent ?? '')).toMatch(/^Failed: WGSL error at \d+:\d+: /);
  expect(await tabAttr('state')).toBe('idle');
});

test('a share link loads the code without running or saving it; a malformed one says so and keeps the editor', { timeout: 45_000 }, async () => {
  const marker = '// shared from the e2e test';
  const mine = '// the user\'s own kernel';
  const firstLine = (): Promise<string> => page.$eval('kernel-tab', (e) => e.source.split('\n')[0]);
  await page.$eval('kernel-tab', (e, m) => {
    e.source = `${m}\n${e.source.replace('let head = gid.y', 'let head = gid.y;')}`;
  }, marker);
  await (await page.waitForSelector('kernel-tab >>> #share'))!.click();
  const link = await (await page.waitForSelector('kernel-tab >>> #share-url'))!.evaluate((a) => (a as HTMLAnchorElement).href);
  expect(link).toMatch(/bench\.html#kernel=[A-Za-z0-9_-]+$/);
  expect(await page.evaluate(() => location.hash), 'Share leaves this page\'s address alone').toBe('');
  // The user's own kernel from here on differs from the link's (this edit is saved).
  await page.$eval('kernel-tab', (e, [m, y]) => {
    e.source = e.source.replace(m, y);
  }, [marker, mine]);

  // A fresh page on the link: the Your kernel tab opens by itself with the code, nothing compiled or run.
  await page.goto('about:blank');
  await page.goto(link, { waitUntil: 'load' });
  await page.waitForFunction(() => /Loaded a shared attention kernel/.test(document.querySelector('kernel-tab')?.shadowRoot?.querySelector('#notice')?.textContent ?? ''), { timeout: 30_000 });
  expect(await page.$eval('bench-tabs', (e) => e.getAttribute('selected'))).toBe('kernel');
  expect(await firstLine()).toBe(marker);
  expect(await tabAttr('state')).toBe('idle');
  expect(await page.$eval('kernel-tab >>> #progress', (e) => e.textContent ?? '')).toBe('');
  expect(await page.$$eval('kernel-tab >>> #verdict', (els) => els.length), 'no stored report beside the link\'s code').toBe(0);
  expect(await page.evaluate(() => location.hash), 'the hash has left the address bar').toBe('');

  // A reload (no hash now) shows the user's own saved kernel: the link's code was never saved over it.
  await openKernelTab(page.url());
  expect(await firstLine(), 'the saved kernel is back after a reload').toBe(mine);

  // The link again, and this time an edit: the link's code becomes the user's and survives a reload.
  await page.goto(link, { waitUntil: 'load' });
  await page.waitForFunction((m) => document.querySelector('kernel-tab')?.source.split('\n')[0] === m, { timeout: 30_000 }, marker);
  const edited = `${marker}, edited`;
  await page.$eval('kernel-tab', (e, [m, y]) => {
    e.source = e.source.replace(m, y);
  }, [marker, edited]);
  await openKernelTab(page.url());
  expect(await firstLine(), 'an edited link is saved').toBe(edited);

  // A link cut short: a clear message, and the editor keeps the kernel it had.
  await page.goto(`${link.slice(0, -20)}`, { waitUntil: 'load' });
  await page.waitForFunction(() => /could not be opened/.test(document.querySelector('kernel-tab')?.shadowRoot?.querySelector('#notice')?.textContent ?? ''), { timeout: 30_000 });
  const notice = await page.$eval('kernel-tab >>> #notice', (e) => e.textContent ?? '');
  expect(notice).toMatch(/This link's kernel could not be opened: the link's kernel is not valid deflate data.*The editor keeps what it had/);
  expect(await firstLine(), 'the saved kernel is still there').toBe(edited);
  expect(await tabAttr('state')).toBe('idle');
});

test('the starter matmul kernel is timed beside ours, tfjs and jax-js, each checked against the CPU oracle', { timeout: 90_000 }, async () => {
  const t0 = Date.now();
  await openKernelTab(`${pg.url}bench.html`);
  await page.select('kernel-tab >>> #family', 'matmul');
  await (await page.waitForSelector('kernel-tab >>> #starter'))!.click();
  for (const impl of ['tfjs', 'jax-js']) {
    expect(await page.$eval(`kernel-tab >>> input[data-impl="${impl}"]`, (e) => (e as HTMLInputElement).checked), `${impl} is ticked by default`).toBe(true);
  }
  await (await page.waitForSelector('kernel-tab >>> #run'))!.click();
  const state = await settled();
  const verdict = await page.$eval('kernel-tab >>> #verdict', (e) => e.textContent ?? '');
  expect(state, `${verdict}${context()}`).toBe('done');
  const skipped = await page.$$eval('kernel-tab >>> #skipped li', (lis) => lis.map((li) => li.textContent ?? ''));
  expect(skipped, 'no implementation was skipped').toEqual([]);
  const rows = await page.$$eval('kernel-tab >>> #matmul-results tr[data-impl]', (trs) =>
    trs.map((tr) => ({ impl: tr.getAttribute('data-impl'), cells: [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '') })),
  );
  const first = rows.filter((r) => r.cells[1] === '64×64×64');
  expect(first.map((r) => r.impl), JSON.stringify(rows)).toEqual(['ours', 'yours', 'tfjs', 'jax-js']);
  for (const r of first) {
    expect(Number.isFinite(Number(r.cells[2])) && Number(r.cells[2]) >= 0, `${r.impl}: ${r.cells[2]} ms`).toBe(true);
    // Sums of 64 products of inputs in [-1, 1): f32 rounding stays far below 1e-4.
    expect(Number(r.cells[5]), `${r.impl} against the CPU oracle`).toBeLessThan(1e-4);
  }
  console.log(`[kernel e2e] matmul run ${((Date.now() - t0) / 1000).toFixed(1)} s\n${rows.map((r) => `${r.impl} ${r.cells[1]}: ${r.cells[2]} ms, maxAbsErr ${r.cells[5]}`).join('\n')}`);
});
