// Which Chrome `npm run test:browser` drives, and with which flags. Shared by the vitest config (Node side) and
// the reporter's "how to enable WebGPU" message.
import { existsSync } from 'node:fs';

/** Debian's chromium: it ships SwiftShader's Vulkan driver, so WebGPU works here with no GPU. */
export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/**
 * See ../../../shared/HEADLESS-WEBGPU.md: without --enable-unsafe-webgpu Chrome on Linux finds no adapter; the rest
 * keep it off the network and out of a sandbox it can't have as root. CHROME_FLAGS (space-separated) adds more,
 * e.g. `--enable-features=Vulkan` to reach a real GPU on Linux.
 */
export const chromeFlags: string[] = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  ...(process.env.CHROME_FLAGS ?? '').split(/\s+/).filter((f) => f.length > 0),
];

export interface ChromeChoice {
  /** An explicit binary, or undefined to let playwright find the installed Google Chrome (channel "chrome"). */
  executablePath: string | undefined;
  channel: string | undefined;
  /** For messages: what was chosen and why. */
  describe: string;
}

/** CHROMIUM_BIN wins; then Debian's /usr/bin/chromium; else the user's installed Google Chrome. */
export function chooseChrome(): ChromeChoice {
  const bin = process.env.CHROMIUM_BIN;
  if (bin) return { executablePath: bin, channel: undefined, describe: `${bin} (from CHROMIUM_BIN)` };
  if (existsSync(DEBIAN_CHROMIUM)) return { executablePath: DEBIAN_CHROMIUM, channel: undefined, describe: DEBIAN_CHROMIUM };
  return { executablePath: undefined, channel: 'chrome', describe: 'the installed Google Chrome (playwright channel "chrome")' };
}

export const HOW_TO_ENABLE_WEBGPU =
  'To enable WebGPU for `npm run test:browser`: on Debian/Ubuntu with no GPU, as root run ' +
  '`apt-get update && apt-get install -y chromium libvulkan1` (Debian\'s chromium ships SwiftShader\'s Vulkan ' +
  'driver; `npm test` installs it for you). The run already starts Chrome with --enable-unsafe-webgpu on ' +
  'http://localhost, a secure context. To use another Chrome set CHROMIUM_BIN=/path/to/chrome; to reach a real GPU ' +
  'on Linux try CHROME_FLAGS="--enable-features=Vulkan" and/or `-- --browser.headless=false`; check chrome://gpu ' +
  'in that Chrome for "WebGPU: Hardware accelerated".';
