// Validation and shape inference, run after every edit. It never changes the graph: an invalid graph stays as
// the user left it, and this result says what is wrong, on which node, port or parameter, in words a learner
// understands. The compiler refuses a graph with errors; warnings (no loss yet) don't block running it.
import { nodeType, isNodeType } from './nodes/index';
import { paramRangeProblem, paramReader, paramTypeOk, type InferContext, type IssueCode } from './node-type';
import { portKey, type Edge, type GraphNode, type GraphState, type TensorType } from './types';

export interface Issue {
  code: IssueCode;
  severity: 'error' | 'warning';
  /** The node at fault; absent for whole-graph notes such as "no loss". */
  node?: string;
  port?: string;
  param?: string;
  message: string;
}

export interface Validation {
  /** True when there are no errors (warnings allowed): the graph can compile. */
  readonly ok: boolean;
  readonly issues: readonly Issue[];
  /** Every node in an order where each comes after its inputs; null when the graph has a cycle. */
  readonly order: readonly string[] | null;
  /** Inferred output types by "node.port"; a port is missing when its type could not be inferred. */
  readonly types: ReadonlyMap<string, TensorType>;
  /** Symbol bindings made by data nodes, e.g. T → 8. */
  readonly dims: ReadonlyMap<string, number>;
  issuesFor(node: string): Issue[];
  outputType(node: string, port: string): TensorType | undefined;
  /** The type arriving at an input port (what its wire carries). */
  inputType(node: string, port: string): TensorType | undefined;
  /** The edge feeding an input port, if any. */
  edgeInto(node: string, port: string): Edge | undefined;
  /** The wires that close a loop (self-loops included), by their input port ("node.port"); empty without loops. */
  readonly cycleWires: ReadonlySet<string>;
}

export function validate(state: GraphState): Validation {
  const issues: Issue[] = [];
  const types = new Map<string, TensorType>();
  const dims = new Map<string, { value: number; by: string }>();
  const byId = new Map<string, GraphNode>(state.nodes.map((n) => [n.id, n]));
  const into = new Map<string, Edge>(state.edges.map((e) => [portKey(e.to), e]));

  // Parameters: each one of the right type and within its range.
  const paramsOk = new Set<string>();
  for (const node of state.nodes) {
    if (!isNodeType(node.type)) {
      issues.push({ code: 'unconnected-input', severity: 'error', node: node.id, message: `Unknown node type "${node.type}".` });
      continue;
    }
    const def = nodeType(node.type);
    let ok = true;
    for (const spec of def.params) {
      if (!Object.hasOwn(node.params, spec.name)) continue;
      const v = node.params[spec.name];
      const problem = paramTypeOk(spec, v) ? paramRangeProblem(spec, v) : `${spec.label} has the wrong kind of value (${typeof v}).`;
      if (problem) {
        ok = false;
        issues.push({ code: 'param-out-of-range', severity: 'error', node: node.id, param: spec.name, message: problem.endsWith('.') ? problem : `${problem}.` });
      }
    }
    if (ok) paramsOk.add(node.id);
  }

  const cycleWires = new Set<string>();
  const order = topologicalOrder(state, byId, issues, cycleWires);

  // Shape inference in dataflow order. Nodes on a cycle (and everything downstream of one) get no types.
  const visit = order ?? kahnPrefix(state);
  for (const id of visit) {
    const node = byId.get(id)!;
    if (!isNodeType(node.type)) continue;
    const def = nodeType(node.type);
    let ready = true;
    for (const port of def.inputs) {
      const edge = into.get(`${id}.${port.name}`);
      if (!edge) {
        if (port.optional) continue;
        ready = false;
        issues.push(
          port.target && def.category === 'loss'
            ? {
                code: 'loss-without-target', severity: 'error', node: id, port: port.name,
                message: `This loss has nothing to compare against: connect the right answers (such as a data node's labels) to its "${port.name}" input.`,
              }
            : {
                code: 'unconnected-input', severity: 'error', node: id, port: port.name,
                message: `Input "${port.name}" is not connected: wire an output into it.`,
              },
        );
      } else if (!types.has(portKey(edge.from))) {
        ready = false; // the source already carries the error
      }
    }
    if (!ready || !paramsOk.has(id)) continue;
    const reader = paramReader(def, node.params);
    let failed = false;
    const ctx: InferContext = {
      ...reader,
      node,
      input(port) {
        const e = into.get(`${id}.${port}`);
        return e ? types.get(portKey(e.from)) : undefined;
      },
      dim: (symbol) => dims.get(symbol)?.value,
      bind(symbol, value) {
        const prev = dims.get(symbol);
        if (prev && prev.value !== value && prev.by !== id) {
          failed = true;
          issues.push({
            code: 'dim-conflict', severity: 'error', node: id,
            message: `This data node makes ${symbol} = ${value}, but "${prev.by}" already made ${symbol} = ${prev.value}; one graph can't have both. Give them the same length.`,
          });
        } else if (!prev) dims.set(symbol, { value, by: id });
      },
      error(code, message, where) {
        failed = true;
        issues.push({ code, severity: 'error', node: id, ...where, message });
      },
    };
    let outs: Record<string, TensorType> | null;
    try {
      outs = def.infer(ctx);
    } catch (e) {
      // A rule that throws is a bug in the playground, not in the user's graph; say so rather than crash the view.
      issues.push({ code: 'shape-mismatch', severity: 'error', node: id, message: `Internal error while checking this node: ${(e as Error).message}` });
      continue;
    }
    if (!outs || failed) continue;
    for (const [port, t] of Object.entries(outs)) types.set(`${id}.${port}`, t);
  }

  if (!state.nodes.some((n) => isNodeType(n.type) && nodeType(n.type).category === 'loss') && state.nodes.length) {
    issues.push({ code: 'no-loss', severity: 'warning', message: 'There is no loss node yet, so the network can run but not learn. Add a loss and connect a prediction and a target.' });
  }

  const ok = !issues.some((i) => i.severity === 'error');
  return {
    ok,
    issues,
    order,
    types,
    dims: new Map([...dims].map(([k, v]) => [k, v.value])),
    issuesFor: (node) => issues.filter((i) => i.node === node),
    outputType: (node, port) => types.get(`${node}.${port}`),
    inputType(node, port) {
      const e = into.get(`${node}.${port}`);
      return e ? types.get(portKey(e.from)) : undefined;
    },
    edgeInto: (node, port) => into.get(`${node}.${port}`),
    cycleWires,
  };
}

/**
 * Kahn's algorithm, taking ready nodes in the order they appear in the graph so the result is stable. When some
 * nodes never become ready, the graph has loops: every one is reported (see reportCycles) and the order is null.
 */
function topologicalOrder(state: GraphState, byId: Map<string, GraphNode>, issues: Issue[], cycleWires: Set<string>): string[] | null {
  const indeg = new Map<string, number>(state.nodes.map((n) => [n.id, 0]));
  const out = new Map<string, string[]>(state.nodes.map((n) => [n.id, []]));
  for (const e of state.edges) {
    if (!byId.has(e.from.node) || !byId.has(e.to.node)) continue;
    indeg.set(e.to.node, indeg.get(e.to.node)! + 1);
    out.get(e.from.node)!.push(e.to.node);
  }
  const position = new Map(state.nodes.map((n, i) => [n.id, i]));
  const ready = state.nodes.filter((n) => indeg.get(n.id) === 0).map((n) => n.id);
  const order: string[] = [];
  while (ready.length) {
    ready.sort((a, b) => position.get(a)! - position.get(b)!);
    const id = ready.shift()!;
    order.push(id);
    for (const next of out.get(id)!) {
      indeg.set(next, indeg.get(next)! - 1);
      if (indeg.get(next) === 0) ready.push(next);
    }
  }
  if (order.length === state.nodes.length) return order;
  reportCycles(state, byId, issues, cycleWires);
  return null;
}

/**
 * Every loop at once, so that removing one wire never uncovers another the user was not told about. A wire closes
 * a loop exactly when both its ends lie in one strongly connected component (a self-loop is one on its own), so
 * the components give the set of wires the canvas highlights; each node in a loop gets an issue that spells out
 * the shortest loop through it, by node ids, so the user can follow it on the canvas.
 */
function reportCycles(state: GraphState, byId: Map<string, GraphNode>, issues: Issue[], cycleWires: Set<string>): void {
  const edges = state.edges.filter((e) => byId.has(e.from.node) && byId.has(e.to.node));
  const component = stronglyConnected(state.nodes.map((n) => n.id), edges);
  const looped = new Set<string>();
  for (const e of edges) {
    if (component.get(e.from.node) !== component.get(e.to.node)) continue;
    cycleWires.add(portKey(e.to));
    looped.add(e.from.node);
  }
  for (const n of state.nodes) {
    if (!looped.has(n.id)) continue;
    const path = [...shortestLoop(n.id, edges, component), n.id].join(' → ');
    issues.push({
      code: 'cycle', severity: 'error', node: n.id,
      message: `This node is part of a loop (${path}). Data must flow one way through a network: remove one of the wires in the loop (drawn in red, above the nodes).`,
    });
  }
}

/** Tarjan's algorithm: each node's strongly connected component, as an index. Iterative, so a long chain can't overflow the stack. */
function stronglyConnected(ids: readonly string[], edges: readonly Edge[]): Map<string, number> {
  const succ = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of edges) succ.get(e.from.node)!.push(e.to.node);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const component = new Map<string, number>();
  let counter = 0;
  for (const root of ids) {
    if (index.has(root)) continue;
    // Each frame is a node and how many of its successors have been looked at.
    const frames: Array<{ id: string; next: number }> = [{ id: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (frames.length) {
      const f = frames[frames.length - 1];
      const nexts = succ.get(f.id)!;
      if (f.next < nexts.length) {
        const w = nexts[f.next++];
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          frames.push({ id: w, next: 0 });
        } else if (onStack.has(w)) low.set(f.id, Math.min(low.get(f.id)!, index.get(w)!));
        continue;
      }
      frames.pop();
      if (frames.length) {
        const parent = frames[frames.length - 1].id;
        low.set(parent, Math.min(low.get(parent)!, low.get(f.id)!));
      }
      if (low.get(f.id) === index.get(f.id)) {
        // f is the root of a component: everything above it on the stack belongs to it.
        const c = component.size;
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.set(w, c);
        } while (w !== f.id);
      }
    }
  }
  return component;
}

/** The shortest loop from `start` back to itself inside its component (breadth-first), as the nodes along it. */
function shortestLoop(start: string, edges: readonly Edge[], component: Map<string, number>): string[] {
  const c = component.get(start);
  const succ = new Map<string, string[]>();
  for (const e of edges) {
    if (component.get(e.from.node) === c && component.get(e.to.node) === c) succ.set(e.from.node, [...(succ.get(e.from.node) ?? []), e.to.node]);
  }
  const parent = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i];
    for (const next of succ.get(id) ?? []) {
      if (next === start) {
        const path = [id];
        while (path[0] !== start) path.unshift(parent.get(path[0])!);
        return path;
      }
      if (parent.has(next)) continue;
      parent.set(next, id);
      queue.push(next);
    }
  }
  return [start]; // unreachable for a node in a loop
}

/** With a cycle present, the nodes that can still be ordered: those not on a cycle or downstream of one. */
function kahnPrefix(state: GraphState): string[] {
  const indeg = new Map<string, number>(state.nodes.map((n) => [n.id, 0]));
  for (const e of state.edges) if (indeg.has(e.to.node)) indeg.set(e.to.node, indeg.get(e.to.node)! + 1);
  const ready = state.nodes.filter((n) => indeg.get(n.id) === 0).map((n) => n.id);
  const order: string[] = [];
  while (ready.length) {
    const id = ready.shift()!;
    order.push(id);
    for (const e of state.edges) {
      if (e.from.node !== id || !indeg.has(e.to.node)) continue;
      indeg.set(e.to.node, indeg.get(e.to.node)! - 1);
      if (indeg.get(e.to.node) === 0) ready.push(e.to.node);
    }
  }
  return order;
}
