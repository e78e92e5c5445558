// `npm run pretrain -- <model> [--steps N] [--resume] [--cpu|--webgpu]`: trains one of the shipped checkpoints and writes it
// to playground/public/models/<model>/ (weights, tokenizer, model card). Each model's run is in scripts/pretrain/.
// The CPU backend is the default: on our 2-core machine it beat SwiftShader for these sizes.
import { init } from '../engine/index';
import type { PretrainContext } from './pretrain/write';
import { pretrainGPT } from './pretrain/gpt';
import { pretrainBert } from './pretrain/bert';
import { pretrainIcl } from './pretrain/icl';
import { parsePretrainArgs } from './pretrain/args';

const RUNS: Record<string, (ctx: PretrainContext) => Promise<void>> = {
  gpt: pretrainGPT,
  bert: pretrainBert,
  icl: pretrainIcl,
};

async function main(): Promise<void> {
  const a = parsePretrainArgs(process.argv.slice(2), Object.keys(RUNS));
  if (a.kind === 'nothing') {
    console.error(a.message);
    return;
  }
  if (a.kind === 'error') {
    console.error(a.message);
    process.exit(2);
  }
  const info = await init({ backend: a.backend });
  console.log(`pretraining ${a.name} on ${info.device} (${info.adapter})`);
  await RUNS[a.name]({ steps: a.steps, resume: a.resume, backend: a.backend, adapter: info.adapter, log: (line) => console.log(line) });
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exit(1);
});
