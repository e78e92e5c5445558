// What a recompile keeps, on the CPU device: parameters are matched by name (node id + parameter name) and shape
// (graph/carry.ts); a matched one keeps its values and its optimizer state (engine optim adopt()), so continuing
// after recompiling an unchanged graph is exactly the same as never recompiling; what changed starts from its
// initialisation; weights read back to the host restore a graph after its device is gone.
import { beforeAll, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { init, optim, tensor, type Tensor } from '../engine/index';
import { Graph, compileGraph, loadExample, Trainer, type CompiledGraph } from '../playground/graph/index';
import { describeCarry, planCarry, type NamedShape } from '../playground/graph/carry';
import { trainBlocker, type TrainerOptions } from '../playground/graph/train';
import type { GraphState } from '../playground/graph/types';

beforeAll(async () => {
  await init({ backend: 'cpu' });
});

const OPTS: TrainerOptions = { optimizer: 'adam', lr: 0.05, batchSize: 4, seed: 7 };

function compile(state: GraphState, seed = 0): CompiledGraph {
  return compileGraph(state, { seed, device: 'cpu' });
}

async function values(c: CompiledGraph): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [name, p] of c.module.namedParameters()) out[name] = Array.from(await p.toArray());
  return out;
}

async function trainFor(t: Trainer, steps: number): Promise<void> {
  for (let i = 0; i < steps; i++) await t.step();
}

/** The XOR example with linear_1's width changed (8 → 16): linear_1 and linear_2.weight change shape. */
function widened(): GraphState {
  const g = new Graph(loadExample('xor-mlp').state);
  g.setParam('linear_1', 'outFeatures', 16);
  return g.state;
}

describe('planCarry and describeCarry', () => {
  const p = (name: string, ...shape: number[]): NamedShape => ({ name, shape });

  test('keeps what has the same name and shape, resets the rest, and lists what was dropped', () => {
    const plan = planCarry(
      [p('linear_1.weight', 8, 2), p('linear_1.bias', 8), p('linear_2.weight', 16, 8), p('linear_2.bias', 16), p('gone.weight', 3)],
      [p('linear_1.weight', 8, 2), p('linear_1.bias', 8), p('linear_2.weight', 32, 8), p('linear_2.bias', 32), p('linear_3.weight', 2, 32)],
    );
    expect(plan.kept.map(({ from, to }) => [from.name, to.name])).toEqual([['linear_1.weight', 'linear_1.weight'], ['linear_1.bias', 'linear_1.bias']]);
    expect(plan.reset.map(({ to, was }) => [to.name, was])).toEqual([['linear_2.weight', [16, 8]], ['linear_2.bias', [16]], ['linear_3.weight', null]]);
    expect(plan.dropped).toEqual(['gone.weight']);
    expect(describeCarry(plan, 312)).toBe(
      'Reset linear_2.weight (shape 16×8 → 32×8), linear_2.bias (shape 16 → 32), linear_3.weight (new, 2×32); ' +
        'dropped gone.weight; kept 2 parameters; continuing from step 312.',
    );
  });

  test('an unchanged graph keeps everything; a long list is cut short', () => {
    const same = [p('a.weight', 2, 2), p('a.bias', 2)];
    expect(describeCarry(planCarry(same, same), 5865)).toBe('Kept all 2 parameters; continuing from step 5865.');
    const many = Array.from({ length: 6 }, (_, i) => p(`n${i}.weight`, 1));
    const msg = describeCarry(planCarry([], many), 0);
    expect(msg).toBe('Reset n0.weight (new, 1), n1.weight (new, 1), n2.weight (new, 1), n3.weight (new, 1) and 2 more; kept 0 parameters; continuing from step 0.');
  });

  test('every new parameter is either kept (same shape) or reset, once; every old one is kept or dropped (property)', () => {
    const shape = fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 3 });
    const params = fc.uniqueArray(fc.record({ name: fc.constantFrom('a.w', 'a.b', 'b.w', 'b.b', 'c.w', 'c.b', 'd.w'), shape }), {
      selector: (x) => x.name,
      maxLength: 7,
    });
    fc.assert(
      fc.property(params, params, (from, to) => {
        const plan = planCarry(from, to);
        expect([...plan.kept.map((k) => k.to.name), ...plan.reset.map((r) => r.to.name)].sort()).toEqual(to.map((x) => x.name).sort());
        for (const { from: f, to: t } of plan.kept) {
          expect(f.name).toBe(t.name);
          expect(f.shape).toEqual(t.shape);
        }
        const oldNames = new Set(from.map((x) => x.name));
        for (const r of plan.reset) expect(r.was !== null).toBe(oldNames.has(r.to.name));
        expect(plan.dropped.sort()).toEqual(from.filter((x) => !to.some((y) => y.name === x.name)).map((x) => x.name).sort());
      }),
      { seed: 14, numRuns: 300 },
    );
  });
});

describe('optimizer.adopt', () => {
  const grad = (p: Tensor, k: number): void => {
    p.grad?.dispose();
    p.grad = tensor(Float32Array.from({ length: p.numel }, (_, i) => Math.sin(i + k)), [...p.shape]);
  };
  const param = (data: number[]): Tensor => tensor(new Float32Array(data), [data.length], { requiresGrad: true });

  for (const [name, make] of [
    ['Adam', (ps: Tensor[]) => new optim.Adam(ps, { lr: 0.1 })],
    ['SGD with momentum', (ps: Tensor[]) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9 })],
  ] as const) {
    test(`${name}: a parameter adopted after 3 steps continues exactly as if never moved`, async () => {
      const a = param([1, -2, 3]);
      const b = param([1, -2, 3]);
      const optA = make([a]);
      const optB = make([b]);
      for (let k = 0; k < 3; k++) {
        for (const [p, o] of [[a, optA], [b, optB]] as const) {
          grad(p, k);
          o.step();
        }
      }
      // b moves to a new tensor q (values copied by the caller), into a fresh optimizer; its state moves with it.
      const q = param(Array.from(await b.toArray()));
      const optQ = make([q]);
      optQ.adopt(optB, b, q);
      expect(optQ.updates(q)).toBe(3);
      expect(optB.updates(b)).toBe(0);
      optB.dispose(); // the state moved out, so this frees none of it
      for (let k = 3; k < 6; k++) {
        for (const [p, o] of [[a, optA], [q, optQ]] as const) {
          grad(p, k);
          o.step();
        }
      }
      expect(Array.from(await q.toArray())).toEqual(Array.from(await a.toArray()));
    });
  }

  test('refuses another kind of optimizer, another shape, and a tensor that is not its parameter, saying which', () => {
    const a = param([1, 2]);
    const b = param([1, 2]);
    const c = param([1, 2, 3]);
    const adam = new optim.Adam([a]);
    expect(() => new optim.SGD([b]).adopt(adam, a, b)).toThrow(/Adam state cannot continue in SGD/);
    expect(() => new optim.Adam([c]).adopt(adam, a, c)).toThrow(/shape \[2\] cannot continue as \[3\]/);
    expect(() => new optim.Adam([b]).adopt(adam, c, b)).toThrow(/not a parameter of the optimizer it is taken from/);
    expect(() => new optim.Adam([b]).adopt(adam, a, c)).toThrow(/not a parameter of this optimizer/);
  });
});

describe('Trainer.continueFrom', () => {
  test('recompiling an unchanged graph and continuing gives the very weights of training straight through', async () => {
    const state = loadExample('xor-mlp').state;
    const straight = compile(state);
    const t0 = await Trainer.create(straight, OPTS);
    await trainFor(t0, 7);

    const first = compile(state);
    const t1 = await Trainer.create(first, OPTS);
    await trainFor(t1, 4);
    const second = compile(state);
    const t2 = await Trainer.create(second, OPTS);
    const plan = t2.continueFrom(t1);
    t1.dispose();
    first.dispose();
    expect(plan.reset).toEqual([]);
    expect(plan.kept.map((k) => k.to.name)).toEqual(['linear_1.weight', 'linear_1.bias', 'linear_2.weight', 'linear_2.bias']);
    expect(t2.stepCount).toBe(4);
    await trainFor(t2, 3);
    expect(t2.stepCount).toBe(7);
    // Values, Adam's moments and update counts, and the batch stream all carried over, or these would differ.
    expect(await values(second)).toEqual(await values(straight));
    [t0, t2].forEach((t) => t.dispose());
    [straight, second].forEach((c) => c.dispose());
  });

  test('a layer made wider: what changed shape starts from its initialisation, the rest keeps values and state', async () => {
    const before = compile(loadExample('xor-mlp').state);
    const t1 = await Trainer.create(before, OPTS);
    await trainFor(t1, 5);
    const trained = await values(before);

    const after = compile(widened());
    const fresh = await values(after); // its initialisation, before anything carries over
    const t2 = await Trainer.create(after, OPTS);
    const plan = t2.continueFrom(t1);
    t1.dispose();
    before.dispose();
    expect(describeCarry(plan, 5)).toBe(
      'Reset linear_1.weight (shape 8×2 → 16×2), linear_1.bias (shape 8 → 16), linear_2.weight (shape 2×8 → 2×16); ' +
        'kept 1 parameter; continuing from step 5.',
    );
    const now = await values(after);
    expect(now['linear_2.bias']).toEqual(trained['linear_2.bias']);
    for (const name of ['linear_1.weight', 'linear_1.bias', 'linear_2.weight']) expect(now[name], name).toEqual(fresh[name]);
    const byName = new Map(after.module.namedParameters());
    expect(t2.optimizer.updates(byName.get('linear_2.bias')!)).toBe(5);
    expect(t2.optimizer.updates(byName.get('linear_1.weight')!)).toBe(0);
    await trainFor(t2, 2); // the mixed update counts (5 and 0) step together
    expect(t2.optimizer.updates(byName.get('linear_2.bias')!)).toBe(7);
    expect(t2.optimizer.updates(byName.get('linear_1.weight')!)).toBe(2);
    expect(Object.values(await values(after)).flat().every(Number.isFinite)).toBe(true);
    t2.dispose();
    after.dispose();
  });

  test('with another kind of optimizer only the values carry over', async () => {
    const state = loadExample('xor-mlp').state;
    const before = compile(state);
    const t1 = await Trainer.create(before, OPTS);
    await trainFor(t1, 3);
    const after = compile(state);
    const t2 = await Trainer.create(after, { ...OPTS, optimizer: 'sgd' });
    t2.continueFrom(t1);
    expect(await values(after)).toEqual(await values(before));
    expect(t2.optimizer.updates(after.module.parameters()[0])).toBe(0);
    [t1, t2].forEach((t) => t.dispose());
    [before, after].forEach((c) => c.dispose());
  });
});

describe('read back and restore (what survives a lost device)', () => {
  test('readBack gives every weight and the gradient norm in one go', async () => {
    const c = compile(loadExample('xor-mlp').state);
    const t = await Trainer.create(c, OPTS);
    expect((await t.readBack()).gradNorm).toBeNull(); // no backward yet
    await trainFor(t, 2);
    const r = await t.readBack();
    expect(Object.fromEntries(r.weights.map((w) => [w.name, Array.from(w.data)]))).toEqual(await values(c));
    expect(r.weights.map((w) => w.shape)).toEqual(c.module.parameters().map((p) => p.shape));
    let sq = 0;
    for (const p of c.module.parameters()) for (const g of await p.grad!.toArray()) sq += g * g;
    expect(r.gradNorm).toBeCloseTo(Math.sqrt(sq), 5);
    t.dispose();
    c.dispose();
  });

  test('restore loads the read-back weights into a new graph by name and shape; the optimizer starts over', async () => {
    const c = compile(loadExample('xor-mlp').state);
    const t = await Trainer.create(c, OPTS);
    await trainFor(t, 4);
    const { weights } = await t.readBack();
    const trained = await values(c);
    t.dispose();
    c.dispose();

    const after = compile(widened(), 0);
    const fresh = await values(after);
    const t2 = await Trainer.create(after, OPTS);
    const plan = t2.restore(weights, 4);
    expect(plan.kept.map((k) => k.to.name)).toEqual(['linear_2.bias']);
    expect(t2.stepCount).toBe(4);
    const now = await values(after);
    expect(now['linear_2.bias']).toEqual(trained['linear_2.bias']);
    expect(now['linear_1.weight']).toEqual(fresh['linear_1.weight']);
    expect(t2.optimizer.updates(after.module.parameters()[3])).toBe(0);
    t2.dispose();
    after.dispose();
  });
});

describe('trainBlocker', () => {
  test('an empty graph, an invalid one and one with no loss are not ready; the XOR example is', () => {
    const empty = new Graph();
    expect(trainBlocker(empty.state, empty.validation)).toEqual({ phase: 'waiting', message: 'Add nodes, or open an example, to train.' });
    const g = new Graph(loadExample('xor-mlp').state);
    expect(trainBlocker(g.state, g.validation)).toBeNull();
    g.disconnect({ node: 'crossentropy_1', port: 'target' });
    expect(trainBlocker(g.state, g.validation)?.message).toMatch(/^1 problem to fix before training: crossentropy_1: /);
    g.undo();
    g.removeNode('crossentropy_1');
    expect(trainBlocker(g.state, g.validation)).toEqual({ phase: 'invalid', message: 'Add a loss node to train.' });
  });
});
