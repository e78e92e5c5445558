// Week 3's lesson (n-gram language models): the committed State of the Union sample against what `npm run
// course-data` writes, every exercise checker with a right answer and typical wrong ones, the bigram code cell's
// solution and wrong solutions run through the page's own Check against NGramLM, the n-gram laboratory the widgets
// ask, and the numbers the prose states (perplexity = exp(cross-entropy), Kneser-Ney below Laplace) against the
// engine's values recomputed here from the same file.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { NGramLM, courseData } from '../engine/course';
import { checkChoice, checkNumber } from '../playground/course/check';
import { checkCell } from './course-cells';
import { LESSONS } from '../playground/course/lessons/index';
import { lesson } from '../playground/course/lessons/week-3/index';
import {
  TOY, TOY_CONTEXT, UNSEEN_GOAL, bigramCell, checkUnseenMass, kForGoal, laplaceExercise, mleExercise, unseenMass, unseenMassExercise,
} from '../playground/course/lessons/week-3/exercises';
import { MODELS } from '../playground/course/lessons/week-3/numbers';
import { loadSotu } from '../playground/course/widgets/w13-data';
import { LmLab } from '../playground/course/widgets/w13-lm';
import { statRecords } from '../playground/course/stat';
import type { Exercise } from '../playground/course/types';

const SOTU_PATH = new URL('../playground/public/course/sotu.json', import.meta.url);

describe('the committed State of the Union sample', () => {
  test('is byte for byte what `npm run course-data` writes', async () => {
    const fresh = courseData.courseDataText(await courseData.buildSotuFile());
    expect(readFileSync(SOTU_PATH, 'utf8') === fresh, 'playground/public/course/sotu.json is stale: run `npm run course-data`').toBe(true);
  });

  test('splits by whole address, 12 for training and 4 held out', async () => {
    const d = await loadSotu();
    expect(d.trainAddresses.length).toBe(12);
    expect(d.testAddresses.length).toBe(4);
    const key = (a: { name: string; year: number }) => `${a.name} ${a.year}`;
    const train = new Set(d.trainAddresses.map(key));
    for (const a of d.testAddresses) expect(train.has(key(a))).toBe(false);
    for (const a of [...d.trainAddresses, ...d.testAddresses]) expect(a.year).toBeGreaterThanOrEqual(1946);
    expect(d.train.length).toBeGreaterThan(2000);
    expect(d.test.length).toBeGreaterThan(500);
  });

  test('the parser names what is wrong with a broken file', () => {
    const good = JSON.parse(readFileSync(SOTU_PATH, 'utf8'));
    const broken = (patch: (f: typeof good) => void) => {
      const f = structuredClone(good);
      patch(f);
      return () => courseData.parseSotuFile(f);
    };
    expect(broken((f) => delete f.train)).toThrow(/sotu\.json: at train: .*npm run course-data/);
    expect(broken((f) => (f.test[5] = ''))).toThrow(/test\.5 is an empty sentence/);
    expect(broken((f) => (f.test = []))).toThrow(/needs training and held-out sentences/);
    expect(broken((f) => (f.trainAddresses[0].year = 'x'))).toThrow(/trainAddresses\.0\.year/);
  });
});

describe('exercises', () => {
  const exercises = lesson.sections.flatMap((s) => (s.kind === 'exercise' ? [s.exercise] : []));

  test('every exercise has a unique id, and the lesson is registered', async () => {
    const ids = exercises.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(await LESSONS['week-3']()).toBe(lesson);
    expect(exercises.map((e) => e.kind).sort()).toEqual(['choice', 'choice', 'code', 'number', 'number', 'target']);
  });

  test.each(exercises.filter((e): e is Extract<Exercise, { kind: 'number' }> => e.kind === 'number'))('$id: right passes, wrong fails', async (ex) => {
    const answer = await ex.answer();
    expect(checkNumber(ex, ex.demo.right, answer).ok).toBe(true);
    expect(checkNumber(ex, ex.demo.wrong, answer).ok).toBe(false);
  });

  test('the toy counts, by hand: P(tea | like) = 2/3 and Laplace P(coffee | like) = 2/12', async () => {
    // like → tea twice, → coffee once; V = {i, like, tea, coffee, you, we, drink, </s>, <unk>}.
    expect(await mleExercise.answer()).toBeCloseTo(2 / 3, 12);
    expect(await laplaceExercise.answer()).toBeCloseTo(2 / 12, 12);
    // The usual slips: V without the two markers (2/10), no smoothing (1/3), the joint (1/12).
    for (const wrong of [2 / 10, 1 / 3, 1 / 12]) expect(checkNumber(laplaceExercise, wrong, 2 / 12).ok).toBe(false);
    for (const wrong of [2 / 12, 1 / 3, 2 / 4]) expect(checkNumber(mleExercise, wrong, 2 / 3).ok).toBe(false);
  });

  test('the unseen-mass target: k on the goal passes; Laplace, too small a k and junk fail', () => {
    // After "like": c = 3, |V| = 9, 7 unseen words, so the unseen mass is 7k / (3 + 9k).
    for (const k of [0.05, 0.3, 1, 4]) expect(unseenMass(k)).toBeCloseTo((7 * k) / (3 + 9 * k), 12);
    const k = kForGoal();
    expect(k).toBeCloseTo((3 * UNSEEN_GOAL) / (7 - 9 * UNSEEN_GOAL), 9);
    expect(unseenMassExercise.check(unseenMassExercise.demo.right).ok).toBe(true);
    expect(unseenMassExercise.check(unseenMassExercise.demo.wrong).ok).toBe(false);
    expect(checkUnseenMass({ k: 0.05 })).toMatchObject({ ok: false, message: expect.stringMatching(/Raise k/) });
    expect(checkUnseenMass({ k: 1 })).toMatchObject({ ok: false, message: expect.stringMatching(/Lower k/) });
    expect(checkUnseenMass({ k: k * 1.02 }).ok).toBe(true); // within a point of the goal
    for (const junk of [null, {}, { k: -1 }, { k: 0 }, { k: 'big' }, { k: Infinity }]) expect(checkUnseenMass(junk).ok).toBe(false);
    expect(TOY_CONTEXT).toBe('like');
  });

  test('choices: the correct option passes and the demo wrong one fails', () => {
    for (const ex of exercises) {
      if (ex.kind !== 'choice') continue;
      expect(checkChoice(ex, ex.correct).ok, ex.id).toBe(true);
      expect(checkChoice(ex, ex.demo.wrong).ok, ex.id).toBe(false);
      // Every other option is refused too, with the right answer named.
      for (let i = 0; i < ex.options.length; i++) {
        if (i === ex.correct) continue;
        const r = checkChoice(ex, i);
        expect(r.ok, `${ex.id} option ${i}`).toBe(false);
        expect(r.message).toContain(ex.options[ex.correct]);
      }
      expect(checkChoice(ex, null).ok).toBe(false);
    }
  });
});

describe('the bigram code cell, through the page\'s Check', () => {
  const seeds = [1, 2, 3, 4, 5];
  const verdict = checkCell;

  test('the solution passes every seed and matches NGramLM on the example; the starter fails', async () => {
    for (const seed of seeds) {
      const r = await verdict(bigramCell, bigramCell.solution, seed);
      expect(r.ok, r.message).toBe(true);
    }
    expect((await verdict(bigramCell, bigramCell.starter, 1)).ok).toBe(false);
    const [train, test] = bigramCell.example() as [string[][], string[][]];
    expect(train).toEqual(TOY);
    expect(bigramCell.reference(train, test)).toBe(new NGramLM({ n: 2, smoothing: 'laplace' }).fit(TOY).perplexity(test));
  });

  test('every typical wrong solution fails on every seed', async () => {
    expect(bigramCell.demo.wrong.length).toBeGreaterThanOrEqual(3);
    for (const wrong of bigramCell.demo.wrong) {
      for (const seed of seeds) {
        const r = await verdict(bigramCell, wrong, seed);
        expect(r.ok, `accepted a wrong solution (seed ${seed}):\n${wrong}`).toBe(false);
      }
    }
  });

  test('the cases have odd sizes and unknown test words', () => {
    const cases = bigramCell.cases(11) as [string[][], string[][]][];
    expect(cases.map(([train]) => train.length)).toEqual([1, 5, 9, 13]);
    const unknown = cases.some(([train, test]) => test.flat().some((w) => !train.flat().includes(w)));
    expect(unknown).toBe(true);
  });
});

describe('the n-gram laboratory', () => {
  test('sparsity rises with n and falls with more training text; samples are seeded', async () => {
    const lab = new LmLab(await loadSotu());
    const full = lab.handle({ kind: 'sparsity', orders: [1, 2, 3] });
    expect(full[0]).toBeLessThan(full[1]);
    expect(full[1]).toBeLessThan(full[2]);
    const part = lab.handle({ kind: 'sparsity', orders: [1, 2], fraction: 0.2 });
    expect(part[0]).toBeGreaterThan(full[0]);
    expect(part[1]).toBeGreaterThan(full[1]);
    const spec = { n: 2, smoothing: 'kneser-ney' as const };
    const a = lab.handle({ kind: 'sample', model: spec, seed: 4, count: 2 });
    expect(lab.handle({ kind: 'sample', model: spec, seed: 4, count: 2 })).toEqual(a);
    const vocab = new Set(lab.model(spec).vocab);
    for (const w of a.flat()) expect(vocab.has(w)).toBe(true);
    expect(() => lab.handle({ kind: 'sample', model: spec, seed: 1, count: 0 })).toThrow(/count must be 1 to 20/);
    expect(() => lab.handle({ kind: 'evaluate', model: { n: 0, smoothing: 'laplace' } })).toThrow(/n must be an integer from 1 to 6/);
  });
});

describe('numbers the prose states', () => {
  test('are the engine\'s values on the committed data: perplexity = exp(cross-entropy), Kneser-Ney beats Laplace', async () => {
    for (let i = 0; i < 2400 && statRecords().pending > 0; i++) await new Promise((r) => setTimeout(r, 25));
    const { values, problems, pending } = statRecords();
    expect(pending).toBe(0);
    expect(problems).toEqual([]);
    const v = (name: string) => {
      expect(values[name], `stat ${name} was not rendered`).toBeDefined();
      return values[name].value;
    };
    // Recomputed here, straight from the file, with the engine alone.
    const data = courseData.parseSotuFile(JSON.parse(readFileSync(SOTU_PATH, 'utf8')));
    const kn = new NGramLM(MODELS.biKn).fit(data.train);
    const laplace = new NGramLM(MODELS.biLaplace).fit(data.train);
    const knPpl = kn.perplexity(data.test);
    const laplacePpl = laplace.perplexity(data.test);
    const { logProb, tokens } = kn.logLikelihood(data.test);
    expect(v('w3-bi-kn-ppl-exact')).toBe(knPpl);
    expect(v('w3-bi-kn-xent')).toBeCloseTo(-logProb / tokens, 12);
    expect(v('w3-bi-kn-exp-xent')).toBeCloseTo(v('w3-bi-kn-ppl-exact'), 9);
    expect(values['w3-bi-kn-exp-xent'].text).toBe(values['w3-bi-kn-ppl-exact'].text);
    expect(v('w3-bi-kn-xent-bits')).toBeCloseTo(-logProb / tokens / Math.LN2, 12);
    expect(v('w3-bi-laplace-ppl')).toBe(laplacePpl);
    expect(v('w3-bi-kn-ppl')).toBeLessThan(v('w3-bi-laplace-ppl'));
    expect(v('w3-kn-laplace-ratio')).toBeCloseTo(laplacePpl / knPpl, 12);
    expect(v('w3-bigram-unseen')).toBe(laplace.unseenRate(data.test));
    // The other claims the prose makes in words.
    expect(v('w3-bi-laplace-ppl')).toBeGreaterThan(v('w3-uni-laplace-ppl')); // "worse than … a unigram model"
    expect(v('w3-bi-addk-ppl')).toBeLessThan(v('w3-bi-laplace-ppl'));
    expect(v('w3-tri-kn-ppl')).toBeLessThan(v('w3-bi-kn-ppl')); // "barely better than the bigram"
    expect(v('w3-tri-kn-ppl')).toBeGreaterThan(0.9 * v('w3-bi-kn-ppl'));
    expect(v('w3-tri-kn-train-ppl')).toBeLessThan(v('w3-tri-kn-ppl') / 10); // "mostly memorises"
    expect(v('w3-unigram-unseen')).toBeLessThan(v('w3-bigram-unseen'));
    expect(v('w3-bigram-unseen')).toBeLessThan(v('w3-trigram-unseen'));
    // Continuation counts: "states" often, after few words (mostly "united"); "america" after many.
    expect(v('w3-w1-count')).toBe(laplace.countOf(['states']));
    expect(laplace.countOf(['united', 'states'])).toBeGreaterThan(v('w3-w1-count') / 2);
    expect(v('w3-w1-preds')).toBeLessThan(v('w3-w2-preds'));
    expect(v('w3-train-tokens')).toBe(data.train.flat().length);
    expect(v('w3-vocab')).toBe(laplace.vocabSize);
  });

  test('every further-reading link is https with a line on what it adds', () => {
    expect(lesson.resources.length).toBeGreaterThanOrEqual(3);
    for (const r of lesson.resources) {
      expect(r.url).toMatch(/^https:\/\//);
      expect(r.adds.length).toBeGreaterThan(20);
    }
  });
});
