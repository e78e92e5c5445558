// Under- and overfitting: a degree slider fits a least-squares polynomial (the engine's fitPolynomial) to a few
// noisy training points, and a second chart plots training and validation error for every degree tried so far.
// Its value is { degree }, so a target exercise can place it and check the degree it reports.
import { LitElement, css, html, svg, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { degreeSweep, fitPolynomial, sampleCurve, trueCurve, type CurveSample, type DegreeScore } from '../../../../engine/course';

export interface PolyfitValue {
  degree: number;
}

const W = 300;
const H = 220;
const PAD = 28;

@customElement('w0-polyfit')
export class W0Polyfit extends LitElement {
  static override styles = css`
    :host { display: block; font: 14px/1.4 system-ui, sans-serif; color: #1f2933; }
    .row { display: flex; flex-wrap: wrap; gap: 20px; align-items: flex-start; }
    svg { background: #fff; border: 1px solid #d9e2ec; }
    text { font-size: 10px; fill: #52606d; }
    label { display: flex; align-items: center; gap: 8px; margin: 8px 0; }
    input[type='range'] { width: 220px; }
    .legend span { margin-right: 12px; white-space: nowrap; }
    .sw { display: inline-block; width: 10px; height: 10px; border-radius: 50%; vertical-align: middle; margin-right: 4px; }
    output { font-variant-numeric: tabular-nums; }
  `;

  /** The sample's seed: the lesson and its checker use the same one. */
  @property({ type: Number }) seed = 0;
  @property({ type: Number }) maxDegree = 15;
  @property({ attribute: false }) value: PolyfitValue = { degree: 1 };
  /** Degrees the learner has looked at, whose errors the chart shows. */
  @state() private _tried = new Set<number>();

  private _sample: CurveSample | null = null;
  private _sweep: DegreeScore[] = [];
  private _sampleSeed = NaN;

  private _data(): { sample: CurveSample; sweep: DegreeScore[] } {
    if (!this._sample || this._sampleSeed !== this.seed) {
      this._sample = sampleCurve({ seed: this.seed });
      // Degree + 1 coefficients need that many training points; the slider stops where the fit interpolates.
      const top = Math.min(this.maxDegree, this._sample.train.x.length - 1);
      this._sweep = degreeSweep(this._sample, top);
      this._sampleSeed = this.seed;
    }
    return { sample: this._sample, sweep: this._sweep };
  }

  private _onInput(e: Event): void {
    this._pick(Number((e.target as HTMLInputElement).value));
  }

  private _pick(degree: number): void {
    this.value = { degree };
    this.dispatchEvent(new CustomEvent<PolyfitValue>('change', { detail: { degree }, bubbles: true, composed: true }));
  }

  override willUpdate(): void {
    const d = this.value?.degree;
    if (Number.isInteger(d) && !this._tried.has(d)) this._tried = new Set([...this._tried, d]);
  }

  override render() {
    const { sample, sweep } = this._data();
    const top = sweep.length - 1;
    const d = this.value?.degree;
    if (!Number.isInteger(d) || d < 0 || d > top) {
      // A restored or shared setting that makes no sense: say so, and offer a way back rather than a dead widget.
      return html`<p role="alert">This widget expected a degree from 0 to ${top}, got ${JSON.stringify(this.value)}.
        <button @click=${() => this._pick(1)}>Start again at degree 1</button></p>`;
    }
    const score = sweep[d];
    return html`
      <label>Degree <input type="range" min="0" max=${top} step="1" .value=${String(d)} @input=${this._onInput} aria-label="polynomial degree" />
        <output data-quantity="degree">${d}</output></label>
      <div class="row">
        ${this._fitChart(sample, d)}
        ${this._errorChart(sweep, d)}
      </div>
      <p class="legend">
        <span><i class="sw" style="background:#2563eb"></i>training points</span>
        <span><i class="sw" style="background:#d97706"></i>validation points</span>
        <span><i class="sw" style="background:#9aa5b1"></i>the curve they came from</span>
      </p>
      <p aria-live="polite">
        Degree ${d}: training error <output data-quantity="train-mse">${score.train.toExponential(2)}</output>,
        validation error <output data-quantity="validation-mse">${score.validation.toExponential(2)}</output> (mean squared error).
      </p>`;
  }

  /** The points, the true curve and the fitted polynomial, clipped to the data's range. */
  private _fitChart(sample: CurveSample, degree: number) {
    const fit = fitPolynomial(sample.train.x, sample.train.y, degree);
    const ys = [...sample.train.y, ...sample.validation.y];
    const lo = Math.min(...ys) - 0.5;
    const hi = Math.max(...ys) + 0.5;
    const sx = (x: number) => PAD + ((x + 1) / 2) * (W - 2 * PAD);
    const sy = (y: number) => H - PAD - ((y - lo) / (hi - lo)) * (H - 2 * PAD);
    const path = (f: (x: number) => number) => {
      const pts: string[] = [];
      for (let i = 0; i <= 200; i++) {
        const x = -1 + (2 * i) / 200;
        // Clamp far outside the frame so huge overfit swings still draw as lines leaving the box.
        const y = Math.max(lo - 10 * (hi - lo), Math.min(hi + 10 * (hi - lo), f(x)));
        pts.push(`${i ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`);
      }
      return pts.join('');
    };
    const dots = (xs: number[], yv: number[], color: string, r: number) =>
      xs.map((x, i) => svg`<circle cx=${sx(x)} cy=${sy(yv[i])} r=${r} fill=${color} fill-opacity="0.85"></circle>`);
    return html`<svg width=${W} height=${H} role="img" aria-label="training and validation points with the degree-${degree} fit">
      <defs><clipPath id="frame"><rect x=${PAD} y=${PAD} width=${W - 2 * PAD} height=${H - 2 * PAD}></rect></clipPath></defs>
      <rect x=${PAD} y=${PAD} width=${W - 2 * PAD} height=${H - 2 * PAD} fill="none" stroke="#e4e7eb"></rect>
      <g clip-path="url(#frame)">
        <path d=${path(trueCurve)} fill="none" stroke="#9aa5b1" stroke-dasharray="4 3"></path>
        ${dots(sample.validation.x, sample.validation.y, '#d97706', 2.5)}
        ${dots(sample.train.x, sample.train.y, '#2563eb', 4)}
        <path d=${path((x) => fit.predict(x))} fill="none" stroke="#111827" stroke-width="2"></path>
      </g>
      <text x=${PAD} y=${H - 8}>x from −1 to 1</text>
    </svg>`;
  }

  /** log₁₀ of the training and validation error against the degree, for the degrees tried so far. */
  private _errorChart(sweep: DegreeScore[], degree: number) {
    const top = sweep.length - 1;
    // The training error of an interpolating fit is 0 up to rounding; floor it so the log scale stays readable.
    const floor = 1e-6;
    const logs = sweep.flatMap((s) => [Math.log10(Math.max(floor, s.train)), Math.log10(Math.max(floor, s.validation))]);
    const lo = Math.floor(Math.min(...logs));
    const hi = Math.ceil(Math.max(...logs));
    const sx = (deg: number) => PAD + (deg / top) * (W - 2 * PAD);
    const sy = (v: number) => H - PAD - ((Math.log10(Math.max(floor, v)) - lo) / (hi - lo)) * (H - 2 * PAD);
    const tried = sweep.filter((s) => this._tried.has(s.degree));
    const line = (key: 'train' | 'validation', color: string) => {
      const pts = tried.map((s, i) => `${i ? 'L' : 'M'}${sx(s.degree).toFixed(1)},${sy(s[key]).toFixed(1)}`).join('');
      return svg`<path d=${pts} fill="none" stroke=${color} stroke-width="1.5"></path>
        ${tried.map((s) => svg`<circle cx=${sx(s.degree)} cy=${sy(s[key])} r="3" fill=${color}></circle>`)}`;
    };
    const ticks = [];
    for (let e = lo; e <= hi; e += Math.max(1, Math.ceil((hi - lo) / 6))) {
      ticks.push(svg`<text x="2" y=${sy(10 ** e) + 3}>1e${e}</text>`);
    }
    return html`<svg width=${W} height=${H} role="img" aria-label="training and validation error by degree, log scale, for the degrees tried">
      <rect x=${PAD} y=${PAD} width=${W - 2 * PAD} height=${H - 2 * PAD} fill="none" stroke="#e4e7eb"></rect>
      <line x1=${sx(degree)} x2=${sx(degree)} y1=${PAD} y2=${H - PAD} stroke="#cbd2d9" stroke-dasharray="3 3"></line>
      ${ticks}
      ${tried.length ? line('train', '#2563eb') : nothing}
      ${tried.length ? line('validation', '#d97706') : nothing}
      <text x=${PAD} y=${H - 8}>degree 0 to ${top}; error on a log scale</text>
    </svg>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w0-polyfit': W0Polyfit;
  }
}
