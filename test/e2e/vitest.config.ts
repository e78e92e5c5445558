// The browser end-to-end tests (`npm run test:e2e`, and the last step of `npm test`). Each test starts the
// playground's Vite server itself and drives Debian's headless chromium, so this config only finds the files.
import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/e2e/**/*.e2e.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
