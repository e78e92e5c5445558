// nn modules: parameter discovery and names, PyTorch's initialisation bounds, train/eval, state dicts,
// toString, and gradient checks of each module's forward.
import { beforeAll, describe, expect, test } from 'vitest';
import { init, nn, tensor, randn, gradcheck, dispose, type Tensor } from '../engine/index';
import { randInts } from './helpers';

beforeAll(async () => {
  await init({ backend: 'webgpu' });
});

const REDUCING = { atol: 5e-4, rtol: 5e-3 };

describe('Module', () => {
  test('named parameters follow declaration order with dotted names', () => {
    const m = new nn.MLP([4, 8, 3], { seed: 1 });
    expect(m.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([
      ['0.weight', [8, 4]],
      ['0.bias', [8]],
      ['2.weight', [3, 8]],
      ['2.bias', [3]],
    ]);
    expect(m.numParameters()).toBe(8 * 4 + 8 + 3 * 8 + 3);
  });

  test('Linear uses PyTorch default init: U(±1/√in) for weight and bias', async () => {
    const lin = new nn.Linear(100, 50, { seed: 2 });
    const w = await lin.weight.toArray();
    const b = await lin.bias!.toArray();
    const bound = 1 / Math.sqrt(100);
    expect(Math.max(...Array.from(w).map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...Array.from(w).map(Math.abs))).toBeGreaterThan(bound * 0.95);
    expect(Math.max(...Array.from(b).map(Math.abs))).toBeLessThanOrEqual(bound);
    // Seeded: the same seed gives the same weights.
    expect(Array.from(await new nn.Linear(100, 50, { seed: 2 }).weight.toArray())).toEqual(Array.from(w));
  });

  test('Linear computes x Wᵀ + b and rejects a wrong input width', async () => {
    const lin = new nn.Linear(3, 2, { seed: 3 });
    const x = randn([5, 3], { seed: 4, device: 'webgpu' });
    const want = x.matmul(lin.weight.transpose(0, 1)).add(lin.bias!);
    const got = lin.forward(x);
    expect(Array.from(await got.toArray())).toEqual(Array.from(await want.toArray()));
    expect(() => lin.forward(randn([5, 4], { device: 'webgpu' }))).toThrow(/input \[5, 4\] must end in 3/);
  });

  test('stateDict and loadStateDict round-trip, in place, and refuse mismatches without writing', async () => {
    const a = new nn.MLP([3, 4, 2], { seed: 5 });
    const b = new nn.MLP([3, 4, 2], { seed: 6 });
    const before = await b.parameters()[0].toArray();
    expect(() => b.loadStateDict({ ...a.stateDict(), extra: tensor([1]) })).toThrow(/unexpected extra/);
    const partial = a.stateDict();
    delete partial['0.bias'];
    expect(() => b.loadStateDict(partial)).toThrow(/missing 0\.bias/);
    const wrong = { ...a.stateDict(), '0.weight': randn([2, 2], { device: 'webgpu' }) };
    expect(() => b.loadStateDict(wrong)).toThrow(/0\.weight has shape \[2, 2\], expected \[4, 3\]/);
    expect(Array.from(await b.parameters()[0].toArray())).toEqual(Array.from(before)); // nothing written
    const param = b.parameters()[0];
    b.loadStateDict(a.stateDict());
    expect(b.parameters()[0]).toBe(param); // the same tensor object, updated in place
    const x = randn([2, 3], { seed: 7, device: 'webgpu' });
    expect(Array.from(await b.forward(x).toArray())).toEqual(Array.from(await a.forward(x).toArray()));
  });

  test('train() and eval() switch Dropout, and Dropout is seeded and scales by 1/(1-p)', async () => {
    const d = new nn.Dropout(0.5, { seed: 8 });
    const x = tensor(new Float32Array(1000).fill(1), [1000], { device: 'webgpu' });
    const y = await d.forward(x).toArray();
    const kept = Array.from(y).filter((v) => v !== 0);
    expect(kept.every((v) => v === 2)).toBe(true);
    expect(kept.length).toBeGreaterThan(400);
    expect(kept.length).toBeLessThan(600);
    const m = new nn.Sequential(new nn.Linear(4, 4, { seed: 9 }), d);
    m.eval();
    expect(d.training).toBe(false);
    expect(Array.from(await d.forward(x).toArray()).every((v) => v === 1)).toBe(true);
    m.train();
    expect(d.training).toBe(true);
  });

  test('toString lists the tree with parameter counts', () => {
    const s = new nn.MLP([2, 8, 1], { activation: 'tanh', seed: 10 }).toString();
    expect(s).toContain('(0): Linear(in=2, out=8, bias=true)  # 24 params');
    expect(s).toContain('(1): Tanh()');
    expect(s).toContain('(2): Linear(in=8, out=1, bias=true)  # 9 params');
    expect(s).toContain('Total parameters: 33');
  });

  test('zeroGrad drops every gradient', () => {
    const m = new nn.Linear(3, 2, { seed: 11 });
    m.forward(randn([4, 3], { device: 'webgpu' })).sum().backward();
    expect(m.weight.grad).not.toBeNull();
    m.zeroGrad();
    expect(m.parameters().every((p) => p.grad === null)).toBe(true);
  });
});

describe('gradcheck of modules', () => {
  /**
   * A function of (x, ...params) that runs a module's forward with its own parameter fields swapped for
   * gradcheck's inputs (gradcheck re-runs it on the CPU with float64 copies).
   */
  function withParams(m: nn.Module, call: (x: Tensor) => Tensor): (x: Tensor, ...ps: Tensor[]) => Tensor {
    const fields = m.namedParameters().map(([n]) => n);
    const slots = m as unknown as Record<string, Tensor>;
    return (x, ...ps) => {
      const saved = fields.map((f) => slots[f]);
      fields.forEach((f, i) => (slots[f] = ps[i]));
      try {
        return call(x);
      } finally {
        fields.forEach((f, i) => (slots[f] = saved[i]));
      }
    };
  }

  test('Linear, LayerNorm, Embedding, MLP with GELU', async () => {
    const lin = new nn.Linear(5, 3, { seed: 12 });
    await gradcheck(withParams(lin, (x) => lin.forward(x)), [randn([4, 5], { seed: 13, device: 'webgpu' }), ...lin.parameters()], REDUCING);
    const ln = new nn.LayerNorm(7);
    await gradcheck(withParams(ln, (x) => ln.forward(x)), [randn([3, 7], { seed: 14, device: 'webgpu' }), ...ln.parameters()], REDUCING);
    const mlp = new nn.MLP([4, 6, 2], { activation: 'gelu', seed: 15 });
    const layers = (mlp as unknown as { layers: nn.Module[] }).layers;
    const l0 = layers[0] as nn.Linear;
    const l2 = layers[2] as nn.Linear;
    await gradcheck(
      (x, w0, b0, w2, b2) => x.matmul(w0.transpose(0, 1)).add(b0).gelu().matmul(w2.transpose(0, 1)).add(b2),
      [randn([3, 4], { seed: 16, device: 'webgpu' }), l0.weight, l0.bias!, l2.weight, l2.bias!],
      REDUCING,
    );
    const emb = new nn.Embedding(10, 4, { seed: 17 });
    const idx = tensor(randInts(6, 18, 0, 10), [2, 3], { device: 'webgpu' });
    await gradcheck((w, i) => { const old = emb.weight; emb.weight = w; try { return emb.forward(i); } finally { emb.weight = old; } }, [emb.weight, idx], REDUCING);
    dispose([lin.parameters(), ln.parameters(), mlp.parameters(), emb.parameters()]);
  });
});
