// One node on the canvas: a header with its label and id, a row per port (inputs on the left, outputs on the
// right), and the validation issues found on it. It only draws; the canvas moves it, and wires its ports with
// d3-drag. Test hooks: the host carries data-node-id, each port data-port (and data-port-kind "in" or "out").
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { NodeTypeDef } from '../graph/node-type';
import type { Issue } from '../graph/validate';
import { formatType, type GraphNode, type PortSpec, type TensorType } from '../graph/types';
import { NODE_HEADER, NODE_WIDTH, PORT_ROW } from '../layout';

@customElement('graph-node')
export class GraphNodeElement extends LitElement {
  static override styles = css`
    :host {
      position: absolute;
      left: 0;
      top: 0;
      width: ${NODE_WIDTH}px;
      box-sizing: border-box;
      background: #fff;
      border: 1.5px solid #9aa5b1;
      border-radius: 8px;
      box-shadow: 0 1px 3px rgb(0 0 0 / 0.12);
      font: 12px/1.2 system-ui, sans-serif;
      color: #1f2933;
      cursor: grab;
      user-select: none;
    }
    :host([selected]) { border-color: #2563eb; box-shadow: 0 0 0 3px rgb(37 99 235 / 0.25); }
    :host([status='error']) { border-color: #dc2626; }
    :host([status='error'][selected]) { box-shadow: 0 0 0 3px rgb(220 38 38 / 0.25); }
    /* Pass order: the node computing now glows green (forward) or orange (backward); visited ones stay tinted. */
    :host([pass='forward']) { border-color: #16a34a; box-shadow: 0 0 0 5px rgb(22 163 74 / 0.45); }
    :host([pass='backward']) { border-color: #ea580c; box-shadow: 0 0 0 5px rgb(234 88 12 / 0.45); }
    :host([pass='visited']) { box-shadow: 0 0 0 3px rgb(100 116 139 / 0.25); }
    :host([flag]) { border: 2px dashed #dc2626; }
    .flag { background: #dc2626; color: #fff; border-radius: 4px; padding: 0 4px; font-size: 10px; font-weight: 700; }
    header {
      height: ${NODE_HEADER}px;
      box-sizing: border-box;
      display: flex;
      align-items: center;
      gap: 6px;
      padding: 0 10px;
      border-radius: 7px 7px 0 0;
      background: var(--cat-color, #e5e7eb);
      font-weight: 600;
      white-space: nowrap;
    }
    header .label { flex: 0 1 auto; overflow: hidden; text-overflow: ellipsis; }
    /* The id gives way first when the label is long. */
    header .id { flex: 0 100 auto; min-width: 2em; margin-left: auto; overflow: hidden; text-overflow: ellipsis; font-weight: 400; color: #52606d; font-size: 10px; }
    .rows { display: grid; grid-template-columns: 1fr 1fr; grid-auto-rows: ${PORT_ROW}px; }
    .port {
      height: ${PORT_ROW}px;
      display: flex;
      align-items: center;
      position: relative;
      cursor: crosshair;
      white-space: nowrap;
      overflow: visible;
    }
    .port.in { grid-column: 1; padding-left: 9px; }
    .port.out { grid-column: 2; justify-content: flex-end; padding-right: 9px; }
    .port::before {
      content: '';
      position: absolute;
      top: 50%;
      width: 10px;
      height: 10px;
      margin-top: -6px;
      border-radius: 50%;
      background: #fff;
      border: 1.5px solid #52606d;
    }
    .port.in::before { left: -6.5px; }
    .port.out::before { right: -6.5px; }
    .port.int::before { border-radius: 2px; }
    .port.connected::before { background: #52606d; }
    .port.bad::before { border-color: #dc2626; background: #fecaca; }
    .port.bad { color: #b91c1c; font-weight: 600; }
    .port.optional { color: #7b8794; font-style: italic; }
    ul { margin: 0; padding: 4px 8px 6px 8px; list-style: none; border-top: 1px solid #e4e7eb; }
    li { font-size: 11px; line-height: 1.3; padding: 2px 0; }
    li.error { color: #b91c1c; }
    li.pending { color: #8a6d00; }
  `;

  @property({ attribute: false }) node!: GraphNode;
  @property({ attribute: false }) def!: NodeTypeDef;
  @property({ attribute: false }) issues: readonly Issue[] = [];
  /** Types on each port ("in:x", "out:y"), for tooltips; missing when not inferred. */
  @property({ attribute: false }) types: ReadonlyMap<string, TensorType> = new Map();
  /** Ports with a wire, as "in:x" / "out:y". */
  @property({ attribute: false }) connected: ReadonlySet<string> = new Set();
  @property({ type: Boolean, reflect: true }) selected = false;
  /** 'ok', 'pending' (only unconnected inputs, as while building) or 'error'. Reflected for styling and tests. */
  @property({ reflect: true }) status: 'ok' | 'pending' | 'error' = 'ok';
  /** Where the step-through is: the node computing now ('forward' or 'backward'), or one already passed. */
  @property({ reflect: true }) pass: PassMark | null = null;
  /** A numerical-health message when this node's output or gradient holds NaN or Inf (null when healthy). */
  @property({ reflect: true }) flag: string | null = null;

  private _port(p: PortSpec, kind: 'in' | 'out') {
    const key = `${kind}:${p.name}`;
    const bad = this.issues.some((i) => i.port === p.name && isBlocking(i) && kind === 'in');
    const t = this.types.get(key);
    const title = `${p.name} ${p.shape}${t ? ` = ${formatType(t)}` : ''}\n${p.help}`;
    const cls = ['port', kind, p.dtype === 'int32' ? 'int' : '', this.connected.has(key) ? 'connected' : '', bad ? 'bad' : '', p.optional ? 'optional' : '']
      .filter(Boolean)
      .join(' ');
    return html`<div class=${cls} data-port=${p.name} data-port-kind=${kind} title=${title} style="grid-row:${this._row(p, kind)}">${p.name}</div>`;
  }

  private _row(p: PortSpec, kind: 'in' | 'out'): number {
    return (kind === 'in' ? this.def.inputs : this.def.outputs).indexOf(p) + 1;
  }

  override render() {
    const def = this.def;
    const shown = this.issues.filter((i) => i.severity === 'error');
    return html`
      <header style="--cat-color:${CATEGORY_COLORS[def.category]}" title=${def.help}>
        <span class="label">${def.label}</span>
        ${this.flag ? html`<span class="flag" title=${this.flag} data-flag-badge>NaN</span>` : nothing}
        <span class="id">${this.node.id}</span>
      </header>
      <div class="rows">
        ${def.inputs.map((p) => this._port(p, 'in'))} ${def.outputs.map((p) => this._port(p, 'out'))}
        ${def.inputs.length + def.outputs.length === 0 ? html`<div class="port"></div>` : nothing}
      </div>
      ${shown.length
        ? html`<ul class="issues" role="alert">
            ${shown.map((i) => html`<li class=${isBlocking(i) ? 'error' : 'pending'} data-issue=${i.code}>${i.message}</li>`)}
          </ul>`
        : nothing}
    `;
  }
}

export type PassMark = 'forward' | 'backward' | 'visited';

/** Unconnected inputs are what a node looks like while it is being wired: shown, but not in alarm red. */
export function isBlocking(i: Issue): boolean {
  return i.severity === 'error' && i.code !== 'unconnected-input' && i.code !== 'loss-without-target';
}

export const CATEGORY_COLORS: Record<NodeTypeDef['category'], string> = {
  data: '#dbeafe',
  layer: '#e0f2e9',
  combine: '#fef3c7',
  loss: '#fde2e4',
};

declare global {
  interface HTMLElementTagNameMap {
    'graph-node': GraphNodeElement;
  }
}
