// The encoder-decoder trained in the page with its parts switched on and off: residual connections, layer norm,
// learning-rate warmup and label smoothing, on a model of 1 to 3 layers, each run's training loss, held-out token
// accuracy and learning rate drawn by step and kept beside the earlier runs for comparison. It opens with the
// page's quick run; Train runs a larger model on WebGPU where the browser has it. Its value is the settings.
import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { dispose, type DeviceName } from '../../../../engine/index';
import { trainReversal, type ReversalPoint } from '../../../../engine/course';
import { QUICK, quickAblation } from './quick';
import { SMOOTHING } from './exercises';
import { LAYER_CHOICES, LR_CHOICES, STEP_CHOICES, WARMUP_SHARE, runLabel, trainOptions, type TrainValue } from './settings';
import { breathe, trainingDevice } from '../../compute';
import { PALETTE, type ChartSeries } from '../../widgets/line-chart';

interface Run {
  label: string;
  color: string;
  points: ReversalPoint[];
  accuracy: number;
  device: DeviceName;
  diverged: boolean;
}

const MAX_RUNS = 6;

@customElement('w1516-train')
export class W1516Train extends LitElement {
  static override styles = css`
    :host { display: block; }
    .controls { display: flex; flex-wrap: wrap; gap: 0.6rem 1rem; align-items: center; margin-bottom: 0.5rem; }
    .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 0.5rem; }
    .charts h4 { margin: 0.25rem 0; font-size: 0.9em; font-weight: 600; }
    table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.9em; }
    th, td { padding: 0.2rem 0.5rem; border-bottom: 1px solid #ddd; text-align: left; }
    td.num { text-align: right; font-variant-numeric: tabular-nums; }
    .swatch { display: inline-block; width: 0.8em; height: 0.8em; border-radius: 2px; margin-right: 0.3em; vertical-align: middle; }
    .status { min-height: 1.4em; font-variant-numeric: tabular-nums; }
  `;

  @state() private _v: TrainValue = { steps: 300, lr: 0.01, layers: 2, residual: true, layerNorm: true, warmup: false, smoothing: false };
  @state() private _runs: Run[] = [];
  @state() private _status = 'Running the page’s quick training run…';
  @state() private _busy = false;
  private _abort: AbortController | null = null;
  private _colors = 0;

  get value(): TrainValue {
    return { ...this._v };
  }

  /** Restores settings; a field that is missing or not one of the choices keeps its current value. */
  set value(v: unknown) {
    if (typeof v !== 'object' || v === null) return;
    const o = v as Partial<TrainValue>;
    const next = { ...this._v };
    if (STEP_CHOICES.includes(o.steps as (typeof STEP_CHOICES)[number])) next.steps = o.steps!;
    if (LR_CHOICES.includes(o.lr as (typeof LR_CHOICES)[number])) next.lr = o.lr!;
    if (LAYER_CHOICES.includes(o.layers as (typeof LAYER_CHOICES)[number])) next.layers = o.layers!;
    for (const k of ['residual', 'layerNorm', 'warmup', 'smoothing'] as const) if (typeof o[k] === 'boolean') next[k] = o[k]!;
    this._v = next;
  }

  override firstUpdated(_: PropertyValues): void {
    quickAblation().then(
      (q) => {
        if (this._runs.length) return;
        this._runs = [{ label: `the page’s quick run (1 layer, width ${QUICK.dModel}, ${QUICK.steps} steps, CPU)`, color: this._nextColor(), points: q.full.points, accuracy: q.full.accuracy, device: 'cpu', diverged: false }];
        this._status = 'Showing the page’s quick run. Choose settings, then Train to add a run beside it.';
      },
      (e: unknown) => (this._status = `The quick run failed: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._abort?.abort();
  }

  private _nextColor(): string {
    return PALETTE[this._colors++ % PALETTE.length];
  }

  private _set<K extends keyof TrainValue>(key: K, value: TrainValue[K]): void {
    this._v = { ...this._v, [key]: value };
    this._status = `Next run: ${runLabel(this._v)}. Press Train to add it to the charts.`;
    this.dispatchEvent(new CustomEvent<TrainValue>('change', { detail: this.value, bubbles: true, composed: true }));
  }

  private async _onTrain(): Promise<void> {
    this._abort?.abort();
    const ctrl = new AbortController();
    this._abort = ctrl;
    const v = { ...this._v };
    this._busy = true;
    this._status = 'Starting…';
    try {
      const device = await trainingDevice();
      const run: Run = { label: runLabel(v), color: this._nextColor(), points: [], accuracy: NaN, device, diverged: false };
      this._runs = [...this._runs, run].slice(-MAX_RUNS);
      this._status = `Training on ${device}: ${run.label}…`;
      const result = await trainReversal({
        ...trainOptions(v, device),
        signal: ctrl.signal,
        onProgress: async (p) => {
          run.points = [...run.points, p];
          this._runs = [...this._runs];
          this._status = `Training on ${device}: step ${p.step} of ${p.steps}, loss ${p.loss.toFixed(3)}, held-out token accuracy ${(p.accuracy * 100).toFixed(1)}%.`;
          await breathe();
        },
      });
      dispose(result.model.parameters());
      if (ctrl.signal.aborted) return;
      run.accuracy = result.accuracy;
      run.diverged = result.diverged;
      this._runs = [...this._runs];
      this._status = result.diverged
        ? `The loss stopped being a finite number at step ${run.points.at(-1)?.step}: this run diverged.`
        : `Trained on ${device}: held-out token accuracy ${(result.accuracy * 100).toFixed(1)}%.`;
    } catch (e) {
      if (!ctrl.signal.aborted) this._status = `Training failed: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      if (this._abort === ctrl) this._busy = false;
    }
  }

  private _onClear(): void {
    this._runs = [];
    this._status = 'Cleared. Train to start again.';
  }

  private _series(y: (p: ReversalPoint) => number): ChartSeries[] {
    return this._runs.map((r) => ({ label: r.label, color: r.color, x: r.points.map((p) => p.step), y: r.points.map(y) }));
  }

  private _select<K extends 'steps' | 'lr' | 'layers'>(key: K, label: string, choices: readonly number[], text: (n: number) => string) {
    return html`<label>${label}
      <select aria-label=${label} ?disabled=${this._busy} @change=${(e: Event) => this._set(key, Number((e.target as HTMLSelectElement).value) as TrainValue[K])}>
        ${choices.map((c) => html`<option value=${c} ?selected=${c === this._v[key]}>${text(c)}</option>`)}
      </select></label>`;
  }

  private _check(key: 'residual' | 'layerNorm' | 'warmup' | 'smoothing', label: string) {
    return html`<label><input type="checkbox" .checked=${this._v[key]} ?disabled=${this._busy}
      @change=${(e: Event) => this._set(key, (e.target as HTMLInputElement).checked)} /> ${label}</label>`;
  }

  override render() {
    return html`
      <div class="controls">
        ${this._select('steps', 'steps', STEP_CHOICES, (n) => `${n} steps`)}
        ${this._select('lr', 'learning rate', LR_CHOICES, (n) => String(n))}
        ${this._select('layers', 'layers', LAYER_CHOICES, (n) => `${n} + ${n}`)}
        ${this._check('residual', 'residual connections')}
        ${this._check('layerNorm', 'layer norm')}
        ${this._check('warmup', `warmup (first ${Math.round(WARMUP_SHARE * 100)}% of steps)`)}
        ${this._check('smoothing', `label smoothing ε = ${SMOOTHING}`)}
        <button @click=${this._onTrain} ?disabled=${this._busy}>Train</button>
        <button @click=${this._onClear} ?disabled=${this._busy || this._runs.length === 0}>Clear runs</button>
      </div>
      <p class="status" role="status" aria-live="polite">${this._status}</p>
      <div class="charts">
        <div><h4>Training loss (nats per token)</h4><course-line-chart .series=${this._series((p) => p.loss)} yLabel="loss"></course-line-chart></div>
        <div><h4>Held-out token accuracy</h4><course-line-chart .series=${this._series((p) => p.accuracy)} yLabel="accuracy" .yRange=${[0, 1]}></course-line-chart></div>
        <div><h4>Learning rate</h4><course-line-chart .series=${this._series((p) => p.lr)} yLabel="rate"></course-line-chart></div>
      </div>
      ${this._runs.length
        ? html`<table>
            <thead><tr><th scope="col">run</th><th scope="col">device</th><th scope="col">held-out token accuracy</th></tr></thead>
            <tbody>${this._runs.map((r) => html`<tr>
              <td><span class="swatch" style="background:${r.color}"></span>${r.label}</td><td>${r.device}</td>
              <td class="num">${r.diverged ? 'diverged' : Number.isNaN(r.accuracy) ? 'training…' : `${(r.accuracy * 100).toFixed(1)}%`}</td>
            </tr>`)}</tbody>
          </table>`
        : ''}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w1516-train': W1516Train;
  }
}
