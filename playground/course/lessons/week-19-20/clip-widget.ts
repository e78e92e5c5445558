// The tiny CLIP's zero-shot classifier, live: the learner picks a held-out digit and writes (or picks) a prompt
// template; the ten class prompts are the template filled with each digit's name, and the digit goes to the class
// whose prompt's embedding is most similar to the image's. Shows the similarity row (exp(logit_scale)·cosine, from
// CLIP.similarity) and its softmax. Its value is { index, template }.
import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { nn } from '../../../../engine/index';
import { HELD_OUT_TEMPLATE, TRAIN_TEMPLATES, type Digits } from '../../../../engine/course';
import { drawDigit } from './digit-canvas';
import { clipModel, digitPixels, firstOfEachClass, heldOutDigits, similarityMatrix, templatePrompts } from './vision';

/** The templates offered in the menu: the held-out one first, then the training ones. */
export const CLIP_TEMPLATES: readonly string[] = [HELD_OUT_TEMPLATE, ...TRAIN_TEMPLATES];

interface Row {
  prompts: string[];
  logits: number[];
  probs: number[];
}


@customElement('w1920-clip')
export class W1920Clip extends LitElement {
  static override styles = css`
    :host { display: block; }
    .controls { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; margin-bottom: 0.5rem; }
    .thumbs { display: flex; gap: 4px; flex-wrap: wrap; }
    .thumbs button { padding: 1px; border: 2px solid transparent; background: none; cursor: pointer; line-height: 0; }
    .thumbs button[aria-pressed='true'] { border-color: #d97706; }
    input[type='number'] { width: 5rem; }
    input[type='text'] { width: 20rem; font: 0.9rem ui-monospace, monospace; }
    .top { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
    table { border-collapse: collapse; font-size: 0.85rem; }
    td, th { padding: 0.1rem 0.5rem; text-align: left; }
    td.num { text-align: right; font-variant-numeric: tabular-nums; }
    td.bar { width: 8rem; }
    td.bar span { display: block; height: 0.7rem; background: #93c5fd; }
    tr.best td { font-weight: bold; }
    tr.best td.bar span { background: #2563eb; }
    code { font-size: 0.85rem; }
    canvas[data-digit] { border: 1px solid #94a3b8; }
    .status { min-height: 1.4em; }
  `;

  @state() private _index = 0;
  @state() private _template: string = HELD_OUT_TEMPLATE;
  @state() private _row: Row | null = null;
  @state() private _status = 'Loading the CLIP and the held-out digits…';
  private _digits: Digits | null = null;
  private _clip: { model: nn.CLIP; tokenizer: nn.CharTokenizer } | null = null;
  private _thumbs: number[] = [];
  private _asked = 0;

  get value(): { index: number; template: string } {
    return { index: this._index, template: this._template };
  }

  set value(v: unknown) {
    const { index, template } = (v ?? {}) as { index?: unknown; template?: unknown };
    if (Number.isInteger(index) && (index as number) >= 0) this._index = index as number;
    if (typeof template === 'string') this._template = template;
    if (this._clip) void this._show();
  }

  override firstUpdated(_: PropertyValues): void {
    Promise.all([clipModel(), heldOutDigits()]).then(
      ([clip, digits]) => {
        this._clip = clip;
        this._digits = digits;
        this._thumbs = firstOfEachClass(digits);
        if (this._index >= digits.n) this._index = 0;
        void this._show();
      },
      (e: unknown) => (this._status = `Could not load the CLIP: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  private async _show(): Promise<void> {
    const clip = this._clip;
    const digits = this._digits;
    if (!clip || !digits) return;
    const asked = ++this._asked;
    const i = Math.min(Math.max(0, this._index), digits.n - 1);
    try {
      const prompts = templatePrompts(this._template);
      const [logits] = await similarityMatrix(clip, digitPixels(digits, i), prompts); // (1, 10) → the row
      if (asked !== this._asked) return;
      const probs = Array.from(nn.samplingDistribution(logits)); // softmax: the sampler's distribution, unfiltered
      this._row = { prompts, logits, probs };
      const label = digits.labels[i];
      const p = nn.argmaxOf(logits);
      this._status = `Held-out digit #${i}, labelled ${label}: the closest prompt is “${prompts[p]}”, so CLIP says ${p}` +
        `${p === label ? '' : ' (a mistake)'}, with ${(100 * probs[p]).toFixed(1)}% of the softmax.`;
    } catch (e) {
      if (asked !== this._asked) return;
      this._row = null;
      this._status = `That template cannot be used: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  private _changed(): void {
    this.dispatchEvent(new CustomEvent('change', { detail: this.value, bubbles: true, composed: true }));
    void this._show();
  }

  private _pick(i: number): void {
    this._index = i;
    this._changed();
  }

  private _onIndex(e: Event): void {
    const v = Number((e.target as HTMLInputElement).value);
    if (Number.isInteger(v) && v >= 0 && this._digits && v < this._digits.n) this._pick(v);
  }

  private _onPreset(e: Event): void {
    const t = (e.target as HTMLSelectElement).value;
    if (t) {
      this._template = t;
      this._changed();
    }
  }

  private _onTemplate(e: Event): void {
    this._template = (e.target as HTMLInputElement).value;
    this._changed();
  }

  override updated(): void {
    const digits = this._digits;
    if (!digits) return;
    this.renderRoot.querySelectorAll<HTMLCanvasElement>('canvas[data-thumb]').forEach((c) => drawDigit(c, { pixels: digitPixels(digits, Number(c.dataset.thumb)) }));
    const big = this.renderRoot.querySelector<HTMLCanvasElement>('canvas[data-digit]');
    if (big) drawDigit(big, { pixels: digitPixels(digits, this._index) });
  }

  override render() {
    const r = this._row;
    const n = this._digits?.n ?? 1;
    const best = r ? nn.argmaxOf(r.logits) : -1;
    const max = r ? Math.max(...r.logits) : 0;
    const min = r ? Math.min(...r.logits) : 0;
    return html`
      <div class="controls">
        <label>held-out digit #
          <input type="number" min="0" max=${n - 1} step="1" .value=${String(this._index)} @change=${this._onIndex} aria-label="index of the held-out digit" />
        </label>
        <div class="thumbs" role="group" aria-label="the first held-out digit of each class">
          ${this._thumbs.map((i, d) => html`<button aria-pressed=${i === this._index ? 'true' : 'false'} aria-label=${`a held-out ${d} (#${i})`}
            @click=${() => this._pick(i)}><canvas data-thumb=${i} width="28" height="28"></canvas></button>`)}
        </div>
      </div>
      <div class="controls">
        <label>template
          <select @change=${this._onPreset} aria-label="a prompt template">
            ${CLIP_TEMPLATES.map((t) => html`<option value=${t} ?selected=${t === this._template}>${t}${t === HELD_OUT_TEMPLATE ? ' (never in training)' : ''}</option>`)}
            <option value="" ?selected=${!CLIP_TEMPLATES.includes(this._template)}>(your own)</option>
          </select>
        </label>
        <label>edit it
          <input type="text" .value=${this._template} @change=${this._onTemplate} aria-label="the prompt template; {name} becomes the digit's name, {digit} its numeral" />
        </label>
      </div>
      <p class="status" role="status" aria-live="polite">${this._status}</p>
      ${r
        ? html`
            <div class="top">
              <canvas data-digit width="112" height="112" aria-label="the chosen digit"></canvas>
              <table aria-label="similarity of the digit to each class prompt">
                <tr><th>class</th><th>prompt</th><th>similarity</th><th>softmax</th><th></th></tr>
                ${r.prompts.map((p, c) => html`<tr class=${c === best ? 'best' : ''}>
                  <td>${c}</td><td><code>${p}</code></td><td class="num">${r.logits[c].toFixed(2)}</td>
                  <td class="num">${(100 * r.probs[c]).toFixed(1)}%</td>
                  <td class="bar"><span style="width:${(100 * (r.logits[c] - min)) / (max - min || 1)}%"></span></td></tr>`)}
              </table>
            </div>`
        : ''}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w1920-clip': W1920Clip;
  }
}
