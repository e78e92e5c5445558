// Training as a Lit ReactiveController. It owns the compiled graph and the graph model's Trainer, and runs
// Forward, Backward, Step and the Train loop without freezing the page: every step is awaited (the loss is read
// back, so the GPU has finished it) and the loop then yields to the event loop before the next one, so input,
// rendering and the Pause button keep working.
//
// Pipelines are compiled ahead: shortly after the graph becomes valid the controller builds the modules, loads the
// data and hands a training step to the engine's warmup(), which learns the kernels the step needs without running
// it and compiles them asynchronously, so the page keeps drawing. A progress indicator shows this; clicking Train
// afterwards only runs steps.
//
// Training survives edits: an edit keeps the prepared graph aside (through any invalid states in between) until the
// edited one is prepared, which then continues from it: every parameter whose node, name and shape are unchanged
// keeps its values and optimizer state, the rest start from their initialisation, a message says which, and the
// step count carries on. Only a new graph (New, an example, a file) or a new seed starts over.
//
// It also survives losing the GPU device: every parameter is read back to the host now and then (with the gradient
// norm the tiles show, in one round trip, at most every READ_BACK_MS), and after the engine opens a new device the
// graph is prepared again from those weights and training resumes.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { compileGraph, GraphCompileError, type CompiledGraph, type Feeds } from '../graph/compile';
import { Trainer, trainBlocker, EVAL_EVERY, EVAL_EXAMPLES, type HostParam, type OptimizerName } from '../graph/train';
import { describeCarry } from '../graph/carry';
import type { DataSource } from '../graph/node-type';
import type { Validation } from '../graph/validate';
import type { GraphState } from '../graph/types';
import type { TrainSettings } from '../graph/schema';
import {
  tensor, zeros, tidy, noGrad, dispose, mulberry32, loadModuleSafetensors, nn, optim, warmup, DeviceLostError, type Tensor,
} from '../../engine/index';
import Module = nn.Module;
import Adam = optim.Adam;
import AdamW = optim.AdamW;
import SGD = optim.SGD;
import { errorMessage } from '../dom';

export type TrainPhase = 'waiting' | 'invalid' | 'preparing' | 'ready' | 'training' | 'error' | 'lost';

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

const PREPARE_DELAY_MS = 250;
/** The least time between two read-backs of the weights while training (as often as the views refresh). */
const READ_BACK_MS = 500;

/** A prepared graph: what an edit keeps aside for the edited graph to continue from. */
interface Prepared {
  compiled: CompiledGraph;
  trainer: Trainer;
}

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
  private seed: number | null = null;
  private prepareTimer: ReturnType<typeof setTimeout> | null = null;
  /** The last prepared graph, kept from an edit until the edited graph is prepared and continues from it. */
  private previous: Prepared | null = null;
  /** Set by startOver(): the next graph is another one, so nothing carries over to it. */
  private fresh = true;
  /** An edit (or a lost device) stopped training: it resumes once the graph is prepared again. */
  private resume = false;
  /** Every parameter as last read back, and the step it is from: what survives a lost device. */
  private saved: { weights: HostParam[]; step: number } | null = null;
  private lastReadBack = -Infinity;
  /** Why the device was lost, until a new one is open (phase 'lost'). */
  lostReason: string | null = null;
  /**
   * The training loop stopped on an error. A lost device fails the step in flight before the device's `lost`
   * promise settles, so this tells deviceLost() that training was running and should resume.
   */
  private stoppedByError = false;
  /** Weights were loaded from a file since the last reset: then even an untrained graph has weights worth keeping. */
  private loadedWeights = false;

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
   * Call after any change to the graph, the settings or the device. A change of structure prepares again shortly,
   * continuing from the graph before it (startOver() or a new seed starts from scratch instead); optimizer
   * settings only rebuild the optimizer.
   */
  sync(): void {
    const { state, settings } = this.input();
    const structure = structureKey(state, settings);
    if (structure !== this.structure) {
      const edit = !this.fresh && settings.seed === this.seed;
      this.fresh = false;
      this.structure = structure;
      this.seed = settings.seed;
      this.optimizerSettings = optimizerKey(settings);
      if (edit) this.retire();
      else this.reset();
      this._schedulePrepare();
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

  /** The next graph is a different one (New, an example, a file): training starts over on it at the next sync(). */
  startOver(): void {
    this.fresh = true;
    this.structure = ''; // even when it has the same structure as the one it replaces
  }

  /** Says why the graph can't train, or prepares it shortly. */
  private _schedulePrepare(): void {
    const { state, validation, deviceReady } = this.input();
    const blocked = trainBlocker(state, validation);
    if (blocked) this._set(blocked.phase, blocked.message);
    else if (this.lostReason !== null) this._set('lost', this._lostMessage());
    else if (!deviceReady) this._set('waiting', 'Opening the engine…');
    else {
      this._set('waiting', 'Preparing shortly…');
      this.prepareTimer = setTimeout(() => void this.prepare(), PREPARE_DELAY_MS);
    }
  }

  /** Stops the loop (after the step in flight) and any preparing. */
  private _stop(): void {
    this.generation++;
    this.running = false;
    if (this.prepareTimer) clearTimeout(this.prepareTimer);
    this.prepareTimer = null;
    this.preparing = null;
  }

  /** Frees a prepared graph once any step in flight has finished with it. */
  private _disposeLater(p: Prepared | null): void {
    if (p) void this.inflight.finally(() => disposePrepared(p));
  }

  /** Drops the compiled graph, the one kept aside, the weights read back and the history. */
  private reset(): void {
    this._stop();
    this.resume = false;
    this._disposeLater(this.previous);
    this._disposeLater(this.compiled && this.trainer ? { compiled: this.compiled, trainer: this.trainer } : null);
    this.previous = null;
    this.compiled = this.trainer = null;
    this.sources = null;
    this.saved = null;
    this.loadedWeights = false;
    this.history = { steps: [], loss: [], accSteps: [], acc: [] };
    this.stepCount = 0;
    this.loss = this.initialLoss = this.accuracy = this.gradNorm = null;
    this.firstStepMs = this.prepareMs = null;
    this._changed();
  }

  /**
   * An edit: stops (training resumes once the edited graph is prepared) and keeps the prepared graph aside for the
   * edited one to continue from. While edits follow one another before any is prepared (or leave the graph
   * invalid), the graph kept aside stays the last one prepared.
   */
  private retire(): void {
    this.resume ||= this.running;
    this._stop();
    if (this.compiled && this.trainer) {
      this._disposeLater(this.previous);
      this.previous = { compiled: this.compiled, trainer: this.trainer };
    }
    this.compiled = this.trainer = null;
    this.sources = null;
    this.firstStepMs = null; // it timed a graph that is gone
    this._changed();
  }

  /**
   * The GPU device was lost: every tensor on it is gone. Stops, keeps the graph and the weights last read back,
   * and waits for recover() (after the engine opened a new device).
   */
  deviceLost(reason: string): void {
    if (this.lostReason !== null) return;
    this.lostReason = reason;
    this.resume ||= this.running || (this.phase === 'error' && this.stoppedByError);
    this._stop();
    // Their tensors are gone with the device; disposing them only drops the references. Steps in flight will
    // fail, not finish, so nothing waits on them.
    for (const p of [this.previous, this.compiled && this.trainer ? { compiled: this.compiled, trainer: this.trainer } : null]) {
      if (p) disposePrepared(p);
    }
    this.previous = null;
    this.compiled = this.trainer = null;
    this.sources = null;
    this.inflight = Promise.resolve();
    this._set('lost', this._lostMessage());
  }

  /** After init() opened a new device: prepares the graph again from the weights last read back, and resumes. */
  recover(): void {
    if (this.lostReason === null) return;
    this.lostReason = null;
    this._stop();
    this._schedulePrepare();
  }

  private _lostMessage(): string {
    // The banner above says why; this says what is kept.
    const kept = this.saved ? `the graph and the weights read back at step ${this.saved.step} are kept` : 'the graph is kept';
    return `The GPU device was lost: ${kept}. Reopen WebGPU to ${this.saved ? 'resume from them' : 'train'}.`;
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
    const { state, validation } = this.input();
    if (trainBlocker(state, validation) || this.lostReason !== null) return Promise.resolve(false);
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
      // After any step still in flight on the graph kept aside, so that it continues from that step's update.
      const carried = await this._serial(async () => (stale() ? null : this._continue(trainer)));
      if (carried === null) {
        trainer.dispose();
        compiled.dispose();
        return false;
      }
      this.compiled = compiled;
      this.trainer = trainer;
      this.sources = sources;
      this.prepareMs = performance.now() - t0;
      this._progress('Ready', 3);
      this._set('ready', carried);
      if (this.resume) {
        this.resume = false;
        void this.start(carried);
      }
      return true;
    } catch (e) {
      compiled?.dispose();
      if (stale()) return false;
      this._set(e instanceof GraphCompileError ? 'invalid' : 'error', errorMessage(e));
      return false;
    }
  }

  /**
   * Carries what was learned into a newly prepared trainer: from the graph kept aside by an edit, or after a lost
   * device from the weights last read back. Returns what to tell the user ('' when there was nothing to carry).
   */
  private _continue(trainer: Trainer): string {
    const previous = this.previous;
    if (previous) {
      this.previous = null;
      const plan = trainer.continueFrom(previous.trainer);
      disposePrepared(previous);
      // Before any training there is nothing to lose, so nothing to report.
      return this.stepCount > 0 || this.loadedWeights ? describeCarry(plan, this.stepCount) : '';
    }
    if (this.saved) {
      // Only after a lost device: otherwise the graph kept aside is newer than any read-back.
      const { weights, step } = this.saved;
      const plan = trainer.restore(weights, step);
      this._rewindTo(step);
      return `Restored the weights read back at step ${step} on the new device; the optimizer's state starts over. ${describeCarry(plan, step)}`;
    }
    return '';
  }

  /** Forgets the steps after `step` (their updates were lost with the device). */
  private _rewindTo(step: number): void {
    const h = this.history;
    const keep = <T>(steps: number[], values: T[]): number => {
      const n = steps.filter((s) => s <= step).length;
      steps.length = values.length = n;
      return n;
    };
    const n = keep(h.steps, h.loss);
    keep(h.accSteps, h.acc);
    this.stepCount = step;
    this.loss = n ? h.loss[n - 1] : null;
    this.gradNorm = null;
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
    // The held-out evaluation every EVAL_EVERY steps runs kernels a step doesn't (eval mode, argmax, eq, mean, the
    // held-out batch's shapes): compiled on first use, they held the page up at step EVAL_EVERY for up to a second.
    if (compiled.state.nodes.some((n) => n.type === 'crossentropy')) {
      await warmup(() => {
        const { loss, correct } = trainer.encodeEvaluation(EVAL_EXAMPLES);
        dispose([loss, correct]);
      }).catch(() => undefined); // sources without held-out examples are never evaluated (see _trainStep)
    }
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
      const value = await this._lossOnFreshBatch(compiled, sources, trainer);
      this.loss = value; // the tile and the message agree on the latest loss measured
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
      const value = await loss.item();
      loss.dispose();
      await this._readBack(trainer);
      this.loss = value;
      this.message = `Backward: loss ${value.toFixed(4)}, gradient norm ${this.gradNorm?.toPrecision(3) ?? '—'} (press Step to update the weights).`;
      this._changed();
    });
  }

  /** One optimizer step on a fresh batch. */
  async step(): Promise<void> {
    if (this.running || !(await this.prepare())) return;
    await this._serial(() => this._trainStep(true));
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
    this.resume = false;
  }

  /** Trains until paused: one step, then a yield to the event loop, and so on. `message` stays shown meanwhile. */
  async start(message = ''): Promise<void> {
    if (this.running) return;
    const clickedAt = performance.now();
    this.running = true;
    this.stoppedByError = false;
    const generation = this.generation;
    this._set(this.compiled ? 'training' : this.phase, message);
    if (!(await this.prepare()) || generation !== this.generation || !this.running) {
      if (generation === this.generation) this.running = false;
      return;
    }
    this._set('training', message);
    let first = true;
    while (this.running && generation === this.generation) {
      try {
        await this._serial(() => this._trainStep());
      } catch (e) {
        if (generation !== this.generation) return; // an edit or a lost device stopped this loop and says so
        if (e instanceof DeviceLostError) return this.deviceLost(errorMessage(e)); // resumes once a new device is open
        this.running = false;
        this.stoppedByError = true;
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
    if (generation !== this.generation || this.phase !== 'training') return;
    // The tiles and the weights kept on the host then show where training paused.
    await this._serial(async () => (this.trainer ? this._readBack(this.trainer) : undefined)).catch(() => undefined);
    if (generation === this.generation && this.phase === 'training') this._set('ready', `Paused at step ${this.stepCount}.`);
  }

  /** One step; then, at most every READ_BACK_MS (or when `readBack`), the weights and gradient norm are read back. */
  private async _trainStep(readBack = false): Promise<void> {
    const trainer = this.trainer;
    if (!trainer) return;
    const loss = await trainer.step();
    // A step that finished after an edit still counts: the graph kept aside, which it updated, is continued from.
    if (trainer !== this.trainer && trainer !== this.previous?.trainer) return;
    this.stepCount++;
    this.loss = loss;
    this.initialLoss ??= loss; // the first step's loss is taken before its update
    this.history.steps.push(this.stepCount);
    this.history.loss.push(loss);
    if (this.stepCount % EVAL_EVERY === 0 && this.compiled?.state.nodes.some((n) => n.type === 'crossentropy')) {
      try {
        const ev = await trainer.evaluate(EVAL_EXAMPLES);
        if (ev.accuracy !== null) {
          this.accuracy = ev.accuracy;
          this.history.accSteps.push(this.stepCount);
          this.history.acc.push(ev.accuracy);
        }
      } catch {
        // Sources without held-out examples have no accuracy to show.
      }
    }
    if (trainer === this.trainer && (readBack || performance.now() - this.lastReadBack >= READ_BACK_MS)) await this._readBack(trainer);
    this._changed();
  }

  /** Reads every weight back to the host (what survives a lost device) and the gradient norm the tile shows. */
  private async _readBack(trainer: Trainer): Promise<void> {
    const { weights, gradNorm } = await trainer.readBack();
    this.lastReadBack = performance.now();
    if (trainer !== this.trainer) return;
    this.saved = { weights, step: this.stepCount };
    this.gradNorm = gradNorm;
  }

  private async _lossOnFreshBatch(compiled: CompiledGraph, sources: Map<string, DataSource>, trainer: Trainer): Promise<number> {
    const loss = noGrad(() => tidy(() => compiled.forward(this._feeds(compiled, sources, trainer.batchSize), { training: false }).loss!));
    compiled.module.train(true);
    const value = await loss.item();
    loss.dispose();
    return value;
  }

  /**
   * Loads weights saved with Save (safetensors) into the compiled graph, then measures them, so that no tile
   * still shows a number about the weights they replaced: the loss on a fresh batch, the held-out accuracy
   * (where the data has held-out examples), and no gradient norm until a backward pass.
   */
  async loadWeights(bytes: Uint8Array): Promise<void> {
    if (!(await this.prepare()) || !this.compiled) throw new Error('The graph must be valid before weights can be loaded into it.');
    const { compiled, sources, trainer } = this;
    if (!sources || !trainer) throw new Error('The graph must be valid before weights can be loaded into it.');
    await this._serial(async () => {
      await loadModuleSafetensors(compiled.module, bytes);
      this.loadedWeights = true;
      trainer.optimizer.zeroGrad(); // gradients of the weights just replaced
      const loss = await this._lossOnFreshBatch(compiled, sources, trainer);
      const accuracy = compiled.state.nodes.some((n) => n.type === 'crossentropy') ? await trainer.evaluate(EVAL_EXAMPLES).then((e) => e.accuracy, () => null) : null;
      await this._readBack(trainer);
      if (trainer !== this.trainer) return;
      this.loss = loss;
      this.accuracy = accuracy;
      this.message = `Loaded the weights: loss ${loss.toFixed(4)} on a fresh batch${accuracy === null ? '' : `, held-out accuracy ${(accuracy * 100).toFixed(0)}%`}.`;
      this._changed();
    });
  }
}

function disposePrepared(p: Prepared): void {
  p.trainer.dispose();
  p.compiled.dispose();
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

