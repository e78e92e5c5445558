// The computation graph of L = (a·b + c)·f drawn as micrograd draws one: a box per value showing its data and its
// gradient ∂L/∂node, and a circle per operation. Sliders set the four inputs; every value and gradient is
// recomputed by the engine (graph.ts: a forward pass, then autograd). The table below is the text alternative.
import { LitElement, css, html, nothing, svg } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { DEFAULT_INPUTS, LEAVES, NODES, OPS, chainRuleLine, evaluateGraph, type GraphInputs, type LeafName, type NodeName, type NodeState } from './graph';

/** Where each box sits (its left edge and centre line), in SVG units. */
const POS: Record<NodeName, [number, number]> = {
  a: [10, 40], b: [10, 120], e: [250, 80], c: [250, 175], d: [490, 125], f: [490, 215], L: [730, 170],
};
const BOX_W = 170;
const BOX_H = 44;
const OP_X: Record<string, number> = { e: 215, d: 455, L: 695 };

const num = (v: number): string => String(Number(v.toFixed(4))).replace('-', '−');

@customElement('w7-graph')
export class W7Graph extends LitElement {
  static override styles = css`
    :host { display: block; font: 14px/1.4 system-ui, sans-serif; color: #1f2933; }
    svg { width: 100%; max-width: 920px; height: auto; }
    .controls { display: flex; flex-wrap: wrap; gap: 8px 20px; margin: 0 0 8px; }
    .controls label { display: flex; align-items: center; gap: 6px; }
    .controls output { min-width: 3em; font-variant-numeric: tabular-nums; }
    table { border-collapse: collapse; font-variant-numeric: tabular-nums; margin-top: 8px; }
    th, td { padding: 2px 10px; text-align: right; border-bottom: 1px solid #e4e7eb; }
    th:first-child, td:first-child { text-align: left; }
    .chain { margin: 6px 0 0; color: #323f4b; }
    .error { color: #b91c1c; }
  `;

  /** The four inputs. */
  @property({ attribute: false }) value: GraphInputs = { ...DEFAULT_INPUTS };
  @state() private _states: Record<NodeName, NodeState> | null = null;
  @state() private _error = '';
  private _asked = 0;

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('value')) void this._compute();
  }

  private async _compute(): Promise<void> {
    const ask = ++this._asked;
    try {
      const states = await evaluateGraph(this.value);
      if (ask !== this._asked) return;
      this._states = states;
      this._error = '';
    } catch (e) {
      if (ask === this._asked) this._error = `The graph could not be evaluated: ${(e as Error).message}`;
    }
  }

  private _set(name: LeafName, v: number): void {
    this.value = { ...this.value, [name]: v };
    this.dispatchEvent(new CustomEvent<GraphInputs>('change', { detail: { ...this.value }, bubbles: true, composed: true }));
  }

  private _box(n: NodeName) {
    const [x, y] = POS[n];
    const s = this._states?.[n];
    return svg`<g class="node" data-node=${n}>
      <rect x=${x} y=${y - BOX_H / 2} width=${BOX_W} height=${BOX_H} rx="4" fill="#f0f4f8" stroke="#52606d" />
      <line x1=${x + 30} y1=${y - BOX_H / 2} x2=${x + 30} y2=${y + BOX_H / 2} stroke="#52606d" />
      <text x=${x + 15} y=${y + 5} text-anchor="middle" font-weight="600">${n}</text>
      <text x=${x + 38} y=${y - 5}>data ${s ? num(s.value) : '…'}</text>
      <text x=${x + 38} y=${y + 15} fill="#b44d12">grad ${s ? num(s.grad) : '…'}</text>
    </g>`;
  }

  private _op(name: 'e' | 'd' | 'L', op: string, from: [NodeName, NodeName]) {
    const cx = OP_X[name];
    const cy = POS[name][1];
    const edge = (n: NodeName) => svg`<line x1=${POS[n][0] + BOX_W} y1=${POS[n][1]} x2=${cx - 14} y2=${cy} stroke="#9aa5b1" />`;
    return svg`${edge(from[0])}${edge(from[1])}
      <circle cx=${cx} cy=${cy} r="14" fill="#fff" stroke="#52606d" />
      <text x=${cx} y=${cy + 5} text-anchor="middle">${op}</text>
      <line x1=${cx + 14} y1=${cy} x2=${POS[name][0]} y2=${cy} stroke="#9aa5b1" />`;
  }

  override render() {
    const s = this._states;
    const alt = s
      ? `Computation graph e = a·b, d = e + c, L = d·f. ${NODES.map((n) => `${n}: data ${num(s[n].value)}, grad ${num(s[n].grad)}`).join('; ')}.`
      : 'Computing the graph…';
    return html`
      <div class="controls">
        ${LEAVES.map(
          (n) => html`<label>${n}
            <input type="range" min="-5" max="10" step="0.5" .value=${String(this.value[n])} aria-label="input ${n}"
              @input=${(e: Event) => this._set(n, Number((e.target as HTMLInputElement).value))} />
            <output>${num(this.value[n])}</output></label>`,
        )}
      </div>
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : nothing}
      <svg viewBox="0 0 910 250" role="img" aria-label=${alt}>
        ${OPS.map((o) => this._op(o.name, o.op === '*' ? '×' : '+', o.inputs))}
        ${NODES.map((n) => this._box(n))}
      </svg>
      <table aria-label="each node's value and gradient">
        <thead><tr><th>node</th><th>data</th><th>grad ∂L/∂node</th></tr></thead>
        <tbody>${NODES.map((n) => html`<tr><td>${n}</td><td>${s ? num(s[n].value) : '…'}</td><td data-grad=${n}>${s ? num(s[n].grad) : '…'}</td></tr>`)}</tbody>
      </table>
      ${s ? html`<p class="chain" aria-live="polite">${chainRuleLine('a', s)}; ${chainRuleLine('c', s)}.</p>` : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w7-graph': W7Graph;
  }
}
