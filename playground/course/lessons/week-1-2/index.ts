// Weeks 1-2: probability, Bayes' rule and naive Bayes, ending on the Markov assumption that week 3 builds on.
// The prose is ours; every number it states comes from engine code through stat(), on the same data the widgets
// use (the committed SpamAssassin sample, and the area diagram's own settings).
import { html } from 'lit';
import type { Lesson } from '../../types';
import { stat } from '../../stat';
import { loadSpam } from '../../widgets/w13-data';
import {
  AREA_START,
  areaExercise,
  bayesRuleCell,
  conditionalExercise,
  gaussianExercise,
  independenceExercise,
  logPosteriorCell,
  markovExercise,
  screeningExercise,
  screeningPosterior,
  zeroCountExercise,
  COMMUTE,
  COMMUTE_COUNTS,
  WEATHER,
} from './exercises';
import { fitSpam, spamSizes } from './spam-model';

// The spam numbers, computed once when the lesson opens (fitting takes milliseconds once the file is loaded).
const spam = loadSpam().then((data) => {
  const model = fitSpam(data);
  return { sizes: spamSizes(data), model, vocab: model.nb.vocabulary.length };
});
const spamStat = (name: string, pick: (s: Awaited<typeof spam>) => number, format: Parameters<typeof stat>[2]) => stat(name, spam.then(pick), format);

const areaStartPosterior = screeningPosterior({ prevalence: AREA_START.prior, sensitivity: AREA_START.sensitivity, falsePositive: AREA_START.falsePositive });

export const lesson: Lesson = {
  id: 'week-1-2',
  week: '1-2',
  title: 'Probability and naive Bayes',
  summary: "Conditional probability, Bayes' rule, joint and marginal tables, naive Bayes on spam and in the plane, and the Markov assumption.",
  load: () => import('./widgets'),
  sections: [
    {
      kind: 'text',
      body: html`<p>A language model is a machine for one question: given the words so far, how likely is each word to
          come next? Every model in this course, from a table of counts to a transformer, answers it with a probability
          distribution. So we start with the rules those distributions obey, and with the oldest trick for turning
          evidence into a decision: Bayes' rule.</p>
        <h2>Conditional probability</h2>
        <p>P(A | B), "the probability of A given B", is what becomes of P(A) once you learn that B happened. Learning B
          rules out every world where B is false. What is left is a smaller world, and probabilities inside it have to
          be rescaled so that they sum to 1 again. That is the whole definition: P(A | B) = P(A, B) / P(B), the share of
          B's probability where A holds too.</p>
        <p>The two conditionals point in different directions and are usually very different numbers. Most people who
          are ill test positive; that does not make most people who test positive ill. The diagram below lets you see
          why. The square is everyone. The red column, of width P(H), holds those with a condition H; inside each column
          the darker part is who gets a positive test E. A positive result tells you only that you are somewhere in the
          dark area, so P(H | E) is the red share of it. The bar underneath keeps just that dark area, rescaled to full
          width: conditioning, drawn.</p>`,
    },
    {
      kind: 'widget',
      tag: 'w12-bayes-area',
      props: { value: { prior: 0.3, sensitivity: 0.8, falsePositive: 0.2 } },
      alt: 'An area diagram of Bayes\' rule with sliders for the prevalence P(H), the sensitivity P(E | H) and the false-positive rate P(E | ¬H); a table gives the two joint probabilities, the evidence P(E) and the posterior P(H | E).',
    },
    {
      kind: 'text',
      body: html`<h2>Bayes' rule</h2>
        <p>Write the joint probability two ways, P(H, E) = P(E | H) P(H) = P(H | E) P(E), and divide by P(E):</p>
        <p style="text-align:center">P(H | E) = P(E | H) · P(H) / P(E).</p>
        <p>P(H) is the <em>prior</em>, what you believed before the evidence; P(E | H) is the <em>likelihood</em>, how
          well the hypothesis predicted what you saw; P(H | E) is the <em>posterior</em>. The denominator P(E), the
          <em>evidence</em>, is rarely given, but the sum rule supplies it: E happens either with H or without it, so
          P(E) = P(E | H) P(H) + P(E | ¬H) P(¬H). In the diagram that is simply the total dark area.</p>
        <p>Set the diagram to a rare condition: a prevalence of ${stat('w12-area-prior', AREA_START.prior, 'percent')}, a
          test that catches ${stat('w12-area-sensitivity', AREA_START.sensitivity, 'percent')} of cases, and a
          false-positive rate of ${stat('w12-area-false-positive', AREA_START.falsePositive, 'percent')}. A positive
          result then means the condition with probability only
          ${stat('w12-area-posterior', areaStartPosterior, 'percent')}: the healthy majority is so large that its few
          false alarms outnumber the true ones. Forgetting the prior this way has a name, the base-rate fallacy.</p>`,
    },
    { kind: 'exercise', exercise: screeningExercise },
    { kind: 'exercise', exercise: areaExercise },
    {
      kind: 'text',
      body: html`<p>With more than two hypotheses nothing changes: each posterior is its likelihood times its prior,
          divided by the sum of those products over all hypotheses. Write it once, for any number of them.</p>`,
    },
    { kind: 'exercise', exercise: bayesRuleCell },
    {
      kind: 'text',
      body: html`<h2>Joint, marginal and conditional tables</h2>
        <p>With two variables that take a few values each, the joint distribution P(X, Y) is a table whose cells sum to
          1. Two rules get everything else out of it. The <em>sum rule</em> adds a row (or a column) to get a
          <em>marginal</em>, the distribution of one variable with the other ignored: P(X = x) = Σ<sub>y</sub> P(x, y).
          The <em>product rule</em>, P(x, y) = P(y | x) P(x), turned around, gives a <em>conditional</em>: divide each
          cell of the row x by that row's marginal, and the row becomes the distribution of Y given X = x.</p>
        <p>Below is a made-up year of commutes: the weather on
          ${stat('w12-commute-days', COMMUTE_COUNTS.flat().reduce((a, b) => a + b, 0), 'int')} days
          (${WEATHER.join(' or ')}) against how the trip was made (${COMMUTE.join(', ')}). Type any counts you like; the
          table is normalised for you. Switch between the joint and the two conditionals and watch which sums come to
          1.</p>`,
    },
    {
      kind: 'widget',
      tag: 'w12-joint-table',
      props: { value: COMMUTE_COUNTS, rows: WEATHER, cols: COMMUTE, rowName: 'weather', colName: 'commute' },
      alt: 'An editable table of counts of weather (sunny, rainy) against commute (walk, bus, car), with the normalised joint distribution and its marginals, or either conditional distribution, shown beside it.',
    },
    { kind: 'exercise', exercise: conditionalExercise },
    {
      kind: 'text',
      body: html`<p>Two variables are <em>independent</em> when knowing one tells you nothing about the other:
          P(y | x) = P(y) for every x, or equivalently P(x, y) = P(x) P(y) in every cell. In the table, that means every
          row of the conditional P(commute | weather) is the same distribution.</p>`,
    },
    { kind: 'exercise', exercise: independenceExercise },
    {
      kind: 'text',
      body: html`<h2>Naive Bayes</h2>
        <p>Now let the hypotheses be classes, spam or ham (wanted mail), and the evidence a document d. Bayes' rule says
          P(c | d) ∝ P(c) P(d | c), so all we need is P(d | c), the probability of the whole document under each class.
          No corpus is large enough to estimate that directly: almost every mail is unique. Naive Bayes makes the bold
          assumption that, within a class, each word is drawn independently of the others:</p>
        <p style="text-align:center">P(c | d) ∝ P(c) · Π<sub>w in d</sub> P(w | c).</p>
        <p>The assumption is plainly false ("credit" and "card" are not independent), yet the classifier works well,
          because to pick a class it only needs the right class to score highest, not the probabilities to be right.
          Estimating P(w | c) is counting: how often w occurs among all the words of class c's training documents.
          Two practical details matter. A word that a class never used gets probability 0, which would veto that class
          outright, so we add a small pseudo-count α to every count (α = 1 is Laplace smoothing). And a product of
          hundreds of small probabilities underflows to 0 in floating point, so we add logarithms instead:
          log P(c) + Σ<sub>w</sub> log P(w | c).</p>
        <p>Our data is a sample of ${spamStat('w12-spam-total', (s) => s.sizes.train + s.sizes.test, 'int')} mails from the
          SpamAssassin public corpus, each cut to its first ${spamStat('w12-spam-max-tokens', (s) => s.sizes.maxTokens, 'int')}
          words. The classifier learns from ${spamStat('w12-spam-train', (s) => s.sizes.train, 'int')} of them
          (${spamStat('w12-spam-train-spam', (s) => s.sizes.trainSpam, 'int')} spam), a vocabulary of
          ${spamStat('w12-spam-vocab', (s) => s.vocab, 'int')} words, and is tested on the other
          ${spamStat('w12-spam-test', (s) => s.sizes.test, 'int')}, which it never saw. With α = 1 it labels
          ${spamStat('w12-spam-accuracy', (s) => s.model.accuracy, 'percent')} of those held-out mails correctly. The
          widget lists the words that most separate the classes, ranked by how much one occurrence shifts the log
          odds, and scores any message you type.</p>`,
    },
    {
      kind: 'widget',
      tag: 'w12-spam-nb',
      alt: 'Multinomial naive Bayes trained on SpamAssassin mail: a slider for the smoothing α, the held-out accuracy and confusion matrix, tables of the most spam-like and ham-like words, and a text box whose message is scored word by word.',
    },
    { kind: 'exercise', exercise: zeroCountExercise },
    { kind: 'exercise', exercise: logPosteriorCell },
    {
      kind: 'text',
      body: html`<h2>Gaussian naive Bayes</h2>
        <p>Features need not be words. When they are measurements, naive Bayes models each one, within each class, as a
          normal distribution with its own mean and variance, again independently of the other features. Fitting is
          computing a mean and a variance per class and feature; predicting is the same log-sum as before, with the
          log of a normal density in place of log P(w | c).</p>
        <p>Independence within a class means each class's density has axis-aligned elliptical contours. The boundary
          between two classes is where their scores tie. Stretch class A along x, or click to add points, and watch the
          boundaries bend.</p>`,
    },
    {
      kind: 'widget',
      tag: 'w12-gaussian-nb',
      alt: 'Points of three classes in the plane with the decision regions of Gaussian naive Bayes fitted to them; a table lists each class\'s fitted prior, means and variances and the training accuracy.',
    },
    { kind: 'exercise', exercise: gaussianExercise },
    {
      kind: 'text',
      body: html`<h2>From documents to sequences: the Markov assumption</h2>
        <p>Naive Bayes throws word order away. A language model cannot: it must say which word comes next. The chain rule
          writes the probability of a sentence exactly, as a product of next-word probabilities,
          P(w₁ … wₙ) = P(w₁) P(w₂ | w₁) P(w₃ | w₁, w₂) ⋯ P(wₙ | w₁ … wₙ₋₁), but its later factors condition on
          histories that never occur twice. The <em>Markov assumption</em> cuts each history down to the last k words:
          P(wₜ | w₁ … wₜ₋₁) ≈ P(wₜ | wₜ₋ₖ … wₜ₋₁). With k = 1 that is a bigram model, with k = 2 a trigram model.</p>
        <p>The widget counts, in State of the Union addresses, which words follow the last one, two and three words of
          your context. Longer contexts give sharper, more sensible predictions, and far fewer examples to base them on:
          extend the context by clicking words and watch the counts fall until a context has never been seen at all.
          Week 3 is about living with that trade-off.</p>`,
    },
    {
      kind: 'widget',
      tag: 'w12-markov',
      props: { value: 'we must' },
      alt: 'Next-word distributions after the last one, two and three words of an editable context, counted in State of the Union sentences, each with how often its context occurred; clicking a word appends it to the context.',
    },
    { kind: 'exercise', exercise: markovExercise },
  ],
  claims: [{ stat: 'w12-spam-accuracy', is: '>=', than: 0.95, says: 'naive Bayes reaches 95% on held-out spam' }],
  resources: [
    {
      title: '3Blue1Brown: Bayes theorem, the geometry of changing beliefs',
      url: 'https://www.youtube.com/watch?v=HZGCoVF3YvM',
      adds: 'The area diagram of this page, animated, with the librarian-or-farmer example of why the prior matters.',
    },
    {
      title: 'Khan Academy: Conditional probability and independence',
      url: 'https://www.khanacademy.org/math/statistics-probability/probability-library/conditional-probability-independence',
      adds: 'Many short worked problems with two-way tables, for practising conditioning until it is automatic.',
    },
    {
      title: 'StatQuest: Naive Bayes, Clearly Explained',
      url: 'https://www.youtube.com/watch?v=O2L2Uv9pdDA',
      adds: 'Multinomial naive Bayes on a toy spam filter, step by step, including why pseudo-counts are needed.',
    },
    {
      title: 'StatQuest: Gaussian Naive Bayes, Clearly Explained',
      url: 'https://www.youtube.com/watch?v=H3EjCKtlVog',
      adds: 'The continuous version with one normal curve per feature and class, and why the logs are taken.',
    },
    {
      title: 'Jurafsky & Martin, Speech and Language Processing (3rd ed. draft)',
      url: 'https://web.stanford.edu/~jurafsky/slp3/',
      adds: 'The naive Bayes chapter (chapter 4 in the 2024 draft, Appendix B in later ones): text classification, smoothing and evaluation in depth.',
    },
    {
      title: 'scikit-learn user guide: Naive Bayes',
      url: 'https://scikit-learn.org/stable/modules/naive_bayes.html',
      adds: "The exact formulas of MultinomialNB and GaussianNB, which this course's engine follows, and the other variants.",
    },
  ],
};
