// nn.SelectiveSSM, nn.CausalConv1d, nn.SSMBlock and nn.SSMLanguageModel (engine/nn/ssm.ts): the layer against a
// step-by-step reference written here in doubles, float64 finite differences for every parameter and the input,
// the WebGPU path (functional.scan's parallel scan among the rest) against the CPU at an odd size, a short
// training run with a stated threshold, state-dict round trips and bad input.
//
// GPU tolerance: |gpu − cpu| ≤ 1e−4 · max|cpu| + 1e−3 · |cpu| per tensor compared. Both run float32, but the
// GPU's matmuls, sums and scan group their additions differently; through a block (LayerNorm, 3 projections, the
// conv, the gates and a scan of T = 33) each element carries a few hundred roundings of ~6e−8. Measured here the
// worst excess over max|cpu| was ~1e−6; the bound leaves a wide margin without hiding a wrong index or a lost term
// (those move elements by O(max|cpu|)).
import { beforeAll, describe, expect, test } from 'vitest';
import { init, tensor, gradcheck, dispose, noGrad, tidy, nn, optim, type Tensor } from '../engine/index';
import { expectAllClose, randArray } from './helpers';
import { flaggedRecall } from '../engine/data/recall';

const { SelectiveSSM, CausalConv1d, SSMBlock, SSMLanguageModel } = nn;

beforeAll(async () => {
  // Rejects with NoAdapterError (saying how to install one) when there is no adapter: the GPU tests then fail.
  await init({ backend: 'webgpu' });
});

const cpu = (data: Float32Array | Int32Array, shape: number[], requiresGrad = false): Tensor => tensor(data, shape, { device: 'cpu', requiresGrad });
const read = async (t: Tensor): Promise<Float64Array> => Float64Array.from((await t.toArray()) as Float32Array);

/**
 * The selective SSM written as the paper states it, one step at a time in doubles: u (B, T, E) → y (B, T, E).
 * Shares nothing with the layer but its parameters.
 */
async function referenceSSM(layer: InstanceType<typeof SelectiveSSM>, u: Float64Array, B: number, T: number): Promise<Float64Array> {
  const E = layer.dim;
  const N = layer.stateSize;
  const R = layer.dtRank;
  const Wx = await read(layer.x_proj.weight); // (R + 2N, E)
  const Wdt = await read(layer.dt_proj.weight); // (E, R)
  const bdt = await read(layer.dt_proj.bias!); // (E)
  const Alog = await read(layer.A_log); // (E, N)
  const D = await read(layer.D); // (E)
  const y = new Float64Array(B * T * E);
  for (let b = 0; b < B; b++) {
    const h = new Float64Array(E * N); // the state, zero before t = 0
    for (let t = 0; t < T; t++) {
      const ut = u.subarray((b * T + t) * E, (b * T + t + 1) * E);
      const dbc = new Float64Array(R + 2 * N);
      for (let j = 0; j < R + 2 * N; j++) for (let e = 0; e < E; e++) dbc[j] += Wx[j * E + e] * ut[e];
      for (let e = 0; e < E; e++) {
        let z = bdt[e];
        for (let r = 0; r < R; r++) z += Wdt[e * R + r] * dbc[r];
        const delta = Math.log1p(Math.exp(z));
        let out = D[e] * ut[e];
        for (let n = 0; n < N; n++) {
          const A = -Math.exp(Alog[e * N + n]);
          h[e * N + n] = Math.exp(delta * A) * h[e * N + n] + delta * dbc[R + n] * ut[e];
          out += dbc[R + N + n] * h[e * N + n];
        }
        y[(b * T + t) * E + e] = out;
      }
    }
  }
  return y;
}

describe('the layer on the CPU', () => {
  test('SelectiveSSM equals the step-by-step recurrence written in doubles', async () => {
    const [B, T, E] = [2, 9, 5];
    const layer = new SelectiveSSM(E, { stateSize: 3, dtRank: 2, seed: 3, device: 'cpu' });
    // Larger Δ than the default init, so that a_t spans (0, 1) and the states both forget and remember.
    layer.dt_proj.bias!.dispose();
    layer.dt_proj.bias = cpu(randArray(E, 9, -2, 1), [E], true);
    const host = randArray(B * T * E, 4);
    const u = cpu(host, [B, T, E]);
    const y = await noGrad(() => layer.forward(u)).toArray();
    const want = await referenceSSM(layer, Float64Array.from(host), B, T);
    expectAllClose(y, want, { atol: 1e-5, rtol: 1e-5 }, 'SelectiveSSM vs reference');
    // Not vacuous: the state matters, so y is not the skip D ⊙ u alone.
    expect(want.some((v, i) => Math.abs(v - host[i]) > 1e-2)).toBe(true); // D = 1 at init
    dispose([u, layer.parameters()]);
  });

  test('CausalConv1d: y_t[c] = bias[c] + Σ_k w[c, k] x_{t−3+k}[c], zeros before t = 0', async () => {
    const [B, T, C, K] = [2, 6, 3, 4];
    const conv = new CausalConv1d(C, K, { seed: 2, device: 'cpu' });
    const host = randArray(B * T * C, 5);
    const y = await noGrad(() => conv.forward(cpu(host, [B, T, C]))).toArray();
    const w = await read(conv.weight);
    const bias = await read(conv.bias);
    const want = new Float64Array(B * T * C);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        for (let c = 0; c < C; c++) {
          let s = bias[c];
          for (let k = 0; k < K; k++) {
            const src = t - (K - 1) + k;
            if (src >= 0) s += w[c * K + k] * host[(b * T + src) * C + c];
          }
          want[(b * T + t) * C + c] = s;
        }
      }
    }
    expectAllClose(y, want, { atol: 1e-6, rtol: 1e-5 }, 'CausalConv1d vs loops');
    dispose(conv.parameters());
  });

  test('the language model is causal: changing token t changes no logit before t', async () => {
    const model = new SSMLanguageModel({ vocabSize: 7, dModel: 4, nLayer: 2, stateSize: 2, seed: 1, device: 'cpu' });
    const T = 8;
    const ids = Int32Array.from({ length: T }, (_, i) => i % 7);
    const a = await noGrad(() => model.forward(cpu(ids, [1, T]))).toArray();
    ids[5] = (ids[5] + 3) % 7;
    const b = await noGrad(() => model.forward(cpu(ids, [1, T]))).toArray();
    expectAllClose(b.slice(0, 5 * 7), a.slice(0, 5 * 7), { atol: 0, rtol: 0 }, 'logits before t = 5');
    expect(b.slice(5 * 7).some((v, i) => v !== a[5 * 7 + i])).toBe(true);
    dispose(model.parameters());
  });
});

describe('gradients by float64 finite differences', () => {
  test('SelectiveSSM: every parameter and the input', async () => {
    const [B, T, E] = [2, 5, 3];
    const layer = new SelectiveSSM(E, { stateSize: 2, dtRank: 1, seed: 7, device: 'cpu' });
    const params = layer.parameters();
    const u = cpu(randArray(B * T * E, 8), [B, T, E]);
    const r = await gradcheck((x, ...ps) => nn.functionalCall(layer, ps, () => layer.forward(x)), [u, ...params]);
    expect(r.ok, `worst |analytic − numeric| ${r.maxAbsErr}`).toBe(true);
    expect(r.checked).toBe(u.numel + params.reduce((n, p) => n + p.numel, 0));
    dispose([u, params]);
  });

  test('SSMBlock (norm, in_proj, conv1d, gates, SSM, out_proj, residual): every parameter and the input', async () => {
    const [B, T, d] = [1, 6, 3];
    const block = new SSMBlock(d, { stateSize: 2, dtRank: 1, seed: 11, device: 'cpu' });
    const params = block.parameters();
    const x = cpu(randArray(B * T * d, 12), [B, T, d]);
    const r = await gradcheck((x0, ...ps) => nn.functionalCall(block, ps, () => block.forward(x0)), [x, ...params], { maxSamples: 24 });
    expect(r.ok, `worst |analytic − numeric| ${r.maxAbsErr}`).toBe(true);
    dispose([x, params]);
  });
});

describe('WebGPU against the CPU', () => {
  test('SSMLanguageModel at B=2, T=33, d=7 (E=14, N=5): logits and every parameter gradient', async () => {
    const [B, T, V] = [2, 33, 11];
    const config = { vocabSize: V, dModel: 7, nLayer: 2, stateSize: 5, seed: 21 };
    const ids = Int32Array.from(randArray(B * T, 22, 0, V), Math.floor);
    const g = randArray(B * T * V, 23);
    const run = async (device: 'cpu' | 'webgpu') => {
      const model = new SSMLanguageModel({ ...config, device });
      // Larger Δ than the default init, so the scan's coefficients spread over (0, 1).
      for (const l of model.layers) {
        l.ssm.dt_proj.bias!.dispose();
        l.ssm.dt_proj.bias = tensor(randArray(14, 24, -2, 1), [14], { device, requiresGrad: true });
      }
      const logits = model.forward(tensor(ids, [B, T], { device }));
      logits.backward(tensor(g, [B, T, V], { device }));
      const out = { logits: (await logits.toArray()) as Float32Array, grads: new Map<string, Float32Array>() };
      for (const [name, p] of model.namedParameters()) out.grads.set(name, (await p.grad!.toArray()) as Float32Array);
      dispose([logits, model.parameters(), model.parameters().map((p) => p.grad)]);
      return out;
    };
    const want = await run('cpu');
    const got = await run('webgpu');
    const near = (a: Float32Array, e: Float32Array, what: string) =>
      expectAllClose(a, e, { atol: 1e-4 * e.reduce((m, v) => Math.max(m, Math.abs(v)), 0), rtol: 1e-3 }, what);
    near(got.logits, want.logits, 'logits');
    expect(got.grads.size).toBe(25);
    for (const [name, e] of want.grads) near(got.grads.get(name)!, e, `d ${name}`);
  });
});

/**
 * Flagged recall (engine/data/recall.ts, shared with the comparison recipe) drawn from the test's seeded stream: the
 * model has to write the flagged token into its state (Δ large) and then hold it (Δ small) while ignoring the noise.
 */
function recallBatch(B: number, T: number, seed: number): { x: Int32Array; y: Int32Array } {
  // T + 1 uniform numbers per row (T symbols, then the marker's position), as flaggedRecall draws them.
  const r = randArray(B * (T + 1), seed, 0, 1);
  let k = 0;
  return flaggedRecall(B, T, () => r[k++]);
}

const STEPS = 120;

describe('training', () => {
  // One block suffices: its conv sees (x_{t−1}, x_t), so it can tell the flagged symbol where it stands.
  test(`flagged recall over T = 12: held-out accuracy ≥ 0.9 after ${STEPS} Adam steps on the CPU (chance 0.125)`, async () => {
    const T = 12;
    const B = 12;
    const model = new SSMLanguageModel({ vocabSize: 10, dModel: 16, nLayer: 1, stateSize: 4, seed: 1, device: 'cpu' });
    const opt = new optim.Adam(model.parameters(), { lr: 0.03 });
    for (let step = 0; step < STEPS; step++) {
      const { x, y } = recallBatch(B, T, 100 + step);
      const [ids, targets] = [cpu(x, [B, T]), cpu(y, [B, T])];
      const loss = model.loss(ids, targets);
      loss.backward();
      opt.step();
      model.zeroGrad();
      dispose([ids, targets, loss]);
    }
    const n = 200;
    const { x, y } = recallBatch(n, T, 7); // held out: training used seeds 100 and up
    const pred = await noGrad(() => tidy(() => model.forward(cpu(x, [n, T])).argmax(-1))).toArray();
    let right = 0;
    let total = 0;
    for (let i = 0; i < n * T; i++) {
      if (y[i] < 0) continue;
      total++;
      if (pred[i] === y[i]) right++;
    }
    console.log(`flagged recall, T = ${T}, ${STEPS} steps: held-out accuracy ${(right / total).toFixed(3)} over ${total} positions`);
    expect(right / total).toBeGreaterThanOrEqual(0.9);
    dispose(model.parameters());
  });
});

describe('state dict and bad input', () => {
  test('parameters carry PyTorch-style names, and a state dict loads into a differently seeded model', async () => {
    const config = { vocabSize: 9, dModel: 4, nLayer: 2, stateSize: 3, device: 'cpu' as const };
    const a = new SSMLanguageModel({ ...config, seed: 1 });
    const b = new SSMLanguageModel({ ...config, seed: 2 });
    const block = ['norm.weight', 'norm.bias', 'in_proj.weight', 'conv1d.weight', 'conv1d.bias', 'ssm.x_proj.weight', 'ssm.dt_proj.weight', 'ssm.dt_proj.bias', 'ssm.A_log', 'ssm.D', 'out_proj.weight'];
    const names = ['embedding.weight', ...[0, 1].flatMap((i) => block.map((n) => `layers.${i}.${n}`)), 'norm_f.weight', 'norm_f.bias'];
    expect(Object.keys(a.stateDict()).sort()).toEqual([...names].sort());
    expect(a.stateDict()['layers.1.conv1d.weight'].shape).toEqual([8, 1, 4]);
    expect(a.stateDict()['layers.0.ssm.A_log'].shape).toEqual([8, 3]);
    const ids = cpu(Int32Array.from([1, 5, 8, 0, 2, 7]), [1, 6]);
    const before = await noGrad(() => b.forward(ids)).toArray();
    b.loadStateDict(a.stateDict());
    const loaded = await noGrad(() => b.forward(ids)).toArray();
    const original = await noGrad(() => a.forward(ids)).toArray();
    expect(Array.from(loaded)).toEqual(Array.from(original));
    expect(Array.from(before)).not.toEqual(Array.from(original));
    dispose([ids, a.parameters(), b.parameters()]);
  });

  test('bad input is refused with the owner and the shape named, and the model still runs after', async () => {
    const model = new SSMLanguageModel({ vocabSize: 5, dModel: 4, nLayer: 1, stateSize: 2, seed: 3, device: 'cpu' });
    const ids = cpu(Int32Array.from([1, 2, 3]), [1, 3]);
    const before = await noGrad(() => model.forward(ids)).toArray();
    expect(() => model.forward(cpu(Float32Array.from([1, 2, 3]), [1, 3]))).toThrow(/SSMLanguageModel: ids must be \(B, T\) int32, got \[1, 3\] float32/);
    expect(() => model.forward(cpu(Int32Array.from([1, 2, 3]), [3]))).toThrow(/SSMLanguageModel: ids must be \(B, T\) int32, got \[3\]/);
    expect(() => model.layers[0].forward(cpu(new Float32Array(6), [1, 2, 3]))).toThrow(/SSMBlock: input must be \(B, T, 4\), got \[1, 2, 3\]/);
    expect(() => model.layers[0].ssm.forward(cpu(new Float32Array(8), [2, 4]))).toThrow(/SelectiveSSM: input must be \(B, T, 8\), got \[2, 4\]/);
    expect(() => model.layers[0].ssm.forward(cpu(new Int32Array(8), [1, 1, 8]))).toThrow(/SelectiveSSM: input must be float32, got int32/);
    expect(() => model.layers[0].conv1d.forward(cpu(new Float32Array(7), [1, 1, 7]))).toThrow(/CausalConv1d: input must be \(B, T, 8\), got \[1, 1, 7\]/);
    expect(() => new SSMLanguageModel({ vocabSize: 5, dModel: 0, nLayer: 1 })).toThrow(/SSMLanguageModel: dModel must be a positive integer, got 0/);
    expect(() => new SelectiveSSM(4, { stateSize: 2.5 })).toThrow(/SelectiveSSM: stateSize must be a positive integer, got 2.5/);
    expect(() => new SelectiveSSM(4, { dtMin: 0.1, dtMax: 0.01 })).toThrow(/SelectiveSSM: need 0 < dtMin ≤ dtMax, got dtMin 0.1, dtMax 0.01/);
    expect(() => new CausalConv1d(4, 0)).toThrow(/CausalConv1d: width must be a positive integer, got 0/);
    const after = await noGrad(() => model.forward(ids)).toArray();
    expect(Array.from(after)).toEqual(Array.from(before));
    dispose([ids, model.parameters()]);
  });
});
