// The loss (and, where the graph has a cross-entropy loss, held-out accuracy) by step, drawn with uPlot. uPlot
// draws into a canvas it creates inside this element's shadow root; its stylesheet is adopted there too.
import { LitElement, css, html, unsafeCSS, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css?inline';
import type { History } from '../controllers/trainer';

@customElement('loss-chart')
export class LossChart extends LitElement {
  static override styles = [
    unsafeCSS(uplotCss),
    css`
      :host { display: block; min-height: 160px; }
      .plot { width: 100%; height: 100%; }
    `,
  ];

  @property({ attribute: false }) history: History = { steps: [], loss: [], accSteps: [], acc: [] };
  /** Bumped by the owner whenever the history arrays grew (they are appended to in place). */
  @property({ type: Number }) version = 0;

  @query('.plot') private _box!: HTMLDivElement;
  private _plot: uPlot | null = null;
  private _resize: ResizeObserver | null = null;

  override render() {
    return html`<div class="plot"></div>`;
  }

  override firstUpdated(): void {
    const { width, height } = this._size();
    this._plot = new uPlot(
      {
        width,
        height,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: false }, acc: { range: [0, 1] } },
        axes: [
          { label: 'step', size: 30, labelSize: 14 },
          { label: 'loss', size: 50, labelSize: 14 },
          { scale: 'acc', side: 1, label: 'accuracy', size: 45, labelSize: 14, grid: { show: false } },
        ],
        series: [
          { label: 'step' },
          { label: 'loss', stroke: '#2563eb', width: 2, points: { show: false } },
          { label: 'accuracy', scale: 'acc', stroke: '#16a34a', width: 2, spanGaps: true },
        ],
      },
      this._data(),
      this._box,
    );
    this._resize = new ResizeObserver(() => {
      const s = this._size();
      this._plot?.setSize(s);
    });
    this._resize.observe(this);
  }

  override updated(changed: PropertyValues<this>): void {
    if ((changed.has('version') || changed.has('history')) && this._plot) this._plot.setData(this._data());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._resize?.disconnect();
    this._plot?.destroy();
    this._plot = null;
  }

  private _size(): { width: number; height: number } {
    return { width: Math.max(200, this.clientWidth), height: Math.max(120, this.clientHeight) };
  }

  /** uPlot wants one x array: accuracy is placed on the loss steps, null where it wasn't measured. */
  private _data(): uPlot.AlignedData {
    const h = this.history;
    const acc = new Map(h.accSteps.map((s, i) => [s, h.acc[i]]));
    return [h.steps, h.loss, h.steps.map((s) => acc.get(s) ?? null)];
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'loss-chart': LossChart;
  }
}
