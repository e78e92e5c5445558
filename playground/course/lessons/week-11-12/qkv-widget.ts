// Scaled dot-product attention on three tokens, one step at a time: the learner edits each token's query, key and
// value (two numbers each) and sees every matrix on the way: the scores Q Kᵀ, the scale 1/√d, the causal mask,
// the softmax weights and the weighted sum of the values. Each matrix is computed by engine tensors
// (engine/lessons/attention.ts attentionSteps), not by this element. Its value is the vectors and the mask toggle.
import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { attentionSteps, type AttentionSteps } from '../../../../engine/course';

export interface QkvValue {
  q: number[][];
  k: number[][];
  v: number[][];
  causal: boolean;
}

export const TOKENS = ['the', 'cat', 'sat'];

/** A starting point where each query matches one key best, so the weights are far from uniform. */
export const QKV_DEFAULT: QkvValue = {
  q: [[1, 0], [0, 3], [1, 1]],
  k: [[2, 0], [0, 1], [1, 0.5]],
  v: [[1, 0], [0, 1], [0.5, 0.5]],
  causal: false,
};

const isMatrix = (m: unknown, rows: number, cols: number): m is number[][] =>
  Array.isArray(m) && m.length === rows && m.every((r) => Array.isArray(r) && r.length === cols && r.every((x) => typeof x === 'number' && Number.isFinite(x)));

const fmt = (x: number): string => (x === -Infinity ? '−∞' : x === Infinity ? '∞' : Math.abs(x) < 5e-4 ? '0' : x.toFixed(3).replace(/\.?0+$/, '').replace('-', '−'));

@customElement('w1112-qkv')
export class QkvSteps extends LitElement {
  static override styles = css`
    :host { display: block; font: 14px/1.4 system-ui, sans-serif; color: #1f2933; }
    .inputs { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
    .grid { display: flex; flex-wrap: wrap; gap: 18px; margin-top: 10px; }
    table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
    caption { text-align: left; font-weight: 600; padding-bottom: 2px; }
    th, td { padding: 2px 6px; text-align: right; border-bottom: 1px solid #e4e7eb; }
    th { color: #52606d; font-weight: 500; }
    input[type='number'] { width: 4.2em; }
    td.masked { color: #9aa5b1; }
    .note { color: #52606d; margin: 6px 0 0; }
    .error { color: #b91c1c; }
  `;

  @property({ attribute: false }) value: QkvValue = structuredClone(QKV_DEFAULT);
  @state() private _steps: AttentionSteps | null = null;
  @state() private _error = '';
  /** Increases on every recompute, so a slow answer for an old value never replaces a newer one. */
  private _run = 0;

  override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('value')) return;
    const v = this.value as unknown as Partial<QkvValue> | null;
    // A value restored from storage or a share link that is not three tokens of two numbers: start from the default.
    if (!v || !isMatrix(v.q, 3, 2) || !isMatrix(v.k, 3, 2) || !isMatrix(v.v, 3, 2) || typeof v.causal !== 'boolean') {
      this.value = structuredClone(QKV_DEFAULT);
    }
  }

  override updated(changed: PropertyValues<this>): void {
    if (changed.has('value')) void this._recompute();
  }

  private async _recompute(): Promise<void> {
    const run = ++this._run;
    const { q, k, v, causal } = this.value;
    try {
      const steps = await attentionSteps(q, k, v, causal);
      if (run !== this._run) return;
      this._steps = steps;
      this._error = '';
    } catch (e) {
      if (run === this._run) this._error = e instanceof Error ? e.message : String(e);
    }
  }

  private _set(next: QkvValue): void {
    this.value = next;
    this.dispatchEvent(new CustomEvent<QkvValue>('change', { detail: structuredClone(next), bubbles: true, composed: true }));
  }

  private _onNumber(which: 'q' | 'k' | 'v', i: number, j: number, e: Event): void {
    const x = Number((e.target as HTMLInputElement).value);
    if (!Number.isFinite(x) || (e.target as HTMLInputElement).value.trim() === '') return; // keep the last number while the field is being typed into
    const next = structuredClone(this.value);
    next[which][i][j] = x;
    this._set(next);
  }

  private _onCausal(e: Event): void {
    this._set({ ...structuredClone(this.value), causal: (e.target as HTMLInputElement).checked });
  }

  private _inputs(which: 'q' | 'k' | 'v', title: string) {
    return html`<table>
      <caption>${title}</caption>
      <thead><tr><th scope="col">token</th><th scope="col">1</th><th scope="col">2</th></tr></thead>
      <tbody>
        ${this.value[which].map(
          (row, i) => html`<tr><th scope="row">${TOKENS[i]}</th>${row.map(
            (x, j) => html`<td><input type="number" step="0.5" .value=${String(x)} aria-label="${title} of “${TOKENS[i]}”, entry ${j + 1}"
              @change=${(e: Event) => this._onNumber(which, i, j, e)}></td>`,
          )}</tr>`,
        )}
      </tbody>
    </table>`;
  }

  private _matrix(title: string, m: number[][], cols: string[], maskedOut = false) {
    const causal = this.value.causal;
    return html`<table>
      <caption>${title}</caption>
      <thead><tr><th></th>${cols.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
      <tbody>
        ${m.map(
          (row, i) => html`<tr><th scope="row">${TOKENS[i]}</th>${row.map(
            (x, j) => html`<td class=${maskedOut && causal && j > i ? 'masked' : ''}>${fmt(x)}</td>`,
          )}</tr>`,
        )}
      </tbody>
    </table>`;
  }

  override render() {
    const s = this._steps;
    return html`
      <div class="inputs">
        ${this._inputs('q', 'query q')} ${this._inputs('k', 'key k')} ${this._inputs('v', 'value v')}
        <label><input type="checkbox" .checked=${this.value.causal} @change=${this._onCausal}> causal mask (a token sees only itself and earlier tokens)</label>
      </div>
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : ''}
      ${s
        ? html`<div class="grid" aria-live="polite">
              ${this._matrix('1. scores Q Kᵀ (rows: queries, columns: keys)', s.scores, TOKENS)}
              ${this._matrix(`2. scaled by 1/√d = ${fmt(s.scale)}`, s.scaled, TOKENS)}
              ${this._matrix(this.value.causal ? '3. masked: −∞ where the key comes later' : '3. no mask', s.masked, TOKENS, true)}
              ${this._matrix('4. weights: softmax of each row', s.weights, TOKENS, true)}
              ${this._matrix('5. output: weights · V', s.output, ['1', '2'])}
            </div>
            <p class="note">Each output row is a mixture of the value rows, mixed in the proportions of its row of weights. Every row of weights sums to 1${this.value.causal ? ', and a masked entry is exactly 0 because exp(−∞) = 0' : ''}.</p>`
        : html`<p class="note">Computing…</p>`}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w1112-qkv': QkvSteps;
  }
}
