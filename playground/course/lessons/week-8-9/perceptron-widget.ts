// The perceptron on two data sets: a separable cloud it converges on, and XOR, where it never stops making
// mistakes. Pick the data and the number of epochs; the plot shows the points and the learned line, the table the
// mistakes per epoch, the accuracy and (on the separable set) Novikoff's bound. All numbers come from the engine's
// Perceptron. Its value is { data, epochs }.
import { LitElement, css, html, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { runPerceptron, separableBound, separableSet, xorSet, type Dataset2D } from './data';

export interface PerceptronSetting {
  data: 'separable' | 'xor';
  epochs: number;
}

const SIZE = 240;

@customElement('w89-perceptron')
export class W89Perceptron extends LitElement {
  static override styles = css`
    :host { display: block; font: 14px/1.4 system-ui, sans-serif; color: #1f2933; }
    .row { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
    .controls { display: flex; flex-wrap: wrap; gap: 16px; margin-bottom: 8px; align-items: center; }
    svg { border: 1px solid #cbd2d9; background: #fff; }
    table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
    th, td { padding: 2px 8px; text-align: right; border-bottom: 1px solid #e4e7eb; }
    th:first-child, td:first-child { text-align: left; }
  `;

  @property({ attribute: false }) value: PerceptronSetting = { data: 'separable', epochs: 10 };

  private _set(next: Partial<PerceptronSetting>): void {
    this.value = { ...this.value, ...next };
    this.dispatchEvent(new CustomEvent<PerceptronSetting>('change', { detail: { ...this.value }, bubbles: true, composed: true }));
  }

  private _onData(e: Event): void {
    e.stopPropagation();
    this._set({ data: (e.target as HTMLSelectElement).value === 'xor' ? 'xor' : 'separable' });
  }

  private _onEpochs(e: Event): void {
    e.stopPropagation();
    const n = Math.round(Number((e.target as HTMLInputElement).value));
    if (Number.isFinite(n)) this._set({ epochs: Math.min(50, Math.max(1, n)) });
  }

  override render() {
    const v = this.value && (this.value.data === 'xor' || this.value.data === 'separable') ? this.value : { data: 'separable' as const, epochs: 10 };
    const epochs = Math.min(50, Math.max(1, Math.round(Number(v.epochs) || 1)));
    const data: Dataset2D = v.data === 'xor' ? xorSet() : separableSet();
    const run = runPerceptron(data, epochs);
    // XOR lives in [0, 1]², the cloud in [−1, 1]²: map each to the square with a margin.
    const [lo, hi] = v.data === 'xor' ? [-0.5, 1.5] : [-1.1, 1.1];
    const px = (x: number) => ((x - lo) / (hi - lo)) * SIZE;
    const py = (y: number) => SIZE - ((y - lo) / (hi - lo)) * SIZE;
    // The line w0·x + w1·y + b = 0, clipped to the plot by drawing it between two far points.
    const [w0, w1] = run.w;
    let line = svg``;
    if (Math.abs(w0) + Math.abs(w1) > 0) {
      const pts = Math.abs(w1) > Math.abs(w0)
        ? [lo, hi].map((x) => [x, -(w0 * x + run.b) / w1])
        : [lo, hi].map((y) => [-(w1 * y + run.b) / w0, y]);
      line = svg`<line x1=${px(pts[0][0])} y1=${py(pts[0][1])} x2=${px(pts[1][0])} y2=${py(pts[1][1])} stroke="#1f2933" stroke-width="2" />`;
    }
    const bound = v.data === 'separable' ? separableBound() : null;
    const last = run.mistakesPerEpoch.slice(-5);
    const summary =
      `${run.converged ? `Converged after ${run.epochs} epoch${run.epochs === 1 ? '' : 's'}` : `Not converged after ${run.epochs} epoch${run.epochs === 1 ? '' : 's'}`}, ` +
      `${run.mistakes} mistakes in all; accuracy ${(run.accuracy * 100).toFixed(0)}% on the training points.`;
    return html`
      <div class="controls">
        <label>Data <select @change=${this._onData} .value=${v.data}>
          <option value="separable" ?selected=${v.data === 'separable'}>separable cloud (40 points)</option>
          <option value="xor" ?selected=${v.data === 'xor'}>XOR (4 points)</option>
        </select></label>
        <label>Epochs at most <input type="range" min="1" max="50" step="1" .value=${String(epochs)} @input=${this._onEpochs} @change=${(e: Event) => e.stopPropagation()} /> ${epochs}</label>
      </div>
      <div class="row">
        <svg width=${SIZE} height=${SIZE} role="img" aria-label=${`The ${data.y.length} points, class 1 as filled circles and class 0 as rings, and the perceptron's line. ${summary}`}>
          ${data.X.map((p, i) => svg`<circle cx=${px(p[0])} cy=${py(p[1])} r="5" fill=${data.y[i] ? '#2563eb' : '#fff'} stroke=${data.y[i] ? '#2563eb' : '#dc2626'} stroke-width="2" />`)}
          ${line}
        </svg>
        <table aria-label="perceptron run">
          <tbody>
            <tr><th>mistakes per epoch (last ${last.length})</th><td>${last.join(', ')}</td></tr>
            <tr><th>total mistakes</th><td>${run.mistakes}</td></tr>
            <tr><th>accuracy</th><td>${(run.accuracy * 100).toFixed(0)}%</td></tr>
            <tr><th>w, b</th><td>(${run.w.map((x) => x.toFixed(2)).join(', ')}), ${run.b.toFixed(2)}</td></tr>
            ${bound
              ? html`<tr><th>R, γ</th><td>${bound.R.toFixed(3)}, ${bound.gamma.toFixed(3)}</td></tr>
                  <tr><th>bound (R/γ)²</th><td>${bound.bound.toFixed(1)}</td></tr>`
              : html`<tr><th>bound</th><td>none: no line separates XOR</td></tr>`}
          </tbody>
        </table>
      </div>
      <p aria-live="polite">${summary}</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w89-perceptron': W89Perceptron;
  }
}
