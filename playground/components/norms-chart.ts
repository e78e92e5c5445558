// Weights and gradient flow: the L2 norm of each layer's weights (dashed) and of their gradients (solid) by step,
// on a log scale, drawn with uPlot. Gradients that shrink layer by layer towards the input (vanishing) or grow
// without bound (exploding) show as lines drifting apart.
import { LitElement, css, html, unsafeCSS, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css?inline';
import type { NormHistory } from '../controllers/views';

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777', '#4b5563', '#65a30d'];

@customElement('norms-chart')
export class NormsChart extends LitElement {
  static override styles = [
    unsafeCSS(uplotCss),
    css`
      :host { display: block; min-height: 200px; }
      .plot { width: 100%; }
      .muted { color: #7b8794; font: 12px system-ui, sans-serif; }
    `,
  ];

  @property({ attribute: false }) norms: NormHistory = { layers: [], steps: [], weight: [], grad: [] };
  @property({ type: Number }) version = 0;
  @property({ type: Number, reflect: true, attribute: 'data-samples' }) samples = 0;

  @query('.plot') private _box!: HTMLDivElement;
  private _plot: uPlot | null = null;
  private _layers = '';

  override render() {
    return html`${this.norms.steps.length ? '' : html`<p class="muted">Per-layer norms appear after the first training step.</p>`}<div class="plot"></div>`;
  }

  override willUpdate(): void {
    this.samples = this.norms.steps.length;
  }

  override updated(_changed: PropertyValues<this>): void {
    const layers = this.norms.layers.join(',');
    if (layers !== this._layers || !this._plot) {
      this._layers = layers;
      this._plot?.destroy();
      this._plot = this.norms.layers.length ? this._create() : null;
    } else this._plot.setData(this._data());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._plot?.destroy();
    this._plot = null;
    this._layers = '';
  }

  private _create(): uPlot {
    const series: uPlot.Series[] = [{ label: 'step' }];
    this.norms.layers.forEach((id, i) => {
      const stroke = COLORS[i % COLORS.length];
      series.push({ label: `${id} ‖grad‖`, stroke, width: 2, points: { show: true, size: 4 }, spanGaps: true });
      series.push({ label: `${id} ‖w‖`, stroke, width: 1, dash: [4, 4], points: { show: false } });
    });
    return new uPlot(
      {
        width: Math.max(300, this.clientWidth),
        height: 200,
        legend: { show: true, live: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: false }, y: { distr: 3 } },
        axes: [{ label: 'step', size: 30, labelSize: 14 }, { label: 'L2 norm (log)', size: 55, labelSize: 14 }],
        series,
      },
      this._data(),
      this._box,
    );
  }

  /** Log scales can't show zero, so zeros (no gradient yet) become gaps. */
  private _data(): uPlot.AlignedData {
    const n = this.norms;
    const pos = (x: number | null): number | null => (x !== null && x > 0 && Number.isFinite(x) ? x : null);
    const cols: Array<Array<number | null>> = [];
    n.layers.forEach((_, i) => {
      cols.push(n.grad[i].map(pos));
      cols.push(n.weight[i].map(pos));
    });
    return [n.steps, ...cols];
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'norms-chart': NormsChart;
  }
}
