// Every edit is a command object: apply() makes the new state and records what it needs, revert() restores the
// exact previous state (node order, edge order, a parameter that was absent stays absent). The store keeps them
// on its undo and redo stacks, so the editor gets undo/redo for free and can label each step.
import { isNodeType, nodeType } from './nodes/index';
import { paramTypeOk } from './node-type';
import { edgeKey, type Edge, type GraphNode, type GraphState, type ParamValue, type PortRef, type Position } from './types';
import { checkNodeId } from './ids';
import type { TrainSettings } from './schema';

/** An edit that does not apply to the current state (unknown node or port, duplicate id, wrong value kind). */
export class GraphEditError extends Error {
  override name = 'GraphEditError';
}

export interface Command {
  /** For the UI's undo/redo labels, e.g. "Connect linear_1.y → relu_1.x". */
  readonly label: string;
  apply(state: GraphState): GraphState;
  revert(state: GraphState): GraphState;
}

function findNode(state: GraphState, id: string): GraphNode {
  const n = state.nodes.find((x) => x.id === id);
  if (!n) throw new GraphEditError(`There is no node "${id}"`);
  return n;
}

function withNode(state: GraphState, node: GraphNode): GraphState {
  return { nodes: state.nodes.map((n) => (n.id === node.id ? node : n)), edges: state.edges };
}

function insertAt<T>(list: readonly T[], index: number, item: T): T[] {
  const out = [...list];
  out.splice(index, 0, item);
  return out;
}

function checkPorts(state: GraphState, from: PortRef, to: PortRef): void {
  const src = findNode(state, from.node);
  const dst = findNode(state, to.node);
  if (!nodeType(src.type).outputs.some((p) => p.name === from.port)) throw new GraphEditError(`Node "${src.id}" has no output "${from.port}"`);
  if (!nodeType(dst.type).inputs.some((p) => p.name === to.port)) throw new GraphEditError(`Node "${dst.id}" has no input "${to.port}"`);
}

export class AddNode implements Command {
  readonly label: string;
  constructor(
    readonly node: GraphNode,
    /** Where in the node list; the end by default. */
    readonly index?: number,
  ) {
    this.label = `Add ${node.id}`;
  }

  apply(state: GraphState): GraphState {
    if (!isNodeType(this.node.type)) throw new GraphEditError(`Unknown node type "${this.node.type}"`);
    const idProblem = checkNodeId(this.node.id);
    if (idProblem) throw new GraphEditError(idProblem);
    if (state.nodes.some((n) => n.id === this.node.id)) throw new GraphEditError(`A node "${this.node.id}" already exists`);
    const def = nodeType(this.node.type);
    for (const [k, v] of Object.entries(this.node.params)) {
      const spec = def.params.find((p) => p.name === k);
      if (!spec) throw new GraphEditError(`${def.label} has no parameter "${k}"`);
      if (!paramTypeOk(spec, v)) throw new GraphEditError(`${def.label}: "${k}" must be a ${spec.kind}`);
    }
    const node: GraphNode = { ...this.node, params: { ...this.node.params }, position: { ...this.node.position } };
    return { nodes: insertAt(state.nodes, this.index ?? state.nodes.length, node), edges: state.edges };
  }

  revert(state: GraphState): GraphState {
    return { nodes: state.nodes.filter((n) => n.id !== this.node.id), edges: state.edges };
  }
}

/** Removes a node and every wire into or out of it; undo puts all of them back where they were. */
export class RemoveNode implements Command {
  readonly label: string;
  private removed: { node: GraphNode; index: number; edges: Array<{ edge: Edge; index: number }> } | null = null;

  constructor(readonly id: string) {
    this.label = `Remove ${id}`;
  }

  apply(state: GraphState): GraphState {
    const node = findNode(state, this.id);
    const edges = state.edges
      .map((edge, index) => ({ edge, index }))
      .filter(({ edge }) => edge.from.node === this.id || edge.to.node === this.id);
    this.removed = { node, index: state.nodes.indexOf(node), edges };
    return {
      nodes: state.nodes.filter((n) => n.id !== this.id),
      edges: state.edges.filter((e) => e.from.node !== this.id && e.to.node !== this.id),
    };
  }

  revert(state: GraphState): GraphState {
    const r = this.removed;
    if (!r) throw new GraphEditError('internal: revert before apply');
    let edges = [...state.edges];
    for (const { edge, index } of r.edges) edges = insertAt(edges, index, edge); // ascending, so indices hold
    return { nodes: insertAt(state.nodes, r.index, r.node), edges };
  }
}

/** Wires an output to an input. An input takes one wire: an existing one is replaced, and undo restores it. */
export class Connect implements Command {
  readonly label: string;
  private replaced: { edge: Edge; index: number } | null = null;

  constructor(
    readonly from: PortRef,
    readonly to: PortRef,
  ) {
    this.label = `Connect ${from.node}.${from.port} → ${to.node}.${to.port}`;
  }

  apply(state: GraphState): GraphState {
    checkPorts(state, this.from, this.to);
    const edge: Edge = { from: { ...this.from }, to: { ...this.to } };
    const index = state.edges.findIndex((e) => e.to.node === this.to.node && e.to.port === this.to.port);
    if (index >= 0 && edgeKey(state.edges[index]) === edgeKey(edge)) throw new GraphEditError('These ports are already connected');
    this.replaced = index >= 0 ? { edge: state.edges[index], index } : null;
    const edges = [...state.edges];
    if (index >= 0) edges[index] = edge;
    else edges.push(edge);
    return { nodes: state.nodes, edges };
  }

  revert(state: GraphState): GraphState {
    const key = `${this.to.node}.${this.to.port}`;
    if (this.replaced) return { nodes: state.nodes, edges: state.edges.map((e) => (`${e.to.node}.${e.to.port}` === key ? this.replaced!.edge : e)) };
    return { nodes: state.nodes, edges: state.edges.filter((e) => `${e.to.node}.${e.to.port}` !== key) };
  }
}

/** Removes the wire into an input port. */
export class Disconnect implements Command {
  readonly label: string;
  private removed: { edge: Edge; index: number } | null = null;

  constructor(readonly to: PortRef) {
    this.label = `Disconnect ${to.node}.${to.port}`;
  }

  apply(state: GraphState): GraphState {
    const index = state.edges.findIndex((e) => e.to.node === this.to.node && e.to.port === this.to.port);
    if (index < 0) throw new GraphEditError(`Nothing is connected to ${this.to.node}.${this.to.port}`);
    this.removed = { edge: state.edges[index], index };
    return { nodes: state.nodes, edges: state.edges.filter((_, i) => i !== index) };
  }

  revert(state: GraphState): GraphState {
    if (!this.removed) throw new GraphEditError('internal: revert before apply');
    return { nodes: state.nodes, edges: insertAt(state.edges, this.removed.index, this.removed.edge) };
  }
}

/**
 * Sets one parameter. A value of the wrong kind (a string for a number) is refused; a value out of range is kept
 * and reported by validation, so the user sees what they typed and why it can't run.
 */
export class SetParam implements Command {
  readonly label: string;
  private previous: { had: boolean; value: ParamValue | undefined } | null = null;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly value: ParamValue,
  ) {
    this.label = `Set ${id}.${name} = ${String(value)}`;
  }

  apply(state: GraphState): GraphState {
    const node = findNode(state, this.id);
    const def = nodeType(node.type);
    const spec = def.params.find((p) => p.name === this.name);
    if (!spec) throw new GraphEditError(`${def.label} has no parameter "${this.name}"`);
    if (!paramTypeOk(spec, this.value)) throw new GraphEditError(`${def.label}: "${this.name}" must be a ${spec.kind}, got ${typeof this.value}`);
    const had = Object.hasOwn(node.params, this.name);
    this.previous = { had, value: had ? node.params[this.name] : undefined };
    return withNode(state, { ...node, params: { ...node.params, [this.name]: this.value } });
  }

  revert(state: GraphState): GraphState {
    if (!this.previous) throw new GraphEditError('internal: revert before apply');
    const node = findNode(state, this.id);
    const params = { ...node.params };
    if (this.previous.had) params[this.name] = this.previous.value!;
    else delete params[this.name];
    return withNode(state, { ...node, params });
  }
}

export class MoveNode implements Command {
  readonly label: string;
  private from: Position | null = null;

  constructor(
    readonly id: string,
    readonly to: Position,
  ) {
    this.label = `Move ${id}`;
  }

  apply(state: GraphState): GraphState {
    const node = findNode(state, this.id);
    if (!Number.isFinite(this.to.x) || !Number.isFinite(this.to.y)) throw new GraphEditError('A position must be finite');
    this.from ??= node.position;
    return withNode(state, { ...node, position: { x: this.to.x, y: this.to.y } });
  }

  revert(state: GraphState): GraphState {
    if (!this.from) throw new GraphEditError('internal: revert before apply');
    return withNode(state, { ...findNode(state, this.id), position: this.from });
  }

  /** A drag issues many moves; merged, they undo as one step back to where the drag began. */
  mergedWith(next: MoveNode): MoveNode {
    const m = new MoveNode(this.id, next.to);
    m.from = this.from;
    return m;
  }
}

/** What a graph document holds besides its nodes and wires; the app keeps it in its UI state, not in GraphState. */
export interface GraphMeta {
  name: string;
  train?: TrainSettings;
}

/**
 * Replaces the whole graph (New, an example, Open…, a restored autosave): one undo step back to the graph before,
 * so starting over never throws work away. The name and training settings travel with it, before and after, for
 * the app to put back on undo.
 */
export class ReplaceGraph implements Command {
  private previous: GraphState | null = null;

  constructor(
    readonly label: string,
    readonly next: GraphState,
    readonly meta: { before: GraphMeta; after: GraphMeta },
  ) {}

  apply(state: GraphState): GraphState {
    this.previous = state;
    return this.next;
  }

  revert(): GraphState {
    if (!this.previous) throw new GraphEditError('internal: revert before apply');
    return this.previous;
  }
}

/** Several commands as one undo step (deleting a selection, pasting a subgraph). All apply or none do. */
export class Batch implements Command {
  constructor(
    readonly label: string,
    readonly commands: readonly Command[],
  ) {}

  apply(state: GraphState): GraphState {
    let s = state;
    for (const c of this.commands) s = c.apply(s);
    return s;
  }

  revert(state: GraphState): GraphState {
    let s = state;
    for (let i = this.commands.length - 1; i >= 0; i--) s = this.commands[i].revert(s);
    return s;
  }
}
