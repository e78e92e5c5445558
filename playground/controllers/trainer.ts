// Training as a Lit ReactiveController. It owns the compiled graph and the graph model's Trainer, and runs
// Forward, Backward, Step and the Train loop without freezing the page: every step is awaited (the loss is read
// back, so the GPU has finished it) and the loop then yields to the event loop before the next one, so input,
// rendering and the Pause button keep working.
//
// Pipelines are compiled ahead: shortly after the graph becomes valid the controller builds the modules, loads the
// data and hands a training step to the engine's warmup(), which learns the kernels the step needs without running
// it and compiles them asynchronously, so the page keeps drawing. A progress indicator shows this; clicking Train
// afterwards only runs steps.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { compileGraph, GraphCompileError, type CompiledGraph, type Feeds } from '../graph/compile';
import { Trainer, type OptimizerName } from '../graph/train';
import type { DataSource } from '../graph/node-type';
import type { Validation } from '../graph/validate';
import type { GraphState } from '../graph/types';
import type { TrainSettings } from '../graph/schema';
import {
  tensor, zeros, tidy, dispose, noGrad, mulberry32, loadModuleSafetensors, nn, optim, warmup, type Tensor,
} from '../../engine/index';
import Module = nn.Module;
import Adam = optim.Adam;
import AdamW = optim.AdamW;
import SGD = optim.SGD;
import { errorMessage } from '../dom';

export type TrainPhase = 'waiting' | 'invalid' | 'preparing' | 'ready' | 'training' | 'error';

export interface TrainerInput {
  state: GraphState;
  validation: Validation;
  settings: TrainSettings;
  /** False until the engine has opened a device (WebGPU, or the CPU fallback). */
  deviceReady: boolean;
}

export interface Progress {
  label: string;
  done: number;
  total: number;
}

export interface History {
  steps: number[];
  loss: number[];
  /** Held-out accuracy, measured every EVAL_EVERY steps where the graph has a cross-entropy loss. */
  accSteps: number[];
  acc: number[];
}

const EVAL_EVERY = 20;
const PREPARE_DELAY_MS = 250;

/** What changes the weights (a new graph or seed recompiles) versus what only changes the optimizer. */
function structureKey(state: GraphState, settings: TrainSettings): string {
  return JSON.stringify([state.nodes.map((n) => [n.id, n.type, n.params]), state.edges, settings.seed]);
}
function optimizerKey(s: TrainSettings): string {
  return `${s.optimizer}/${s.batchSize}`;
}

const yieldToEventLoop = (): Promise<void> => new Promise((r) => setTimeout(r, 0));
const nextFrame = (): Promise<void> => new Promise((r) => requestAnimationFrame(() => r()));

export class TrainerController implements ReactiveController {
  phase: TrainPhase = 'waiting';
  /** Why the graph can't train (phase 'invalid' or 'error'), or the result of the last manual action. */
  message = '';
  progress: Progress = { label: '', done: 0, total: 1 };
  history: History = { steps: [], loss: [], accSteps: [], acc: [] };
  stepCount = 0;
  loss: number | null = null;
  /** The loss before any update (the first step's, taken before its update), so "the loss fell" can be read off the page. */
  initialLoss: number | null = null;
  accuracy: number | null = null;
  gradNorm: number | null = null;
  /** Milliseconds from clicking Train to the first step's loss being drawn (the latest run). */
  firstStepMs: number | null = null;
  prepareMs: number | null = null;

  private compiled: CompiledGraph | null = null;
  private trainer: Trainer | null = null;
  private sources: Map<string, DataSource> | null = null;
  private rand = mulberry32(1);
  private generation = 0;
  private preparing: Promise<boolean> | null = null;
  private running = false;
  private inflight: Promise<unknown> = Promise.resolve();
  private structure = '';
  private optimizerSettings = '';
  private prepareTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly input: () => TrainerInput,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.sync();
  }

  hostDisconnected(): void {
    this.reset();
  }

  get isTraining(): boolean {
    return this.running;
  }

  /** The compiled graph (for the views' probes and hooks), once prepared; a new object after each recompile. */
  get graph(): CompiledGraph | null {
    return this.trainer ? this.compiled : null;
  }

  /** The loaded data source behind a data node, once prepared (the views read its vocabulary). */
  dataSource(id: string): DataSource | undefined {
    return this.sources?.get(id);
  }

  /** Runs GPU work (a view's read-back) between training steps, never in the middle of one. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this._serial(work);
  }

  /** The compiled graph's parameters (for saving weights and PyTorch export), once prepared. */
  get module(): Module | null {
    return this.compiled?.module ?? null;
  }

  /**
   * Call after any change to the graph, the settings or the device. A change of structure or seed drops the
   * compiled graph (and its weights) and prepares again shortly; optimizer settings only rebuild the optimizer.
   */
  sync(): void {
    const { state, validation, settings, deviceReady } = this.input();
    const structure = structureKey(state, settings);
    if (structure !== this.structure) {
      this.structure = structure;
      this.optimizerSettings = optimizerKey(settings);
      this.reset();
      if (!state.nodes.length) this._set('waiting', 'Add nodes, or open an example, to train.');
      else if (!validation.ok) this._set('invalid', explain(validation));
      else if (!state.nodes.some((n) => n.type === 'crossentropy' || n.type === 'mse')) this._set('invalid', 'Add a loss node to train.');
      else if (!deviceReady) this._set('waiting', 'Opening the engine…');
      else {
        this._set('waiting', 'Preparing shortly…');
        this.prepareTimer = setTimeout(() => void this.prepare(), PREPARE_DELAY_MS);
      }
      return;
    }
    if (this.trainer) {
      this.trainer.optimizer.lr = settings.lr; // a new rate applies from the next step, keeping Adam's moments
      if (optimizerKey(settings) !== this.optimizerSettings) {
        this.optimizerSettings = optimizerKey(settings);
        void this._replaceOptimizer(settings);
      }
    }
  }

  /** Drops the compiled graph (after any step in flight finishes) and the history. */
  private reset(): void {
    this.generation++;
    this.running = false;
    if (this.prepareTimer) clearTimeout(this.prepareTimer);
    this.prepareTimer = null;
    this.preparing = null;
    const { compiled, trainer } = this;
    this.compiled = this.trainer = null;
    this.sources = null;
    void this.inflight.finally(() => {
      trainer?.dispose();
      compiled?.dispose();
    });
    this.history = { steps: [], loss: [], accSteps: [], acc: [] };
    this.stepCount = 0;
    this.loss = this.initialLoss = this.accuracy = this.gradNorm = null;
    this.prepareMs = null;
    this._changed();
  }

  /** Bumped on every change a view shows (the history arrays grow in place, so views compare this). */
  version = 0;

  private _changed(): void {
    this.version++;
    this.host.requestUpdate();
  }

  private _set(phase: TrainPhase, message = this.message): void {
    this.phase = phase;
    this.message = message;
    this._changed();
  }

  private _progress(label: string, done: number, total = 3): void {
    this.progress = { label, done, total };
    this._changed();
  }

  /** Compiles the graph, loads its data and warms every pipeline up. Resolves to whether it is ready. */
  prepare(): Promise<boolean> {
    if (this.compiled && this.trainer) return Promise.resolve(true);
    if (this.phase === 'invalid') return Promise.resolve(false);
    this.preparing ??= this._prepare(this.generation);
    return this.preparing;
  }

  private async _prepare(generation: number): Promise<boolean> {
    const { state, settings, deviceReady } = this.input();
    if (!deviceReady) return false;
    const stale = (): boolean => generation !== this.generation;
    const t0 = performance.now();
    this._set('preparing', '');
    let compiled: CompiledGraph | null = null;
    try {
      this._progress('Building the modules', 0);
      await yieldToEventLoop();
      compiled = compileGraph(state, { seed: settings.seed });
      this._progress('Loading the data', 1);
      const trainer = await Trainer.create(compiled, trainerOptions(settings));
      const sources = compiled.sources();
      await Promise.all([...sources.values()].map((s) => s.load()));
      if (stale()) {
        trainer.dispose();
        compiled.dispose();
        return false;
      }
      this._progress('Compiling GPU pipelines', 2);
      await yieldToEventLoop();
      this.rand = mulberry32(settings.seed + 1);
      await this._compileAhead(compiled, sources, trainer, settings.optimizer);
      if (stale()) {
        trainer.dispose();
        compiled.dispose();
        return false;
      }
      this.compiled = compiled;
      this.trainer = trainer;
      this.sources = sources;
      this.prepareMs = performance.now() - t0;
      this._progress('Ready', 3);
      this._set('ready', '');
      return true;
    } catch (e) {
      compiled?.dispose();
      if (stale()) return false;
      this._set(e instanceof GraphCompileError ? 'invalid' : 'error', errorMessage(e));
      return false;
    }
  }

  /**
   * Compiles every pipeline of a training step without running one (engine/warmup.ts): a forward, backward and
   * update walked through in collect mode, where nothing is computed. The batch is drawn from a throwaway random
   * stream (only its shapes matter), so the real batches are the ones a cold start would draw, and the update is a
   * throwaway optimizer's of the same kind, so the real one's state (Adam's moments, its step count) starts clean.
   */
  private async _compileAhead(compiled: CompiledGraph, sources: Map<string, DataSource>, trainer: Trainer, name: OptimizerName): Promise<void> {
    const params = compiled.module.parameters();
    await warmup(() => {
      const loss = compiled.forward(this._feeds(compiled, sources, trainer.batchSize, mulberry32(0)), { training: true }).loss!;
      loss.backward();
      const opt = throwawayOptimizer(name, params);
      opt.step();
      opt.dispose();
    });
    trainer.optimizer.zeroGrad(); // the warm-up left gradients that hold no values
  }

  private _feeds(compiled: CompiledGraph, sources: Map<string, DataSource>, batchSize: number, rand = this.rand): Feeds {
    const feeds: Feeds = {};
    for (const [id, s] of sources) {
      const b = s.batch(batchSize, rand);
      feeds[id] = Object.fromEntries(Object.entries(b).map(([port, h]) => [port, tensor(h.data, h.shape, { device: compiled.device })]));
    }
    return feeds;
  }

  private async _replaceOptimizer(settings: TrainSettings): Promise<void> {
    const compiled = this.compiled;
    if (!compiled) return;
    await this.inflight;
    if (this.compiled !== compiled) return;
    this.trainer?.dispose();
    this.trainer = await Trainer.create(compiled, trainerOptions(settings));
    await warmUpOptimizer(settings.optimizer, compiled.module.parameters());
  }

  /** Runs `work` after any step in flight, so two GPU passes never interleave. */
  private _serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.inflight.then(work, work);
    this.inflight = run.catch(() => undefined);
    return run;
  }

  // ---- the controls ----

  /** Forward only: the loss on a fresh batch, without recording gradients. */
  async forward(): Promise<void> {
    if (!(await this.prepare())) return;
    await this._serial(async () => {
      const { compiled, sources, trainer } = this;
      if (!compiled || !sources || !trainer) return;
      const loss = noGrad(() => tidy(() => compiled.forward(this._feeds(compiled, sources, trainer.batchSize), { training: false }).loss!));
      compiled.module.train(true);
      const value = await loss.item();
      loss.dispose();
      this.message = `Forward: loss ${value.toFixed(4)} on a fresh batch (weights unchanged).`;
      this._changed();
    });
  }

  /** Forward and backward: fills every parameter's gradient and reports their overall size. */
  async backward(): Promise<void> {
    if (!(await this.prepare())) return;
    await this._serial(async () => {
      const { compiled, sources, trainer } = this;
      if (!compiled || !sources || !trainer) return;
      trainer.optimizer.zeroGrad();
      const loss = tidy(() => compiled.forward(this._feeds(compiled, sources, trainer.batchSize), { training: true }).loss!);
      loss.backward();
      const grads = compiled.module.parameters().flatMap((p) => (p.grad ? [p.grad] : []));
      const norm = tidy(() => grads.map((g) => g.square().sum()).reduce((a: Tensor, b: Tensor) => a.add(b)).sqrt());
      const [value, n] = [await loss.item(), await norm.item()];
      dispose([loss, norm]);
      this.gradNorm = n;
      this.message = `Backward: loss ${value.toFixed(4)}, gradient norm ${n.toPrecision(3)} (press Step to update the weights).`;
      this._changed();
    });
  }

  /** One optimizer step on a fresh batch. */
  async step(): Promise<void> {
    if (this.running || !(await this.prepare())) return;
    await this._serial(() => this._trainStep());
    this.message = `Step ${this.stepCount}: loss ${this.loss?.toFixed(4)}.`;
    this._changed();
  }

  toggle(): void {
    if (this.running) this.pause();
    else void this.start();
  }

  /** Stops after the step in flight; the loop then reports where it paused. */
  pause(): void {
    this.running = false;
  }

  /** Trains until paused: one step, then a yield to the event loop, and so on. */
  async start(): Promise<void> {
    if (this.running) return;
    const clickedAt = performance.now();
    this.running = true;
    const generation = this.generation;
    this._set(this.compiled ? 'training' : this.phase, '');
    if (!(await this.prepare()) || generation !== this.generation || !this.running) {
      this.running = false;
      return;
    }
    this._set('training', '');
    let first = true;
    while (this.running && generation === this.generation) {
      try {
        await this._serial(() => this._trainStep());
      } catch (e) {
        this.running = false;
        this._set('error', `Training stopped: ${errorMessage(e)}`);
        return;
      }
      if (first) {
        first = false;
        await this.host.updateComplete;
        await nextFrame();
        this.firstStepMs = performance.now() - clickedAt;
        console.info(`[playground] Train → first step drawn: ${this.firstStepMs.toFixed(0)} ms (prepared in ${this.prepareMs?.toFixed(0)} ms)`);
        this._changed();
      }
      await yieldToEventLoop();
    }
    if (generation === this.generation && this.phase === 'training') this._set('ready', `Paused at step ${this.stepCount}.`);
  }

  private async _trainStep(): Promise<void> {
    const trainer = this.trainer;
    if (!trainer) return;
    const loss = await trainer.step();
    if (trainer !== this.trainer) return;
    this.stepCount++;
    this.loss = loss;
    this.initialLoss ??= loss; // the first step's loss is taken before its update
    this.history.steps.push(this.stepCount);
    this.history.loss.push(loss);
    if (this.stepCount % EVAL_EVERY === 0 && this.compiled?.state.nodes.some((n) => n.type === 'crossentropy')) {
      try {
        const ev = await trainer.evaluate(256);
        if (ev.accuracy !== null) {
          this.accuracy = ev.accuracy;
          this.history.accSteps.push(this.stepCount);
          this.history.acc.push(ev.accuracy);
        }
      } catch {
        // Sources without held-out examples have no accuracy to show.
      }
    }
    this._changed();
  }

  /** Loads weights saved with Save (safetensors) into the compiled graph. */
  async loadWeights(bytes: Uint8Array): Promise<void> {
    if (!(await this.prepare()) || !this.compiled) throw new Error('The graph must be valid before weights can be loaded into it.');
    const compiled = this.compiled;
    await this._serial(async () => loadModuleSafetensors(compiled.module, bytes));
    this.message = 'Loaded the weights.';
    this._changed();
  }
}

function trainerOptions(s: TrainSettings): { optimizer: OptimizerName; lr: number; batchSize: number; seed: number } {
  return { optimizer: s.optimizer, lr: s.lr, batchSize: s.batchSize, seed: s.seed };
}

function throwawayOptimizer(name: OptimizerName, params: Tensor[]): SGD | Adam {
  return name === 'sgd' ? new SGD(params, { lr: 0 }) : name === 'adamw' ? new AdamW(params, { lr: 0 }) : new Adam(params, { lr: 0 });
}

/**
 * Compiles a new optimizer's update kernels ahead (engine/warmup.ts): a throwaway optimizer's step walked through
 * over the parameters with stand-in gradients, and no forward, since the graph's views may be listening to one.
 * The real gradients are put back untouched.
 */
async function warmUpOptimizer(name: OptimizerName, params: Tensor[]): Promise<void> {
  await warmup(() => {
    const grads = params.map((p) => p.grad);
    try {
      for (const p of params) p.grad = zeros(p.shape, { device: p.device });
      const opt = throwawayOptimizer(name, params);
      opt.step();
      opt.dispose();
    } finally {
      params.forEach((p, i) => (p.grad = grads[i]));
    }
  });
}

function explain(v: Validation): string {
  const errors = v.issues.filter((i) => i.severity === 'error');
  const first = errors[0];
  return `${errors.length} problem${errors.length === 1 ? '' : 's'} to fix before training${first ? `: ${first.node ? `${first.node}: ` : ''}${first.message}` : '.'}`;
}
