// Week 0-2 lessons: evaluation metrics, Bayes' rule, joint tables, and naive Bayes (against hand-computed values
// and on the SpamAssassin corpus). Plain host code: no device needed.
import { describe, expect, test } from 'vitest';
import { metrics, MultinomialNB, GaussianNB, bayes, jointTable, marginal, conditional, datasets, wordTokenize } from '../engine/index';
import { rng } from './helpers';

const close = (a: number, b: number, tol = 1e-12) => expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThanOrEqual(tol);

describe('metrics', () => {
  // scikit-learn's documented example for precision_score / recall_score / f1_score.
  const yTrue = [0, 1, 2, 0, 1, 2];
  const yPred = [0, 2, 1, 0, 0, 1];

  test('multiclass macro and micro averages match scikit-learn', () => {
    close(metrics.accuracy(yTrue, yPred), 2 / 6);
    close(metrics.precision(yTrue, yPred, { average: 'macro' }), 2 / 9); // (2/3 + 0 + 0) / 3
    close(metrics.precision(yTrue, yPred, { average: 'micro' }), 1 / 3);
    close(metrics.recall(yTrue, yPred, { average: 'macro' }), 1 / 3); // (1 + 0 + 0) / 3
    close(metrics.recall(yTrue, yPred, { average: 'micro' }), 1 / 3);
    close(metrics.f1(yTrue, yPred, { average: 'macro' }), 0.8 / 3); // class 0: 2·2/(4 + 1 + 0) = 0.8
    close(metrics.f1(yTrue, yPred, { average: 'micro' }), 1 / 3);
    expect(() => metrics.precision(yTrue, yPred)).toThrow(/binary/);
  });

  test('binary scores for either positive label', () => {
    const t = [0, 1, 1, 0, 1];
    const p = [0, 1, 0, 1, 1]; // label 1: TP 2, FP 1, FN 1; label 0: TP 1, FP 1, FN 1
    close(metrics.precision(t, p, { average: 'binary' }), 2 / 3);
    close(metrics.recall(t, p, { average: 'binary' }), 2 / 3);
    close(metrics.f1(t, p), 2 / 3);
    close(metrics.precision(t, p, { average: 'binary', positive: 0 }), 1 / 2);
    close(metrics.recall([1, 1], [0, 0]), 0); // no predicted positives: 0, not NaN
    close(metrics.precision([0, 0], [0, 0]), 0);
  });

  test('confusion matrix: rows are true classes, columns predicted', () => {
    expect(metrics.confusionMatrix(yTrue, yPred, 3)).toEqual([[2, 0, 0], [1, 0, 1], [0, 2, 0]]);
    expect(metrics.confusionMatrix([1], [0], 2)).toEqual([[0, 0], [1, 0]]);
    expect(() => metrics.confusionMatrix([3], [0], 3)).toThrow(/label 3/);
  });

  test('properties on random labels: micro P = R = F1 = accuracy, F1 is the harmonic mean, the matrix counts', () => {
    const r = rng(7);
    for (let trial = 0; trial < 20; trial++) {
      const n = 1 + Math.floor(r() * 60);
      const k = 2 + Math.floor(r() * 4);
      const t = Array.from({ length: n }, () => Math.floor(r() * k));
      const p = Array.from({ length: n }, () => Math.floor(r() * k));
      const acc = metrics.accuracy(t, p);
      for (const f of [metrics.precision, metrics.recall, metrics.f1]) close(f(t, p, { average: 'micro' }), acc, 1e-12);
      const cm = metrics.confusionMatrix(t, p, k);
      expect(cm.flat().reduce((a, b) => a + b, 0)).toBe(n);
      close(cm.reduce((s, row, i) => s + row[i], 0) / n, acc);
      const tb = t.map((v) => (v === 0 ? 1 : 0));
      const pb = p.map((v) => (v === 0 ? 1 : 0));
      const P = metrics.precision(tb, pb);
      const R = metrics.recall(tb, pb);
      close(metrics.f1(tb, pb), P + R === 0 ? 0 : (2 * P * R) / (P + R), 1e-12);
    }
  });

  test('trainTestSplit partitions [0, n) with ceil(f·n) test indices, reproducibly', () => {
    for (const [n, f] of [[10, 0.25], [7, 0.5], [101, 0.1], [2, 0.9]] as const) {
      const s = metrics.trainTestSplit(n, { testFraction: f, seed: 3 });
      expect(s.test.length).toBe(Math.min(n - 1, Math.ceil(f * n)));
      expect([...s.train, ...s.test].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(metrics.trainTestSplit(n, { testFraction: f, seed: 3 })).toEqual(s);
    }
    expect(metrics.trainTestSplit(100, { seed: 1 }).test).not.toEqual(metrics.trainTestSplit(100, { seed: 2 }).test);
    expect(() => metrics.trainTestSplit(10, { testFraction: 1 })).toThrow(/testFraction/);
  });

  test('kFold: test folds partition [0, n) with sizes differing by at most one; train is the complement', () => {
    for (const [n, k, seed] of [[10, 3, undefined], [11, 4, 5], [5, 5, 1]] as const) {
      const folds = metrics.kFold(n, k, { seed });
      expect(folds).toHaveLength(k);
      const all = folds.flatMap((f) => f.test).sort((a, b) => a - b);
      expect(all).toEqual(Array.from({ length: n }, (_, i) => i));
      const sizes = folds.map((f) => f.test.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      expect(sizes[0]).toBe(Math.ceil(n / k));
      for (const f of folds) {
        expect(f.train.length + f.test.length).toBe(n);
        expect(f.train.some((i) => f.test.includes(i))).toBe(false);
      }
    }
    expect(metrics.kFold(6, 3)[0].test).toEqual([0, 1]); // no seed: in order, like KFold(shuffle=False)
  });
});

describe('probability helpers', () => {
  test("bayes: the rare-disease test, and a posterior over hypotheses", () => {
    // P(sick) = 1%, P(+ | sick) = 90%, P(+ | healthy) = 5%.
    const evidence = 0.9 * 0.01 + 0.05 * 0.99;
    close(bayes({ prior: 0.01, likelihood: 0.9, evidence }), 0.009 / 0.0585);
    const post = bayes({ prior: [0.01, 0.99], likelihood: [0.9, 0.05] });
    close(post[0], 0.009 / 0.0585);
    close(post[0] + post[1], 1);
    expect(() => bayes({ prior: [0.5, 0.6], likelihood: [1, 1] })).toThrow(/sum to 1/);
  });

  test('jointTable, marginal (sum rule) and conditional (product rule)', () => {
    const j = jointTable([[10, 20], [30, 40]], { rows: ['rain', 'dry'], cols: ['cold', 'warm'] });
    expect(j.p).toEqual([[0.1, 0.2], [0.3, 0.4]]);
    const px = marginal(j, 0);
    const py = marginal(j, 1);
    close(px[0], 0.3);
    close(py[1], 0.6);
    const yGivenX = conditional(j, 0);
    const xGivenY = conditional(j, 1);
    for (let i = 0; i < 2; i++) {
      close(yGivenX[i][0] + yGivenX[i][1], 1);
      close(xGivenY[0][i] + xGivenY[1][i], 1);
      for (let k = 0; k < 2; k++) {
        close(px[i] * yGivenX[i][k], j.p[i][k], 1e-15); // P(x, y) = P(x) P(y | x)
        close(py[k] * xGivenY[i][k], j.p[i][k], 1e-15);
      }
    }
    expect(conditional(jointTable([[1, 0], [0, 0]]), 0)[1][0]).toBeNaN();
    expect(() => jointTable([[1, -1]])).toThrow(/≥ 0/);
  });
});

describe('naive Bayes', () => {
  test('MultinomialNB matches the textbook formulas on a toy corpus', () => {
    const docs = [['a', 'a', 'b'], ['b', 'c'], ['c']];
    const nb = new MultinomialNB().fit(docs, [0, 1, 1]);
    // V = {a, b, c}; class 0 counts a2 b1 c0 (total 3), class 1 a0 b1 c2 (total 3); α = 1, |V| = 3.
    close(Math.exp(nb.featureLogProb[0][nb.vocabulary.indexOf('a')]), 3 / 6);
    close(Math.exp(nb.featureLogProb[1][nb.vocabulary.indexOf('c')]), 3 / 6);
    close(Math.exp(nb.classLogPrior[1]), 2 / 3);
    // ['a', 'c', 'zzz']: 'zzz' is ignored. Class 0: 1/3 · 1/2 · 1/6; class 1: 2/3 · 1/6 · 1/2, so P(1 | d) = 2/3.
    const [lp] = nb.predictLogProba([['a', 'c', 'zzz']]);
    close(lp[0], Math.log(1 / 3), 1e-12);
    close(lp[1], Math.log(2 / 3), 1e-12);
    expect(nb.predict([['a', 'c', 'zzz'], ['a', 'a']])).toEqual([1, 0]);
    const top = nb.topFeatures(1, 2);
    expect(top.map((f) => f.word)).toEqual(['c', 'b']);
    close(top[0].logProb, Math.log(3 / 6));
    close(top[1].logProb, Math.log(2 / 6));
    // α = 0.5 changes the denominators to total + α·|V|.
    const half = new MultinomialNB({ alpha: 0.5 }).fit(docs, [0, 1, 1]);
    close(Math.exp(half.featureLogProb[0][half.vocabulary.indexOf('c')]), 0.5 / 4.5);
    // A document with no known words gets the prior.
    const [prior] = nb.predictLogProba([['unknown']]);
    close(Math.exp(prior[0]), 1 / 3, 1e-12);
  });

  test('GaussianNB: per-class means, population variances + 1e-9·max variance, class-frequency priors', () => {
    const X = [[1, 10], [2, 14], [3, 12], [10, 0], [12, 2]];
    const y = [5, 5, 5, 9, 9];
    const g = new GaussianNB().fit(X, y);
    expect(g.classes).toEqual([5, 9]);
    const varAll = (j: number) => {
      const m = X.reduce((s, r) => s + r[j], 0) / X.length;
      return X.reduce((s, r) => s + (r[j] - m) ** 2, 0) / X.length;
    };
    const eps = 1e-9 * Math.max(varAll(0), varAll(1));
    close(g.epsilon, eps, 1e-18);
    close(g.variance[0][0], 2 / 3 + eps); // var(1, 2, 3)
    close(g.variance[1][1], 1 + eps); // var(0, 2)
    const x = [4, 8];
    const logN = (v: number, m: number, s2: number) => -0.5 * Math.log(2 * Math.PI * s2) - ((v - m) ** 2) / (2 * s2);
    const j0 = Math.log(3 / 5) + logN(4, 2, 2 / 3 + eps) + logN(8, 12, 8 / 3 + eps);
    const j1 = Math.log(2 / 5) + logN(4, 11, 1 + eps) + logN(8, 1, 1 + eps);
    const z = Math.max(j0, j1) + Math.log(Math.exp(j0 - Math.max(j0, j1)) + Math.exp(j1 - Math.max(j0, j1)));
    const [lp] = g.predictLogProba([x]);
    close(lp[0], j0 - z, 1e-9);
    close(lp[1], j1 - z, 1e-9);
    expect(g.predict([[2, 12], [11, 1]])).toEqual([5, 9]);
  });

  test('wordTokenize lowercases and splits on non-letters', () => {
    expect(wordTokenize("Don't STOP: 2day, café-au-lait!")).toEqual(['don', 't', 'stop', 'day', 'café', 'au', 'lait']);
    expect(wordTokenize(' 42 ')).toEqual([]);
  });

  test('MultinomialNB reaches at least 95% held-out accuracy on SpamAssassin', async () => {
    const { train, test: heldOut } = await datasets.spam({ n: 2000, seed: 0 });
    expect(heldOut.docs.length).toBe(500);
    expect(new Set(train.labels)).toEqual(new Set([0, 1]));
    const nb = new MultinomialNB({ alpha: 1 }).fit(train.docs, train.labels);
    const pred = nb.predict(heldOut.docs);
    const acc = metrics.accuracy(heldOut.labels, pred);
    const f1 = metrics.f1(heldOut.labels, pred);
    console.log(`spam: MultinomialNB accuracy ${acc.toFixed(3)}, spam F1 ${f1.toFixed(3)} on ${heldOut.docs.length} held-out emails (train ${train.docs.length}, |V| ${nb.vocabulary.length})`);
    expect(acc).toBeGreaterThanOrEqual(0.95);
    // Each row of predictLogProba is a normalised distribution.
    for (const row of nb.predictLogProba(heldOut.docs.slice(0, 50))) {
      close(row.reduce((s, v) => s + Math.exp(v), 0), 1, 1e-9);
    }
    // The same seed gives the same split.
    const again = await datasets.spam({ n: 2000, seed: 0 });
    expect(again.test.labels).toEqual(heldOut.labels);
  }, 60_000);
});
