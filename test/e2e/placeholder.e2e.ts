// The playground's device status in headless chromium: the page must open the engine on WebGPU and name the
// adapter, which with no GPU is SwiftShader. It fails, never skips, when WebGPU is unavailable.
import { expect, test } from 'vitest';
import { howToGetWebGPU, openPlayground, type Playground } from './harness';

test('the playground opens the engine on the SwiftShader WebGPU adapter and names it', async () => {
  let pg: Playground | undefined;
  try {
    pg = await openPlayground({ width: 900, height: 500 });
    const { page, log } = pg;
    await page.goto(pg.url, { waitUntil: 'load' });

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
    await pg?.screenshot('placeholder.png').catch(() => undefined);
    await pg?.close();
  }
});
