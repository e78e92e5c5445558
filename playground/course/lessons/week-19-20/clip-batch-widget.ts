// The matrix CLIP trains on, for one small batch: eight held-out digits and a caption for each (generated the way
// the recipe generates training captions, or all in the held-out template), scored against each other by
// CLIP.similarity. Row r is image r against every caption; the training loss wants each row's and each column's
// largest entry on the diagonal. Digits of one class in a batch make off-diagonal cells that are just as right.
// Its value is { batch, captions }.
import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { nn } from '../../../../engine/index';
import { HELD_OUT_TEMPLATE, MNIST_PIXELS, captionSampler, fillTemplate, type Digits } from '../../../../engine/course';
import { heatmap, heatmapStyles } from '../../widgets/heatmap';
import { drawDigit } from './digit-canvas';
import { clipModel, heldOutDigits, similarityMatrix } from './vision';

export const BATCH = { size: 8, count: 6 } as const;
export type CaptionStyle = 'training' | 'held-out';

/** Batch b: held-out digits 8b … 8b + 7 and their captions, seeded by b so a batch always reads the same. */
export function batchOf(digits: Digits, b: number, style: CaptionStyle): { indices: number[]; labels: number[]; captions: string[] } {
  const indices = Array.from({ length: BATCH.size }, (_, k) => b * BATCH.size + k);
  const labels = indices.map((i) => digits.labels[i]);
  const sample = captionSampler(100 + b);
  return { indices, labels, captions: labels.map((d) => (style === 'training' ? sample(d) : fillTemplate(HELD_OUT_TEMPLATE, d))) };
}

interface Shown {
  labels: number[];
  indices: number[];
  captions: string[];
  sims: number[][];
}

@customElement('w1920-clip-batch')
export class W1920ClipBatch extends LitElement {
  static override styles = [
    heatmapStyles,
    css`
      :host { display: block; }
      .controls { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; margin-bottom: 0.5rem; }
      .row { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
      .digits { display: flex; gap: 4px; margin: 0.25rem 0; }
      ol { margin: 0.25rem 0; padding-left: 2rem; font: 0.85rem ui-monospace, monospace; }
      .status { min-height: 1.4em; }
    `,
  ];

  @state() private _batch = 0;
  @state() private _style: CaptionStyle = 'training';
  @state() private _shown: Shown | null = null;
  @state() private _status = 'Loading the CLIP and the held-out digits…';
  private _digits: Digits | null = null;
  private _clip: { model: nn.CLIP; tokenizer: nn.CharTokenizer } | null = null;
  private _asked = 0;

  get value(): { batch: number; captions: CaptionStyle } {
    return { batch: this._batch, captions: this._style };
  }

  set value(v: unknown) {
    const { batch, captions } = (v ?? {}) as { batch?: unknown; captions?: unknown };
    if (Number.isInteger(batch) && (batch as number) >= 0 && (batch as number) < BATCH.count) this._batch = batch as number;
    if (captions === 'training' || captions === 'held-out') this._style = captions;
    if (this._clip) void this._show();
  }

  override firstUpdated(_: PropertyValues): void {
    Promise.all([clipModel(), heldOutDigits()]).then(
      ([clip, digits]) => {
        this._clip = clip;
        this._digits = digits;
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
    const { indices, labels, captions } = batchOf(digits, this._batch, this._style);
    const images = new Float32Array(BATCH.size * MNIST_PIXELS);
    indices.forEach((i, k) => images.set(digits.images.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS), k * MNIST_PIXELS));
    try {
      const sims = await similarityMatrix(clip, images, captions);
      if (asked !== this._asked) return;
      this._shown = { labels, indices, captions, sims };
      // A row is "right" when its largest entry is a caption of its own class (the diagonal or a same-class twin).
      const right = sims.filter((row, r) => labels[row.indexOf(Math.max(...row))] === labels[r]).length;
      this._status = `Batch ${this._batch + 1} (held-out digits #${indices[0]}–#${indices[BATCH.size - 1]}): for ${right} of ${BATCH.size} images the best-scoring caption names the right digit.`;
    } catch (e) {
      if (asked === this._asked) this._status = `Could not score the batch: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  private _onBatch(e: Event): void {
    this._batch = Number((e.target as HTMLSelectElement).value);
    this.dispatchEvent(new CustomEvent('change', { detail: this.value, bubbles: true, composed: true }));
    void this._show();
  }

  private _onStyle(e: Event): void {
    this._style = (e.target as HTMLSelectElement).value as CaptionStyle;
    this.dispatchEvent(new CustomEvent('change', { detail: this.value, bubbles: true, composed: true }));
    void this._show();
  }

  override updated(): void {
    const digits = this._digits;
    const s = this._shown;
    if (!digits || !s) return;
    this.renderRoot.querySelectorAll<HTMLCanvasElement>('canvas[data-i]').forEach((c) => {
      const i = Number(c.dataset.i);
      drawDigit(c, { pixels: digits.images.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS) });
    });
  }

  override render() {
    const s = this._shown;
    return html`
      <div class="controls">
        <label>batch
          <select @change=${this._onBatch} aria-label="which eight held-out digits">
            ${Array.from({ length: BATCH.count }, (_, b) => html`<option value=${b} ?selected=${b === this._batch}>${b + 1}</option>`)}
          </select>
        </label>
        <label>captions
          <select @change=${this._onStyle} aria-label="how the captions are written">
            <option value="training" ?selected=${this._style === 'training'}>a random training template each</option>
            <option value="held-out" ?selected=${this._style === 'held-out'}>the held-out template</option>
          </select>
        </label>
      </div>
      <p class="status" role="status" aria-live="polite">${this._status}</p>
      ${s
        ? html`
            <div class="digits" aria-label=${`the batch's digits: ${s.labels.join(', ')}`}>
              ${s.indices.map((i) => html`<canvas data-i=${i} width="42" height="42"></canvas>`)}
            </div>
            <div class="row">
              ${heatmap(s.sims, {
                caption: 'similarity, image (row) × caption (column)',
                rowLabels: s.labels.map((l, r) => `img ${r + 1} (${l})`),
                colLabels: s.captions.map((_, c) => `c${c + 1}`),
                scale: 'range',
              })}
              <ol aria-label="the captions">${s.captions.map((c) => html`<li>${c}</li>`)}</ol>
            </div>`
        : ''}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w1920-clip-batch': W1920ClipBatch;
  }
}
