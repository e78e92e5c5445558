// Trains the week-0 classifier for a Lit host without blocking it: the engine's trainLogistic reports the model
// every few steps, and the controller hands each one to the host and waits a frame before training on. A new
// request, or the host leaving the page, aborts the run in progress.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { getDefaultDevice } from '../../../../engine/index';
import { trainLogistic, type LogisticModel, type Points2D } from '../../../../engine/course';

export type TrainState = 'idle' | 'training' | 'done' | 'error';

/** Resolves on the next animation frame (or a macrotask where there is none), so the page can paint. */
const nextFrame = (): Promise<void> =>
  new Promise((resolve) => (typeof requestAnimationFrame === 'function' ? requestAnimationFrame(() => resolve()) : setTimeout(resolve, 0)));

export class LogisticTrainer implements ReactiveController {
  state: TrainState = 'idle';
  step = 0;
  steps = 0;
  loss = NaN;
  model: LogisticModel | null = null;
  error = '';
  /** The device the last run trained on ('webgpu', or 'cpu' where no adapter was found). */
  device = '';
  /** Bumped on every finished run, for hosts and tests that wait for one. */
  runs = 0;
  private _abort: AbortController | null = null;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this._abort?.abort();
  }

  async train(data: Points2D, steps: number): Promise<void> {
    this._abort?.abort();
    const ctrl = new AbortController();
    this._abort = ctrl;
    this.state = 'training';
    this.step = 0;
    this.steps = steps;
    this.error = '';
    this.device = getDefaultDevice();
    this.host.requestUpdate();
    try {
      const fit = await trainLogistic(data, {
        steps,
        every: Math.max(1, Math.round(steps / 30)),
        signal: ctrl.signal,
        onProgress: async ({ step, loss, model }) => {
          if (ctrl.signal.aborted) return;
          this.step = step;
          this.loss = loss;
          this.model = model;
          this.host.requestUpdate();
          await nextFrame();
        },
      });
      if (ctrl.signal.aborted) return;
      this.model = fit.model;
      this.state = 'done';
      this.runs++;
    } catch (e) {
      if (ctrl.signal.aborted) return;
      this.state = 'error';
      this.error = e instanceof Error ? e.message : String(e);
    }
    this.host.requestUpdate();
  }
}
