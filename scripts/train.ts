// `npm run train -- <recipe> [--steps N] [--seed S] [--cpu]`: trains one of the engine's recipes with a progress
// bar and the loss as it goes, then prints the final metric and the speed.
import { init } from '../engine/index';
import { trainXor, trainMnist, trainNames, trainTranslate, trainBert, type StepLog, type TrainResult } from '../engine/course';

interface RecipeOptions {
  steps?: number;
  seed?: number;
  onLog: (l: StepLog) => void;
  /** Samples printed along the way (generated names, translations, filled-in masks). */
  onSample: (step: number, lines: string[]) => void;
}

/** A recipe's result, with an optional line saying what its final metric means. */
type RecipeResult = TrainResult & { summary?: string };

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

const RECIPES: Record<string, (o: RecipeOptions) => Promise<RecipeResult>> = {
  xor: (o) => trainXor({ ...o, logEvery: 10 }),
  mnist: (o) => trainMnist({ ...o, logEvery: 10 }),
  names: async (o) => {
    const r = await trainNames({ ...o, logEvery: 10, sampleEvery: 100 });
    return { ...r, summary: `validation loss ${r.initialValLoss.toFixed(3)} → ${r.finalValLoss.toFixed(3)}, next-character accuracy ${pct(r.accuracy)}` };
  },
  translate: async (o) => {
    const r = await trainTranslate({ ...o, logEvery: 10, sampleEvery: 50 });
    return { ...r, summary: `exact match on ${r.testSize} held-out pairs: greedy ${pct(r.exactMatch)}, beam(3) ${pct(r.beamExactMatch)} on 20` };
  },
  bert: async (o) => {
    const r = await trainBert({ ...o, logEvery: 10, sampleEvery: 50 });
    return { ...r, summary: `held-out masked-LM loss ${r.initialEvalLoss.toFixed(3)} → ${r.finalEvalLoss.toFixed(3)}, masked-token accuracy ${pct(r.accuracy)}` };
  },
};

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function bar(step: number, steps: number, width = 30): string {
  const filled = Math.round((step / steps) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

async function main(): Promise<void> {
  const name = process.argv.slice(2).find((a) => !a.startsWith('--') && !/^\d+$/.test(a));
  const recipe = name ? RECIPES[name] : undefined;
  if (!recipe) {
    console.error(`usage: npm run train -- <${Object.keys(RECIPES).join('|')}> [--steps N] [--seed S] [--cpu]`);
    process.exit(2);
  }
  const info = await init({ backend: process.argv.includes('--cpu') ? 'cpu' : 'webgpu' });
  console.log(`training ${name} on ${info.device} (${info.adapter})`);
  const steps = arg('steps') ? Number(arg('steps')) : undefined;
  const seed = arg('seed') ? Number(arg('seed')) : undefined;
  const started = performance.now();
  const r = await recipe({
    steps,
    seed,
    onLog: (l) => {
      const line = `${bar(l.step, l.steps)} step ${String(l.step).padStart(5)}/${l.steps}  loss ${l.loss.toFixed(4)}`;
      if (process.stdout.isTTY) process.stdout.write(`\r${line}`);
      else console.log(line);
    },
    onSample: (step, lines) => {
      if (process.stdout.isTTY) process.stdout.write('\n');
      console.log(`samples at step ${step}:\n${lines.map((l) => `  ${l}`).join('\n')}`);
    },
  });
  if (process.stdout.isTTY) process.stdout.write('\n');
  if (r.summary) console.log(r.summary);
  console.log(`final accuracy ${(r.accuracy * 100).toFixed(2)}%  ·  ${r.stepsPerSecond.toFixed(1)} steps/s  ·  ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
