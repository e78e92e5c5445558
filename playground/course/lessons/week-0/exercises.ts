// Week 0's exercises and their checkers. Every answer comes from the engine's metrics, splits and polynomial fits;
// nothing here touches the DOM, so test/course.week0.test.ts runs them all.
import { html } from 'lit';
import { metrics } from '../../../../engine/index';
import { degreeSweep, sampleCurve, type DegreeScore } from '../../../../engine/course';
import { defaultCompare, fmtNumber } from '../../compare';
import type { CheckResult, ChoiceExercise, CodeArgs, CodeExercise, NumberExercise, TargetExercise } from '../../types';

// ---------------------------------------------------------------------------------------------------------------
// k-fold: how much data each model sees.

export const KFOLD_N = 100;
export const KFOLD_K = 5;

export const kfoldTrainSize: NumberExercise = {
  kind: 'number',
  id: 'w0-kfold-train-size',
  prompt: `You have ${KFOLD_N} labelled examples and run ${KFOLD_K}-fold cross-validation. How many examples does each of the ${KFOLD_K} models train on?`,
  answer: () => metrics.kFold(KFOLD_N, KFOLD_K)[0].train.length,
  tolerance: 0,
  explain:
    `Each fold holds out one ${KFOLD_K}th of the data, ${KFOLD_N / KFOLD_K} examples, for validation and trains on the rest. ` +
    'Over the five rounds every example is validated exactly once, and the five validation scores are averaged.',
  demo: { right: 80, wrong: 20 },
};

// ---------------------------------------------------------------------------------------------------------------
// Precision and recall of a spam filter, by hand.

/** The filter's test: 200 emails, 50 of them spam; it flags 40, of which 30 are spam. */
export const SPAM = { emails: 200, spam: 50, flagged: 40, flaggedSpam: 30 };

/** Label arrays with exactly those counts (1 = spam), so the engine's metrics can score them. */
export function spamFilterLabels(): { truth: number[]; pred: number[] } {
  const { emails, spam, flagged, flaggedSpam } = SPAM;
  const truth: number[] = [];
  const pred: number[] = [];
  const push = (t: number, p: number, count: number) => {
    for (let i = 0; i < count; i++) (truth.push(t), pred.push(p));
  };
  push(1, 1, flaggedSpam); // true positives
  push(0, 1, flagged - flaggedSpam); // false positives
  push(1, 0, spam - flaggedSpam); // false negatives
  push(0, 0, emails - spam - (flagged - flaggedSpam)); // true negatives
  return { truth, pred };
}

const spamPrompt = `A spam filter is tested on ${SPAM.emails} emails, ${SPAM.spam} of which are spam. It flags ${SPAM.flagged} emails as spam, and ${SPAM.flaggedSpam} of the flagged ones really are spam.`;

export const spamPrecision: NumberExercise = {
  kind: 'number',
  id: 'w0-spam-precision',
  prompt: `${spamPrompt} What is its precision (spam is the positive class)? Answer as a fraction between 0 and 1.`,
  answer: () => {
    const { truth, pred } = spamFilterLabels();
    return metrics.precision(truth, pred);
  },
  tolerance: 0.005,
  explain: 'Precision asks: of the emails the filter flagged, what share was spam? That is TP / (TP + FP), the true positives over everything it flagged.',
  // The typical slip is answering with recall, TP / (TP + FN).
  demo: { right: 0.75, wrong: 0.6 },
};

export const spamRecall: NumberExercise = {
  kind: 'number',
  id: 'w0-spam-recall',
  prompt: `Same filter. What is its recall: of all the spam, what share did it catch?`,
  answer: () => {
    const { truth, pred } = spamFilterLabels();
    return metrics.recall(truth, pred);
  },
  tolerance: 0.005,
  explain: 'Recall is TP / (TP + FN): the spam it flagged over all the spam there was, caught or missed.',
  demo: { right: 0.6, wrong: 0.75 },
};

// ---------------------------------------------------------------------------------------------------------------
// Choices: reading the two error curves, and which number to report.

export const diagnose: ChoiceExercise = {
  kind: 'choice',
  id: 'w0-diagnose',
  prompt: 'A model’s error on its training set is almost zero, and its error on the validation set is many times larger. What is the most likely explanation?',
  options: [
    'It underfits: the model is too simple for the data.',
    'It overfits: it has memorised the training set, noise included.',
    'Nothing is wrong: a low training error is the goal.',
    'The validation set must be mislabelled.',
  ],
  correct: 1,
  explain:
    'A model that fits its training points almost exactly but does badly on points it has not seen has learned the ' +
    'particular sample, noise and all, rather than the pattern behind it. An underfitting model is bad on both sets.',
  demo: { wrong: 0 },
};

export const whichScore: ChoiceExercise = {
  kind: 'choice',
  id: 'w0-which-score',
  prompt: 'You fitted twelve models and kept the one with the lowest validation error. Which number should you report as the error to expect on new data?',
  options: [
    'The chosen model’s training error.',
    'The chosen model’s validation error.',
    'Its error on a test set that played no part in training or choosing, measured once at the end.',
    'The mean of its training and validation errors.',
  ],
  correct: 2,
  explain:
    'Picking the best of twelve on the validation set favours models that were lucky on those particular points, so ' +
    'the winning validation error is optimistic. Only data that influenced no decision gives an honest estimate.',
  demo: { wrong: 1 },
};

// ---------------------------------------------------------------------------------------------------------------
// Target: the polynomial degree with the lowest validation error.

export const POLY_SEED = 0;
export const POLY_MAX_DEGREE = 15;
/** Degrees whose validation error is within this factor of the best pass: near-ties should not be a lottery. */
export const POLY_SLACK = 1.1;

let sweepCache: DegreeScore[] | null = null;
/** Training and validation error of every degree on the lesson's fixed sample (fitted by the engine). */
export function polySweep(): DegreeScore[] {
  sweepCache ??= degreeSweep(sampleCurve({ seed: POLY_SEED }), POLY_MAX_DEGREE);
  return sweepCache;
}

export function checkBestDegree(value: unknown): CheckResult {
  const degree = (value as { degree?: unknown } | null)?.degree;
  if (typeof degree !== 'number' || !Number.isInteger(degree) || degree < 0 || degree > POLY_MAX_DEGREE) {
    return { ok: false, message: `Expected a degree between 0 and ${POLY_MAX_DEGREE}; move the slider.` };
  }
  const sweep = polySweep();
  const best = sweep.reduce((a, b) => (b.validation < a.validation ? b : a));
  const here = sweep[degree];
  const err = (v: number) => fmtNumber(v);
  if (here.validation <= POLY_SLACK * best.validation) {
    return { ok: true, message: `Right: degree ${degree} has validation error ${err(here.validation)}, as low as any degree gets.` };
  }
  return {
    ok: false,
    message:
      degree < best.degree
        ? `Degree ${degree}: training error ${err(here.train)}, validation error ${err(here.validation)}. Both are still high: the curve is too stiff to follow the data (underfitting). Try a higher degree.`
        : `Degree ${degree}: training error ${err(here.train)} but validation error ${err(here.validation)}. The curve chases the noise in the training points (overfitting). Try a lower degree.`,
  };
}

export const bestDegree: TargetExercise = {
  kind: 'target',
  id: 'w0-best-degree',
  prompt: 'Move the degree slider and find the degree whose validation error is lowest. The error chart fills in with every degree you try.',
  widget: { tag: 'w0-polyfit', props: { seed: POLY_SEED, maxDegree: POLY_MAX_DEGREE, value: { degree: 1 } } },
  check: checkBestDegree,
  demo: { right: { degree: 3 }, wrong: { degree: POLY_MAX_DEGREE } },
};

// ---------------------------------------------------------------------------------------------------------------
// Code cell: precision, recall and F1 from predictions.

type Labels = number[];

/** n labels, each 1 with probability `rate`. */
function labels(r: () => number, n: number, rate: number): Labels {
  return Array.from({ length: n }, () => (r() < rate ? 1 : 0));
}

/** Predictions that agree with the truth except where a coin with probability `flip` says otherwise. */
function noisy(r: () => number, truth: Labels, flip: number): Labels {
  return truth.map((t) => (r() < flip ? 1 - t : t));
}

export const prf1Cell: CodeExercise = {
  kind: 'code',
  id: 'w0-prf1-code',
  prompt: html`Compute precision, recall and F1 for a binary classifier. <code>truth[i]</code> is the real label
    and <code>pred[i]</code> the prediction, each 0 or 1, with 1 the positive class. Return
    <code>[precision, recall, f1]</code>. When a ratio would be 0/0 (nothing predicted positive, or nothing actually
    positive), use 0, as scikit-learn does. Check compares your function with the engine’s metrics on random
    predictions, including those edge cases.`,
  name: 'precisionRecallF1',
  signature: 'precisionRecallF1(truth: number[], pred: number[]): [number, number, number]',
  language: 'typescript',
  starter: `function precisionRecallF1(truth: number[], pred: number[]): [number, number, number] {
  let tp = 0, fp = 0, fn = 0;
  // Count true positives, false positives and false negatives.

  return [0, 0, 0];
}
`,
  solution: `function precisionRecallF1(truth: number[], pred: number[]): [number, number, number] {
  let tp = 0, fp = 0, fn = 0;
  for (let i = 0; i < truth.length; i++) {
    if (pred[i] === 1 && truth[i] === 1) tp++;
    else if (pred[i] === 1) fp++;
    else if (truth[i] === 1) fn++;
  }
  // A ratio with nothing to count is 0, not NaN.
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  // F1 is the harmonic mean, which a low precision or recall drags down.
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return [precision, recall, f1];
}
`,
  hints: [
    'A true positive has pred 1 and truth 1; a false positive pred 1 and truth 0; a false negative pred 0 and truth 1.',
    'precision = TP / (TP + FP): how many of the flagged were right. recall = TP / (TP + FN): how many of the positives were found.',
    'F1 = 2·P·R / (P + R), the harmonic mean, not (P + R) / 2. Guard every division: 0/0 gives 0 here.',
  ],
  example: () => [[1, 0, 1, 1, 0, 0, 1], [1, 0, 0, 1, 1, 0, 1]],
  cases: (seed) => {
    const r = metrics.seededRandom(seed);
    const t7 = labels(r, 7, 0.4);
    const t33 = labels(r, 33, 0.5);
    const t257 = labels(r, 257, 0.1); // imbalanced: one positive in ten
    const tNone = labels(r, 9, 0.5);
    tNone[0] = 1; // at least one real positive, but nothing predicted positive
    const pSome = labels(r, 11, 0.3);
    pSome[0] = 1; // something predicted positive, but no real positive
    return [
      [t7, noisy(r, t7, 0.3)],
      [t33, noisy(r, t33, 0.2)],
      [t257, noisy(r, t257, 0.15)],
      [labels(r, 1, 0.5), labels(r, 1, 0.5)],
      [tNone, new Array<number>(9).fill(0)],
      [new Array<number>(11).fill(0), pSome],
    ];
  },
  reference: (...args: CodeArgs) => {
    const [truth, pred] = args as [Labels, Labels];
    return [metrics.precision(truth, pred), metrics.recall(truth, pred), metrics.f1(truth, pred)];
  },
  compare: comparePrf1,
  demo: {
    wrong: [
      // Precision and recall swapped.
      `function precisionRecallF1(truth: number[], pred: number[]): [number, number, number] {
  let tp = 0, fp = 0, fn = 0;
  for (let i = 0; i < truth.length; i++) {
    if (pred[i] === 1 && truth[i] === 1) tp++;
    else if (pred[i] === 1) fp++;
    else if (truth[i] === 1) fn++;
  }
  const p = tp + fn === 0 ? 0 : tp / (tp + fn);
  const r = tp + fp === 0 ? 0 : tp / (tp + fp);
  return [p, r, p + r === 0 ? 0 : (2 * p * r) / (p + r)];
}`,
      // F1 as the arithmetic mean.
      `function precisionRecallF1(truth: number[], pred: number[]): [number, number, number] {
  let tp = 0, fp = 0, fn = 0;
  for (let i = 0; i < truth.length; i++) {
    if (pred[i] === 1 && truth[i] === 1) tp++;
    else if (pred[i] === 1) fp++;
    else if (truth[i] === 1) fn++;
  }
  const p = tp + fp === 0 ? 0 : tp / (tp + fp);
  const r = tp + fn === 0 ? 0 : tp / (tp + fn);
  return [p, r, (p + r) / 2];
}`,
      // No guard for 0/0: NaN when nothing is predicted positive.
      `function precisionRecallF1(truth: number[], pred: number[]): [number, number, number] {
  let tp = 0, fp = 0, fn = 0;
  for (let i = 0; i < truth.length; i++) {
    if (pred[i] === 1 && truth[i] === 1) tp++;
    else if (pred[i] === 1) fp++;
    else if (truth[i] === 1) fn++;
  }
  const p = tp / (tp + fp);
  const r = tp / (tp + fn);
  return [p, r, (2 * p * r) / (p + r)];
}`,
      // Accuracy in place of precision: every agreement counted as a hit.
      `function precisionRecallF1(truth: number[], pred: number[]): [number, number, number] {
  let agree = 0, tp = 0, fn = 0;
  for (let i = 0; i < truth.length; i++) {
    if (pred[i] === truth[i]) agree++;
    if (pred[i] === 1 && truth[i] === 1) tp++;
    else if (pred[i] === 0 && truth[i] === 1) fn++;
  }
  const p = agree / truth.length;
  const r = tp + fn === 0 ? 0 : tp / (tp + fn);
  return [p, r, p + r === 0 ? 0 : (2 * p * r) / (p + r)];
}`,
    ],
  },
};

const PRF1_NAMES = ['precision', 'recall', 'F1'];

/** Names the first metric that is off, and says what the 0/0 convention is when that is the cause. */
export function comparePrf1(got: unknown, want: unknown, args: CodeArgs): CheckResult {
  const shape = defaultCompare(got, want, args, { atol: 1e-9, rtol: 0 });
  if (shape.ok || !Array.isArray(got) || got.length !== 3 || !got.every((v) => typeof v === 'number')) return shape;
  const [truth, pred] = args as [Labels, Labels];
  const w = want as number[];
  const g = got as number[];
  const i = g.findIndex((v, k) => !(Math.abs(v - w[k]) <= 1e-9));
  const what = `on ${truth.length} label${truth.length === 1 ? '' : 's'} with ${truth.filter((t) => t === 1).length} real and ${pred.filter((p) => p === 1).length} predicted positive`;
  if (Number.isNaN(g[i])) {
    return { ok: false, message: `Your ${PRF1_NAMES[i]} is NaN ${what}. That is a 0/0: return 0 when there is nothing to count.` };
  }
  return { ok: false, message: `Your ${PRF1_NAMES[i]} is ${fmtNumber(g[i])} ${what}; the engine says ${fmtNumber(w[i])}.` };
}
