// What the browser tests share: a Vite server for the playground on a free port, Debian's headless chromium with
// WebGPU on SwiftShader, the page's console collected for failure messages, and screenshots under test-output/.
// Every e2e file opens the playground through openPlayground().
import { createServer as createViteServer, type ViteDevServer } from 'vite';
import puppeteer, { type Browser, type Page } from 'puppeteer';
import { freePort } from '../free-port';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { chromeFlags } from '../browser/chrome';
import { WELCOME_DISMISSED_KEY } from '../../playground/ui-state';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const outDir = join(repoRoot, 'test-output');
const chromium = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

export const howToGetWebGPU =
  "Headless WebGPU needs Debian's chromium, which ships SwiftShader's Vulkan driver " +
  '(/usr/lib/chromium/vk_swiftshader_icd.json): as root, `apt-get update && apt-get install -y chromium libvulkan1` ' +
  '(`npm test` does this for you), launched with --enable-unsafe-webgpu on http://localhost or 127.0.0.1.';

/** A port that was free a moment ago; Vite is then told to fail rather than move if someone took it. */
export { freePort };

export interface Playground {
  url: string;
  page: Page;
  browser: Browser;
  /** The page's console and errors so far. */
  log: string[];
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /**
   * Show the first-visit welcome panel. Off by default: every test starts in a fresh browser profile, so each would
   * otherwise meet the panel; the flag it keeps when dismissed is set before any page script runs.
   */
  welcome?: boolean;
}

export async function openPlayground(viewport = { width: 1280, height: 800 }, opts: OpenOptions = {}): Promise<Playground> {
  if (!existsSync(chromium)) throw new Error(`No browser at ${chromium}. ${howToGetWebGPU}`);
  let server: ViteDevServer | undefined;
  let browser: Browser | undefined;
  try {
    const port = await freePort();
    server = await createViteServer({
      configFile: join(repoRoot, 'vite.config.ts'),
      server: { host: '127.0.0.1', port, strictPort: true },
      // Its own dependency cache, so that a running `npm start` and these tests never rebuild each other's.
      cacheDir: join(repoRoot, 'node_modules/.vite-e2e'),
      logLevel: 'warn',
      clearScreen: false,
    });
    await server.listen();
    browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: chromeFlags }); // the kernel suite's flags (test/browser/chrome.ts)
    const page = await browser.newPage();
    if (!opts.welcome) {
      await page.evaluateOnNewDocument((key) => {
        try {
          localStorage.setItem(key, 'set by the e2e harness');
        } catch {
          // about:blank and other opaque origins have no storage, and no playground either
        }
      }, WELCOME_DISMISSED_KEY);
    }
    const log: string[] = [];
    page.on('console', (m) => log.push(`console.${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => log.push(`page error: ${e instanceof Error ? e.message : String(e)}`));
    await page.setViewport(viewport);
    const url = `http://127.0.0.1:${port}/`;
    const s = server;
    const b = browser;
    return {
      url,
      page,
      browser,
      log,
      async screenshot(name) {
        mkdirSync(outDir, { recursive: true });
        const path = join(outDir, name);
        await page.screenshot({ path });
        return path;
      },
      async close() {
        await b.close().catch(() => b.process()?.kill('SIGKILL'));
        await s.close();
      },
    };
  } catch (e) {
    await browser?.close().catch(() => undefined);
    await server?.close();
    throw e;
  }
}
