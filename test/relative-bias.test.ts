// T5's relative position bias (engine/nn/relative-bias.ts): the bucket function against hand-derived tables and
// against PyTorch's evaluation of the same formula; the bias's shape and translation invariance; its gradient
// through scaledDotProductAttention's float mask by float64 finite differences (CPU, fused and composed) and on
// the GPU against the CPU at odd lengths; MultiHeadAttention's positional 't5' (KV cache, gradcheck, training).
//
// Tolerances (|gpu − cpu| ≤ atol + rtol·|cpu|): the table's gradient sums dS = P ⊙ (dP − D) over every
// (b, i, j) in a bucket, up to 2·33·33 float32 terms, hence 1e-4 / 1e-3 as attention.test.ts's dq, dk, dv.
import { beforeAll, describe, expect, test } from 'vitest';
import { init, tensor, functional, gradcheck, dispose, noGrad, nn, optim, type Tensor } from '../engine/index';
import { expectAllClose, randArray, randInts } from './helpers';
import { runTorch } from './torch';

const { RelativePositionBias, relativePositionBucket, MultiHeadAttention, KVCache } = nn;
const GRAD = { atol: 1e-4, rtol: 1e-3 };

beforeAll(async () => {
  // Rejects with NoAdapterError (saying how to install one) when there is no adapter: the GPU tests fail.
  await init({ backend: 'webgpu' });
});

/** Expected buckets as [first, last, bucket] runs of `relative`, derived by hand in each test's comment. */
function expand(runs: Array<[number, number, number]>): Array<[number, number]> {
  return runs.flatMap(([lo, hi, b]) => Array.from({ length: hi - lo + 1 }, (_, i): [number, number] => [lo + i, b]));
}

describe('relativePositionBucket', () => {
  test('T5 defaults, bidirectional (32 buckets, maxDistance 128): exact below 8, log-spaced to 128, clamped beyond', () => {
    // 16 buckets per direction; keys after the query (relative > 0) add 16. maxExact = 8, so n = |relative| < 8 is
    // its own bucket. For n ≥ 8: 8 + ⌊log(n/8) / log(128/8) · 8⌋ = 8 + ⌊2·log2(n/8)⌋, whose steps fall at
    // n = 8·2^(k/2) = 8, 11.3, 16, 22.6, 32, 45.3, 64, 90.5, 128; at 128 and beyond the 16th bucket (15) holds.
    const side: Array<[number, number, number]> = [
      [0, 0, 0], [1, 7, -1], [8, 11, 8], [12, 15, 9], [16, 22, 10], [23, 31, 11], [32, 45, 12], [46, 63, 13], [64, 90, 14], [91, 300, 15],
    ];
    for (const [n, b] of expand(side)) {
      const want = b === -1 ? n : b;
      expect(relativePositionBucket(-n, true, 32, 128), `relative −${n}`).toBe(want);
      if (n > 0) expect(relativePositionBucket(n, true, 32, 128), `relative +${n}`).toBe(want + 16);
    }
    expect(relativePositionBucket(-100000, true, 32, 128)).toBe(15);
    expect(relativePositionBucket(100000, true, 32, 128)).toBe(31);
  });

  test('T5 defaults, causal (32 buckets, maxDistance 128): every later key in bucket 0, exact below 16, then log-spaced', () => {
    // All 32 buckets look back: n = max(−relative, 0). maxExact = 16. For n ≥ 16: 16 + ⌊log(n/16) / log 8 · 16⌋
    // = 16 + ⌊(16/3)·log2(n/16)⌋: n = 18 → ⌊0.90⌋ = 0; 19 → ⌊1.32⌋ = 1; 32 → ⌊5.33⌋ = 5; 64 → ⌊10.67⌋ = 10;
    // 100 → ⌊14.10⌋ = 14; 127 → ⌊15.94⌋ = 15; 128 → 16, clamped to 15.
    for (const r of [1, 5, 1000]) expect(relativePositionBucket(r, false, 32, 128), `relative +${r}`).toBe(0);
    for (let n = 0; n < 16; n++) expect(relativePositionBucket(-n, false, 32, 128), `relative −${n}`).toBe(n);
    const spots: Array<[number, number]> = [[16, 16], [18, 16], [19, 17], [32, 21], [64, 26], [100, 30], [127, 31], [128, 31], [5000, 31]];
    for (const [n, b] of spots) expect(relativePositionBucket(-n, false, 32, 128), `relative −${n}`).toBe(b);
  });

  test('a small bidirectional table (8 buckets, maxDistance 8), every offset', () => {
    // 4 buckets per direction, maxExact 2: n = 0, 1 exact; n ≥ 2: 2 + ⌊log(n/2) / log 4 · 2⌋ = 2 + ⌊log2(n/2)⌋,
    // so 2–3 → 2, 4–7 → 3, and 8 on → 3 (⌊2⌋ = 2 would give 4, clamped to 3). Later keys add 4.
    const want = new Map(expand([[0, 0, 0], [1, 1, 1], [2, 3, 2], [4, 12, 3]]));
    for (let r = -12; r <= 12; r++) {
      const n = Math.abs(r);
      expect(relativePositionBucket(r, true, 8, 8), `relative ${r}`).toBe(want.get(n)! + (r > 0 ? 4 : 0));
    }
  });

  test('the same formula in PyTorch 1.13 (float32 log, integer cast) gives the same buckets', () => {
    // Written from the T5 paper's description, evaluated the way PyTorch models do: offsets as int64, the log
    // ratio in float32 and truncated by .long(). Includes the offsets where the ratio is an exact integer.
    const configs: Array<[boolean, number, number]> = [[true, 32, 128], [false, 32, 128], [true, 8, 8], [false, 10, 40], [true, 64, 256], [false, 2, 2], [true, 6, 3]];
    const py = `
import json, math, sys, torch
def bucket(rel, bidirectional, num_buckets, max_distance):
    out = torch.zeros_like(rel)
    if bidirectional:
        num_buckets //= 2
        out += (rel > 0).long() * num_buckets
        n = rel.abs()
    else:
        n = torch.clamp(-rel, min=0)
    max_exact = num_buckets // 2
    scaled = torch.log(n.float() / max_exact) / math.log(max_distance / max_exact) * (num_buckets - max_exact)
    large = torch.clamp(max_exact + scaled.long(), max=num_buckets - 1)
    return out + torch.where(n < max_exact, n, large)
rel = torch.arange(-400, 401)
print(json.dumps([bucket(rel, b, nb, md).tolist() for b, nb, md in json.loads(sys.argv[1])]))
`;
    const torchBuckets = JSON.parse(runTorch(py, [JSON.stringify(configs)])) as number[][];
    configs.forEach(([bidirectional, nb, md], c) => {
      const ours = Array.from({ length: 801 }, (_, i) => relativePositionBucket(i - 400, bidirectional, nb, md));
      expect(ours, `bidirectional=${bidirectional}, numBuckets=${nb}, maxDistance=${md}`).toEqual(torchBuckets[c]);
    });
  });

  test('bad options are refused, naming the value', () => {
    expect(() => relativePositionBucket(0, false, 1, 8)).toThrow(/numBuckets must be an integer ≥ 2, got 1/);
    expect(() => relativePositionBucket(0, false, 2.5, 8)).toThrow(/numBuckets .* got 2.5/);
    expect(() => relativePositionBucket(0, true, 2, 8)).toThrow(/bidirectional .* even and ≥ 4, got 2/);
    expect(() => relativePositionBucket(0, true, 9, 8)).toThrow(/even and ≥ 4, got 9/);
    expect(() => relativePositionBucket(0, true, 32, 15)).toThrow(/maxDistance must be an integer ≥ 16 .*numBuckets 32 \/ 2.*got 15/);
    expect(() => relativePositionBucket(0, false, 32, 31)).toThrow(/maxDistance must be an integer ≥ 32 .*got 31/);
    expect(() => relativePositionBucket(1.5, true, 32, 128)).toThrow(/relative must be an integer offset, got 1.5/);
    expect(() => new RelativePositionBias(0)).toThrow(/numHeads must be a positive integer, got 0/);
    expect(() => new RelativePositionBias(2, { numBuckets: 3 })).toThrow(/RelativePositionBias: .*got 3/);
    expect(() => new RelativePositionBias(2, { std: -1 })).toThrow(/std .* got -1/);
    const rb = new RelativePositionBias(2, { device: 'cpu' });
    expect(() => rb.bias(-1, 3)).toThrow(/Tq must be an integer ≥ 0, got -1/);
    expect(() => rb.forward(tensor(new Float32Array(1), [1], { device: 'cpu' }))).toThrow(/lengths .* as numbers/);
    expect(() => new MultiHeadAttention(8, 2, { positional: 'alibi', relativeBias: { numBuckets: 8 } })).toThrow(/relativeBias is for positional 't5', not 'alibi'/);
    expect(() => new MultiHeadAttention(8, 2, { positional: 't5', relativeBias: { maxDistance: 4 } })).toThrow(/maxDistance must be an integer ≥ 16 .*got 4/);
    expect(() => new MultiHeadAttention(8, 2, { positional: 't6' as 't5' })).toThrow(/positional must be .* got "t6"/);
    expect(() => new MultiHeadAttention(8, 2, { positional: 't5', linformer: { k: 2, maxLen: 8 } })).toThrow(/linformer cannot use positional 't5'/);
    dispose(rb.parameters());
  });
});

describe('RelativePositionBias', () => {
  test('bias (H, Tq, Tk) is weight[bucket(j − i), h]: translation-invariant, and offset shifts the queries', async () => {
    const [H, T] = [3, 33];
    const rb = new RelativePositionBias(H, { numBuckets: 8, maxDistance: 16, seed: 3, device: 'webgpu' });
    const bias = rb.bias(T, T);
    expect(bias.shape).toEqual([H, T, T]);
    const [b, w] = [await bias.toArray(), await rb.weight.toArray()]; // w: (numBuckets, H)
    for (let h = 0; h < H; h++) {
      for (let i = 0; i < T; i++) {
        for (let j = 0; j < T; j++) {
          const got = b[(h * T + i) * T + j];
          expect(got).toBe(w[relativePositionBucket(j - i, true, 8, 16) * H + h]);
          if (i > 0 && j > 0) expect(got, `bias[${h}, ${i}, ${j}] = bias[${h}, ${i - 1}, ${j - 1}]`).toBe(b[(h * T + i - 1) * T + j - 1]);
        }
      }
    }
    // Heads differ (the table is not constant along h), so the check above could fail on a mixed-up layout.
    expect(new Set(Array.from(w.slice(0, H))).size).toBe(H);
    // Queries after `offset` cached keys: rows offset … offset + Tq − 1 of the full square.
    const tail = await rb.bias(4, T, T - 4).toArray();
    for (let h = 0; h < H; h++) for (let i = 0; i < 4; i++) for (let j = 0; j < T; j++) expect(tail[(h * 4 + i) * T + j]).toBe(b[(h * T + T - 4 + i) * T + j]);
    dispose([bias, rb.parameters()]);
  });

  for (const impl of ['fused', 'composed'] as const) {
    test(`${impl}: the table's gradient through scaledDotProductAttention (CPU, float64 finite differences)`, async () => {
      // Tiny attention, T = 7, whose offsets ±6 reach the log-spaced buckets of an 8-bucket table, both directions.
      const [B, H, T, d] = [2, 2, 7, 4];
      for (const bidirectional of [true, false]) {
        const rb = new RelativePositionBias(H, { numBuckets: 8, maxDistance: 8, bidirectional, std: 0.5, seed: 5, device: 'cpu' });
        const cpu = (n: number, seed: number, shape: number[]) => tensor(randArray(n, seed), shape, { device: 'cpu' });
        const inputs = [cpu(B * H * T * d, 11, [B, H, T, d]), cpu(B * H * T * d, 12, [B, H, T, d]), cpu(B * H * T * d, 13, [B, H, T, d]), rb.weight];
        const r = await gradcheck(
          (q, k, v, w) => nn.functionalCall(rb, [w], () => functional.scaledDotProductAttention(q, k, v, { mask: rb.bias(T, T), causal: !bidirectional, impl })),
          inputs,
          { maxSamples: 32 },
        );
        expect(r.ok).toBe(true);
        expect(r.checked).toBeGreaterThan(3 * 32);
        dispose(inputs);
      }
    });
  }

  test('GPU gradient of the table = CPU gradient at T = 7 and 33, fused and composed', async () => {
    const [B, H, d] = [2, 3, 8];
    for (const T of [7, 33]) {
      const host = [21, 22, 23, 24].map((s) => randArray(B * H * T * d, s + T));
      const gradOf = async (device: 'cpu' | 'webgpu', impl: 'fused' | 'composed'): Promise<Float32Array> => {
        const rb = new RelativePositionBias(H, { numBuckets: 16, maxDistance: 20, std: 0.5, seed: 7, device });
        const [q, k, v, g] = host.map((h) => tensor(h, [B, H, T, d], { device }));
        const out = functional.scaledDotProductAttention(q, k, v, { mask: rb.bias(T, T), impl });
        out.backward(g);
        const grad = (await rb.weight.grad!.toArray()) as Float32Array;
        dispose([q, k, v, g, out, rb.weight.grad, rb.parameters()]);
        return grad;
      };
      const want = await gradOf('cpu', 'fused');
      // Every bucket that some offset j − i reaches gets a gradient for every head. 8 buckets per direction,
      // maxExact 4, then 4 + ⌊log(n/4) / log 5 · 4⌋: at T = 7, n ≤ 6 reaches 0–5 looking back and 9–13 ahead
      // (n = 4, 5 share one): 11. At T = 33 the offsets reach ±32 > maxDistance 20, the clamped last buckets
      // included: 15. Bucket 8 is never reached (it would be "0 ahead", but relative 0 counts as looking back).
      const reached = new Set(Array.from({ length: 2 * T - 1 }, (_, n) => relativePositionBucket(n - (T - 1), true, 16, 20)));
      expect(reached.size).toBe(T === 33 ? 15 : 11);
      expect(want.filter((x) => x !== 0).length, 'buckets with a gradient').toBe(reached.size * H);
      for (const impl of ['fused', 'composed'] as const) expectAllClose(await gradOf('webgpu', impl), want, GRAD, `T=${T}, ${impl}: dweight`);
    }
  });
});

describe("MultiHeadAttention with positional 't5'", () => {
  test('owns a (numBuckets, H) table, gradchecks, and a KV cache matches attending over the whole sequence', async () => {
    const mha = new MultiHeadAttention(8, 2, { positional: 't5', relativeBias: { numBuckets: 8, maxDistance: 8, bidirectional: false }, seed: 9, device: 'cpu' });
    expect(mha.namedParameters().map(([n, p]) => [n, p.shape])).toContainEqual(['relative_attention_bias.weight', [8, 2]]);
    expect(mha.toString()).toContain('(relative_attention_bias): RelativePositionBias(heads=2, buckets=8, maxDistance=8, causal)');
    const x = tensor(randArray(2 * 6 * 8, 31), [2, 6, 8], { device: 'cpu' });
    const params = mha.parameters();
    await gradcheck((a, ...ps) => nn.functionalCall(mha, ps, () => mha.attend(a, { causal: true }).output), [x, ...params], { maxSamples: 12 });
    const full = noGrad(() => mha.attend(x, { causal: true }).output);
    const cache = new KVCache();
    const parts = noGrad(() => [mha.attend(x.slice(1, 0, 4), { causal: true, cache }).output, mha.attend(x.slice(1, 4, 6), { causal: true, cache }).output]);
    const got = (await Promise.all(parts.map((p) => p.toArray()))).flatMap((a) => Array.from(a));
    const want = await full.toArray();
    // (B, T, E) split along T: compare batch by batch.
    const rows = (a: ArrayLike<number>, b: number, t0: number, t1: number, T: number) => Array.from(a).slice((b * T + t0) * 8, (b * T + t1) * 8);
    const gotOrdered = [0, 1].flatMap((b) => [...rows(got.slice(0, 2 * 4 * 8), b, 0, 4, 4), ...rows(got.slice(2 * 4 * 8), b, 0, 2, 2)]);
    expectAllClose(gotOrdered, want, { atol: 1e-5, rtol: 1e-4 }, 'cache');
    cache.dispose();
    dispose([full, parts, x, params]);
  });

  test("trains a shift task (y_t = x_{t−2}) past 95% accuracy in 40 steps, where positional 'none' cannot", async () => {
    // Attention without positions sees its keys as a bag, so it cannot tell which token sat two places back; the
    // T5 bias can, by growing bucket(−2)'s entry. One layer: embedding → attention → linear head, on the CPU.
    const [V, T, E, B, shift] = [8, 8, 16, 32, 2];
    const accuracy = async (positional: 'none' | 't5'): Promise<number> => {
      const emb = new nn.Embedding(V, E, { seed: 1, device: 'cpu' });
      const mha = new MultiHeadAttention(E, 2, { positional, seed: 2, device: 'cpu' });
      const head = new nn.Linear(E, V, { seed: 3, device: 'cpu' });
      const params = [...emb.parameters(), ...mha.parameters(), ...head.parameters()];
      const opt = new optim.Adam(params, { lr: 0.05 });
      const batch = (seed: number) => {
        const x = randInts(B * T, seed, 0, V);
        const y = Int32Array.from({ length: B * (T - shift) }, (_, n) => x[Math.floor(n / (T - shift)) * T + (n % (T - shift))]);
        return { x: tensor(x, [B, T], { device: 'cpu' }), y: tensor(y, [B * (T - shift)], { device: 'cpu' }) };
      };
      // logits of positions shift … T − 1, whose targets are the tokens shift places earlier: (B·(T − shift), V)
      const logits = (x: Tensor) => head.forward(mha.forward(emb.forward(x)).slice(1, shift, T)).reshape([B * (T - shift), V]);
      for (let step = 0; step < 40; step++) {
        const { x, y } = batch(100 + step);
        const loss = functional.crossEntropy(logits(x), y);
        opt.zeroGrad();
        loss.backward();
        opt.step();
        dispose([x, y, loss]);
      }
      const { x, y } = batch(7);
      const pred = await noGrad(() => logits(x).argmax(-1)).toArray();
      const target = await y.toArray();
      const acc = pred.filter((p, n) => p === target[n]).length / target.length;
      dispose([x, y, params]);
      return acc;
    };
    const [t5, none] = [await accuracy('t5'), await accuracy('none')];
    expect(t5, "accuracy with 't5'").toBeGreaterThan(0.95);
    expect(none, "accuracy with 'none'").toBeLessThan(0.5);
  });
});
