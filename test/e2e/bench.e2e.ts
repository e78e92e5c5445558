// The Bench page (playground/bench.html) in headless chromium on SwiftShader: run the smallest sweep with every
// implementation and both passes, then check that the table and the plot hold a row and a point for every
// (impl, pass, T) that ran, that every (impl, pass) that did not run says why, that every result matches the
// CPU oracle, that the peers (tfjs, jax-js, onnxruntime-web) were loaded in their workers and not on the page, and
// that Export JSON downloads the same results. Speed is reported, never asserted.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Page } from 'puppeteer';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openPlayground, outDir, howToGetWebGPU, type Playground } from './harness';
import { pageHelpers } from './page-helpers';

const IMPLS = ['fused', 'unfused', 'tfjs', 'jax-js', 'onnxruntime'];
const PASSES = ['fwd', 'fwd+bwd'];
const TS = [64, 128]; // the smallest sweep

/** These must run in Chrome; onnxruntime may instead say why it can't. */
const MUST_RUN = ['fused', 'unfused', 'tfjs', 'jax-js'];

interface Row { impl: string; pass: string; T: number; ms: number; err: number }
interface SkippedRow { impl: string; pass: string; text: string }
interface Exported { adapter: string; results: Array<{ impl: string; pass: string; T: number }>; skipped: unknown[] }

let pg: Playground;
let page: Page;
const { context } = pageHelpers(() => pg);

beforeAll(async () => {
  pg = await openPlayground({ width: 1200, height: 900 });
  page = pg.page;
  // Room for every module the dev server serves, so the check that the peers stayed off the page sees them all.
  await page.evaluateOnNewDocument(() => performance.setResourceTimingBufferSize(100_000));
  await page.goto(`${pg.url}bench.html`, { waitUntil: 'load' });
}, 60_000);

afterAll(async () => {
  await pg?.close();
});

test('the Bench page runs the smallest sweep for every implementation and exports it', { timeout: 150_000 }, async () => {
  const t0 = Date.now();
  const adapter = await page
    .waitForFunction(() => document.querySelector('bench-tab')?.getAttribute('adapter') || null, { timeout: 60_000 })
    .then((h) => h.jsonValue())
    .catch(async () => {
      const text = await page.$eval('bench-tab', (e) => e.shadowRoot?.textContent?.replace(/\s+/g, ' ') ?? '');
      throw new Error(`The Bench page never opened WebGPU. ${howToGetWebGPU}\nThe page says: ${text}${context()}`);
    });
  expect(adapter).toMatch(/swiftshader/i);

  // The smallest sweep, all five implementations and both passes, are the defaults.
  await (await page.waitForSelector('>>> #run'))!.click();
  await page
    .waitForFunction(() => ['done', 'failed'].includes(document.querySelector('bench-tab')?.getAttribute('state') ?? ''), {
      timeout: 120_000,
      polling: 500,
    })
    .catch((e: Error) => {
      throw new Error(`The sweep did not finish (${e.message}).${context()}`);
    });
  const sweepSeconds = (Date.now() - t0) / 1000;
  const progress = await page.$eval('>>> #progress', (e) => e.textContent ?? '');
  expect(await page.$eval('bench-tab', (e) => e.getAttribute('state')), `${progress}${context()}`).toBe('done');

  const rows: Row[] = await page.$$eval('>>> #results tr[data-impl]', (trs) =>
    trs.map((tr) => {
      const cells = [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '');
      return {
        impl: tr.getAttribute('data-impl') ?? '',
        pass: tr.getAttribute('data-pass') ?? '',
        T: Number(tr.getAttribute('data-t')),
        ms: Number(cells[3]),
        err: Number(cells[8]),
      };
    }),
  );
  const skipped: SkippedRow[] = await page.$$eval('>>> #skipped li', (lis) =>
    lis.map((li) => ({ impl: li.getAttribute('data-impl') ?? '', pass: li.getAttribute('data-pass') ?? '', text: li.textContent?.trim() ?? '' })),
  );
  const series = (await page.$eval('>>> bench-chart', (e) => e.getAttribute('data-series') ?? '')).split(',').filter(Boolean);
  const plotted = new Map(series.map((s) => s.split(':') as [string, string]).map(([name, n]) => [name, Number(n)]));

  const summary = rows.map((r) => `${r.impl} ${r.pass} T=${r.T}: ${r.ms} ms, maxAbsErr ${r.err}`).join('\n');
  console.log(`[bench e2e] ${adapter}; sweep ${sweepSeconds.toFixed(1)} s\n${summary}\nnot run:\n${skipped.map((s) => s.text).join('\n') || '(none)'}`);

  for (const impl of IMPLS) {
    for (const pass of PASSES) {
      const got = rows.filter((r) => r.impl === impl && r.pass === pass).map((r) => r.T).sort((a, b) => a - b);
      const why = skipped.filter((s) => s.impl === impl && (s.pass === pass || s.pass === 'all'));
      if (got.length === TS.length) {
        expect(got).toEqual(TS);
        // One plotted series per (impl, pass), with a point per T.
        expect(plotted.get(`${impl} ${pass}`), `plot series for ${impl} ${pass}: ${series.join(', ')}`).toBe(TS.length);
      } else {
        expect(why.length, `${impl} ${pass} has ${got.length} of ${TS.length} rows and no reason on the page.${context()}`).toBeGreaterThan(0);
        for (const w of why) expect(w.text.length, 'a reason, not just a name').toBeGreaterThan(impl.length + 20);
      }
    }
  }
  for (const impl of MUST_RUN) {
    expect(rows.some((r) => r.impl === impl && r.pass === 'fwd'), `${impl} fwd must run in Chrome; the page says: ${skipped.map((s) => s.text).join('; ')}`).toBe(true);
  }
  for (const r of rows) {
    expect(r.ms, `${r.impl} ${r.pass} T=${r.T}`).toBeGreaterThan(0);
    expect(r.err, `${r.impl} ${r.pass} T=${r.T} differs from the CPU oracle`).toBeLessThan(1e-3);
  }

  // The peers ran in their workers: the page fetched none of their packages (a worker's fetches are in its own
  // timeline), though it did fetch peers.ts itself, which shows that the page's module fetches are recorded.
  const fetched = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
  expect(fetched.some((u) => u.includes('/bench/peers.ts')), `peers.ts among ${fetched.length} fetches`).toBe(true);
  expect(fetched.filter((u) => /tensorflow|jax-js|onnxruntime/.test(u)), "peer packages loaded on the page's thread").toEqual([]);

  // Export JSON: a real download, into a fresh folder under test-output/.
  const downloads = join(outDir, 'bench-download');
  rmSync(downloads, { recursive: true, force: true });
  mkdirSync(downloads, { recursive: true });
  const cdp = await page.createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
  await (await page.waitForSelector('>>> #export'))!.click();
  const deadline = Date.now() + 10_000;
  let file = '';
  while (Date.now() < deadline && !file) {
    file = readdirSync(downloads).find((f) => f.endsWith('.json')) ?? '';
    if (!file) await new Promise((r) => setTimeout(r, 100));
  }
  expect(file, 'Export JSON downloaded nothing').not.toBe('');
  const exported = JSON.parse(readFileSync(join(downloads, file), 'utf8')) as Exported;
  expect(exported.adapter).toBe(adapter);
  expect(exported.results.length).toBe(rows.length);
  expect(exported.skipped.length).toBe(skipped.length);

  mkdirSync(outDir, { recursive: true });
  await page.screenshot({ path: join(outDir, 'bench.png'), fullPage: true });
  expect(existsSync(join(outDir, 'bench.png'))).toBe(true);
  console.log(`[bench e2e] total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
});

test('the Tune button tunes matmul and attention at the sweep\'s shapes, reports a winner per op and stores them', { timeout: 90_000 }, async () => {
  const t0 = Date.now();
  await page.waitForFunction(() => document.querySelector('bench-tab')?.getAttribute('adapter') || null, { timeout: 60_000 });
  // The smallest sweep (the default): one attention shape class and one matmul class, so a handful of candidates.
  await (await page.waitForSelector('>>> #tune:not([disabled])'))!.click();
  // No sweep while tuning: the two would time each other.
  await page.waitForSelector('>>> #run[disabled]', { timeout: 5_000 });
  const panelState = (): Promise<string> =>
    page.$eval('>>> tune-panel', (e) => e.getAttribute('state') ?? '');
  await page
    .waitForFunction(() => {
      const s = document.querySelector('bench-tab')?.shadowRoot?.querySelector('tune-panel')?.getAttribute('state') ?? '';
      return ['done', 'failed'].includes(s);
    }, { timeout: 80_000, polling: 250 })
    .catch((e: Error) => {
      throw new Error(`Tuning did not finish (${e.message}).${context()}`);
    });
  const progress = await page.$eval('>>> #tune-progress', (e) => e.textContent ?? '');
  expect(await panelState(), progress).toBe('done');
  const rows = await page.$$eval('>>> #tune-results tbody tr', (trs) =>
    trs.map((tr) => ({ op: tr.getAttribute('data-op') ?? '', winner: tr.getAttribute('data-winner') ?? '' })),
  );
  expect([...new Set(rows.map((r) => r.op))].sort()).toEqual(['attention', 'matmul']);
  for (const r of rows) expect(r.winner, `${r.op}'s winner`).not.toBe('');
  await page.waitForSelector('>>> #run:not([disabled])', { timeout: 5_000 }); // Run is back
  // The choices are in IndexedDB, under this adapter, where the engine looks when it opens the device again.
  const stored = (await page.evaluate(
    () =>
      new Promise<unknown>((resolve, reject) => {
        const open = indexedDB.open('gpu-learn-tuning');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction('tuning', 'readonly').objectStore('tuning').get('tuning');
          get.onerror = () => reject(get.error);
          get.onsuccess = () => resolve(get.result);
        };
      }),
  )) as { adapters: Record<string, Record<string, Record<string, { id: string }>>> };
  const adapters = Object.values(stored.adapters);
  expect(adapters).toHaveLength(1);
  for (const r of rows) expect(Object.values(adapters[0][r.op]).map((e) => e.id)).toContain(r.winner);
  console.log(`[bench e2e] tune: ${rows.map((r) => `${r.op} → ${r.winner}`).join(', ')} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
});
