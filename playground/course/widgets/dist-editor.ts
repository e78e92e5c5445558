// A probability distribution the learner edits by dragging its bars (or with the arrow keys on a focused bar).
// Setting one probability rescales the others in proportion, so the bars always sum to 1 and their relative sizes
// survive the edit. It fires `change` (detail: the new probabilities) inside its host's shadow root only: the
// widget that owns it decides what the page sees.
import { LitElement, css, html, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { setProbability } from './probability';

const H = 120; // bar area height in SVG units
const W = 44; // one bar's slot width

@customElement('course-dist-editor')
export class CourseDistEditor extends LitElement {
  static override styles = css`
    :host { display: inline-block; font: 12px/1.3 system-ui, sans-serif; color: #1f2933; }
    svg { display: block; touch-action: none; user-select: none; }
    .bar { cursor: ns-resize; }
    .bar:focus { outline: none; }
    .bar:focus rect.fill { stroke: #111827; stroke-width: 2; }
    rect.track { fill: #f1f5f9; }
    text { font-size: 11px; fill: #334155; }
  `;

  /** The probabilities, one per bar; they sum to 1. */
  @property({ attribute: false }) value: number[] = [0.5, 0.5];
  @property({ attribute: false }) labels: string[] = [];
  @property() color = '#2563eb';
  /** What the distribution is called, for screen readers ("p", "q"). */
  @property() name = 'p';

  private _dragging = -1;

  private _label(i: number): string {
    return this.labels[i] ?? String.fromCharCode(65 + i);
  }

  private _set(i: number, v: number): void {
    this.value = setProbability(this.value, i, v);
    this.dispatchEvent(new CustomEvent<number[]>('change', { detail: [...this.value] }));
  }

  /** The probability at the pointer's height over a bar. */
  private _at(e: PointerEvent): number {
    const svgEl = this.renderRoot.querySelector('svg')!;
    const box = svgEl.getBoundingClientRect();
    const y = ((e.clientY - box.top) / box.height) * (H + 36);
    return Math.round((1 - (y - 16) / H) * 100) / 100;
  }

  private _onDown(i: number, e: PointerEvent): void {
    this._dragging = i;
    (e.currentTarget as Element).setPointerCapture?.(e.pointerId);
    (e.currentTarget as SVGGElement).focus();
    this._set(i, this._at(e));
  }

  private _onMove(i: number, e: PointerEvent): void {
    if (this._dragging === i) this._set(i, this._at(e));
  }

  private _onUp(): void {
    this._dragging = -1;
  }

  private _onKey(i: number, e: KeyboardEvent): void {
    const p = this.value[i];
    const steps: Record<string, number> = { ArrowUp: 0.01, ArrowRight: 0.01, ArrowDown: -0.01, ArrowLeft: -0.01, PageUp: 0.1, PageDown: -0.1 };
    let v: number | null = null;
    if (e.key in steps) v = Math.round((p + steps[e.key]) * 100) / 100;
    else if (e.key === 'Home') v = 0;
    else if (e.key === 'End') v = 1;
    if (v === null) return;
    e.preventDefault();
    this._set(i, v);
  }

  override render() {
    const n = this.value.length;
    return html`<svg width=${n * W} height=${H + 36} viewBox="0 0 ${n * W} ${H + 36}" role="group" aria-label="distribution ${this.name}">
      ${this.value.map((p, i) => {
        const h = Math.max(0, Math.min(1, p)) * H;
        return svg`<g class="bar" tabindex="0" role="slider" aria-label="${this.name}(${this._label(i)})"
            aria-valuemin="0" aria-valuemax="1" aria-valuenow=${p.toFixed(2)}
            @pointerdown=${(e: PointerEvent) => this._onDown(i, e)} @pointermove=${(e: PointerEvent) => this._onMove(i, e)}
            @pointerup=${this._onUp} @pointercancel=${this._onUp} @keydown=${(e: KeyboardEvent) => this._onKey(i, e)}>
          <rect class="track" x=${i * W + 6} y="16" width=${W - 12} height=${H}></rect>
          <rect class="fill" x=${i * W + 6} y=${16 + H - h} width=${W - 12} height=${h} fill=${this.color}></rect>
          <text x=${i * W + W / 2} y="12" text-anchor="middle">${p.toFixed(2)}</text>
          <text x=${i * W + W / 2} y=${H + 30} text-anchor="middle">${this._label(i)}</text>
        </g>`;
      })}
    </svg>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'course-dist-editor': CourseDistEditor;
  }
}
