// Linformer attention (nn.MultiHeadAttention with `linformer: { k, maxLen }`): keys and values projected along the
// sequence by learned E, F (k, maxLen), shared by all heads. Shapes and refusals; identity E = F = I (k = T =
// maxLen) reproduces dense attention; float64 finite differences on the CPU at odd sizes; the WebGPU forward and
// every parameter's gradient against the CPU oracle at T = 7 and 33; and a short non-causal training run (each
// token's rank within its sequence) with dense attention's accuracy reported beside it.
//
// Tolerances (|gpu − cpu| ≤ atol + rtol·|cpu|): a chain of float32 matmuls (projection, E/F along ≤ 33 positions,
// attention, output) on O(1) values; gradients sum those products again over B·T rows.
import { beforeAll, describe, expect, test } from 'vitest';
import { init, tensor, randn, cat, gradcheck, noGrad, tidy, dispose, nn, optim, functional as F, ShapeError, type Tensor } from '../engine/index';
import { expectAllClose, rng } from './helpers';

const { MultiHeadAttention, Embedding, Linear, functionalCall } = nn;

const FORWARD = { atol: 2e-5, rtol: 2e-4 };
const GRAD = { atol: 1e-4, rtol: 1e-3 };

beforeAll(async () => {
  await init({ backend: 'webgpu' });
});

const input = (shape: number[], seed: number, device: 'cpu' | 'webgpu'): Tensor => randn(shape, { seed, device });

describe('shapes and refusals', () => {
  test('output (B, T, E), weights (B, H, T, k), E and F are (k, maxLen) parameters after the others', async () => {
    const mha = new MultiHeadAttention(8, 2, { seed: 1, device: 'cpu', linformer: { k: 3, maxLen: 9 } });
    expect(mha.namedParameters().map(([n, p]) => `${n}:${p.shape.join('x')}`)).toEqual([
      'in_proj_weight:24x8', 'in_proj_bias:24', 'linformerE:3x9', 'linformerF:3x9', 'out_proj.weight:8x8', 'out_proj.bias:8',
    ]);
    const x = input([2, 7, 8], 2, 'cpu');
    const r = noGrad(() => mha.attend(x, { needWeights: true }));
    expect(r.output.shape).toEqual([2, 7, 8]);
    expect(r.weights!.shape).toEqual([2, 2, 7, 3]);
    // Cross-attention: 4 queries over 9 keys (= maxLen), and RoPE (rotating before the projection) runs too.
    const mem = input([2, 9, 8], 3, 'cpu');
    expect(noGrad(() => mha.attend(x.slice(1, 0, 4), { key: mem, value: mem })).output.shape).toEqual([2, 4, 8]);
    const rope = new MultiHeadAttention(8, 2, { seed: 1, device: 'cpu', positional: 'rope', linformer: { k: 3, maxLen: 9 } });
    expect(noGrad(() => rope.forward(x)).shape).toEqual([2, 7, 8]);
    // The defaults are unchanged: no linformer, no E or F.
    expect(new MultiHeadAttention(8, 2, { seed: 1, device: 'cpu' }).namedParameters().map(([n]) => n)).not.toContain('linformerE');
    dispose([r, x, mem, mha.parameters(), rope.parameters()]);
  });

  test('causal, masks, a cache, T > maxLen, position biases (ALiBi, T5) and bad sizes are refused with the reason', () => {
    const mha = new MultiHeadAttention(8, 2, { seed: 1, linformer: { k: 3, maxLen: 6 }, device: 'cpu' });
    const x = input([1, 5, 8], 4, 'cpu');
    expect(() => mha.attend(x, { causal: true })).toThrow(/cannot be causal: its projection mixes future positions into every key/);
    expect(() => mha.attend(x, { attnMask: tensor(new Int32Array(25).fill(1), [5, 5], { device: 'cpu' }) })).toThrow(/no attnMask.*causal mask would leak the future/);
    expect(() => mha.attend(x, { keyPaddingMask: tensor(new Int32Array(5), [1, 5], { device: 'cpu' }) })).toThrow(/no keyPaddingMask/);
    expect(() => mha.attend(x, { cache: new nn.KVCache() })).toThrow(/no KV cache/);
    const long = input([1, 7, 8], 5, 'cpu');
    expect(() => mha.forward(long)).toThrow(ShapeError);
    expect(() => mha.forward(long)).toThrow(/sequence length 7 exceeds its maxLen 6/);
    expect(() => new MultiHeadAttention(8, 2, { linformer: { k: 3, maxLen: 6 }, positional: 'alibi' })).toThrow(/cannot use positional 'alibi': its bias needs key positions/);
    expect(() => new MultiHeadAttention(8, 2, { linformer: { k: 3, maxLen: 6 }, positional: 't5' })).toThrow(/cannot use positional 't5'/);
    expect(() => new MultiHeadAttention(8, 2, { linformer: { k: 0, maxLen: 6 } })).toThrow(/positive integers, got k=0, maxLen=6/);
    dispose([x, long, mha.parameters()]);
  });
});

describe('against dense attention and finite differences (CPU)', () => {
  test('with E = F = I (k = T = maxLen) it is dense attention', async () => {
    const T = 6;
    const lin = new MultiHeadAttention(8, 2, { seed: 7, device: 'cpu', linformer: { k: T, maxLen: T } });
    const dense = new MultiHeadAttention(8, 2, { seed: 7, device: 'cpu' }); // the same seed: the same projections
    const eye = new Float32Array(T * T);
    for (let i = 0; i < T; i++) eye[i * T + i] = 1;
    lin.linformerE!.dispose();
    lin.linformerF!.dispose();
    lin.linformerE = tensor(eye, [T, T], { device: 'cpu', requiresGrad: true });
    lin.linformerF = tensor(eye, [T, T], { device: 'cpu', requiresGrad: true });
    const x = input([2, T, 8], 8, 'cpu');
    const [a, b] = noGrad(() => [lin.forward(x), dense.forward(x)]);
    expectAllClose(await a.toArray(), await b.toArray(), FORWARD, 'identity Linformer vs dense');
    dispose([a, b, x, lin.parameters(), dense.parameters()]);
  });

  test('gradcheck: the input and every parameter, E and F included (B = 2, T = 5 of maxLen 7, k = 3; cross-attention 3 over 7)', async () => {
    const x = input([2, 5, 6], 9, 'cpu');
    const mem = input([2, 7, 6], 10, 'cpu');
    const self = new MultiHeadAttention(6, 2, { seed: 11, device: 'cpu', linformer: { k: 3, maxLen: 7 } });
    const params = self.parameters();
    const check = async (inputs: Tensor[], fn: (...xs: Tensor[]) => Tensor) => {
      const n = inputs.length;
      const r = await gradcheck((...all) => functionalCall(self, all.slice(n), () => fn(...all.slice(0, n))), [...inputs, ...params], {
        atol: 1e-3, rtol: 1e-2, maxSamples: 12,
      });
      expect(r.ok).toBe(true);
      expect(r.checked).toBeGreaterThan(60);
    };
    await check([x], (a) => self.forward(a));
    await check([x.slice(1, 0, 3), mem], (a, m) => self.attend(a, { key: m, value: m }).output);
    dispose([x, mem, params]);
  });
});

describe('WebGPU against the CPU oracle', () => {
  for (const T of [7, 33]) {
    test(`T = ${T}: forward and the gradients of the input, E, F, the in- and out-projections`, async () => {
      const cfg = { seed: 20 + T, linformer: { k: 5, maxLen: 40 } };
      const run = async (device: 'cpu' | 'webgpu') => {
        const mha = new MultiHeadAttention(16, 2, { ...cfg, device });
        const x = tensor((await input([3, T, 16], T, 'cpu').toArray()) as Float32Array, [3, T, 16], { device, requiresGrad: true });
        const out = mha.forward(x);
        const g = randn(out.shape, { seed: 99, device });
        tidy(() => out.mul(g).sum()).backward();
        const got = {
          out: await out.toArray(), x: await x.grad!.toArray(), E: await mha.linformerE!.grad!.toArray(), F: await mha.linformerF!.grad!.toArray(),
          in: await mha.in_proj_weight.grad!.toArray(), outW: await mha.out_proj.weight.grad!.toArray(),
        };
        dispose([out, g, x, x.grad, mha.parameters().map((p) => p.grad), mha.parameters()]);
        return got;
      };
      const [gpu, cpu] = [await run('webgpu'), await run('cpu')];
      expectAllClose(gpu.out, cpu.out, FORWARD, `T=${T} forward`);
      for (const key of ['x', 'E', 'F', 'in', 'outW'] as const) expectAllClose(gpu[key], cpu[key], GRAD, `T=${T} d${key}`);
      // Columns T… of E and F never touch this sequence: their gradient is exactly 0.
      for (let r = 0; r < 5; r++) for (let c = T; c < 40; c++) expect(gpu.E[r * 40 + c]).toBe(0);
    });
  }
});

// ---- a short non-causal task: each token's rank in its sequence ----
// Sequences of L distinct tokens from V; the target at each position is how many tokens of the sequence are
// smaller. It needs every position (the whole set) at every query, so it cannot be done causally; Linformer's
// k < L rows must carry the set, which mean-pooling over the projected values can.
const V = 16;
const L = 8;
const STEPS = 50;

function rankBatch(n: number, seed: number): { x: Int32Array; y: Int32Array } {
  const r = rng(seed);
  const x = new Int32Array(n * L);
  const y = new Int32Array(n * L);
  for (let b = 0; b < n; b++) {
    const pool = Array.from({ length: V }, (_, i) => i);
    for (let i = V - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    const seq = pool.slice(0, L);
    for (let t = 0; t < L; t++) {
      x[b * L + t] = seq[t];
      y[b * L + t] = seq.filter((s) => s < seq[t]).length;
    }
  }
  return { x, y };
}

class RankModel extends nn.Module {
  embed: nn.Embedding;
  attn: nn.MultiHeadAttention;
  hidden: nn.Linear;
  head: nn.Linear;

  constructor(linformer: boolean) {
    super();
    const E = 32;
    this.embed = new Embedding(V, E, { seed: 1, device: 'cpu' });
    this.attn = new MultiHeadAttention(E, 2, { seed: 2, device: 'cpu', ...(linformer ? { linformer: { k: 4, maxLen: L } } : {}) });
    this.hidden = new Linear(2 * E, 64, { seed: 3, device: 'cpu' });
    this.head = new Linear(64, L, { seed: 4, device: 'cpu' });
  }

  /** (B, L) token ids → (B, L, L) logits over ranks. */
  forward(ids: Tensor): Tensor {
    const e = this.embed.forward(ids); // (B, L, E)
    const h = cat([e, this.attn.forward(e)], 2); // (B, L, 2E): the token beside what it gathered
    return this.head.forward(this.hidden.forward(h).relu());
  }
}

async function trainRank(linformer: boolean): Promise<number> {
  const model = new RankModel(linformer);
  const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
  const B = 16;
  for (let step = 0; step < STEPS; step++) {
    const { x, y } = rankBatch(B, 1000 + step);
    const ids = tensor(x, [B, L], { device: 'cpu' });
    const targets = tensor(y, [B * L], { device: 'cpu' });
    const loss = tidy(() => F.crossEntropy(model.forward(ids).reshape([B * L, L]), targets));
    loss.backward();
    opt.step();
    model.zeroGrad();
    dispose([ids, targets, loss]);
  }
  const n = 200;
  const { x, y } = rankBatch(n, 7); // held out: seeds 1000… trained
  const ids = tensor(x, [n, L], { device: 'cpu' });
  const pred = await noGrad(() => model.forward(ids).argmax(-1)).toArray(); // (n, L)
  let right = 0;
  for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) right++;
  dispose([ids, model.parameters()]);
  return right / y.length;
}

describe('training', () => {
  test(`Linformer (k = 4 < L = 8) learns each token's rank in ${STEPS} steps (held-out accuracy > 0.6; chance 1/8); dense reported beside it`, async () => {
    const lin = await trainRank(true);
    const dense = await trainRank(false);
    console.log(`rank task, held-out per-token accuracy after ${STEPS} steps: linformer k=4 ${lin.toFixed(3)}, dense ${dense.toFixed(3)}`);
    expect(lin).toBeGreaterThan(0.6);
  });
});
