// A 2×2 matrix as a linear map: the unit grid and the unit square drawn before (faint) and after (bold) the map,
// the images of e₁ and e₂ (the matrix's columns), the determinant as the square's signed area, and the dominant
// eigenvector found by the engine's powerIteration on the page's device (the GPU when there is one). Its value is
// the matrix, row-major [a, b, c, d] for [[a, b], [c, d]].
import { LitElement, css, html, svg } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { dominantEigen, type Eigen } from './eigen';

const SIZE = 300;
const RANGE = 3;
const toPx = (x: number): number => ((x + RANGE) / (2 * RANGE)) * SIZE;
const toPy = (y: number): number => SIZE - toPx(y);

export const PRESETS: Record<string, number[]> = {
  'stretch x': [2, 0, 0, 1],
  symmetric: [2, 1, 1, 2],
  shear: [1, 1, 0, 1],
  'rotate 90°': [0, -1, 1, 0],
  'rank 1': [1, 2, 0.5, 1],
};

@customElement('w56-matrix')
export class W56Matrix extends LitElement {
  static override styles = css`
    :host { display: block; font: 14px/1.4 system-ui, sans-serif; color: #1f2933; }
    .row { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
    svg { border: 1px solid #cbd2d9; background: #fff; }
    .matrix { display: grid; grid-template-columns: auto auto; gap: 4px; margin: 4px 0 8px; }
    input { width: 4.5em; }
    .presets { display: flex; flex-wrap: wrap; gap: 4px; margin-bottom: 8px; }
    p { margin: 4px 0; max-width: 32em; }
  `;

  /** [a, b, c, d] for [[a, b], [c, d]]. */
  @property({ attribute: false }) value: number[] = [2, 1, 1, 2];
  @state() private _eigen: Eigen | null = null;
  @state() private _error = '';
  private _asked = 0;

  private _set(m: number[]): void {
    this.value = m;
    this.dispatchEvent(new CustomEvent<number[]>('change', { detail: [...m], bubbles: true, composed: true }));
  }

  private _onField(i: number, e: Event): void {
    e.stopPropagation();
    const x = Number((e.target as HTMLInputElement).value);
    if (!Number.isFinite(x)) return;
    const m = [...this.value];
    m[i] = x;
    this._set(m);
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('value')) void this._computeEigen();
  }

  private async _computeEigen(): Promise<void> {
    const ask = ++this._asked;
    const m = [...this.value];
    try {
      const e = await dominantEigen(m);
      if (ask === this._asked) {
        this._eigen = e;
        this._error = '';
      }
    } catch (err) {
      if (ask === this._asked) this._error = (err as Error).message;
    }
  }

  override render() {
    const [a, b, c, d] = this.value;
    const map = (x: number, y: number): [number, number] => [a * x + b * y, c * x + d * y];
    const lines = [];
    for (let i = -RANGE; i <= RANGE; i++) {
      // Before: faint; after: each grid line's image (a linear map sends lines to lines).
      lines.push(svg`<line x1=${toPx(i)} y1="0" x2=${toPx(i)} y2=${SIZE} stroke="#eef0f2"></line><line x1="0" y1=${toPy(i)} x2=${SIZE} y2=${toPy(i)} stroke="#eef0f2"></line>`);
      const [x1, y1] = map(i, -RANGE * 2);
      const [x2, y2] = map(i, RANGE * 2);
      const [x3, y3] = map(-RANGE * 2, i);
      const [x4, y4] = map(RANGE * 2, i);
      lines.push(svg`<line x1=${toPx(x1)} y1=${toPy(y1)} x2=${toPx(x2)} y2=${toPy(y2)} stroke="#93c5fd"></line><line x1=${toPx(x3)} y1=${toPy(y3)} x2=${toPx(x4)} y2=${toPy(y4)} stroke="#93c5fd"></line>`);
    }
    const square = [map(0, 0), map(1, 0), map(1, 1), map(0, 1)].map(([x, y]) => `${toPx(x)},${toPy(y)}`).join(' ');
    const det = a * d - b * c;
    const e = this._eigen;
    const ev = e?.vector;
    const field = (i: number, name: string) => html`<label>${name} <input type="number" step="0.1" .value=${String(this.value[i])} @change=${(ev: Event) => this._onField(i, ev)} @input=${(ev: Event) => this._onField(i, ev)} /></label>`;
    const eigenText = this._error
      ? `Power iteration failed: ${this._error}`
      : !e
        ? 'Power iteration is running…'
        : e.converged
          ? `Power iteration (${e.iters} steps on the ${e.device === 'webgpu' ? 'GPU' : 'CPU'}) settles on λ = ${e.value.toFixed(3)}, along (${e.vector.map((x) => x.toFixed(3)).join(', ')}): the map only stretches that direction.`
          : `Power iteration (${e.iters} steps) does not settle: ‖Av − λv‖ is still ${e.residual.toFixed(3)}. Either no direction is only stretched (a rotation turns every one), two eigenvalues tie in size (such as λ and −λ, and the iterate swings between them), or, as for a shear, the iterate creeps towards its one eigenvector too slowly.`;
    return html`<div class="row">
      <svg width=${SIZE} height=${SIZE} viewBox="0 0 ${SIZE} ${SIZE}" role="img"
        aria-label=${`The grid after the map [[${a}, ${b}], [${c}, ${d}]]: e1 goes to (${a}, ${c}), e2 to (${b}, ${d}); the unit square becomes a parallelogram of signed area ${det.toFixed(2)}.`}>
        ${lines}
        <line x1="0" y1=${toPy(0)} x2=${SIZE} y2=${toPy(0)} stroke="#9aa5b1"></line>
        <line x1=${toPx(0)} y1="0" x2=${toPx(0)} y2=${SIZE} stroke="#9aa5b1"></line>
        <polygon points=${square} fill=${det >= 0 ? '#bfdbfe' : '#fecaca'} fill-opacity="0.6" stroke="#1d4ed8"></polygon>
        <line x1=${toPx(0)} y1=${toPy(0)} x2=${toPx(a)} y2=${toPy(c)} stroke="#2563eb" stroke-width="3"></line>
        <line x1=${toPx(0)} y1=${toPy(0)} x2=${toPx(b)} y2=${toPy(d)} stroke="#dc2626" stroke-width="3"></line>
        ${ev && e?.converged ? svg`<line x1=${toPx(-RANGE * 2 * ev[0])} y1=${toPy(-RANGE * 2 * ev[1])} x2=${toPx(RANGE * 2 * ev[0])} y2=${toPy(RANGE * 2 * ev[1])} stroke="#16a34a" stroke-width="2" stroke-dasharray="6 4"></line>` : ''}
      </svg>
      <div>
        <div class="presets" role="group" aria-label="example matrices">
          ${Object.entries(PRESETS).map(([name, m]) => html`<button type="button" @click=${() => this._set([...m])}>${name}</button>`)}
        </div>
        <div class="matrix" role="group" aria-label="the matrix, row by row">${field(0, 'a')} ${field(1, 'b')} ${field(2, 'c')} ${field(3, 'd')}</div>
        <p>e₁ ↦ (<span style="color:#2563eb">${a}, ${c}</span>), e₂ ↦ (<span style="color:#dc2626">${b}, ${d}</span>): the columns of the matrix.</p>
        <p>det = ad − bc = <output data-quantity="det">${det.toFixed(3)}</output>: the shaded square’s area is multiplied by ${Math.abs(det).toFixed(3)}${det < 0 ? ' and flipped' : ''}.</p>
        <p aria-live="polite" data-eigen>${eigenText}</p>
      </div>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w56-matrix': W56Matrix;
  }
}
