// Evaluation metrics (week 0), defined as scikit-learn defines them, on plain label arrays.
import { mulberry32 } from '../random';

export type Labels = ArrayLike<number>;

export type Average = 'macro' | 'micro' | 'binary';

export interface AverageOptions {
  /** 'binary' (the default, as in scikit-learn) scores only `positive`; 'macro' averages per-class scores over
   * every label in yTrue ∪ yPred; 'micro' pools the counts of all classes first. */
  average?: Average;
  /** The positive label for average: 'binary' (default 1). */
  positive?: number;
}

function check(yTrue: Labels, yPred: Labels, what: string): void {
  if (yTrue.length !== yPred.length) {
    throw new RangeError(`${what}: yTrue has ${yTrue.length} labels but yPred has ${yPred.length}`);
  }
  if (yTrue.length === 0) throw new RangeError(`${what}: needs at least one label`);
}

/** The fraction of positions where yPred equals yTrue. */
export function accuracy(yTrue: Labels, yPred: Labels): number {
  check(yTrue, yPred, 'accuracy');
  let hits = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hits++;
  return hits / yTrue.length;
}

/** Every label that occurs in either array, ascending. */
function labelsOf(yTrue: Labels, yPred: Labels): number[] {
  const s = new Set<number>();
  for (let i = 0; i < yTrue.length; i++) s.add(yTrue[i]).add(yPred[i]);
  return [...s].sort((a, b) => a - b);
}

/** True positives, false positives and false negatives of one label treated as "positive". */
function counts(yTrue: Labels, yPred: Labels, label: number): { tp: number; fp: number; fn: number } {
  let tp = 0, fp = 0, fn = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i] === label;
    const p = yPred[i] === label;
    if (t && p) tp++;
    else if (p) fp++;
    else if (t) fn++;
  }
  return { tp, fp, fn };
}

/** a / b, with 0 where b is 0 (scikit-learn's zero_division default). */
const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

type Score = (c: { tp: number; fp: number; fn: number }) => number;

// precision = TP / (TP + FP); recall = TP / (TP + FN); F1 = 2·TP / (2·TP + FP + FN), the harmonic mean of the two.
const scorePrecision: Score = ({ tp, fp }) => ratio(tp, tp + fp);
const scoreRecall: Score = ({ tp, fn }) => ratio(tp, tp + fn);
const scoreF1: Score = ({ tp, fp, fn }) => ratio(2 * tp, 2 * tp + fp + fn);

function averaged(score: Score, what: string, yTrue: Labels, yPred: Labels, opts: AverageOptions): number {
  check(yTrue, yPred, what);
  const average = opts.average ?? 'binary';
  const labels = labelsOf(yTrue, yPred);
  switch (average) {
    case 'binary': {
      const positive = opts.positive ?? 1;
      if (labels.length > 2) {
        throw new RangeError(`${what}: average 'binary' needs at most two labels, got ${labels.length} (${labels.join(', ')}); use 'macro' or 'micro'`);
      }
      return score(counts(yTrue, yPred, positive));
    }
    case 'macro': {
      // The unweighted mean of the per-class scores.
      let sum = 0;
      for (const l of labels) sum += score(counts(yTrue, yPred, l));
      return sum / labels.length;
    }
    case 'micro': {
      // Pool TP, FP and FN over classes, then score once (for single-label data this equals accuracy).
      const pooled = { tp: 0, fp: 0, fn: 0 };
      for (const l of labels) {
        const c = counts(yTrue, yPred, l);
        pooled.tp += c.tp;
        pooled.fp += c.fp;
        pooled.fn += c.fn;
      }
      return score(pooled);
    }
    default:
      throw new RangeError(`${what}: average must be 'macro', 'micro' or 'binary', got '${String(average)}'`);
  }
}

export function precision(yTrue: Labels, yPred: Labels, opts: AverageOptions = {}): number {
  return averaged(scorePrecision, 'precision', yTrue, yPred, opts);
}

export function recall(yTrue: Labels, yPred: Labels, opts: AverageOptions = {}): number {
  return averaged(scoreRecall, 'recall', yTrue, yPred, opts);
}

export function f1(yTrue: Labels, yPred: Labels, opts: AverageOptions = {}): number {
  return averaged(scoreF1, 'f1', yTrue, yPred, opts);
}

/**
 * counts[t][p] = how many samples of true class t were predicted as p (rows = true, columns = predicted). Labels
 * must be integers in [0, numClasses); numClasses defaults to the largest label + 1.
 */
export function confusionMatrix(yTrue: Labels, yPred: Labels, numClasses?: number): number[][] {
  check(yTrue, yPred, 'confusionMatrix');
  let k = numClasses ?? 0;
  if (numClasses === undefined) for (let i = 0; i < yTrue.length; i++) k = Math.max(k, yTrue[i] + 1, yPred[i] + 1);
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i];
    const p = yPred[i];
    for (const v of [t, p]) {
      if (!Number.isInteger(v) || v < 0 || v >= k) {
        throw new RangeError(`confusionMatrix: label ${v} at position ${i} is not an integer in [0, ${k})`);
      }
    }
    m[t][p]++;
  }
  return m;
}

/**
 * Uniform numbers in [0, 1) from a seed. The seed is mixed first (a golden-ratio offset, then murmur3's finaliser):
 * mulberry32 seeded with a small integer gives a tiny second draw (0.0003 for seed 0), which would bias every
 * sampler's early picks.
 */
export function seededRandom(seed: number): () => number {
  let h = (seed + 0x9e3779b9) >>> 0; // golden-ratio offset, since the finaliser maps 0 to 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return mulberry32((h ^ (h >>> 16)) >>> 0);
}

/** A seeded Fisher–Yates shuffle of [0, n). */
export function permutation(n: number, seed: number): number[] {
  const r = seededRandom(seed);
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

export interface Split {
  train: number[];
  test: number[];
}

export interface SplitOptions {
  /** In (0, 1); the test set has ceil(testFraction · n) indices, as in scikit-learn. Default 0.25. */
  testFraction?: number;
  seed?: number;
}

/** Shuffles [0, n) with the seed; the first ceil(testFraction·n) indices are the test set, the rest train. */
export function trainTestSplit(n: number, opts: SplitOptions = {}): Split {
  const f = opts.testFraction ?? 0.25;
  if (!(f > 0 && f < 1)) throw new RangeError(`trainTestSplit: testFraction must be in (0, 1), got ${f}`);
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`trainTestSplit: n must be an integer ≥ 2, got ${n}`);
  const nTest = Math.min(n - 1, Math.ceil(f * n));
  const p = permutation(n, opts.seed ?? 0);
  return { test: p.slice(0, nTest), train: p.slice(nTest) };
}

/**
 * k folds over [0, n): fold i's test set is the i-th contiguous block of the (seeded-shuffled, when a seed is
 * given) indices; the first n mod k folds hold one extra index (scikit-learn's KFold). Train indices ascend.
 */
export function kFold(n: number, k: number, opts: { seed?: number } = {}): Split[] {
  if (!Number.isInteger(k) || k < 2 || k > n) throw new RangeError(`kFold: k must be an integer in [2, n=${n}], got ${k}`);
  const order = opts.seed === undefined ? Array.from({ length: n }, (_, i) => i) : permutation(n, opts.seed);
  const folds: Split[] = [];
  let start = 0;
  for (let i = 0; i < k; i++) {
    const size = Math.floor(n / k) + (i < n % k ? 1 : 0);
    const test = order.slice(start, start + size);
    const inTest = new Set(test);
    const train: number[] = [];
    for (let j = 0; j < n; j++) if (!inTest.has(j)) train.push(j);
    folds.push({ train, test });
    start += size;
  }
  return folds;
}
