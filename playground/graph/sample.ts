// Samples from a text model, drawn through the compiled graph itself: invented names (or text) from a character
// model, translations from an encoder–decoder. Each token is one forward pass over the sequence so far — the graph
// keeps no KV cache, so the window (at most the context length T ≤ 128) is run again — then the row of scores at
// the last position is read back and the engine's sampleToken draws the next token from it (temperature, top-k, a
// seeded generator). Every sample advances together, one batch row each.
//
// The pass runs in eval mode without gradients and with hooks off (forward({ hooks: false })): no dropout draws,
// no batches taken from the trainer's generator, nothing the views see, so training goes on exactly as it would
// without samples. The caller runs step() between training steps and may yield between tokens.
import { mulberry32, nn, noGrad, tensor, tidy, type Tensor } from '../../engine/index';
import { BOS, EOS, TRANSLATION_VOCAB, translate } from './data/translation';
import { vocabularyOf } from './data/text';
import type { CompiledGraph, Feeds, OutputRef } from './compile';
import { nodeType } from './nodes/index';
import { paramReader } from './node-type';
import type { GraphState } from './types';
import type { Validation } from './validate';

export interface SampleSettings {
  /** Divides the scores before the softmax; 0 picks the most likely token. */
  temperature: number;
  /** Draw only among the k most likely tokens; 0 means all of them. */
  topK: number;
  /** Seeds the draws (and the translation sources), so the same weights give the same samples. */
  seed: number;
}

export type SampleSettingName = keyof SampleSettings;

/** The settings' names as shown, and the values each accepts. */
export const SAMPLE_SETTINGS: Record<SampleSettingName, { label: string; min: number; max: number; integer: boolean }> = {
  temperature: { label: 'Temperature', min: 0, max: 5, integer: false },
  topK: { label: 'Top-k', min: 0, max: 1000, integer: true },
  seed: { label: 'Sampling seed', min: 0, max: 4294967295, integer: true },
};

/** Why a value can't be a setting, or null when it can. */
export function sampleSettingProblem(name: SampleSettingName, value: number): string | null {
  const { label, min, max, integer } = SAMPLE_SETTINGS[name];
  if (value >= min && value <= max && (!integer || Number.isInteger(value))) return null;
  return `${label} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}; got ${value}.`;
}

interface PlanBase {
  /** The data node the samples are fed through. */
  data: string;
  /** The output holding the scores for the next token, (B, T, V). */
  logits: OutputRef;
  vocabulary: string;
}

/** How a graph is sampled, or why it can't be. */
export type SamplingPlan =
  | (PlanBase & { ok: true; kind: 'text'; blockSize: number; prompt: string; names: boolean })
  | (PlanBase & { ok: true; kind: 'translation'; length: number; task: string })
  | { ok: false; reason: string };

const TEXT_TARGET: Record<string, string> = { text: 'next', translation: 'decoderTarget' };

/** Finds the data node and the scores to sample from: the logits its next-token targets are scored against. */
export function samplingPlan(state: GraphState, validation: Validation): SamplingPlan {
  const data = state.nodes.filter((n) => nodeType(n.type).category === 'data');
  const text = data.filter((n) => n.type in TEXT_TARGET);
  if (!text.length) {
    return { ok: false, reason: 'Samples come from a text model: this graph has no Text corpus or Toy translation data node, so there is no text to continue.' };
  }
  if (data.length > 1) {
    return { ok: false, reason: `Sampling feeds one data node, but this graph has ${data.length} (${data.map((n) => n.id).join(', ')}).` };
  }
  const node = text[0];
  const target = TEXT_TARGET[node.type];
  const loss = state.nodes.find((n) => n.type === 'crossentropy' && state.edges.some((e) => e.to.node === n.id && e.to.port === 'target' && e.from.node === node.id && e.from.port === target));
  const into = loss && state.edges.find((e) => e.to.node === loss.id && e.to.port === 'logits');
  if (!loss || !into) {
    return { ok: false, reason: `Sampling needs a Cross-entropy loss whose target is ${node.id}'s "${target}": its scores are the model's guesses for the next token.` };
  }
  const params = paramReader(nodeType(node.type), node.params);
  const vocabulary = node.type === 'text' ? vocabularyOf(params.choice('corpus')) : TRANSLATION_VOCAB;
  const type = validation.outputType(into.from.node, into.from.port);
  if (!type || type.shape.length !== 3 || type.shape[2] !== vocabulary.length) {
    const shape = type ? `(${type.shape.join(', ')})` : 'of unknown shape';
    return { ok: false, reason: `The scores ${into.from.node}.${into.from.port} are ${shape}; sampling needs one score per token of the ${vocabulary.length}-token vocabulary at each position, (B, T, ${vocabulary.length}).` };
  }
  const base = { data: node.id, logits: { ...into.from }, vocabulary };
  if (node.type === 'translation') return { ...base, ok: true, kind: 'translation', length: params.int('length'), task: params.choice('task') };
  const corpus = params.choice('corpus');
  const names = corpus !== 'custom text';
  // Names start after a '.', as every name in the corpus does; custom text continues from its first character.
  const prompt = names ? '.' : (params.text('text').split('').find((c) => vocabulary.includes(c)) ?? '\n');
  return { ...base, ok: true, kind: 'text', blockSize: params.int('blockSize'), prompt, names };
}

export interface Sample {
  /** What the model was given: the source for a translation, '' for text. */
  source: string;
  /** What it has written so far. */
  text: string;
  done: boolean;
  /** For a translation, the right answer. */
  expected?: string;
}

/** How many tokens a sample may take: a name ends at its '.', custom text runs this long. */
const MAX_NAME = 16;
const MAX_TEXT = 100;

export class GraphSampler {
  readonly samples: Sample[];
  /** Every sample's token ids so far, the prompt (or BOS) first. */
  private readonly ids: number[][];
  private readonly sources: number[][];
  private readonly random: () => number;
  private readonly options: nn.SamplingOptions;
  private tokens = 0;

  constructor(
    private readonly graph: CompiledGraph,
    private readonly plan: Extract<SamplingPlan, { ok: true }>,
    settings: SampleSettings,
    count = plan.kind === 'text' ? (plan.names ? 6 : 1) : 4,
  ) {
    for (const name of Object.keys(SAMPLE_SETTINGS) as SampleSettingName[]) {
      const problem = sampleSettingProblem(name, settings[name]);
      if (problem) throw new Error(problem);
    }
    this.random = mulberry32(settings.seed);
    this.options = { temperature: settings.temperature, topK: settings.topK > 0 ? settings.topK : undefined };
    const v = plan.vocabulary;
    if (plan.kind === 'translation') {
      this.sources = Array.from({ length: count }, () => Array.from({ length: plan.length }, () => Math.floor(this.random() * 10)));
      this.ids = this.sources.map(() => [BOS]);
      this.samples = this.sources.map((s) => ({ source: s.join(''), text: '', done: false, expected: translate(plan.task, s).join('') }));
    } else {
      this.sources = [];
      this.ids = Array.from({ length: count }, () => [...plan.prompt].map((c) => v.indexOf(c)));
      this.samples = this.ids.map(() => ({ source: '', text: '', done: false }));
    }
  }

  get finished(): boolean {
    return this.samples.every((s) => s.done);
  }

  /** One forward pass: the next token of every sample not yet done. */
  async step(): Promise<void> {
    if (this.finished) return;
    const plan = this.plan;
    const n = this.ids.length;
    // The window every row sees: the last T tokens for text (the model never saw more), all so far for a decoder.
    const t = plan.kind === 'text' ? Math.min(this.ids[0].length, plan.blockSize) : this.ids[0].length;
    const V = plan.vocabulary.length;
    const g = this.graph;
    const wasTraining = g.module.training;
    let scores: Tensor;
    try {
      scores = noGrad(() =>
        tidy(() => {
          const window = Int32Array.from(this.ids.flatMap((row) => row.slice(row.length - t)));
          const zeros = new Int32Array(n * t); // a target the loss needs to run; its value is never read
          const ids = (data: Int32Array, shape: number[]): Tensor => tensor(data, shape, { device: g.device });
          const feeds: Feeds = {
            [plan.data]: plan.kind === 'text'
              ? { tokens: ids(window, [n, t]), next: ids(zeros, [n, t]) }
              : { source: ids(Int32Array.from(this.sources.flat()), [n, plan.length]), decoderIn: ids(window, [n, t]), decoderTarget: ids(zeros, [n, t]) },
          };
          const logits = g.forward(feeds, { training: false, hooks: false }).outputs[plan.logits.node][plan.logits.port]; // (n, t, V)
          return logits.slice(1, t - 1, t).reshape([n, V]); // the scores for the token after the window
        }),
      );
    } finally {
      g.module.train(wasTraining);
    }
    const rows = await scores.toArray();
    scores.dispose();
    this.tokens++;
    for (let i = 0; i < n; i++) {
      const s = this.samples[i];
      const next = nn.sampleToken(rows.subarray(i * V, (i + 1) * V), this.options, this.random);
      this.ids[i].push(next); // finished rows run on too, so every row keeps the same length; what they write is dropped
      if (s.done) continue;
      if (plan.kind === 'translation') {
        if (next === EOS) s.done = true;
        else s.text += plan.vocabulary[next];
        // The target is as long as the source, then EOS: a decoder that hasn't stopped by then never will.
        if (this.tokens >= plan.length + 1) s.done = true;
      } else if (plan.names && next === plan.vocabulary.indexOf('.')) {
        s.done = true;
      } else {
        s.text += plan.vocabulary[next];
        if (this.tokens >= (plan.names ? MAX_NAME : MAX_TEXT)) s.done = true;
      }
    }
  }
}
