// Loops in a graph: every wire that closes one is reported at once (for the canvas to draw above the nodes), and
// each node on a loop says which loop, by node ids, so the user can find it.
import { describe, expect, test } from 'vitest';
import { Graph, validate, type GraphState, type Issue } from '../playground/graph/index';

const cycleIssues = (g: Graph): Issue[] => g.validation.issues.filter((i) => i.code === 'cycle');

/** relu_1 → relu_2 → relu_3 in a chain (positions don't matter here). */
function chain(n: number): Graph {
  const g = new Graph();
  for (let i = 1; i <= n; i++) g.addNode('relu');
  for (let i = 1; i < n; i++) g.connect({ node: `relu_${i}`, port: 'y' }, { node: `relu_${i + 1}`, port: 'x' });
  return g;
}

describe('cycles', () => {
  test('a graph without loops has no loop wires', () => {
    const g = chain(3);
    expect(g.validation.cycleWires.size).toBe(0);
    expect(cycleIssues(g)).toEqual([]);
  });

  test('two separate loops are reported together: every wire in them, and each node names its own loop', () => {
    const g = new Graph();
    for (let i = 1; i <= 3; i++) g.addNode('relu');
    g.addNode('add');
    g.addNode('tanh');
    // Loop A: relu_1 → relu_2 → relu_3 → relu_1. Loop B: add_1 ↔ tanh_1 through add's input a. relu_3 → add_1.b
    // joins them one way only, so that wire is not in a loop.
    g.connect({ node: 'relu_1', port: 'y' }, { node: 'relu_2', port: 'x' });
    g.connect({ node: 'relu_2', port: 'y' }, { node: 'relu_3', port: 'x' });
    g.connect({ node: 'relu_3', port: 'y' }, { node: 'relu_1', port: 'x' });
    g.connect({ node: 'relu_3', port: 'y' }, { node: 'add_1', port: 'b' });
    g.connect({ node: 'add_1', port: 'y' }, { node: 'tanh_1', port: 'x' });
    g.connect({ node: 'tanh_1', port: 'y' }, { node: 'add_1', port: 'a' });
    expect([...g.validation.cycleWires].sort()).toEqual(['add_1.a', 'relu_1.x', 'relu_2.x', 'relu_3.x', 'tanh_1.x']);
    const byNode = new Map(cycleIssues(g).map((i) => [i.node, i.message]));
    expect([...byNode.keys()].sort()).toEqual(['add_1', 'relu_1', 'relu_2', 'relu_3', 'tanh_1']);
    expect(byNode.get('relu_1')).toContain('(relu_1 → relu_2 → relu_3 → relu_1)');
    expect(byNode.get('relu_3')).toContain('(relu_3 → relu_1 → relu_2 → relu_3)');
    expect(byNode.get('tanh_1')).toContain('(tanh_1 → add_1 → tanh_1)');
    expect(g.validation.order).toBeNull();
  });

  test('a self-loop is a loop wire, named as the node back to itself', () => {
    const g = new Graph();
    g.addNode('relu');
    g.connect({ node: 'relu_1', port: 'y' }, { node: 'relu_1', port: 'x' });
    expect([...g.validation.cycleWires]).toEqual(['relu_1.x']);
    expect(cycleIssues(g).map((i) => i.message)).toEqual([expect.stringContaining('(relu_1 → relu_1)')]);
  });

  test('nodes that only lead into a loop, or follow one, are not on it', () => {
    // relu_1 → add_1.a; add_1 → relu_2 → add_1.b closes a loop; relu_2 → relu_3 follows it.
    const g = chain(1);
    g.addNode('add');
    g.addNode('relu');
    g.addNode('relu');
    g.connect({ node: 'relu_1', port: 'y' }, { node: 'add_1', port: 'a' });
    g.connect({ node: 'add_1', port: 'y' }, { node: 'relu_2', port: 'x' });
    g.connect({ node: 'relu_2', port: 'y' }, { node: 'add_1', port: 'b' });
    g.connect({ node: 'relu_2', port: 'y' }, { node: 'relu_3', port: 'x' });
    expect([...g.validation.cycleWires].sort()).toEqual(['add_1.b', 'relu_2.x']);
    expect(cycleIssues(g).map((i) => i.node).sort()).toEqual(['add_1', 'relu_2']);
  });

  test('a long chain closed into one loop is found without deep recursion', () => {
    // Built as plain state: the store would validate after each of the n edits.
    const n = 500;
    const ids = Array.from({ length: n }, (_, i) => `relu_${i + 1}`);
    const state: GraphState = {
      nodes: ids.map((id) => ({ id, type: 'relu', params: {}, position: { x: 0, y: 0 } })),
      edges: ids.map((id, i) => ({ from: { node: id, port: 'y' }, to: { node: ids[(i + 1) % n], port: 'x' } })),
    };
    const v = validate(state);
    expect(v.cycleWires.size).toBe(n);
    expect(v.issues.filter((i) => i.code === 'cycle')).toHaveLength(n);
  });
});
