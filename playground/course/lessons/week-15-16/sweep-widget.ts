// A small hyperparameter sweep run in the page: one of heads, layers or width varied around a base model, every
// other setting fixed, each value trained with the same seed and schedule and scored by held-out token accuracy,
// which is plotted against the value with the parameter count beside it. WebGPU where the browser has it. Its
// value is { axis, steps }.
import { LitElement, css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { dispose, type DeviceName } from '../../../../engine/index';
import { trainReversal } from '../../../../engine/course';
import { breathe, trainingDevice } from '../../compute';
import { PALETTE } from '../../widgets/line-chart';
import { SWEEP_STEPS, SWEEP_VALUES, sweepOptions, type SweepAxis } from './settings';

const AXIS_TEXT: Record<SweepAxis, string> = { heads: 'attention heads (width 32)', layers: 'layers in each stack', width: 'model width d (4 heads)' };

export interface SweepValue {
  axis: SweepAxis;
  steps: number;
}

interface Point {
  value: number;
  accuracy: number;
  parameters: number;
}

@customElement('w1516-sweep')
export class W1516Sweep extends LitElement {
  static override styles = css`
    :host { display: block; }
    .controls { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; margin-bottom: 0.5rem; }
    table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.9em; }
    th, td { padding: 0.2rem 0.6rem; border-bottom: 1px solid #ddd; text-align: right; font-variant-numeric: tabular-nums; }
    .status { min-height: 1.4em; font-variant-numeric: tabular-nums; }
  `;

  @state() private _axis: SweepAxis = 'heads';
  @state() private _steps = 150;
  @state() private _points: Point[] = [];
  @state() private _swept: { axis: SweepAxis; steps: number; device: DeviceName } | null = null;
  @state() private _status = 'Choose what to vary and press Run sweep. Each value trains its own model from the same seed.';
  @state() private _busy = false;
  private _abort: AbortController | null = null;

  get value(): SweepValue {
    return { axis: this._axis, steps: this._steps };
  }

  set value(v: unknown) {
    if (typeof v !== 'object' || v === null) return;
    const { axis, steps } = v as Partial<SweepValue>;
    if (axis === 'heads' || axis === 'layers' || axis === 'width') this._axis = axis;
    if (SWEEP_STEPS.includes(steps as (typeof SWEEP_STEPS)[number])) this._steps = steps as number;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._abort?.abort();
  }

  private _emit(): void {
    this.dispatchEvent(new CustomEvent<SweepValue>('change', { detail: this.value, bubbles: true, composed: true }));
  }

  private _onAxis(e: Event): void {
    this._axis = (e.target as HTMLSelectElement).value as SweepAxis;
    this._status = `Will vary ${AXIS_TEXT[this._axis]} over ${SWEEP_VALUES[this._axis].join(', ')}: ${SWEEP_VALUES[this._axis].length} runs of ${this._steps} steps. Press Run sweep.`;
    this._emit();
  }

  private _onSteps(e: Event): void {
    this._steps = Number((e.target as HTMLSelectElement).value);
    this._status = `Each run will train for ${this._steps} steps. Press Run sweep.`;
    this._emit();
  }

  private async _onRun(): Promise<void> {
    this._abort?.abort();
    const ctrl = new AbortController();
    this._abort = ctrl;
    const axis = this._axis;
    const steps = this._steps;
    this._busy = true;
    this._points = [];
    this._status = 'Starting…';
    try {
      const device = await trainingDevice();
      this._swept = { axis, steps, device };
      const values = SWEEP_VALUES[axis];
      for (const [i, value] of values.entries()) {
        if (ctrl.signal.aborted) return;
        const r = await trainReversal({
          ...sweepOptions(axis, value, steps, device), signal: ctrl.signal,
          onProgress: async (p) => {
            this._status = `Run ${i + 1} of ${values.length} on ${device} (${axis} = ${value}): step ${p.step} of ${p.steps}, held-out token accuracy ${(p.accuracy * 100).toFixed(1)}%.`;
            await breathe();
          },
        });
        dispose(r.model.parameters());
        if (ctrl.signal.aborted) return;
        this._points = [...this._points, { value, accuracy: r.accuracy, parameters: r.numParameters }];
      }
      this._status = `Swept ${AXIS_TEXT[axis]} on ${device}, ${steps} steps each.`;
    } catch (e) {
      if (!ctrl.signal.aborted) this._status = `The sweep failed: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      if (this._abort === ctrl) this._busy = false;
    }
  }

  override render() {
    const s = this._swept;
    return html`
      <div class="controls">
        <label>vary
          <select aria-label="the hyperparameter to vary" ?disabled=${this._busy} @change=${this._onAxis}>
            ${(Object.keys(SWEEP_VALUES) as SweepAxis[]).map((a) => html`<option value=${a} ?selected=${a === this._axis}>${AXIS_TEXT[a]}</option>`)}
          </select>
        </label>
        <label>each run
          <select aria-label="training steps per run" ?disabled=${this._busy} @change=${this._onSteps}>
            ${SWEEP_STEPS.map((n) => html`<option value=${n} ?selected=${n === this._steps}>${n} steps</option>`)}
          </select>
        </label>
        <button @click=${this._onRun} ?disabled=${this._busy}>Run sweep</button>
      </div>
      <p class="status" role="status" aria-live="polite">${this._status}</p>
      ${s && this._points.length
        ? html`
            <course-line-chart points .xLabel=${s.axis} yLabel="held-out token accuracy" .yRange=${[0, 1]}
              .series=${[{ label: 'held-out token accuracy', color: PALETTE[0], x: this._points.map((p) => p.value), y: this._points.map((p) => p.accuracy) }]}></course-line-chart>
            <table>
              <thead><tr><th scope="col">${s.axis}</th><th scope="col">parameters</th><th scope="col">held-out token accuracy</th></tr></thead>
              <tbody>${this._points.map((p) => html`<tr><td>${p.value}</td><td>${p.parameters.toLocaleString('en-US')}</td><td>${(p.accuracy * 100).toFixed(1)}%</td></tr>`)}</tbody>
            </table>`
        : ''}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w1516-sweep': W1516Sweep;
  }
}
