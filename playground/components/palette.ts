// The palette: every node type in the registry, grouped by category and filtered by a search box. Drag an item
// onto the canvas (d3-drag, so real mouse events work in every browser and in tests), or press Enter or
// double-click it to drop one in the middle of the view. Test hook: each item carries data-node-type.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import { drag, type D3DragEvent } from 'd3-drag';
import { select } from 'd3-selection';
import { NODE_TYPE_NAMES, nodeType } from '../graph/nodes/index';
import type { Category, PortSpec } from '../graph/types';
import type { NodeTypeDef } from '../graph/node-type';
import { CATEGORY_COLORS } from './node';

export interface PaletteDrop {
  type: string;
  /** Where it was dropped, in window coordinates; absent when added by keyboard (the canvas picks the centre). */
  clientX?: number;
  clientY?: number;
}

const GROUPS: ReadonlyArray<{ category: Category; title: string }> = [
  { category: 'data', title: 'Data' },
  { category: 'layer', title: 'Layers' },
  { category: 'combine', title: 'Combine' },
  { category: 'loss', title: 'Losses' },
];

@customElement('node-palette')
export class NodePalette extends LitElement {
  static override styles = css`
    :host { display: flex; flex-direction: column; min-height: 0; font: 13px/1.3 system-ui, sans-serif; }
    input[type='search'] { margin: 8px; padding: 6px 8px; border: 1px solid #cbd2d9; border-radius: 6px; font: inherit; }
    .list { overflow: auto; padding: 0 8px 8px; }
    h3 { margin: 10px 0 4px; font-size: 11px; letter-spacing: 0.05em; text-transform: uppercase; color: #616e7c; }
    .item {
      display: block;
      width: 100%;
      box-sizing: border-box;
      text-align: left;
      margin: 3px 0;
      padding: 5px 8px;
      border: 1px solid #cbd2d9;
      border-left: 6px solid var(--cat-color);
      border-radius: 6px;
      background: #fff;
      cursor: grab;
      font: inherit;
      user-select: none;
    }
    .item:focus-visible { outline: 2px solid #2563eb; }
    .item small { display: block; color: #7b8794; font-size: 11px; }
    .ghost {
      position: fixed;
      z-index: 10;
      pointer-events: none;
      padding: 6px 10px;
      border-radius: 6px;
      background: #fff;
      border: 1.5px dashed #2563eb;
      transform: translate(-50%, -50%);
      font-weight: 600;
    }
    .none { color: #7b8794; padding: 8px; }
  `;

  @state() private _query = '';
  @state() private _ghost: { type: string; x: number; y: number } | null = null;
  @query('input[type="search"]') private _search!: HTMLInputElement;
  private readonly _bound = new WeakSet<Element>();
  /** The item pressed and where, from the start of a drag to its end. */
  private _pressed: { type: string; x: number; y: number } | null = null;

  /** Puts the cursor in the search box (the "/" shortcut). */
  focusSearch(): void {
    this._search.focus();
    this._search.select();
  }

  override updated(): void {
    for (const el of this.renderRoot.querySelectorAll<HTMLElement>('[data-node-type]')) {
      if (this._bound.has(el)) continue;
      this._bound.add(el);
      select(el).call(
        drag<HTMLElement, unknown>()
          .container(() => document.body)
          .on('start', (e: D3DragEvent<HTMLElement, unknown, unknown>) => {
            const m = e.sourceEvent as MouseEvent;
            // Read the type when the drag starts, not when the handler was bound: Lit reuses a button for another
            // item when the search filters the list, and updates its data-node-type, not this handler.
            this._pressed = { type: el.dataset.nodeType!, x: m.clientX, y: m.clientY };
          })
          .on('drag', (e: D3DragEvent<HTMLElement, unknown, unknown>) => {
            const m = e.sourceEvent as MouseEvent;
            if (this._pressed) this._ghost = { type: this._pressed.type, x: m.clientX, y: m.clientY };
          })
          .on('end', (e: D3DragEvent<HTMLElement, unknown, unknown>) => {
            const m = e.sourceEvent as MouseEvent;
            const from = this._pressed;
            this._ghost = null;
            this._pressed = null;
            // A press without movement is a click (focus); only a real drag drops a node.
            if (from && Math.hypot(m.clientX - from.x, m.clientY - from.y) > 4) this._drop({ type: from.type, clientX: m.clientX, clientY: m.clientY });
          }),
      );
    }
  }

  private _drop(detail: PaletteDrop): void {
    this.dispatchEvent(new CustomEvent<PaletteDrop>('palette-drop', { detail, bubbles: true, composed: true }));
  }

  private _onKey(e: KeyboardEvent, type: string): void {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this._drop({ type });
    }
  }

  private _onSearch(e: Event): void {
    this._query = (e.target as HTMLInputElement).value;
  }

  /** Names first: types whose name or label match; only when none do, those whose help text mentions the query. */
  private _visible(): NodeTypeDef[] {
    const all = NODE_TYPE_NAMES.map((n) => nodeType(n));
    const q = this._query.trim().toLowerCase();
    if (!q) return all;
    const byName = all.filter((d) => d.type.toLowerCase().includes(q) || d.label.toLowerCase().includes(q));
    return byName.length ? byName : all.filter((d) => d.help.toLowerCase().includes(q) || d.category.includes(q));
  }

  override render() {
    const defs = this._visible();
    return html`
      <input type="search" placeholder="Search nodes  ( / )" aria-label="Search nodes" .value=${this._query} @input=${this._onSearch} />
      <div class="list">
        ${GROUPS.map(({ category, title }) => {
          const items = defs.filter((d) => d.category === category);
          if (!items.length) return nothing;
          return html`<h3>${title}</h3>
            ${items.map(
              (d) => html`<button
                class="item"
                data-node-type=${d.type}
                style="--cat-color:${CATEGORY_COLORS[d.category]}"
                title=${`${d.help}\n\nDrag onto the canvas, or press Enter.`}
                @keydown=${(e: KeyboardEvent) => this._onKey(e, d.type)}
                @dblclick=${() => this._drop({ type: d.type })}
              >
                ${d.label}<small data-ports>${ports(d)}</small>
              </button>`,
            )}`;
        })}
        ${defs.length ? nothing : html`<p class="none">No node matches “${this._query}”.</p>`}
      </div>
      ${this._ghost ? html`<div class="ghost" style="left:${this._ghost.x}px; top:${this._ghost.y}px">${nodeType(this._ghost.type).label}</div>` : nothing}
    `;
  }
}

/** "x, memory → y, weights", by the names the node shows; a data node has no inputs: "→ x, label". */
function ports(d: NodeTypeDef): string {
  const names = (list: readonly PortSpec[]): string => list.map((p) => p.name).join(', ');
  return d.inputs.length ? `${names(d.inputs)} → ${names(d.outputs)}` : `→ ${names(d.outputs)}`;
}

declare global {
  interface HTMLElementTagNameMap {
    'node-palette': NodePalette;
  }
  interface HTMLElementEventMap {
    'palette-drop': CustomEvent<PaletteDrop>;
  }
}
