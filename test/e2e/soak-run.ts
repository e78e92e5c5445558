// The soak run that `npm run soak` (scripts/soak.ts, 2,000 steps) and the e2e test (test/e2e/soak.e2e.ts, a short
// run) share: the char GPT example trains in the playground with the Views panel polling everything it can (the
// Attention tab open, so every transformer block's maps are read back, and the last layer's output selected, so
// the tensor view reads its activation and gradient), and at checkpoints training pauses, the page settles, and the
// engine's live GPU allocations (memoryStats(), through the ?test-hooks hook) and the JS heap after a full garbage
// collection (CDP HeapProfiler.collectGarbage, then Runtime.getHeapUsage) are sampled before training resumes.
import type { MemoryStats } from '../../engine/index';
import type { Playground } from './harness';
import { pageHelpers } from './page-helpers';

export interface SoakSample extends MemoryStats {
  step: number;
  /** Bytes in use after a full collection: the V8 heap, Blink's heap and ArrayBuffer backing stores. */
  heapUsed: number;
}

export interface SoakOptions {
  /** The steps at which to pause and sample, ascending; the first is taken as the end of warm-up. */
  checkpoints: number[];
  /** Says how it goes (a sample as it is taken). */
  log?: (line: string) => void;
}

/** How long training may go without a step before the soak fails. */
const STALL_MS = 60_000;

/** The node the tensor view watches while soaking: the last layer before the loss. */
const WATCHED = 'linear_1';

/**
 * Opens the char GPT example on `pg` (a playground just opened, not yet navigated), trains it to each checkpoint
 * and samples there. Training steps run on without a pause between checkpoints, so a checkpoint may fall a step or
 * two after the step asked for: each sample says the step it was taken at.
 */
export async function soak(pg: Playground, opts: SoakOptions): Promise<SoakSample[]> {
  const h = pageHelpers(() => ({ ...pg, url: `${pg.url}?test-hooks` }));
  const { page } = pg;
  const log = opts.log ?? (() => undefined);
  await h.openOnWebGPU();
  await h.click('editor-toolbar >>> [data-action="gallery"]');
  await h.click('[data-example="char-gpt-names"]');
  await h.until('the char GPT example to be compiled ahead', async () => (await h.phase()) === 'ready', 180_000);
  await h.selectNode(WATCHED);
  await h.click('views-panel >>> [data-tab="attention"]');
  await h.until('the Attention tab to open', async () => (await page.$('>>> views-panel >>> [data-tab="attention"][aria-selected="true"]')) !== null, 10_000);

  // A reload (the dev server does one when a source file changes under it) would start training over unseen.
  let reloaded = false;
  page.on('framenavigated', (f) => (reloaded ||= f === page.mainFrame()));
  const cdp = await page.createCDPSession();
  await cdp.send('HeapProfiler.enable');
  const step = async (): Promise<number> => Number(await h.text('[data-stat="step"]'));
  const memory = (): Promise<MemoryStats> =>
    page.evaluate(() => {
      const hooks = window.__playgroundTest;
      if (!hooks) throw new Error('window.__playgroundTest is not installed (open the page with ?test-hooks)');
      return hooks.memoryStats();
    });

  const samples: SoakSample[] = [];
  for (const target of opts.checkpoints) {
    await h.click('[data-action="train"]');
    // Training may be slow (a loaded machine), but it must move: a minute without a step fails with the page's log.
    for (let last = -1, movedAt = Date.now(); ; await new Promise((r) => setTimeout(r, 200))) {
      if (reloaded) throw new Error(`The page reloaded during the soak (a source file changed under the dev server?), so training started over.${h.context()}`);
      const now = await step();
      if (now >= target) break;
      if (now !== last) [last, movedAt] = [now, Date.now()];
      else if (Date.now() - movedAt > STALL_MS) {
        throw new Error(`Training stalled at step ${now} for ${STALL_MS / 1000} s (phase ${await h.phase()}: ${await h.text('[data-phase]')}).${h.context()}`);
      }
    }
    await h.click('[data-action="train"]'); // pause after the step in flight
    await h.until('training to pause', async () => (await h.phase()) === 'ready', 30_000);
    // Let the views finish the refresh that the pause started (they read back at most every REFRESH_MS): the live
    // allocations are sampled once two reads a refresh period apart agree.
    let stats = await memory();
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 600));
      const again = await memory();
      const same = again.buffers === stats.buffers && again.bytes === stats.bytes;
      stats = again;
      if (same) break;
    }
    await cdp.send('HeapProfiler.collectGarbage');
    // The V8 heap alone misses typed arrays' data (read-backs are Float32Arrays), which lives in ArrayBuffer backing
    // stores outside it; Blink's objects (the views' elements) are the embedder's heap.
    const usage = await cdp.send('Runtime.getHeapUsage');
    const heapUsed = usage.usedSize + usage.embedderHeapUsedSize + usage.backingStorageSize;
    const sample: SoakSample = { step: await step(), ...stats, heapUsed };
    samples.push(sample);
    log(
      `step ${String(sample.step).padStart(5)}: ${sample.buffers} GPU buffers, ${(sample.bytes / 2 ** 20).toFixed(3)} MiB live; ` +
        `${sample.pooledBuffers} pooled (${(sample.pooledBytes / 2 ** 20).toFixed(3)} MiB); JS heap ${(sample.heapUsed / 2 ** 20).toFixed(3)} MiB`,
    );
  }
  await cdp.detach();
  return samples;
}
