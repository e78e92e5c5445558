// Two draggable 2-D vectors u and v, with their dot product, norms, the angle between them and the projection of u
// onto the line through v drawn as a dashed drop. The numbers come from the engine's project() and norm(). Arrow tips
// drag with a pointer; the coordinate fields do the same from the keyboard. Its value is { u, v }, so a target
// exercise can place it and check what it fires.
import { LitElement, css, html, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { project, norm } from '../../../../engine/index';
import type { VectorPair } from './exercises';

const SIZE = 300;
const RANGE = 4; // the plane shows [−4, 4]²
const toPx = (x: number): number => ((x + RANGE) / (2 * RANGE)) * SIZE;
const toPy = (y: number): number => SIZE - toPx(y);
const round1 = (x: number): number => Math.round(x * 10) / 10;
const clamp = (x: number): number => Math.max(-RANGE, Math.min(RANGE, x));

@customElement('w56-vectors')
export class W56Vectors extends LitElement {
  static override styles = css`
    :host { display: block; font: 14px/1.4 system-ui, sans-serif; color: #1f2933; }
    .row { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
    svg { border: 1px solid #cbd2d9; background: #fff; touch-action: none; }
    .tip { cursor: grab; }
    fieldset { border: none; padding: 0; margin: 0 0 6px; }
    input { width: 4.5em; }
    table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
    td { padding: 2px 8px; border-bottom: 1px solid #e4e7eb; }
    td:last-child { text-align: right; }
  `;

  @property({ attribute: false }) value: VectorPair = { u: [3, 1], v: [1, 2] };
  private _dragging: 'u' | 'v' | null = null;

  private _set(which: 'u' | 'v', xy: number[]): void {
    this.value = { ...this.value, [which]: xy.map((c) => round1(clamp(c))) };
    this.dispatchEvent(new CustomEvent<VectorPair>('change', { detail: { u: [...this.value.u], v: [...this.value.v] }, bubbles: true, composed: true }));
  }

  private _onField(which: 'u' | 'v', axis: 0 | 1, e: Event): void {
    e.stopPropagation();
    const x = Number((e.target as HTMLInputElement).value);
    if (!Number.isFinite(x)) return;
    const xy = [...this.value[which]];
    xy[axis] = x;
    this._set(which, xy);
  }

  private _pointAt(e: PointerEvent): number[] {
    const box = (e.currentTarget as SVGSVGElement).getBoundingClientRect();
    const px = ((e.clientX - box.left) / box.width) * SIZE;
    const py = ((e.clientY - box.top) / box.height) * SIZE;
    return [(px / SIZE) * 2 * RANGE - RANGE, ((SIZE - py) / SIZE) * 2 * RANGE - RANGE];
  }

  private _onDown(e: PointerEvent): void {
    const p = this._pointAt(e);
    // Grab the nearer tip.
    const d = (w: number[]) => Math.hypot(w[0] - p[0], w[1] - p[1]);
    this._dragging = d(this.value.u) <= d(this.value.v) ? 'u' : 'v';
    (e.currentTarget as SVGSVGElement).setPointerCapture(e.pointerId);
    this._set(this._dragging, p);
  }

  private _onMove(e: PointerEvent): void {
    if (this._dragging) this._set(this._dragging, this._pointAt(e));
  }

  private _onUp(): void {
    this._dragging = null;
  }

  private _arrow(w: number[], color: string, label: string) {
    return svg`<line x1=${toPx(0)} y1=${toPy(0)} x2=${toPx(w[0])} y2=${toPy(w[1])} stroke=${color} stroke-width="3" marker-end="url(#head-${label})"></line>
      <circle class="tip" cx=${toPx(w[0])} cy=${toPy(w[1])} r="7" fill=${color} fill-opacity="0.25"></circle>
      <text x=${toPx(w[0]) + 8} y=${toPy(w[1]) - 8} fill=${color} font-weight="600">${label}</text>`;
  }

  override render() {
    const { u, v } = this.value;
    const nu = norm(u);
    const nv = norm(v);
    const uv = u[0] * v[0] + u[1] * v[1];
    const p = nv > 0 ? project(u, v) : [0, 0];
    const angle = nu > 0 && nv > 0 ? (Math.acos(Math.max(-1, Math.min(1, uv / (nu * nv)))) * 180) / Math.PI : NaN;
    const grid = [];
    for (let i = -RANGE; i <= RANGE; i++) {
      const c = i === 0 ? '#9aa5b1' : '#eef0f2';
      grid.push(svg`<line x1=${toPx(i)} y1="0" x2=${toPx(i)} y2=${SIZE} stroke=${c}></line><line x1="0" y1=${toPy(i)} x2=${SIZE} y2=${toPy(i)} stroke=${c}></line>`);
    }
    const field = (which: 'u' | 'v', axis: 0 | 1) => html`<label>${which}<sub>${axis === 0 ? 'x' : 'y'}</sub>
      <input type="number" step="0.1" min=${-RANGE} max=${RANGE} .value=${String(this.value[which][axis])} @change=${(e: Event) => this._onField(which, axis, e)} @input=${(e: Event) => this._onField(which, axis, e)} /></label>`;
    return html`<div class="row">
      <svg width=${SIZE} height=${SIZE} viewBox="0 0 ${SIZE} ${SIZE}" role="img"
        aria-label=${`u = (${u.join(', ')}), v = (${v.join(', ')}); the projection of u onto v is (${p.map((x) => x.toFixed(2)).join(', ')})`}
        @pointerdown=${this._onDown} @pointermove=${this._onMove} @pointerup=${this._onUp} @pointercancel=${this._onUp}>
        <defs>
          <marker id="head-u" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#2563eb"></path></marker>
          <marker id="head-v" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#dc2626"></path></marker>
        </defs>
        ${grid}
        ${nv > 0 ? svg`<line x1=${toPx(-RANGE * 3 * v[0] / nv)} y1=${toPy(-RANGE * 3 * v[1] / nv)} x2=${toPx(RANGE * 3 * v[0] / nv)} y2=${toPy(RANGE * 3 * v[1] / nv)} stroke="#fca5a5" stroke-dasharray="2 4"></line>` : ''}
        <line x1=${toPx(0)} y1=${toPy(0)} x2=${toPx(p[0])} y2=${toPy(p[1])} stroke="#16a34a" stroke-width="6" stroke-opacity="0.6"></line>
        <line x1=${toPx(u[0])} y1=${toPy(u[1])} x2=${toPx(p[0])} y2=${toPy(p[1])} stroke="#16a34a" stroke-dasharray="4 3"></line>
        ${this._arrow(v, '#dc2626', 'v')}
        ${this._arrow(u, '#2563eb', 'u')}
      </svg>
      <div>
        <fieldset><legend>u</legend>${field('u', 0)} ${field('u', 1)}</fieldset>
        <fieldset><legend>v</legend>${field('v', 0)} ${field('v', 1)}</fieldset>
        <table aria-label="dot product, norms and projection">
          <tr><td>u·v</td><td><output data-quantity="dot">${uv.toFixed(2)}</output></td></tr>
          <tr><td>‖u‖, ‖v‖</td><td>${nu.toFixed(2)}, ${nv.toFixed(2)}</td></tr>
          <tr><td>angle θ</td><td>${Number.isFinite(angle) ? `${angle.toFixed(1)}°` : 'undefined (a zero vector)'}</td></tr>
          <tr><td>proj<sub>v</sub> u = (u·v/‖v‖²)·v</td><td><output data-quantity="projection">(${p.map((x) => x.toFixed(2)).join(', ')})</output></td></tr>
          <tr><td>its length |u·v|/‖v‖</td><td>${norm(p).toFixed(2)}</td></tr>
        </table>
      </div>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w56-vectors': W56Vectors;
  }
}
