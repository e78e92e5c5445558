// Gaussian naive Bayes in the plane: three classes of points, the engine's GaussianNB fitted to them, and the plane
// coloured by the class it predicts (paler where the posterior is less sure). Click to add a point of the chosen
// class, or stretch class A along x with the slider, and the regions are refitted and redrawn. The table of fitted
// means, variances and priors is the chart's text alternative.
import { LitElement, html } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { GaussianNB, metrics } from '../../../../engine/course';
import { w13Styles } from '../../widgets/w13-style';
import { BLOBS, EXTENT, samplePoints, type Points } from './gauss-data';

const SIZE = 320; // canvas pixels per side
const GRID = 80; // decision-region cells per side
const COLORS: [number, number, number][] = [
  [220, 38, 38],
  [37, 99, 235],
  [22, 163, 74],
];

@customElement('w12-gaussian-nb')
export class W12GaussianNb extends LitElement {
  static override styles = [w13Styles];

  @property({ type: Number }) seed = 1;
  /** Multiplies class A's standard deviation along x. */
  @property({ type: Number }) spread = 1;
  /** Points the learner added by clicking, with their classes. */
  @property({ attribute: false }) added: Points = { X: [], y: [] };

  @state() private _cls = 0;
  /** Where Enter adds a point from the keyboard: moved with the arrow keys, drawn while the canvas has focus. */
  @state() private _cursor: [number, number] = [0, 0];
  @state() private _focused = false;
  @query('canvas') private _canvas!: HTMLCanvasElement;
  /** The points and the model fitted to them, recomputed when the data changes (not on every redraw). */
  private _fit!: { X: number[][]; y: number[]; nb: GaussianNB; accuracy: number };

  override willUpdate(changed: Map<string, unknown>): void {
    if (!this._fit || changed.has('seed') || changed.has('spread') || changed.has('added')) {
      const { X, y } = this._points();
      const nb = new GaussianNB().fit(X, y);
      this._fit = { X, y, nb, accuracy: metrics.accuracy(y, nb.predict(X)) };
    }
  }

  private _points(): Points {
    const base = samplePoints(this.seed, this.spread);
    return { X: [...base.X, ...this.added.X], y: [...base.y, ...this.added.y] };
  }

  private _changed(): void {
    this.dispatchEvent(new CustomEvent('change', { detail: { seed: this.seed, spread: this.spread, added: this.added }, bubbles: true, composed: true }));
  }

  private _toPlane(px: number): number {
    return (px / SIZE) * 2 * EXTENT - EXTENT;
  }

  private _onClick(e: MouseEvent): void {
    const box = this._canvas.getBoundingClientRect();
    const x = this._toPlane(((e.clientX - box.left) / box.width) * SIZE);
    const y = -this._toPlane(((e.clientY - box.top) / box.height) * SIZE);
    this._add(x, y);
  }

  private _add(x: number, y: number): void {
    this.added = { X: [...this.added.X, [x, y]], y: [...this.added.y, this._cls] };
    this._changed();
  }

  /** The keyboard's way to add points: arrows move a cursor (Shift: farther), Enter or Space adds one there. */
  private _onKey(e: KeyboardEvent): void {
    const step = e.shiftKey ? 1 : 0.25;
    const move: Record<string, [number, number]> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    const clamp = (v: number) => Math.min(EXTENT, Math.max(-EXTENT, v));
    if (move[e.key]) {
      this._cursor = [clamp(this._cursor[0] + move[e.key][0]), clamp(this._cursor[1] + move[e.key][1])];
    } else if (e.key === 'Enter' || e.key === ' ') {
      this._add(...this._cursor);
    } else {
      return;
    }
    e.preventDefault();
  }

  override render() {
    const { X, y, nb, accuracy: acc } = this._fit;
    const fmt = (v: number) => v.toFixed(2);
    const alt =
      `Decision regions of Gaussian naive Bayes fitted to ${X.length} points in three classes; training accuracy ` +
      `${(acc * 100).toFixed(1)}%. The fitted means and variances are in the table. Click to add a point of the ` +
      `chosen class, or use the arrow keys to move the cursor (now at ${this._cursor.map((v) => v.toFixed(2)).join(', ')}) and Enter to add one.`;
    return html`
      <div class="controls">
        <fieldset style="border:none;padding:0;display:flex;gap:10px">
          <legend class="muted" style="float:left;margin-right:6px">Click (or Enter on the plot) adds class</legend>
          ${BLOBS.map((b, c) => html`<label><input type="radio" name="cls" .checked=${this._cls === c} @change=${() => (this._cls = c)} />
            <span style=${`color: rgb(${COLORS[c].join(',')})`}>${b.name}</span></label>`)}
        </fieldset>
        <label>spread of A along x
          <input type="range" min="0.3" max="3" step="0.1" .value=${String(this.spread)} aria-label="spread of class A along x"
            @input=${(e: Event) => { this.spread = Number((e.target as HTMLInputElement).value); this._changed(); }} />
          <span class="num">×${this.spread.toFixed(1)}</span></label>
        <button @click=${() => { this.seed++; this._changed(); }}>New sample</button>
        <button ?disabled=${this.added.y.length === 0} @click=${() => { this.added = { X: [], y: [] }; this._changed(); }}>Remove added points (${this.added.y.length})</button>
      </div>
      <div class="row">
        <canvas width=${SIZE} height=${SIZE} style="border:1px solid #cbd2d9;cursor:crosshair" role="img" aria-label=${alt}
          tabindex="0" @click=${this._onClick} @keydown=${this._onKey} @focus=${() => (this._focused = true)} @blur=${() => (this._focused = false)}></canvas>
        <table data-fitted>
          <caption>Fitted per class (training accuracy <span data-accuracy=${acc}>${(acc * 100).toFixed(1)}%</span>)</caption>
          <tr><th>class</th><th>points</th><th>P(c)</th><th>μx</th><th>μy</th><th>σ²x</th><th>σ²y</th></tr>
          ${nb.classes.map((c, i) => html`<tr>
            <td style=${`color: rgb(${COLORS[c].join(',')})`}>${BLOBS[c].name}</td>
            <td>${y.filter((v) => v === c).length}</td><td>${Math.exp(nb.classLogPrior[i]).toFixed(2)}</td>
            <td>${fmt(nb.theta[i][0])}</td><td>${fmt(nb.theta[i][1])}</td>
            <td>${fmt(nb.variance[i][0])}</td><td>${fmt(nb.variance[i][1])}</td>
          </tr>`)}
        </table>
      </div>
    `;
  }

  override updated(): void {
    const ctx = this._canvas.getContext('2d');
    if (!ctx) return;
    const { X, y, nb } = this._fit;
    // Regions: predict at the centre of every grid cell, colour by the winning class, paler where it is less sure.
    const cell = SIZE / GRID;
    const centres: number[][] = [];
    for (let r = 0; r < GRID; r++) for (let c = 0; c < GRID; c++) centres.push([this._toPlane((c + 0.5) * cell), -this._toPlane((r + 0.5) * cell)]);
    const proba = nb.predictProba(centres);
    proba.forEach((p, k) => {
      let best = 0;
      for (let j = 1; j < p.length; j++) if (p[j] > p[best]) best = j;
      const [cr, cg, cb] = COLORS[nb.classes[best]];
      const a = 0.12 + 0.3 * (p[best] - 1 / p.length) / (1 - 1 / p.length);
      ctx.fillStyle = `rgba(${cr},${cg},${cb},${a.toFixed(3)})`;
      ctx.clearRect((k % GRID) * cell, Math.floor(k / GRID) * cell, cell, cell);
      ctx.fillRect((k % GRID) * cell, Math.floor(k / GRID) * cell, cell, cell);
    });
    X.forEach(([px, py], i) => {
      const [cr, cg, cb] = COLORS[y[i]];
      ctx.beginPath();
      ctx.arc(((px + EXTENT) / (2 * EXTENT)) * SIZE, ((EXTENT - py) / (2 * EXTENT)) * SIZE, i >= X.length - this.added.y.length ? 5 : 3.5, 0, 2 * Math.PI);
      ctx.fillStyle = `rgb(${cr},${cg},${cb})`;
      ctx.fill();
      ctx.strokeStyle = '#fff';
      ctx.stroke();
    });
    if (this._focused) {
      // The keyboard cursor: a crosshair where Enter adds a point.
      const [cx, cy] = [((this._cursor[0] + EXTENT) / (2 * EXTENT)) * SIZE, ((EXTENT - this._cursor[1]) / (2 * EXTENT)) * SIZE];
      ctx.strokeStyle = '#1f2933';
      ctx.beginPath();
      ctx.moveTo(cx - 8, cy);
      ctx.lineTo(cx + 8, cy);
      ctx.moveTo(cx, cy - 8);
      ctx.lineTo(cx, cy + 8);
      ctx.stroke();
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w12-gaussian-nb': W12GaussianNb;
  }
}
