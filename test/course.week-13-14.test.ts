// Weeks 13-14's lesson (self-attention and multiple heads): the engine code behind it (the code cells' references
// against nn.MultiHeadAttention and the sinusoidal table, permutation equivariance with and without positions, the
// paired order task), the seeded quick run the page states with its claims, and every checker with its right answer
// and typical wrong ones (the code cells run through the shell's checkCode, as the page runs them).
import { beforeAll, describe, expect, test } from 'vitest';
import { init, nn, tensor, noGrad } from '../engine/index';
import {
  selfAttentionReference, splitHeadsReference, mergeHeadsReference, sinusoidalRows, equivariance, shuffleOrder,
  orderBatch, pairedOrderTest, OrderModel, attentionMaps, rowSimilarity,
} from '../engine/lessons/selfattention';
import { seededRandom } from '../engine/lessons/metrics';
import { lesson } from '../playground/course/lessons/week-13-14/index';
import { QUICK, quickOrderRuns, eqMeasure, EQ_SEED } from '../playground/course/lessons/week-13-14/quick';
import {
  attentionCell, splitCell, mergeCell, sinusoidCell, equivarianceChoice, blindAccuracy, headsParameters, mhaParameters, MORE_WRONG,
} from '../playground/course/lessons/week-13-14/exercises';
import { LESSONS } from '../playground/course/lessons/index';
import { statRecords } from '../playground/course/stat';
import { claimFails } from '../playground/course/claims';
import type { CodeExercise } from '../playground/course/types';
import { checkCell as check } from './course-cells';

beforeAll(async () => {
  await init({ backend: 'cpu' });
});

const randMatrix = (r: () => number, rows: number, cols: number): number[][] =>
  Array.from({ length: rows }, () => Array.from({ length: cols }, () => r() * 2 - 1));

/** softmax(Q Kᵀ / √d) V in plain loops, as a second opinion on the engine's reference. */
function attentionLoops(X: number[][], Wq: number[][], Wk: number[][], Wv: number[][]): number[][] {
  const mm = (A: number[][], B: number[][]) => A.map((row) => B[0].map((_, j) => row.reduce((s, a, k) => s + a * B[k][j], 0)));
  const [Q, K, V] = [mm(X, Wq), mm(X, Wk), mm(X, Wv)];
  const d = Wq[0].length;
  return Q.map((q) => {
    const s = K.map((k) => q.reduce((acc, v, i) => acc + v * k[i], 0) / Math.sqrt(d));
    const m = Math.max(...s);
    const e = s.map((v) => Math.exp(v - m));
    const z = e.reduce((a, b) => a + b, 0);
    return V[0].map((_, j) => e.reduce((acc, w, t) => acc + (w / z) * V[t][j], 0));
  });
}

describe('engine: the references the code cells are checked against', () => {
  test('self-attention from raw weights is softmax(QKᵀ/√d)V, and bad shapes are named', async () => {
    const r = seededRandom(3);
    const [X, Wq, Wk, Wv] = [randMatrix(r, 5, 4), randMatrix(r, 4, 3), randMatrix(r, 4, 3), randMatrix(r, 4, 2)];
    const got = await selfAttentionReference(X, Wq, Wk, Wv);
    const want = attentionLoops(X, Wq, Wk, Wv);
    got.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(want[i][j], 5)));
    await expect(selfAttentionReference(X, randMatrix(r, 3, 3), Wk, Wv)).rejects.toThrow(/Wq has 3 rows but X has 4 columns/);
  });

  test('split and merge are what nn.MultiHeadAttention does: its weights and its output, rebuilt head by head', async () => {
    const [B, T, E, H] = [2, 5, 8, 2];
    const d = E / H;
    const mha = new nn.MultiHeadAttention(E, H, { seed: 4, device: 'cpu' });
    const r = seededRandom(5);
    const x = Array.from({ length: B }, () => randMatrix(r, T, E));
    const xt = tensor(x.flat(2), [B, T, E], { device: 'cpu' });
    const { output, weights } = noGrad(() => mha.attend(xt, { needWeights: true }));
    const W = await mha.in_proj_weight.toArray(); // (3E, E); the biases start at zero
    // q, k, v = x Wᵀ for each third of the stacked weight: (B, T, E) each.
    const proj = (part: number) => x.map((m) => m.map((row) => Array.from({ length: E }, (_, o) => row.reduce((s, v, i) => s + v * W[(part * E + o) * E + i], 0))));
    const [q, k, v] = await Promise.all([0, 1, 2].map((p) => splitHeadsReference(proj(p), H))); // (B, H, T, d)
    expect([q.length, q[0].length, q[0][0].length, q[0][0][0].length]).toEqual([B, H, T, d]);
    const w = await weights!.toArray(); // (B, H, T, T)
    const heads: number[][][][] = [];
    for (let b = 0; b < B; b++) {
      heads.push([]);
      for (let h = 0; h < H; h++) {
        const s = q[b][h].map((qi) => k[b][h].map((kj) => qi.reduce((a, c, i) => a + c * kj[i], 0) / Math.sqrt(d)));
        const p = s.map((row) => {
          const m = Math.max(...row);
          const e = row.map((z) => Math.exp(z - m));
          const sum = e.reduce((a2, c) => a2 + c, 0);
          return e.map((z) => z / sum);
        });
        p.forEach((row, i) => row.forEach((pij, j) => expect(pij).toBeCloseTo(w[((b * H + h) * T + i) * T + j], 5)));
        heads[b].push(p.map((row) => Array.from({ length: d }, (_, c) => row.reduce((a2, pij, j) => a2 + pij * v[b][h][j][c], 0))));
      }
    }
    const merged = await mergeHeadsReference(heads); // (B, T, E)
    const Wo = await mha.out_proj.weight.toArray(); // (E, E), zero bias
    const out = await output.toArray();
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let o = 0; o < E; o++) {
      expect(merged[b][t].reduce((s, c, i) => s + c * Wo[o * E + i], 0)).toBeCloseTo(out[(b * T + t) * E + o], 5);
    }
    // Merge undoes split.
    expect(await mergeHeadsReference(await splitHeadsReference(x, 4))).toEqual(x.map((m) => m.map((row) => row.map(Math.fround))));
    await expect(splitHeadsReference(x, 3)).rejects.toThrow(/heads \(3\) must divide the embedding size 8/);
    for (const t of [xt, output, weights!]) t.dispose();
  });

  test('the sinusoidal rows: sin on even features, cos on odd ones, frequencies 1 / 10000^(2i/d)', () => {
    const pe = sinusoidalRows(7, 6);
    expect(pe[0]).toEqual([0, 1, 0, 1, 0, 1]);
    expect(pe[3][0]).toBeCloseTo(Math.sin(3), 6);
    expect(pe[3][1]).toBeCloseTo(Math.cos(3), 6);
    expect(pe[5][2]).toBeCloseTo(Math.sin(5 / Math.pow(10000, 2 / 6)), 6);
    expect(pe[5][5]).toBeCloseTo(Math.cos(5 / Math.pow(10000, 4 / 6)), 6);
    expect(sinusoidalRows(2, 3)[1]).toHaveLength(3); // an odd size ends on a sine
    expect(() => sinusoidalRows(0, 4)).toThrow(/positive integers/);
    const sim = rowSimilarity(sinusoidalRows(8, 16));
    expect(sim[2][2]).toBeCloseTo(1, 6);
    for (let j = 2; j < 8; j++) expect(sim[0][1]).toBeGreaterThan(sim[0][j]); // the neighbour is the most alike
  });
});

describe('engine: permutation equivariance', () => {
  test('without positions a shuffle of the tokens only shuffles the outputs; sinusoidal positions break that', async () => {
    const mha = new nn.MultiHeadAttention(8, 2, { seed: 1, device: 'cpu' });
    const x = randMatrix(seededRandom(2), 6, 8);
    const perm = shuffleOrder(6, 3);
    expect(perm).not.toEqual([0, 1, 2, 3, 4, 5]);
    const plain = await equivariance(mha, x, perm, false);
    expect(plain.maxDiff).toBeLessThan(1e-5);
    expect(plain.outputs[0].some((v) => Math.abs(v) > 1e-3)).toBe(true); // the layer is not trivially zero
    const withPos = await equivariance(mha, x, perm, true);
    expect(withPos.maxDiff).toBeGreaterThan(1e-2);
    await expect(equivariance(mha, x, [0, 0, 1, 2, 3, 4], false)).rejects.toThrow(/permutation/);
  });
});

describe('engine: the order task', () => {
  const task = { length: 6, fillers: 3 };

  test('each sequence holds one A and one B among fillers; the label says whether A came first', () => {
    const b = orderBatch(task, 50, seededRandom(1));
    let ones = 0;
    for (let s = 0; s < 50; s++) {
      const row = Array.from(b.x.subarray(s * 6, s * 6 + 6));
      expect(row.filter((t) => t === 0)).toHaveLength(1);
      expect(row.filter((t) => t === 1)).toHaveLength(1);
      expect(row.every((t) => t >= 0 && t < 5)).toBe(true);
      expect(b.y[s]).toBe(row.indexOf(0) < row.indexOf(1) ? 1 : 0);
      ones += b.y[s];
    }
    expect(ones).toBeGreaterThan(10);
    expect(ones).toBeLessThan(40);
    expect(() => orderBatch({ length: 1, fillers: 3 }, 1, Math.random)).toThrow(/length/);
  });

  test('the held-out set comes in pairs with the same tokens and opposite labels', () => {
    const t = pairedOrderTest(task, 20, 7);
    for (let p = 0; p < 20; p++) {
      const a = Array.from(t.x.subarray(2 * p * 6, 2 * p * 6 + 6));
      const b = Array.from(t.x.subarray((2 * p + 1) * 6, (2 * p + 1) * 6 + 6));
      expect([...a].sort()).toEqual([...b].sort());
      expect(t.y[2 * p] + t.y[2 * p + 1]).toBe(1);
    }
  });

  test('the model returns one attention map per head, each row a distribution over the tokens', async () => {
    const m = new OrderModel(task, { positions: 'learned', dim: 8, heads: 2, hidden: 8, seed: 0, device: 'cpu' });
    const maps = await attentionMaps(m, [2, 0, 3, 1, 4, 2]);
    expect(maps).toHaveLength(2);
    for (const map of maps) for (const row of map) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect((await m.positionTable())!).toHaveLength(6);
    expect(await new OrderModel(task, { positions: 'none', dim: 8, heads: 2, hidden: 8, device: 'cpu' }).positionTable()).toBeNull();
    await expect(attentionMaps(m, [0, 1])).rejects.toThrow(/reads 6/);
  });
});

describe('the quick run the page states', () => {
  test('no positions: exactly chance on the paired held-out set; sinusoidal and learned positions beat it', async () => {
    const runs = await quickOrderRuns();
    expect(runs.map((r) => r.positions)).toEqual(['none', 'sinusoidal', 'learned']);
    const [none, sin, learned] = runs.map((r) => r.accuracy);
    expect(none).toBe(0.5);
    expect(sin).toBeGreaterThan(0.75);
    expect(learned).toBeGreaterThan(0.75);
    for (const r of runs) expect(r.losses).toHaveLength(QUICK.train.steps / QUICK.train.every!);
    // Training moved the models with positions, and could not move the blind one below log 2 by much.
    expect(runs[1].losses.at(-1)!.loss).toBeLessThan(runs[1].losses[0].loss);
    expect(runs[0].losses.at(-1)!.loss).toBeGreaterThan(0.6);
  });

  test('the page states those numbers under the names the e2e reads, and its claims hold on them', async () => {
    const runs = await quickOrderRuns();
    await eqMeasure(EQ_SEED, false);
    await eqMeasure(EQ_SEED, true);
    void blindAccuracy.explain; // the explanations (which state numbers) were built at import
    for (let i = 0; i < 100 && statRecords().pending > 0; i++) await new Promise((res) => setTimeout(res, 10));
    const { values, problems } = statRecords();
    expect(problems).toEqual([]);
    expect(values['w1314-acc-none'].value).toBe(runs[0].accuracy);
    expect(values['w1314-acc-sin'].value).toBe(runs[1].accuracy);
    expect(values['w1314-acc-learned'].value).toBe(runs[2].accuracy);
    expect(values['w1314-eq-diff'].value).toBe((await eqMeasure(EQ_SEED, false)).maxDiff);
    expect(values['w1314-mha-params-4'].value).toBe(4 * 16 * 16 + 4 * 16);
    expect(lesson.claims!.length).toBeGreaterThanOrEqual(3);
    for (const c of lesson.claims!) expect(claimFails(c, values), c.says).toBeNull();
    // The check itself can fail: the claim read the other way round is refused.
    expect(claimFails({ stat: 'w1314-acc-none', is: '>', than: 'w1314-acc-sin', says: 'reversed' }, values)).not.toBeNull();
  });
});

describe('exercises', () => {
  const cells: Array<[CodeExercise, string]> = [
    [attentionCell, 'self-attention: d instead of √d, the softmax down the columns, no max subtracted, no scaling'],
    [splitCell, 'split: the flat reshape without the transpose, the strided split, the missing swap'],
    [mergeCell, 'merge: the reshape without the transpose, the interleaved join, heads summed'],
    [sinusoidCell, 'sinusoidal: sin and cos swapped, the exponent k/d, positions from 1'],
  ];
  for (const [cell, wrongs] of cells) {
    test(`${cell.id}: the solution passes on several seeds`, async () => {
      for (const seed of [1, 2, 3]) {
        const r = await check(cell, cell.solution, seed);
        expect(r.ok, r.message).toBe(true);
      }
    });
    test(`${cell.id}: ${wrongs}, and the starter, are refused`, async () => {
      expect(cell.demo.wrong.length).toBeGreaterThanOrEqual(2);
      for (const wrong of [...cell.demo.wrong, MORE_WRONG[cell.id], cell.starter]) {
        for (const seed of [1, 2]) expect((await check(cell, wrong, seed)).ok, wrong).toBe(false);
      }
    });
  }

  test('the blind accuracy: 0.5 passes; 1, 0.55 and 50 (a percentage) fail', async () => {
    const answer = await blindAccuracy.answer();
    expect(answer).toBe(0.5);
    expect(Math.abs(blindAccuracy.demo.right - answer)).toBeLessThanOrEqual(blindAccuracy.tolerance);
    for (const wrong of [blindAccuracy.demo.wrong, 0.55, 50, 0]) expect(Math.abs(wrong - answer)).toBeGreaterThan(blindAccuracy.tolerance);
  });

  test('the heads’ parameters: 4E² + 4E, counted by the engine; per-head counting and forgotten biases fail', async () => {
    const answer = await headsParameters.answer();
    expect(answer).toBe(mhaParameters(16, 1));
    expect(answer).toBe(4 * 16 * 16 + 4 * 16);
    expect(Math.abs(headsParameters.demo.right - answer)).toBeLessThanOrEqual(headsParameters.tolerance);
    for (const wrong of [headsParameters.demo.wrong, 4 * 16 * 16, 3 * 16 * 16 + 3 * 16]) expect(Math.abs(wrong - answer)).toBeGreaterThan(headsParameters.tolerance);
  });

  test('which layer is equivariant: one right option, the demo wrong one differs', () => {
    expect(equivarianceChoice.options).toHaveLength(4);
    expect(equivarianceChoice.correct).toBe(2);
    expect(equivarianceChoice.demo.wrong).not.toBe(equivarianceChoice.correct);
  });
});

describe('the lesson', () => {
  test('is registered as week-13-14, with unique w1314- exercise ids and https resources that say what they add', async () => {
    expect(await LESSONS['week-13-14']()).toBe(lesson);
    const ids = lesson.sections.flatMap((s) => (s.kind === 'exercise' ? [s.exercise.id] : []));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(7);
    for (const id of ids) expect(id).toMatch(/^w1314-/);
    for (const r of lesson.resources) {
      expect(r.url).toMatch(/^https:\/\//);
      expect(r.adds.length).toBeGreaterThan(20);
    }
  });
});
