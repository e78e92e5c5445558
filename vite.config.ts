import { defineConfig } from 'vitest/config';
import { existsSync } from 'node:fs';

// SwiftShader's Vulkan driver ships with Debian's chromium package. Vitest workers copy process.env, so the
// variable is set here rather than inside a test file (see ../shared/HEADLESS-WEBGPU.md). engine/device.ts sets
// it too, for scripts run outside vitest; an explicitly set VK_ICD_FILENAMES always wins.
const swiftshader = '/usr/lib/chromium/vk_swiftshader_icd.json';
const gpuEnv: Record<string, string> = {};
if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && existsSync(swiftshader)) {
  gpuEnv.VK_ICD_FILENAMES = swiftshader;
}

export default defineConfig({
  root: '.',
  server: { host: '127.0.0.1' },
  test: {
    include: ['test/**/*.test.ts'],
    env: gpuEnv,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
