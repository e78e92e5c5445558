// Milliseconds against T, one line per (impl, pass), on a log scale, drawn with uPlot. The series it drew are
// reflected in data-series ("impl pass:points,…") so that tests can read the plot without reading pixels.
import { LitElement, css, html, unsafeCSS, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css?inline';
import type { AttentionMeasurement, Impl } from '../../bench/attention-core';

const COLOURS: Record<Impl, string> = {
  fused: '#2e7d32',
  unfused: '#1565c0',
  tfjs: '#ef6c00',
  'jax-js': '#6a1b9a',
  onnxruntime: '#c62828',
  yours: '#00838f',
};

@customElement('bench-chart')
export class BenchChart extends LitElement {
  static override styles = [
    unsafeCSS(uplotCss),
    css`
      :host { display: block; min-height: 320px; }
      .empty { color: #667; padding: 2rem 0; }
    `,
  ];

  @property({ attribute: false }) results: AttentionMeasurement[] = [];
  @query('#plot') private _target!: HTMLDivElement;
  private _plot: uPlot | null = null;

  override render() {
    return html`<div id="plot"></div>${this.results.length ? '' : html`<p class="empty">No results yet: run a sweep.</p>`}`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('results')) this._draw();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._plot?.destroy();
    this._plot = null;
  }

  private _draw(): void {
    this._plot?.destroy();
    this._plot = null;
    if (!this.results.length) {
      this.setAttribute('data-series', '');
      return;
    }
    const Ts = [...new Set(this.results.map((r) => r.T))].sort((a, b) => a - b);
    const groups = new Map<string, AttentionMeasurement[]>();
    for (const r of this.results) {
      const name = `${r.impl} ${r.pass}${r.causal ? '' : ' (full mask)'}${r.d === this.results[0].d ? '' : ` d=${r.d}`}`;
      groups.set(name, [...(groups.get(name) ?? []), r]);
    }
    const names = [...groups.keys()];
    const data: uPlot.AlignedData = [
      Ts,
      ...names.map((n) => Ts.map((T) => groups.get(n)!.find((r) => r.T === T)?.ms ?? null)),
    ];
    const series: uPlot.Series[] = [
      { label: 'T' },
      ...names.map((n) => {
        const impl = groups.get(n)![0].impl;
        return {
          label: n,
          stroke: COLOURS[impl],
          width: 2,
          dash: n.includes('fwd+bwd') ? [6, 4] : undefined,
          points: { show: true, size: 6 },
          spanGaps: true,
          value: (_u: uPlot, v: number | null) => (v === null ? '—' : `${v.toFixed(1)} ms`),
        };
      }),
    ];
    const width = Math.max(360, Math.min(this.clientWidth || 760, 900));
    this._plot = new uPlot(
      {
        width,
        height: 300,
        title: 'Attention: median ms per call against T (log–log)',
        // Both axes logarithmic: T doubles from point to point, and times span orders of magnitude.
        scales: { x: { time: false, distr: 3, log: 2 }, y: { distr: 3 } },
        axes: [{ label: 'T (sequence length)', splits: () => Ts }, { label: 'ms', size: 60 }],
        series,
      },
      data,
      this._target,
    );
    this.setAttribute('data-series', names.map((n) => `${n}:${groups.get(n)!.length}`).join(','));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bench-chart': BenchChart;
  }
}
