// `npm run soak [-- --steps=2000] [-- --every=200]`: trains the char GPT example in the playground (headless
// Debian chromium, WebGPU on SwiftShader) for --steps steps with the Views panel open and polling, pausing every
// --every steps to sample the engine's live GPU allocations and the JS heap after a full garbage collection (see
// test/e2e/soak-run.ts). It then says whether the live GPU buffers and bytes stayed flat after warm-up (the first
// checkpoint) and whether the heap at the end is within 5 MB of the heap then; the exit status is 1 when not.
// It serves a production build (`vite build`, then `vite preview`), as bench:lessons does: over minutes, the dev
// server would reload the page whenever someone edits a source file. The CI version is test/e2e/soak.e2e.ts, shorter.
import { build, preview } from 'vite';
import puppeteer from 'puppeteer';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, repoRoot, type Playground } from '../test/e2e/harness';
import { chromeFlags } from '../test/browser/chrome';
import { soak, type SoakSample } from '../test/e2e/soak-run';
import { parseArgs } from '../bench/harness';

const HEAP_BOUND = 5 * 2 ** 20;

const args = parseArgs(process.argv.slice(2), 1);
const steps = Number(args.flags.get('steps') ?? 2000);
const every = Number(args.flags.get('every') ?? 200);
if (!Number.isInteger(steps) || !Number.isInteger(every) || every < 1 || steps < every) {
  throw new Error(`--steps and --every must be positive integers with steps ≥ every, got ${steps} and ${every}`);
}
const checkpoints = Array.from({ length: Math.floor(steps / every) }, (_, i) => (i + 1) * every);

/** The playground built into a temporary folder and served by `vite preview`, in headless chromium. */
async function openBuiltPlayground(): Promise<Playground> {
  const outDir = mkdtempSync(join(tmpdir(), 'soak-build-'));
  console.log(`building the playground into ${outDir} …`);
  await build({ configFile: join(repoRoot, 'vite.config.ts'), logLevel: 'error', build: { outDir, emptyOutDir: true, reportCompressedSize: false, chunkSizeWarningLimit: 1e9 } });
  const server = await preview({ configFile: join(repoRoot, 'vite.config.ts'), build: { outDir }, preview: { host: '127.0.0.1', port: await freePort(), strictPort: true }, logLevel: 'warn' });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report its address');
  const browser = await puppeteer.launch({ executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium', headless: true, args: chromeFlags });
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 900 });
  const log: string[] = [];
  page.on('console', (m) => log.push(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.push(`page error: ${e instanceof Error ? e.message : String(e)}`));
  return {
    url, page, browser, log,
    screenshot: async (name) => {
      const path = join(outDir, name);
      await page.screenshot({ path });
      return path;
    },
    async close() {
      await browser.close();
      await server.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

async function main(): Promise<number> {
  const t0 = Date.now();
  const pg = await openBuiltPlayground();
  let samples: SoakSample[];
  try {
    console.log(`soak: char GPT for ${steps} steps, sampling every ${every} (the first sample ends warm-up)`);
    samples = await soak(pg, { checkpoints, log: (l) => console.log(`  ${l}`) });
  } catch (e) {
    console.error(pg.log.slice(-30).join('\n'));
    throw e;
  } finally {
    await pg.close();
  }
  const first = samples[0];
  const last = samples.at(-1)!;
  const grew = samples.filter((s) => s.buffers !== first.buffers || s.bytes !== first.bytes);
  const heapDelta = last.heapUsed - first.heapUsed;
  const mib = (b: number): string => `${(b / 2 ** 20).toFixed(3)} MiB`;
  console.log(`\nafter ${((Date.now() - t0) / 1000).toFixed(0)} s:`);
  console.log(
    grew.length
      ? `  GPU: NOT flat: ${grew.map((s) => `step ${s.step} has ${s.buffers} buffers / ${mib(s.bytes)}`).join('; ')} against ${first.buffers} / ${mib(first.bytes)} at step ${first.step}`
      : `  GPU: flat: ${first.buffers} live buffers, ${mib(first.bytes)}, at every checkpoint from step ${first.step} to ${last.step}`,
  );
  console.log(`  pooled (freed, kept for reuse): ${first.pooledBuffers} → ${last.pooledBuffers} buffers, ${mib(first.pooledBytes)} → ${mib(last.pooledBytes)}`);
  const heapOk = Math.abs(heapDelta) <= HEAP_BOUND;
  console.log(`  JS heap: ${mib(first.heapUsed)} at step ${first.step} → ${mib(last.heapUsed)} at step ${last.step} (${heapDelta >= 0 ? '+' : ''}${mib(heapDelta)}; bound ±${mib(HEAP_BOUND)}): ${heapOk ? 'ok' : 'OVER'}`);
  return grew.length === 0 && heapOk ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.stack : e);
    process.exit(1);
  },
);
