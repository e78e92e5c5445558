// The graph model without the engine: the registry, edits as commands with exact undo/redo, the store's events,
// and validation with shape inference (every issue names its node and port or parameter).
import { describe, expect, test } from 'vitest';
import {
  Graph, NODE_TYPES, nodeType, validate, GraphEditError, Connect, SetParam, formatShape, EXAMPLES, parseGraph,
  type GraphState, type Issue,
} from '../playground/graph/index';

/** XOR → Linear(8) → Tanh → Linear(2) → CE, built through the store. */
function xorGraph(): Graph {
  const g = new Graph();
  g.addNode('xor', { x: 0, y: 0 });
  g.addNode('linear', { x: 1, y: 0 }, { outFeatures: 8 });
  g.addNode('tanh');
  g.addNode('linear', { x: 3, y: 0 }, { outFeatures: 2 });
  g.addNode('crossentropy');
  g.connect({ node: 'xor_1', port: 'x' }, { node: 'linear_1', port: 'x' });
  g.connect({ node: 'linear_1', port: 'y' }, { node: 'tanh_1', port: 'x' });
  g.connect({ node: 'tanh_1', port: 'y' }, { node: 'linear_2', port: 'x' });
  g.connect({ node: 'linear_2', port: 'y' }, { node: 'crossentropy_1', port: 'logits' });
  g.connect({ node: 'xor_1', port: 'label' }, { node: 'crossentropy_1', port: 'target' });
  return g;
}

const errors = (issues: readonly Issue[]): Issue[] => issues.filter((i) => i.severity === 'error');

describe('registry', () => {
  test('every node type is complete: help, ports, and parameters with defaults in range', () => {
    const names = Object.keys(NODE_TYPES);
    for (const t of ['xor', 'spirals', 'mnist', 'text', 'translation', 'linear', 'embedding', 'positional', 'relu', 'gelu', 'tanh',
      'sigmoid', 'softmax', 'layernorm', 'dropout', 'attention', 'transformer', 'reshape', 'flatten', 'add', 'concat', 'crossentropy', 'mse']) {
      expect(names).toContain(t);
    }
    for (const name of names) {
      const def = nodeType(name);
      expect(def.type).toBe(name);
      expect(def.help.length, name).toBeGreaterThan(20);
      for (const p of [...def.inputs, ...def.outputs]) expect(p.help.length, `${name}.${p.name}`).toBeGreaterThan(3);
      for (const p of def.params) {
        expect(p.help.length, `${name}.${p.name}`).toBeGreaterThan(10);
        if (p.kind === 'int' || p.kind === 'float') {
          expect(p.default).toBeGreaterThanOrEqual(p.min);
          expect(p.default).toBeLessThanOrEqual(p.max);
        }
        if (p.kind === 'choice') expect(p.options).toContain(p.default);
      }
      if (def.category === 'data') expect(def.source, name).toBeDefined();
      if (def.category === 'loss') expect(def.inputs.some((p) => p.target), name).toBe(true);
    }
  });

  test('unknown types are refused', () => {
    expect(() => nodeType('conv9d')).toThrow(/Unknown node type/);
    expect(() => nodeType('__proto__')).toThrow(/Unknown node type/);
    expect(() => new Graph().addNode('toString')).toThrow(/Unknown node type/);
  });
});

describe('edits and undo/redo', () => {
  test('every edit undoes exactly and redoes exactly, back to the empty graph', () => {
    const g = xorGraph();
    g.setParam('linear_1', 'outFeatures', 16);
    g.moveNode('tanh_1', { x: 50, y: 60 });
    g.disconnect({ node: 'tanh_1', port: 'x' });
    g.removeNode('linear_2');
    const states: GraphState[] = [];
    // Walk back through history, recording each state, then forward again and compare.
    states.push(g.state);
    while (g.canUndo) {
      g.undo();
      states.push(g.state);
    }
    expect(g.state.nodes).toHaveLength(0);
    expect(g.state.edges).toHaveLength(0);
    for (let i = states.length - 2; i >= 0; i--) {
      g.redo();
      expect(g.state).toEqual(states[i]);
    }
    expect(g.canRedo).toBe(false);
  });

  test('removing a node removes its wires; undo restores node and wires at their original positions', () => {
    const g = xorGraph();
    const before = g.state;
    g.removeNode('linear_1');
    expect(g.state.nodes.map((n) => n.id)).not.toContain('linear_1');
    expect(g.state.edges.some((e) => e.from.node === 'linear_1' || e.to.node === 'linear_1')).toBe(false);
    g.undo();
    expect(g.state).toEqual(before);
  });

  test('connecting into a used input replaces the wire, and undo brings the old one back', () => {
    const g = xorGraph();
    const before = g.state;
    g.connect({ node: 'xor_1', port: 'x' }, { node: 'tanh_1', port: 'x' });
    expect(g.state.edges.filter((e) => e.to.node === 'tanh_1')).toEqual([{ from: { node: 'xor_1', port: 'x' }, to: { node: 'tanh_1', port: 'x' } }]);
    g.undo();
    expect(g.state).toEqual(before);
  });

  test('setting a parameter that was at its default: undo removes it again (exact state)', () => {
    const g = xorGraph();
    const before = g.state;
    g.setParam('crossentropy_1', 'labelSmoothing', 0.1);
    g.undo();
    expect(g.state).toEqual(before);
    expect(Object.hasOwn(g.state.nodes.find((n) => n.id === 'crossentropy_1')!.params, 'labelSmoothing')).toBe(false);
  });

  test('a drag coalesces into one undo step', () => {
    const g = xorGraph();
    const before = g.state;
    for (let i = 1; i <= 10; i++) g.moveNode('tanh_1', { x: i, y: i }, { coalesce: true });
    expect(g.state.nodes.find((n) => n.id === 'tanh_1')!.position).toEqual({ x: 10, y: 10 });
    g.undo();
    expect(g.state).toEqual(before);
  });

  test('removing a selection is one undo step', () => {
    const g = xorGraph();
    const before = g.state;
    g.removeNodes(['linear_1', 'tanh_1']);
    expect(g.state.nodes).toHaveLength(3);
    g.undo();
    expect(g.state).toEqual(before);
  });

  test('edits that cannot apply throw GraphEditError and change nothing', () => {
    const g = xorGraph();
    const before = g.state;
    const history = g.undoLabel;
    expect(() => g.connect({ node: 'nope', port: 'x' }, { node: 'tanh_1', port: 'x' })).toThrow(GraphEditError);
    expect(() => g.connect({ node: 'xor_1', port: 'bogus' }, { node: 'tanh_1', port: 'x' })).toThrow(/no output "bogus"/);
    expect(() => g.connect({ node: 'xor_1', port: 'x' }, { node: 'tanh_1', port: 'y' })).toThrow(/no input "y"/);
    expect(() => g.connect({ node: 'linear_1', port: 'y' }, { node: 'tanh_1', port: 'x' })).toThrow(/already connected/);
    expect(() => g.setParam('linear_1', 'outFeatures', 'eight')).toThrow(/must be a int/);
    expect(() => g.setParam('linear_1', 'colour', 1)).toThrow(/no parameter "colour"/);
    expect(() => g.addNode('relu', undefined, {}, 'linear_1')).toThrow(/already exists/);
    expect(() => g.addNode('relu', undefined, {}, '__proto__')).toThrow(/must start with a lowercase letter/);
    expect(() => g.addNode('relu', undefined, {}, 'forward')).toThrow(/reserved/);
    g.disconnect({ node: 'tanh_1', port: 'x' });
    expect(() => g.disconnect({ node: 'tanh_1', port: 'x' })).toThrow(/Nothing is connected/);
    g.undo(); // the one successful disconnect above
    expect(g.state).toEqual(before);
    expect(g.undoLabel).toBe(history);
  });

  test('subscribers hear every change with the new state and its validation; unsubscribe stops them', () => {
    const g = new Graph();
    const events: string[] = [];
    const off = g.subscribe((e) => events.push(`${e.kind}:${e.command?.label ?? ''}:${e.state.nodes.length}:${e.validation.ok}`));
    g.addNode('xor');
    g.undo();
    g.redo();
    off();
    g.addNode('relu');
    expect(events).toEqual(['execute:Add xor_1:1:true', 'undo:Add xor_1:0:true', 'redo:Add xor_1:1:true']);
    expect(g.undoLabel).toBe('Add relu_1');
  });

  test('command objects can be executed directly, e.g. by a view that batches them', () => {
    const g = xorGraph();
    g.execute(new SetParam('linear_2', 'bias', false));
    g.execute(new Connect({ node: 'xor_1', port: 'x' }, { node: 'tanh_1', port: 'x' }));
    expect(g.undoLabel).toBe('Connect xor_1.x → tanh_1.x');
  });
});

describe('validation and shape inference', () => {
  test('a valid graph: shapes on every wire with symbolic batch, and a topological order', () => {
    const v = xorGraph().validation;
    expect(v.ok).toBe(true);
    expect(v.issues).toEqual([]);
    expect(v.order).toEqual(['xor_1', 'linear_1', 'tanh_1', 'linear_2', 'crossentropy_1']);
    expect(formatShape(v.outputType('linear_1', 'y')!.shape)).toBe('(B, 8)');
    expect(v.inputType('crossentropy_1', 'target')).toEqual({ shape: ['B'], dtype: 'int32', classes: 2 });
    expect(v.outputType('crossentropy_1', 'loss')!.shape).toEqual([]);
  });

  test('a shape mismatch names the node, the port and both shapes', () => {
    const g = xorGraph();
    g.addNode('linear', undefined, { outFeatures: 4 }, 'side');
    g.addNode('add', undefined, {}, 'sum');
    g.connect({ node: 'xor_1', port: 'x' }, { node: 'side', port: 'x' });
    g.connect({ node: 'linear_1', port: 'y' }, { node: 'sum', port: 'a' });
    g.connect({ node: 'side', port: 'y' }, { node: 'sum', port: 'b' });
    const [issue] = errors(g.validation.issues);
    expect(issue).toMatchObject({ code: 'shape-mismatch', node: 'sum', port: 'b' });
    expect(issue.message).toContain('(B, 8)');
    expect(issue.message).toContain('(B, 4)');
    // The graph is kept as the user left it.
    expect(g.state.nodes.map((n) => n.id)).toContain('sum');
  });

  test('cross-entropy with the wrong number of classes names both shapes', () => {
    const g = xorGraph();
    g.setParam('linear_2', 'outFeatures', 3);
    const [issue] = errors(g.validation.issues);
    expect(issue).toMatchObject({ code: 'shape-mismatch', node: 'crossentropy_1', port: 'logits' });
    expect(issue.message).toMatch(/\(B, 3\).*2 classes/);
    g.undo();
    expect(g.validation.ok).toBe(true);
  });

  test('a cycle is reported on each node in it, with the loop spelled out', () => {
    const g = xorGraph();
    g.connect({ node: 'tanh_1', port: 'y' }, { node: 'linear_1', port: 'x' });
    const cyc = errors(g.validation.issues).filter((i) => i.code === 'cycle');
    expect(cyc.map((i) => i.node).sort()).toEqual(['linear_1', 'tanh_1']);
    expect(cyc[0].message).toMatch(/linear_1 → tanh_1 → linear_1|tanh_1 → linear_1 → tanh_1/);
    expect(g.validation.order).toBeNull();
    // The data node, upstream of the loop, still has its types.
    expect(g.validation.outputType('xor_1', 'x')).toBeDefined();
  });

  test('a self-loop is a cycle', () => {
    const g = new Graph();
    g.addNode('relu');
    g.connect({ node: 'relu_1', port: 'y' }, { node: 'relu_1', port: 'x' });
    expect(errors(g.validation.issues)).toEqual([expect.objectContaining({ code: 'cycle', node: 'relu_1' })]);
  });

  test('an unconnected required input names the port; optional inputs may stay empty', () => {
    const g = xorGraph();
    g.disconnect({ node: 'tanh_1', port: 'x' });
    expect(errors(g.validation.issues)).toEqual([expect.objectContaining({ code: 'unconnected-input', node: 'tanh_1', port: 'x' })]);
    // Downstream nodes are not blamed for the missing shape.
    expect(g.validation.issuesFor('linear_2')).toEqual([]);
  });

  test('a loss without a target says so', () => {
    const g = xorGraph();
    g.disconnect({ node: 'crossentropy_1', port: 'target' });
    const [issue] = errors(g.validation.issues);
    expect(issue).toMatchObject({ code: 'loss-without-target', node: 'crossentropy_1', port: 'target' });
    expect(issue.message).toMatch(/nothing to compare against/);
  });

  test('a parameter out of range names the parameter and its range, and the value is kept', () => {
    const g = xorGraph();
    g.setParam('linear_1', 'outFeatures', 0);
    g.setParam('crossentropy_1', 'labelSmoothing', 2);
    g.setParam('linear_2', 'outFeatures', 2.5);
    const issues = errors(g.validation.issues);
    expect(issues).toContainEqual(expect.objectContaining({ code: 'param-out-of-range', node: 'linear_1', param: 'outFeatures', message: 'Output features must be between 1 and 4096, got 0.' }));
    expect(issues).toContainEqual(expect.objectContaining({ code: 'param-out-of-range', node: 'crossentropy_1', param: 'labelSmoothing' }));
    expect(issues).toContainEqual(expect.objectContaining({ node: 'linear_2', param: 'outFeatures', message: expect.stringMatching(/whole number/) }));
    expect(g.state.nodes.find((n) => n.id === 'linear_1')!.params.outFeatures).toBe(0);
  });

  test('dtype mismatches say what each port needs', () => {
    const g = new Graph();
    g.addNode('xor');
    g.addNode('embedding');
    g.connect({ node: 'xor_1', port: 'x' }, { node: 'embedding_1', port: 'ids' });
    expect(errors(g.validation.issues)[0]).toMatchObject({ code: 'dtype-mismatch', node: 'embedding_1', port: 'ids' });
    g.addNode('mse');
    g.connect({ node: 'xor_1', port: 'x' }, { node: 'mse_1', port: 'prediction' });
    g.connect({ node: 'xor_1', port: 'label' }, { node: 'mse_1', port: 'target' });
    expect(g.validation.issuesFor('mse_1')[0].message).toMatch(/cross-entropy/);
  });

  test('no loss is a warning, not an error', () => {
    const g = new Graph();
    g.addNode('xor');
    expect(g.validation.ok).toBe(true);
    expect(g.validation.issues).toEqual([expect.objectContaining({ code: 'no-loss', severity: 'warning' })]);
  });

  test('attention and transformer shapes: heads must divide D, memory must match, weights shape (B, H, T, S)', () => {
    const r = parseGraph(EXAMPLES.find((e) => e.id === 'toy-translation')!.graph);
    if (!r.ok) throw new Error(r.error);
    const g = new Graph(r.graph.state);
    const v = g.validation;
    expect(v.ok).toBe(true);
    expect(v.dims).toEqual(new Map([['S', 5], ['T', 6]]));
    expect(v.outputType('transformer_1', 'y')!.shape).toEqual(['B', 'S', 32]);
    expect(v.outputType('transformer_2', 'y')!.shape).toEqual(['B', 'T', 32]);
    expect(v.outputType('linear_1', 'y')!.shape).toEqual(['B', 'T', 12]);

    g.setParam('transformer_2', 'heads', 5);
    expect(g.validation.issuesFor('transformer_2')[0]).toMatchObject({ code: 'param-out-of-range', param: 'heads', message: expect.stringMatching(/32 numbers can't be split into 5 heads/) });
    g.undo();
    g.setParam('embedding_1', 'dim', 16);
    expect(g.validation.issuesFor('transformer_2')[0]).toMatchObject({ code: 'shape-mismatch', port: 'memory', message: expect.stringMatching(/\(B, T, 32\).*\(B, S, 16\)/) });
    g.undo();

    g.addNode('attention', undefined, { heads: 2 }, 'attn');
    g.connect({ node: 'positional_2', port: 'y' }, { node: 'attn', port: 'x' });
    g.connect({ node: 'layernorm_1', port: 'y' }, { node: 'attn', port: 'memory' });
    expect(g.validation.outputType('attn', 'weights')!.shape).toEqual(['B', 2, 'T', 'S']);
    expect(g.validation.outputType('attn', 'y')!.shape).toEqual(['B', 'T', 32]);
  });

  test('embedding vocabulary, positional table length and data dims are checked against the data', () => {
    const r = parseGraph(EXAMPLES.find((e) => e.id === 'char-gpt-names')!.graph);
    if (!r.ok) throw new Error(r.error);
    const g = new Graph(r.graph.state);
    expect(g.validation.ok).toBe(true);
    g.setParam('embedding_1', 'numEmbeddings', 20);
    expect(g.validation.issuesFor('embedding_1')[0]).toMatchObject({ param: 'numEmbeddings', message: expect.stringMatching(/at least 28/) });
    g.undo();
    g.setParam('text_1', 'blockSize', 16);
    expect(g.validation.issuesFor('positional_1')[0]).toMatchObject({ param: 'maxLen', message: expect.stringMatching(/T = 16/) });
    g.setParam('positional_1', 'kind', 'alibi');
    expect(g.validation.ok).toBe(true);
    expect(g.validation.outputType('transformer_2', 'y')!.positional).toBe('alibi');
  });

  test('reshape and flatten: element counts are checked with both shapes; concat joins sizes', () => {
    const g = new Graph();
    g.addNode('mnist');
    g.addNode('reshape', undefined, { shape: '28, 28' });
    g.addNode('flatten');
    g.connect({ node: 'mnist_1', port: 'image' }, { node: 'reshape_1', port: 'x' });
    g.connect({ node: 'reshape_1', port: 'y' }, { node: 'flatten_1', port: 'x' });
    expect(g.validation.outputType('reshape_1', 'y')!.shape).toEqual(['B', 28, 28]);
    expect(g.validation.outputType('flatten_1', 'y')!.shape).toEqual(['B', 784]);
    g.setParam('reshape_1', 'shape', '28, 27');
    expect(g.validation.issuesFor('reshape_1')[0]).toMatchObject({ code: 'shape-mismatch', message: expect.stringMatching(/\(B, 784\).*\(B, 28, 27\)/) });
    g.setParam('reshape_1', 'shape', '-1, 7');
    expect(g.validation.outputType('reshape_1', 'y')!.shape).toEqual(['B', 112, 7]);
    g.setParam('reshape_1', 'shape', 'import os');
    expect(g.validation.issuesFor('reshape_1')[0]).toMatchObject({ code: 'param-out-of-range', param: 'shape' });

    g.addNode('concat');
    g.connect({ node: 'mnist_1', port: 'image' }, { node: 'concat_1', port: 'a' });
    g.connect({ node: 'mnist_1', port: 'image' }, { node: 'concat_1', port: 'b' });
    expect(g.validation.outputType('concat_1', 'y')!.shape).toEqual(['B', 1568]);
    g.connect({ node: 'mnist_1', port: 'label' }, { node: 'concat_1', port: 'b' });
    expect(g.validation.issuesFor('concat_1')[0].code).toBe('dtype-mismatch');
  });

  test('validate() is pure: the same state gives the same result, and the state is not touched', () => {
    const g = xorGraph();
    const frozen = JSON.stringify(g.state);
    const a = validate(g.state);
    const b = validate(g.state);
    expect(a.issues).toEqual(b.issues);
    expect([...a.types]).toEqual([...b.types]);
    expect(JSON.stringify(g.state)).toBe(frozen);
  });
});
