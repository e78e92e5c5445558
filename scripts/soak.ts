// `npm run soak [-- --steps=2000] [-- --every=200]`: trains the char GPT example in the playground (headless
// Debian chromium, WebGPU on SwiftShader) for --steps steps with the Views panel open and polling, pausing every
// --every steps to sample the engine's live GPU allocations and the JS heap after a full garbage collection (see
// test/e2e/soak-run.ts). It then says whether the live GPU buffers and bytes stayed flat after warm-up (the first
// checkpoint) and whether the heap at the end is within 5 MB of the heap then; the exit status is 1 when not.
// The CI version is test/e2e/soak.e2e.ts, shorter.
import { openPlayground } from '../test/e2e/harness';
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

async function main(): Promise<number> {
  const t0 = Date.now();
  const pg = await openPlayground({ width: 1400, height: 900 });
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
