// The chain rule on a small computation graph, as micrograd draws one: inputs a, b, c, f; e = a·b, d = e + c,
// L = d·f. Every node's value and its gradient ∂L/∂node come from the engine: the forward pass with tensor ops,
// and each gradient from autograd's backward(). No DOM here, so the lesson's tests call it directly.
import { tensor, type Tensor } from '../../../../engine/index';

export type LeafName = 'a' | 'b' | 'c' | 'f';
export type NodeName = LeafName | 'e' | 'd' | 'L';
export type GraphInputs = Record<LeafName, number>;

export const LEAVES: readonly LeafName[] = ['a', 'b', 'c', 'f'];

/** The operations, in topological order. */
export const OPS: ReadonlyArray<{ name: Exclude<NodeName, LeafName>; op: '*' | '+'; inputs: [NodeName, NodeName] }> = [
  { name: 'e', op: '*', inputs: ['a', 'b'] },
  { name: 'd', op: '+', inputs: ['e', 'c'] },
  { name: 'L', op: '*', inputs: ['d', 'f'] },
];

export const NODES: readonly NodeName[] = [...LEAVES, ...OPS.map((o) => o.name)];

/** micrograd's example values. */
export const DEFAULT_INPUTS: GraphInputs = { a: 2, b: -3, c: 10, f: -2 };

export interface NodeState {
  value: number;
  /** ∂L/∂node, by autograd. */
  grad: number;
}

/**
 * Runs the graph with the engine. `cut` makes one node a leaf that requires grad, holding the value it would have
 * had: a backward pass from L then leaves ∂L/∂cut in its .grad, for intermediate nodes as much as for inputs.
 */
function run(inputs: GraphInputs, cut: NodeName | null, values?: Record<NodeName, number>): { nodes: Record<NodeName, Tensor>; made: Tensor[] } {
  const made: Tensor[] = [];
  const leaf = (v: number, grad: boolean) => {
    const t = tensor([v], [1], { device: 'cpu', requiresGrad: grad }); // (1)
    made.push(t);
    return t;
  };
  const nodes = {} as Record<NodeName, Tensor>;
  for (const n of LEAVES) nodes[n] = leaf(inputs[n], n === cut);
  for (const { name, op, inputs: [x, y] } of OPS) {
    if (name === cut && values) {
      nodes[name] = leaf(values[name], true);
      continue;
    }
    const t = op === '*' ? nodes[x].mul(nodes[y]) : nodes[x].add(nodes[y]);
    made.push(t);
    nodes[name] = t;
  }
  return { nodes, made };
}

/** Every node's value and gradient: one forward pass, then one backward pass per node. */
export async function evaluateGraph(inputs: GraphInputs): Promise<Record<NodeName, NodeState>> {
  for (const n of LEAVES) if (!Number.isFinite(inputs[n])) throw new RangeError(`evaluateGraph: ${n} must be a finite number, got ${inputs[n]}`);
  const forward = run(inputs, null);
  const values = {} as Record<NodeName, number>;
  for (const n of NODES) values[n] = await forward.nodes[n].item();
  for (const t of forward.made) t.dispose();
  const out = {} as Record<NodeName, NodeState>;
  for (const n of NODES) {
    const { nodes, made } = run(inputs, n, values);
    const L = nodes.L.sum(); // a scalar for backward()
    L.backward();
    const g = nodes[n].grad;
    out[n] = { value: values[n], grad: g ? await g.item() : 0 };
    L.dispose();
    for (const t of made) {
      t.grad?.dispose();
      t.dispose();
    }
  }
  return out;
}

/** The chain rule written out for one input, e.g. "∂L/∂a = ∂L/∂e · ∂e/∂a = −2 · −3 = 6". */
export function chainRuleLine(n: LeafName, s: Record<NodeName, NodeState>): string {
  const f = (v: number) => String(Number(v.toFixed(3))).replace('-', '−');
  switch (n) {
    case 'a':
      return `∂L/∂a = ∂L/∂e · ∂e/∂a = ∂L/∂e · b = ${f(s.e.grad)} · ${f(s.b.value)} = ${f(s.a.grad)}`;
    case 'b':
      return `∂L/∂b = ∂L/∂e · ∂e/∂b = ∂L/∂e · a = ${f(s.e.grad)} · ${f(s.a.value)} = ${f(s.b.grad)}`;
    case 'c':
      return `∂L/∂c = ∂L/∂d · ∂d/∂c = ∂L/∂d · 1 = ${f(s.c.grad)}`;
    case 'f':
      return `∂L/∂f = d = ${f(s.d.value)}`;
  }
}
