// The Markov assumption, counted: the next-word distribution after the last 1, 2 and 3 words of a context, each
// from maximum-likelihood counts on the State of the Union training sentences (the engine's NGramLM with n = 2, 3
// and 4, run in the n-gram worker). More context sharpens the distribution and thins the evidence: the counts
// behind each column fall, until the context has never been seen. Clicking a word appends it to the context. Bars
// are scaled to each column's most likely word; the percentages are the probabilities.
import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { wordTokenize } from '../../../../engine/course';
import { askLm, latestOnly } from '../../widgets/w13-lm-client';
import type { NextWords } from '../../widgets/w13-lm';
import { percent, w13Styles } from '../../widgets/w13-style';

const ORDERS = [1, 2, 3];
const TOP = 8;

/**
 * Empty rows that keep every column TOP rows tall, so that answers arriving from the worker never move the page
 * under the reader (or under a pointer about to click something below).
 */
const blankRows = (n: number) =>
  Array.from({ length: Math.max(0, n) }, () => html`<tr aria-hidden="true"><td><button disabled style="visibility:hidden">·</button></td><td></td><td></td><td></td></tr>`);

/** A column while the first counts are on their way. */
const placeholder = (order: number): NextWords => ({ order, context: [], contextCount: NaN, types: NaN, top: [] });

@customElement('w12-markov')
export class W12Markov extends LitElement {
  static override styles = [w13Styles];

  /** The context as typed: tokenised like the corpus (lowercase letters only). */
  @property() value = 'we must';

  @state() private _rows: NextWords[] | null = null;
  @state() private _error = '';
  @state() private _busy = false;

  private _ask = latestOnly(
    (context: string[]) => askLm({ kind: 'next', context, orders: ORDERS, top: TOP }),
    (rows) => {
      this._rows = rows;
      this._error = '';
      this._busy = false;
    },
    (e) => {
      this._error = `The next-word counts could not be computed: ${e.message}`;
      this._busy = false;
    },
  );

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('value')) {
      this._busy = true;
      this._ask(wordTokenize(this.value));
    }
  }

  private _set(text: string): void {
    this.value = text;
    this.dispatchEvent(new CustomEvent<string>('change', { detail: text, bubbles: true, composed: true }));
  }

  private _column(r: NextWords) {
    const ctx = r.context.map((w) => (w === '<s>' ? '⟨start⟩' : w)).join(' ');
    const label = `${r.order} previous word${r.order > 1 ? 's' : ''}`;
    return html`<table data-order=${r.order}>
      <caption><strong>${label}</strong>: P(next | ${ctx})<br />
        <span class="muted">${Number.isNaN(r.contextCount) ? 'counting…' : `context seen ${r.contextCount} times, followed by ${r.types} different words`}</span></caption>
      ${r.contextCount === 0
        ? html`<tr><td class="muted" colspan="4">Never seen in training: maximum likelihood has nothing to say.</td></tr>`
        : nothing}
      ${r.top.map((e) => html`<tr>
            <td><button title=${`append "${e.word}"`} aria-label=${`append ${e.word === '</s>' ? 'end of sentence' : e.word}`}
              ?disabled=${e.word === '</s>'} @click=${() => this._set(`${this.value.trim()} ${e.word}`)}>${e.word === '</s>' ? '⟨end⟩' : e.word}</button></td>
            <td style="width:90px"><div style=${`background:#2563eb;height:10px;width:${Math.max(1, (e.p / r.top[0].p) * 90)}px`}></div></td>
            <td>${percent(e.p)}</td><td class="muted">${e.count}×</td>
          </tr>`)}
      ${blankRows(TOP - r.top.length - (r.contextCount === 0 ? 1 : 0))}
    </table>`;
  }

  override render() {
    return html`
      <div class="controls">
        <label>context <input type="text" size="40" .value=${this.value} aria-label="context words"
          @change=${(e: Event) => this._set((e.target as HTMLInputElement).value)} /></label>
        <button @click=${() => this._set('')}>Start of a sentence</button>
        ${this._busy ? html`<span class="busy">counting…</span>` : nothing}
      </div>
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : nothing}
      <div class="row">${(this._rows ?? ORDERS.map(placeholder)).map((r) => this._column(r))}</div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w12-markov': W12Markov;
  }
}
