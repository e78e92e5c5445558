// The canvas: pans and zooms with @xyflow/system's XYPanZoom (d3-zoom underneath), moves nodes and wires ports
// with d3-drag, and draws wires with xyflow's getBezierPath, each labelled with the tensor shape it carries.
// It is a view of the graph store: every edit it makes is a command executed on the store (so it can be undone),
// and selection is reported to the app, which owns the UI state.
import { LitElement, css, html, nothing, svg } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { XYPanZoom, PanOnScrollMode, Position as Side, getBezierPath, getViewportForBounds, type PanZoomInstance } from '@xyflow/system';
import { drag, type D3DragEvent } from 'd3-drag';
import { select } from 'd3-selection';
import type { Graph } from '../graph/graph';
import { Batch, Connect, Disconnect, GraphEditError, MoveNode, type Command } from '../graph/commands';
import { nodeType } from '../graph/nodes/index';
import type { Validation } from '../graph/validate';
import { formatType, portKey, type Edge, type GraphState, type PortRef, type Position, type TensorType } from '../graph/types';
import { NODE_HEADER, NODE_WIDTH, nodeBodyHeight, portPosition } from '../layout';
import { deepElementFromPoint, errorMessage } from '../dom';
import type { Viewport } from '../ui-state';
import { GraphNodeElement, isBlocking, type PassMark } from './node';
import './node';

type NodeDrag = D3DragEvent<GraphNodeElement, unknown, unknown>;

/**
 * The least zoom "fit" goes to. Node text is 12 px and shape labels 11 px at zoom 1, so at 0.7 they are about 8.4
 * and 7.7 px on screen, still readable (at the 0.4 that fitting the transformer examples took, they were not); the
 * five-node MLP examples fit the default window at just above 0.7. A graph too big is shown from its start and
 * panned by dragging the background.
 */
export const FIT_MIN_ZOOM = 0.7;
/** Screen pixels kept between a dropped node and the canvas's edges. */
const DROP_MARGIN = 12;
/** The width of the zoom buttons at the canvas's right edge, which a dropped node should not land under. */
const ZOOM_BUTTONS = 40;
/** The height, in graph pixels, of a node's issue list's padding, and of one "not connected" issue (up to three lines). */
const ISSUES_PAD = 12;
const ISSUE_LINES = 48;

/** A wire being drawn: one end fixed at a port, the other following the pointer. */
interface PendingWire {
  /** The port the drag started from. */
  anchor: PortRef & { kind: 'in' | 'out' };
  /** When an input's existing wire was picked up: that wire (dropping it elsewhere moves or removes it). */
  lifted: Edge | null;
  pointer: Position;
}

interface MoveDrag {
  ids: readonly string[];
  start: Position;
  dx: number;
  dy: number;
}

/** A wire as drawn: its path, where its shape label goes, and how it is marked. */
interface DrawnWire {
  edge: Edge;
  /** Its input port, "node.port" (wires are selected by it). */
  key: string;
  path: string;
  lx: number;
  ly: number;
  bad: boolean;
  /** It closes a loop: drawn above the nodes and highlighted. */
  cycle: boolean;
  type: TensorType | undefined;
}

export interface SelectionChange {
  nodes: readonly string[];
  edge: string | null;
}

@customElement('graph-canvas')
export class GraphCanvas extends LitElement {
  static override styles = css`
    :host { display: block; position: relative; overflow: hidden; background: #f7f8fa; outline: none; }
    .pane {
      position: absolute;
      inset: 0;
      background-image: radial-gradient(#cbd2d9 1px, transparent 1px);
      background-size: 20px 20px;
    }
    .layer { position: absolute; left: 0; top: 0; transform-origin: 0 0; }
    svg.wires { position: absolute; left: 0; top: 0; width: 1px; height: 1px; overflow: visible; }
    path.wire { fill: none; stroke: #7b8794; stroke-width: 2; pointer-events: none; }
    path.wire.bad { stroke: #dc2626; }
    path.wire.selected { stroke: #2563eb; stroke-width: 3; }
    path.wire.pending { stroke: #2563eb; stroke-dasharray: 6 4; }
    path.hit { fill: none; stroke: transparent; stroke-width: 14; pointer-events: stroke; cursor: pointer; }
    /* A wire that closes a loop is drawn above the nodes (it often runs behind one, or is a node's own input), in red
       with a halo, so the one the error asks to remove can be found and clicked. */
    path.wire.cycle { stroke: #dc2626; stroke-width: 3; stroke-dasharray: 8 4; }
    path.halo { fill: none; stroke: rgb(254 202 202 / 0.85); stroke-width: 9; pointer-events: none; }
    .shape {
      position: absolute;
      transform: translate(-50%, -135%);
      padding: 0 4px;
      border-radius: 4px;
      background: #fff;
      border: 1px solid #cbd2d9;
      font: 11px/1.3 ui-monospace, monospace;
      color: #3e4c59;
      white-space: nowrap;
      pointer-events: none;
    }
    .shape.bad { border-color: #dc2626; color: #b91c1c; }
    .empty {
      position: absolute;
      inset: 40% 0 auto 0;
      text-align: center;
      color: #7b8794;
      pointer-events: none;
    }
    .zoom { position: absolute; right: 10px; bottom: 10px; display: flex; flex-direction: column; gap: 4px; }
    .zoom button { width: 30px; height: 30px; border: 1px solid #cbd2d9; border-radius: 6px; background: #fff; cursor: pointer; }
  `;

  @property({ attribute: false }) graph!: Graph;
  /** The store's current state and validation, passed down so that each edit re-renders. */
  @property({ attribute: false }) state!: GraphState;
  @property({ attribute: false }) validation!: Validation;
  @property({ attribute: false }) selection: readonly string[] = [];
  @property({ attribute: false }) selectedEdge: string | null = null;
  /** The step-through's marks by node id (see GraphNodeElement.pass). */
  @property({ attribute: false }) passes: ReadonlyMap<string, PassMark> = new Map();
  /** Numerical-health messages by node id, for nodes whose output or gradient holds NaN or Inf. */
  @property({ attribute: false }) flags: ReadonlyMap<string, string> = new Map();

  @state() private _viewport: Viewport = { x: 40, y: 40, zoom: 1 };
  @state() private _move: MoveDrag | null = null;
  @state() private _wire: PendingWire | null = null;

  @query('.pane') private _pane!: HTMLDivElement;
  private _panZoom: PanZoomInstance | null = null;
  private readonly _dragBound = new WeakSet<Element>();

  override firstUpdated(): void {
    this._panZoom = XYPanZoom({
      domNode: this._pane,
      minZoom: 0.2,
      maxZoom: 2.5,
      viewport: this._viewport,
      translateExtent: [
        [-Infinity, -Infinity],
        [Infinity, Infinity],
      ],
      onDraggingChange: () => undefined,
    });
    this._panZoom.update({
      noWheelClassName: 'nowheel',
      noPanClassName: 'nopan',
      preventScrolling: true,
      panOnScroll: false,
      panOnDrag: true,
      panOnScrollMode: PanOnScrollMode.Free,
      panOnScrollSpeed: 0.5,
      userSelectionActive: false,
      zoomOnPinch: true,
      zoomOnScroll: true,
      zoomOnDoubleClick: false,
      zoomActivationKeyPressed: false,
      lib: 'lit',
      onTransformChange: ([x, y, zoom]) => this._setViewport({ x, y, zoom }),
      connectionInProgress: false,
      paneClickDistance: 0,
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._panZoom?.destroy();
    this._panZoom = null;
  }

  override updated(): void {
    // Each node element gets its drag behaviour once; `repeat` keeps elements (and bindings) across renders.
    for (const el of this.renderRoot.querySelectorAll('graph-node')) {
      if (this._dragBound.has(el)) continue;
      this._dragBound.add(el);
      this._bindDrag(el);
    }
  }

  get viewport(): Viewport {
    return this._viewport;
  }

  private _setViewport(v: Viewport): void {
    this._viewport = v;
    this.dispatchEvent(new CustomEvent<Viewport>('viewport-change', { detail: v, bubbles: true, composed: true }));
  }

  /**
   * Where a new node of `type` goes, as its top-left corner in graph coordinates: centred under the pointer, then
   * moved as little as needed to lie wholly inside the visible canvas, so a drop near the palette (or any edge)
   * never leaves the node half under it. Without a point (added by keyboard) it goes in the middle of the view;
   * null when the point is outside the canvas.
   */
  dropPosition(type: string, clientX?: number, clientY?: number): Position | null {
    const r = this._pane.getBoundingClientRect();
    let p = { x: r.width / 2, y: r.height / 2 };
    if (clientX !== undefined && clientY !== undefined) {
      if (clientX < r.left || clientX > r.right || clientY < r.top || clientY > r.bottom) return null;
      p = { x: clientX - r.left, y: clientY - r.top };
    }
    // Screen pixels: the node's size at this zoom, with room below for the "not connected" line each of its
    // required inputs will show; the margin clears the port dots, and on the right the zoom buttons.
    const z = this._viewport.zoom;
    const def = nodeType(type);
    const w = NODE_WIDTH * z;
    const h = (nodeBodyHeight(def) + ISSUES_PAD + ISSUE_LINES * def.inputs.filter((port) => !port.optional).length) * z;
    const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), Math.max(lo, hi));
    const left = clamp(p.x - w / 2, DROP_MARGIN, r.width - w - DROP_MARGIN - ZOOM_BUTTONS);
    const top = clamp(p.y - (NODE_HEADER * z) / 2, DROP_MARGIN, r.height - h - DROP_MARGIN);
    const at = this._toGraph({ x: left, y: top });
    return { x: Math.round(at.x), y: Math.round(at.y) };
  }

  private _toGraph(p: Position): Position {
    const v = this._viewport;
    return { x: (p.x - v.x) / v.zoom, y: (p.y - v.y) / v.zoom };
  }

  /** Zooms and pans so that every node is visible. */
  async fitView(): Promise<void> {
    await this.updateComplete;
    const nodes = this.state?.nodes ?? [];
    if (!this._panZoom || !nodes.length) return;
    const xs = nodes.map((n) => n.position.x);
    const ys = nodes.map((n) => n.position.y);
    const x1 = Math.max(...nodes.map((n) => n.position.x + NODE_WIDTH));
    const y1 = Math.max(...nodes.map((n) => n.position.y + nodeBodyHeight(nodeType(n.type)) + 40));
    const bounds = { x: Math.min(...xs), y: Math.min(...ys), width: x1 - Math.min(...xs), height: y1 - Math.min(...ys) };
    const r = this._pane.getBoundingClientRect();
    const vp = getViewportForBounds(bounds, r.width, r.height, FIT_MIN_ZOOM, 1.2, 0.08);
    if (vp.zoom <= FIT_MIN_ZOOM) {
      // Too big to fit at a readable size: keep the readable zoom and show the graph from its start (data nodes
      // sit on the left), centred along any axis that does fit; the rest is a drag (or the − button) away.
      const z = FIT_MIN_ZOOM;
      const place = (start: number, size: number, room: number): number =>
        size * z <= room - 2 * DROP_MARGIN ? (room - size * z) / 2 - start * z : DROP_MARGIN * 2 - start * z;
      vp.zoom = z;
      vp.x = place(bounds.x, bounds.width, r.width);
      vp.y = place(bounds.y, bounds.height, r.height);
    }
    await this._panZoom.setViewport(vp);
  }

  /** Back to zoom 1 with the origin near the top left (an empty graph). */
  async resetView(): Promise<void> {
    await this._panZoom?.setViewport({ x: 40, y: 40, zoom: 1 });
  }

  zoomBy(factor: number): void {
    void this._panZoom?.scaleBy(factor);
  }

  // ---- dragging: one d3-drag behaviour per node; where the press lands picks moving or wiring ----

  private _bindDrag(el: GraphNodeElement): void {
    const behaviour = drag<GraphNodeElement, unknown>()
      .container(() => this._pane)
      .filter((e: MouseEvent) => e.button === 0 && !e.ctrlKey)
      .on('start', (e: NodeDrag) => this._onDragStart(el, e))
      .on('drag', (e: NodeDrag) => this._onDrag(e))
      .on('end', (e: NodeDrag) => this._onDragEnd(e));
    select(el).call(behaviour);
  }

  private _onDragStart(el: GraphNodeElement, e: NodeDrag): void {
    this.focus();
    const source = e.sourceEvent as MouseEvent;
    const origin = source.composedPath()[0];
    const portEl = origin instanceof Element ? origin.closest('[data-port]') : null;
    const id = el.node.id;
    if (portEl) {
      const kind = portEl.getAttribute('data-port-kind') === 'in' ? 'in' : 'out';
      const port = portEl.getAttribute('data-port')!;
      const lifted = kind === 'in' ? (this.state.edges.find((x) => x.to.node === id && x.to.port === port) ?? null) : null;
      this._wire = { anchor: { node: id, port, kind }, lifted, pointer: this._toGraph({ x: e.x, y: e.y }) };
      return;
    }
    let selection = this.selection;
    if (source.shiftKey) selection = selection.includes(id) ? selection.filter((s) => s !== id) : [...selection, id];
    else if (!selection.includes(id)) selection = [id];
    this._select({ nodes: selection, edge: null });
    const ids = selection.includes(id) ? selection : [id];
    this._move = { ids, start: this._toGraph({ x: e.x, y: e.y }), dx: 0, dy: 0 };
  }

  private _onDrag(e: NodeDrag): void {
    const p = this._toGraph({ x: e.x, y: e.y });
    if (this._wire) this._wire = { ...this._wire, pointer: p };
    else if (this._move) this._move = { ...this._move, dx: p.x - this._move.start.x, dy: p.y - this._move.start.y };
  }

  private _onDragEnd(e: NodeDrag): void {
    const move = this._move;
    const wire = this._wire;
    this._move = null;
    this._wire = null;
    if (move && (move.dx !== 0 || move.dy !== 0)) {
      const moves = move.ids.map((id) => {
        const n = this.state.nodes.find((x) => x.id === id)!;
        return new MoveNode(id, { x: Math.round(n.position.x + move.dx), y: Math.round(n.position.y + move.dy) });
      });
      this._run(moves.length === 1 ? moves[0] : new Batch(`Move ${moves.length} nodes`, moves));
    }
    if (wire) {
      const source = e.sourceEvent as MouseEvent;
      this._dropWire(wire, deepElementFromPoint(source.clientX, source.clientY));
    }
  }

  /** Finishes a wire on whatever port is under the pointer (or, for a lifted wire, nowhere: it is removed). */
  private _dropWire(wire: PendingWire, target: Element | null): void {
    const portEl = target?.closest('[data-port]') ?? null;
    const host = portEl ? (portEl.getRootNode() as ShadowRoot).host : null;
    const hit =
      portEl && host instanceof GraphNodeElement
        ? { node: host.node.id, port: portEl.getAttribute('data-port')!, kind: portEl.getAttribute('data-port-kind') === 'in' ? 'in' : 'out' }
        : null;
    const { anchor, lifted } = wire;
    if (lifted) {
      // An input's wire was picked up by its end: drop it on another input to move it, anywhere else to remove it.
      if (hit && hit.kind === 'in' && portKey(hit) === portKey(lifted.to)) return;
      const remove = new Disconnect(lifted.to);
      this._run(hit && hit.kind === 'in' ? new Batch(`Move wire to ${hit.node}.${hit.port}`, [remove, new Connect(lifted.from, hit)]) : remove);
      return;
    }
    if (!hit || hit.kind === anchor.kind) return;
    const from = anchor.kind === 'out' ? anchor : hit;
    const to = anchor.kind === 'in' ? anchor : hit;
    this._run(new Connect({ node: from.node, port: from.port }, { node: to.node, port: to.port }));
  }

  private _run(command: Command): void {
    try {
      this.graph.execute(command);
    } catch (e) {
      const message = e instanceof GraphEditError ? e.message : `Could not ${command.label}: ${errorMessage(e)}`;
      this.dispatchEvent(new CustomEvent<string>('notify', { detail: message, bubbles: true, composed: true }));
    }
  }

  private _select(change: SelectionChange): void {
    this.dispatchEvent(new CustomEvent<SelectionChange>('selection-change', { detail: change, bubbles: true, composed: true }));
  }

  private _onPaneClick(e: MouseEvent): void {
    const t = e.composedPath()[0];
    if (t === this._pane || (t instanceof Element && t.classList.contains('layer'))) this._select({ nodes: [], edge: null });
  }

  private _onEdgeClick(e: MouseEvent, edge: Edge): void {
    e.stopPropagation();
    this._select({ nodes: [], edge: portKey(edge.to) });
  }

  // ---- drawing ----

  private _position(id: string, at: Position): Position {
    const m = this._move;
    return m && m.ids.includes(id) ? { x: at.x + m.dx, y: at.y + m.dy } : at;
  }

  private _portAt(ref: PortRef, kind: 'in' | 'out'): Position | null {
    const n = this.state.nodes.find((x) => x.id === ref.node);
    return n ? portPosition(nodeType(n.type), this._position(n.id, n.position), ref.port, kind) : null;
  }

  private _wirePath(a: Position, b: Position): [string, number, number] {
    const [path, lx, ly] = getBezierPath({ sourceX: a.x, sourceY: a.y, sourcePosition: Side.Right, targetX: b.x, targetY: b.y, targetPosition: Side.Left });
    return [path, lx, ly];
  }

  override render() {
    if (!this.state || !this.validation) return nothing;
    const v = this._viewport;
    const val = this.validation;
    const wires = this.state.edges.flatMap((edge): DrawnWire[] => {
      if (this._wire?.lifted && portKey(this._wire.lifted.to) === portKey(edge.to)) return [];
      const a = this._portAt(edge.from, 'out');
      const b = this._portAt(edge.to, 'in');
      if (!a || !b) return [];
      const [path, lx, ly] = this._wirePath(a, b);
      const bad = val.issuesFor(edge.to.node).some((i) => i.port === edge.to.port && isBlocking(i));
      const type: TensorType | undefined = val.outputType(edge.from.node, edge.from.port);
      return [{ edge, key: portKey(edge.to), path, lx, ly, bad, type, cycle: val.cycleWires.has(portKey(edge.to)) }];
    });
    const pending = this._pendingPath();
    return html`
      <div class="pane" @click=${this._onPaneClick}>
        <div class="layer" style="transform: translate(${v.x}px, ${v.y}px) scale(${v.zoom})">
          <svg class="wires">
            ${wires.filter((w) => !w.cycle).map((w) => this._wireSvg(w))}
            ${pending ? svg`<path class="wire pending" d=${pending}></path>` : nothing}
          </svg>
          ${repeat(
            this.state.nodes,
            (n) => n.id,
            (n) => {
              const def = nodeType(n.type);
              const at = this._position(n.id, n.position);
              const issues = val.issuesFor(n.id);
              const status = issues.some(isBlocking) ? 'error' : issues.some((i) => i.severity === 'error') ? 'pending' : 'ok';
              return html`<graph-node
                class="nopan"
                data-node-id=${n.id}
                style="transform: translate(${at.x}px, ${at.y}px)"
                .node=${n}
                .def=${def}
                .issues=${issues}
                .types=${this._portTypes(n.id)}
                .connected=${this._connected(n.id)}
                .status=${status}
                .pass=${this.passes.get(n.id) ?? null}
                .flag=${this.flags.get(n.id) ?? null}
                ?selected=${this.selection.includes(n.id)}
              ></graph-node>`;
            },
          )}
          <svg class="wires cycles">
            ${wires.filter((w) => w.cycle).map((w) => this._wireSvg(w))}
          </svg>
          ${wires.map((w) =>
            w.type ? html`<div class="shape ${w.bad ? 'bad' : ''}" data-shape-for=${w.key} style="left:${w.lx}px; top:${w.ly}px">${formatType(w.type)}</div>` : nothing,
          )}
        </div>
      </div>
      ${this.state.nodes.length ? nothing : html`<div class="empty">Drag a node here from the palette, or open an example from the gallery.</div>`}
      <div class="zoom">
        <button title="Zoom in" @click=${() => this.zoomBy(1.25)}>+</button>
        <button title="Zoom out" @click=${() => this.zoomBy(0.8)}>−</button>
        <button title="Fit the graph in view (F)" @click=${() => void this.fitView()}>⤢</button>
      </div>
    `;
  }

  private _wireSvg(w: DrawnWire) {
    const selected = this.selectedEdge === w.key ? 'selected' : '';
    return svg`
      ${w.cycle ? svg`<path class="halo" d=${w.path}></path>` : nothing}
      <path class="wire ${w.bad ? 'bad' : ''} ${w.cycle ? 'cycle' : ''} ${selected}" d=${w.path}></path>
      <path class="hit nopan" data-edge=${w.key} ?data-cycle-wire=${w.cycle} d=${w.path} @click=${(e: MouseEvent) => this._onEdgeClick(e, w.edge)}></path>`;
  }

  private _pendingPath(): string | null {
    const w = this._wire;
    if (!w) return null;
    const fixed = w.lifted ? this._portAt(w.lifted.from, 'out') : this._portAt(w.anchor, w.anchor.kind);
    if (!fixed) return null;
    const outputEnd = w.lifted || w.anchor.kind === 'out';
    return outputEnd ? this._wirePath(fixed, w.pointer)[0] : this._wirePath(w.pointer, fixed)[0];
  }

  private _portTypes(id: string): Map<string, TensorType> {
    const out = new Map<string, TensorType>();
    const n = this.state.nodes.find((x) => x.id === id)!;
    const def = nodeType(n.type);
    for (const p of def.inputs) {
      const t = this.validation.inputType(id, p.name);
      if (t) out.set(`in:${p.name}`, t);
    }
    for (const p of def.outputs) {
      const t = this.validation.outputType(id, p.name);
      if (t) out.set(`out:${p.name}`, t);
    }
    return out;
  }

  private _connected(id: string): Set<string> {
    const s = new Set<string>();
    for (const e of this.state.edges) {
      if (e.from.node === id) s.add(`out:${e.from.port}`);
      if (e.to.node === id) s.add(`in:${e.to.port}`);
    }
    return s;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'graph-canvas': GraphCanvas;
  }
  interface HTMLElementEventMap {
    'selection-change': CustomEvent<SelectionChange>;
    'viewport-change': CustomEvent<Viewport>;
    notify: CustomEvent<string>;
  }
}
