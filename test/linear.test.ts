// F.linear (act(x Wᵀ + b) in one matmul kernel, W read transposed in place) and matmul on strided views, through
// the op layer: forward values and every gradient on the WebGPU device against the CPU oracle at odd sizes, with
// each fused activation; gradcheck of the fused ops; and what autograd keeps for the backward.
import { beforeAll, describe, expect, test } from 'vitest';
import { init, tensor, randn, gradcheck, graphStats, tidy, functional as F, type Tensor, type DeviceName } from '../engine/index';
import type { MatmulActivation } from '../engine/backend/backend';
import { linear } from '../engine/ops/matmul';
import { expectAllClose, randArray } from './helpers';

beforeAll(async () => {
  // Fails (never skips) with NoAdapterError, which says how to install an adapter, when there is none.
  await init({ backend: 'webgpu' });
});

/** float32 sums over K on the GPU against double sums on the CPU (see matmul.test.ts), with GELU's erf error. */
const tol = (k: number) => ({ atol: 1e-4 * Math.sqrt(Math.max(k, 1)), rtol: 1e-4 });
const ACTS: MatmulActivation[] = ['none', 'relu', 'gelu', 'geluTanh', 'tanh', 'sigmoid'];

interface Run {
  out: Float32Array;
  grads: Float32Array[];
}

/** Builds inputs from host data on `device`, runs f, backpropagates a fixed upstream gradient and reads it all. */
async function run(device: DeviceName, hosts: Array<{ data: Float32Array; shape: number[] }>, f: (...xs: Tensor[]) => Tensor): Promise<Run> {
  const xs = hosts.map((h) => tensor(h.data, h.shape, { device, requiresGrad: true }));
  const y = f(...xs);
  const g = tensor(randArray(y.numel, 99), y.shape, { device });
  y.backward(g);
  const r = { out: (await y.toArray()) as Float32Array, grads: (await Promise.all(xs.map((x) => x.grad!.toArray()))) as Float32Array[] };
  for (const t of [...xs.map((x) => x.grad!), ...xs, y, g]) t.dispose();
  return r;
}

async function compareDevices(hosts: Array<{ data: Float32Array; shape: number[] }>, f: (...xs: Tensor[]) => Tensor, k: number, what: string): Promise<void> {
  const [got, want] = [await run('webgpu', hosts, f), await run('cpu', hosts, f)];
  expectAllClose(got.out, want.out, tol(k), `${what}: forward`);
  // The gradients sum over the rows too (dW, db), and over the outputs (dx).
  got.grads.forEach((gr, i) => expectAllClose(gr, want.grads[i], tol(4 * k), `${what}: gradient of input ${i}`));
}

const host = (shape: number[], seed: number) => ({ data: randArray(shape.reduce((a, b) => a * b, 1), seed), shape });

describe('F.linear on WebGPU vs the CPU backend, forward and backward', () => {
  test('odd sizes (1, 7, 33, 257) in every position, with and without a bias', async () => {
    let seed = 1;
    for (const [rows, inF, outF] of [[1, 7, 33], [7, 33, 1], [33, 257, 7], [257, 1, 33], [7, 7, 257], [33, 33, 33]]) {
      const [x, w, b] = [host([rows, inF], seed++), host([outF, inF], seed++), host([outF], seed++)];
      await compareDevices([x, w, b], (xt, wt, bt) => linear(xt, wt, bt), inF, `(${rows}, ${inF}) → ${outF}`);
      await compareDevices([x, w], (xt, wt) => linear(xt, wt), inF, `(${rows}, ${inF}) → ${outF}, no bias`);
    }
  });

  test('every fused activation, a 3-D input, and a weight that is itself a transposed view', async () => {
    let seed = 50;
    for (const act of ACTS) {
      const [x, w, b] = [host([3, 11, 33], seed++), host([36, 33], seed++), host([36], seed++)];
      await compareDevices([x, w, b], (xt, wt, bt) => linear(xt, wt, bt, act), 33, `activation ${act}`);
    }
    // W given as the transpose of an (in, out) tensor: x @ (Vᵀ)ᵀ reads V row-major.
    const [x, v, b] = [host([7, 20], 70), host([20, 12], 71), host([12], 72)];
    await compareDevices([x, v, b], (xt, vt, bt) => linear(xt, vt.transpose(0, 1), bt, 'tanh'), 20, 'transposed weight');
  });

  test('matmul on transposed, sliced and head-split views, broadcast batches', async () => {
    const [a, b] = [host([33, 7], 80), host([40, 33], 81)];
    await compareDevices([a, b], (at, bt) => at.transpose(0, 1).matmul(bt.slice(0, 3, 36).transpose(0, 1)), 33, 'Aᵀ @ B[3:36]ᵀ');
    // q, k (B, H, T, d) as views of (B, T, H, d): Q Kᵀ with batch dims that cannot merge.
    const [q, k] = [host([2, 9, 3, 8], 82), host([2, 9, 3, 8], 83)];
    await compareDevices([q, k], (qt, kt) => qt.permute(0, 2, 1, 3).matmul(kt.permute(0, 2, 3, 1)), 8, 'Q Kᵀ, head-split');
    const [x, w] = [host([4, 5, 7], 84), host([7, 6], 85)];
    await compareDevices([x, w], (xt, wt) => xt.matmul(wt), 7, '(4, 5, 7) @ (7, 6): rows folded into one product');
    await compareDevices([x, w], (xt, wt) => xt.transpose(0, 1).matmul(wt), 7, '(5, 4, 7) view @ (7, 6)');
  });
});

describe('gradcheck of the fused ops', () => {
  const TOL = { atol: 5e-4, rtol: 5e-3 };
  for (const act of ACTS) {
    test(`linear + ${act}`, async () => {
      // Inputs away from relu's kink at 0, where the derivative is one-sided.
      const x = tidy(() => {
        const r = randn([5, 7], { seed: 3, device: 'webgpu' });
        return act === 'relu' ? r.add(r.sign().mul(0.1)) : r;
      });
      const w = randn([6, 7], { seed: 4, device: 'webgpu' }).mul(0.05);
      const b = randn([6], { seed: 5, device: 'webgpu' }).mul(0.01);
      await gradcheck((xt, wt, bt) => linear(xt, wt, bt, act), [x, w, b], TOL);
    });
  }
  test('gelu with approximate: tanh, as an op', async () => {
    const x = randn([7, 33], { seed: 6, device: 'webgpu' }).mul(2);
    await gradcheck((a) => a.gelu({ approximate: 'tanh' }), [x], { atol: 1e-4, rtol: 1e-3 });
    await gradcheck((a) => F.gelu(a, { approximate: 'tanh' }), [x], { atol: 1e-4, rtol: 1e-3 });
  });
});

describe('what autograd keeps for the backward', () => {
  const leaf = (shape: number[], seed: number) => randn(shape, { seed, device: 'webgpu', requiresGrad: true });
  const savedStorages = (t: Tensor) => t.gradFn!.saved.map((s) => s.storage);

  test('each rule saves what it reads: the output, the input, the other operand, or nothing', () => {
    const [a, b] = [leaf([4, 5], 1), leaf([4, 5], 2)];
    const c = randn([4, 5], { seed: 3, device: 'webgpu' }); // needs no gradient
    const exp = a.exp();
    expect(savedStorages(exp)).toEqual([exp.storage]); // d eˣ = eˣ: the output only
    expect(savedStorages(a.add(b))).toEqual([]); // add and sub read nothing
    expect(savedStorages(a.mul(2))).toEqual([]); // a scalar is a constant of the rule
    expect(savedStorages(a.log())).toEqual([a.storage]); // the input only
    expect(savedStorages(a.mul(c))).toEqual([c.storage]); // only c, which a's gradient reads
    expect(savedStorages(c.mul(b))).toEqual([c.storage]);
    const r = a.relu();
    expect(savedStorages(r)).toEqual([r.storage]); // relu' from its output
    const y = linear(c, a.transpose(0, 1).contiguous().transpose(0, 1)); // W needs a gradient, x does not
    expect(y.gradFn!.saved).toHaveLength(1); // x for dW = gᵀ x; W itself is not kept
    expect(y.gradFn!.saved[0].storage).toBe(c.storage);
  });

  test('graphStats counts a storage saved by two rules once', () => {
    const x = leaf([8, 16], 4);
    const w = leaf([3, 16], 5);
    const h = x.relu(); // saves h
    const y = linear(h, w); // saves h again (as a (rows, in) view, for dW) and w (for dx)
    const s = graphStats(y);
    expect([s.nodes, s.savedTensors]).toEqual([2, 3]);
    expect(s.savedBytes).toBe(h.storage.numel * 4 + w.storage.numel * 4);
  });
});
