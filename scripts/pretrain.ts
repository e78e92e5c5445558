// `npm run pretrain -- <model> [--steps N] [--resume] [--cpu|--webgpu]`: trains one of the shipped checkpoints and writes it
// to playground/public/models/<model>/ (weights, tokenizer, model card). Each model's run is in scripts/pretrain/.
// The CPU backend is the default: on our 2-core machine it beat SwiftShader for these sizes.
import { init } from '../engine/index';
import type { PretrainContext } from './pretrain/write';
import { pretrainGPT } from './pretrain/gpt';
import { pretrainBert } from './pretrain/bert';
import { pretrainIcl } from './pretrain/icl';

const RUNS: Record<string, (ctx: PretrainContext) => Promise<void>> = {
  gpt: pretrainGPT,
  bert: pretrainBert,
  icl: pretrainIcl,
};

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const name = process.argv.slice(2).find((a) => !a.startsWith('--') && !/^\d+$/.test(a));
  const run = name ? RUNS[name] : undefined;
  if (!run) {
    console.error(`usage: npm run pretrain -- <${Object.keys(RUNS).join('|')}> [--steps N] [--resume] [--cpu|--webgpu]`);
    process.exit(2);
  }
  const backend = process.argv.includes('--webgpu') ? 'webgpu' : 'cpu';
  const info = await init({ backend });
  console.log(`pretraining ${name} on ${info.device} (${info.adapter})`);
  const steps = arg('steps') ? Number(arg('steps')) : undefined;
  await run({ steps, resume: process.argv.includes('--resume'), backend, adapter: info.adapter, log: (line) => console.log(line) });
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exit(1);
});
