// Week 0's lesson (model evaluation): every exercise checker with a right answer and typical wrong ones, the
// precision/recall/F1 code cell's solution and wrong solutions run as real functions against the engine's metrics,
// the widgets' engine-side helpers, and the numbers the prose states against the engine's values.
import { describe, expect, test } from 'vitest';
import { metrics, gaussianBlobs, trainLogistic, subset } from '../engine/course';
import { lesson } from '../playground/course/lessons/week-0/index';
import {
  bestDegree, checkBestDegree, diagnose, kfoldTrainSize, polySweep, prf1Cell, spamFilterLabels, spamPrecision, spamRecall,
  whichScore, SPAM, POLY_MAX_DEGREE,
} from '../playground/course/lessons/week-0/exercises';
import { LESSONS } from '../playground/course/lessons/index';
import { statRecords } from '../playground/course/stat';
import { compileCell as compile, checkCell as check } from './course-cells';

describe('number and choice exercises', () => {
  test.each([kfoldTrainSize, spamPrecision, spamRecall])('$id: the right answer passes, the wrong one fails', async (ex) => {
    const answer = await ex.answer();
    expect(Math.abs(ex.demo.right - answer)).toBeLessThanOrEqual(ex.tolerance);
    expect(Math.abs(ex.demo.wrong - answer)).toBeGreaterThan(ex.tolerance);
  });

  test('k-fold: 100 examples, 5 folds → 80 to train on; 20 (the fold) and 100 (everything) are wrong', () => {
    expect(kfoldTrainSize.answer()).toBe(80);
    for (const wrong of [20, 100, 75]) expect(Math.abs(wrong - 80)).toBeGreaterThan(kfoldTrainSize.tolerance);
  });

  test('the spam filter’s labels have the stated counts, and precision ≠ recall so swapping them fails', () => {
    const { truth, pred } = spamFilterLabels();
    expect(truth).toHaveLength(SPAM.emails);
    expect(metrics.confusionMatrix(truth, pred, 2)).toEqual([[140, 10], [20, 30]]); // [[TN, FP], [FN, TP]]
    expect(spamPrecision.answer()).toBe(0.75);
    expect(spamRecall.answer()).toBe(0.6);
    // Accuracy (0.85) is the third usual slip, and fails both.
    expect(Math.abs(metrics.accuracy(truth, pred) - 0.75)).toBeGreaterThan(spamPrecision.tolerance);
    expect(Math.abs(metrics.accuracy(truth, pred) - 0.6)).toBeGreaterThan(spamRecall.tolerance);
  });

  test.each([diagnose, whichScore])('$id: a wrong option is not the correct one', (ex) => {
    expect(ex.demo.wrong).not.toBe(ex.correct);
    expect(ex.correct).toBeGreaterThanOrEqual(0);
    expect(ex.correct).toBeLessThan(ex.options.length);
  });
});

describe('target: the degree with the lowest validation error', () => {
  test('accepts the best degree, rejects under- and overfit degrees with the right diagnosis', () => {
    const sweep = polySweep();
    const best = sweep.reduce((a, b) => (b.validation < a.validation ? b : a)).degree;
    expect(checkBestDegree({ degree: best }).ok).toBe(true);
    expect(bestDegree.check(bestDegree.demo.right).ok).toBe(true);
    const over = bestDegree.check(bestDegree.demo.wrong);
    expect(over.ok).toBe(false);
    expect(over.message).toMatch(/overfitting.*lower degree/);
    const under = checkBestDegree({ degree: 0 });
    expect(under.ok).toBe(false);
    expect(under.message).toMatch(/underfitting.*higher degree/);
    // The widget's starting degree (1) is not already the answer.
    expect(checkBestDegree(bestDegree.widget.props!.value).ok).toBe(false);
    // Exactly the degrees within 10% of the best pass.
    for (const s of sweep) expect(checkBestDegree({ degree: s.degree }).ok).toBe(s.validation <= 1.1 * sweep[best].validation);
  });

  test('bad input gets a clear message, not a throw', () => {
    for (const bad of [null, 3, { degree: 2.5 }, { degree: -1 }, { degree: POLY_MAX_DEGREE + 1 }, { degree: '3' }]) {
      const r = checkBestDegree(bad);
      expect(r.ok).toBe(false);
      expect(r.message).toMatch(/degree between 0 and 15/);
    }
  });
});

describe('code cell: precision, recall and F1', () => {
  const ex = prf1Cell;

  test('the solution passes on several seeds; the cases include both 0/0 edge cases and odd sizes', async () => {
    for (const seed of [1, 2, 3, 4]) expect(await check(ex, ex.solution, seed)).toMatchObject({ ok: true });
    const cases = ex.cases(1) as [number[], number[]][];
    expect(cases.map(([t]) => t.length)).toEqual([7, 33, 257, 1, 9, 11]);
    expect(cases.some(([t, p]) => p.every((v) => v === 0) && t.some((v) => v === 1))).toBe(true);
    expect(cases.some(([t, p]) => t.every((v) => v === 0) && p.some((v) => v === 1))).toBe(true);
  });

  test('Run example: the solution gives the engine’s numbers', () => {
    const [truth, pred] = ex.example() as [number[], number[]];
    expect(compile(ex, ex.solution)(truth, pred)).toEqual([metrics.precision(truth, pred), metrics.recall(truth, pred), metrics.f1(truth, pred)]);
  });

  test('every wrong solution and the starter are rejected on every seed', async () => {
    for (const wrong of [...ex.demo.wrong, ex.starter]) {
      for (const seed of [1, 2, 3]) expect((await check(ex, wrong, seed)).ok, `${wrong}\nseed ${seed}`).toBe(false);
    }
  });

  test('the messages name the metric that is off and explain 0/0', async () => {
    const [swapped, meanF1, noGuard] = ex.demo.wrong;
    expect((await check(ex, swapped, 1)).message).toMatch(/Your precision is .* the engine says/);
    expect((await check(ex, meanF1, 1)).message).toMatch(/Your F1 is/);
    const nan = await check(ex, noGuard, 1);
    expect(nan.message).toMatch(/NaN.*0\/0: return 0/);
    // A result of the wrong shape is reported as such.
    const r = ex.compare!([0.5, 0.5], [0.5, 0.5, 0.5], ex.example());
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/Wrong shape: expected \[3\], got \[2\]/);
  });
});

describe('the classifier the widget trains', () => {
  test('a lower threshold trades precision for recall on held-out points', async () => {
    const data = gaussianBlobs(300, { seed: 1 });
    const split = metrics.trainTestSplit(300, { testFraction: 0.3, seed: 1 });
    const fit = await trainLogistic(subset(data, split.train), { device: 'cpu' });
    const test = subset(data, split.test);
    const at = (t: number) => {
      const pred = fit.model.predict(test.x, t);
      return { p: metrics.precision(test.y, pred), r: metrics.recall(test.y, pred) };
    };
    const low = at(0.2);
    const high = at(0.8);
    expect(low.r).toBeGreaterThan(high.r);
    expect(low.p).toBeLessThan(high.p);
    expect(metrics.accuracy(test.y, fit.model.predict(test.x, 0.5))).toBeGreaterThan(0.75);
  });
});

describe('the lesson', () => {
  test('is registered as week-0 and its numbers are the engine’s', async () => {
    expect(await LESSONS['week-0']()).toBe(lesson);
    const { values, problems } = statRecords();
    expect(problems).toEqual([]);
    // Always answering "negative" on a 5%-positive sample: high accuracy, zero recall.
    expect(values['w0-lazy-accuracy'].value).toBeGreaterThan(0.9);
    expect(values['w0-lazy-recall']).toEqual({ value: 0, text: '0.0%' });
    const top = polySweep()[POLY_MAX_DEGREE];
    expect(values['w0-poly-train-top'].value).toBe(top.train);
    expect(values['w0-poly-validation-top'].value).toBe(top.validation);
    expect(top.validation / top.train).toBeGreaterThan(1e10);
  });

  test('exercise ids are unique and every resource is an https link with a line on what it adds', () => {
    const ids = lesson.sections.flatMap((s) => (s.kind === 'exercise' ? [s.exercise.id] : []));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(7);
    expect(lesson.sections.filter((s) => s.kind === 'widget').map((s) => (s as { tag: string }).tag)).toEqual(['w0-splits', 'w0-classifier']);
    for (const r of lesson.resources) {
      expect(r.url).toMatch(/^https:\/\//);
      expect(r.adds.length).toBeGreaterThan(20);
    }
  });
});
