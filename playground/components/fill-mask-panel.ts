// The fill-the-mask panel of the Load a model dialog, for BERT-style models: a sentence with [MASK] in it, and for
// each mask position the k most likely tokens with their probabilities (softmax of the masked-LM logits at that
// position). A checkpoint without the masked-LM head cannot fill masks; the panel says so and shows the last
// hidden state per token instead (its norm and first values). The numbers come from ../hf/fill-mask.ts. Test
// hooks: data-fill, data-fill-results, data-fill-error, data-hidden-state, data-no-mlm.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { errorMessage } from '../dom';
import { fillMask, hiddenStates, type HiddenRow, type MaskResult } from '../hf/fill-mask';
import type { LoadedBert } from '../hf/load';

@customElement('fill-mask-panel')
export class FillMaskPanel extends LitElement {
  static override styles = css`
    :host { display: block; }
    label { display: block; font-weight: 600; margin: 8px 0 4px; }
    input[type='text'] { width: 100%; box-sizing: border-box; font: inherit; }
    .actions { display: flex; gap: 8px; align-items: center; margin: 10px 0; }
    .actions input { width: 5em; }
    table { border-collapse: collapse; margin: 6px 0 12px; }
    td, th { padding: 2px 10px 2px 0; text-align: left; }
    td.p { font-variant-numeric: tabular-nums; }
    .note { color: #52606d; }
    .error { color: #b42318; }
  `;

  @property({ attribute: false }) loaded: LoadedBert | null = null;
  @state() private _text = 'The capital of France is [MASK].';
  @state() private _k = 5;
  @state() private _busy = false;
  @state() private _masks: MaskResult[] | null = null;
  @state() private _hidden: HiddenRow[] | null = null;
  @state() private _error = '';

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('loaded')) Object.assign(this, { _masks: null, _hidden: null, _error: '' });
  }

  private async _run(): Promise<void> {
    const m = this.loaded;
    if (!m || this._busy) return;
    Object.assign(this, { _busy: true, _error: '', _masks: null, _hidden: null });
    try {
      if (m.hasMlmHead) this._masks = await fillMask(m, this._text, this._k);
      else this._hidden = await hiddenStates(m, this._text);
    } catch (e) {
      this._error = errorMessage(e);
    } finally {
      this._busy = false;
    }
  }

  private _results() {
    if (this._masks) {
      return html`<div data-fill-results>
        ${this._masks.map(
          (r, i) => html`<table aria-label=${`Predictions for mask ${i + 1}`}>
            <tr><th colspan="2">[MASK] ${this._masks!.length > 1 ? i + 1 : ''} (token ${r.position})</th></tr>
            ${r.predictions.map((p) => html`<tr><td>${p.token}</td><td class="p">${(100 * p.p).toFixed(1)}%</td></tr>`)}
          </table>`,
        )}
      </div>`;
    }
    if (this._hidden) {
      return html`<table data-hidden-state aria-label="Last hidden state per token">
        <tr><th>token</th><th>‖h‖</th><th>first values</th></tr>
        ${this._hidden.map((r) => html`<tr><td>${r.token}</td><td class="p">${r.norm.toFixed(2)}</td><td class="p">${r.first.map((v) => v.toFixed(3)).join('  ')}</td></tr>`)}
      </table>`;
    }
    return nothing;
  }

  override render() {
    const mlm = this.loaded?.hasMlmHead ?? false;
    return html`
      ${this.loaded && !mlm
        ? html`<p class="note" data-no-mlm>This checkpoint has no masked-LM head (cls.predictions.*), so it cannot fill in [MASK]. It can still
            encode a sentence: its last hidden state per token is shown below.</p>`
        : nothing}
      <label for="sentence">${mlm ? 'A sentence with [MASK] where a word should go' : 'A sentence'}</label>
      <input id="sentence" type="text" data-sentence .value=${this._text} @input=${(e: Event) => (this._text = (e.target as HTMLInputElement).value)}
        @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && this._run()} />
      <div class="actions">
        <button data-fill ?disabled=${this._busy || !this.loaded} @click=${this._run}>${mlm ? 'Fill the mask' : 'Encode'}</button>
        ${mlm
          ? html`<label for="k" style="margin:0">Top</label>
              <input id="k" type="number" min="1" max="50" .value=${String(this._k)}
                @change=${(e: Event) => { const v = (e.target as HTMLInputElement).valueAsNumber; if (Number.isFinite(v)) this._k = Math.min(50, Math.max(1, Math.round(v))); }} />`
          : nothing}
      </div>
      ${this._error ? html`<p class="error" role="alert" data-fill-error>${this._error}</p>` : nothing}
      ${this._results()}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'fill-mask-panel': FillMaskPanel;
  }
}
