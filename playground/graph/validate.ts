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

  const order = topologicalOrder(state, byId, issues);

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
                message: `This loss has nothing to compare against: connect the right answers (such as a data node's labels) to its "${port.label}" input.`,
              }
            : {
                code: 'unconnected-input', severity: 'error', node: id, port: port.name,
                message: `Input "${port.label}" is not connected: wire an output into it.`,
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
  };
}

/**
 * Kahn's algorithm, taking ready nodes in the order they appear in the graph so the result is stable. When some
 * nodes never become ready they sit on or behind a cycle: one cycle is traced and reported on each of its nodes.
 */
function topologicalOrder(state: GraphState, byId: Map<string, GraphNode>, issues: Issue[]): string[] | null {
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

  const cycle = findCycle(state, new Set(state.nodes.map((n) => n.id).filter((id) => !order.includes(id))));
  const path = [...cycle, cycle[0]].join(' → ');
  for (const id of cycle) {
    issues.push({
      code: 'cycle', severity: 'error', node: id,
      message: `This node is part of a loop (${path}). Data must flow one way through a network: remove one of the wires in the loop.`,
    });
  }
  return null;
}

/** A cycle among `remaining` (nodes Kahn could not order), as a list of node ids, found by walking back edges. */
function findCycle(state: GraphState, remaining: Set<string>): string[] {
  const succ = new Map<string, string[]>();
  for (const e of state.edges) {
    if (remaining.has(e.from.node) && remaining.has(e.to.node)) succ.set(e.from.node, [...(succ.get(e.from.node) ?? []), e.to.node]);
  }
  // Every remaining node either lies on a cycle or leads to one, so following any successor must revisit a node.
  const start = [...remaining].find((id) => succ.has(id)) ?? [...remaining][0];
  const seen = new Map<string, number>();
  const walk: string[] = [];
  let id: string | undefined = start;
  while (id !== undefined && !seen.has(id)) {
    seen.set(id, walk.length);
    walk.push(id);
    id = succ.get(id)?.[0];
  }
  return id === undefined ? walk : walk.slice(seen.get(id));
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
