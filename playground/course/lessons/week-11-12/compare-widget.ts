// The fixed-context model against the attention model: per-token accuracy at every source length, drawn as two
// lines. It opens on the page's quick run (quick.ts); Train fits both again with the width and schedule chosen
// here, on WebGPU where the browser has it, yielding between steps so the page keeps painting. The numbers all
// come from engine/lessons/attention.ts.
import { LitElement, css, html, svg, type PropertyValues } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { DeviceName } from '../../../../engine/index';
import { compareContexts, type ContextComparison } from '../../../../engine/course';
import { QUICK, quickComparison } from './quick';
import { breathe, trainingDevice } from '../../compute';

export const WIDTHS = [8, 16, 32] as const;
export const STEP_CHOICES = [60, 400, 1500] as const;

export interface ContextCompareValue {
  dim: number;
  steps: number;
}

interface Shown {
  result: ContextComparison;
  dim: number;
  steps: number;
  device: DeviceName;
}

const COLORS = { fixed: '#2563eb', attention: '#c2410c' } as const;

@customElement('w1112-context-compare')
export class ContextCompare extends LitElement {
  static override styles = css`
    :host { display: block; font: 14px/1.4 system-ui, sans-serif; color: #1f2933; }
    .controls { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; margin-bottom: 0.5rem; }
    .status { min-height: 1.4em; }
    svg { display: block; max-width: 520px; width: 100%; height: auto; }
    table { border-collapse: collapse; margin: 0.5rem 0; font-variant-numeric: tabular-nums; }
    th, td { padding: 0.2rem 0.6rem; border-bottom: 1px solid #ddd; text-align: right; }
    th:first-child { text-align: left; }
    .legend { display: flex; gap: 1.25rem; margin: 0.25rem 0 0; font-size: 13px; }
  `;

  @state() private _dim: number = QUICK.model.dim;
  @state() private _steps: number = QUICK.train.steps;
  @state() private _shown: Shown | null = null;
  @state() private _status = 'Running the quick comparison…';
  @state() private _busy = false;
  private _abort: AbortController | null = null;

  get value(): ContextCompareValue {
    return { dim: this._dim, steps: this._steps };
  }

  /** Restores settings; a field that is missing or not one of the choices keeps its current value. */
  set value(v: unknown) {
    if (typeof v !== 'object' || v === null) return;
    const { dim, steps } = v as Partial<ContextCompareValue>;
    if (WIDTHS.includes(dim as (typeof WIDTHS)[number])) this._dim = dim as number;
    if (STEP_CHOICES.includes(steps as (typeof STEP_CHOICES)[number])) this._steps = steps as number;
  }

  override firstUpdated(_: PropertyValues): void {
    quickComparison().then(
      (result) => {
        if (this._shown) return;
        this._shown = { result, dim: QUICK.model.dim, steps: QUICK.train.steps, device: 'cpu' };
        this._status = 'Showing the quick run from the text. Choose a width and a schedule, then Train.';
      },
      (e: unknown) => (this._status = `The quick comparison failed: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._abort?.abort();
  }

  private _emit(): void {
    this.dispatchEvent(new CustomEvent<ContextCompareValue>('change', { detail: this.value, bubbles: true, composed: true }));
  }

  private _onDim(e: Event): void {
    this._dim = Number((e.target as HTMLSelectElement).value);
    this._status = `Width set to ${this._dim}: the fixed context is ${this._dim} numbers. Press Train to fit both models with it.`;
    this._emit();
  }

  private _onSteps(e: Event): void {
    this._steps = Number((e.target as HTMLSelectElement).value);
    this._status = `Schedule set to ${this._steps} steps. Press Train to fit both models with it.`;
    this._emit();
  }

  private async _onTrain(): Promise<void> {
    this._abort?.abort();
    const ctrl = new AbortController();
    this._abort = ctrl;
    const dim = this._dim;
    const steps = this._steps;
    this._busy = true;
    try {
      const device = await trainingDevice();
      this._status = `Training on ${device}…`;
      const result = await compareContexts({
        ...QUICK,
        model: { ...QUICK.model, dim },
        train: { ...QUICK.train, steps, every: 10, signal: ctrl.signal },
        testCount: 200,
        device,
        onProgress: async ({ context, step, loss }) => {
          this._status = `Training the ${context === 'fixed' ? 'fixed-context' : 'attention'} model on ${device}: step ${step} of ${steps}, loss ${loss.toFixed(3)} nats per token.`;
          await breathe();
        },
      });
      if (ctrl.signal.aborted) return;
      this._shown = { result, dim, steps, device };
      this._status = `Trained on ${device}.`;
    } catch (e) {
      if (!ctrl.signal.aborted) this._status = `Training failed: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      if (this._abort === ctrl) this._busy = false;
    }
  }

  private _plot(r: ContextComparison) {
    const W = 480;
    const H = 240;
    const left = 44;
    const bottom = 36;
    const top = 12;
    const right = 16;
    const lo = r.lengths[0];
    const hi = r.lengths[r.lengths.length - 1];
    const x = (L: number) => left + ((L - lo) / Math.max(1, hi - lo)) * (W - left - right);
    const y = (a: number) => top + (1 - a) * (H - top - bottom);
    const chance = 1 / QUICK.model.vocab;
    const line = (acc: number[], color: string) => svg`
      <polyline fill="none" stroke=${color} stroke-width="2" points=${acc.map((a, i) => `${x(r.lengths[i])},${y(a)}`).join(' ')}></polyline>
      ${acc.map((a, i) => svg`<circle cx=${x(r.lengths[i])} cy=${y(a)} r="3.5" fill=${color}></circle>`)}`;
    return html`<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="Per-token accuracy against source length for both models; the table below lists the same numbers">
      ${[0, 0.25, 0.5, 0.75, 1].map(
        (a) => svg`<line x1=${left} x2=${W - right} y1=${y(a)} y2=${y(a)} stroke="#e4e7eb"></line>
          <text x=${left - 6} y=${y(a) + 4} font-size="11" text-anchor="end" fill="#52606d">${Math.round(a * 100)}%</text>`,
      )}
      <line x1=${left} x2=${W - right} y1=${y(chance)} y2=${y(chance)} stroke="#9aa5b1" stroke-dasharray="4 4"></line>
      <text x=${W - right} y=${y(chance) - 4} font-size="10" text-anchor="end" fill="#52606d">chance (1 in ${QUICK.model.vocab})</text>
      ${r.lengths.map((L) => svg`<text x=${x(L)} y=${H - bottom + 16} font-size="11" text-anchor="middle" fill="#52606d">${L}</text>`)}
      <text x=${(left + W - right) / 2} y=${H - 4} font-size="11" text-anchor="middle" fill="#52606d">source length (tokens)</text>
      ${line(r.fixed, COLORS.fixed)} ${line(r.attention, COLORS.attention)}
    </svg>
    <p class="legend">
      <span style="color: ${COLORS.attention}">● attention</span>
      <span style="color: ${COLORS.fixed}">● fixed context (the mean of the encoder states)</span>
    </p>`;
  }

  override render() {
    const s = this._shown;
    const pct = (a: number) => `${(a * 100).toFixed(1)}%`;
    return html`
      <div class="controls">
        <label>width
          <select aria-label="model width: the size of every vector, the fixed context included" @change=${this._onDim}>
            ${WIDTHS.map((v) => html`<option value=${v} ?selected=${v === this._dim}>${v} numbers</option>`)}
          </select>
        </label>
        <label>schedule
          <select aria-label="training steps of each model" @change=${this._onSteps}>
            ${STEP_CHOICES.map((v) => html`<option value=${v} ?selected=${v === this._steps}>${v} steps</option>`)}
          </select>
        </label>
        <button @click=${this._onTrain} ?disabled=${this._busy}>Train</button>
      </div>
      <p class="status" role="status" aria-live="polite">${this._status}</p>
      ${s
        ? html`${this._plot(s.result)}
            <table>
              <caption>Per-token accuracy on held-out sources, width ${s.dim}, ${s.steps} steps on ${s.device}</caption>
              <thead><tr><th scope="col">length</th>${s.result.lengths.map((L) => html`<th scope="col">${L}</th>`)}</tr></thead>
              <tbody>
                <tr><th scope="row">fixed context</th>${s.result.fixed.map((a) => html`<td>${pct(a)}</td>`)}</tr>
                <tr><th scope="row">attention</th>${s.result.attention.map((a) => html`<td>${pct(a)}</td>`)}</tr>
              </tbody>
            </table>`
        : ''}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w1112-context-compare': ContextCompare;
  }
}
