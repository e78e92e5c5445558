// Add-k smoothing on a corpus small enough to read: the bigram distribution P(· | context) over the whole
// vocabulary, words seen after the context in one colour and unseen ones in another, with k on a log-scale slider.
// Dragging k shows the mass flowing from the few seen words to the many unseen ones. Its value is {k}, so the target
// exercise can place it and check what it reports.
import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { NGramLM } from '../../../../engine/course';
import { percent, w13Styles } from '../../widgets/w13-style';
import { TOY, TOY_CONTEXT, TOY_TEXT } from './exercises';

const SEEN = '#2563eb';
const UNSEEN = '#f59e0b';
const BAR = 220; // the width of probability 1, in pixels

@customElement('w3-addk-toy')
export class W3AddkToy extends LitElement {
  static override styles = [w13Styles];

  @property({ attribute: false }) value: { k: number } = { k: 1 };
  /** The context word whose continuations are drawn. */
  @property() context = TOY_CONTEXT;

  @state() private _error = '';

  private _setK(k: number, typed?: string): void {
    if (!(k > 0) || !Number.isFinite(k)) {
      // The box keeps what was typed and the chart its last valid k, with the reason shown.
      this._error = `k must be a number above 0 (got "${typed ?? k}"); the chart shows k = ${this.value.k}.`;
      return;
    }
    this._error = '';
    this.value = { k };
    this.dispatchEvent(new CustomEvent<{ k: number }>('change', { detail: { k }, bubbles: true, composed: true }));
  }

  override render() {
    const k = this.value.k;
    const lm = new NGramLM({ n: 2, smoothing: 'addk', k }).fit(TOY);
    const rows = lm.vocab.map((w) => ({ w, p: lm.prob([this.context], w), seen: lm.countOf([this.context, w]) > 0, c: lm.countOf([this.context, w]) }));
    rows.sort((a, b) => b.p - a.p || (a.w < b.w ? -1 : 1));
    const unseen = rows.filter((r) => !r.seen).reduce((s, r) => s + r.p, 0);
    const alt = `P(next | ${this.context}) with add-${k} smoothing: ${rows.map((r) => `${r.w} ${percent(r.p)}`).join(', ')}; unseen words ${percent(unseen)} in all.`;
    return html`
      <p class="muted">Corpus: ${TOY_TEXT.map((s) => `“${s}”`).join(' ')}</p>
      <div class="controls">
        <label>k = <input type="range" min="-3" max="1" step="0.01" .value=${String(Math.log10(k))} aria-label="k, log scale"
          @input=${(e: Event) => this._setK(Number((10 ** Number((e.target as HTMLInputElement).value)).toPrecision(3)))} />
          <input type="number" min="0" step="any" .value=${String(k)} aria-label="k (exact)"
            @change=${(e: Event) => {
              const typed = (e.target as HTMLInputElement).value;
              this._setK(typed.trim() === '' ? NaN : Number(typed), typed);
            }} /></label>
      </div>
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : nothing}
      <table role="img" aria-label=${alt}>
        <caption>P(next | ${this.context}), add-k: (c(${this.context}, w) + k) / (c(${this.context}) + k·|V|), |V| = ${lm.vocabSize}</caption>
        ${rows.map((r) => html`<tr>
          <td>${r.w}</td>
          <td style="text-align:left"><div style=${`height:10px;width:${Math.max(1, r.p * BAR)}px;background:${r.seen ? SEEN : UNSEEN}`}></div></td>
          <td>${r.p.toFixed(3)}</td><td class="muted">${r.seen ? `seen ${r.c}×` : 'unseen'}</td>
        </tr>`)}
      </table>
      <p class="summary" aria-live="polite">Unseen words share <strong data-unseen=${unseen}>${percent(unseen)}</strong> of the probability
        after “${this.context}”.</p>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w3-addk-toy': W3AddkToy;
  }
}
