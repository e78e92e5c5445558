// The comparison the page states on load: the fixed-context and the attention model trained on the same seeded
// batches for a few dozen steps on the CPU backend (under a second in Node), so the numbers are the same on every
// machine and test/course.week-11-12.test.ts checks exactly the run the page shows.
import { compareContexts, type ContextComparison, type ContextComparisonOptions } from '../../../../engine/course';
import { breathe } from '../../compute';


export const QUICK: ContextComparisonOptions = {
  model: { vocab: 8, dim: 16, maxLen: 12, seed: 0 },
  train: { steps: 60, batch: 16, lr: 0.04, lengths: [2, 4, 6, 8, 10, 12], seed: 0, every: 30 },
  testCount: 100,
  device: 'cpu',
  onProgress: breathe,
};

let quick: Promise<ContextComparison> | null = null;

/** The quick comparison, run once per page (or per test file) and shared by the prose and the widget. */
export function quickComparison(): Promise<ContextComparison> {
  quick ??= compareContexts(QUICK);
  quick.catch(() => (quick = null));
  return quick;
}

/** The longest length of the quick run, where the prose's claim is made. */
export const LONGEST = Math.max(...QUICK.train.lengths);
