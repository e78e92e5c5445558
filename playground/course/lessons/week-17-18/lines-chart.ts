// A small line chart for this lesson's curves (held-out accuracy by step, accuracy by number of examples), drawn
// with uPlot into this element's shadow root. The owner sets `x`, `series` and the axis labels; the chart redraws
// whenever `series` is replaced.
import { LitElement, css, html, unsafeCSS, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css?inline';

export interface Line {
  label: string;
  color: string;
  /** One value per x; null where there is none yet. */
  values: (number | null)[];
  dash?: number[];
}

@customElement('w1718-lines')
export class LinesChart extends LitElement {
  static override styles = [
    unsafeCSS(uplotCss),
    css`
      :host { display: block; min-height: 200px; }
    `,
  ];

  @property({ attribute: false }) x: number[] = [];
  @property({ attribute: false }) series: Line[] = [];
  @property() xLabel = '';
  @property() yLabel = '';
  /** The y range, fixed so the curves can be compared as they grow. */
  @property({ attribute: false }) yRange: [number, number] = [0, 1];

  @query('.plot') private _box!: HTMLDivElement;
  private _plot: uPlot | null = null;
  private _shape = '';
  private _resize: ResizeObserver | null = null;

  override render() {
    return html`<div class="plot"></div>`;
  }

  override firstUpdated(): void {
    this._resize = new ResizeObserver(() => this._plot?.setSize(this._size()));
    this._resize.observe(this);
  }

  override updated(_: PropertyValues<this>): void {
    // uPlot's series are fixed at creation: rebuild when they change, else just give it the new data.
    const shape = JSON.stringify([this.series.map((s) => [s.label, s.color, s.dash]), this.xLabel, this.yLabel, this.yRange]);
    if (shape !== this._shape) {
      this._plot?.destroy();
      this._shape = shape;
      const [lo, hi] = this.yRange;
      this._plot = new uPlot(
        {
          ...this._size(),
          legend: { show: true },
          cursor: { drag: { x: false, y: false } },
          scales: { x: { time: false }, y: { range: [lo, hi] } },
          axes: [
            { label: this.xLabel, size: 30, labelSize: 14 },
            { label: this.yLabel, size: 50, labelSize: 14 },
          ],
          series: [{ label: this.xLabel }, ...this.series.map((s) => ({ label: s.label, stroke: s.color, width: 2, dash: s.dash, spanGaps: true }))],
        },
        this._data(),
        this._box,
      );
    } else this._plot?.setData(this._data());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._resize?.disconnect();
    this._plot?.destroy();
    this._plot = null;
    this._shape = '';
  }

  private _size(): { width: number; height: number } {
    return { width: Math.max(240, this.clientWidth || 480), height: 200 };
  }

  private _data(): uPlot.AlignedData {
    return [this.x, ...this.series.map((s) => s.values)] as uPlot.AlignedData;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w1718-lines': LinesChart;
  }
}
