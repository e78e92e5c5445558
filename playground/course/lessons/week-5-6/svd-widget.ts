// Rank-k compression of a handwritten digit: the engine's svd factors the 28×28 image once (on the page's device),
// and a slider picks how many singular triplets rebuild it. The original and the rebuilt image are drawn side by
// side, with the measured relative error and a chart of the error at every k (from the singular values the engine
// returned, ‖A − A_k‖_F / ‖A‖_F = √(Σ_{i>k} σ_i²) / √(Σ σ_i²)). Its value is { digit, k }.
import { LitElement, css, html, svg } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { DIGIT_HEX } from './digits-data';
import { SIDE, cachedDigitSvd, reconstruct, relativeError, tailError, type DigitSvd } from './compress';
import { storedNumbers } from './exercises';

export interface SvdSetting {
  /** Index into DIGIT_HEX. */
  digit: number;
  k: number;
}

const SCALE = 5; // screen pixels per image pixel

@customElement('w56-svd')
export class W56Svd extends LitElement {
  static override styles = css`
    :host { display: block; font: 14px/1.4 system-ui, sans-serif; color: #1f2933; }
    .row { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
    figure { margin: 0; text-align: center; }
    canvas { image-rendering: pixelated; border: 1px solid #cbd2d9; }
    label { display: block; margin: 4px 0; }
    p { margin: 4px 0; max-width: 34em; }
    .error { color: #b91c1c; }
  `;

  @property({ attribute: false }) value: SvdSetting = { digit: 0, k: 4 };
  @state() private _f: DigitSvd | null = null;
  @state() private _rebuilt: Float32Array | null = null;
  @state() private _error = '';
  private _asked = 0;

  private _set(v: SvdSetting): void {
    this.value = v;
    this.dispatchEvent(new CustomEvent<SvdSetting>('change', { detail: { ...v }, bubbles: true, composed: true }));
  }

  private _valid(): SvdSetting {
    const digit = Number.isInteger(this.value?.digit) && this.value.digit >= 0 && this.value.digit < DIGIT_HEX.length ? this.value.digit : 0;
    const k = Number.isInteger(this.value?.k) ? Math.max(1, Math.min(SIDE, this.value.k)) : 4;
    return { digit, k };
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('value')) void this._compute();
  }

  private async _compute(): Promise<void> {
    const ask = ++this._asked;
    const { digit, k } = this._valid();
    try {
      const factors = await cachedDigitSvd(digit);
      const rebuilt = await reconstruct(factors, k);
      if (ask !== this._asked) return;
      this._f = factors;
      this._rebuilt = rebuilt;
      this._error = '';
    } catch (e) {
      if (ask === this._asked) this._error = (e as Error).message;
    }
  }

  protected override updated(): void {
    const draw = (id: string, px: Float32Array | null) => {
      const canvas = this.renderRoot.querySelector<HTMLCanvasElement>(`#${id}`);
      const ctx = canvas?.getContext('2d');
      if (!ctx || !px) return;
      const img = ctx.createImageData(SIDE, SIDE);
      for (let i = 0; i < px.length; i++) {
        // Ink is dark on white; values outside [0, 1] (the rebuilt image overshoots) are clipped for display.
        const g = 255 - Math.round(255 * Math.max(0, Math.min(1, px[i])));
        img.data.set([g, g, g, 255], 4 * i);
      }
      ctx.putImageData(img, 0, 0);
    };
    draw('original', this._f?.pixels ?? null);
    draw('rebuilt', this._rebuilt);
  }

  private _chart(f: DigitSvd, k: number) {
    const W = 220;
    const H = 120;
    const x = (j: number) => 24 + ((j - 1) / (SIDE - 1)) * (W - 32);
    const y = (e: number) => 8 + (1 - e) * (H - 24);
    const pts = Array.from({ length: SIDE }, (_, i) => `${x(i + 1)},${y(tailError(f.S, i + 1))}`).join(' ');
    return svg`<svg width=${W} height=${H} role="img" aria-label=${`Relative error against k, falling from ${tailError(f.S, 1).toFixed(3)} at k = 1 to ${tailError(f.S, SIDE).toFixed(3)} at k = ${SIDE}`}>
      <line x1="24" y1=${y(0)} x2=${W - 8} y2=${y(0)} stroke="#9aa5b1"></line>
      <line x1="24" y1=${y(1)} x2="24" y2=${y(0)} stroke="#9aa5b1"></line>
      <text x="2" y=${y(1) + 4} font-size="10">1</text><text x="2" y=${y(0) + 4} font-size="10">0</text>
      <text x=${W - 40} y=${H - 2} font-size="10">k = ${SIDE}</text>
      <polyline points=${pts} fill="none" stroke="#2563eb" stroke-width="2"></polyline>
      <circle cx=${x(k)} cy=${y(tailError(f.S, k))} r="4" fill="#dc2626"></circle>
    </svg>`;
  }

  override render() {
    const { digit, k } = this._valid();
    const f = this._f;
    const err = f && this._rebuilt ? relativeError(f.pixels, this._rebuilt) : NaN;
    return html`
      <label>Digit <select @change=${(e: Event) => { e.stopPropagation(); this._set({ digit: Number((e.target as HTMLSelectElement).value), k }); }}>
        ${DIGIT_HEX.map((d, i) => html`<option value=${i} ?selected=${i === digit}>a ${d.digit}</option>`)}
      </select></label>
      <label>Rank k = <output>${k}</output>
        <input type="range" min="1" max=${SIDE} step="1" .value=${String(k)} aria-label="rank k"
          @input=${(e: Event) => { e.stopPropagation(); this._set({ digit, k: Number((e.target as HTMLInputElement).value) }); }}
          @change=${(e: Event) => e.stopPropagation()} /></label>
      ${this._error ? html`<p class="error" role="alert">The SVD failed: ${this._error}</p>` : ''}
      <div class="row">
        <figure><canvas id="original" width=${SIDE} height=${SIDE} style="width:${SIDE * SCALE}px;height:${SIDE * SCALE}px" role="img" aria-label=${`the original digit ${DIGIT_HEX[digit].digit}`}></canvas><figcaption>original: ${SIDE * SIDE} numbers</figcaption></figure>
        <figure><canvas id="rebuilt" width=${SIDE} height=${SIDE} style="width:${SIDE * SCALE}px;height:${SIDE * SCALE}px" role="img" aria-label=${`the digit rebuilt from ${k} singular triplets`}></canvas><figcaption>rank ${k}: ${storedNumbers(SIDE, k)} numbers</figcaption></figure>
        ${f ? html`<figure>${this._chart(f, k)}<figcaption>error against k</figcaption></figure>` : ''}
      </div>
      <p aria-live="polite">${f
        ? html`Largest singular values: ${f.S.slice(0, 4).map((s) => s.toFixed(2)).join(', ')}, … The rank-${k} image misses
          <output data-quantity="error">${Number.isFinite(err) ? `${(100 * err).toFixed(1)}%` : '…'}</output> of the original (relative Frobenius error).`
        : 'Computing the SVD…'}</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w56-svd': W56Svd;
  }
}
