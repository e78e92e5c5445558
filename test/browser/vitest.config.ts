// `npm run test:browser`: the engine's GPU-vs-CPU kernel suites, the same test files that `npm run test:unit` runs
// in Node on Dawn, run unchanged inside headless Chrome on Chrome's own WebGPU (SwiftShader here; a real GPU on a
// user's machine). Vitest's browser mode serves each file through Vite and runs it in a page on
// http://localhost (a secure context), so `vitest`'s describe/test/expect, `?raw` WGSL imports and the engine's
// navigator.gpu path are all the real ones.
//
// Why playwright and not puppeteer: vitest 4's browser mode drives browsers only through its provider packages
// (@vitest/browser-playwright, -webdriverio, -preview); there is no puppeteer provider. The playwright provider
// uses just playwright-core's protocol client (no browser download: the `playwright` package has no install
// script), pointed at Debian's /usr/bin/chromium by executablePath. Puppeteer stays what the e2e tests (test/e2e/)
// use. webdriverio would need a chromedriver matching the system chromium, which can't be downloaded here.
import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { chooseChrome, chromeFlags } from './chrome.js';
import { KernelSuiteReporter } from './reporter.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The files, in the order they run (one at a time: SwiftShader shares two cores). Every kernel suite is here;
 * none needs a Node-only API. The adapter check goes first so that its verdict leads the output.
 */
export const BROWSER_SUITE = [
  'test/browser/adapter.browser.ts',
  'test/ops.test.ts',
  'test/kernels.reduce.test.ts',
  'test/kernels.rows.test.ts',
  'test/kernels.backward.test.ts',
  'test/kernels.nonfinite.test.ts',
  'test/views.test.ts',
  'test/matmul.test.ts',
  'test/linear.test.ts',
  'test/memory.test.ts',
  'test/autograd.test.ts',
  'test/attention.test.ts',
  'test/attention.sparse.test.ts',
  'test/scan.test.ts',
];

/** Runs the files in BROWSER_SUITE's order rather than vitest's cached-duration order. */
class ListedOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification): number => {
      const i = BROWSER_SUITE.indexOf(f.moduleId.slice(repoRoot.length).replace(/\\/g, '/'));
      return i < 0 ? BROWSER_SUITE.length : i;
    };
    return [...files].sort((a, b) => rank(a) - rank(b));
  }
}

const chrome = chooseChrome();

export default defineConfig({
  root: repoRoot,
  // Its own dependency cache, so that `npm start`, the e2e tests and this run never rebuild each other's.
  cacheDir: join(repoRoot, 'node_modules/.vite-browser'),
  // Pre-bundled up front: a dependency discovered mid-run makes Vite reload the page and the running file fail.
  optimizeDeps: {
    include: ['webgpu-utils', 'wgsl_reflect/wgsl_reflect.module.js', '@petamoriken/float16'],
  },
  test: {
    include: BROWSER_SUITE,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    sequence: { sequencer: ListedOrder },
    reporters: ['default', new KernelSuiteReporter(BROWSER_SUITE)],
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({
        launchOptions: {
          executablePath: chrome.executablePath,
          channel: chrome.channel,
          args: chromeFlags,
        },
      }),
      instances: [{ browser: 'chromium' }],
    },
  },
});
