// Runs first in `npm run test:browser`: the page must be a secure context with navigator.gpu and an adapter. It
// fails (never skips) otherwise, saying how to enable WebGPU, and records the adapter's name for the reporter
// (test/browser/reporter.ts), which prints it with the pass/fail counts.
import { expect, test } from 'vitest';
import { gpuBackend } from '../helpers';

declare module 'vitest' {
  interface TaskMeta {
    /** Set by this file: the engine's name for the WebGPU adapter the suite ran on. */
    webgpuAdapter?: string;
    /** Set by this file: the browser's user agent. */
    userAgent?: string;
  }
}

const HOW =
  'Start Chrome 113+ with --enable-unsafe-webgpu (Linux) on http://localhost; with no GPU, Debian\'s chromium ' +
  '(`apt-get install -y chromium libvulkan1`) gives SwiftShader. Run `npm run test:browser` from the repo, which ' +
  'does both.';

test('Chrome gives the engine a WebGPU adapter', async ({ task }) => {
  task.meta.userAgent = navigator.userAgent;
  expect(window.isSecureContext, `the test page ${location.href} is not a secure context. ${HOW}`).toBe(true);
  if (!('gpu' in navigator) || !navigator.gpu) {
    throw new Error(`navigator.gpu is missing in ${navigator.userAgent}: WebGPU is disabled. ${HOW}`);
  }
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new Error(`navigator.gpu.requestAdapter() returned null: WebGPU has no adapter. ${HOW}`);
  // The name the engine itself reports (description / vendor / architecture / device), from the same device the
  // kernel suites open.
  const be = await gpuBackend();
  task.meta.webgpuAdapter = be.adapterName;
  console.log(`WebGPU adapter: ${be.adapterName}`);
  expect(be.adapterName.length).toBeGreaterThan(0);
});
