// The graph store: one immutable GraphState, the commands that changed it (undo and redo stacks), and the
// validation of the current state, recomputed after every change. Views subscribe and re-render on each event;
// they never mutate the state, they execute commands.
import { nodeType } from './nodes/index';
import { AddNode, Batch, Connect, Disconnect, MoveNode, RemoveNode, ReplaceGraph, SetParam, type Command, type GraphMeta } from './commands';
import { freshId } from './ids';
import { validate, type Validation } from './validate';
import { EMPTY_GRAPH, type GraphState, type ParamValue, type PortRef, type Position } from './types';

export type GraphEventKind = 'execute' | 'undo' | 'redo' | 'load';

export interface GraphEvent {
  kind: GraphEventKind;
  /** The command executed, undone or redone (absent for load). */
  command?: Command;
  state: GraphState;
  /** The state just before this change. */
  previous: GraphState;
  validation: Validation;
}

/** A change that swapped the whole graph (a ReplaceGraph done, undone or redone), with the documents on each side. */
export interface GraphSwap {
  /** The graph that left, with its name and settings. */
  outgoing: { state: GraphState } & GraphMeta;
  /** The name and settings of the graph that came in (its state is the event's). */
  incoming: GraphMeta;
}

export function graphSwap(e: GraphEvent): GraphSwap | null {
  if (!(e.command instanceof ReplaceGraph)) return null;
  const { before, after } = e.command.meta;
  const [out, inc] = e.kind === 'undo' ? [after, before] : [before, after];
  return { outgoing: { state: e.previous, ...out }, incoming: inc };
}

export type GraphListener = (event: GraphEvent) => void;

export interface ExecuteOptions {
  /** Merge with the previous command when both move the same node (one undo step per drag). */
  coalesce?: boolean;
}

const HISTORY_LIMIT = 500;

export class Graph {
  private current: GraphState;
  private checked: Validation | null = null;
  private undoStack: Command[] = [];
  private redoStack: Command[] = [];
  private listeners = new Set<GraphListener>();

  constructor(state: GraphState = EMPTY_GRAPH) {
    this.current = state;
  }

  get state(): GraphState {
    return this.current;
  }

  /** Validation and shape inference of the current state (computed once per state). */
  get validation(): Validation {
    this.checked ??= validate(this.current);
    return this.checked;
  }

  /** Calls `listener` after every change; returns the function that unsubscribes it. */
  subscribe(listener: GraphListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies a command and pushes it on the undo stack. Throws GraphEditError, changing nothing, if it doesn't apply. */
  execute(command: Command, opts: ExecuteOptions = {}): void {
    const next = command.apply(this.current);
    const last = this.undoStack[this.undoStack.length - 1];
    if (opts.coalesce && command instanceof MoveNode && last instanceof MoveNode && last.id === command.id) {
      this.undoStack[this.undoStack.length - 1] = last.mergedWith(command);
    } else {
      this.undoStack.push(command);
      if (this.undoStack.length > HISTORY_LIMIT) this.undoStack.shift();
    }
    this.redoStack = [];
    this.set(next, 'execute', command);
  }

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }
  get canRedo(): boolean {
    return this.redoStack.length > 0;
  }
  /** Labels for the editor's menu: "Undo Connect a.y → b.x". */
  get undoLabel(): string | null {
    return this.undoStack[this.undoStack.length - 1]?.label ?? null;
  }
  get redoLabel(): string | null {
    return this.redoStack[this.redoStack.length - 1]?.label ?? null;
  }

  undo(): boolean {
    const command = this.undoStack.pop();
    if (!command) return false;
    this.redoStack.push(command);
    this.set(command.revert(this.current), 'undo', command);
    return true;
  }

  redo(): boolean {
    const command = this.redoStack.pop();
    if (!command) return false;
    this.undoStack.push(command);
    this.set(command.apply(this.current), 'redo', command);
    return true;
  }

  /** Sets the graph a page starts with (a shared link, the autosave), with an empty undo history. */
  load(state: GraphState): void {
    this.undoStack = [];
    this.redoStack = [];
    this.set(state, 'load');
  }

  private set(state: GraphState, kind: GraphEventKind, command?: Command): void {
    const previous = this.current;
    this.current = state;
    this.checked = null;
    const event: GraphEvent = { kind, command, state, previous, validation: this.validation };
    for (const l of [...this.listeners]) l(event);
  }

  // ---- conveniences: each builds one command and executes it ----

  /** Adds a node of `type` with default parameters (plus `params`) and returns its new id. */
  addNode(type: string, position: Position = { x: 0, y: 0 }, params: Record<string, ParamValue> = {}, id?: string): string {
    nodeType(type); // throws for an unknown type before an id is made up for it
    const nodeId = id ?? freshId(type, this.current.nodes.map((n) => n.id));
    this.execute(new AddNode({ id: nodeId, type, params, position }));
    return nodeId;
  }

  removeNode(id: string): void {
    this.execute(new RemoveNode(id));
  }

  /** Removes several nodes as one undo step. */
  removeNodes(ids: readonly string[]): void {
    this.execute(new Batch(`Remove ${ids.length} nodes`, ids.map((id) => new RemoveNode(id))));
  }

  connect(from: PortRef, to: PortRef): void {
    this.execute(new Connect(from, to));
  }

  disconnect(to: PortRef): void {
    this.execute(new Disconnect(to));
  }

  setParam(id: string, name: string, value: ParamValue): void {
    this.execute(new SetParam(id, name, value));
  }

  moveNode(id: string, to: Position, opts: ExecuteOptions = {}): void {
    this.execute(new MoveNode(id, to), opts);
  }

  /** Swaps in a whole graph (New, an example, Open…) as one undoable step; `meta` names both sides for undo. */
  replace(label: string, next: GraphState, meta: { before: GraphMeta; after: GraphMeta }): void {
    this.execute(new ReplaceGraph(label, next, meta));
  }
}
