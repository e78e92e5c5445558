// <course-line-chart>: the lessons' line chart (training curves, accuracy against a swept setting), drawn with
// uPlot. Each series carries its own x values, measured or not at the others' x: uPlot wants one shared x array, so
// the series are laid on the union of their x values with gaps elsewhere. The chart is rebuilt only when what it
// draws changes shape (series, axes, range); new values for the same series are handed to uPlot as data, so a
// curve that grows while a model trains does not flicker.
import { LitElement, css, html, unsafeCSS, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css?inline';

export interface ChartSeries {
  label: string;
  color: string;
  x: readonly number[];
  y: readonly (number | null)[];
  /** A dash pattern in pixels, e.g. [6, 4], for a reference line. */
  dash?: number[];
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

@customElement('course-line-chart')
export class CourseLineChart extends LitElement {
  static override styles = [
    unsafeCSS(uplotCss),
    css`
      :host { display: block; }
      .plot { width: 100%; }
    `,
  ];

  @property({ attribute: false }) series: ChartSeries[] = [];
  @property() xLabel = 'step';
  @property() yLabel = '';
  /** A fixed y range, e.g. [0, 1] for accuracy, so curves can be compared as they grow; auto when absent. */
  @property({ attribute: false }) yRange: [number, number] | null = null;
  /** Draw points only (for a sweep's few values) instead of lines. */
  @property({ type: Boolean }) points = false;
  /** Show uPlot's legend under the plot (with the values under the cursor). */
  @property({ type: Boolean }) legend = false;
  @property({ type: Number }) height = 160;

  @query('.plot') private _box!: HTMLDivElement;
  private _plot: uPlot | null = null;
  private _shape = '';
  private _resize: ResizeObserver | null = null;

  override render() {
    return html`<div class="plot" role="img" aria-label=${`${this.yLabel} against ${this.xLabel}: ${this.series.map((s) => s.label).join('; ') || 'nothing yet'}`}></div>`;
  }

  override updated(_: PropertyValues<this>): void {
    // uPlot's series and axes are fixed at creation: rebuild when they change, else only give it the new data.
    const shape = JSON.stringify([this.series.map((s) => [s.label, s.color, s.dash]), this.xLabel, this.yLabel, this.yRange, this.points, this.legend, this.height]);
    if (shape === this._shape && this._plot) {
      this._plot.setData(alignSeries(this.series));
      return;
    }
    this._shape = shape;
    this._build();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._resize?.disconnect();
    this._resize = null;
    this._plot?.destroy();
    this._plot = null;
    this._shape = '';
  }

  private _size(): { width: number; height: number } {
    return { width: Math.max(240, this.clientWidth || 480), height: this.height };
  }

  private _build(): void {
    this._plot?.destroy();
    const range = this.yRange;
    this._plot = new uPlot(
      {
        ...this._size(),
        legend: { show: this.legend },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: false }, ...(range ? { y: { range: () => range } } : {}) },
        axes: [{ label: this.xLabel, size: 30, labelSize: 14 }, { label: this.yLabel, size: 55, labelSize: 14 }],
        series: [
          { label: this.xLabel },
          ...this.series.map((s) => ({
            label: s.label, stroke: s.color, width: 2, dash: s.dash, spanGaps: true,
            points: { show: this.points || s.x.length < 3, size: 7, fill: s.color },
            ...(this.points ? { paths: () => null } : {}),
          })),
        ],
      },
      alignSeries(this.series),
      this._box,
    );
    this._resize ??= new ResizeObserver(() => this._plot?.setSize(this._size()));
    this._resize.observe(this);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'course-line-chart': CourseLineChart;
  }
}
