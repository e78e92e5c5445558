// Multinomial naive Bayes on SpamAssassin: held-out accuracy and confusion matrix, the words that most tell the
// classes apart, and a box to type a message into and watch each word pull towards spam or ham. α is a slider on a
// log scale; refitting on the 1,125 training mails takes milliseconds, so it happens on every change.
import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { loadSpam } from '../../widgets/w13-data';
import { percent, w13Styles } from '../../widgets/w13-style';
import type { SpamData } from '../../../../engine/course';
import { explainMessage, fitSpam, type SpamModel } from './spam-model';

/** A probability as a percentage that never rounds a near-certainty up to a flat 100% (or down to 0%). */
function sure(p: number): string {
  if (p > 0.9999) return '> 99.99%';
  if (p < 0.0001) return '< 0.01%';
  return percent(p, 2);
}

const DEFAULT_MESSAGE = 'Dear friend, you are pre-approved for a low interest loan. Click here to compare mortgage rates today!';

@customElement('w12-spam-nb')
export class W12SpamNb extends LitElement {
  static override styles = [w13Styles];

  /** log10 α: the slider's position. */
  @property({ type: Number }) logAlpha = 0;
  @property() message = DEFAULT_MESSAGE;

  @state() private _data: SpamData | null = null;
  @state() private _error = '';
  private _model: SpamModel | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this._data) {
      loadSpam().then(
        (d) => (this._data = d),
        (e: unknown) => (this._error = `The spam sample could not be loaded: ${(e as Error).message}`),
      );
    }
  }

  private _alpha(): number {
    return Number((10 ** this.logAlpha).toPrecision(3));
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (this._data && (changed.has('_data') || changed.has('logAlpha'))) this._model = fitSpam(this._data, this._alpha());
  }

  private _onAlpha(e: Event): void {
    this.logAlpha = Number((e.target as HTMLInputElement).value);
    this.dispatchEvent(new CustomEvent<number>('change', { detail: this.logAlpha, bubbles: true, composed: true }));
  }

  override render() {
    if (this._error) return html`<p class="error" role="alert">${this._error}</p>`;
    const m = this._model;
    if (!m) return html`<p class="busy">Loading 1,500 mails…</p>`;
    const [[hh, hs], [sh, ss]] = m.confusion;
    const verdict = explainMessage(m, this.message);
    const words = (list: SpamModel['telling']['ham'], cls: string) => html`<table data-telling=${cls}>
      <caption>Most ${cls}-like words</caption>
      <tr><th>word</th><th title="log P(w | ${cls}) − log P(w | other)">log ratio</th><th>count in ${cls}</th></tr>
      ${list.map((f) => html`<tr><td>${f.word}</td><td>${f.logRatio.toFixed(2)}</td><td>${f.count}</td></tr>`)}
    </table>`;
    return html`
      <div class="controls">
        <label>smoothing α = <span class="num" data-alpha>${this._alpha()}</span>
          <input type="range" min="-3" max="1" step="0.25" .value=${String(this.logAlpha)} aria-label="smoothing alpha, log scale" @input=${this._onAlpha} />
        </label>
      </div>
      <div class="row">
        <table>
          <caption>Held-out mails (${m.predicted.length}): accuracy <strong data-accuracy=${m.accuracy}>${percent(m.accuracy)}</strong></caption>
          <tr><th>true \\ predicted</th><th scope="col">ham</th><th scope="col">spam</th></tr>
          <tr><th scope="row">ham</th><td>${hh}</td><td>${hs}</td></tr>
          <tr><th scope="row">spam</th><td>${sh}</td><td>${ss}</td></tr>
        </table>
        ${words(m.telling.spam, 'spam')} ${words(m.telling.ham, 'ham')}
      </div>
      <h4>Try a message</h4>
      <textarea rows="3" cols="70" aria-label="a message to classify" .value=${this.message}
        @input=${(e: Event) => (this.message = (e.target as HTMLTextAreaElement).value)}></textarea>
      <p class="summary" aria-live="polite" data-verdict>
        ${verdict.tokens.length === 0
          ? 'Type some words: with none, the prior alone decides.'
          : html`P(spam | message) = <strong>${sure(verdict.spam)}</strong>: ${verdict.spam >= 0.5 ? 'spam' : 'ham'}.`}
        The score starts from the prior, log P(spam) − log P(ham) = ${verdict.priorLogRatio.toFixed(2)} nats, and each
        word below adds its log ratio (red towards spam, blue towards ham).
      </p>
      <p class="muted">
        ${verdict.tokens.map((t) =>
          t.logRatio === null
            ? html`<span title="not in the training vocabulary: skipped" style="text-decoration: line-through; margin-right: 6px">${t.word}</span>`
            : html`<span title=${`${t.logRatio >= 0 ? '+' : ''}${t.logRatio.toFixed(2)} nats towards spam`}
                style=${`margin-right: 6px; padding: 0 3px; border-radius: 3px; background: ${t.logRatio >= 0 ? `rgba(220,38,38,${Math.min(0.6, t.logRatio / 5)})` : `rgba(37,99,235,${Math.min(0.6, -t.logRatio / 5)})`}`}>${t.word}
                <sub>${t.logRatio >= 0 ? '+' : ''}${t.logRatio.toFixed(1)}</sub></span>`,
        )}
        ${verdict.tokens.some((t) => t.logRatio === null) ? html`<br />Struck-out words never occurred in training, so the model skips them.` : nothing}
      </p>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w12-spam-nb': W12SpamNb;
  }
}
