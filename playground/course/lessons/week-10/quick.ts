// The comparison the page states on load: both models on the same small vocabulary, trained and scored on the same
// State of the Union sentences with a short, seeded schedule on the CPU backend (under a second in Node), so the
// numbers are the same on every machine and test/course.week-10.test.ts checks exactly the run the page shows.
import { compareLanguageModels, type CompareOptions, type LMComparison } from '../../../../engine/course';
import { loadSotu } from '../../widgets/w13-data';
import { breathe } from '../../compute';


export const QUICK: CompareOptions = {
  vocabSize: 30,
  model: { context: 3, dim: 8, hidden: 32, seed: 0 },
  train: { steps: 400, batch: 128, lr: 0.03, seed: 0, every: 50, onProgress: breathe },
  device: 'cpu',
  samples: 3,
};

let quick: Promise<LMComparison> | null = null;

/** The quick comparison, run once per page (or per test file) and shared by the prose and the widget. */
export function quickComparison(): Promise<LMComparison> {
  quick ??= loadSotu().then((d) => compareLanguageModels(d.train, d.test, QUICK));
  quick.catch(() => (quick = null));
  return quick;
}
