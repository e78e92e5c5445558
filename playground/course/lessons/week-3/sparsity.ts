// Sparsity: the share of held-out n-grams that never occur in the training text, for n = 1 to 5, with a slider for
// how much of the training text the models see. More data helps every order, but the long ones barely: most
// five-word sequences of a new speech have never been said before. The table is the chart's text alternative.
import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { askLm, latestOnly } from '../../widgets/w13-lm-client';
import { percent, w13Styles } from '../../widgets/w13-style';

export const SPARSITY_ORDERS = [1, 2, 3, 4, 5];
const BAR = 260;

@customElement('w3-sparsity')
export class W3Sparsity extends LitElement {
  static override styles = [w13Styles];

  /** The fraction of the training sentences the models are fitted on. */
  @property({ type: Number }) value = 1;

  @state() private _rates: { fraction: number; rates: number[] } | null = null;
  @state() private _error = '';
  @state() private _busy = false;

  private _ask = latestOnly(
    (fraction: number) => askLm({ kind: 'sparsity', orders: SPARSITY_ORDERS, fraction }),
    (rates, fraction) => {
      this._rates = { fraction, rates };
      this._busy = false;
      this._error = '';
    },
    (e) => {
      this._error = `The counts could not be computed: ${e.message}`;
      this._busy = false;
    },
  );

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('value')) {
      this._busy = true;
      this._ask(this.value);
    }
  }

  override render() {
    const r = this._rates;
    const alt = r ? `Share of held-out n-grams unseen in training, with ${percent(r.fraction, 0)} of the training text: ${SPARSITY_ORDERS.map((n, i) => `n = ${n}: ${percent(r.rates[i])}`).join('; ')}.` : 'Counting…';
    return html`
      <div class="controls">
        <label>train on <span class="num">${percent(this.value, 0)}</span> of the training sentences
          <input type="range" min="0.1" max="1" step="0.1" .value=${String(this.value)} aria-label="fraction of the training text"
            @change=${(e: Event) => {
              this.value = Number((e.target as HTMLInputElement).value);
              this.dispatchEvent(new CustomEvent<number>('change', { detail: this.value, bubbles: true, composed: true }));
            }} /></label>
        ${this._busy ? html`<span class="busy">counting…</span>` : nothing}
      </div>
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : nothing}
      <!-- The table is there from the start (empty bars while counting), so results never shift the page. -->
      <table role="img" aria-label=${alt} data-sparsity=${r ? r.fraction : nothing}>
        <caption>Held-out n-grams never seen in training (${r ? `${percent(r.fraction, 0)} of the training text` : 'counting…'})</caption>
        ${SPARSITY_ORDERS.map((n, i) => html`<tr><th scope="row">n = ${n}</th>
          <td style=${`text-align:left;width:${BAR}px`}><div style=${`height:12px;width:${r ? Math.max(1, r.rates[i] * BAR) : 0}px;background:#7c3aed`}></div></td>
          <td data-rate=${r ? r.rates[i] : nothing}>${r ? percent(r.rates[i]) : '…'}</td></tr>`)}
      </table>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w3-sparsity': W3Sparsity;
  }
}
