// Bundles the benchmark and tuner entry points into plain ES modules for Node, for bench/gpu/pack.sh: the GPU
// machine has no npm and no node_modules tree. Vite (not bare rolldown) because the engine loads its shaders with
// import.meta.glob('…?raw'), which only Vite expands. Everything is inlined except Dawn's `webgpu` package, which
// loads a native dawn.node beside its index.js: pack.sh ships that package (linux-x64 only) next to the bundle.
//
//   vite build --config bench/gpu/vite.config.ts     (pack.sh runs this; PACK_OUT names the output folder)
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const at = (p: string): string => fileURLToPath(new URL(`../../${p}`, import.meta.url));

// The tuner (scripts/tune.ts) is bundled when it exists; run.sh says "tune: not available" otherwise.
const input: Record<string, string> = {
  probe: at('bench/gpu/probe.ts'),
  matmul: at('bench/matmul.ts'),
  attention: at('bench/attention.ts'),
  summary: at('bench/gpu/summary.ts'),
};
if (existsSync(at('scripts/tune.ts'))) input.tune = at('scripts/tune.ts');

export default defineConfig({
  root: repoRoot,
  publicDir: false,
  logLevel: 'warn',
  ssr: { noExternal: true, external: ['webgpu'], target: 'node' },
  build: {
    ssr: true,
    target: 'node22',
    outDir: process.env.PACK_OUT ?? at('bench/gpu/.pack/stage/app'),
    emptyOutDir: true,
    minify: false,
    sourcemap: false,
    copyPublicDir: false,
    rolldownOptions: {
      input,
      external: ['webgpu'],
      output: { format: 'es', entryFileNames: '[name].mjs', chunkFileNames: 'chunks/[name]-[hash].mjs' },
    },
  },
});
