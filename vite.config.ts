import { defineConfig } from 'vitest/config';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// SwiftShader's Vulkan driver ships with Debian's chromium package. Vitest workers copy process.env, so the
// variable is set here rather than inside a test file (see ../shared/HEADLESS-WEBGPU.md). engine/device.ts sets
// it too, for scripts run outside vitest; an explicitly set VK_ICD_FILENAMES always wins.
const swiftshader = '/usr/lib/chromium/vk_swiftshader_icd.json';
const gpuEnv: Record<string, string> = {};
if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && existsSync(swiftshader)) {
  gpuEnv.VK_ICD_FILENAMES = swiftshader;
}

const repoRoot = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  // `npm start` serves the playground (playground/index.html at /); it imports ../engine and ../shaders, which
  // Vite allows because they sit inside the repository (the folder holding package.json).
  root: fileURLToPath(new URL('./playground', import.meta.url)),
  server: { host: '127.0.0.1' },
  // The dev server pre-bundles what it finds by crawling the pages; sucrase is imported only by the code cells'
  // worker, which the crawl does not reach, and discovering it on first use would reload an open lesson page.
  optimizeDeps: { include: ['sucrase'] },
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    // Three pages: the editor (index.html), the attention benchmark (bench.html, the Bench tab) and the course
    // (learn.html: the course home and its lessons).
    rolldownOptions: {
      input: {
        main: fileURLToPath(new URL('./playground/index.html', import.meta.url)),
        bench: fileURLToPath(new URL('./playground/bench.html', import.meta.url)),
        learn: fileURLToPath(new URL('./playground/learn.html', import.meta.url)),
      },
    },
  },
  test: {
    // Vitest runs from the repository root, not the playground's.
    root: repoRoot,
    include: ['test/**/*.test.ts'],
    // Tests run the built-in kernel configurations, never a user's tuning cache (engine/backend/gpu/tuning/cache.ts).
    env: { ...gpuEnv, GPU_LEARN_TUNING: 'off' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
