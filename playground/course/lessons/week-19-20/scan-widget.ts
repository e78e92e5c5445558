// The linear recurrence h_t = a_t·h_{t−1} + x_t on eight steps of one channel: a_t, x_t and h_t drawn as bars (h from
// the engine's functional.scan), and under them the parallel scan's up-sweep tree (efficient.scanTree), each node
// the combined step (a, x) of the positions below it; the nodes on the left edge carry h, and the root is h_7.
// Its value is { decay, input }.
import { LitElement, css, html, svg, type PropertyValues } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { efficient } from '../../../../engine/course';
import { SCAN_INPUTS, SCAN_DECAY, scanDemo, type ScanInput } from './numbers';

export interface ScanValue {
  decay: number;
  input: ScanInput;
}

const COL = 72;
const BAR = 46;
const NODE = 50;

@customElement('w1920-scan')
export class W1920Scan extends LitElement {
  static override styles = css`
    :host { display: block; }
    .controls { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; margin-bottom: 0.5rem; }
    .status { font-variant-numeric: tabular-nums; min-height: 1.4em; }
    svg { max-width: 100%; height: auto; }
    rect.a { fill: #a16207; } rect.x { fill: #16a34a; } rect.h { fill: #1d4ed8; }
    rect.node { fill: #f1f5f9; stroke: #94a3b8; } rect.node.spine { fill: #dbeafe; stroke: #1d4ed8; }
    line { stroke: #94a3b8; }
    text { font: 11px ui-monospace, monospace; fill: #0f172a; }
    text.row { font: 12px ui-sans-serif, system-ui, sans-serif; }
  `;

  @state() private _decay = SCAN_DECAY;
  @state() private _input: ScanInput = 'two pulses';
  @state() private _h: number[] | null = null;
  private _asked = 0;

  get value(): ScanValue {
    return { decay: this._decay, input: this._input };
  }

  set value(v: unknown) {
    if (typeof v !== 'object' || v === null) return;
    const { decay, input } = v as Partial<ScanValue>;
    if (typeof decay === 'number' && decay >= 0 && decay <= 1) this._decay = decay;
    if (input !== undefined && input in SCAN_INPUTS) this._input = input;
    if (this.hasUpdated) void this._run();
  }

  override firstUpdated(_: PropertyValues): void {
    void this._run();
  }

  private async _run(): Promise<void> {
    const asked = ++this._asked;
    const h = await scanDemo(this._decay, this._input);
    if (asked === this._asked) this._h = h;
  }

  private _emit(): void {
    this.dispatchEvent(new CustomEvent<ScanValue>('change', { detail: this.value, bubbles: true, composed: true }));
  }

  private _onDecay(e: Event): void {
    this._decay = Number((e.target as HTMLInputElement).value);
    this._emit();
    void this._run();
  }

  private _onInput(e: Event): void {
    this._input = (e.target as HTMLSelectElement).value as ScanInput;
    this._emit();
    void this._run();
  }

  override render() {
    const x = SCAN_INPUTS[this._input];
    const a = x.map(() => this._decay);
    const T = x.length;
    const tree = efficient.scanTree(a, x);
    const h = this._h;
    const hMax = Math.max(1, ...(h ?? [1]).map(Math.abs));
    const left = 70;
    const width = left + T * COL;
    const bars = (y0: number, values: readonly number[], scale: number, cls: string, label: string) => svg`
      <text class="row" x="4" y=${y0 + BAR / 2}>${label}</text>
      ${values.map((v, t) => {
        const len = (Math.abs(v) / scale) * (BAR - 12);
        return svg`<rect class=${cls} x=${left + t * COL + 16} y=${y0 + BAR - 12 - len} width=${COL - 32} height=${len}></rect>
          <text x=${left + t * COL + 14} y=${y0 + BAR}>${v.toFixed(2)}</text>`;
      })}`;
    const treeTop = 3 * (BAR + 10) + 10;
    const nodeX = (n: efficient.TreeNode) => left + ((n.from + n.to + 1) / 2) * COL - NODE / 2;
    const nodeY = (level: number) => treeTop + (tree.length - 1 - level) * 44;
    const height = treeTop + tree.length * 44;
    return html`
      <div class="controls">
        <label>decay a
          <input type="range" min="0" max="1" step="0.05" .value=${String(this._decay)} @input=${this._onDecay} aria-label="decay a, the same at every step" />
          <output>${this._decay.toFixed(2)}</output>
        </label>
        <label>input x
          <select @change=${this._onInput} aria-label="input sequence">
            ${Object.keys(SCAN_INPUTS).map((k) => html`<option value=${k} ?selected=${k === this._input}>${k}</option>`)}
          </select>
        </label>
      </div>
      <p class="status" role="status" aria-live="polite">
        ${h
          ? html`functional.scan: h₇ = ${h[T - 1].toFixed(4)}. The tree's root, all eight steps combined:
              (a, x) = (${tree[tree.length - 1][0].a.toFixed(4)}, ${tree[tree.length - 1][0].x.toFixed(4)}), the same h₇ from
              ${tree.length - 1} rounds of combining instead of ${T - 1} steps in a row.`
          : 'Running functional.scan…'}
      </p>
      <svg width=${width} height=${height} viewBox="0 0 ${width} ${height}" role="img"
        aria-label=${`Bars of a_t, x_t and h_t for t = 0 to ${T - 1}; h is ${h ? h.map((v) => v.toFixed(2)).join(', ') : 'being computed'}. Below, the combine tree: each node is (a, x) of the steps under it.`}>
        ${bars(0, a, 1, 'a', 'a_t')}
        ${bars(BAR + 10, x, Math.max(1, ...x.map(Math.abs)), 'x', 'x_t')}
        ${h ? bars(2 * (BAR + 10), h, hMax, 'h', 'h_t (scan)') : null}
        <text class="row" x="4" y=${treeTop + 14}>tree</text>
        ${tree.slice(1).map((level, l) => level.map((n, i) => {
          const kids = [tree[l][2 * i], tree[l][2 * i + 1]];
          return kids.map((k) => svg`<line x1=${nodeX(n) + NODE / 2} y1=${nodeY(l + 1) + 30} x2=${nodeX(k) + NODE / 2} y2=${nodeY(l)}></line>`);
        }))}
        ${tree.map((level, l) => level.map((n) => svg`
          <rect class="node ${n.from === 0 ? 'spine' : ''}" x=${nodeX(n)} y=${nodeY(l)} width=${NODE} height="30" rx="4"></rect>
          <text x=${nodeX(n) + 4} y=${nodeY(l) + 13}>a ${n.a.toFixed(2)}</text>
          <text x=${nodeX(n) + 4} y=${nodeY(l) + 26}>x ${n.x.toFixed(2)}</text>`))}
      </svg>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w1920-scan': W1920Scan;
  }
}
