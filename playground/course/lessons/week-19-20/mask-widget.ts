// Sparse attention patterns drawn as masks: dense causal, the causal sliding window, Longformer's two-sided window
// with global tokens, and Child et al.'s strided block layout, at T = 32. Each mask is read off the engine's own
// attention (efficient.patternMask), so the picture is what the kernels compute. Its value is { kind, w }.
import { LitElement, css, html, svg, type PropertyValues } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { functional } from '../../../../engine/index';
import { efficient } from '../../../../engine/course';
import { MASK_GLOBALS, MASK_KINDS, MASK_T, MASK_WINDOW, MASK_BLOCK, maskOf, maskPattern, stridedLocal, type MaskKind } from './numbers';

export interface MaskValue {
  kind: MaskKind;
  w: number;
}

const LABELS: Record<MaskKind, string> = {
  causal: 'dense causal (every key j ≤ i)',
  window: 'causal sliding window (i − w < j ≤ i)',
  longformer: `Longformer: two-sided window |i − j| < w, globals ${MASK_GLOBALS.join(', ')}`,
  strided: `strided blocks (Child et al.): blocks of ${MASK_BLOCK.blockSize}, summary every ${MASK_BLOCK.stride}th`,
};

const CELL = 8;

@customElement('w1920-masks')
export class W1920Masks extends LitElement {
  static override styles = css`
    :host { display: block; }
    .controls { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; margin-bottom: 0.5rem; }
    .status { font-variant-numeric: tabular-nums; min-height: 1.4em; }
    svg { border: 1px solid #cbd5e1; background: #fff; }
    rect.on { fill: #1d4ed8; }
    rect.global { fill: #ea580c; }
  `;

  @state() private _kind: MaskKind = 'longformer';
  @state() private _w = MASK_WINDOW;
  @state() private _mask: number[][] | null = null;
  private _asked = 0;

  get value(): MaskValue {
    return { kind: this._kind, w: this._w };
  }

  /** Restores a saved setting; anything malformed leaves the current one. */
  set value(v: unknown) {
    if (typeof v !== 'object' || v === null) return;
    const { kind, w } = v as Partial<MaskValue>;
    if (MASK_KINDS.includes(kind as MaskKind)) this._kind = kind as MaskKind;
    if (Number.isInteger(w) && (w as number) >= 1 && (w as number) <= MASK_T) this._w = w as number;
    if (this.hasUpdated) void this._draw();
  }

  override firstUpdated(_: PropertyValues): void {
    void this._draw();
  }

  private async _draw(): Promise<void> {
    const asked = ++this._asked;
    const m = await maskOf(this._kind, this._w);
    if (asked === this._asked) this._mask = m;
  }

  private _emit(): void {
    this.dispatchEvent(new CustomEvent<MaskValue>('change', { detail: this.value, bubbles: true, composed: true }));
  }

  private _onW(e: Event): void {
    this._w = Number((e.target as HTMLInputElement).value);
    this._emit();
    void this._draw();
  }

  private _onKind(e: Event): void {
    this._kind = (e.target as HTMLSelectElement).value as MaskKind;
    this._emit();
    void this._draw();
  }

  override render() {
    const m = this._mask;
    const T = MASK_T;
    const count = m ? efficient.maskCount(m) : 0;
    const globals = this._kind === 'longformer' ? new Set<number>(MASK_GLOBALS) : new Set<number>();
    const pattern = maskPattern(this._kind, this._w);
    const blocks = pattern.blockLayout ? functional.layoutDensity(pattern.blockLayout) : null;
    const usesW = this._kind !== 'causal';
    return html`
      <div class="controls">
        <label>window w
          <input type="range" min="1" max="16" .value=${String(this._w)} @input=${this._onW} ?disabled=${!usesW}
            aria-label="window size w" />
          <output>${this._w}</output>
        </label>
        <label>pattern
          <select @change=${this._onKind} aria-label="attention pattern">
            ${MASK_KINDS.map((k) => html`<option value=${k} ?selected=${k === this._kind}>${LABELS[k]}</option>`)}
          </select>
        </label>
      </div>
      <p class="status" role="status" aria-live="polite">
        ${m
          ? html`${LABELS[this._kind]}${usesW ? `, w = ${this._w}` : ''}: ${count} of ${T * T} scores
              (${((100 * count) / (T * T)).toFixed(1)}% of the T × T matrix; dense causal keeps ${(T * (T + 1)) / 2}).
              ${blocks !== null ? `The layout keeps ${(100 * blocks).toFixed(1)}% of the ${pattern.blockLayout!.rows} × ${pattern.blockLayout!.cols} blocks (${stridedLocal(this._w)} local).` : ''}`
          : 'Asking the engine for the mask…'}
      </p>
      <svg width=${T * CELL + 1} height=${T * CELL + 1} viewBox="0 0 ${T * CELL + 1} ${T * CELL + 1}" role="img"
        aria-label=${`The ${T} by ${T} mask: row i is query i, column j key j, a filled cell a score that is computed. ${count} of ${T * T} cells are filled.`}>
        ${m
          ? m.flatMap((row, i) => row.map((on, j) => (on
            ? svg`<rect class=${globals.has(i) || globals.has(j) ? (Math.abs(i - j) < this._w ? 'on' : 'global') : 'on'} x=${j * CELL + 0.5} y=${i * CELL + 0.5} width=${CELL - 1} height=${CELL - 1}></rect>`
            : null)))
          : null}
      </svg>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w1920-masks': W1920Masks;
  }
}
