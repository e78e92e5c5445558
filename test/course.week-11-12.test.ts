// Weeks 11-12's lesson (attention): the engine's reversal models and step-by-step attention, the seeded quick run
// the page states (attention beats the fixed-context model on the longest sources), every checker with its right
// and wrong answers, and the code cells run as the page checks them.
import { beforeAll, describe, expect, test } from 'vitest';
import { init, functional, tensor } from '../engine/index';
import { ReverseModel, reverseBatch, attentionSteps, pathLengths, trainReverse, reverseAccuracy } from '../engine/lessons/attention';
import { seededRandom } from '../engine/lessons/metrics';
import { lesson } from '../playground/course/lessons/week-11-12/index';
import { LONGEST, QUICK, quickComparison } from '../playground/course/lessons/week-11-12/quick';
import {
  attentionCell, backwardCell, causalCount, whyFixedFails, MASK_TOKENS, fusedAttention, autogradAttention, checkDevice,
} from '../playground/course/lessons/week-11-12/exercises';
import { LESSONS } from '../playground/course/lessons/index';
import { statRecords } from '../playground/course/stat';
import { claimFails } from '../playground/course/claims';
import { checkCell as check, compileCell } from './course-cells';

beforeAll(async () => {
  await init({ backend: 'cpu' });
});

describe('the reversal task and its models', () => {
  test('a batch holds random sources and their reversals', () => {
    const { src, tgt } = reverseBatch(3, 5, 4, seededRandom(1));
    for (let b = 0; b < 3; b++) {
      const s = Array.from(src.slice(b * 5, b * 5 + 5));
      expect(Array.from(tgt.slice(b * 5, b * 5 + 5))).toEqual([...s].reverse());
      for (const x of s) expect(x >= 0 && x < 4).toBe(true);
    }
  });

  test('both contexts give (B, L, V) logits for any length up to maxLen, and refuse a longer source', () => {
    for (const context of ['fixed', 'attention'] as const) {
      const m = new ReverseModel({ vocab: 5, dim: 6, maxLen: 7, context, seed: 3, device: 'cpu' });
      for (const L of [1, 4, 7]) {
        const x = tensor(reverseBatch(2, L, 5, seededRandom(L)).src, [2, L], { device: 'cpu' });
        expect(m.forward(x).shape).toEqual([2, L, 5]);
      }
      expect(() => m.forward(tensor(new Int32Array(8), [1, 8], { device: 'cpu' }))).toThrow(/length 8 is outside 1..7/);
    }
  });

  test('the fixed context is the same for every output step: its logits differ only through the step vector', async () => {
    // Two sources that differ in one token change every step's context by the same vector, since the mean is shared.
    const m = new ReverseModel({ vocab: 5, dim: 6, maxLen: 4, context: 'fixed', seed: 2, device: 'cpu' });
    const h = m.enc.forward(m.tok.forward(tensor(Int32Array.from([1, 2, 3]), [1, 3], { device: 'cpu' })).add(m.pos.forward(tensor(Int32Array.from([2, 1, 0]), [3], { device: 'cpu' })))).tanh();
    const mean = await h.mean(1).toArray();
    const manual = await h.sum(1).div(3).toArray();
    for (let i = 0; i < mean.length; i++) expect(mean[i]).toBeCloseTo(manual[i], 6);
  });

  test('training moves the attention model well above chance on a short run', async () => {
    const m = new ReverseModel({ vocab: 4, dim: 8, maxLen: 4, context: 'attention', seed: 0, device: 'cpu' });
    const before = await reverseAccuracy(m, 4, 50, 7);
    const losses = await trainReverse(m, { steps: 40, batch: 8, lr: 0.05, lengths: [2, 4], seed: 0, every: 20 });
    expect(losses.map((l) => l.step)).toEqual([20, 40]);
    expect(losses[1].loss).toBeLessThan(losses[0].loss);
    expect(await reverseAccuracy(m, 4, 50, 7)).toBeGreaterThan(Math.max(before, 0.6));
  });
});

describe('the widget’s longer run on WebGPU', () => {
  test('trains the attention model on the same batches as the CPU, to the same losses', async () => {
    // The warmup that compiles the GPU pipelines draws its own batches and leaves no gradients behind.
    await init({ backend: 'webgpu' });
    try {
      const run = async (device: 'cpu' | 'webgpu') => {
        const m = new ReverseModel({ vocab: 6, dim: 8, maxLen: 5, context: 'attention', seed: 4, device });
        const losses = await trainReverse(m, { steps: 3, batch: 4, lr: 0.05, lengths: [5], seed: 2, every: 1 });
        for (const p of m.parameters()) p.dispose();
        return losses.map((l) => l.loss);
      };
      const gpu = await run('webgpu');
      const cpu = await run('cpu');
      expect(gpu).toHaveLength(3);
      gpu.forEach((l, i) => expect(l).toBeCloseTo(cpu[i], 4));
    } finally {
      await init({ backend: 'cpu' });
    }
  }, 60_000);
});

describe('attention step by step', () => {
  const q = [[1, 0], [0, 3], [1, 1]];
  const k = [[2, 0], [0, 1], [1, 0.5]];
  const v = [[1, 0], [0, 1], [0.5, 0.5]];

  test('each stage follows from the one before, and the output equals the fused kernel’s', async () => {
    for (const causal of [false, true]) {
      const s = await attentionSteps(q, k, v, causal);
      expect(s.scale).toBeCloseTo(1 / Math.sqrt(2), 12);
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) {
          expect(s.scores[i][j]).toBeCloseTo(q[i][0] * k[j][0] + q[i][1] * k[j][1], 6);
          expect(s.scaled[i][j]).toBeCloseTo(s.scores[i][j] * s.scale, 6);
          expect(s.masked[i][j]).toBe(causal && j > i ? -Infinity : s.scaled[i][j]);
          if (causal && j > i) expect(s.weights[i][j]).toBe(0);
        }
        expect(s.weights[i].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      }
      const fused = await fusedAttention(q, k, v, causal);
      for (let i = 0; i < 3; i++) for (let c = 0; c < 2; c++) expect(s.output[i][c]).toBeCloseTo(fused[i][c], 5);
    }
  });

  test('ragged or mismatched inputs are refused with what is wrong', async () => {
    await expect(attentionSteps(q, k.slice(0, 2), v, false)).rejects.toThrow(/same number of rows/);
    await expect(attentionSteps(q, [[1, 0], [0], [1, 1]], v, false)).rejects.toThrow(/every row of q and k must have 2/);
    await expect(attentionSteps([], [], [], false)).rejects.toThrow(/at least one row/);
  });

  test('path lengths: |j − i| for a recurrent network, 1 for attention (0 from a token to itself)', () => {
    expect(pathLengths(0, 11)).toEqual({ rnn: 11, attention: 1 });
    expect(pathLengths(4, 4)).toEqual({ rnn: 0, attention: 0 });
    expect(() => pathLengths(-1, 2)).toThrow(/integers ≥ 0/);
  });
});

describe('the quick comparison the page states', () => {
  test('attention beats the fixed context on the longest sources, and the fixed context falls with length', async () => {
    const r = await quickComparison();
    expect(r.lengths).toEqual([...QUICK.train.lengths].sort((a, b) => a - b));
    const last = r.lengths.length - 1;
    expect(r.lengths[last]).toBe(LONGEST);
    expect(r.attention[last]).toBeGreaterThan(r.fixed[last]);
    expect(r.fixed[0]).toBeGreaterThan(r.fixed[last]);
    for (const a of [...r.fixed, ...r.attention]) expect(a >= 0 && a <= 1).toBe(true);
    expect(r.losses.attention.at(-1)!.loss).toBeLessThan(r.losses.fixed.at(-1)!.loss);
  });

  test('the page states those numbers under the names the e2e reads, and its claims hold on them', async () => {
    const r = await quickComparison();
    for (let i = 0; i < 100 && statRecords().pending > 0; i++) await new Promise((res) => setTimeout(res, 10));
    const { values, problems, pending } = statRecords();
    expect(pending).toBe(0);
    expect(problems).toEqual([]);
    expect(values['w1112-fixed-acc-long'].value).toBe(r.fixed[r.lengths.length - 1]);
    expect(values['w1112-attn-acc-long'].value).toBe(r.attention[r.lengths.length - 1]);
    expect(values['w1112-fixed-acc-short'].value).toBe(r.fixed[0]);
    expect(values['w1112-rnn-path'].value).toBe(LONGEST - 1);
    expect(lesson.claims?.length).toBeGreaterThanOrEqual(2);
    for (const c of lesson.claims ?? []) expect(claimFails(c, values), c.says).toBeNull();
    // The checker of claims is not vacuous: the main claim, turned around, fails on the same values.
    expect(claimFails({ ...lesson.claims![0], is: '<' }, values)).toMatch(/is false/);
  });
});

describe('exercises', () => {
  test('causal zeros: T(T − 1)/2 passes; counting the diagonal or all of a triangle’s half fails', async () => {
    const answer = await causalCount.answer();
    expect(answer).toBe((MASK_TOKENS * (MASK_TOKENS - 1)) / 2);
    expect(Math.abs(causalCount.demo.right - answer)).toBeLessThanOrEqual(causalCount.tolerance);
    for (const wrong of [causalCount.demo.wrong, MASK_TOKENS * MASK_TOKENS, MASK_TOKENS, answer - 1]) {
      expect(Math.abs(wrong - answer)).toBeGreaterThan(causalCount.tolerance);
    }
  });

  test('why the fixed context fails: one right option, the demo answer another', () => {
    expect(whyFixedFails.correct).toBe(0);
    expect(whyFixedFails.demo.wrong).not.toBe(whyFixedFails.correct);
    expect(whyFixedFails.options).toHaveLength(4);
  });

  test('attention cell: the reference is the fused kernel, and the composed path agrees with it', async () => {
    const [Q, K, V, causal] = attentionCell.cases(5)[3] as [number[][], number[][], number[][], boolean];
    const fused = await fusedAttention(Q, K, V, causal);
    const t = (m: number[][]) => tensor(m.flat(), [1, 1, m.length, m[0].length], { device: 'cpu' });
    const composed = await functional.scaledDotProductAttention(t(Q), t(K), t(V), { causal, impl: 'composed' }).toArray();
    fused.flat().forEach((x, i) => expect(x).toBeCloseTo(composed[i], 5));
    // Run on the example, the solution gives a 3×2 matrix whose first row is V's first (a causal first token sees only itself).
    const out = compileCell(attentionCell, attentionCell.solution)(...attentionCell.example()) as number[][];
    expect(out).toHaveLength(3);
    expect(out[0][0]).toBeCloseTo(1, 12);
    expect(out[0][1]).toBeCloseTo(2, 12);
  });

  test('both cells check head sizes that are multiples of 4 on the GPU kernels, the rest on the CPU oracle', async () => {
    expect(await checkDevice(8)).toBe('webgpu'); // GPU tests fail, never skip, where no adapter is found
    expect(await checkDevice(3)).toBe('cpu');
    const dims = (cases: unknown[][]) => cases.map((c) => (c[0] as number[][])[0].length);
    expect(dims(attentionCell.cases(1)).filter((d) => d % 4 === 0).length).toBeGreaterThanOrEqual(2);
    expect(dims(backwardCell.cases(1)).filter((d) => d % 4 === 0).length).toBeGreaterThanOrEqual(2);
    // The GPU's forward (5 queries over 2 keys, d = 8) and causal backward (2 tokens) against the CPU backend's.
    const [Q, K, V] = attentionCell.cases(7)[4] as [number[][], number[][], number[][], boolean];
    expect([Q.length, K.length, Q[0].length]).toEqual([5, 2, 8]);
    const t = (m: number[][], requiresGrad = false) => tensor(m.flat(), [1, 1, m.length, 8], { device: 'cpu', requiresGrad });
    const near = (got: number[], want: ArrayLike<number>) => got.forEach((x, i) => expect(Math.abs(x - want[i])).toBeLessThan(1e-5 + 1e-4 * Math.abs(want[i])));
    near((await fusedAttention(Q, K, V, false)).flat(), await functional.scaledDotProductAttention(t(Q), t(K), t(V), { impl: 'composed' }).toArray());
    const q = Q.slice(0, 2);
    const dOut = V.map((row) => row.map((x) => 0.5 - x));
    const gpu = await autogradAttention(q, K, V, dOut, true);
    const [qc, kc, vc] = [t(q, true), t(K, true), t(V, true)];
    functional.scaledDotProductAttention(qc, kc, vc, { causal: true, impl: 'composed' }).backward(t(dOut));
    near(gpu.dQ.flat(), await qc.grad!.toArray());
    near(gpu.dK.flat(), await kc.grad!.toArray());
    near(gpu.dV.flat(), await vc.grad!.toArray());
  });

  test('attention cell: the solution passes on several seeds', async () => {
    for (const seed of [1, 2, 3]) expect((await check(attentionCell, attentionCell.solution, seed)).ok).toBe(true);
  });

  test('attention cell: scaling by d, the softmax over the wrong axis, the mask after the softmax and the starter are refused', async () => {
    expect(attentionCell.demo.wrong).toHaveLength(3);
    for (const wrong of [...attentionCell.demo.wrong, attentionCell.starter]) {
      for (const seed of [1, 2]) {
        const r = await check(attentionCell, wrong, seed);
        expect(r.ok, wrong).toBe(false);
      }
    }
  });

  test('backward cell: the reference is autograd through the fused kernel, and agrees with finite differences', async () => {
    const [Q, K, V, dOut, causal] = backwardCell.cases(4)[3] as [number[][], number[][], number[][], number[][], boolean];
    const g = await autogradAttention(Q, K, V, dOut, causal);
    // L = Σ dOut ⊙ attention(Q, K, V); a central difference on one entry of each input, in float64 via the solution's forward.
    const forward = compileCell(attentionCell, attentionCell.solution) as (...a: unknown[]) => number[][];
    const L = (q: number[][], k: number[][], v: number[][]) => forward(q, k, v, causal).reduce((acc, row, i) => acc + row.reduce((a, x, c) => a + x * dOut[i][c], 0), 0);
    const h = 1e-5;
    const bump = (m: number[][], i: number, c: number, by: number) => m.map((row, r) => row.map((x, cc) => (r === i && cc === c ? x + by : x)));
    const fd = (which: 0 | 1 | 2, i: number, c: number) => {
      const args = (by: number) => [Q, K, V].map((m, w) => (w === which ? bump(m, i, c, by) : m)) as [number[][], number[][], number[][]];
      return (L(...args(h)) - L(...args(-h))) / (2 * h);
    };
    expect(g.dQ[3][1]).toBeCloseTo(fd(0, 3, 1), 4);
    expect(g.dK[1][2]).toBeCloseTo(fd(1, 1, 2), 4);
    expect(g.dV[0][0]).toBeCloseTo(fd(2, 0, 0), 4);
  });

  test('backward cell: the solution passes on several seeds', async () => {
    for (const seed of [1, 2, 3]) expect((await check(backwardCell, backwardCell.solution, seed)).ok).toBe(true);
  });

  test('backward cell: the short softmax Jacobian, the missing 1/√d, the untransposed dV and the starter are refused', async () => {
    expect(backwardCell.demo.wrong).toHaveLength(3);
    for (const wrong of [...backwardCell.demo.wrong, backwardCell.starter]) {
      for (const seed of [1, 2]) {
        const r = await check(backwardCell, wrong, seed);
        expect(r.ok, wrong).toBe(false);
      }
    }
  });
});

describe('the lesson', () => {
  test('is registered as week-11-12, with unique w1112- exercise ids and https resources that say what they add', async () => {
    expect(await LESSONS['week-11-12']()).toBe(lesson);
    const ids = lesson.sections.flatMap((s) => (s.kind === 'exercise' ? [s.exercise.id] : []));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(4);
    for (const id of ids) expect(id).toMatch(/^w1112-/);
    for (const r of lesson.resources) {
      expect(r.url).toMatch(/^https:\/\//);
      expect(r.adds.length).toBeGreaterThan(20);
    }
  });
});
