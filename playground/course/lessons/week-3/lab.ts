// The n-gram laboratory: pick an order and a smoothing, and the State of the Union model is fitted (in the n-gram
// worker) and scored on the held-out addresses: perplexity, cross-entropy in nats and bits, exp of the
// cross-entropy beside the perplexity, and the share of held-out n-grams never seen in training. Every setting tried
// stays in a table for comparison, and "Sample" draws sentences from the current model.
import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Smoothing } from '../../../../engine/course';
import { askLm, latestOnly } from '../../widgets/w13-lm-client';
import type { Evaluation, ModelSpec } from '../../widgets/w13-lm';
import { percent, w13Styles } from '../../widgets/w13-style';

const SMOOTHING_NAMES: Record<Smoothing, string> = {
  none: 'none (maximum likelihood)',
  laplace: 'Laplace (add-1)',
  addk: 'add-k',
  'kneser-ney': 'Kneser-Ney',
};

export const describeModel = (m: ModelSpec): string =>
  `${['unigram', 'bigram', 'trigram'][m.n - 1] ?? `${m.n}-gram`}, ${m.smoothing === 'addk' ? `add-${m.k}` : m.smoothing === 'kneser-ney' ? `Kneser-Ney d = ${m.discount ?? 0.75}` : SMOOTHING_NAMES[m.smoothing]}`;

const fmtPpl = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '∞');

@customElement('w3-ngram-lab')
export class W3NgramLab extends LitElement {
  static override styles = [w13Styles];

  @property({ attribute: false }) value: ModelSpec = { n: 2, smoothing: 'kneser-ney', discount: 0.75 };

  @state() private _results: Evaluation[] = [];
  @state() private _samples: string[][] | null = null;
  @state() private _busy = false;
  @state() private _error = '';
  private _seed = 1;

  private _evaluate = latestOnly(
    (m: ModelSpec) => askLm({ kind: 'evaluate', model: m }),
    (r) => {
      this._busy = false;
      this._error = '';
      const key = describeModel(r.model);
      this._results = [r, ...this._results.filter((x) => describeModel(x.model) !== key)].slice(0, 8);
    },
    (e) => {
      this._busy = false;
      this._error = `The model could not be evaluated: ${e.message}`;
    },
  );

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('value')) {
      this._busy = true;
      this._samples = null;
      this._evaluate({ ...this.value });
    }
  }

  private _set(patch: Partial<ModelSpec>): void {
    const next = { ...this.value, ...patch };
    if (next.smoothing === 'addk' && next.k === undefined) next.k = 0.01;
    if (next.smoothing === 'kneser-ney' && next.discount === undefined) next.discount = 0.75;
    this.value = next;
    this.dispatchEvent(new CustomEvent<ModelSpec>('change', { detail: next, bubbles: true, composed: true }));
  }

  private async _sample(): Promise<void> {
    try {
      this._samples = await askLm({ kind: 'sample', model: this.value, seed: this._seed, count: 3, maxLen: 25 });
      this._seed += 3;
    } catch (e) {
      this._error = `Sampling failed: ${(e as Error).message}`;
    }
  }

  override render() {
    const m = this.value;
    const current = this._results.find((r) => describeModel(r.model) === describeModel(m));
    const order = (n: number, label: string) => html`<label><input type="radio" name="order" .checked=${m.n === n} @change=${() => this._set({ n })} /> ${label}</label>`;
    return html`
      <div class="controls">
        <fieldset style="border:none;padding:0;display:flex;gap:10px"><legend class="muted" style="float:left;margin-right:6px">order</legend>
          ${order(1, 'unigram')} ${order(2, 'bigram')} ${order(3, 'trigram')}</fieldset>
        <label>smoothing <select aria-label="smoothing" @change=${(e: Event) => this._set({ smoothing: (e.target as HTMLSelectElement).value as Smoothing })}>
          ${(Object.keys(SMOOTHING_NAMES) as Smoothing[]).map((s) => html`<option value=${s} .selected=${m.smoothing === s}>${SMOOTHING_NAMES[s]}</option>`)}
        </select></label>
        ${m.smoothing === 'addk'
          ? html`<label>k = <span class="num">${m.k}</span>
              <input type="range" min="-4" max="0" step="0.25" .value=${String(Math.log10(m.k ?? 0.01))} aria-label="k, log scale"
                @change=${(e: Event) => this._set({ k: Number((10 ** Number((e.target as HTMLInputElement).value)).toPrecision(2)) })} /></label>`
          : nothing}
        ${m.smoothing === 'kneser-ney'
          ? html`<label>discount d = <span class="num">${m.discount}</span>
              <input type="range" min="0.05" max="1" step="0.05" .value=${String(m.discount ?? 0.75)} aria-label="Kneser-Ney discount"
                @change=${(e: Event) => this._set({ discount: Number(Number((e.target as HTMLInputElement).value).toFixed(2)) })} /></label>`
          : nothing}
        ${this._busy ? html`<span class="busy">fitting…</span>` : nothing}
      </div>
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : nothing}
      <!-- Fixed heights for the parts that answers fill in, so that results never shift the page below. -->
      ${current
        ? html`<p class="summary" aria-live="polite" data-current style="min-height:4.4em">
            <strong>${describeModel(m)}</strong>: held-out perplexity <strong data-ppl=${current.test.perplexity}>${fmtPpl(current.test.perplexity)}</strong>;
            cross-entropy ${Number.isFinite(current.test.crossEntropy) ? html`${current.test.crossEntropy.toFixed(3)} nats
            (${(current.test.crossEntropy / Math.LN2).toFixed(3)} bits) per token, and e<sup>${current.test.crossEntropy.toFixed(3)}</sup> =
            ${fmtPpl(Math.exp(current.test.crossEntropy))}` : '∞: some held-out token got probability 0'};
            ${percent(current.unseen)} of the held-out ${m.n}-grams never occur in training.</p>`
        : html`<p class="summary busy" style="min-height:4.4em">Fitting ${describeModel(m)}…</p>`}
      <div style="height:12.5em;overflow-y:auto" tabindex="0" aria-label="settings tried">
      <table data-results>
        <caption>Settings tried (newest first), scored on ${current ? current.test.tokens.toLocaleString('en-US') : 'the'} held-out tokens</caption>
        <tr><th>model</th><th>perplexity</th><th>nats / token</th><th>unseen n-grams</th></tr>
        ${this._results.map((r) => html`<tr><td>${describeModel(r.model)}</td><td>${fmtPpl(r.test.perplexity)}</td>
          <td>${Number.isFinite(r.test.crossEntropy) ? r.test.crossEntropy.toFixed(3) : '∞'}</td><td>${percent(r.unseen)}</td></tr>`)}
      </table>
      </div>
      <p><button @click=${this._sample}>Sample 3 sentences</button></p>
      ${this._samples
        ? html`<ol data-samples>${this._samples.map((s) => html`<li>${s.length ? s.join(' ') : html`<span class="muted">(an empty sentence: the model ended it at once)</span>`}</li>`)}</ol>`
        : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w3-ngram-lab': W3NgramLab;
  }
}
