// A small line chart for the week's widgets, drawn with uPlot: several named series over one x axis (training
// step, or a swept hyperparameter), each series only where it was measured. uPlot wants one shared x array, so
// the series are laid on the union of their x values with gaps elsewhere.
import { LitElement, css, html, unsafeCSS, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css?inline';

export interface ChartSeries {
  label: string;
  color: string;
  x: readonly number[];
  y: readonly number[];
}

/** Distinct colours for up to eight series, then round again. */
export const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#a16207', '#db2777'];

/** The series on the union of their x values: [xs, ys of series 1 (null where absent), …]. */
export function alignSeries(series: readonly ChartSeries[]): uPlot.AlignedData {
  const xs = [...new Set(series.flatMap((s) => s.x))].sort((a, b) => a - b);
  return [xs, ...series.map((s) => {
    const at = new Map(s.x.map((x, i) => [x, s.y[i]]));
    return xs.map((x) => at.get(x) ?? null);
  })];
}

@customElement('w1516-chart')
export class W1516Chart extends LitElement {
  static override styles = [
    unsafeCSS(uplotCss),
    css`
      :host { display: block; min-height: 170px; }
      .plot { width: 100%; }
    `,
  ];

  @property({ attribute: false }) series: ChartSeries[] = [];
  @property() xLabel = 'step';
  @property() yLabel = '';
  /** A fixed y range, e.g. [0, 1] for accuracy; auto when absent. */
  @property({ attribute: false }) yRange: [number, number] | null = null;
  /** Draw points only (for a sweep's few values) instead of lines. */
  @property({ type: Boolean }) points = false;

  @query('.plot') private _box!: HTMLDivElement;
  private _plot: uPlot | null = null;
  private _resize: ResizeObserver | null = null;

  override render() {
    return html`<div class="plot" role="img" aria-label=${`${this.yLabel} against ${this.xLabel}: ${this.series.map((s) => s.label).join('; ') || 'no runs yet'}`}></div>`;
  }

  override updated(changed: PropertyValues<this>): void {
    // The series (or their count) changed: rebuild, since uPlot's series list is fixed at creation.
    if (changed.has('series') || changed.has('yRange') || !this._plot) this._build();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._resize?.disconnect();
    this._resize = null;
    this._plot?.destroy();
    this._plot = null;
  }

  private _build(): void {
    this._plot?.destroy();
    const width = Math.max(240, this.clientWidth);
    const range = this.yRange;
    this._plot = new uPlot(
      {
        width,
        height: 160,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: false }, ...(range ? { y: { range: () => range } } : {}) },
        axes: [{ label: this.xLabel, size: 30, labelSize: 14 }, { label: this.yLabel, size: 55, labelSize: 14 }],
        series: [
          { label: this.xLabel },
          ...this.series.map((s) => ({
            label: s.label, stroke: s.color, width: 2, spanGaps: true,
            points: { show: this.points || s.x.length < 3, size: 7, fill: s.color },
            ...(this.points ? { paths: () => null } : {}),
          })),
        ],
      },
      alignSeries(this.series),
      this._box,
    );
    this._resize ??= new ResizeObserver(() => this._plot?.setSize({ width: Math.max(240, this.clientWidth), height: 160 }));
    this._resize.observe(this);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w1516-chart': W1516Chart;
  }
}
