// Week 4 lessons: entropy, cross-entropy and KL divergence on probability vectors (exact values and identities),
// and their row-wise tensor versions on the WebGPU device and the CPU oracle, checked against the engine's fused
// cross-entropy loss.
import { beforeAll, describe, expect, test } from 'vitest';
import { init, tensor, entropy, crossEntropyOf, klDivergence, functional as F, type DeviceName } from '../engine/index';
import { expectAllClose, randArray, randInts, rng } from './helpers';

const close = (a: number, b: number, tol = 1e-12) => expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThanOrEqual(tol);

beforeAll(async () => {
  // Fails (never skips) with NoAdapterError when there is no WebGPU adapter.
  await init({ backend: 'webgpu' });
});

/** A random distribution over k outcomes, with some exact zeros when `zeros`. */
function randomDist(k: number, r: () => number, zeros = false): number[] {
  const w: number[] = Array.from({ length: k }, () => (zeros && r() < 0.3 ? 0 : r() + 1e-3));
  if (!w.some((v) => v > 0)) w[0] = 1;
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / s);
}

describe('on probability vectors', () => {
  test('textbook values', () => {
    close(entropy([0.5, 0.5]), 1);
    close(entropy(new Array(8).fill(1 / 8)), 3);
    close(entropy([1, 0, 0]), 0); // 0 log 0 = 0
    close(entropy([0.25, 0.75], Math.E), -(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75)));
    close(entropy([0.5, 0.5], 4), 0.5);
    close(crossEntropyOf([1, 0], [0.5, 0.5]), 1);
    close(klDivergence([0.5, 0.5], [0.25, 0.75]), 0.5 * Math.log2(2) + 0.5 * Math.log2(2 / 3));
    expect(klDivergence([0.5, 0.5], [1, 0])).toBe(Infinity); // q = 0 < p
    expect(crossEntropyOf([0.5, 0.5], [1, 0])).toBe(Infinity);
    close(klDivergence([1, 0], [0.5, 0.5]), 1); // p = 0 terms vanish even where q > 0
    close(klDivergence([0, 1], [0, 1]), 0); // and where q = 0 too
  });

  test('identities on random distributions: H(p, q) = H(p) + KL(p‖q), KL ≥ 0, KL(p‖p) = 0, H ≤ log k', () => {
    const r = rng(11);
    for (let trial = 0; trial < 200; trial++) {
      const k = 1 + Math.floor(r() * 12);
      const p = randomDist(k, r, trial % 2 === 0);
      const q = randomDist(k, r);
      close(crossEntropyOf(p, q), entropy(p) + klDivergence(p, q), 1e-9);
      expect(klDivergence(p, q)).toBeGreaterThanOrEqual(0);
      close(klDivergence(p, p), 0, 1e-12);
      expect(entropy(p)).toBeLessThanOrEqual(Math.log2(k) + 1e-12);
      close(entropy(p, Math.E), entropy(p) * Math.LN2, 1e-12);
    }
  });

  test('invalid input gets a clear error', () => {
    expect(() => entropy([0.5, 0.6])).toThrow(/sums to 1.1/);
    expect(() => entropy([1.5, -0.5])).toThrow(/≥ 0/);
    expect(() => entropy([NaN, 1])).toThrow(/finite/);
    expect(() => klDivergence([1], [0.5, 0.5])).toThrow(/entries/);
    expect(() => crossEntropyOf([1, 0], [0.9, 0.2])).toThrow(/q sums/);
    expect(() => entropy([1], 1)).toThrow(/base/);
    expect(() => entropy([])).toThrow(/empty/);
    // Within 1e-6 of 1 is accepted.
    close(entropy([0.5, 0.5 + 5e-7]), entropy([0.5, 0.5]), 1e-5);
  });
});

describe.each(['webgpu', 'cpu'] as DeviceName[])('on tensors, row-wise (%s)', (device) => {
  test('each row agrees with the vector versions, zeros and infinities included', async () => {
    const r = rng(5);
    const rows = 9;
    const k = 7;
    const P: number[][] = [];
    const Q: number[][] = [];
    for (let i = 0; i < rows; i++) {
      P.push(randomDist(k, r, true));
      Q.push(randomDist(k, r, i % 3 === 0));
    }
    const pt = tensor(P.flat(), [rows, k], { device });
    const qt = tensor(Q.flat(), [rows, k], { device });
    for (const base of [2, Math.E]) {
      const h = await entropy(pt, base).toArray();
      const ce = await crossEntropyOf(pt, qt, base).toArray();
      const kl = await klDivergence(pt, qt, base).toArray();
      expectAllClose(h, P.map((p) => entropy(p, base)), { atol: 1e-5, rtol: 1e-5 }, 'entropy');
      expectAllClose(ce, P.map((p, i) => crossEntropyOf(p, Q[i], base)), { atol: 1e-5, rtol: 1e-5 }, 'cross-entropy');
      expectAllClose(kl, P.map((p, i) => klDivergence(p, Q[i], base)), { atol: 1e-5, rtol: 1e-5 }, 'KL');
    }
    expect(Array.from(await klDivergence(tensor([0.5, 0.5], [2], { device }), tensor([1, 0], [2], { device })).toArray())).toEqual([Infinity]);
  });

  test('H(onehot-or-smoothed target, softmax(logits)) in nats equals the fused crossEntropy loss per row', async () => {
    const rows = 33;
    const C = 10;
    const logits = tensor(randArray(rows * C, 21, -4, 4), [rows, C], { device });
    const targets = randInts(rows, 22, 0, C);
    for (const eps of [0, 0.1]) {
      // The loss's target distribution: (1 − ε)·onehot + ε/C.
      const q = new Float32Array(rows * C).fill(eps / C);
      targets.forEach((t, i) => (q[i * C + t] += 1 - eps));
      const ours = crossEntropyOf(tensor(q, [rows, C], { device }), logits.softmax(-1), Math.E);
      const fused = F.crossEntropy(logits, tensor(targets, [rows], { device }), { reduction: 'none', labelSmoothing: eps });
      expectAllClose(await ours.toArray(), await fused.toArray(), { atol: 2e-5, rtol: 2e-5 }, `ε = ${eps}`);
    }
  });
});
