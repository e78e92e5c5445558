// `npm run train -- <recipe> [--steps N] [--seed S] [--cpu]`: trains one of the engine's recipes with a progress
// bar and the loss as it goes, then prints the final metric and the speed.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { init, getDefaultDevice, readModel, saveModuleSafetensors } from '../engine/index';
import { trainXor, trainMnist, trainNames, trainTranslate, trainBert, trainSentiment, type StepLog, type TrainResult, type SentimentResult, extrapolationTable, formatExtrapolation, ssmComparison, formatSSMComparison, ssmComparisonPlot, trainQA, qaCard } from '../engine/course';
import { loadavg } from 'node:os';
import { clipRecipe, vitRecipe } from './vision-recipes';
import { resolve } from 'node:path';

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
  sentiment: async (o) => {
    const pretrained = await readModel(BERT_DIR);
    // --init pretrained|scratch runs one side (the two can run as two processes); the card merges them.
    const init = arg('init');
    if (init !== undefined && init !== 'pretrained' && init !== 'scratch') throw new Error(`--init must be pretrained or scratch, got ${init}`);
    const r = await trainSentiment({
      pretrained, steps: o.steps, seeds: o.seed !== undefined ? [o.seed] : undefined, logEvery: 25, onLog: o.onLog, inits: init ? [init] : undefined,
      onRun: (run) => o.onSample(run.losses[run.losses.length - 1].step, [`${run.init} seed ${run.seed}: held-out accuracy ${pct(run.accuracy)} (${run.seconds.toFixed(0)} s)`]),
    });
    // The card records the comparison only for the recipe as shipped (its steps and all its seeds).
    if (o.steps === undefined && o.seed === undefined) await recordFinetune(r);
    return {
      ...r,
      accuracy: init === 'scratch' ? r.scratchMean : r.pretrainedMean,
      summary: `held-out accuracy on ${r.testSize} sentences, mean of ${r.budget.seeds.length} seeds: pre-trained BERT ${pct(r.pretrainedMean)}, ` +
        `same architecture from scratch ${pct(r.scratchMean)} (${((r.pretrainedMean - r.scratchMean) * 100).toFixed(1)} points)`,
    };
  },
  extrapolation: async (o) => {
    // Five models (one per position encoding) trained at T = 64 and scored at 64, 128 and 256; the table is the result.
    const started = performance.now();
    const r = await extrapolationTable({ steps: o.steps, seed: o.seed, logEvery: 50, onLog: (_encoding, l) => o.onLog(l) });
    const atTrain = r.rows.map((row) => row.accuracy[0] ?? 0);
    const steps = r.rows.length * (o.steps ?? 300);
    // --json PATH writes the table (the course's week 19-20 page imports docs/extrapolation.json) with the run's settings.
    const json = arg('json');
    const seconds = (performance.now() - started) / 1000;
    if (json) await writeFile(json, JSON.stringify({ ...r, steps: o.steps ?? 300, seed: o.seed ?? 0, device: process.argv.includes('--cpu') ? 'cpu' : 'webgpu', seconds, loadAverage: loadavg() }, null, 2) + '\n');
    return {
      losses: [], accuracy: atTrain.reduce((a, b) => a + b, 0) / atTrain.length, stepsPerSecond: steps / seconds,
      summary: `${formatExtrapolation(r)}${json ? `\nwrote ${json}` : ''}\n(final accuracy below: the mean over encodings at the training length T=${r.trainLength})`,
    };
  },
  ssm: async (o) => {
    // The SSM model against a GPT of equal size: flagged recall at T = 8, 16, 32 by default and SOTU text, 3 seeds per
    // cell (engine/train/ssm-compare.ts). --steps sets the recall and text steps alike; --lengths 8,16,32 the recall
    // lengths; --seeds N the seeds per cell; --json PATH writes the result with every seed's curves; --plot PATH the
    // SVG figure (default ssm-compare.svg in the current directory).
    const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');
    const before = load();
    console.log(`load average before: ${before}`);
    const lengths = arg('lengths')?.split(',').map(Number);
    const seeds = arg('seeds') !== undefined ? Number(arg('seeds')) : undefined;
    const r = await ssmComparison({ lengths, recallSteps: o.steps, textSteps: o.steps, seed: o.seed, seeds, onLog: (_what, l) => o.onLog(l) });
    const after = load();
    const json = arg('json');
    if (json) await writeFile(json, JSON.stringify({ ...r, loadAverage: { before, after } }, null, 2) + '\n');
    const plot = resolve(arg('plot') ?? 'ssm-compare.svg');
    await writeFile(plot, ssmComparisonPlot(r));
    const ssmCells = r.recall.runs.ssm;
    const text = r.text.runs.ssm.seeds[0];
    return {
      losses: text.losses.map((l) => ({ ...l, steps: r.config.textSteps })), accuracy: ssmCells.reduce((a, x) => a + x.accuracy.mean, 0) / ssmCells.length,
      stepsPerSecond: r.text.runs.ssm.stepsPerSecond,
      summary: `${formatSSMComparison(r)}\nload average before: ${before}; after: ${after}${json ? `; wrote ${json}` : ''}\nplot: ${plot}\n(final accuracy below: the SSM's mean recall accuracy over lengths and seeds; steps/s: its text training)`,
    };
  },
  qa: async (o) => {
    // Extractive QA on generated passages (engine/train/qa.ts): the pre-trained BERT fine-tuned with a span head vs
    // the same model from scratch, same budget. As shipped (no --steps/--seed) it writes models/bert-qa: the
    // fine-tuned model (seed 0), its tokenizer and a card whose metrics.qa holds both runs' held-out scores;
    // --seeds N repeats both inits with seeds 0…N−1 and the card lists every seed's scores.
    const started = performance.now();
    const base = await readModel(BERT_DIR);
    const saved: { files?: { weights: Uint8Array; parameters: number } } = {};
    const r = await trainQA({
      pretrained: base, steps: o.steps, seed: o.seed, seeds: arg('seeds') !== undefined ? Number(arg('seeds')) : undefined, logEvery: 25, onLog: (_init, l) => o.onLog(l),
      onRun: async (run, model) => {
        o.onSample(run.losses.at(-1)!.step, [`${run.init} seed ${run.seed}: held-out exact match ${pct(run.exactMatch)}, F1 ${pct(run.f1)} (${run.seconds.toFixed(0)} s; the data is generated)`]);
        if (run.init === 'pretrained' && !saved.files) saved.files = { weights: await saveModuleSafetensors(model), parameters: model.parameters().reduce((n, p) => n + p.numel, 0) };
      },
    });
    const mean = (init: string, m: 'exactMatch' | 'f1') => {
      const xs = r.runs.filter((x) => x.init === init).map((x) => x[m]);
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    const pre = { exactMatch: mean('pretrained', 'exactMatch'), f1: mean('pretrained', 'f1'), losses: r.runs[0].losses };
    const scratch = { exactMatch: mean('scratch', 'exactMatch'), f1: mean('scratch', 'f1') };
    const files = saved.files;
    if (o.steps === undefined && o.seed === undefined && files) {
      const info = await init({ backend: getDefaultDevice() }); // the device main() set up: its name and adapter, for the card
      const card = qaCard(r, base.card, files.parameters, Math.round((performance.now() - started) / 1000), info.device, info.adapter);
      await mkdir(QA_DIR, { recursive: true });
      await writeFile(`${QA_DIR}/model.safetensors`, files.weights);
      await writeFile(`${QA_DIR}/tokenizer.json`, base.tokenizer);
      await writeFile(`${QA_DIR}/card.json`, JSON.stringify(card, null, 2) + '\n');
      console.log(`wrote ${QA_DIR}`);
    }
    return {
      losses: pre.losses, accuracy: pre.exactMatch, stepsPerSecond: (r.budget.steps * r.runs.length) / r.runs.reduce((t, x) => t + x.seconds, 0),
      summary: `GENERATED data: ${r.trainSize} training and ${r.heldOutSize} held-out questions (disjoint names, towns, jobs, colours). Held-out exact match / F1, mean of ${r.budget.seeds} seed(s): ` +
        `pre-trained BERT ${pct(pre.exactMatch)} / ${pct(pre.f1)}, same architecture from scratch ${pct(scratch.exactMatch)} / ${pct(scratch.f1)}\n(final accuracy below: the pre-trained model's mean exact match)`,
    };
  },
  vit: vitRecipe,
  clip: clipRecipe,
  bert: async (o) => {
    const r = await trainBert({ ...o, logEvery: 10, sampleEvery: 50 });
    return { ...r, summary: `held-out masked-LM loss ${r.initialEvalLoss.toFixed(3)} → ${r.finalEvalLoss.toFixed(3)}, masked-token accuracy ${pct(r.accuracy)}` };
  },
};

/** The pre-trained BERT the fine-tuning recipes start from; BERT_DIR=<dir> tries a trial checkpoint (pretrain with PRETRAIN_OUT). */
const BERT_DIR = process.env.BERT_DIR ?? 'playground/public/models/bert';
const QA_DIR = 'playground/public/models/bert-qa';

/** Writes the sentiment comparison into the BERT card's metrics.finetune (the weights and the rest stay as they are). */
async function recordFinetune(r: SentimentResult): Promise<void> {
  const path = `${BERT_DIR}/card.json`;
  const card = JSON.parse(await readFile(path, 'utf8')) as { metrics: Record<string, unknown> };
  const round = (x: number): number => Math.round(x * 10000) / 10000;
  const mean = (xs: number[]): number => round(xs.reduce((a, b) => a + b, 0) / xs.length);
  // A side not run now keeps what an earlier run of the same budget recorded.
  const prev = (card.metrics.finetune ?? {}) as Record<string, unknown>;
  const sameBudget = JSON.stringify(prev.budget) === JSON.stringify(r.budget);
  const side = (init: 'pretrained' | 'scratch'): number[] => {
    const now = r.runs.filter((x) => x.init === init).map((x) => round(x.accuracy));
    return now.length || !sameBudget ? now : ((prev[`${init}Accuracy`] as number[] | undefined) ?? []);
  };
  const pre = side('pretrained');
  const scratch = side('scratch');
  card.metrics.finetune = {
    task: 'binary sentiment (engine/train/sentiment.ts, `npm run train -- sentiment`)',
    data: `UCI Sentiment Labelled Sentences (Amazon, IMDB, Yelp; CC BY 4.0) from the sentiment package's test fixtures: ${r.trainSize} training and ${r.testSize} held-out sentences (splitSentiment seed 0)`,
    budget: r.budget,
    pretrainedAccuracy: pre,
    scratchAccuracy: scratch,
    ...(pre.length ? { pretrainedMean: mean(pre) } : {}),
    ...(scratch.length ? { scratchMean: mean(scratch) } : {}),
    ...(pre.length && scratch.length ? { differencePoints: round((mean(pre) - mean(scratch)) * 100) } : {}),
  };
  await writeFile(path, JSON.stringify(card, null, 2) + '\n');
  console.log(`wrote metrics.finetune to ${path}`);
}

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
    console.error(`usage: npm run train -- <${Object.keys(RECIPES).join('|')}> [--steps N] [--seed S] [--cpu] (sentiment: [--init pretrained|scratch])`);
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
