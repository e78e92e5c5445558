// Gradient descent in 2-D: one surface, three optimizers side by side (SGD, momentum, Adam), each path computed by
// the engine's optimizePath with the real optimizer. The start point is dragged with the pointer on any panel, or
// moved with the arrow keys once a panel has focus; each optimizer has its own learning-rate slider (log scale).
// The list under the plots says where each path ended, as the text alternative.
import { LitElement, css, html, nothing, svg } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { cat, noGrad, tensor, tidy } from '../../../../engine/index';
import { surfaces, surfaceInfo, type OptimizationPath, type SurfaceName } from '../../../../engine/course';
import {
  OPTIMIZERS, OPT_LABEL, STEP_CHOICES, SURFACE_LABEL, SURFACE_NAMES, defaultSetting, descentPaths, describePath, fmtLr, parseSetting,
  type DescentSetting, type OptName,
} from './descent';

const SIZE = 220;
const GRID = 40;
const COLOR: Record<OptName, string> = { sgd: '#d64545', momentum: '#2f80ed', adam: '#1f9d55' };

/** f on a GRID × GRID lattice over the surface's window, by the engine, as a grey-scale image (log-compressed). */
async function heatmap(name: SurfaceName): Promise<string> {
  const { x: [x0, x1], y: [y0, y1] } = surfaceInfo[name].domain;
  const all = tidy(() =>
    noGrad(() => {
      const vals = [];
      for (let j = 0; j < GRID; j++) {
        for (let i = 0; i < GRID; i++) {
          const x = x0 + ((i + 0.5) / GRID) * (x1 - x0);
          const y = y1 - ((j + 0.5) / GRID) * (y1 - y0); // row 0 is the top of the plot
          vals.push(surfaces[name](tensor([x, y], [2], { device: 'cpu' })).reshape([1])); // (1)
        }
      }
      return cat(vals); // (GRID·GRID)
    }),
  );
  const f = await all.toArray();
  all.dispose();
  const squash = (v: number) => Math.sign(v) * Math.log1p(Math.abs(v));
  const s = Array.from(f, squash);
  const lo = Math.min(...s);
  const hi = Math.max(...s);
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = GRID;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(GRID, GRID);
  s.forEach((v, k) => {
    const t = hi > lo ? (v - lo) / (hi - lo) : 0;
    const c = Math.round(250 - 170 * t); // low values light, high values dark
    img.data.set([c, c, Math.min(255, c + 10), 255], 4 * k);
  });
  ctx.putImageData(img, 0, 0);
  return canvas.toDataURL();
}

@customElement('w7-descent')
export class W7Descent extends LitElement {
  static override styles = css`
    :host { display: block; font: 14px/1.4 system-ui, sans-serif; color: #1f2933; }
    .controls { display: flex; flex-wrap: wrap; gap: 8px 20px; align-items: center; margin-bottom: 8px; }
    .panels { display: flex; flex-wrap: wrap; gap: 12px; }
    .panel { display: flex; flex-direction: column; gap: 4px; }
    .panel h4 { margin: 0; font-size: 14px; }
    svg { width: ${SIZE}px; height: ${SIZE}px; border: 1px solid #9aa5b1; touch-action: none; cursor: crosshair; }
    svg:focus { outline: 3px solid #2f80ed; outline-offset: 2px; }
    label { display: flex; align-items: center; gap: 6px; }
    .num { font-variant-numeric: tabular-nums; min-width: 4.5em; }
    ul { margin: 8px 0 0; padding-left: 20px; }
    .busy { color: #52606d; }
    .error { color: #b91c1c; }
  `;

  @property({ attribute: false }) value: DescentSetting = defaultSetting();
  @state() private _paths: Record<OptName, OptimizationPath> | null = null;
  @state() private _shownFor: DescentSetting | null = null;
  @state() private _image = '';
  @state() private _error = '';
  private _asked = 0;
  private _imageFor: SurfaceName | null = null;

  override willUpdate(changed: Map<string, unknown>): void {
    if (!changed.has('value')) return;
    const ok = parseSetting(this.value);
    if (!ok) {
      this.value = defaultSetting(); // a saved state this version cannot read: start from the defaults
      return;
    }
    void this._compute(this.value);
  }

  private async _compute(s: DescentSetting): Promise<void> {
    const ask = ++this._asked;
    try {
      if (this._imageFor !== s.surface) {
        const image = await heatmap(s.surface);
        if (ask !== this._asked) return;
        this._image = image;
        this._imageFor = s.surface;
      }
      const paths = await descentPaths(s);
      if (ask !== this._asked) return;
      this._paths = paths;
      this._shownFor = s;
      this._error = '';
    } catch (e) {
      if (ask === this._asked) this._error = `The paths could not be computed: ${(e as Error).message}`;
    }
  }

  private _set(next: DescentSetting): void {
    this.value = next;
    this.dispatchEvent(new CustomEvent<DescentSetting>('change', { detail: structuredClone(next), bubbles: true, composed: true }));
  }

  private _toPlot(x: number, y: number): [number, number] {
    const { x: [x0, x1], y: [y0, y1] } = surfaceInfo[this.value.surface].domain;
    return [((x - x0) / (x1 - x0)) * SIZE, ((y1 - y) / (y1 - y0)) * SIZE];
  }

  private _fromPlot(px: number, py: number): [number, number] {
    const { x: [x0, x1], y: [y0, y1] } = surfaceInfo[this.value.surface].domain;
    const round = (v: number) => Math.round(v * 100) / 100;
    return [round(x0 + (px / SIZE) * (x1 - x0)), round(y1 - (py / SIZE) * (y1 - y0))];
  }

  private _onPointer(e: PointerEvent): void {
    if (e.type === 'pointermove' && !(e.buttons & 1)) return;
    const box = (e.currentTarget as SVGSVGElement).getBoundingClientRect();
    if (e.type === 'pointerdown') (e.currentTarget as SVGSVGElement).setPointerCapture?.(e.pointerId);
    this._set({ ...this.value, start: this._fromPlot(((e.clientX - box.left) / box.width) * SIZE, ((e.clientY - box.top) / box.height) * SIZE) });
  }

  private _onKey(e: KeyboardEvent): void {
    const moves: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
    const m = moves[e.key];
    if (!m) return;
    e.preventDefault();
    const { x, y } = surfaceInfo[this.value.surface].domain;
    const step = (e.shiftKey ? 0.1 : 0.025) * (x[1] - x[0]);
    const clamp = (v: number, [lo, hi]: [number, number]) => Math.round(Math.min(hi, Math.max(lo, v)) * 1000) / 1000;
    const [sx, sy] = this.value.start;
    this._set({ ...this.value, start: [clamp(sx + m[0] * step, x), clamp(sy + m[1] * (step * (y[1] - y[0])) / (x[1] - x[0]), y)] });
  }

  private _panel(o: OptName) {
    const s = this.value;
    const path = this._shownFor && this._shownFor.surface === s.surface ? this._paths?.[o] : undefined;
    // Points far outside the window are clamped so the polyline stays drawable; the clip hides them anyway.
    const pts = (path?.points ?? [])
      .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
      .map(([x, y]) => this._toPlot(x, y).map((v) => Math.max(-10 * SIZE, Math.min(11 * SIZE, v))).join(','))
      .join(' ');
    const [sx, sy] = this._toPlot(...s.start);
    const minima = surfaceInfo[s.surface].minima.map(([x, y]) => {
      const [px, py] = this._toPlot(x, y);
      return svg`<path d="M${px - 5},${py - 5}L${px + 5},${py + 5}M${px - 5},${py + 5}L${px + 5},${py - 5}" stroke="#111" stroke-width="2" />`;
    });
    return html`<div class="panel" data-optimizer=${o}>
      <h4 style="color:${COLOR[o]}">${OPT_LABEL[o]}</h4>
      <svg viewBox="0 0 ${SIZE} ${SIZE}" tabindex="0" role="application"
        aria-label="${OPT_LABEL[o]} on the ${SURFACE_LABEL[s.surface]}: start (${s.start.join(', ')}). Arrow keys move the start point, Shift for bigger steps; or drag it."
        @pointerdown=${this._onPointer} @pointermove=${this._onPointer} @keydown=${this._onKey}>
        <defs><clipPath id="clip-${o}"><rect width=${SIZE} height=${SIZE} /></clipPath></defs>
        ${this._image ? svg`<image href=${this._image} width=${SIZE} height=${SIZE} preserveAspectRatio="none" style="image-rendering:auto" />` : nothing}
        ${minima}
        <g clip-path="url(#clip-${o})">
          <polyline points=${pts} fill="none" stroke=${COLOR[o]} stroke-width="2" stroke-linejoin="round" />
        </g>
        <circle cx=${sx} cy=${sy} r="6" fill="#fff" stroke=${COLOR[o]} stroke-width="3" />
      </svg>
      <label>lr <input type="range" min="-5" max="0" step="0.1" .value=${String(Math.log10(s.lr[o]))} aria-label="${OPT_LABEL[o]} learning rate (log₁₀)"
        @input=${(e: Event) => this._set({ ...this.value, lr: { ...this.value.lr, [o]: Number((10 ** Number((e.target as HTMLInputElement).value)).toPrecision(2)) } })} />
        <span class="num">${fmtLr(s.lr[o])}</span></label>
    </div>`;
  }

  override render() {
    const s = this.value;
    const shown = this._shownFor;
    const lines = shown && this._paths ? OPTIMIZERS.map((o) => describePath(shown.surface, o, shown.lr[o], this._paths![o], shown.steps)) : [];
    const current = shown === s;
    return html`
      <div class="controls">
        <label>Surface
          <select @change=${(e: Event) => this._set({ ...defaultSetting((e.target as HTMLSelectElement).value as SurfaceName), steps: this.value.steps })}>
            ${SURFACE_NAMES.map((n) => html`<option value=${n} ?selected=${n === s.surface}>${SURFACE_LABEL[n]}</option>`)}
          </select></label>
        <label>Steps
          <select @change=${(e: Event) => this._set({ ...this.value, steps: Number((e.target as HTMLSelectElement).value) })}>
            ${STEP_CHOICES.map((n) => html`<option value=${n} ?selected=${n === s.steps}>${n}</option>`)}
          </select></label>
        <button @click=${() => this._set({ ...defaultSetting(s.surface), steps: s.steps })}>Reset start and rates</button>
        <span class="num">start (${s.start.join(', ')})</span>
        ${current ? nothing : html`<span class="busy">computing…</span>`}
      </div>
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : nothing}
      <div class="panels">${OPTIMIZERS.map((o) => this._panel(o))}</div>
      <ul aria-live="polite" aria-label="where each optimizer ended">${lines.map((l) => html`<li>${l}</li>`)}</ul>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w7-descent': W7Descent;
  }
}
