// The playground placeholder in headless chromium: the page must open the engine on WebGPU and name the adapter,
// which with no GPU is SwiftShader. It fails, never skips, when WebGPU is unavailable.
import { expect, test } from 'vitest';
import { createServer as createViteServer, type ViteDevServer } from 'vite';
import puppeteer, { type Browser, type Page } from 'puppeteer';
import { createServer as createNetServer } from 'node:net';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const outDir = join(repoRoot, 'test-output');
const chromium = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

// See ../../../shared/HEADLESS-WEBGPU.md: without --enable-unsafe-webgpu headless chromium finds no adapter; the
// rest keep it from reaching for the network or a sandbox it can't have as root.
const chromiumFlags = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

const howToGetWebGPU =
  "Headless WebGPU needs Debian's chromium, which ships SwiftShader's Vulkan driver " +
  '(/usr/lib/chromium/vk_swiftshader_icd.json): as root, `apt-get update && apt-get install -y chromium libvulkan1` ' +
  '(`npm test` does this for you), launched with --enable-unsafe-webgpu on http://localhost or 127.0.0.1.';

/** A port that was free a moment ago; Vite is then told to fail rather than move if someone took it. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await page.screenshot({ path: join(outDir, name), fullPage: true });
}

test('the playground placeholder opens the engine on the SwiftShader WebGPU adapter', async () => {
  if (!existsSync(chromium)) throw new Error(`No browser at ${chromium}. ${howToGetWebGPU}`);

  let server: ViteDevServer | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  const log: string[] = [];
  try {
    const port = await freePort();
    server = await createViteServer({
      configFile: join(repoRoot, 'vite.config.ts'),
      server: { host: '127.0.0.1', port, strictPort: true },
      // Its own dependency cache, so that a running `npm start` and this test never rebuild each other's.
      cacheDir: join(repoRoot, 'node_modules/.vite-e2e'),
      logLevel: 'warn',
      clearScreen: false,
    });
    await server.listen();

    browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: chromiumFlags });
    page = await browser.newPage();
    page.on('console', (m) => log.push(`console.${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => log.push(`page error: ${e instanceof Error ? e.message : String(e)}`));
    await page.setViewport({ width: 900, height: 500 });
    await page.goto(`http://127.0.0.1:${port}/`, { waitUntil: 'load' });

    // Opening a device on SwiftShader takes a moment; 'loading' is the element's only transient state.
    await page
      .waitForFunction(() => (document.querySelector('device-status')?.getAttribute('status') ?? 'loading') !== 'loading', {
        timeout: 60_000,
      })
      .catch((e: Error) => {
        throw new Error(`The page never finished opening the engine (${e.message}). Browser log:\n${log.join('\n')}`);
      });

    const shown = await page.$eval('device-status', (el) => ({
      status: el.getAttribute('status'),
      adapter: el.getAttribute('adapter') ?? '',
      text: el.shadowRoot?.textContent?.replace(/\s+/g, ' ').trim() ?? '',
    }));

    const context = `The page shows: "${shown.text}". Browser log:\n${log.join('\n') || '(empty)'}`;
    expect(shown.status, `WebGPU is unavailable in headless chromium. ${howToGetWebGPU}\n${context}`).toBe('webgpu');
    expect(shown.adapter, `Expected the SwiftShader adapter. ${context}`).toMatch(/swiftshader/i);
    expect(shown.text, 'The adapter name must be visible on the page').toContain(shown.adapter);
  } finally {
    // Whatever happened, keep a picture of it (test-output/ is gitignored), then stop the browser and server.
    if (page) await screenshot(page, 'placeholder.png').catch(() => undefined);
    await browser?.close().catch(() => browser?.process()?.kill('SIGKILL'));
    await server?.close();
  }
});
