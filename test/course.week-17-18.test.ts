// Weeks 17-18's lesson (BERT vs GPT): the engine code it stands on (engine/lessons/pretrained.ts) on the shipped
// checkpoints, the numbers the page states (and the comparisons it makes about them), every checker with its right
// and wrong answers, and both code cells run as the page checks them.
import { beforeAll, describe, expect, test } from 'vitest';
import { init, nn, readModel } from '../engine/index';
import {
  topGuesses, gptAttention, bertAttention, bertFillMask, gptNextGuesses, samplingSteps, maskingCounts, iclBatch, iclAccuracyByShots,
  iclIdealAccuracy, iclShownShare, kvCacheWork, cardFinetune, fineTuneRace,
} from '../engine/lessons/pretrained';
import { loadSentiment, splitSentiment } from '../engine/data/sentiment';
import { pretrained, modelFiles } from '../playground/course/lessons/week-17-18/models';
import { seeing, iclCurve, ICL_TEST, KV_DEMO } from '../playground/course/lessons/week-17-18/numbers';
import { whoSees, kvCount, maskCell, filterCell } from '../playground/course/lessons/week-17-18/exercises';
import { lesson } from '../playground/course/lessons/week-17-18/index';
import { LESSONS } from '../playground/course/lessons/index';
import { statRecords } from '../playground/course/stat';
import { claimFails } from '../playground/course/claims';
import { checkCell as check } from './course-cells';

beforeAll(async () => {
  await init({ backend: 'cpu' });
});

describe('the pre-trained models side by side', () => {
  test('GPT attends to the left only (zeros above the diagonal); BERT to every non-padding token', async () => {
    const m = await pretrained();
    const ids = m.tok.encode('The people of the United States');
    const g = await gptAttention(m.gpt, ids);
    const T = ids.length;
    for (let i = 0; i < T; i++) {
      expect(g[i].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      for (let j = 0; j < T; j++) expect(g[i][j] > 0, `gpt ${i},${j}`).toBe(j <= i);
    }
    const pad = m.tok.idOf('[PAD]');
    const b = await bertAttention(m.bert, [m.tok.idOf('[CLS]'), ...ids, m.tok.idOf('[SEP]'), pad, pad]);
    for (let i = 0; i < T + 4; i++) {
      expect(b[i].reduce((a, c) => a + c, 0)).toBeCloseTo(1, 5);
      for (let j = 0; j < T + 4; j++) expect(b[i][j] > 0, `bert ${i},${j}`).toBe(j < T + 2);
    }
    const sinusoidal = new nn.GPT({ vocabSize: 8, blockSize: 4, nLayer: 1, nHead: 1, nEmbd: 4, positional: 'sinusoidal', device: 'cpu' });
    await expect(gptAttention(sinusoidal, [1, 2])).rejects.toThrow(/sinusoidal positions are not supported/);
  });

  test("GPT's guesses for a token use only its left context; BERT's fill the [MASK] with a distribution", async () => {
    const m = await pretrained();
    const ids = m.tok.encode('The Congress of the United States');
    const a = await gptNextGuesses(m.gpt, ids, 3, 5);
    const changedRight = [...ids.slice(0, 3), ...m.tok.encode(' war and peace')];
    expect(await gptNextGuesses(m.gpt, changedRight, 3, 5)).toEqual(a); // what follows cannot matter
    expect(a).toHaveLength(5);
    for (let i = 1; i < a.length; i++) expect(a[i].p).toBeLessThanOrEqual(a[i - 1].p);
    const bids = [m.tok.idOf('[CLS]'), ...ids, m.tok.idOf('[SEP]')];
    const f = await bertFillMask(m.bert, bids, 4, m.tok.idOf('[MASK]'), 1024);
    expect(f.reduce((s, q) => s + q.p, 0)).toBeCloseTo(1, 6);
    // …and BERT's guesses do depend on the right side.
    const other = [...bids.slice(0, 5), ...m.tok.encode(' war and peace'), m.tok.idOf('[SEP]')];
    expect((await bertFillMask(m.bert, other, 4, m.tok.idOf('[MASK]'), 5)).map((q) => q.p)).not.toEqual(f.slice(0, 5).map((q) => q.p));
    await expect(bertFillMask(m.bert, bids, bids.length, 4)).rejects.toThrow(/outside/);
    expect(topGuesses([0.1, 0.4, 0.4, 0.1], 3).map((q) => q.id)).toEqual([1, 2, 0]);
  });

  test('samplingSteps draws exactly what GPT.generate draws, from the distributions it reports', async () => {
    const m = await pretrained();
    const prompt = m.tok.encode('The Congress');
    for (const opts of [{ temperature: 0 }, { temperature: 0.8, topK: 10 }, { temperature: 1.2, topP: 0.8 }]) {
      const steps = await samplingSteps(m.gpt, prompt, opts, 6, 3);
      const gen = await m.gpt.generate(prompt, { ...opts, seed: 3, maxNewTokens: 6 });
      expect([...prompt, ...steps.map((s) => s.token)]).toEqual(gen);
      for (const s of steps) {
        expect(s.kept[s.token]).toBeGreaterThan(0);
        expect(s.kept.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
        expect(s.raw.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      }
    }
    await expect(samplingSteps(m.gpt, prompt, {}, 64, 0)).rejects.toThrow(/exceed the model's context/);
  });
});

describe('masking, in-context learning, the KV cache and the fine-tuning card', () => {
  test("maskingCounts reads maskTokens' 15% / 80-10-10 split, and never touches specials", () => {
    const ids = Int32Array.from({ length: 30_000 }, (_, i) => (i % 10 === 0 ? 0 : 6 + (i % 1000)));
    const c = maskingCounts(ids, { maskId: 4, vocabSize: 1024, specialIds: [0, 1, 2, 3, 4, 5], seed: 1 });
    expect(c.ordinary).toBe(27_000);
    expect(c.selected / c.ordinary).toBeGreaterThan(0.14);
    expect(c.selected / c.ordinary).toBeLessThan(0.16);
    expect(c.masked + c.random + c.kept).toBe(c.selected);
    expect(c.masked / c.selected).toBeGreaterThan(0.77);
    expect(c.masked / c.selected).toBeLessThan(0.83);
    expect(c.random / c.selected).toBeGreaterThan(0.08);
    expect(c.kept / c.selected).toBeGreaterThan(0.08);
  });

  test("the in-context model's accuracy on the card's held-out sequences is the card's, and rises with examples", async () => {
    const { accuracy } = await iclCurve();
    const card = (await modelFiles('icl')).card.metrics.accuracyByShots as Record<string, number>;
    // iclBatch rebuilds the card's held-out set (seed 2) from the tokenizer's words: same sequences, same scores.
    for (const [k, v] of Object.entries(card)) expect(accuracy[Number(k)], `${k}-shot`).toBeCloseTo(v, 9);
    expect(accuracy).toHaveLength(ICL_TEST.pairs);
    expect(accuracy[8]).toBeGreaterThan(accuracy[0] + 0.4);
    expect(iclIdealAccuracy(0)).toBe(1 / 8);
    // Queries c, a, c, b: only the third's letter was shown before it.
    const m0 = await pretrained();
    const ids = ['c', 'cF', 'a', 'aB', 'c', 'cF', 'b', 'bA'].map((w) => m0.iclTok.encode(w)[0]);
    expect(iclShownShare({ ids: Int32Array.from(ids), answers: new Int32Array(4), n: 1, pairs: 4 })).toEqual([0, 0, 1, 0]);
    expect(iclIdealAccuracy(1)).toBeCloseTo(1 / 8 + 7 / 64, 12);
    const m = await pretrained();
    expect(() => iclBatch(m.tok, 1, 2, 0)).toThrow(/no token/);
    await expect(iclAccuracyByShots(m.icl, iclBatch(m.iclTok, 1, 13, 0))).rejects.toThrow(/exceed/);
  });

  test('kvCacheWork counts positions as GPT.generate runs them, the sliding window included', () => {
    expect(kvCacheWork(3, 4, 100)).toEqual({ withCache: 3 + 3, without: 3 + 4 + 5 + 6 });
    expect(kvCacheWork(KV_DEMO.prompt, 0, 64)).toEqual({ withCache: 0, without: 0 });
    // Context 5: lengths 3, 4, 5, then 6 and 7 exceed it: the cache is dropped and each step runs the last 5.
    expect(kvCacheWork(3, 5, 5)).toEqual({ withCache: 3 + 1 + 1 + 5 + 5, without: 3 + 4 + 5 + 5 + 5 });
    expect(() => kvCacheWork(0, 3, 5)).toThrow(/prompt ≥ 1/);
  });

  test("cardFinetune reads the BERT card's comparison and names a missing or wrong field", async () => {
    const { card } = await readModel('playground/public/models/bert');
    const f = cardFinetune(card);
    const raw = card.metrics.finetune as Record<string, unknown>;
    expect(f.pretrainedMean).toBe(raw.pretrainedMean);
    expect(f.scratchMean).toBe(raw.scratchMean);
    expect(f.pretrained).toEqual(raw.pretrainedAccuracy);
    expect(f.seeds).toBe(f.pretrained.length);
    expect(() => cardFinetune({ ...card, metrics: {} })).toThrow(/metrics\.finetune: missing/);
    expect(() => cardFinetune({ ...card, metrics: { finetune: { ...(raw as object), pretrainedMean: 'x' } as never } })).toThrow(/pretrainedMean: expected a number/);
  });

  test('the live fine-tune trains both models on the same batches and scores both on the held-out sentences', async () => {
    const files = await modelFiles('bert');
    const tok = nn.BPETokenizer.fromJSON(JSON.parse(files.tokenizer));
    const { train, test: held } = splitSentiment(await loadSentiment(), { heldOut: 600, seed: 0 });
    const seen: number[] = [];
    const points = await fineTuneRace({ files, train, heldOut: held.slice(0, 8), steps: 3, evalEvery: 5, batchSize: 2, device: 'cpu', onStep: (s) => void seen.push(s) }, tok);
    expect(seen).toEqual([1, 2, 3]);
    expect(points.map((p) => p.step)).toEqual([0, 3]); // before training, and at the end (evalEvery 5 never came)
    for (const p of points) for (const a of [p.pretrained, p.scratch]) expect(a * 8).toBe(Math.round(a * 8));
    const ctrl = new AbortController();
    ctrl.abort(new Error('stopped'));
    await expect(fineTuneRace({ files, train, heldOut: held.slice(0, 4), steps: 3, evalEvery: 1, device: 'cpu', signal: ctrl.signal }, tok)).rejects.toThrow(/stopped/);
  });
});

describe('exercises', () => {
  test('who sees what: one right option', () => {
    expect(whoSees.correct).toBe(0);
    expect(whoSees.demo.wrong).not.toBe(whoSees.correct);
  });

  test('KV-cache count: the uncached sum passes; the cached count, one step short or the prompt alone fail', async () => {
    const answer = await kvCount.answer();
    expect(answer).toBe(KV_DEMO.newTokens * KV_DEMO.prompt + (KV_DEMO.newTokens * (KV_DEMO.newTokens - 1)) / 2);
    expect(Math.abs(kvCount.demo.right - answer)).toBeLessThanOrEqual(kvCount.tolerance);
    for (const wrong of [kvCount.demo.wrong, answer - KV_DEMO.prompt - KV_DEMO.newTokens + 1, KV_DEMO.prompt * KV_DEMO.newTokens]) {
      expect(Math.abs(wrong - answer)).toBeGreaterThan(kvCount.tolerance);
    }
  });

  test('masking cell: the solution passes; all-[MASK], random ids from the whole vocabulary, masking padding and the starter fail', async () => {
    for (const seed of [1, 2, 3]) expect((await check(maskCell, maskCell.solution, seed)).ok).toBe(true);
    expect(maskCell.demo.wrong).toHaveLength(3);
    for (const wrong of [...maskCell.demo.wrong, maskCell.starter]) {
      for (const seed of [1, 2]) expect((await check(maskCell, wrong, seed)).ok, wrong).toBe(false);
    }
  });

  test('filter cell: the solution passes; dropping the crossing token, keeping ties past k, sorting ascending and the starter fail', async () => {
    for (const seed of [1, 2, 3]) expect((await check(filterCell, filterCell.solution, seed)).ok).toBe(true);
    expect(filterCell.demo.wrong).toHaveLength(3);
    for (const wrong of [...filterCell.demo.wrong, filterCell.starter]) {
      for (const seed of [1, 2]) expect((await check(filterCell, wrong, seed)).ok, wrong).toBe(false);
    }
  });
});

describe('the numbers the page states', () => {
  test('the first layers attend over T(T+1)/2 pairs (GPT) and T² (BERT) of the example', async () => {
    const s = await seeing();
    expect(s.gptPairs).toBe((s.tokens * (s.tokens + 1)) / 2);
    expect(s.bertPairs).toBe(s.tokens * s.tokens);
  });
});

describe('the lesson', () => {
  test('states every number under the names the e2e reads, and its claims hold on them', async () => {
    for (const s of lesson.sections) if (s.kind === 'text') void s.body; // the sections were built at import
    for (let i = 0; i < 200 && statRecords().pending > 0; i++) await new Promise((res) => setTimeout(res, 10));
    const { values, problems, pending } = statRecords();
    expect(problems).toEqual([]);
    expect(pending).toBe(0);
    const f = cardFinetune((await readModel('playground/public/models/bert')).card);
    expect(values['w1718-ft-pretrained'].value).toBe(f.pretrainedMean);
    expect(values['w1718-ft-scratch'].value).toBe(f.scratchMean);
    const c = await iclCurve();
    expect(values['w1718-icl-8'].value).toBe(c.accuracy[8]);
    const s = await seeing();
    expect(values['w1718-bert-pairs'].value).toBe(s.bertPairs);
    expect(values['w1718-kv-without'].value).toBe(kvCacheWork(KV_DEMO.prompt, KV_DEMO.newTokens, 64).without);
    expect(lesson.claims!.length).toBeGreaterThanOrEqual(5);
    for (const claim of lesson.claims!) expect(claimFails(claim, values), claim.says).toBeNull();
  });

  test('is registered as week-17-18, with unique w1718- exercise ids and https resources that say what they add', async () => {
    expect(await LESSONS['week-17-18']()).toBe(lesson);
    const ids = lesson.sections.flatMap((s) => (s.kind === 'exercise' ? [s.exercise.id] : []));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(4);
    for (const id of ids) expect(id).toMatch(/^w1718-/);
    for (const r of lesson.resources) {
      expect(r.url).toMatch(/^https:\/\//);
      expect(r.adds.length).toBeGreaterThan(20);
    }
  });
});
