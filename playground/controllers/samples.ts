// Samples while a text model trains, as a Lit ReactiveController beside the TrainerController: while the Samples tab
// is open it draws samples (graph/sample.ts) from the model being trained — at once, then again `every` steps after
// the last set was finished, or on demand — one token per forward pass, each run between training steps
// (TrainerController.exclusive) with a yield to the event loop after it, so training and the page keep going while
// a sample is written. The first set is shown as it is written; later ones replace the set shown once finished, so
// finished samples stay readable while training goes on.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { CompiledGraph } from '../graph/compile';
import { GraphSampler, sampleSettingProblem, samplingPlan, type Sample, type SampleSettings } from '../graph/sample';
import { errorMessage } from '../dom';
import type { TrainerController } from './trainer';

export interface SamplesSettings extends SampleSettings {
  /** Training steps between two refreshes. */
  every: number;
}

export const EVERY = { label: 'Refresh every (steps)', min: 1, max: 100000 };

/** Why a value can't be the refresh interval, or null when it can. */
export function everyProblem(value: number): string | null {
  if (Number.isInteger(value) && value >= EVERY.min && value <= EVERY.max) return null;
  return `${EVERY.label} must be a whole number from ${EVERY.min} to ${EVERY.max}; got ${value}.`;
}

/** Why settings can't be used, naming the first bad one, or null. */
export function samplesSettingsProblem(s: SamplesSettings): string | null {
  for (const name of ['temperature', 'topK', 'seed'] as const) {
    const problem = sampleSettingProblem(name, s[name]);
    if (problem) return problem;
  }
  return everyProblem(s.every);
}

export const DEFAULT_SAMPLES_SETTINGS: SamplesSettings = { temperature: 0.8, topK: 0, seed: 1, every: 100 };

const yieldToEventLoop = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

export class SamplesController implements ReactiveController {
  /** Bumped whenever anything below changes. */
  version = 0;
  settings: SamplesSettings = DEFAULT_SAMPLES_SETTINGS;
  /** The samples shown: the last finished set, or the first set as it is written. */
  samples: Sample[] = [];
  kind: 'text' | 'translation' | null = null;
  /** The training step the samples shown were started at; null before any. */
  step: number | null = null;
  /** The training step the last set was finished at, from which the next refresh counts; null before any. */
  private finishedAt: number | null = null;
  /** A run is writing samples now. */
  running = false;
  /** Why the model can't be sampled, or what went wrong; '' when all is well. */
  message = '';

  private active = false;
  private graph: CompiledGraph | null = null;
  /** Bumped to abandon the run in flight (a new run, a new graph, the tab closed). */
  private run = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly trainer: TrainerController,
  ) {
    host.addController(this);
  }

  hostUpdated(): void {
    // After the update, not inside it: a run asks the host to render again.
    queueMicrotask(() => this._sync());
  }

  hostDisconnected(): void {
    this.active = false;
    this.run++;
  }

  /** Whether the samples are shown (the Samples tab is open): they are drawn only then. */
  setActive(on: boolean): void {
    if (on === this.active) return;
    this.active = on;
    if (!on) {
      this.run++;
      this.running = false;
    }
    this._changed();
  }

  /** New settings (already checked by the panel): the samples are drawn again with them. */
  setSettings(settings: SamplesSettings): void {
    const problem = samplesSettingsProblem(settings);
    if (problem) throw new Error(problem);
    this.settings = settings;
    this._changed();
    this.sampleNow();
  }

  /** Draws a fresh set of samples now, abandoning any run in flight. */
  sampleNow(): void {
    void this._sample();
  }

  private _changed(): void {
    this.version++;
    this.host.requestUpdate();
  }

  private _sync(): void {
    if (!this.active) return;
    const g = this.trainer.graph;
    // A new graph (or none yet, not said so yet): start over from it.
    if (g !== this.graph || (!g && !this.message)) {
      this.graph = g;
      this.run++;
      this.running = false;
      this.samples = [];
      this.step = this.finishedAt = null;
      this.kind = null;
      this.message = g ? '' : 'Samples appear once the graph is ready to train.';
      if (g) void this._sample();
      else this._changed();
      return;
    }
    if (g && !this.running && this.finishedAt !== null && this.trainer.stepCount - this.finishedAt >= this.settings.every) void this._sample();
  }

  private async _sample(): Promise<void> {
    const g = this.trainer.graph;
    if (!g || !this.active) return;
    const run = ++this.run;
    const stale = (): boolean => run !== this.run || g !== this.trainer.graph;
    const plan = samplingPlan(g.state, g.validation);
    const step = this.trainer.stepCount;
    if (!plan.ok) {
      this.running = false;
      this.samples = [];
      this.kind = null;
      this.step = this.finishedAt = step;
      this.message = plan.reason;
      this._changed();
      return;
    }
    let sampler: GraphSampler;
    try {
      sampler = new GraphSampler(g, plan, this.settings);
    } catch (e) {
      this.message = errorMessage(e);
      this._changed();
      return;
    }
    this.running = true;
    this.message = '';
    // The first set is shown as it is written; a later one waits until finished, the set before staying shown.
    const live = !this.samples.length || this.kind !== plan.kind;
    const show = (): void => {
      this.samples = sampler.samples.map((s) => ({ ...s }));
      this.kind = plan.kind;
      this.step = step;
    };
    if (live) show();
    this._changed();
    try {
      while (!sampler.finished) {
        await this.trainer.exclusive(async () => (stale() ? undefined : sampler.step()));
        if (stale()) return;
        if (live) show();
        this._changed();
        await yieldToEventLoop();
      }
      show();
      this.finishedAt = this.trainer.stepCount;
    } catch (e) {
      if (!stale()) this.message = `Sampling stopped: ${errorMessage(e)}`;
    } finally {
      if (run === this.run) {
        this.running = false;
        this._changed();
      }
    }
  }
}
