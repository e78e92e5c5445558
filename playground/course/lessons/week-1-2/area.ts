// Bayes' rule as areas. The unit square is everyone; the left column (width P(H)) are those with the condition, and
// in each column the shaded part is who tests positive: height P(E | H) on the left, P(E | ¬H) on the right. A
// positive result means "you are somewhere in the shaded area", so P(H | E) is the left shaded area's share of all
// shaded area. The bar beneath redraws only the shaded area at full width, which is what conditioning does: throw
// away the unshaded world and rescale what is left to 1. The posterior comes from the engine's bayes().
import { LitElement, html, nothing, svg } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { bayes } from '../../../../engine/course';
import { percent, w13Styles } from '../../widgets/w13-style';
import type { AreaValue } from './exercises';

const S = 260; // the square's side in SVG units
const BAR = 28;

const HIT = '#dc2626'; // with the condition, positive
const HIT_SOFT = '#fecaca'; // with the condition, negative
const FALSE = '#2563eb'; // without it, positive
const FALSE_SOFT = '#dbeafe'; // without it, negative

type Key = keyof AreaValue;

const LABELS: Record<Key, string> = {
  prior: 'P(H): prevalence',
  sensitivity: 'P(E | H): sensitivity',
  falsePositive: 'P(E | ¬H): false-positive rate',
};

@customElement('w12-bayes-area')
export class W12BayesArea extends LitElement {
  static override styles = [w13Styles];

  @property({ attribute: false }) value: AreaValue = { prior: 0.3, sensitivity: 0.8, falsePositive: 0.2 };
  @state() private _error = '';

  private _set(key: Key, raw: string): void {
    const v = Number(raw);
    // An empty or out-of-range entry is named under the controls and otherwise ignored: the field keeps the text
    // until it is corrected, and the diagram keeps its last valid state rather than drawing nonsense.
    if (raw.trim() === '' || !Number.isFinite(v) || v < 0 || v > 1) {
      this._error = `${LABELS[key]} must be a probability between 0 and 1 (got "${raw}"); the diagram shows the last valid value.`;
      return;
    }
    this._error = '';
    this.value = { ...this.value, [key]: v };
    this.dispatchEvent(new CustomEvent<AreaValue>('change', { detail: { ...this.value }, bubbles: true, composed: true }));
  }

  private _control(key: Key, step: number) {
    const v = this.value[key];
    return html`<label>${LABELS[key]}
      <input type="range" min="0" max="1" step=${step} .value=${String(v)} aria-label=${LABELS[key]}
        @input=${(e: Event) => this._set(key, (e.target as HTMLInputElement).value)} />
      <input type="number" min="0" max="1" step=${step} .value=${String(v)} aria-label=${`${LABELS[key]} (exact)`}
        @change=${(e: Event) => this._set(key, (e.target as HTMLInputElement).value)} />
    </label>`;
  }

  override render() {
    const { prior, sensitivity, falsePositive } = this.value;
    const hit = prior * sensitivity; // P(H, E)
    const fa = (1 - prior) * falsePositive; // P(¬H, E)
    const evidence = hit + fa;
    const posterior = evidence > 0 ? bayes({ prior: [prior, 1 - prior], likelihood: [sensitivity, falsePositive] })[0] : NaN;
    const w = prior * S;
    const alt =
      `Area diagram: ${percent(prior)} of people have the condition; ${percent(hit, 2)} of everyone has it and tests ` +
      `positive, ${percent(fa, 2)} does not and tests positive. Among the positives, ${Number.isNaN(posterior) ? 'none exist' : `${percent(posterior)} have the condition`}.`;
    return html`
      <div class="controls" style="flex-direction: column; align-items: flex-start">
        ${this._control('prior', 0.001)} ${this._control('sensitivity', 0.01)} ${this._control('falsePositive', 0.001)}
      </div>
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : nothing}
      <div class="row">
        <svg width=${S + 2} height=${S + BAR + 40} viewBox="-1 -1 ${S + 2} ${S + BAR + 40}" role="img" aria-label=${alt}>
          <!-- everyone: the condition on the left, everyone else on the right; the shaded bottom part tests positive -->
          <rect x="0" y="0" width=${w} height=${S} fill=${HIT_SOFT}></rect>
          <rect x=${w} y="0" width=${S - w} height=${S} fill=${FALSE_SOFT}></rect>
          <rect x="0" y=${S * (1 - sensitivity)} width=${w} height=${S * sensitivity} fill=${HIT}></rect>
          <rect x=${w} y=${S * (1 - falsePositive)} width=${S - w} height=${S * falsePositive} fill=${FALSE}></rect>
          <rect x="0" y="0" width=${S} height=${S} fill="none" stroke="#52606d"></rect>
          ${svg`<text x="4" y=${S + 16} font-size="11" fill="#52606d">positives only, rescaled to 1:</text>`}
          ${evidence > 0
            ? svg`<rect x="0" y=${S + 22} width=${(hit / evidence) * S} height=${BAR} fill=${HIT}></rect>
                  <rect x=${(hit / evidence) * S} y=${S + 22} width=${(fa / evidence) * S} height=${BAR} fill=${FALSE}></rect>`
            : svg`<text x="4" y=${S + 40} font-size="11">nobody tests positive</text>`}
        </svg>
        <table>
          <caption>Shares of everyone</caption>
          <tr><th>H and E (true positive)</th><td data-cell="joint-hit">${percent(hit, 2)}</td></tr>
          <tr><th>¬H and E (false positive)</th><td data-cell="joint-false">${percent(fa, 2)}</td></tr>
          <tr><th>P(E) = their sum</th><td data-cell="evidence">${percent(evidence, 2)}</td></tr>
          <tr><th>P(H | E) = P(H, E) / P(E)</th><td data-cell="posterior"><strong>${Number.isNaN(posterior) ? 'undefined' : percent(posterior, 2)}</strong></td></tr>
        </table>
      </div>
      <p class="summary" aria-live="polite">${alt}</p>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w12-bayes-area': W12BayesArea;
  }
}
