// `npm run bench:lessons`: how quickly each lesson page becomes usable, and how smooth it stays while its widgets
// work, in headless Debian chromium (WebGPU on SwiftShader). It builds the site (`vite build`, as it would be
// deployed) and serves it with `vite preview`; `--dev` measures the dev server instead (slower: one request per
// module). For every lesson in playground/course/lessons/index.ts:
//   - time to interactive: navigation start → the lesson page reports phase="ready" (sections rendered on an open
//     device) and every stat() number has arrived;
//   - worst frame: the longest gap between animation frames while each widget's controls are driven one after
//     another (sliders moved, options picked, buttons such as Train pressed), then watched for a moment; beside
//     it, the longest main-thread work in that time (long animation frames and long tasks). A slow frame with
//     little main-thread work was held up elsewhere (the GPU process; SwiftShader runs on the same CPU cores).
// Targets (printed, never asserted): 1.5 s to interactive, 50 ms worst frame.
//
//   npm run bench:lessons [-- --json] [-- --dev] [-- --lesson=week-4,week-0]
import { build, createServer, preview, type PreviewServer, type ViteDevServer } from 'vite';
import puppeteer, { type Browser, type Page } from 'puppeteer';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LESSONS } from '../playground/course/lessons/index';
import { makeLog, pageAdapter, parseArgs } from './harness';
import { chromeFlags } from '../test/browser/chrome';
import { freePort } from '../test/e2e/harness';

const TARGET_TTI_MS = 1500;
const TARGET_FRAME_MS = 50;
/** How long the page is watched after each widget's controls have been driven (training keeps going meanwhile). */
const SETTLE_MS = 1000;

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const chromium = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
interface Row {
  lesson: string;
  ttiMs: number;
  widgets: number;
  controls: number;
  worstFrameMs: number;
  longestTaskMs: number;
}

const args = parseArgs(process.argv.slice(2), 1);
const log = makeLog(args.json);
const dev = args.flags.has('dev');
const only = args.flags.get('lesson')?.split(',');
const lessons = Object.keys(LESSONS).filter((id) => !only || only.includes(id));

/** Installed before any page script: the ready time, frame gaps and long tasks, on window.__bench. */
function instrument(): void {
  const w = window as unknown as { __bench: { ready: number; gaps: number[]; tasks: number[]; watching: boolean } };
  const b = (w.__bench = { ready: -1, gaps: [] as number[], tasks: [] as number[], watching: false });
  // Main-thread work that held up a frame: long animation frames (Chrome 123+) name the frame's whole script and
  // layout time, long tasks the single tasks over 50 ms.
  for (const type of ['long-animation-frame', 'longtask']) {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (b.watching) b.tasks.push(e.duration);
    }).observe({ type, buffered: false });
  }
  let last = performance.now();
  const frame = (t: number): void => {
    if (b.watching) b.gaps.push(t - last);
    last = t;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  const ready = (): boolean => {
    const page = document.querySelector('lesson-page');
    const stats = (window as unknown as { __courseTest?: { stats(): { pending: number } } }).__courseTest?.stats();
    return page?.getAttribute('phase') === 'ready' && stats?.pending === 0;
  };
  const poll = (): void => {
    if (ready()) b.ready = performance.now(); // relative to navigation start
    else setTimeout(poll, 5);
  };
  document.addEventListener('DOMContentLoaded', poll);
}

/** Drives every control of every widget on the page, one per frame-ish step, and returns how many it drove. */
async function driveWidgets(page: Page): Promise<{ widgets: number; controls: number }> {
  return page.evaluate(async () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const all = (root: Element | ShadowRoot): Element[] => {
      const out: Element[] = [];
      if (root instanceof Element && root.shadowRoot) out.push(...all(root.shadowRoot));
      for (const el of root.querySelectorAll('*')) {
        out.push(el);
        if (el.shadowRoot) out.push(...all(el.shadowRoot));
      }
      return out;
    };
    const widgets = [...document.querySelectorAll('figure.widget > :first-child, .widget-frame > *')];
    let controls = 0;
    for (const w of widgets) {
      for (const c of all(w)) {
        if ((c as HTMLInputElement).disabled) continue;
        const fire = () => {
          c.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
          c.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
        };
        if (c instanceof HTMLInputElement && c.type === 'range') {
          // A sweep across the slider, as a drag would make it.
          const min = Number(c.min || 0);
          const max = Number(c.max || 100);
          for (let i = 0; i <= 8; i++) {
            c.value = String(min + ((max - min) * i) / 8);
            fire();
            await sleep(16);
          }
        } else if (c instanceof HTMLInputElement && c.type === 'number') {
          c.value = String(Number(c.value || 0) + 1);
          fire();
        } else if (c instanceof HTMLSelectElement) {
          c.selectedIndex = (c.selectedIndex + 1) % Math.max(1, c.options.length);
          fire();
        } else if (c instanceof HTMLInputElement && (c.type === 'radio' || c.type === 'checkbox')) {
          c.click();
        } else if (c instanceof HTMLButtonElement) {
          c.click();
        } else continue;
        controls++;
        await sleep(50);
      }
    }
    return { widgets: widgets.length, controls };
  });
}

async function measure(browser: Browser, base: string, id: string): Promise<Row> {
  const page = await browser.newPage();
  try {
    await page.setViewport({ width: 1280, height: 800 });
    await page.evaluateOnNewDocument(instrument);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${base}learn.html?test-hooks#${id}`, { waitUntil: 'load' });
    await page.waitForFunction(() => (window as unknown as { __bench: { ready: number } }).__bench.ready >= 0, { timeout: 120_000, polling: 20 });
    const ttiMs = await page.evaluate(() => (window as unknown as { __bench: { ready: number } }).__bench.ready);
    await page.evaluate(() => ((window as unknown as { __bench: { watching: boolean } }).__bench.watching = true));
    const { widgets, controls } = await driveWidgets(page);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const { gaps, tasks } = await page.evaluate(() => {
      const b = (window as unknown as { __bench: { gaps: number[]; tasks: number[]; watching: boolean } }).__bench;
      b.watching = false;
      return { gaps: b.gaps, tasks: b.tasks };
    });
    if (errors.length) log(`  ${id}: page errors: ${errors.join('; ')}`);
    return { lesson: id, ttiMs, widgets, controls, worstFrameMs: Math.max(0, ...gaps), longestTaskMs: Math.max(0, ...tasks) };
  } finally {
    await page.close();
  }
}

async function main(): Promise<void> {
  if (!existsSync(chromium)) throw new Error(`No browser at ${chromium}: apt-get install -y chromium libvulkan1 (as root)`);
  let server: ViteDevServer | PreviewServer;
  let outDir: string | null = null;
  if (dev) {
    server = await createServer({ configFile: join(repoRoot, 'vite.config.ts'), server: { host: '127.0.0.1', port: await freePort(), strictPort: true }, logLevel: 'warn', cacheDir: join(repoRoot, 'node_modules/.vite-bench') });
    await server.listen();
  } else {
    outDir = mkdtempSync(join(tmpdir(), 'lessons-bench-'));
    log(`building the site into ${outDir} …`);
    await build({ configFile: join(repoRoot, 'vite.config.ts'), logLevel: 'error', build: { outDir, emptyOutDir: true, reportCompressedSize: false, chunkSizeWarningLimit: 1e9 } });
    server = await preview({ configFile: join(repoRoot, 'vite.config.ts'), build: { outDir }, preview: { host: '127.0.0.1', port: await freePort(), strictPort: true }, logLevel: 'warn' });
  }
  const base = server.resolvedUrls?.local[0];
  if (!base) throw new Error('the server did not report its address');
  const browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: chromeFlags });
  try {
    // The adapter, as the lesson page's device status names it.
    const probe = await browser.newPage();
    await probe.goto(`${base}learn.html#${lessons[0]}`, { waitUntil: 'load' });
    const adapter = await pageAdapter(probe);
    await probe.close();
    log(`lesson pages on ${adapter}, ${dev ? 'Vite dev server' : 'production build (vite preview)'}; targets: ${TARGET_TTI_MS} ms to interactive, ${TARGET_FRAME_MS} ms worst frame`);

    const rows: Row[] = [];
    for (const id of lessons) {
      log(`  ${id} …`);
      rows.push(await measure(browser, base, id));
    }
    if (args.json) {
      process.stdout.write(`${JSON.stringify(rows.map((r) => ({ ...r, adapter, build: dev ? 'dev' : 'production', targetTtiMs: TARGET_TTI_MS, targetFrameMs: TARGET_FRAME_MS })), null, 2)}\n`);
      return;
    }
    const mark = (v: number, target: number) => `${v.toFixed(0).padStart(6)} ${v <= target ? 'ok  ' : 'OVER'}`;
    log('');
    log('lesson       time to interactive (ms)   widgets  controls   worst frame (ms)   longest main-thread work (ms)');
    for (const r of rows) {
      log(`${r.lesson.padEnd(12)} ${mark(r.ttiMs, TARGET_TTI_MS).padEnd(26)} ${String(r.widgets).padStart(7)}  ${String(r.controls).padStart(8)}   ${mark(r.worstFrameMs, TARGET_FRAME_MS).padEnd(18)} ${r.longestTaskMs.toFixed(0).padStart(8)}`);
    }
  } finally {
    await browser.close();
    await server.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
