// The fill-the-mask panel of the Load a model dialog, for BERT-style models: a sentence with [MASK] in it, and for
// each mask position the k most likely tokens with their probabilities (softmax of the masked-LM logits at that
// position). A checkpoint without the masked-LM head cannot fill masks; the panel says so and shows the last
// hidden state per token instead (its norm and first values). Test hooks: data-fill, data-fill-results.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { noGrad, tensor, tidy, type Tensor } from '../../engine/index';
import { errorMessage } from '../dom';
import type { LoadedBert } from '../hf/load';

interface Prediction {
  token: string;
  p: number;
}

interface MaskResult {
  /** The mask's position among the tokens, [CLS] being 0. */
  position: number;
  predictions: Prediction[];
}

interface HiddenRow {
  token: string;
  norm: number;
  first: number[];
}

/** The k largest entries of softmax(row), most likely first; the max is subtracted before exp. */
function topK(row: ArrayLike<number>, k: number): Array<{ index: number; p: number }> {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) max = Math.max(max, row[i]);
  let total = 0;
  for (let i = 0; i < row.length; i++) total += Math.exp(row[i] - max);
  const best: Array<{ index: number; p: number }> = [];
  for (let i = 0; i < row.length; i++) {
    const p = Math.exp(row[i] - max) / total;
    if (best.length < k || p > best[best.length - 1].p) {
      best.push({ index: i, p });
      best.sort((a, b) => b.p - a.p);
      if (best.length > k) best.pop();
    }
  }
  return best;
}

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

  /** The sentence as the model's inputs (1, T), cut to the model's longest sequence. */
  private _inputs(m: LoadedBert): { ids: number[]; inputs: [Tensor, Tensor, Tensor] } {
    const max = m.config.max_position_embeddings;
    const enc = m.tokenizer.encode(this._text, undefined, { maxLength: typeof max === 'number' ? max : 512, truncation: true });
    const T = enc.ids.length;
    const device = m.model.parameters()[0].device;
    const as = (v: number[]): Tensor => tensor(Int32Array.from(v), [1, T], { device });
    return { ids: enc.ids, inputs: [as(enc.ids), as(enc.tokenTypeIds), as(enc.attentionMask)] };
  }

  private async _run(): Promise<void> {
    const m = this.loaded;
    if (!m || this._busy) return;
    this._busy = true;
    this._error = '';
    try {
      const { ids, inputs } = this._inputs(m);
      if (m.hasMlmHead) await this._fill(m, ids, inputs);
      else await this._showHidden(m, ids, inputs);
    } catch (e) {
      this._error = errorMessage(e);
    } finally {
      this._busy = false;
    }
  }

  private async _fill(m: LoadedBert, ids: number[], inputs: [Tensor, Tensor, Tensor]): Promise<void> {
    const positions = ids.flatMap((id, i) => (id === m.tokenizer.maskTokenId ? [i] : []));
    if (!positions.length) {
      inputs.forEach((t) => t.dispose());
      this._masks = null;
      this._error = 'The sentence has no [MASK]: write [MASK] where a word should be predicted.';
      return;
    }
    // Only the masked rows are read back: (1, T, V) → one (V) row per mask.
    const rows = noGrad(() =>
      tidy(() => {
        const logits = m.model.mlmLogits(...inputs); // (1, T, V)
        const V = logits.shape[2];
        return positions.map((p) => logits.slice(1, p, p + 1).reshape([V]));
      }),
    );
    inputs.forEach((t) => t.dispose());
    try {
      const read = await Promise.all(rows.map((r) => r.toArray()));
      this._masks = positions.map((position, i) => ({
        position,
        predictions: topK(read[i], this._k).map(({ index, p }) => ({ token: m.tokenizer.idToToken(index), p })),
      }));
    } finally {
      rows.forEach((r) => r.dispose());
    }
  }

  private async _showHidden(m: LoadedBert, ids: number[], inputs: [Tensor, Tensor, Tensor]): Promise<void> {
    const h = noGrad(() => m.model.encode(...inputs)); // (1, T, H)
    inputs.forEach((t) => t.dispose());
    try {
      const H = h.shape[2];
      const data = await h.toArray();
      this._hidden = ids.map((id, t) => {
        const row = Array.from(data.subarray(t * H, (t + 1) * H));
        return { token: m.tokenizer.idToToken(id), norm: Math.hypot(...row), first: row.slice(0, 4) };
      });
    } finally {
      h.dispose();
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
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : nothing}
      ${this._results()}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'fill-mask-panel': FillMaskPanel;
  }
}
