// Weeks 1-2's exercises and their checkers: plain data and functions, no DOM, so test/course.week1-2.test.ts runs
// every one of them in Node with a right answer and with the wrong ones learners typically give. Every answer is
// computed by engine code (bayes, jointTable, marginal, conditional, MultinomialNB), never typed in.
import { html } from 'lit';
import { MultinomialNB, bayes, conditional, jointTable, marginal, metrics } from '../../../../engine/course';
import { stat } from '../../stat';
import type { CheckResult, ChoiceExercise, CodeArgs, CodeExercise, NumberExercise, TargetExercise } from '../../types';

// ---------------------------------------------------------------------------------------------------------------
// Bayes' rule

/** The screening test of the "predict, then reveal" question. */
export const SCREENING = { prevalence: 0.02, sensitivity: 0.95, falsePositive: 0.05 } as const;

/** P(disease | positive) by Bayes' rule over the two hypotheses {disease, healthy}. */
export function screeningPosterior(s: { prevalence: number; sensitivity: number; falsePositive: number }): number {
  return bayes({ prior: [s.prevalence, 1 - s.prevalence], likelihood: [s.sensitivity, s.falsePositive] })[0];
}

/** The screening example as whole people, for the explanation. */
const SCREEN_PEOPLE = 1000;
const screenCounts = {
  ill: SCREEN_PEOPLE * SCREENING.prevalence,
  healthy: SCREEN_PEOPLE * (1 - SCREENING.prevalence),
  truePositive: SCREEN_PEOPLE * SCREENING.prevalence * SCREENING.sensitivity,
  falsePositive: SCREEN_PEOPLE * (1 - SCREENING.prevalence) * SCREENING.falsePositive,
};

export const screeningExercise: NumberExercise = {
  kind: 'number',
  id: 'screening-posterior',
  prompt: html`A disease affects ${SCREENING.prevalence * 100}% of people. A test for it comes back positive for
    ${SCREENING.sensitivity * 100}% of the people who have it, and (falsely) for ${SCREENING.falsePositive * 100}% of the
    people who don't. Someone tests positive. Before you compute anything, guess: what is the probability that they
    have the disease? Then work it out and type it as a number between 0 and 1.`,
  answer: () => screeningPosterior(SCREENING),
  tolerance: 0.01,
  explain: html`Picture ${stat('w12-screen-people', SCREEN_PEOPLE, 'int')} people. ${stat('w12-screen-ill', screenCounts.ill, 'int')}
    have the disease and ${stat('w12-screen-true-pos', screenCounts.truePositive, 'int')} of them test positive; of the
    ${stat('w12-screen-healthy', screenCounts.healthy, 'int')} healthy ones, ${stat('w12-screen-false-pos', screenCounts.falsePositive, 'int')}
    test positive too. A positive result puts you among the ${stat('w12-screen-positives', screenCounts.truePositive + screenCounts.falsePositive, 'int')}
    positives, of whom only the ill ones count: a share of ${stat('w12-screen-posterior', screeningPosterior(SCREENING), 3)}.
    The ${stat('w12-screen-sensitivity', SCREENING.sensitivity, 'percent')} everyone first thinks of is P(positive | disease),
    the other conditional.`,
  demo: { right: screeningPosterior(SCREENING), wrong: SCREENING.sensitivity },
};

/** What the area diagram (w12-bayes-area) reports: the three probabilities that draw it. */
export interface AreaValue {
  prior: number;
  sensitivity: number;
  falsePositive: number;
}

/** The settings the target exercise starts from and must keep: a rare disease and a fairly sensitive test. */
export const AREA_START: AreaValue = { prior: 0.01, sensitivity: 0.9, falsePositive: 0.09 };

function isAreaValue(v: unknown): v is AreaValue {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return ['prior', 'sensitivity', 'falsePositive'].every((k) => typeof o[k] === 'number' && (o[k] as number) >= 0 && (o[k] as number) <= 1);
}

const pct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)}%`;

export function checkArea(value: unknown): CheckResult {
  if (!isAreaValue(value)) return { ok: false, message: 'The diagram should report three probabilities between 0 and 1; move a slider to start.' };
  if (Math.abs(value.prior - AREA_START.prior) > 1e-9) {
    return { ok: false, message: `Keep the prevalence at ${pct(AREA_START.prior)} (it is ${pct(value.prior)}): the question is what the test must do, not the disease.` };
  }
  if (Math.abs(value.sensitivity - AREA_START.sensitivity) > 1e-9) {
    return { ok: false, message: `Keep the sensitivity at ${pct(AREA_START.sensitivity, 0)} (it is ${pct(value.sensitivity)}); change only the false-positive rate.` };
  }
  const evidence = value.prior * value.sensitivity + (1 - value.prior) * value.falsePositive;
  const post = screeningPosterior({ prevalence: value.prior, sensitivity: value.sensitivity, falsePositive: value.falsePositive });
  if (!(evidence > 0)) return { ok: false, message: 'With these settings nobody ever tests positive, so P(disease | positive) is undefined.' };
  if (post >= 0.5) {
    return { ok: true, message: `Right: with a false-positive rate of ${pct(value.falsePositive, 2)}, a positive test means the disease with probability ${pct(post)}.` };
  }
  return { ok: false, message: `Not yet: a positive test means the disease with probability ${pct(post)}, still less than 50%. The healthy 99% need to produce fewer false alarms than the ill 1% produce true ones.` };
}

export const areaExercise: TargetExercise = {
  kind: 'target',
  id: 'area-more-likely-than-not',
  prompt: html`In the diagram above, keep the prevalence at ${pct(AREA_START.prior, 0)} and the sensitivity at
    ${pct(AREA_START.sensitivity, 0)}, and lower the false-positive rate until a positive test means the disease is
    more likely than not: P(disease | positive) ≥ 50%.`,
  widget: { tag: 'w12-bayes-area', props: { value: AREA_START } },
  check: checkArea,
  // The boundary is where the two shaded areas are equal: 0.01 · 0.9 = 0.99 · f, so f = 0.00909…; 0.009 is just under it.
  demo: { right: { ...AREA_START, falsePositive: 0.009 }, wrong: { ...AREA_START, falsePositive: 0.02 } },
};

// ---------------------------------------------------------------------------------------------------------------
// Joint and marginal tables

export const WEATHER = ['sunny', 'rainy'];
export const COMMUTE = ['walk', 'bus', 'car'];
/** A year of commutes, as counts: rows are the weather, columns how the day's commute went. */
export const COMMUTE_COUNTS: number[][] = [
  [120, 60, 40],
  [15, 70, 60],
];

const commuteJoint = () => jointTable(COMMUTE_COUNTS, { rows: WEATHER, cols: COMMUTE });

export const conditionalExercise: NumberExercise = {
  kind: 'number',
  id: 'bus-given-rain',
  prompt: html`Take the table as it starts
    (${WEATHER.map((w, i) => `${w}: ${COMMUTE.map((c, j) => `${c} ${COMMUTE_COUNTS[i][j]}`).join(', ')}`).join('; ')}).
    On a rainy day, what is the probability of taking the bus, P(bus | rainy)?`,
  answer: () => conditional(commuteJoint(), 0)[1][1],
  tolerance: 0.005,
  explain: html`Conditioning on rain keeps only the rainy row and rescales it to sum to 1: the bus count divided by
    the row's total, ${stat('w12-bus-given-rain', conditional(commuteJoint(), 0)[1][1], 3)}. The joint probability
    P(rainy, bus) = ${stat('w12-rainy-and-bus', commuteJoint().p[1][1], 3)} divides by the whole year instead.`,
  demo: { right: conditional(commuteJoint(), 0)[1][1], wrong: commuteJoint().p[1][1] },
};

function isCounts(v: unknown): v is number[][] {
  return Array.isArray(v) && v.every((r) => Array.isArray(r) && r.every((x) => typeof x === 'number'));
}

/** The joint table's value (w12-joint-table): its counts. Independent means P(x, y) = P(x) P(y) in every cell. */
export function checkIndependence(value: unknown): CheckResult {
  if (!isCounts(value)) return { ok: false, message: 'The table should report its counts; edit a cell to start.' };
  if (value.length !== WEATHER.length || value.some((r) => r.length !== COMMUTE.length)) {
    return { ok: false, message: `Keep the table ${WEATHER.length} by ${COMMUTE.length}: weather by commute.` };
  }
  let joint;
  try {
    joint = jointTable(value);
  } catch (e) {
    return { ok: false, message: `That is not a table of counts: ${(e as Error).message.replace(/^jointTable: /, '')}.` };
  }
  const px = marginal(joint, 0);
  const py = marginal(joint, 1);
  const emptyRow = px.findIndex((p) => p === 0);
  if (emptyRow >= 0) return { ok: false, message: `Every weather needs some days: the ${WEATHER[emptyRow]} row is all zeros, so nothing can be conditioned on it.` };
  const emptyCol = py.findIndex((p) => p === 0);
  if (emptyCol >= 0) return { ok: false, message: `Every commute needs some days: the ${COMMUTE[emptyCol]} column is all zeros.` };
  const cond = conditional(joint, 0);
  let worst = { gap: 0, i: 0, j: 0 };
  cond.forEach((row, i) => row.forEach((p, j) => {
    const gap = Math.abs(p - py[j]);
    if (gap > worst.gap) worst = { gap, i, j };
  }));
  if (worst.gap <= 1e-9) return { ok: true, message: 'Right: every row of P(commute | weather) equals P(commute), so knowing the weather tells you nothing about the commute.' };
  const { i, j } = worst;
  return {
    ok: false,
    message: `Not independent yet: P(${COMMUTE[j]} | ${WEATHER[i]}) = ${cond[i][j].toFixed(3)} but P(${COMMUTE[j]}) = ${py[j].toFixed(3)}. Make each row a multiple of the other.`,
  };
}

export const independenceExercise: TargetExercise = {
  kind: 'target',
  id: 'independent-table',
  prompt: html`Edit the counts until the weather and the commute are independent: the commute's distribution is the
    same whatever the weather. (Hint: what must be true of the two rows?)`,
  widget: { tag: 'w12-joint-table', props: { value: COMMUTE_COUNTS, rows: WEATHER, cols: COMMUTE } },
  check: checkIndependence,
  demo: { right: [[120, 60, 40], [30, 15, 10]], wrong: COMMUTE_COUNTS },
};

// ---------------------------------------------------------------------------------------------------------------
// Naive Bayes

export const zeroCountExercise: ChoiceExercise = {
  kind: 'choice',
  id: 'nb-zero-count',
  prompt: html`A naive Bayes spam filter is trained with no smoothing (α = 0). A new mail contains the word
    "seminar", which appeared in training ham but never in training spam. What is P(spam | mail)?`,
  options: [
    'Exactly 0, whatever the other words in the mail say',
    'Small but positive: one word cannot outweigh the others',
    'Unchanged: words one class never used are skipped',
    'One half: the classifier cannot decide',
  ],
  correct: 0,
  explain: html`P(seminar | spam) = 0 enters the product P(spam) ∏ P(w | spam), so the whole product is 0 however
    spammy the rest of the mail is; in logs it is −∞. Adding α to every count keeps each P(w | c) above zero, which is
    why the widget's α cannot go to 0.`,
  demo: { wrong: 2 },
};

export const gaussianExercise: ChoiceExercise = {
  kind: 'choice',
  id: 'gaussian-boundary',
  prompt: html`Two classes in the plane, each modelled by Gaussian naive Bayes with its own per-feature variances.
    What shape can the boundary between their regions take?`,
  options: [
    'Always a straight line',
    'A curve of degree two (a line, parabola, ellipse or hyperbola), depending on the variances',
    'Any shape at all, like a nearest-neighbour classifier',
    'Always a circle around one of the means',
  ],
  correct: 1,
  explain: html`Each class's log density is a quadratic in x and y (no xy term, because the features are independent
    given the class). The boundary is where two such quadratics are equal, a curve of degree two. When the classes
    share their variances the squares cancel and it is a straight line.`,
  demo: { wrong: 0 },
};

export const markovExercise: ChoiceExercise = {
  kind: 'choice',
  id: 'markov-assumption',
  prompt: html`Which of these is the Markov assumption behind a trigram model?`,
  options: [
    'P(wₜ | w₁ … wₜ₋₁) = P(wₜ | wₜ₋₂, wₜ₋₁)',
    'P(w₁ … wₙ) = P(w₁) P(w₂ | w₁) … P(wₙ | w₁ … wₙ₋₁)',
    'P(wₜ | wₜ₋₂, wₜ₋₁) = P(wₜ | wₜ₋₂) P(wₜ | wₜ₋₁)',
    'P(wₜ) is the same at every position t',
  ],
  correct: 0,
  explain: html`The second line is the chain rule, which is always true and assumes nothing. The Markov assumption
    is the approximation that makes it countable: only the last two words matter. The third line treats the two
    previous words as independent evidence, which is naive Bayes' assumption, not Markov's.`,
  demo: { wrong: 1 },
};

// ---------------------------------------------------------------------------------------------------------------
// Code cells

/** Uniform in [lo, hi) from a seeded stream. */
const uniform = (r: () => number, lo: number, hi: number) => lo + (hi - lo) * r();

function randomPrior(r: () => number, n: number): number[] {
  const w = Array.from({ length: n }, () => uniform(r, 0.05, 1));
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / s);
}

export const bayesRuleCell: CodeExercise = {
  kind: 'code',
  id: 'bayes-rule',
  prompt: html`Write Bayes' rule for any number of hypotheses. <code>prior[i]</code> is P(hᵢ) and
    <code>likelihood[i]</code> is P(data | hᵢ); return every posterior P(hᵢ | data), in the same order. The evidence
    P(data) is not given: get it from the law of total probability.`,
  name: 'bayesRule',
  signature: 'bayesRule(prior: number[], likelihood: number[]): number[]',
  language: 'typescript',
  starter: `function bayesRule(prior: number[], likelihood: number[]): number[] {
  // P(h | data) = P(data | h) · P(h) / P(data)
  return prior.map(() => 0);
}
`,
  solution: `function bayesRule(prior: number[], likelihood: number[]): number[] {
  const joint = prior.map((p, i) => likelihood[i] * p); // P(data, h) for each h
  const evidence = joint.reduce((a, b) => a + b, 0); // P(data) = Σ_h P(data | h) P(h)
  return joint.map((j) => j / evidence);
}
`,
  hints: [
    'Start with the numerator for each hypothesis: likelihood[i] * prior[i]. That is the joint probability P(data, hᵢ).',
    'The evidence P(data) is the sum of those joints over all hypotheses (the sum rule).',
    'Divide each joint by the evidence. The posteriors you return should sum to 1.',
  ],
  example: () => [[0.02, 0.98], [0.95, 0.05]],
  cases: (seed) => {
    const r = metrics.seededRandom(seed);
    return [1, 2, 3, 7].map((n) => {
      const likelihood = Array.from({ length: n }, () => uniform(r, 0, 1));
      if (n > 2) likelihood[Math.floor(r() * n)] = 0; // a hypothesis the data rules out
      return [randomPrior(r, n), likelihood];
    });
  },
  reference: (prior, likelihood) => bayes({ prior: prior as number[], likelihood: likelihood as number[] }),
  demo: {
    wrong: [
      // The numerator alone: the joints P(data, h), never divided by P(data).
      `function bayesRule(prior: number[], likelihood: number[]): number[] {
  return prior.map((p, i) => likelihood[i] * p);
}
`,
      // Normalising by the likelihoods' sum, which is not P(data) unless the prior is uniform.
      `function bayesRule(prior: number[], likelihood: number[]): number[] {
  const z = likelihood.reduce((a, b) => a + b, 0);
  return prior.map((p, i) => (likelihood[i] * p) / z);
}
`,
      // Forgetting the prior: the normalised likelihood.
      `function bayesRule(prior: number[], likelihood: number[]): number[] {
  const z = likelihood.reduce((a, b) => a + b, 0);
  return likelihood.map((l) => l / z);
}
`,
    ],
  },
};

const WORDS = ['free', 'offer', 'money', 'now', 'win', 'meeting', 'lunch', 'report', 'team', 'call', 'click', 'notes'];

function randomDocs(r: () => number, count: number, classes: number): { docs: string[][]; labels: number[] } {
  const labels = Array.from({ length: count }, (_, i) => (i < classes ? i : Math.floor(r() * classes))); // every class present
  // Each class prefers its own slice of the word list, so the classes really differ.
  const docs = labels.map((c) =>
    Array.from({ length: 1 + Math.floor(r() * 8) }, () => {
      const own = r() < 0.7;
      const j = own ? (c * 4 + Math.floor(r() * 4)) % WORDS.length : Math.floor(r() * WORDS.length);
      return WORDS[j];
    }),
  );
  return { docs, labels };
}

function nbReference(docs: string[][], labels: number[], doc: string[], alpha: number): number[] {
  return new MultinomialNB({ alpha }).fit(docs, labels).predictLogProba([doc])[0];
}

export const logPosteriorCell: CodeExercise = {
  kind: 'code',
  id: 'nb-log-posterior',
  prompt: html`Implement multinomial naive Bayes from counts. Train on <code>docs</code> (each a list of words) with
    their <code>labels</code> (0, 1, …), using add-α smoothing over the training vocabulary, and return
    log P(c | doc) for every class c in ascending order, normalised so the probabilities sum to 1. Words of
    <code>doc</code> that never occur in training are skipped, as scikit-learn's MultinomialNB does.`,
  name: 'logPosterior',
  signature: 'logPosterior(docs: string[][], labels: number[], doc: string[], alpha: number): number[]',
  language: 'typescript',
  starter: `function logPosterior(docs: string[][], labels: number[], doc: string[], alpha: number): number[] {
  // log P(c | doc) = log P(c) + Σ_w log P(w | c) − log Σ_c' (the same for c')
  // P(w | c) = (count(w, c) + alpha) / (total words of class c + alpha · |V|)
  return [];
}
`,
  solution: `function logPosterior(docs: string[][], labels: number[], doc: string[], alpha: number): number[] {
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  const vocab = new Set(docs.flat());
  const scores = classes.map((c) => {
    const mine = docs.filter((_, i) => labels[i] === c);
    const counts = new Map<string, number>();
    let total = 0;
    for (const d of mine) for (const w of d) { counts.set(w, (counts.get(w) ?? 0) + 1); total++; }
    let s = Math.log(mine.length / docs.length); // log P(c)
    for (const w of doc) {
      if (!vocab.has(w)) continue; // unseen in training: skipped
      s += Math.log(((counts.get(w) ?? 0) + alpha) / (total + alpha * vocab.size));
    }
    return s;
  });
  // Normalise in log space: subtract log Σ exp, shifted by the max so nothing underflows.
  const m = Math.max(...scores);
  const z = m + Math.log(scores.reduce((a, s) => a + Math.exp(s - m), 0));
  return scores.map((s) => s - z);
}
`,
  hints: [
    'Count, for each class, how often each word occurs in its documents and how many words it has in all. The vocabulary V is every word in any training document.',
    'The score of class c is log(number of c documents / number of documents) plus, for each word of doc that is in V, log((count(w, c) + alpha) / (total(c) + alpha · |V|)).',
    'Those scores are log P(c, doc) up to a constant. Subtract log Σ_c exp(score_c) (the log-sum-exp, with the max subtracted first) so that the exponentials sum to 1.',
  ],
  example: () => [
    [['free', 'money', 'now'], ['meeting', 'notes'], ['win', 'free', 'offer'], ['lunch', 'meeting', 'team']],
    [1, 0, 1, 0],
    ['free', 'lunch', 'unknown'],
    1,
  ],
  cases: (seed) => {
    const r = metrics.seededRandom(seed);
    const alphas = [1, 0.5, 0.1, 2];
    return [
      { count: 5, classes: 2 },
      { count: 9, classes: 2 },
      { count: 13, classes: 3 },
      { count: 7, classes: 3 },
    ].map(({ count, classes }, i): CodeArgs => {
      const { docs, labels } = randomDocs(r, count, classes);
      // A document to classify, with one word no training document has.
      const doc = [...Array.from({ length: 2 + Math.floor(r() * 5) }, () => WORDS[Math.floor(r() * WORDS.length)]), 'unseenword'];
      return [docs, labels, doc, alphas[i]];
    });
  },
  reference: (docs, labels, doc, alpha) => nbReference(docs as string[][], labels as number[], doc as string[], alpha as number),
  demo: {
    wrong: [
      // The joint log-likelihood log P(c) + Σ log P(w | c), never normalised.
      `function logPosterior(docs: string[][], labels: number[], doc: string[], alpha: number): number[] {
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  const vocab = new Set(docs.flat());
  return classes.map((c) => {
    const mine = docs.filter((_, i) => labels[i] === c);
    const words = mine.flat();
    let s = Math.log(mine.length / docs.length);
    for (const w of doc) {
      if (!vocab.has(w)) continue;
      s += Math.log((words.filter((x) => x === w).length + alpha) / (words.length + alpha * vocab.size));
    }
    return s;
  });
}
`,
      // |V| counted per class (only the words that class used) instead of over all training words.
      `function logPosterior(docs: string[][], labels: number[], doc: string[], alpha: number): number[] {
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  const vocab = new Set(docs.flat());
  const scores = classes.map((c) => {
    const mine = docs.filter((_, i) => labels[i] === c);
    const words = mine.flat();
    const own = new Set(words);
    let s = Math.log(mine.length / docs.length);
    for (const w of doc) {
      if (!vocab.has(w)) continue;
      s += Math.log((words.filter((x) => x === w).length + alpha) / (words.length + alpha * own.size));
    }
    return s;
  });
  const m = Math.max(...scores);
  const z = m + Math.log(scores.reduce((a, s) => a + Math.exp(s - m), 0));
  return scores.map((s) => s - z);
}
`,
      // The prior left out: every class starts level, whatever its share of the training documents.
      `function logPosterior(docs: string[][], labels: number[], doc: string[], alpha: number): number[] {
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  const vocab = new Set(docs.flat());
  const scores = classes.map((c) => {
    const words = docs.filter((_, i) => labels[i] === c).flat();
    let s = 0;
    for (const w of doc) {
      if (!vocab.has(w)) continue;
      s += Math.log((words.filter((x) => x === w).length + alpha) / (words.length + alpha * vocab.size));
    }
    return s;
  });
  const m = Math.max(...scores);
  const z = m + Math.log(scores.reduce((a, s) => a + Math.exp(s - m), 0));
  return scores.map((s) => s - z);
}
`,
      // Unseen words not skipped: each adds log(alpha / (total + alpha · |V|)) to every class.
      `function logPosterior(docs: string[][], labels: number[], doc: string[], alpha: number): number[] {
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  const vocab = new Set(docs.flat());
  const scores = classes.map((c) => {
    const mine = docs.filter((_, i) => labels[i] === c);
    const words = mine.flat();
    let s = Math.log(mine.length / docs.length);
    for (const w of doc) s += Math.log((words.filter((x) => x === w).length + alpha) / (words.length + alpha * vocab.size));
    return s;
  });
  const m = Math.max(...scores);
  const z = m + Math.log(scores.reduce((a, s) => a + Math.exp(s - m), 0));
  return scores.map((s) => s - z);
}
`,
    ],
  },
};
