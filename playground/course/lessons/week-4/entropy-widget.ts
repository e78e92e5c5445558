// Entropy as average surprise: drag a distribution and see each outcome's surprise −log p, weighted by how often
// it happens, add up to H(p). The numbers come from the engine's entropy(); the per-outcome column is the same
// sum written out. Its value is the distribution, so a target exercise can place it and check what it fires.
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { entropy } from '../../../../engine/index';
import '../../widgets/dist-editor';
import { baseOf, fmtInfo, unitToggle, type InfoUnit } from './units';

@customElement('w4-entropy')
export class W4Entropy extends LitElement {
  static override styles = css`
    :host { display: block; font: 14px/1.4 system-ui, sans-serif; color: #1f2933; }
    .row { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
    table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
    th, td { padding: 2px 8px; text-align: right; border-bottom: 1px solid #e4e7eb; }
    th:first-child, td:first-child { text-align: left; }
    tfoot td { font-weight: 600; border-top: 2px solid #9aa5b1; }
    fieldset.units { border: none; padding: 0; margin: 0 0 8px; display: flex; gap: 12px; }
    fieldset.units legend { float: left; margin-right: 8px; color: #52606d; }
    .summary { margin: 8px 0 0; color: #323f4b; }
    .error { color: #b91c1c; }
  `;

  /** The distribution (sums to 1). */
  @property({ attribute: false }) value: number[] = [0.25, 0.25, 0.25, 0.25];
  @property({ attribute: false }) labels: string[] = ['A', 'B', 'C', 'D'];
  @state() private _unit: InfoUnit = 'bits';

  private _reset(): void {
    const k = Array.isArray(this.value) && this.value.length >= 2 && this.value.length <= 8 ? this.value.length : this.labels.length;
    this.value = new Array<number>(k).fill(1 / k);
    this.dispatchEvent(new CustomEvent<number[]>('change', { detail: [...this.value], bubbles: true, composed: true }));
  }

  private _onEdit(e: CustomEvent<number[]>): void {
    e.stopPropagation();
    this.value = e.detail;
    this.dispatchEvent(new CustomEvent<number[]>('change', { detail: [...this.value], bubbles: true, composed: true }));
  }

  override render() {
    const unit = this._unit;
    const base = baseOf(unit);
    let h: number;
    try {
      h = entropy(this.value, base);
    } catch (e) {
      // A value set from outside (a restored or shared state) that is not a distribution: say so, keep it as is.
      return html`<p class="error" role="alert">This widget needs a probability distribution: ${(e as Error).message}
        <button @click=${this._reset}>Start again from a uniform distribution</button></p>`;
    }
    const max = Math.log(this.value.length) / Math.log(base);
    const label = (i: number) => this.labels[i] ?? String.fromCharCode(65 + i);
    const rows = this.value.map((p, i) => {
      // −log p is the surprise of seeing outcome i; an outcome that never happens adds nothing (0·log 0 = 0).
      const surprise = p > 0 ? -Math.log(p) / Math.log(base) : Infinity;
      return html`<tr>
        <td>${label(i)}</td><td>${p.toFixed(3)}</td>
        <td>${surprise === Infinity ? '∞' : surprise.toFixed(3)}</td>
        <td>${p > 0 ? (p * surprise).toFixed(3) : '0'}</td>
      </tr>`;
    });
    return html`
      ${unitToggle(unit, 'w4-entropy-unit', (u) => (this._unit = u))}
      <div class="row">
        <course-dist-editor .value=${this.value} .labels=${this.labels} name="p" @change=${this._onEdit}></course-dist-editor>
        <table aria-label="entropy, outcome by outcome">
          <thead><tr><th>outcome</th><th>p</th><th>surprise −log p</th><th>p · surprise</th></tr></thead>
          <tbody>${rows}</tbody>
          <tfoot><tr><td colspan="3">H(p) = Σ p · surprise</td><td><output data-quantity="entropy" data-value=${h}>${fmtInfo(h, unit)}</output></td></tr></tfoot>
        </table>
      </div>
      <p class="summary" aria-live="polite">
        Entropy ${fmtInfo(h, unit)}, out of at most ${fmtInfo(max, unit)} for ${this.value.length} outcomes (all equally likely).
      </p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w4-entropy': W4Entropy;
  }
}
