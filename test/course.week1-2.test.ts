// Weeks 1-2's lesson (probability and naive Bayes): the committed spam sample against what `npm run course-data`
// writes, its parser on broken files, MultinomialNB.tellingFeatures by hand, every exercise checker with a right
// answer and typical wrong ones, both code cells' solutions and wrong solutions run as real functions through the
// page's own Check (checkCode), and the numbers the prose states against the engine's values on the same file.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { GaussianNB, MultinomialNB, NGramLM, bayes, courseData, metrics } from '../engine/course';
import { checkChoice, checkNumber } from '../playground/course/check';
import { checkCell } from './course-cells';
import { LESSONS } from '../playground/course/lessons/index';
import { lesson } from '../playground/course/lessons/week-1-2/index';
import {
  AREA_START, COMMUTE_COUNTS, SCREENING, areaExercise, bayesRuleCell, checkArea, checkIndependence, conditionalExercise,
  independenceExercise, logPosteriorCell, screeningExercise,
} from '../playground/course/lessons/week-1-2/exercises';
import { samplePoints } from '../playground/course/lessons/week-1-2/gauss-data';
import { explainMessage, fitSpam } from '../playground/course/lessons/week-1-2/spam-model';
import { loadSotu, loadSpam } from '../playground/course/widgets/w13-data';
import { LmLab } from '../playground/course/widgets/w13-lm';
import { statRecords } from '../playground/course/stat';
import type { Exercise } from '../playground/course/types';

const SPAM_PATH = new URL('../playground/public/course/spam.json', import.meta.url);

describe('the committed spam sample', () => {
  test('is byte for byte what `npm run course-data` writes', async () => {
    const fresh = courseData.courseDataText(await courseData.buildSpamFile());
    expect(readFileSync(SPAM_PATH, 'utf8') === fresh, 'playground/public/course/spam.json is stale: run `npm run course-data`').toBe(true);
  });

  test('has the stated sizes: 1,500 mails, a quarter held out, at most 100 tokens each', async () => {
    const d = await loadSpam();
    expect(d.train.docs.length + d.test.docs.length).toBe(courseData.SPAM_SAMPLE.n);
    expect(d.test.docs.length).toBe(Math.ceil(courseData.SPAM_SAMPLE.testFraction * courseData.SPAM_SAMPLE.n));
    expect(Math.max(...[...d.train.docs, ...d.test.docs].map((x) => x.length))).toBeLessThanOrEqual(100);
    // Both classes on both sides.
    for (const side of [d.train, d.test]) expect(new Set(side.labels)).toEqual(new Set([0, 1]));
  });

  test('the parser names what is wrong with a broken file', () => {
    const good = JSON.parse(readFileSync(SPAM_PATH, 'utf8'));
    const broken = (patch: (f: typeof good) => void) => {
      const f = structuredClone(good);
      patch(f);
      return () => courseData.parseSpamFile(f);
    };
    expect(broken((f) => (f.version = 99))).toThrow(/spam\.json: at version: .*npm run course-data/);
    expect(broken((f) => f.test.labels.pop())).toThrow(/spam\.json test: 375 documents but 374 labels/);
    expect(broken((f) => (f.train.labels[3] = 2))).toThrow(/at train\.labels\.3/);
    expect(broken((f) => (f.test.labels = f.test.labels.map(() => 0)))).toThrow(/both ham and spam/);
    expect(() => courseData.parseSpamFile('not json at all')).toThrow(/spam\.json/);
  });
});

describe('MultinomialNB.tellingFeatures', () => {
  test('ranks by log P(w | c) − max over other classes, by hand', () => {
    // Class 0: a a b (3 words); class 1: b c c c (4 words); V = {a, b, c}; α = 1.
    const nb = new MultinomialNB().fit([['a', 'a', 'b'], ['b', 'c', 'c', 'c']], [0, 1]);
    const p0 = { a: 3 / 6, b: 2 / 6, c: 1 / 6 };
    const p1 = { a: 1 / 7, b: 2 / 7, c: 4 / 7 };
    const t1 = nb.tellingFeatures(1, 3);
    expect(t1.map((f) => f.word)).toEqual(['c', 'b', 'a']);
    expect(t1[0].logRatio).toBeCloseTo(Math.log(p1.c / p0.c), 12);
    expect(t1[0].count).toBe(3);
    const t0 = nb.tellingFeatures(0, 1);
    expect(t0).toEqual([{ word: 'a', logRatio: expect.closeTo(Math.log(p0.a / p1.a), 12), count: 2 }]);
    // With three classes the rival is the strongest other class.
    const nb3 = new MultinomialNB().fit([['a'], ['a', 'b'], ['b']], [0, 1, 2]);
    const lp = nb3.featureLogProb;
    expect(nb3.tellingFeatures(0, 1)[0].logRatio).toBeCloseTo(lp[0][0] - Math.max(lp[1][0], lp[2][0]), 12);
    expect(() => nb3.tellingFeatures(7, 1)).toThrow(/unknown class 7/);
    expect(() => new MultinomialNB().fit([['a']], [0]).tellingFeatures(0, 1)).toThrow(/at least two classes/);
  });
});

describe('number, choice and target exercises', () => {
  const exercises = lesson.sections.flatMap((s) => (s.kind === 'exercise' ? [s.exercise] : []));

  test('every exercise has a unique id, and the lesson is registered', async () => {
    const ids = exercises.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(await LESSONS['week-1-2']()).toBe(lesson);
    expect(exercises.map((e) => e.kind).sort()).toEqual(['choice', 'choice', 'choice', 'code', 'code', 'number', 'number', 'target', 'target']);
  });

  test.each(exercises.filter((e): e is Extract<Exercise, { kind: 'number' }> => e.kind === 'number'))('$id: right passes, wrong fails', async (ex) => {
    const answer = await ex.answer();
    expect(checkNumber(ex, ex.demo.right, answer).ok).toBe(true);
    expect(checkNumber(ex, ex.demo.wrong, answer).ok).toBe(false);
  });

  test('the screening posterior is Bayes\' rule, and the usual slips fail', async () => {
    const { prevalence: p, sensitivity: s, falsePositive: f } = SCREENING;
    const answer = await screeningExercise.answer();
    expect(answer).toBeCloseTo((s * p) / (s * p + f * (1 - p)), 12);
    // The sensitivity itself, the prior, and 1 − the false-positive rate are what learners type instead.
    for (const wrong of [s, p, 1 - f, s * p]) expect(checkNumber(screeningExercise, wrong, answer).ok).toBe(false);
  });

  test('P(bus | rainy): the row-conditional passes; the joint and the column-conditional fail', async () => {
    const [[, sunnyBus], [rainWalk, rainBus, rainCar]] = COMMUTE_COUNTS;
    const answer = await conditionalExercise.answer();
    expect(answer).toBeCloseTo(rainBus / (rainWalk + rainBus + rainCar), 12);
    const total = COMMUTE_COUNTS.flat().reduce((a, b) => a + b, 0);
    for (const wrong of [rainBus / total, rainBus / (rainBus + sunnyBus)]) expect(checkNumber(conditionalExercise, wrong, answer).ok).toBe(false);
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
      expect(ex.demo.wrong).not.toBe(ex.correct);
    }
  });

  test('the area target: a low enough false-positive rate passes; too high, or moving the wrong slider, fails', () => {
    expect(areaExercise.check(areaExercise.demo.right).ok).toBe(true);
    expect(areaExercise.check(areaExercise.demo.wrong).ok).toBe(false);
    expect(checkArea(AREA_START).ok).toBe(false);
    // The boundary is 0.01 · 0.9 / 0.99 = 0.00909…: just above it fails, just below passes.
    expect(checkArea({ ...AREA_START, falsePositive: 0.0091 }).ok).toBe(false);
    expect(checkArea({ ...AREA_START, falsePositive: 0.0090 }).ok).toBe(true);
    // Raising the prevalence or the sensitivity also lifts the posterior, but is not the question.
    const prior = checkArea({ ...AREA_START, prior: 0.5 });
    expect(prior.ok).toBe(false);
    expect(prior.message).toMatch(/Keep the prevalence at 1\.0%/);
    expect(checkArea({ ...AREA_START, sensitivity: 1, falsePositive: 0.005 }).message).toMatch(/Keep the sensitivity/);
    expect(checkArea({ prior: 'a' }).ok).toBe(false);
    expect(checkArea(null).ok).toBe(false);
  });

  test('the independence target: proportional rows pass; the starting table, empty rows and bad counts fail', () => {
    expect(independenceExercise.check(independenceExercise.demo.right).ok).toBe(true);
    expect(independenceExercise.check(independenceExercise.demo.wrong).ok).toBe(false);
    expect(checkIndependence([[2, 4, 6], [3, 6, 9]]).ok).toBe(true);
    expect(checkIndependence([[1, 1, 1], [1, 1, 1]]).ok).toBe(true);
    // Equal row sums are not enough; nor are equal columns within a row.
    expect(checkIndependence([[1, 2, 3], [3, 2, 1]]).ok).toBe(false);
    expect(checkIndependence([[1, 2, 3], [0, 0, 0]]).message).toMatch(/rainy row is all zeros/);
    expect(checkIndependence([[1, 0, 3], [2, 0, 6]]).message).toMatch(/bus column is all zeros/);
    expect(checkIndependence([[1, -2, 3], [2, 4, 6]]).message).toMatch(/not a table of counts/);
    expect(checkIndependence([[1, 2], [2, 4]]).message).toMatch(/Keep the table 2 by 3/);
    expect(checkIndependence('12').ok).toBe(false);
  });
});

describe('code cells, through the page\'s Check', () => {
  const seeds = [1, 2, 3, 4, 5];
  const verdict = checkCell;

  test.each([bayesRuleCell, logPosteriorCell])('$id: the solution passes every seed; the starter fails', async (ex) => {
    for (const seed of seeds) {
      const r = await verdict(ex, ex.solution, seed);
      expect(r.ok, r.message).toBe(true);
    }
    expect((await verdict(ex, ex.starter, 1)).ok).toBe(false);
    // Run's example is a valid call of the reference.
    expect(await ex.reference(...ex.example())).toBeDefined();
  });

  test.each([bayesRuleCell, logPosteriorCell])('$id: every typical wrong solution fails on every seed', async (ex) => {
    expect(ex.demo.wrong.length).toBeGreaterThanOrEqual(3);
    for (const wrong of ex.demo.wrong) {
      for (const seed of seeds) {
        const r = await verdict(ex, wrong, seed);
        expect(r.ok, `${ex.id} accepted a wrong solution (seed ${seed}):\n${wrong}`).toBe(false);
      }
    }
  });

  test('the cases include odd sizes and the reference is the engine', () => {
    const sizes = bayesRuleCell.cases(7).map((args) => (args[0] as number[]).length);
    expect(sizes).toEqual([1, 2, 3, 7]);
    const [prior, likelihood] = bayesRuleCell.cases(7)[3] as [number[], number[]];
    expect(bayesRuleCell.reference(prior, likelihood)).toEqual(bayes({ prior, likelihood }));
    // Every naive Bayes case has a word outside the training vocabulary, and three-class cases.
    const nbCases = logPosteriorCell.cases(7);
    for (const [docs, , doc] of nbCases) expect((docs as string[][]).flat()).not.toContain((doc as string[]).at(-1));
    expect(nbCases.some(([, labels]) => new Set(labels as number[]).size === 3)).toBe(true);
  });
});

describe('widgets\' models', () => {
  test('the spam model explains a message with the engine\'s posterior', async () => {
    const data = await loadSpam();
    const m = fitSpam(data);
    const v = explainMessage(m, 'Click here for a free mortgage quote zzzunseen');
    expect(v.tokens.at(-1)).toEqual({ word: 'zzzunseen', logRatio: null });
    expect(v.spam).toBeCloseTo(m.nb.predictProba([['click', 'here', 'for', 'a', 'free', 'mortgage', 'quote', 'zzzunseen']])[0][1], 12);
    expect(v.spam).toBeGreaterThan(0.5);
    // The log odds are the prior's plus each word's ratio.
    const logOdds = v.priorLogRatio + v.tokens.reduce((a, t) => a + (t.logRatio ?? 0), 0);
    expect(1 / (1 + Math.exp(-logOdds))).toBeCloseTo(v.spam, 10);
  });

  test('the Gaussian data is seeded and separable enough to show regions', () => {
    const a = samplePoints(1);
    expect(samplePoints(1)).toEqual(a);
    expect(samplePoints(2).X).not.toEqual(a.X);
    const nb = new GaussianNB().fit(a.X, a.y);
    expect(metrics.accuracy(a.y, nb.predict(a.X))).toBeGreaterThan(0.85);
    // The spread slider stretches class A along x only.
    const wide = samplePoints(1, 3);
    const sd = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + (x - xs.reduce((p, q) => p + q, 0) / xs.length) ** 2, 0) / xs.length);
    const ax = (p: typeof a) => p.X.filter((_, i) => p.y[i] === 0).map((x) => x[0]);
    expect(sd(ax(wide))).toBeGreaterThan(2 * sd(ax(a)));
  });

  test('the Markov widget\'s next-word counts are NGramLM\'s maximum-likelihood estimates', async () => {
    const data = await loadSotu();
    const lab = new LmLab(data);
    const rows = lab.handle({ kind: 'next', context: ['the', 'united'], orders: [1, 2], top: 3 });
    const bigram = new NGramLM({ n: 2, smoothing: 'none' }).fit(data.train);
    expect(rows[0].context).toEqual(['united']);
    expect(rows[0].contextCount).toBe(bigram.countOf(['united']));
    expect(rows[0].top[0].p).toBeCloseTo(bigram.prob(['united'], rows[0].top[0].word), 12);
    expect(rows[0].top[0].p).toBeCloseTo(rows[0].top[0].count / rows[0].contextCount, 12);
    // More context, fewer examples behind it.
    expect(rows[1].contextCount).toBeLessThanOrEqual(rows[0].contextCount);
    // A context never seen says so instead of a uniform guess.
    expect(lab.handle({ kind: 'next', context: ['zebra', 'quantum'], orders: [2], top: 3 })[0]).toMatchObject({ contextCount: 0, top: [] });
    // Too short a context starts at the sentence start.
    expect(lab.handle({ kind: 'next', context: [], orders: [2], top: 1 })[0].context).toEqual(['<s>', '<s>']);
  });
});

describe('numbers the prose states', () => {
  test('are the engine\'s values on the committed data, and the spam accuracy is at least 95%', async () => {
    // The lesson module started its computations on import; wait for them.
    for (let i = 0; i < 200 && statRecords().pending > 0; i++) await new Promise((r) => setTimeout(r, 25));
    const { values, problems } = statRecords();
    expect(problems).toEqual([]);
    const v = (name: string) => {
      expect(values[name], `stat ${name} was not rendered`).toBeDefined();
      return values[name].value;
    };
    // Held-out accuracy of multinomial NB (α = 1), recomputed here from the file on disk.
    const file = courseData.parseSpamFile(JSON.parse(readFileSync(SPAM_PATH, 'utf8')));
    const nb = new MultinomialNB({ alpha: 1 }).fit(file.train.docs, file.train.labels);
    const accuracy = metrics.accuracy(file.test.labels, nb.predict(file.test.docs));
    expect(v('w12-spam-accuracy')).toBe(accuracy);
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
    expect(values['w12-spam-accuracy'].text).toBe(`${(accuracy * 100).toFixed(1)}%`);
    expect(v('w12-spam-train')).toBe(file.train.docs.length);
    expect(v('w12-spam-test')).toBe(file.test.docs.length);
    expect(v('w12-spam-total')).toBe(1500);
    expect(v('w12-spam-vocab')).toBe(nb.vocabulary.length);
    expect(v('w12-spam-train-spam')).toBe(file.train.labels.filter((l) => l === 1).length);
    // The rare-condition example: Bayes' rule by hand.
    const { prior: p, sensitivity: s, falsePositive: f } = AREA_START;
    expect(v('w12-area-posterior')).toBeCloseTo((s * p) / (s * p + f * (1 - p)), 12);
    expect(v('w12-screen-posterior')).toBeCloseTo(v('w12-screen-true-pos') / v('w12-screen-positives'), 12);
    expect(v('w12-bus-given-rain')).toBeCloseTo(COMMUTE_COUNTS[1][1] / COMMUTE_COUNTS[1].reduce((a, b) => a + b, 0), 12);
  });

  test('every further-reading link is https with a line on what it adds', () => {
    expect(lesson.resources.length).toBeGreaterThanOrEqual(4);
    for (const r of lesson.resources) {
      expect(r.url).toMatch(/^https:\/\//);
      expect(r.adds.length).toBeGreaterThan(20);
    }
  });
});
