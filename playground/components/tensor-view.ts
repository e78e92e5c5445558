// One tensor, read back from the GPU: its shape, mean/std/min/max over the finite values, NaN and ±Inf counts
// (engine health()), a histogram, and a heatmap. For rank 3 and above the heatmap shows the last two dimensions,
// and a slider per leading dimension picks the slice. Test hooks: data-shape on the host, data-stat on each number.
import { LitElement, css, html, nothing, svg } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { fmt, slice2d, type TensorSummary } from '../controllers/tensor-summary';
import './heatmap';

@customElement('tensor-view')
export class TensorView extends LitElement {
  static override styles = css`
    :host { display: flex; flex-direction: column; gap: 4px; min-width: 220px; font: 12px/1.3 system-ui, sans-serif; }
    h4 { margin: 0; font-size: 12px; }
    .shape { font: 12px ui-monospace, monospace; }
    table { border-collapse: collapse; font: 11px ui-monospace, monospace; }
    td { padding: 0 6px 0 0; }
    td.bad { color: #b91c1c; font-weight: 700; }
    .slices label { display: flex; gap: 4px; align-items: center; font-size: 11px; }
    .slices input { width: 90px; }
    svg { display: block; }
    .empty { color: #7b8794; }
  `;

  @property() label = '';
  @property({ attribute: false }) summary: TensorSummary | null = null;
  /** Names of the dimensions, when known (e.g. ['B', 'T', 'D']), for the slice sliders. */
  @property({ attribute: false }) dims: readonly string[] | null = null;
  @property({ reflect: true, attribute: 'data-shape' }) shapeText = '';

  /** Index into each leading dimension (all but the last two). */
  @state() private _index: number[] = [];

  override willUpdate(): void {
    this.shapeText = this.summary ? this.summary.shape.join(',') : '';
  }

  private _histogram(s: TensorSummary) {
    const { counts, lo, hi } = s.histogram;
    const top = Math.max(1, ...counts);
    const w = 200;
    const h = 50;
    const bw = w / counts.length;
    return html`<svg width=${w} height=${h + 12} data-histogram role="img" aria-label="histogram">
      ${counts.map((c, i) => svg`<rect x=${i * bw} y=${h - (c / top) * h} width=${Math.max(1, bw - 1)} height=${(c / top) * h} fill="#64748b"></rect>`)}
      <text x="0" y=${h + 11} font-size="9">${fmt(lo)}</text>
      <text x=${w} y=${h + 11} font-size="9" text-anchor="end">${fmt(hi)}</text>
    </svg>`;
  }

  override render() {
    const s = this.summary;
    if (!s) return html`<h4>${this.label}</h4><div class="empty">No data yet: run Forward, Backward or Step.</div>`;
    const lead = s.shape.slice(0, Math.max(0, s.shape.length - 2));
    const slice = slice2d(s, this._index);
    const bad = (n: number) => (n > 0 ? 'bad' : '');
    return html`
      <h4>${this.label}</h4>
      <div class="shape" data-stat="shape">(${s.shape.join(', ')})${s.dtype === 'int32' ? ' int' : ''}</div>
      <table>
        <tr><td>mean</td><td data-stat="mean">${fmt(s.mean)}</td><td>std</td><td data-stat="std">${fmt(s.std)}</td></tr>
        <tr><td>min</td><td data-stat="min">${fmt(s.min)}</td><td>max</td><td data-stat="max">${fmt(s.max)}</td></tr>
        <tr><td>NaN</td><td class=${bad(s.nan)} data-stat="nan">${s.nan}</td><td>±Inf</td><td class=${bad(s.posInf + s.negInf)} data-stat="inf">${s.posInf + s.negInf}</td></tr>
      </table>
      ${this._histogram(s)}
      ${lead.length
        ? html`<div class="slices">
            ${lead.map(
              (n, d) => html`<label>${this.dims?.[d] ?? `dim ${d}`} <input type="range" min="0" max=${n - 1} .value=${String(this._index[d] ?? 0)} data-slice=${d}
                  @input=${(e: Event) => this._setIndex(d, Number((e.target as HTMLInputElement).value))} /> ${this._index[d] ?? 0} / ${n}</label>`,
            )}
          </div>`
        : nothing}
      <tensor-heatmap .values=${slice.values} .rows=${slice.rows} .cols=${slice.cols} size="200"></tensor-heatmap>
    `;
  }

  private _setIndex(d: number, i: number): void {
    const next = [...this._index];
    next[d] = i;
    this._index = next;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tensor-view': TensorView;
  }
}
