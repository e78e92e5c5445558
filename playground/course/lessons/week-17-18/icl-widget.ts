// In-context learning with models/icl: one held-out sequence's prompt cut after k worked examples, the model's
// probabilities for the eight output letters at the query, and the accuracy over all the held-out sequences by k
// (iclCurve, the same run the prose states), against copying whenever the letter was shown and against guessing.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { gptNextDistribution, iclBatch, ICL_LETTERS, type IclBatch } from '../../../../engine/course';
import { pretrained, errorText, type Pretrained } from './models';
import { ICL_TEST, iclCurve } from './numbers';
import '../../widgets/line-chart';
import type { ChartSeries } from '../../widgets/line-chart';

export interface IclValue {
  /** Examples before the query (0 … pairs − 1). */
  shots: number;
  /** Which held-out sequence. */
  sequence: number;
}

@customElement('w1718-icl')
export class IclWidget extends LitElement {
  static override styles = css`
    :host { display: block; }
    .controls { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; margin-bottom: 0.5rem; }
    .prompt { font-family: ui-monospace, monospace; font-size: 0.95rem; }
    .prompt .q { background: #fde68a; font-weight: bold; padding: 0 3px; }
    .bars { display: grid; grid-template-columns: 2rem 1fr 4rem; gap: 2px 0.5rem; align-items: center; max-width: 28rem; font-size: 0.85rem; }
    .bar { height: 0.8rem; background: #2563eb; }
    .bar.right { background: #16a34a; }
    .num { text-align: right; font-variant-numeric: tabular-nums; }
    .status { min-height: 1.4em; }
  `;

  @state() private _shots = 4;
  @state() private _sequence = 0;
  @state() private _probs: number[] | null = null;
  @state() private _curve: { accuracy: number[]; shown: number[]; copier: number[] } | null = null;
  @state() private _status = 'Loading the in-context checkpoint…';
  private _models: Pretrained | null = null;
  private _batch: IclBatch | null = null;
  private _request = 0;

  get value(): IclValue {
    return { shots: this._shots, sequence: this._sequence };
  }

  set value(v: unknown) {
    if (typeof v !== 'object' || v === null) return;
    const { shots, sequence } = v as Partial<IclValue>;
    if (Number.isInteger(shots) && shots! >= 0 && shots! < ICL_TEST.pairs) this._shots = shots!;
    if (Number.isInteger(sequence) && sequence! >= 0 && sequence! < ICL_TEST.n) this._sequence = sequence!;
    if (this._models) void this._refresh();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    Promise.all([pretrained(), iclCurve()]).then(
      ([m, curve]) => {
        this._models = m;
        this._curve = curve;
        this._batch = iclBatch(m.iclTok, ICL_TEST.n, ICL_TEST.pairs, ICL_TEST.seed);
        void this._refresh();
      },
      (e: unknown) => (this._status = `The in-context model could not be run: ${errorText(e)}`),
    );
  }

  private _emit(): void {
    this.dispatchEvent(new CustomEvent<IclValue>('change', { detail: this.value, bubbles: true, composed: true }));
  }

  /** The prompt's ids: sequence s up to and including query k. */
  private _promptIds(): number[] {
    const T = 2 * ICL_TEST.pairs;
    const s = this._sequence;
    return Array.from(this._batch!.ids.subarray(s * T, s * T + 2 * this._shots + 1));
  }

  private async _refresh(): Promise<void> {
    const m = this._models;
    if (!m || !this._batch) return;
    const request = ++this._request;
    try {
      const probs = await gptNextDistribution(m.icl, this._promptIds());
      if (request !== this._request) return;
      const outputs = [...ICL_LETTERS.toUpperCase()].map((c) => probs[m.iclTok.encode(c)[0]]);
      this._probs = outputs;
      const answer = m.iclTok.decode([this._batch.answers[this._sequence * ICL_TEST.pairs + this._shots]]);
      const best = ICL_LETTERS.toUpperCase()[outputs.indexOf(Math.max(...outputs))];
      this._status = `Sequence ${this._sequence + 1}, ${this._shots} example${this._shots === 1 ? '' : 's'}: the model's top answer is ${best}, the map's is ${answer}${best === answer ? ' (right)' : ''}.`;
    } catch (e) {
      if (request === this._request) this._status = `Could not run the model: ${errorText(e)}`;
    }
  }

  private _onShots(e: Event): void {
    this._shots = Number((e.target as HTMLInputElement).value);
    this._emit();
    void this._refresh();
  }

  private _onNext(): void {
    this._sequence = (this._sequence + 1) % ICL_TEST.n;
    this._emit();
    void this._refresh();
  }

  override render() {
    const m = this._models;
    const c = this._curve;
    const words = m && this._batch ? this._promptIds().map((id) => m.iclTok.decode([id])) : [];
    const answer = m && this._batch ? m.iclTok.decode([this._batch.answers[this._sequence * ICL_TEST.pairs + this._shots]]) : '';
    const shots = c ? c.accuracy.map((_, k) => k) : [];
    const series: ChartSeries[] = c
      ? [
          { label: 'model', color: '#2563eb', x: shots, y: c.accuracy },
          { label: 'copy when shown, else guess', color: '#16a34a', x: shots, y: c.copier, dash: [6, 4] },
          { label: 'guessing', color: '#94a3b8', x: shots, y: c.accuracy.map(() => 1 / ICL_LETTERS.length), dash: [2, 4] },
        ]
      : [];
    return html`
      <div class="controls">
        <label>examples in the prompt
          <input type="range" min="0" max=${ICL_TEST.pairs - 1} step="1" .value=${String(this._shots)} aria-label="how many worked examples come before the query" @input=${this._onShots} /> ${this._shots}
        </label>
        <button @click=${this._onNext}>Another secret map</button>
      </div>
      <p class="status" role="status" aria-live="polite">${this._status}</p>
      ${words.length
        ? html`<p class="prompt">Prompt: ${words.slice(0, -1).join(' ')} <span class="q">${words.at(-1)}</span> → ?</p>`
        : nothing}
      ${this._probs
        ? html`<div class="bars" role="table" aria-label="the model's probability for each output letter">
            ${this._probs.map((p, i) => {
              const letter = ICL_LETTERS.toUpperCase()[i];
              return html`<strong>${letter}</strong><div class=${`bar ${letter === answer ? 'right' : ''}`} style=${`width: ${(p * 100).toFixed(1)}%`}></div><span class="num">${(p * 100).toFixed(1)}%</span>`;
            })}
          </div>`
        : nothing}
      ${c ? html`<course-line-chart legend .height=${200} .series=${series} xLabel="examples before the query" yLabel="held-out accuracy" .yRange=${[0, 1] as [number, number]}></course-line-chart>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w1718-icl': IclWidget;
  }
}
