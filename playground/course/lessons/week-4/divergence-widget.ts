// Cross-entropy and KL divergence between two distributions the learner drags. Both directions are shown side by
// side, because the point to see is that they differ: KL(p‖q) ≠ KL(q‖p) in general, and one can be infinite while
// the other is finite. Every number is the engine's (entropy, crossEntropyOf, klDivergence).
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { divergences, type Divergences } from './quantities';
import '../../widgets/dist-editor';
import { baseOf, fmtInfo, unitToggle, type InfoUnit } from './units';

export interface DivergenceValue {
  p: number[];
  q: number[];
}

const DEFAULT: DivergenceValue = { p: [0.7, 0.2, 0.1], q: [0.2, 0.3, 0.5] };

const PRESETS: Record<string, DivergenceValue> = {
  'q equals p': { p: [0.5, 0.3, 0.2], q: [0.5, 0.3, 0.2] },
  'q spreads out, p is peaked': { p: [0.9, 0.05, 0.05], q: [1 / 3, 1 / 3, 1 / 3] },
  'q misses an outcome p uses': { p: [0.5, 0.3, 0.2], q: [0.6, 0.4, 0] },
};

@customElement('w4-divergence')
export class W4Divergence extends LitElement {
  static override styles = css`
    :host { display: block; font: 14px/1.4 system-ui, sans-serif; color: #1f2933; }
    .row { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
    figure { margin: 0; }
    figcaption { font-weight: 600; margin-bottom: 4px; }
    table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
    th, td { padding: 2px 10px; text-align: right; border-bottom: 1px solid #e4e7eb; }
    th:first-child, td:first-child { text-align: left; }
    tr.kl td { font-weight: 600; }
    fieldset.units { border: none; padding: 0; margin: 0 0 8px; display: flex; gap: 12px; }
    fieldset.units legend { float: left; margin-right: 8px; color: #52606d; }
    .presets { display: flex; flex-wrap: wrap; gap: 6px; margin: 8px 0; }
    button { font: inherit; padding: 2px 10px; border: 1px solid #9aa5b1; border-radius: 4px; background: #f5f7fa; cursor: pointer; }
    button:focus-visible { outline: 2px solid #2563eb; }
    .summary { color: #323f4b; }
    .error { color: #b91c1c; }
  `;

  @property({ attribute: false }) value: DivergenceValue = { p: [...DEFAULT.p], q: [...DEFAULT.q] };
  @property({ attribute: false }) labels: string[] = ['A', 'B', 'C'];
  @state() private _unit: InfoUnit = 'bits';

  private _emit(): void {
    this.dispatchEvent(new CustomEvent<DivergenceValue>('change', { detail: { p: [...this.value.p], q: [...this.value.q] }, bubbles: true, composed: true }));
  }

  private _onEdit(which: 'p' | 'q', e: CustomEvent<number[]>): void {
    e.stopPropagation();
    this.value = { ...this.value, [which]: e.detail };
    this._emit();
  }

  private _preset(v: DivergenceValue): void {
    this.value = { p: [...v.p], q: [...v.q] };
    this._emit();
  }

  private _swap(): void {
    this.value = { p: this.value.q, q: this.value.p };
    this._emit();
  }

  override render() {
    const unit = this._unit;
    const { p, q } = (this.value ?? {}) as Partial<DivergenceValue>;
    let d: Divergences;
    try {
      if (!Array.isArray(p) || !Array.isArray(q)) throw new TypeError(`expected { p: number[], q: number[] }, got ${JSON.stringify(this.value)}`);
      d = divergences(p, q, baseOf(unit));
    } catch (e) {
      return html`<p class="error" role="alert">This widget needs two distributions over the same outcomes: ${(e as Error).message}
        <button @click=${() => this._preset(DEFAULT)}>Start again from the first example</button></p>`;
    }
    const gap = d.klpq === Infinity || d.klqp === Infinity ? Infinity : Math.abs(d.klpq - d.klqp);
    return html`
      ${unitToggle(unit, 'w4-divergence-unit', (u) => (this._unit = u))}
      <div class="row">
        <figure><figcaption>p (the truth)</figcaption>
          <course-dist-editor name="p" .value=${p} .labels=${this.labels} color="#2563eb" @change=${(e: CustomEvent<number[]>) => this._onEdit('p', e)}></course-dist-editor>
        </figure>
        <figure><figcaption>q (the model)</figcaption>
          <course-dist-editor name="q" .value=${q} .labels=${this.labels} color="#d97706" @change=${(e: CustomEvent<number[]>) => this._onEdit('q', e)}></course-dist-editor>
        </figure>
        <table aria-label="entropies and divergences of p and q">
          <tbody>
            <tr><td>H(p)</td><td><output data-quantity="hp">${fmtInfo(d.hp, unit)}</output></td></tr>
            <tr><td>H(q)</td><td><output data-quantity="hq">${fmtInfo(d.hq, unit)}</output></td></tr>
            <tr><td>H(p, q) = H(p) + KL(p‖q)</td><td><output data-quantity="hpq">${fmtInfo(d.hpq, unit)}</output></td></tr>
            <tr><td>H(q, p) = H(q) + KL(q‖p)</td><td><output data-quantity="hqp">${fmtInfo(d.hqp, unit)}</output></td></tr>
            <tr class="kl"><td>KL(p‖q)</td><td><output data-quantity="klpq" data-value=${d.klpq}>${fmtInfo(d.klpq, unit)}</output></td></tr>
            <tr class="kl"><td>KL(q‖p)</td><td><output data-quantity="klqp" data-value=${d.klqp}>${fmtInfo(d.klqp, unit)}</output></td></tr>
          </tbody>
        </table>
      </div>
      <div class="presets" role="group" aria-label="examples">
        ${Object.entries(PRESETS).map(([name, v]) => html`<button @click=${() => this._preset(v)}>${name}</button>`)}
        <button @click=${this._swap}>swap p and q</button>
      </div>
      <p class="summary" aria-live="polite">
        KL(p‖q) is ${fmtInfo(d.klpq, unit)} and KL(q‖p) is ${fmtInfo(d.klqp, unit)}:
        ${gap === 0 ? 'equal here.' : gap === Infinity ? 'at least one direction is infinite, because one distribution gives probability 0 to an outcome the other allows.' : `they differ by ${fmtInfo(gap, unit)}.`}
      </p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w4-divergence': W4Divergence;
  }
}
