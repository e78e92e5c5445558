// A matrix drawn as a heatmap on a canvas, one cell per value. Diverging (blue below zero, red above, scaled to the
// largest magnitude) for activations and gradients; sequential (white to dark blue over [0, max]) for attention
// weights. NaN cells are magenta and ±Inf black, so numerical trouble stands out. Optional labels name the rows and
// columns (tokens, for attention). The host reflects data-rows and data-cols, which the tests read.
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';

export type HeatmapScale = 'diverging' | 'sequential';

@customElement('tensor-heatmap')
export class TensorHeatmap extends LitElement {
  static override styles = css`
    :host { display: inline-block; font: 10px/1 ui-monospace, monospace; color: #3e4c59; }
    .grid { display: grid; grid-template-columns: auto auto; align-items: start; }
    .cols { display: flex; grid-column: 2; }
    .cols span, .rows span { display: inline-flex; align-items: center; justify-content: center; overflow: hidden; }
    .rows { display: flex; flex-direction: column; }
    canvas { image-rendering: pixelated; border: 1px solid #d9e2ec; display: block; }
    :host([selected]) canvas { outline: 2px solid #2563eb; }
  `;

  @property({ attribute: false }) values: Float32Array = new Float32Array();
  @property({ type: Number, reflect: true, attribute: 'data-rows' }) rows = 0;
  @property({ type: Number, reflect: true, attribute: 'data-cols' }) cols = 0;
  @property() scale: HeatmapScale = 'diverging';
  /** The longest side in CSS pixels; cells are square and at least 1 pixel. */
  @property({ type: Number }) size = 160;
  @property({ attribute: false }) rowLabels: readonly string[] | null = null;
  @property({ attribute: false }) colLabels: readonly string[] | null = null;
  @property({ type: Boolean, reflect: true }) selected = false;

  @query('canvas') private _canvas!: HTMLCanvasElement;

  private _cell(): number {
    return Math.max(1, Math.floor(this.size / Math.max(1, this.rows, this.cols)));
  }

  override render() {
    const cell = this._cell();
    const w = this.cols * cell;
    const h = this.rows * cell;
    const label = (s: string) => html`<span style="width:${cell}px;height:${cell}px">${s === ' ' ? '␣' : s}</span>`;
    return html`<div class="grid">
      <div class="rows">${this.rowLabels ? this.rowLabels.map(label) : nothing}</div>
      <canvas width=${Math.max(1, this.cols)} height=${Math.max(1, this.rows)} style="width:${w}px;height:${h}px"></canvas>
      ${this.colLabels ? html`<div class="cols">${this.colLabels.map(label)}</div>` : nothing}
    </div>`;
  }

  override updated(_changed: PropertyValues<this>): void {
    const ctx = this._canvas.getContext('2d');
    if (!ctx || !this.rows || !this.cols) return;
    const img = ctx.createImageData(this.cols, this.rows);
    const v = this.values;
    let top = 0;
    for (let i = 0; i < v.length; i++) if (Number.isFinite(v[i])) top = Math.max(top, Math.abs(v[i]));
    for (let i = 0; i < this.rows * this.cols; i++) {
      const [r, g, b] = color(v[i], top, this.scale);
      img.data.set([r, g, b, 255], i * 4);
    }
    ctx.putImageData(img, 0, 0);
  }
}

function color(x: number, top: number, scale: HeatmapScale): [number, number, number] {
  if (Number.isNaN(x)) return [217, 70, 239];
  if (!Number.isFinite(x)) return [0, 0, 0];
  const t = top > 0 ? Math.min(1, Math.abs(x) / top) : 0;
  if (scale === 'sequential') return [Math.round(255 - 225 * t), Math.round(255 - 175 * t), Math.round(255 - 55 * t)];
  // Diverging: white at zero, towards red (#dc2626) above and blue (#2563eb) below.
  return x >= 0
    ? [Math.round(255 - (255 - 220) * t), Math.round(255 - (255 - 38) * t), Math.round(255 - (255 - 38) * t)]
    : [Math.round(255 - (255 - 37) * t), Math.round(255 - (255 - 99) * t), Math.round(255 - (255 - 235) * t)];
}

declare global {
  interface HTMLElementTagNameMap {
    'tensor-heatmap': TensorHeatmap;
  }
}
