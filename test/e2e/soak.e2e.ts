// The soak test's CI version (the long one is `npm run soak`, 2,000 steps): the char GPT example trains in headless
// chromium on SwiftShader's WebGPU with the Views panel polling (the Attention tab open over every transformer
// block, and the last layer's output in the tensor view), pausing at steps WARM_UP, MIDDLE and LAST to sample the
// engine's live GPU allocations and the JS heap after a full garbage collection (test/e2e/soak-run.ts).
// After warm-up nothing may grow: the live GPU buffers and bytes are the same at every checkpoint, and the JS heap
// at the last is within HEAP_BOUND of the heap at warm-up.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openPlayground, type Playground } from './harness';
import { soak } from './soak-run';

/** Steps: warm-up ends at WARM_UP (the first evaluation, at step 20, has run and every view has read back). */
const WARM_UP = 25;
const MIDDLE = 45;
const LAST = 65;
/**
 * The long soak's bound is 5 MB over 1,800 steps (about 2.8 KB a step); over these 40 steps that rate comes to
 * 0.11 MB, below what a heap measured after a full collection drifts by while V8 is still compiling the loop's code
 * (about 0.3 MB here; a heap snapshot diff over 100 steps showed only code objects growing), so the bound is 1 MB:
 * a leak of a retained batch, a summary or a tensor handle per step or per refresh is well over it.
 */
const HEAP_BOUND = 2 ** 20;

let pg: Playground;

beforeAll(async () => {
  pg = await openPlayground({ width: 1400, height: 900 });
}, 90_000);

afterAll(async () => {
  await pg?.close();
});

describe('soak', () => {
  test(`char GPT with the Views panel polling: GPU allocations flat and the JS heap within 1 MB from step ${WARM_UP} to ${LAST}`, async () => {
    const samples = await soak(pg, { checkpoints: [WARM_UP, MIDDLE, LAST], log: (l) => console.log(`[soak e2e] ${l}`) });
    const [first, ...rest] = samples;
    for (const s of rest) {
      expect({ step: s.step, buffers: s.buffers, bytes: s.bytes }, 'live GPU buffers and bytes after warm-up').toEqual({ step: s.step, buffers: first.buffers, bytes: first.bytes });
    }
    const grew = samples.at(-1)!.heapUsed - first.heapUsed;
    expect(grew, `JS heap growth from step ${first.step} to ${samples.at(-1)!.step} (bytes)`).toBeLessThan(HEAP_BOUND);
  }, 150_000);
});
