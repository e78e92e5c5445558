// Fused scaled-dot-product attention (engine/ops/attention.ts → shaders/attention_*.wgsl) against the CPU
// backend: the forward and all three gradients over head dims 16–128, odd and unequal lengths (1, 7, 129, 1000),
// causal, window, float and boolean masks (broadcast), ALiBi and fully masked rows; float64 finite differences
// on small shapes (sampled entries on larger ones); the returnWeights probe; the composed fallback.
//
// Oracles: the CPU backend's attentionForward/attentionBackward (plain loops over whole score rows in doubles)
// and the composed path on the CPU (matmul → softmax → matmul, differentiated op by op by autograd). The two are
// first checked against each other, so the GPU is compared with something that is right on its own.
//
// Tolerances (|gpu − cpu| ≤ atol + rtol·|cpu|): float32 dot products of length d ≤ 128, an online softmax whose
// rescaling adds a few ulps, and sums over ≤ 1000 keys; inputs are uniform in [−1, 1] (q in [−2, 2], so that
// the softmax is far from uniform) and outputs are O(1).
// | what              | atol | rtol | why                                                                    |
// |-------------------|------|------|------------------------------------------------------------------------|
// | forward           | 2e-5 | 1e-4 | convex combination of v rows, exp/log in float32                       |
// | dq, dk, dv        | 1e-4 | 1e-3 | sums of up to 1000 products P·(dP − D), each rounded in float32        |
// | oracle vs composed| 1e-5 | 1e-4 | both in float32 storage on the CPU, summed in doubles                  |
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { init, tensor, functional, gradcheck, dispose, setDebug, memoryStats, type Tensor } from '../engine/index';
import type { AttentionOptions } from '../engine/functional';
import { expectAllClose, randArray, rng } from './helpers';

const TOL = {
  forward: { atol: 2e-5, rtol: 1e-4 },
  grad: { atol: 1e-4, rtol: 1e-3 },
  oracle: { atol: 1e-5, rtol: 1e-4 },
};

beforeAll(async () => {
  // Rejects with NoAdapterError (saying how to install one) when there is no adapter: every test here fails.
  await init({ backend: 'webgpu' });
});

afterAll(() => setDebug(false));

type Device = 'cpu' | 'webgpu';

interface Case {
  name: string;
  B: number;
  H: number;
  Tq: number;
  Tk: number;
  d: number;
  causal?: boolean;
  window?: number;
  /** A float mask (with some −∞) or a boolean int32 mask of this shape. */
  mask?: { kind: 'float' | 'bool'; shape: number[]; emptyRows?: boolean };
  alibi?: boolean;
  scale?: number;
}

interface Host {
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  g: Float32Array; // upstream gradient (B, H, Tq, d)
  mask: Float32Array | Int32Array | null;
  slopes: Float32Array | null;
}

function hostInputs(c: Case, seed: number): Host {
  const nq = c.B * c.H * c.Tq * c.d;
  const nk = c.B * c.H * c.Tk * c.d;
  let mask: Float32Array | Int32Array | null = null;
  if (c.mask) {
    const n = c.mask.shape.reduce((a, b) => a * b, 1);
    const r = rng(seed + 7);
    const Tk = c.mask.shape[c.mask.shape.length - 1];
    if (c.mask.kind === 'float') {
      const m = new Float32Array(n);
      for (let i = 0; i < n; i++) m[i] = r() < 0.15 ? -Infinity : 4 * r() - 2;
      if (c.mask.emptyRows) for (let i = 0; i < n; i += 3 * Tk) m.fill(-Infinity, i, i + Tk); // every third row
      mask = m;
    } else {
      const m = new Int32Array(n);
      for (let i = 0; i < n; i++) m[i] = r() < 0.8 ? 1 : 0;
      if (c.mask.emptyRows) for (let i = 0; i < n; i += 3 * Tk) m.fill(0, i, i + Tk);
      mask = m;
    }
  }
  let slopes: Float32Array | null = null;
  if (c.alibi) slopes = Float32Array.from({ length: c.H }, (_, h) => 2 ** (-(8 * (h + 1)) / c.H)); // ALiBi's geometric slopes
  return {
    q: randArray(nq, seed, -2, 2),
    k: randArray(nk, seed + 1),
    v: randArray(nk, seed + 2),
    g: randArray(nq, seed + 3),
    mask,
    slopes,
  };
}

function tensors(c: Case, h: Host, device: Device, requiresGrad = false): { q: Tensor; k: Tensor; v: Tensor; opts: AttentionOptions } {
  const opts: AttentionOptions = { causal: c.causal, window: c.window, scale: c.scale };
  if (h.mask && c.mask) opts.mask = tensor(h.mask, c.mask.shape, { device });
  if (h.slopes) opts.alibiSlopes = tensor(h.slopes, [c.H], { device });
  return {
    q: tensor(h.q, [c.B, c.H, c.Tq, c.d], { device, requiresGrad }),
    k: tensor(h.k, [c.B, c.H, c.Tk, c.d], { device, requiresGrad }),
    v: tensor(h.v, [c.B, c.H, c.Tk, c.d], { device, requiresGrad }),
    opts,
  };
}

interface Result {
  out: Float32Array;
  dq: Float32Array;
  dk: Float32Array;
  dv: Float32Array;
}

/** Forward and, when `grads`, backward with the case's upstream gradient; everything read back and freed. */
async function run(c: Case, h: Host, device: Device, path: 'auto' | 'fused' | 'composed', grads: boolean): Promise<Result> {
  const { q, k, v, opts } = tensors(c, h, device, grads);
  const out = functional.scaledDotProductAttention(q, k, v, { ...opts, impl: path });
  const empty = new Float32Array(0);
  const r: Result = { out: (await out.toArray()) as Float32Array, dq: empty, dk: empty, dv: empty };
  if (grads) {
    const g = tensor(h.g, out.shape, { device });
    out.backward(g);
    r.dq = (await q.grad!.toArray()) as Float32Array;
    r.dk = (await k.grad!.toArray()) as Float32Array;
    r.dv = (await v.grad!.toArray()) as Float32Array;
    dispose([g, q.grad, k.grad, v.grad]);
  }
  dispose([q, k, v, out, opts.mask, opts.alibiSlopes]);
  return r;
}

function expectFinite(xs: Float32Array, what: string): void {
  const bad = xs.findIndex((x) => !Number.isFinite(x));
  expect(bad, `${what}: element ${bad} is ${xs[bad]}`).toBe(-1);
}

async function compareWithCpu(c: Case, seed: number, grads: boolean): Promise<void> {
  const h = hostInputs(c, seed);
  const gpu = await run(c, h, 'webgpu', 'fused', grads);
  const cpu = await run(c, h, 'cpu', 'fused', grads); // the CPU backend's loops: the oracle
  expectAllClose(gpu.out, cpu.out, TOL.forward, `${c.name}: out`);
  expectFinite(gpu.out, `${c.name}: out`);
  if (grads) {
    for (const key of ['dq', 'dk', 'dv'] as const) {
      expectAllClose(gpu[key], cpu[key], TOL.grad, `${c.name}: ${key}`);
      expectFinite(gpu[key], `${c.name}: ${key}`);
    }
  }
}

const c = (name: string, shape: [number, number, number, number, number], extra: Partial<Case> = {}): Case => {
  const [B, H, Tq, Tk, d] = shape;
  return { name, B, H, Tq, Tk, d, ...extra };
};

// The shape and mask matrix: every head dim, lengths 1, 7, 129 and 1000, Tq ≠ Tk both ways, every mask kind.
// Each kernel variant (head dim × mask features) is a pipeline compiled once per file, and compiling the unrolled
// kernels dominates this file's time on SwiftShader, so the cases share variants where they can.
const GRAD_CASES: Case[] = [
  c('d16 T1', [1, 1, 1, 1, 16]),
  c('d16 T7 causal', [2, 3, 7, 7, 16], { causal: true }),
  c('d32 Tq7 Tk129 cross', [1, 2, 7, 129, 32]),
  c('d32 Tq129 Tk7 causal', [1, 2, 129, 7, 32], { causal: true }),
  c('d64 T1000 causal', [1, 1, 1000, 1000, 64], { causal: true }),
  c('d80 T129 causal, bool mask (B,1,1,Tk)', [2, 1, 129, 129, 80], { causal: true, mask: { kind: 'bool', shape: [2, 1, 1, 129] } }),
  c('d128 T129 causal', [1, 1, 129, 129, 128], { causal: true }),
  c('window 16 + causal', [1, 2, 129, 129, 16], { causal: true, window: 16 }),
  c('window 5, Tq > Tk (empty rows)', [1, 1, 40, 20, 16], { causal: true, window: 5 }),
  c('float mask (B,1,1,Tk) padding', [2, 2, 33, 129, 32], { mask: { kind: 'float', shape: [2, 1, 1, 129] } }),
  c('alibi causal', [1, 4, 129, 129, 32], { causal: true, alibi: true }),
  c('alibi + bool mask + scale, cross', [1, 2, 33, 65, 32], { alibi: true, scale: 0.3, mask: { kind: 'bool', shape: [33, 65] } }),
  c('fully masked rows (bool)', [1, 2, 33, 65, 16], { mask: { kind: 'bool', shape: [1, 2, 33, 65], emptyRows: true } }),
  c('fully masked rows (float −∞), causal', [1, 1, 33, 65, 16], { causal: true, mask: { kind: 'float', shape: [1, 1, 33, 65], emptyRows: true } }),
];

// Forward-only cases on top of the gradient cases (which check the forward too).
const FORWARD_CASES: Case[] = [
  c('d32 Tq1000 Tk7', [1, 1, 1000, 7, 32]),
  c('d64 T129 causal', [1, 2, 129, 129, 64], { causal: true }),
  c('d64 T129', [2, 1, 129, 129, 64]),
  c('d80 Tq7 Tk129 causal, bool mask', [1, 1, 7, 129, 80], { causal: true, mask: { kind: 'bool', shape: [1, 1, 1, 129] } }),
  c('d128 Tq129 Tk1 causal', [1, 2, 129, 1, 128], { causal: true }),
  c('float mask (Tq,Tk) + causal', [1, 2, 129, 129, 16], { causal: true, mask: { kind: 'float', shape: [129, 129] } }),
  c('bool mask (1,H,Tq,Tk)', [2, 2, 7, 129, 16], { mask: { kind: 'bool', shape: [1, 2, 7, 129] } }),
];

describe('the CPU oracle', () => {
  // The loops and the composed path share no code below the op layer; agreeing, each vouches for the other.
  const cases = [GRAD_CASES[1], GRAD_CASES[3], GRAD_CASES[5], GRAD_CASES[8], GRAD_CASES[9], GRAD_CASES[11], GRAD_CASES[12], GRAD_CASES[13]];
  test.each(cases.map((x) => [x.name, x] as const))('loops match the composed path: %s', async (_, cs) => {
    const h = hostInputs(cs, 11);
    const loops = await run(cs, h, 'cpu', 'fused', true);
    const comp = await run(cs, h, 'cpu', 'composed', true);
    for (const key of ['out', 'dq', 'dk', 'dv'] as const) expectAllClose(loops[key], comp[key], TOL.oracle, `${cs.name}: ${key}`);
  });
});

describe('fused attention on WebGPU vs the CPU oracle', () => {
  test.each(FORWARD_CASES.map((x, i) => [x.name, x, i] as const))('forward: %s', async (_, cs, i) => {
    await compareWithCpu(cs, 100 + i, false);
  });

  test.each(GRAD_CASES.map((x, i) => [x.name, x, i] as const))('forward and dq, dk, dv: %s', async (_, cs, i) => {
    await compareWithCpu(cs, 200 + i, true);
  });

  test('fully masked rows give zeros and zero gradients, not NaN', async () => {
    const cs = c('empty', [1, 1, 9, 9, 16], { mask: { kind: 'bool', shape: [9, 9] } });
    const h = hostInputs(cs, 5);
    const m = h.mask as Int32Array;
    m.fill(1);
    m.fill(0, 2 * 9, 3 * 9); // row 2 sees nothing
    const r = await run(cs, h, 'webgpu', 'fused', true);
    expect(Array.from(r.out.subarray(2 * 16, 3 * 16))).toEqual(new Array(16).fill(0));
    expect(Array.from(r.dq.subarray(2 * 16, 3 * 16))).toEqual(new Array(16).fill(0));
    for (const x of [r.out, r.dq, r.dk, r.dv]) expectFinite(x, 'empty row');
  });

  test('the backward is deterministic (no atomics): two runs agree bit for bit', async () => {
    const cs = GRAD_CASES[10];
    const h = hostInputs(cs, 9);
    const a = await run(cs, h, 'webgpu', 'fused', true);
    const b = await run(cs, h, 'webgpu', 'fused', true);
    for (const key of ['out', 'dq', 'dk', 'dv'] as const) expect(new Uint8Array(a[key].buffer)).toEqual(new Uint8Array(b[key].buffer));
  });
});

describe('finite differences (float64 gradcheck)', () => {
  const attn = (opts: AttentionOptions) => (q: Tensor, k: Tensor, v: Tensor, m?: Tensor) =>
    functional.scaledDotProductAttention(q, k, v, m ? { ...opts, mask: m } : opts);
  const gpuT = (data: Float32Array | Int32Array, shape: number[]) => tensor(data, shape, { device: 'webgpu' });

  test('small shapes, causal, with a boolean mask and an empty row', async () => {
    const m = new Int32Array(5 * 6).fill(1);
    m.fill(0, 6, 12); // row 1: nothing
    m[2 * 6 + 1] = 0;
    const inputs = [gpuT(randArray(2 * 5 * 4, 1, -2, 2), [1, 2, 5, 4]), gpuT(randArray(2 * 6 * 4, 2), [1, 2, 6, 4]), gpuT(randArray(2 * 6 * 4, 3), [1, 2, 6, 4]), gpuT(m, [5, 6])];
    const r = await gradcheck(attn({ causal: true }), inputs, { maxSamples: 48 });
    expect(r.ok).toBe(true);
    dispose(inputs);
  });

  test('small shapes, float mask, window, Tq ≠ Tk', async () => {
    const fm = randArray(7 * 3, 4, -1, 1);
    fm[4] = -Infinity;
    const inputs = [gpuT(randArray(7 * 8, 5, -2, 2), [1, 1, 7, 8]), gpuT(randArray(3 * 8, 6), [1, 1, 3, 8]), gpuT(randArray(3 * 8, 7), [1, 1, 3, 8])];
    const r1 = await gradcheck(attn({ causal: true, window: 2 }), inputs, { maxSamples: 48 });
    expect(r1.ok).toBe(true);
    // A float mask is an input like any other (fn must build everything from its arguments), but no gradient
    // flows into masks: gradcheck's entries for it (input 3) are expected to differ; q, k and v must not.
    const fmT = gpuT(fm, [7, 3]);
    const r2 = await gradcheck(attn({}), [...inputs, fmT], { maxSamples: 48, raise: false });
    expect(r2.failures.filter((f) => f.input < 3)).toEqual([]);
    expect(r2.checked).toBeGreaterThan(3 * 20);
    dispose([inputs, fmT]);
  });

  test('sampled entries on a larger shape (d=64, T=129, causal)', async () => {
    const inputs = [0, 1, 2].map((i) => gpuT(randArray(129 * 64, 20 + i, i === 0 ? -2 : -1, i === 0 ? 2 : 1), [1, 1, 129, 64]));
    const r = await gradcheck(attn({ causal: true }), inputs, { maxSamples: 16, atol: 2e-4, rtol: 2e-3 });
    expect(r.ok).toBe(true);
    dispose(inputs);
  });
});

describe('the attention probe (returnWeights)', () => {
  test('weights are (B, H, Tq, Tk), rows sum to 1 (0 when empty), and weights @ v matches the fused output', async () => {
    const cs = c('probe', [2, 2, 17, 23, 16], { mask: { kind: 'bool', shape: [2, 1, 17, 23], emptyRows: true } });
    const h = hostInputs(cs, 31);
    const { q, k, v, opts } = tensors(cs, h, 'webgpu');
    const { output, weights } = functional.scaledDotProductAttention(q, k, v, { ...opts, returnWeights: true });
    expect(weights.shape).toEqual([2, 2, 17, 23]);
    expect(weights.requiresGrad).toBe(false);
    const w = (await weights.toArray()) as Float32Array;
    for (let r = 0; r < 2 * 2 * 17; r++) {
      const sum = w.subarray(r * 23, (r + 1) * 23).reduce((a, b) => a + b, 0);
      expect(Math.abs(sum - 1) < 1e-5 || sum === 0, `row ${r} sums to ${sum}`).toBe(true);
    }
    const recomposed = weights.matmul(v); // (B, H, Tq, Tk) @ (B, H, Tk, d)
    expectAllClose((await recomposed.toArray()) as Float32Array, (await output.toArray()) as Float32Array, TOL.forward, 'weights @ v vs fused output');
    dispose([q, k, v, opts.mask, output, weights, recomposed]);
  });
});

describe('the composed fallback', () => {
  test('a head dim the fused kernels do not take (d = 6) falls back, says so in the debug log, and is right', async () => {
    const messages: string[] = [];
    setDebug(true, (msg) => messages.push(msg));
    const cs = c('d6 fallback', [1, 2, 9, 13, 6], { causal: true, alibi: true, mask: { kind: 'float', shape: [13] } });
    const h = hostInputs(cs, 41);
    const gpu = await run(cs, h, 'webgpu', 'auto', true);
    setDebug(false);
    expect(messages.some((m) => m.includes('composed path') && m.includes('head dim 6'))).toBe(true);
    await expect(run(cs, h, 'webgpu', 'fused', true)).rejects.toThrow(/impl 'fused' cannot serve.*head dim 6/);
    const cpu = await run(cs, h, 'cpu', 'fused', true);
    for (const key of ['out', 'dq', 'dk', 'dv'] as const) expectAllClose(gpu[key], cpu[key], TOL.grad, `fallback: ${key}`);
  });

  test('v with its own head dim (dv ≠ d) takes the composed path', async () => {
    const q = tensor(randArray(2 * 5 * 8, 71), [1, 2, 5, 8], { device: 'webgpu' });
    const k = tensor(randArray(2 * 6 * 8, 72), [1, 2, 6, 8], { device: 'webgpu' });
    const v = tensor(randArray(2 * 6 * 3, 73), [1, 2, 6, 3], { device: 'webgpu' });
    const out = functional.scaledDotProductAttention(q, k, v, { causal: true });
    expect(out.shape).toEqual([1, 2, 5, 3]);
    const [qc, kc, vc] = await Promise.all([q.to('cpu'), k.to('cpu'), v.to('cpu')]);
    const want = functional.scaledDotProductAttention(qc, kc, vc, { causal: true, impl: 'composed' });
    expectAllClose((await out.toArray()) as Float32Array, (await want.toArray()) as Float32Array, TOL.forward, 'dv ≠ d');
    dispose([q, k, v, out, qc, kc, vc, want]);
  });

  test('the composed path on WebGPU matches the fused one', async () => {
    const cs = GRAD_CASES[5];
    const h = hostInputs(cs, 51);
    const fusedR = await run(cs, h, 'webgpu', 'fused', true);
    const comp = await run(cs, h, 'webgpu', 'composed', true);
    for (const key of ['out', 'dq', 'dk', 'dv'] as const) expectAllClose(fusedR[key], comp[key], TOL.grad, `composed vs fused: ${key}`);
  });
});

describe('validation and memory', () => {
  test('bad shapes and options are rejected with the op named', () => {
    const q = tensor(new Float32Array(2 * 3 * 4), [1, 2, 3, 4], { device: 'webgpu' });
    const k = tensor(new Float32Array(2 * 5 * 4), [1, 2, 5, 4], { device: 'webgpu' });
    const bad = tensor(new Float32Array(2 * 5 * 8), [1, 2, 5, 8], { device: 'webgpu' });
    const f = functional.scaledDotProductAttention;
    expect(() => f(q, bad, bad)).toThrow(/scaledDotProductAttention/);
    expect(() => f(q, k, k, { window: 0 })).toThrow(/window/);
    expect(() => f(q, k, k, { mask: tensor(new Float32Array(4), [4], { device: 'webgpu' }) })).toThrow(/mask/);
    expect(() => f(q, k, k, { alibiSlopes: tensor(new Float32Array(3), [3], { device: 'webgpu' }) })).toThrow(/alibiSlopes/);
    dispose([q, k, bad]);
  });

  test('no storage leaks through forward and backward', async () => {
    const before = memoryStats('webgpu').buffers;
    const cs = GRAD_CASES[2];
    await run(cs, hostInputs(cs, 61), 'webgpu', 'fused', true);
    expect(memoryStats('webgpu').buffers).toBe(before);
  });
});

// The one entry point's semantics, the same whichever implementation runs: masks and ALiBi slopes are
// constants, a float mask that requires grad gets dL/dmask = dS summed over its broadcast dims, −∞ and a
// boolean 0 exclude a score alike. Checked on both devices, against float64 finite differences and each other.
describe('one entry point: the same semantics on both implementations', () => {
  const [B, H, Tq, Tk, d] = [2, 2, 5, 7, 8];
  const IMPLS = ['fused', 'composed'] as const;

  for (const impl of IMPLS) {
    test(`${impl}: a float bias (H, Tq, Tk) that requires grad gets its gradient, summed over B (gradcheck)`, async () => {
      const r = rng(81);
      const mk = (shape: number[], lo = -1, hi = 1): Tensor => tensor(randArray(shape.reduce((a, b) => a * b, 1), Math.floor(r() * 1e6), lo, hi), shape, { device: 'webgpu' });
      await gradcheck(
        (q, k, v, bias) => functional.scaledDotProductAttention(q, k, v, { mask: bias, causal: true, impl }),
        [mk([B, H, Tq, d]), mk([B, H, Tk, d]), mk([B, H, Tk, d]), mk([H, Tq, Tk], -2, 2)],
        { atol: 2e-3, rtol: 2e-2, maxSamples: 24 },
      );
    });
  }

  test('the bias gradient with −∞ entries and a (Tk) broadcast: fused = composed, GPU = CPU, zero where excluded', async () => {
    const h = hostInputs(c('bias', [B, H, Tq, Tk, d]), 91);
    const bias = randArray(Tq * Tk, 92, -2, 2);
    for (let i = 0; i < bias.length; i += 4) bias[i] = -Infinity;
    const gradsOf = async (device: Device, impl: 'fused' | 'composed'): Promise<Float32Array[]> => {
      const q = tensor(h.q, [B, H, Tq, d], { device, requiresGrad: true });
      const k = tensor(h.k, [B, H, Tk, d], { device });
      const v = tensor(h.v, [B, H, Tk, d], { device });
      const m = tensor(bias, [Tq, Tk], { device, requiresGrad: true });
      const out = functional.scaledDotProductAttention(q, k, v, { mask: m, impl });
      const g = tensor(h.g, out.shape, { device });
      out.backward(g);
      const r = [(await m.grad!.toArray()) as Float32Array, (await q.grad!.toArray()) as Float32Array];
      dispose([q, k, v, m, out, g, m.grad, q.grad]);
      return r;
    };
    const want = await gradsOf('cpu', 'fused');
    for (let i = 0; i < bias.length; i += 4) expect(want[0][i], `dmask[${i}] where the mask is −∞`).toBe(0);
    for (const [device, impl] of [['cpu', 'composed'], ['webgpu', 'fused'], ['webgpu', 'composed']] as const) {
      const got = await gradsOf(device, impl);
      expectAllClose(got[0], want[0], TOL.grad, `${device} ${impl}: dmask`);
      expectAllClose(got[1], want[1], TOL.grad, `${device} ${impl}: dq`);
    }
  });

  test('a boolean 0 and a float −∞ exclude alike, fully excluded rows give zeros, on both implementations', async () => {
    const h = hostInputs(c('masks', [B, H, Tq, Tk, d]), 93);
    const allow = Int32Array.from({ length: Tq * Tk }, (_, i) => (Math.floor(i / Tk) === 3 ? 0 : (i * 7) % 3 !== 0 ? 1 : 0));
    const asFloat = Float32Array.from(allow, (a) => (a ? 0 : -Infinity));
    const outs: Float32Array[] = [];
    for (const impl of IMPLS) {
      for (const mask of [tensor(allow, [Tq, Tk], { device: 'webgpu' }), tensor(asFloat, [Tq, Tk], { device: 'webgpu' })]) {
        const [q, k, v] = [tensor(h.q, [B, H, Tq, d], { device: 'webgpu' }), tensor(h.k, [B, H, Tk, d], { device: 'webgpu' }), tensor(h.v, [B, H, Tk, d], { device: 'webgpu' })];
        const out = functional.scaledDotProductAttention(q, k, v, { mask, impl });
        outs.push((await out.toArray()) as Float32Array);
        dispose([q, k, v, mask, out]);
      }
    }
    for (const o of outs.slice(1)) expectAllClose(o, outs[0], TOL.forward, 'bool vs float mask, fused vs composed');
    for (let bh = 0; bh < B * H; bh++) expect(Array.from(outs[0].subarray((bh * Tq + 3) * d, (bh * Tq + 4) * d))).toEqual(new Array(d).fill(0));
  });

  test('impl is checked, and impl fused never falls back silently', () => {
    const q = tensor(new Float32Array(B * H * Tq * 6), [B, H, Tq, 6], { device: 'webgpu' });
    const f = functional.scaledDotProductAttention;
    expect(() => f(q, q, q, { impl: 'flash' as 'fused' })).toThrow(/impl must be 'auto', 'fused' or 'composed'/);
    expect(() => f(q, q, q, { impl: 'fused' })).toThrow(/impl 'fused' cannot serve.*head dim 6/);
    const out = f(q, q, q, { impl: 'composed' });
    expect(out.shape).toEqual([B, H, Tq, 6]);
    dispose([q, out]);
  });
});
