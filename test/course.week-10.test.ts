// Week 10's lesson (the integration project): the engine's vocabulary, windows and neural language model, the
// seeded quick run the page states (the neural model's held-out perplexity below the Kneser-Ney bigram's on the
// same vocabulary and addresses), every checker with its right and wrong answers, and the code cell run as the
// page checks it.
import { beforeAll, describe, expect, test } from 'vitest';
import { init, entropy } from '../engine/index';
import { buildVocab, restrictToVocab, contextWindows, windowsOfIds, MLPLanguageModel, mlpPerplexity } from '../engine/lessons/mlplm';
import { NGramLM, UNK, EOS } from '../engine/lessons/ngram';
import { lesson } from '../playground/course/lessons/week-10/index';
import { QUICK, quickComparison } from '../playground/course/lessons/week-10/quick';
import { uniformGuess, whyItWins, windowsCell, PREDICTED } from '../playground/course/lessons/week-10/exercises';
import { LESSONS } from '../playground/course/lessons/index';
import { statRecords } from '../playground/course/stat';
import { checkCell as check } from './course-cells';


beforeAll(async () => {
  await init({ backend: 'cpu' });
});

describe('vocabulary and windows', () => {
  const train = [['a', 'b', 'a'], ['c', 'a', 'b'], ['d']];

  test('the top words by count (ties alphabetical), then <unk> and </s>; <s> is one id past them', () => {
    const v = buildVocab(train, 2);
    expect(v.words).toEqual(['a', 'b', UNK, EOS]);
    expect([v.unk, v.eos, v.bos]).toEqual([2, 3, 4]);
    expect(buildVocab(train, 3).words).toEqual(['a', 'b', 'c', UNK, EOS]); // c before d: alphabetical tie-break
    expect(restrictToVocab([['a', 'z', 'c']], v)).toEqual([['a', UNK, UNK]]);
    expect(() => buildVocab(train, 0)).toThrow(/size/);
  });

  test('windows pad with <s>, predict every word and </s>, and agree with the NGramLM token count', () => {
    expect(windowsOfIds([4, 7], 2, 9, 8)).toEqual([[9, 9, 4], [9, 4, 7], [4, 7, 8]]);
    expect(windowsOfIds([], 1, 9, 8)).toEqual([[9, 8]]);
    const v = buildVocab(train, 2);
    const w = contextWindows(restrictToVocab(train, v), v, 3);
    expect(w.y.length).toBe(3 + 3 + 1 + 3); // each word and each </s>
    expect(w.x.length).toBe(w.y.length * 3);
    expect(new NGramLM({ n: 2, smoothing: 'kneser-ney' }).fit(restrictToVocab(train, v)).logLikelihood(restrictToVocab(train, v)).tokens).toBe(w.y.length);
  });

  test('an untrained model scores probabilities that sum to one: its perplexity is finite and near the vocabulary size', async () => {
    const v = buildVocab(train, 3);
    const m = new MLPLanguageModel(v.words.length, { context: 2, dim: 4, hidden: 8, seed: 1, device: 'cpu' });
    const ppl = await mlpPerplexity(m, contextWindows(restrictToVocab(train, v), v, 2));
    expect(Number.isFinite(ppl)).toBe(true);
    expect(ppl).toBeGreaterThan(1);
  });
});

describe('the quick comparison the page states', () => {
  test('the neural model beats the Kneser-Ney bigram on the same vocabulary and held-out addresses', async () => {
    const r = await quickComparison();
    expect(r.vocab.words).toHaveLength(QUICK.vocabSize + 2);
    expect(r.bigram).toBeGreaterThan(1);
    expect(r.bigram).toBeLessThan(PREDICTED); // both beat the uniform guess
    expect(r.mlp).toBeLessThan(r.bigram);
    expect(r.losses.at(-1)!.loss).toBeLessThan(r.losses[0].loss + 0.5);
    expect(r.unkRate).toBeGreaterThan(0);
    expect(r.unkRate).toBeLessThan(1);
    for (const s of [...r.bigramSamples, ...r.mlpSamples]) for (const w of s) expect(r.vocab.words).toContain(w);
  });

  test('the page states those numbers under the names the e2e reads', async () => {
    const r = await quickComparison();
    for (const s of lesson.sections) if (s.kind === 'text') void s.body; // the sections were built at import
    // The stats are promises that settle after the quick run; wait for them.
    for (let i = 0; i < 50 && statRecords().pending > 0; i++) await new Promise((res) => setTimeout(res, 10));
    const { values, problems } = statRecords();
    expect(problems).toEqual([]);
    expect(values['w10-kn-bigram-ppl'].value).toBe(r.bigram);
    expect(values['w10-mlp-ppl'].value).toBe(r.mlp);
    expect(values['w10-mlp-ppl'].value).toBeLessThan(values['w10-kn-bigram-ppl'].value);
    expect(values['w10-uniform-ppl'].value).toBeCloseTo(PREDICTED, 9);
  });
});

describe('exercises', () => {
  test('uniform perplexity: the right answer passes; forgetting <unk> and </s>, or counting <s>, fails', async () => {
    const answer = await uniformGuess.answer();
    expect(answer).toBeCloseTo(Math.exp(entropy(new Array(PREDICTED).fill(1 / PREDICTED), Math.E)), 12);
    expect(Math.abs(uniformGuess.demo.right - answer)).toBeLessThanOrEqual(uniformGuess.tolerance);
    for (const wrong of [uniformGuess.demo.wrong, QUICK.vocabSize + 1, PREDICTED + 1, Math.log(PREDICTED)]) {
      expect(Math.abs(wrong - answer)).toBeGreaterThan(uniformGuess.tolerance);
    }
  });

  test('why it wins: one right option, and every other one is a different claim', () => {
    expect(whyItWins.correct).toBe(0);
    expect(whyItWins.demo.wrong).not.toBe(whyItWins.correct);
    expect(whyItWins.options).toHaveLength(4);
  });

  test('windows cell: the solution passes on several seeds', async () => {
    for (const seed of [1, 2, 3]) expect((await check(windowsCell, windowsCell.solution, seed)).ok).toBe(true);
  });

  test('windows cell: the missing </s>, the missing <s> padding, the short context and the starter are refused', async () => {
    expect(windowsCell.demo.wrong).toHaveLength(3);
    for (const wrong of [...windowsCell.demo.wrong, windowsCell.starter]) {
      for (const seed of [1, 2]) expect((await check(windowsCell, wrong, seed)).ok, wrong).toBe(false);
    }
  });
});

describe('the lesson', () => {
  test('is registered as week-10, with unique exercise ids and https resources that say what they add', async () => {
    expect(await LESSONS['week-10']()).toBe(lesson);
    const ids = lesson.sections.flatMap((s) => (s.kind === 'exercise' ? [s.exercise.id] : []));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(3);
    for (const r of lesson.resources) {
      expect(r.url).toMatch(/^https:\/\//);
      expect(r.adds.length).toBeGreaterThan(20);
    }
  });
});
