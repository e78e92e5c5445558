// run.sh's first look at the machine: which adapter the engine opens (the same way the benchmarks will), whether it
// is a software rasteriser, and its known FP32 peak; one JSON object on stdout (and in the file named, if any).
//
//   node app/probe.mjs [out.json]
import { writeFileSync } from 'node:fs';
import { init } from '../../engine/index';
import { knownPeak } from '../peak';

async function main(): Promise<void> {
  const { adapter } = await init({ backend: 'webgpu' });
  const probe = { adapter, software: /swiftshader|llvmpipe|lavapipe/i.test(adapter), peak: knownPeak(adapter), node: process.version };
  const text = JSON.stringify(probe);
  if (process.argv[2]) writeFileSync(process.argv[2], `${text}\n`);
  process.stdout.write(`${text}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`probe: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
