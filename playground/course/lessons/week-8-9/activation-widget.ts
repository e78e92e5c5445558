// ReLU, tanh, sigmoid and softmax with their derivatives. Both curves come from the engine: f by the op itself and
// f' as the gradient autograd leaves in the input after backward() (see activationCurve). Its value is the name.
import { LitElement, css, html, svg } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { activationCurve, linspace, type ActivationCurve, type ActivationName } from '../../../../engine/course';

const NAMES: ActivationName[] = ['relu', 'tanh', 'sigmoid', 'softmax'];
const LABEL: Record<ActivationName, string> = {
  relu: 'ReLU: max(0, x)',
  tanh: 'tanh(x)',
  sigmoid: 'sigmoid: 1 / (1 + e^−x)',
  softmax: 'softmax([x, 0])[0]',
};
const W = 320;
const H = 200;
const XS = linspace(-4, 4, 81);
const SHOWN = [-2, -1, 0, 1, 2];

@customElement('w89-activations')
export class W89Activations extends LitElement {
  static override styles = css`
    :host { display: block; font: 14px/1.4 system-ui, sans-serif; color: #1f2933; }
    .row { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
    svg { border: 1px solid #cbd2d9; background: #fff; }
    table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
    th, td { padding: 2px 8px; text-align: right; border-bottom: 1px solid #e4e7eb; }
    .key { display: flex; gap: 16px; margin: 4px 0; }
    .f { color: #2563eb; } .df { color: #dc2626; }
  `;

  @property({ attribute: false }) value: ActivationName = 'relu';
  @state() private _curve: ActivationCurve | null = null;
  @state() private _error = '';
  private _for: ActivationName | null = null;

  override willUpdate(): void {
    const name = NAMES.includes(this.value) ? this.value : 'relu';
    if (name === this._for) return;
    this._for = name;
    this._curve = null;
    activationCurve(name, [...XS, ...SHOWN], 'cpu').then(
      (c) => { if (this._for === name) this._curve = c; },
      (e: unknown) => { this._error = e instanceof Error ? e.message : String(e); },
    );
  }

  private _onPick(e: Event): void {
    e.stopPropagation();
    const name = (e.target as HTMLSelectElement).value as ActivationName;
    this.value = name;
    this.dispatchEvent(new CustomEvent<ActivationName>('change', { detail: name, bubbles: true, composed: true }));
  }

  override render() {
    const name = NAMES.includes(this.value) ? this.value : 'relu';
    const c = this._curve;
    const picker = html`<label>Function <select @change=${this._onPick}>
      ${NAMES.map((n) => html`<option value=${n} ?selected=${n === name}>${LABEL[n]}</option>`)}
    </select></label>`;
    if (this._error) return html`${picker}<p role="alert">Could not compute the curves: ${this._error}</p>`;
    if (!c) return html`${picker}<p aria-live="polite">Computing ${LABEL[name]} and its derivative…</p>`;
    const n = XS.length;
    const ys = [...c.y.slice(0, n), ...c.dy.slice(0, n)];
    const lo = Math.min(-1, ...ys);
    const hi = Math.max(1, ...ys);
    const px = (x: number) => ((x + 4) / 8) * W;
    const py = (y: number) => H - ((y - lo) / (hi - lo)) * H;
    const path = (vals: number[]) => vals.slice(0, n).map((v, i) => `${i ? 'L' : 'M'}${px(XS[i]).toFixed(1)},${py(v).toFixed(1)}`).join(' ');
    const table = SHOWN.map((x, i) => ({ x, y: c.y[n + i], dy: c.dy[n + i] }));
    return html`
      ${picker}
      <div class="key"><span class="f">━ f(x)</span><span class="df">━ f′(x) by autograd</span></div>
      <div class="row">
        <svg width=${W} height=${H} role="img" aria-label=${`${LABEL[name]} and its derivative for x from −4 to 4; the table beside lists values at x = −2 to 2.`}>
          <line x1="0" x2=${W} y1=${py(0)} y2=${py(0)} stroke="#cbd2d9" />
          <line y1="0" y2=${H} x1=${px(0)} x2=${px(0)} stroke="#cbd2d9" />
          ${svg`<path d=${path(c.y)} fill="none" stroke="#2563eb" stroke-width="2" />`}
          ${svg`<path d=${path(c.dy)} fill="none" stroke="#dc2626" stroke-width="2" stroke-dasharray="5 3" />`}
        </svg>
        <table aria-label=${`${LABEL[name]}: values and derivatives`}>
          <thead><tr><th>x</th><th>f(x)</th><th>f′(x)</th></tr></thead>
          <tbody>${table.map((r) => html`<tr><td>${r.x}</td><td>${r.y.toFixed(4)}</td><td>${r.dy.toFixed(4)}</td></tr>`)}</tbody>
        </table>
      </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w89-activations': W89Activations;
  }
}
