// The shipped ViT on a held-out digit the learner picks (a thumbnail per class, or an index into the held-out sample):
// the digit cut into its grid of patches, the model's class probabilities, and for every block and head the class
// token's attention over the patches (ViT.attentionMaps' classToPatches) drawn over the image, with the heads' mean.
// Its value is { index }.
import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { nn } from '../../../../engine/index';
import type { Digits } from '../../../../engine/course';
import { drawDigit } from './digit-canvas';
import { digitPixels, firstOfEachClass, heldOutDigits, vitModel, vitView, type ViTView } from './vision';

const pct = (p: number): string => `${(100 * p).toFixed(1)}%`;

/** The mean over heads of one block's maps, [gy][gx]. */
const headMean = (heads: number[][][]): number[][] =>
  heads[0].map((row, gy) => row.map((_, gx) => heads.reduce((s, h) => s + h[gy][gx], 0) / heads.length));

@customElement('w1920-vit')
export class W1920ViT extends LitElement {
  static override styles = css`
    :host { display: block; }
    .controls { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; margin-bottom: 0.5rem; }
    .thumbs { display: flex; gap: 4px; flex-wrap: wrap; }
    .thumbs button { padding: 1px; border: 2px solid transparent; background: none; cursor: pointer; line-height: 0; }
    .thumbs button[aria-pressed='true'] { border-color: #d97706; }
    input[type='number'] { width: 5rem; }
    .top { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
    .bars { font: 0.85rem ui-monospace, monospace; }
    .bar { display: grid; grid-template-columns: 1.2rem 10rem 4rem; align-items: center; gap: 0.3rem; }
    .bar span.fill { display: block; height: 0.8rem; background: #93c5fd; }
    .bar.best span.fill { background: #2563eb; }
    .maps { display: grid; gap: 0.4rem 0.6rem; margin-top: 0.75rem; width: max-content; max-width: 100%; }
    .maps figure { margin: 0; font-size: 0.8rem; text-align: center; }
    .maps .rowlabel { font-size: 0.85rem; align-self: center; }
    canvas[data-digit] { border: 1px solid #94a3b8; }
    .status { min-height: 1.4em; font-variant-numeric: tabular-nums; }
  `;

  @state() private _index = 0;
  @state() private _view: ViTView | null = null;
  @state() private _status = 'Loading the ViT and the held-out digits…';
  private _digits: Digits | null = null;
  private _model: nn.ViT | null = null;
  private _thumbs: number[] = [];
  private _asked = 0;

  get value(): { index: number } {
    return { index: this._index };
  }

  set value(v: unknown) {
    const i = (v as { index?: unknown } | null)?.index;
    if (Number.isInteger(i) && (i as number) >= 0) this._index = i as number;
    if (this._model) void this._show();
  }

  override firstUpdated(_: PropertyValues): void {
    Promise.all([vitModel(), heldOutDigits()]).then(
      ([model, digits]) => {
        this._model = model;
        this._digits = digits;
        this._thumbs = firstOfEachClass(digits);
        if (this._index >= digits.n) this._index = 0;
        void this._show();
      },
      (e: unknown) => (this._status = `Could not load the ViT: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  private async _show(): Promise<void> {
    if (!this._model || !this._digits) return;
    const asked = ++this._asked;
    const i = Math.min(Math.max(0, this._index), this._digits.n - 1);
    try {
      const view = await vitView(this._model, digitPixels(this._digits, i));
      if (asked !== this._asked) return;
      this._view = view;
      const label = this._digits.labels[i];
      const p = nn.argmaxOf(view.probs);
      this._status = `Held-out digit #${i}, labelled ${label}: the ViT says ${p} with ${pct(view.probs[p])}${p === label ? '' : ' (a mistake)'}.`;
    } catch (e) {
      if (asked === this._asked) this._status = `Could not run the ViT: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  private _pick(i: number): void {
    this._index = i;
    this.dispatchEvent(new CustomEvent('change', { detail: this.value, bubbles: true, composed: true }));
    void this._show();
  }

  private _onIndex(e: Event): void {
    const v = Number((e.target as HTMLInputElement).value);
    if (Number.isInteger(v) && v >= 0 && this._digits && v < this._digits.n) this._pick(v);
  }

  override updated(): void {
    const digits = this._digits;
    if (!digits) return;
    const root = this.renderRoot;
    root.querySelectorAll<HTMLCanvasElement>('canvas[data-thumb]').forEach((c) => drawDigit(c, { pixels: digitPixels(digits, Number(c.dataset.thumb)) }));
    const pixels = digitPixels(digits, this._index);
    const big = root.querySelector<HTMLCanvasElement>('canvas[data-digit]');
    if (big && this._model) drawDigit(big, { pixels, patch: this._model.patchSize });
    const v = this._view;
    if (!v) return;
    root.querySelectorAll<HTMLCanvasElement>('canvas[data-map]').forEach((c) => {
      const [b, h] = c.dataset.map!.split(',').map(Number);
      drawDigit(c, { pixels, heat: h < 0 ? headMean(v.maps[b]) : v.maps[b][h] });
    });
  }

  override render() {
    const v = this._view;
    const m = this._model;
    const n = this._digits?.n ?? 1;
    const best = v ? nn.argmaxOf(v.probs) : -1;
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
      <p class="status" role="status" aria-live="polite">${this._status}</p>
      ${v && m
        ? html`
            <div class="top">
              <figure>
                <canvas data-digit width="168" height="168" aria-label=${`the digit cut into a ${m.grid[0]} × ${m.grid[1]} grid of ${m.patchSize} × ${m.patchSize} patches`}></canvas>
                <figcaption>${m.grid[0] * m.grid[1]} patches of ${m.patchSize} × ${m.patchSize} pixels</figcaption>
              </figure>
              <div class="bars" aria-label="class probabilities">
                ${v.probs.map((p, c) => html`<div class=${c === best ? 'bar best' : 'bar'}><span>${c}</span>
                  <span><span class="fill" style="width:${(100 * p).toFixed(1)}%"></span></span><span>${pct(p)}</span></div>`)}
              </div>
            </div>
            <div class="maps" style="grid-template-columns: auto repeat(${v.maps[0].length + 1}, auto)">
              ${v.maps.map((heads, b) => html`
                <span class="rowlabel">block ${b + 1}</span>
                ${heads.map((map, h) => html`<figure><canvas data-map=${`${b},${h}`} width="84" height="84"
                  aria-label=${`block ${b + 1}, head ${h + 1}: the class token's largest weight on one patch is ${Math.max(...map.flat()).toFixed(3)}`}></canvas>
                  <figcaption>head ${h + 1}</figcaption></figure>`)}
                <figure><canvas data-map=${`${b},-1`} width="84" height="84" aria-label=${`block ${b + 1}, the mean over heads`}></canvas>
                  <figcaption>mean</figcaption></figure>`)}
            </div>`
        : ''}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w1920-vit': W1920ViT;
  }
}
