// `npm run bench:frames`: how smooth the playground stays while it works, in headless Debian chromium (WebGPU on
// SwiftShader). For each of the gallery's examples it opens the example, waits until its pipelines are compiled
// ahead, presses Train and watches the page for a while; then it runs the Bench page's attention sweep. Meanwhile a
// requestAnimationFrame loop in the page records the gap between frames, and a PerformanceObserver the long
// animation frames (Chrome 123+), with the script that took longest in each. It reports per scenario the worst
// frame and the 99th percentile of the frame gaps, where the worst long animation frame spent its time, and the
// longest single script (task) the page ran. Target (printed, never asserted): no frame over 50 ms.
//
// SwiftShader runs on the same CPU cores as the page, so the numbers depend on the machine's load: the script
// prints the load average before and after. On a loaded machine a frame can be late with no script of the page's
// running long (the renderer waits for a core); the longest script tells the page's own blocking apart.
//
//   npm run bench:frames [-- --json] [-- --example=char-gpt-names,xor-mlp] [-- --seconds=10]
//                        [-- --sweep=smallest|default|full] [-- --impl=fused,unfused] [-- --no-sweep] [-- --verbose]
import { createServer } from 'vite';
import puppeteer, { type Browser, type Page } from 'puppeteer';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXAMPLES } from '../playground/graph/examples/index';
import { SWEEPS, type SweepName } from '../playground/bench/sweep';
import { makeLog, pageAdapter, parseArgs } from './harness';
import { chromeFlags } from '../test/browser/chrome';
import { freePort } from '../test/e2e/harness';

const TARGET_FRAME_MS = 50;

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const chromium = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

const args = parseArgs(process.argv.slice(2), 1);
const log = makeLog(args.json);
const seconds = Number(args.flags.get('seconds') ?? 10);
if (!(seconds > 0)) throw new Error(`--seconds must be a positive number, got ${args.flags.get('seconds')}`);
const only = args.flags.get('example')?.split(',');
const examples = EXAMPLES.map((e) => e.id).filter((id) => !only || only.includes(id));
const sweep = (args.flags.get('sweep') ?? 'default') as SweepName;
if (!(sweep in SWEEPS)) throw new Error(`--sweep must be one of ${Object.keys(SWEEPS).join(', ')}, got ${sweep}`);
const runSweep = !args.flags.has('no-sweep');
/** --verbose: every frame over the target, with what the page was doing (the sweep's progress line). */
const verbose = args.flags.has('verbose');

interface Row {
  scenario: string;
  /** Seconds watched. */
  seconds: number;
  frames: number;
  worstFrameMs: number;
  p99FrameMs: number;
  /** Frames over the target. */
  over: number;
  /** Training steps taken while watched (examples), or measurements made (the sweep). */
  work: number;
  /** The longest long animation frame and the script that took most of it ("" when none was over 50 ms). */
  longestLoafMs: number;
  longestLoafScript: string;
  /** The longest single script in any long animation frame, and where it ran. */
  longestScriptMs: number;
  longestScript: string;
}

interface Watch {
  watching: boolean;
  /** performance.now() when watching began: entries delivered late for frames before it are left out. */
  since: number;
  gaps: number[];
  loafs: Array<{ ms: number; script: string; scriptMs: number }>;
  /** What the page was doing at each frame over the target (the scenario sets `label`). */
  slow: Array<{ ms: number; during: string }>;
  label: () => string;
}

/** Installed before any page script: frame gaps and long animation frames, on window.__frames, while watching. */
function instrument(): void {
  const w = window as unknown as { __frames: Watch };
  const b: Watch = (w.__frames = { watching: false, since: 0, gaps: [], loafs: [], slow: [], label: () => '' });
  new PerformanceObserver((list) => {
    if (!b.watching) return;
    for (const e of list.getEntries()) {
      if (e.startTime < b.since) continue;
      // A long animation frame names the scripts that ran in it; the longest says where the time went.
      // This observer's own callback (injected, so it has no URL) is the harness's work, not the page's.
      const scripts = ((e as unknown as { scripts?: Array<{ duration: number; sourceURL: string; sourceFunctionName: string; invoker: string }> }).scripts ?? [])
        .filter((s) => !(s.invoker === 'PerformanceObserverCallback' && s.sourceURL === ''));
      const top = scripts.slice().sort((a, c) => c.duration - a.duration)[0];
      const l = e as unknown as { blockingDuration: number; renderStart: number; startTime: number };
      const where = top
        ? `${top.duration.toFixed(0)} ms in ${top.invoker || '?'} ${top.sourceFunctionName || ''} (${top.sourceURL.replace(/^.*\/\/[^/]+/, '')})`
        : `no script over 5 ms (blocking ${l.blockingDuration.toFixed(0)} ms, render started at +${(l.renderStart - l.startTime).toFixed(0)} ms)`;
      b.loafs.push({ ms: e.duration, script: where, scriptMs: top?.duration ?? 0 });
    }
  }).observe({ type: 'long-animation-frame', buffered: false });
  let last = -1;
  const frame = (t: number): void => {
    if (b.watching && last >= 0) {
      b.gaps.push(t - last);
      if (t - last > 50) b.slow.push({ ms: t - last, during: b.label() });
    }
    last = b.watching ? t : -1;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

async function startWatching(page: Page): Promise<void> {
  await page.evaluate(() => {
    const b = (window as unknown as { __frames: Watch }).__frames;
    b.gaps = [];
    b.loafs = [];
    b.slow = [];
    b.since = performance.now();
    b.watching = true;
  });
}

async function stopWatching(page: Page, scenario: string, secs: number, work: number): Promise<Row> {
  const { gaps, loafs, slow } = await page.evaluate(() => {
    const b = (window as unknown as { __frames: Watch }).__frames;
    b.watching = false;
    return { gaps: b.gaps, loafs: b.loafs, slow: b.slow };
  });
  if (verbose) for (const s of slow) log(`    ${s.ms.toFixed(0)} ms frame during: ${s.during}`);
  const sorted = gaps.slice().sort((a, b) => a - b);
  const p99 = sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)] : 0;
  const longest = loafs.slice().sort((a, b) => b.ms - a.ms)[0];
  const longestScript = loafs.slice().sort((a, b) => b.scriptMs - a.scriptMs)[0];
  return {
    scenario, seconds: secs, frames: gaps.length, worstFrameMs: sorted.at(-1) ?? 0, p99FrameMs: p99,
    over: gaps.filter((g) => g > TARGET_FRAME_MS).length, work,
    longestLoafMs: longest?.ms ?? 0, longestLoafScript: longest?.script ?? '',
    longestScriptMs: longestScript?.scriptMs ?? 0, longestScript: longestScript?.script ?? '',
  };
}

async function waitFor(page: Page, what: string, fn: () => unknown, timeoutMs: number): Promise<void> {
  await page.waitForFunction(fn, { timeout: timeoutMs, polling: 100 }).catch((e: unknown) => {
    throw new Error(`timed out waiting for ${what}: ${e instanceof Error ? e.message : String(e)}`);
  });
}

async function openPage(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 900 });
  await page.evaluateOnNewDocument(instrument);
  page.on('pageerror', (e) => log(`  page error: ${e instanceof Error ? e.message : String(e)}`));
  await page.goto(url, { waitUntil: 'load' });
  return page;
}

/** Opens an example from the gallery, waits for it to be compiled ahead, then trains it for `seconds`. */
async function trainExample(browser: Browser, base: string, id: string): Promise<Row> {
  const page = await openPage(browser, base);
  try {
    await waitFor(page, 'WebGPU', () => document.querySelector('device-status')?.getAttribute('status') === 'webgpu', 60_000);
    await (await page.waitForSelector('>>> [data-action="gallery"]'))!.click();
    await (await page.waitForSelector(`>>> [data-example="${id}"]`))!.click();
    const phase = (): Promise<string | null> => page.$eval('>>> [data-phase]', (e) => e.getAttribute('data-phase'));
    const stepCount = async (): Promise<number> => Number(await page.$eval('>>> [data-stat="step"]', (e) => e.textContent));
    const end = Date.now() + 180_000;
    while ((await phase()) !== 'ready') {
      if (Date.now() > end) throw new Error(`${id} was not ready to train after 180 s (phase ${await phase()})`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await startWatching(page);
    const t0 = Date.now();
    await (await page.$('>>> [data-action="train"]'))!.click();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const steps = await stepCount();
    const row = await stopWatching(page, `train ${id}`, (Date.now() - t0) / 1000, steps);
    await (await page.$('>>> [data-action="train"]'))!.click(); // pause
    return row;
  } finally {
    await page.close();
  }
}

/** Runs the Bench page's sweep (every implementation, both passes) and watches the page until it is done. */
async function benchSweep(browser: Browser, base: string): Promise<Row> {
  const page = await openPage(browser, `${base}bench.html`);
  try {
    await waitFor(page, 'the Bench page to open WebGPU', () => !!document.querySelector('bench-tab')?.getAttribute('adapter'), 60_000);
    await page.evaluate((name, impls) => {
      const select = document.querySelector('bench-tab')!.shadowRoot!.querySelector<HTMLSelectElement>('#sweep')!;
      select.value = name;
      select.dispatchEvent(new Event('change'));
      // --impl: the implementations to run (the others' boxes are unticked).
      for (const box of document.querySelector('bench-tab')!.shadowRoot!.querySelectorAll<HTMLInputElement>('input[data-impl]')) {
        if (impls && box.checked !== impls.includes(box.dataset.impl!)) box.click();
      }
      (window as unknown as { __frames: Watch }).__frames.label = () =>
        document.querySelector('bench-tab')?.shadowRoot?.querySelector('#progress')?.textContent ?? '';
    }, sweep, args.only ? [...args.only] : null);
    await startWatching(page);
    const t0 = Date.now();
    await (await page.waitForSelector('>>> bench-tab >>> #run'))!.click();
    await waitFor(page, 'the sweep to finish', () => {
      const s = document.querySelector('bench-tab')?.getAttribute('state');
      return s === 'done' || s === 'failed';
    }, 900_000);
    const measured = await page.$$eval('>>> bench-tab >>> #results tbody tr', (rows) => rows.length).catch(() => 0);
    return await stopWatching(page, `bench sweep (${sweep}${args.only ? `: ${[...args.only].join(', ')}` : ''})`, (Date.now() - t0) / 1000, measured);
  } finally {
    await page.close();
  }
}

function summary(r: Row): string {
  return `worst ${r.worstFrameMs.toFixed(0)} ms, p99 ${r.p99FrameMs.toFixed(0)} ms over ${r.frames} frames, longest script ${r.longestScriptMs.toFixed(0)} ms, ${r.work} ${r.scenario.startsWith('train') ? 'steps' : 'measurements'}`;
}

async function main(): Promise<void> {
  if (!existsSync(chromium)) throw new Error(`No browser at ${chromium}: apt-get install -y chromium libvulkan1 (as root)`);
  const server = await createServer({
    configFile: join(repoRoot, 'vite.config.ts'),
    server: { host: '127.0.0.1', port: await freePort(), strictPort: true, hmr: false },
    cacheDir: join(repoRoot, 'node_modules/.vite-bench'),
    logLevel: 'warn',
  });
  await server.listen();
  const base = server.resolvedUrls?.local[0];
  if (!base) throw new Error('the server did not report its address');
  // A page busy for minutes (tfjs's backward at T = 1024 on SwiftShader) must not time the protocol out.
  const browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: chromeFlags, protocolTimeout: 1_800_000 });
  const loadBefore = loadavg()[0];
  try {
    const probe = await openPage(browser, base);
    const adapter = await pageAdapter(probe);
    await probe.close();
    log(`frame times on ${adapter}, Vite dev server; ${seconds} s of training per example; target ${TARGET_FRAME_MS} ms worst frame`);
    log(`load average (1 min) before: ${loadBefore.toFixed(2)} on ${(await import('node:os')).cpus().length} cores`);

    const rows: Row[] = [];
    for (const id of examples) {
      log(`  train ${id} …`);
      rows.push(await trainExample(browser, base, id));
      log(`    ${summary(rows.at(-1)!)}`);
    }
    if (runSweep) {
      log(`  bench sweep (${sweep}) …`);
      rows.push(await benchSweep(browser, base));
      log(`    ${summary(rows.at(-1)!)}`);
    }
    const loadAfter = loadavg()[0];
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ adapter, loadBefore, loadAfter, targetFrameMs: TARGET_FRAME_MS, rows }, null, 2)}\n`);
      return;
    }
    log(`load average (1 min) after: ${loadAfter.toFixed(2)}`);
    log('');
    const mark = (v: number) => `${v.toFixed(0).padStart(6)} ${v <= TARGET_FRAME_MS ? 'ok  ' : 'OVER'}`;
    log('scenario                       seconds  frames  work   worst frame (ms)   p99 frame (ms)   frames > 50 ms');
    for (const r of rows) {
      log(`${r.scenario.padEnd(30)} ${r.seconds.toFixed(1).padStart(7)} ${String(r.frames).padStart(7)} ${String(r.work).padStart(5)}   ${mark(r.worstFrameMs).padEnd(18)} ${mark(r.p99FrameMs).padEnd(16)} ${String(r.over).padStart(6)}`);
    }
    log('');
    log('longest long animation frame per scenario, and the script that took most of it:');
    for (const r of rows) log(`  ${r.scenario}: ${r.longestLoafMs ? `${r.longestLoafMs.toFixed(0)} ms, ${r.longestLoafScript}` : 'none'}`);
    log('longest single script per scenario (the page\'s own blocking, whatever the machine\'s load):');
    for (const r of rows) log(`  ${r.scenario}: ${r.longestScriptMs ? r.longestScript : 'none over 5 ms'}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
