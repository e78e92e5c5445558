// Weeks 15-16's lesson (the transformer): the engine code behind it (engine/lessons/transformer.ts: the reversal
// data, the ablated encoder-decoder, its training with warmup and label smoothing, and the attention maps read back
// from it), the seeded quick run the page states, every checker with its right and wrong answers, and the code cell
// run as the page checks it. Everything runs on the CPU backend.
import { beforeAll, describe, expect, test } from 'vitest';
import { init, tensor, noGrad, tidy, dispose, nn, functional as F, type Tensor } from '../engine/index';
import {
  REVERSAL_TOKENS, reversalSplit, reversalBatch, reversalModel, reversalScore, trainReversal, reversalAttention, mirrorAlignment, stackInput,
  AblationTransformer,
} from '../engine/lessons/transformer';
import { expectAllClose } from './helpers';
import { entropy } from '../engine/index';
import { lesson } from '../playground/course/lessons/week-15-16/index';
import { QUICK, quickAblation } from '../playground/course/lessons/week-15-16/quick';
import {
  floorExercise, alignmentChoice, residualChoice, encoderLayerCell, smoothedTarget, smoothingFloor, SMOOTHING,
} from '../playground/course/lessons/week-15-16/exercises';
import { trainOptions, sweepOptions, runLabel, SWEEP_VALUES, WARMUP_SHARE } from '../playground/course/lessons/week-15-16/settings';
import { LESSONS } from '../playground/course/lessons/index';
import { statRecords } from '../playground/course/stat';
import { claimFails } from '../playground/course/claims';
import { checkCell as check } from './course-cells';

beforeAll(async () => {
  await init({ backend: 'cpu' });
});

const values = async (t: Tensor): Promise<number[]> => Array.from(await t.toArray());

describe('the reversal data', () => {
  test('held-out strings are distinct and never drawn for training; batches pad and mask as translate.ts does', () => {
    const split = reversalSplit({ seed: 3, minLen: 2, maxLen: 3, testSize: 40 });
    const held = new Set(split.test.map((s) => s.join()));
    expect(held.size).toBe(40);
    for (let i = 0; i < 500; i++) {
      const s = split.drawTrain();
      expect(held.has(s.join())).toBe(false);
      expect(s.length).toBeGreaterThanOrEqual(2);
      expect(s.length).toBeLessThanOrEqual(3);
    }
    const { digit0: d, pad, bos, eos } = REVERSAL_TOKENS;
    const b = reversalBatch([[d + 1, d + 2], [d + 7, d + 8, d + 9]], 3);
    expect([b.B, b.S, b.T]).toEqual([2, 3, 4]);
    expect(Array.from(b.src)).toEqual([d + 1, d + 2, pad, d + 7, d + 8, d + 9]);
    expect(Array.from(b.tgtIn)).toEqual([bos, d + 2, d + 1, pad, bos, d + 9, d + 8, d + 7]);
    expect(Array.from(b.tgtOut)).toEqual([d + 2, d + 1, eos, -100, d + 9, d + 8, d + 7, eos]);
    expect(() => reversalBatch([[d, d, d, d]], 3)).toThrow(/source 0 has 4 tokens/);
    expect(() => reversalSplit({ seed: 0, minLen: 3, maxLen: 2, testSize: 1 })).toThrow(/minLen/);
    expect(() => reversalSplit({ seed: 0, minLen: 1, maxLen: 1, testSize: 8 })).toThrow(/too few/);
  });
});

describe('the ablated encoder-decoder', () => {
  const opts = { dModel: 8, nHead: 2, layers: 2, seed: 5, device: 'cpu' as const };
  const ids = (rows: number[][]): Tensor => tensor(Int32Array.from(rows.flat()), [rows.length, rows[0].length]);
  const src = [[3, 4, 5, 6], [7, 8, 9, 10]]; // no padding: model.encode would mask it
  const tgt = [[1, 6, 5, 4, 3], [1, 10, 9, 8, 7]];

  test('with residuals and layer norm kept it is the engine’s pre-LN nn.Transformer, weight for weight', async () => {
    const mine = reversalModel(opts, 5);
    const engine = new nn.Transformer({ ...mine.config, normFirst: true, seed: 99 });
    engine.loadStateDict(mine.stateDict());
    const [a, b] = noGrad(() => [mine.forward(ids(src), ids(tgt)), engine.forward(ids(src), ids(tgt))]);
    expectAllClose(await values(a), await values(b), { atol: 1e-6, rtol: 1e-6 });
    dispose([a, b, mine.parameters(), engine.parameters()]);
  });

  test('every variant starts from the same weights; removing layer norm removes exactly its parameters', () => {
    const full = reversalModel(opts, 5);
    const noNorm = reversalModel({ ...opts, ablation: { residual: true, layerNorm: false } }, 5);
    const noRes = reversalModel({ ...opts, ablation: { residual: false, layerNorm: true } }, 5);
    const names = (m: AblationTransformer) => m.namedParameters().map(([n]) => n);
    expect(names(noRes)).toEqual(names(full));
    expect(names(noNorm)).toEqual(names(full).filter((n) => !/norm/.test(n)));
    // 2 encoder layers × 2 norms + 2 decoder layers × 3 norms + 2 final norms, each weight and bias of width 8.
    expect(full.numParameters() - noNorm.numParameters()).toBe((2 * 2 + 2 * 3 + 2) * 2 * 8);
    dispose([full.parameters(), noNorm.parameters(), noRes.parameters()]);
  });

  test('an encoder layer without its residual computes FFN(LN(SA(LN(x)))); without layer norm, x + SA(x) then + FFN', async () => {
    const x = tensor(Float32Array.from({ length: 2 * 4 * 8 }, (_, i) => Math.sin(i * 0.7)), [2, 4, 8]);
    for (const ablation of [{ residual: false, layerNorm: true }, { residual: true, layerNorm: false }]) {
      const m = reversalModel({ ...opts, ablation }, 5);
      const L = m.encoder.layers[0];
      const ff = (h: Tensor) => L.linear2.forward(L.linear1.forward(h).relu());
      const [got, want] = noGrad(() =>
        tidy(() => {
          if (!ablation.residual) {
            const a = L.self_attn.forward(L.norm1.forward(x));
            return [L.encode(x), ff(L.norm2.forward(a))];
          }
          const a = x.add(L.self_attn.forward(x));
          return [L.encode(x), a.add(ff(a))];
        }),
      );
      expectAllClose(await values(got), await values(want), { atol: 1e-5, rtol: 1e-5 });
      dispose([got, want, m.parameters()]);
    }
    x.dispose();
  });

  test('stackInput is the model’s own embedding: the encoder stack on it gives model.encode', async () => {
    const m = reversalModel(opts, 5);
    const [a, b] = noGrad(() => [m.encoder.encode(stackInput(m, m.src_embed, ids(src))), m.encode(ids(src))]);
    expectAllClose(await values(a), await values(b), { atol: 1e-6, rtol: 1e-6 });
    dispose([a, b, m.parameters()]);
  });
});

describe('training and scoring', () => {
  const base = {
    dModel: 16, nHead: 2, layers: 1, seed: 0, device: 'cpu' as const, steps: 30, batch: 8, lr: 0.01, warmup: 0, labelSmoothing: 0,
    minLen: 3, maxLen: 4, testSize: 30, every: 10,
  };

  test('training raises held-out token accuracy; warmup ramps the rate linearly; points land on the logging steps', async () => {
    const r = await trainReversal({ ...base, warmup: 10 });
    expect(r.points.map((p) => p.step)).toEqual([1, 10, 20, 30]);
    expect(r.points[0].lr).toBeCloseTo(0.001, 9); // step 1 of 10: a tenth of the rate
    expect(r.points[1].lr).toBeCloseTo(0.01, 9); // step 10: the full rate, and it stays there
    expect(r.points[3].lr).toBeCloseTo(0.01, 9);
    expect(r.diverged).toBe(false);
    expect(r.accuracy).toBeGreaterThan(r.points[0].accuracy);
    expect(r.accuracy).toBe(r.points.at(-1)!.accuracy);
    const again = await reversalScore(r.model, r.split.test, base.maxLen);
    expect(again.accuracy).toBe(r.accuracy);
    expect(again.loss).toBeCloseTo(r.heldOutLoss, 6);
    dispose(r.model.parameters());
  });

  test('label smoothing changes the loss the optimizer sees by PyTorch’s definition: (1 − ε)·NLL + ε·mean over classes of −log p', async () => {
    const logits = [[2, 0.5, -1], [0.1, 0.2, 0.3], [1, 1, 1]];
    const targets = [0, 2, -100];
    const eps = 0.2;
    let sum = 0;
    let n = 0;
    for (const [r, row] of logits.entries()) {
      if (targets[r] === -100) continue;
      const lse = Math.log(row.reduce((a, v) => a + Math.exp(v), 0));
      const nll = lse - row[targets[r]];
      const uniform = row.reduce((a, v) => a + (lse - v), 0) / row.length;
      sum += (1 - eps) * nll + eps * uniform;
      n++;
    }
    const got = F.crossEntropy(tensor(Float32Array.from(logits.flat()), [3, 3]), tensor(Int32Array.from(targets), [3]), { labelSmoothing: eps, ignoreIndex: -100 });
    expect(await got.item()).toBeCloseTo(sum / n, 6);
    got.dispose();
    const plain = await trainReversal({ ...base, steps: 1 });
    const smooth = await trainReversal({ ...base, steps: 1, labelSmoothing: 0.1 });
    // Same seed, same first batch and weights: only the loss's definition differs.
    expect(smooth.points[0].loss).not.toBeCloseTo(plain.points[0].loss, 4);
    dispose([plain.model.parameters(), smooth.model.parameters()]);
  });

  test('a rate far too high is reported as diverged rather than scored as if it trained', async () => {
    const r = await trainReversal({ ...base, lr: 1e6, steps: 20, every: 1, ablation: { residual: true, layerNorm: false } });
    expect(r.diverged).toBe(true);
    expect(Number.isFinite(r.points.at(-1)!.loss)).toBe(false);
    expect(r.points.length).toBeLessThan(20); // it stopped at the first non-finite loss
    dispose(r.model.parameters());
  });
});

describe('attention maps', () => {
  test('every map is a distribution per query; decoder self-attention is causal; alignment is a share', async () => {
    const r = await trainReversal({
      dModel: 8, nHead: 2, layers: 2, seed: 1, device: 'cpu', steps: 2, batch: 4, lr: 0.01, warmup: 0, labelSmoothing: 0,
      minLen: 3, maxLen: 4, testSize: 5, every: 10,
    });
    const s = r.split.test[0];
    const a = await reversalAttention(r.model, s);
    expect(a.source).toHaveLength(s.length);
    expect(a.target[0]).toBe('<s>');
    for (const kind of [a.encoderSelf, a.decoderSelf, a.cross]) {
      expect(kind).toHaveLength(2); // layers
      for (const layer of kind) {
        expect(layer).toHaveLength(2); // heads
        for (const head of layer) for (const row of head) expect(row.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 5);
      }
    }
    expect(a.encoderSelf[0][0]).toHaveLength(s.length);
    expect(a.encoderSelf[0][0][0]).toHaveLength(s.length);
    expect(a.cross[1][1]).toHaveLength(a.target.length);
    expect(a.cross[1][1][0]).toHaveLength(s.length);
    for (const head of a.decoderSelf[0]) head.forEach((row, q) => row.forEach((w, k) => k > q && expect(w).toBe(0)));
    const align = await mirrorAlignment(r.model, r.split.test);
    expect(align.share).toBeGreaterThanOrEqual(0);
    expect(align.share).toBeLessThanOrEqual(1);
    // Strings of 3 or 4 digits: chance is 1/3 or 1/4 per digit counted.
    expect(align.chance).toBeGreaterThanOrEqual(0.25);
    expect(align.chance).toBeLessThanOrEqual(1 / 3 + 1e-12);
    dispose(r.model.parameters());
  });
});

describe('the quick runs the page states', () => {
  test('residuals matter far more than layer norm in the quick run, and cross-attention finds the mirrored digit above chance', async () => {
    const q = await quickAblation();
    expect(q.full.diverged || q.full.accuracy <= 0.1).toBe(false);
    expect(q.full.accuracy).toBeGreaterThan(q.noResidual.accuracy + 0.2);
    expect(Math.abs(q.full.accuracy - q.noNorm.accuracy)).toBeLessThan(0.1);
    expect(q.alignment).toBeGreaterThan(q.alignmentChance);
    expect(q.full.points.at(-1)!.step).toBe(QUICK.steps);
  });

  test('the page states those numbers under the names the e2e reads, and its claims hold on them', async () => {
    const q = await quickAblation();
    for (let i = 0; i < 100 && statRecords().pending > 0; i++) await new Promise((res) => setTimeout(res, 10));
    const { values, problems } = statRecords();
    expect(problems).toEqual([]);
    expect(values['w1516-acc-full'].value).toBe(q.full.accuracy);
    expect(values['w1516-acc-no-res'].value).toBe(q.noResidual.accuracy);
    expect(values['w1516-acc-no-ln'].value).toBe(q.noNorm.accuracy);
    expect(values['w1516-align'].value).toBe(q.alignment);
    expect(values['w1516-params'].value).toBe(q.full.numParameters);
    expect(lesson.claims?.length).toBe(4);
    for (const c of lesson.claims ?? []) expect(claimFails(c, values), c.says).toBeNull();
  });
});

describe('exercises', () => {
  test('smoothing floor: the entropy of the smoothed target, which the engine’s smoothed cross-entropy reaches at logits = log q', async () => {
    const C = REVERSAL_TOKENS.vocab;
    const answer = await floorExercise.answer();
    const q = smoothedTarget(SMOOTHING, C);
    expect(q.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(answer).toBeCloseTo(entropy(q, Math.E), 12);
    const logits = tensor(Float32Array.from(q.map(Math.log)), [1, C]);
    const loss = F.crossEntropy(logits, tensor(Int32Array.from([0]), [1]), { labelSmoothing: SMOOTHING });
    expect(await loss.item()).toBeCloseTo(answer, 5);
    dispose([logits, loss]);
    expect(Math.abs(floorExercise.demo.right - answer)).toBeLessThanOrEqual(floorExercise.tolerance);
    // No floor at all; −log(1 − ε), the right token's share alone; the entropy in bits.
    for (const wrong of [floorExercise.demo.wrong, -Math.log(1 - SMOOTHING), smoothingFloor() / Math.LN2]) {
      expect(Math.abs(wrong - answer)).toBeGreaterThan(floorExercise.tolerance);
    }
  });

  test('the choices: one right option each, and the demo wrong one is another', () => {
    for (const c of [alignmentChoice, residualChoice]) {
      expect(c.demo.wrong).not.toBe(c.correct);
      expect(c.options).toHaveLength(4);
    }
    expect(alignmentChoice.options[alignmentChoice.correct]).toMatch(/4 − i/);
  });

  test('encoder layer cell: the solution passes on several seeds', async () => {
    for (const seed of [1, 2, 3]) expect((await check(encoderLayerCell, encoderLayerCell.solution, seed)).ok).toBe(true);
  });

  test('encoder layer cell: post-LN order, the missing residual, the FFN without ReLU and the starter are refused', async () => {
    expect(encoderLayerCell.demo.wrong.length).toBeGreaterThanOrEqual(2);
    for (const wrong of [...encoderLayerCell.demo.wrong, encoderLayerCell.starter]) {
      for (const seed of [1, 2]) expect((await check(encoderLayerCell, wrong, seed)).ok, wrong.slice(-300)).toBe(false);
    }
  });
});

describe('the widgets’ settings', () => {
  test('a training setting becomes the run it names: warmup over its share of the steps, ε when smoothing, the parts kept', () => {
    const v = { steps: 300, lr: 0.03, layers: 3, residual: false, layerNorm: true, warmup: true, smoothing: true };
    const o = trainOptions(v, 'cpu');
    expect([o.steps, o.lr, o.layers, o.warmup, o.labelSmoothing]).toEqual([300, 0.03, 3, WARMUP_SHARE * 300, SMOOTHING]);
    expect(o.ablation).toEqual({ residual: false, layerNorm: true });
    expect([o.minLen, o.maxLen, o.seed]).toEqual([QUICK.minLen, QUICK.maxLen, QUICK.seed]); // the same task as the quick run
    const off = trainOptions({ ...v, warmup: false, smoothing: false }, 'cpu');
    expect([off.warmup, off.labelSmoothing]).toEqual([0, 0]);
    expect(runLabel(v)).toBe('3 layers, no residual, layer norm, lr 0.03, warmup 60, ε = 0.1; 300 steps');
  });

  test('a sweep changes only its axis, and every width it tries divides into its heads', () => {
    for (const value of SWEEP_VALUES.width) expect(value % sweepOptions('width', value, 150, 'cpu').nHead).toBe(0);
    for (const value of SWEEP_VALUES.heads) expect(32 % value).toBe(0);
    const h = sweepOptions('heads', 8, 150, 'cpu');
    const l = sweepOptions('layers', 3, 150, 'cpu');
    expect([h.nHead, h.dModel, h.layers, l.nHead, l.dModel, l.layers]).toEqual([8, 32, 1, 4, 32, 3]);
    expect(sweepOptions('width', 16, 150, 'cpu').ffn).toBe(32);
  });
});

describe('the lesson', () => {
  test('is registered as week-15-16, with unique w1516- exercise ids and https resources that say what they add', async () => {
    expect(await LESSONS['week-15-16']()).toBe(lesson);
    const ids = lesson.sections.flatMap((s) => (s.kind === 'exercise' ? [s.exercise.id] : []));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(4);
    for (const id of ids) expect(id).toMatch(/^w1516-/);
    for (const r of lesson.resources) {
      expect(r.url).toMatch(/^https:\/\//);
      expect(r.adds.length).toBeGreaterThan(20);
    }
  });
});
