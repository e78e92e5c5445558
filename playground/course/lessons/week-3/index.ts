// Week 3: n-gram language models on State of the Union text. Counting, smoothing (Laplace, add-k, Kneser-Ney),
// perplexity on held-out speeches, sampling, and why longer contexts go sparse. The prose is ours; each number it
// states is computed by the engine's NGramLM on the committed sample (numbers.ts) and rendered through stat().
import { html } from 'lit';
import type { Lesson } from '../../types';
import { stat, type StatFormat } from '../../stat';
import { CONTINUATION_WORDS, MODELS, week3Numbers, type Week3Numbers } from './numbers';
import {
  bigramCell, laplaceExercise, laplaceFailsExercise, mleExercise, sparsityExercise, unseenMassExercise, TOY_CONTEXT,
} from './exercises';

const n = (name: string, pick: (x: Week3Numbers) => number, format: StatFormat) => stat(name, week3Numbers().then(pick), format);
const ppl = (name: string, pick: (x: Week3Numbers) => number) => n(name, pick, 1);
const [W1, W2] = CONTINUATION_WORDS;

export const lesson: Lesson = {
  id: 'week-3',
  week: '3',
  title: 'N-gram language models',
  summary: 'Counting words to predict the next one: smoothing, perplexity on held-out speeches, sampling, and why longer contexts go sparse.',
  load: () => import('./widgets'),
  sections: [
    {
      kind: 'text',
      body: html`<p>Last week ended with the chain rule, which writes the probability of a sentence as a product of
          next-word probabilities, and the Markov assumption, which keeps only the last few words of each history. An
          <em>n-gram model</em> is that assumption put to work: it predicts each word from the n − 1 words before it,
          using probabilities estimated by counting. A unigram model (n = 1) ignores context altogether, a bigram model
          looks at one previous word, a trigram model at two.</p>
        <p>Our text is the State of the Union address. The models learn from
          ${n('w3-train-sentences', (x) => x.sizes.trainSentences, 'int')} sentences
          (${n('w3-train-tokens', (x) => x.sizes.trainTokens, 'int')} words) of
          ${n('w3-train-addresses', (x) => x.sizes.trainAddresses.length, 'int')} addresses, and are judged on
          ${n('w3-test-sentences', (x) => x.sizes.testSentences, 'int')} sentences
          (${n('w3-test-tokens', (x) => x.sizes.testTokens, 'int')} words) of
          ${n('w3-test-addresses', (x) => x.sizes.testAddresses.length, 'int')} other addresses they never see. Holding
          out whole speeches, rather than random sentences, keeps the test honest: a speech repeats its own phrases, and
          a model that had read the rest of it would look better than it is.</p>
        <h2>Counting</h2>
        <p>The maximum-likelihood estimate of P(w | v) is the number of times v is followed by w, divided by the number
          of times v is followed by anything: c(v, w) / c(v). Two markers make sentence boundaries part of the model.
          Every sentence starts with <code>&lt;s&gt;</code>, so P(w | &lt;s&gt;) says how sentences begin, and ends
          with <code>&lt;/s&gt;</code>, which the model must predict like any word: a model that could never end a
          sentence would be spreading its probability over endless ones. Words never seen in training are mapped to a
          single <code>&lt;unk&gt;</code> token, which gets its own slot in the vocabulary V.</p>`,
    },
    { kind: 'exercise', exercise: mleExercise },
    {
      kind: 'text',
      body: html`<h2>Perplexity</h2>
        <p>A language model is judged by how much probability it gives to text it has not seen. Multiply the
          probabilities of every held-out token, each sentence's <code>&lt;/s&gt;</code> included, and the product
          shrinks with the length of the text, so we normalise per token: the <em>cross-entropy</em>
          H = −(1/N) Σ log P(wₜ | history) is the average surprise per token, and the <em>perplexity</em> is e<sup>H</sup>
          (or 2<sup>H</sup> with H in bits; it is the same number). A perplexity of 100 means the model is, on
          average, as unsure as if it were choosing uniformly among 100 words. Lower is better.</p>
        <p>The engine computes the two separately: NGramLM.perplexity() on one side, the sum of log probabilities on the
          other. For the Kneser-Ney bigram model below, the held-out cross-entropy is
          ${n('w3-bi-kn-xent', (x) => x.evals.biKn.test.crossEntropy, 3)} nats
          (${n('w3-bi-kn-xent-bits', (x) => x.evals.biKn.test.crossEntropy / Math.LN2, 3)} bits) per token;
          e to that power is ${n('w3-bi-kn-exp-xent', (x) => Math.exp(x.evals.biKn.test.crossEntropy), 3)}, and the
          perplexity is ${n('w3-bi-kn-ppl-exact', (x) => x.evals.biKn.test.perplexity, 3)}.</p>
        <p>Maximum likelihood fails this test outright. Of the held-out bigrams,
          ${n('w3-bigram-unseen', (x) => x.evals.biLaplace.unseen, 'percent')} never occur in the training text, so
          the unsmoothed model gives them probability 0, the product is 0, and the perplexity is infinite. One unseen
          pair of words is enough.</p>`,
    },
    {
      kind: 'text',
      body: html`<h2>Smoothing</h2>
        <p><em>Laplace smoothing</em> pretends every bigram was seen once more than it was:
          P(w | v) = (c(v, w) + 1) / (c(v) + |V|). Nothing is impossible any more, but the pretend counts are many:
          |V| = ${n('w3-vocab', (x) => x.sizes.vocab, 'int')} here, added to contexts that were mostly seen a few times.
          The result is dismal. The Laplace bigram's held-out perplexity is
          ${ppl('w3-bi-laplace-ppl', (x) => x.evals.biLaplace.test.perplexity)}, worse than the
          ${ppl('w3-uni-laplace-ppl', (x) => x.evals.uniLaplace.test.perplexity)} of a unigram model that ignores
          context. <em>Add-k</em> smoothing adds a fraction k instead of 1; with k = ${stat('w3-addk-k', MODELS.biAddk.k, 2)} the
          bigram reaches ${ppl('w3-bi-addk-ppl', (x) => x.evals.biAddk.test.perplexity)}.</p>
        <p>On a corpus you can read, the flow of probability is easy to see. The bars are P(next | "${TOY_CONTEXT}")
          over the whole vocabulary; orange ones are words never seen after "${TOY_CONTEXT}".</p>`,
    },
    {
      kind: 'widget',
      tag: 'w3-addk-toy',
      props: { value: { k: 1 } },
      alt: 'Bars of the add-k bigram distribution after one word of a four-sentence corpus, seen continuations in blue and unseen ones in orange, with a slider for k and the unseen words\' total share.',
    },
    { kind: 'exercise', exercise: laplaceExercise },
    { kind: 'exercise', exercise: unseenMassExercise },
    { kind: 'exercise', exercise: laplaceFailsExercise },
    {
      kind: 'text',
      body: html`<h3>Kneser-Ney</h3>
        <p>Kneser-Ney smoothing, the best of the classic methods, changes two things. First, instead of adding pseudo-counts
          it subtracts a fixed discount d (0.75 by default) from every count that is seen, and hands the mass it collects
          to a lower-order model, mixed in everywhere in proportion to how many different words were seen after the
          context. Second, that lower-order model does not use how <em>often</em> a word occurs but how many different
          words it follows. The two words here show why. "${W1}" occurs
          ${n('w3-w1-count', (x) => x.continuation[0].count, 'int')} times in the training text but after only
          ${n('w3-w1-preds', (x) => x.continuation[0].predecessors, 'int')} different words (mostly "united"); "${W2}"
          occurs ${n('w3-w2-count', (x) => x.continuation[1].count, 'int')} times after
          ${n('w3-w2-preds', (x) => x.continuation[1].predecessors, 'int')} different words. After a word the model has
          never seen "${W1}" follow, "${W2}" is the far better guess, and continuation counts say so where raw counts
          would not.</p>
        <p>The Kneser-Ney bigram's held-out perplexity is ${ppl('w3-bi-kn-ppl', (x) => x.evals.biKn.test.perplexity)},
          against ${ppl('w3-bi-laplace-ppl-again', (x) => x.evals.biLaplace.test.perplexity)} for Laplace: a factor of
          ${n('w3-kn-laplace-ratio', (x) => x.evals.biLaplace.test.perplexity / x.evals.biKn.test.perplexity, 1)}. The
          Kneser-Ney trigram reaches ${ppl('w3-tri-kn-ppl', (x) => x.evals.triKn.test.perplexity)}, barely better than
          the bigram, while on its own training text its perplexity is
          ${ppl('w3-tri-kn-train-ppl', (x) => x.triKnTrain)}: a trigram model mostly memorises. Try the settings
          yourself, and sample from each model to hear the difference: a unigram model strings common words together at
          random, a bigram's pairs make local sense, a trigram's sentences hold together for a few words at a time.</p>`,
    },
    {
      kind: 'widget',
      tag: 'w3-ngram-lab',
      props: { value: { n: 2, smoothing: 'kneser-ney', discount: 0.75 } },
      alt: 'Choose an n-gram order and a smoothing; the model is trained on State of the Union text and scored on held-out addresses (perplexity, cross-entropy in nats and bits, share of unseen n-grams), every setting tried is kept in a table, and a button samples sentences from the model.',
    },
    {
      kind: 'text',
      body: html`<h2>Sparsity</h2>
        <p>Why not simply use a longer context? Because almost every long sequence of words is new. Only
          ${n('w3-unigram-unseen', (x) => x.evals.uniLaplace.unseen, 'percent')} of the held-out words are missing from
          the training vocabulary, but ${n('w3-bigram-unseen-again', (x) => x.evals.biLaplace.unseen, 'percent')} of the
          held-out bigrams and ${n('w3-trigram-unseen', (x) => x.evals.triKn.unseen, 'percent')} of the trigrams were
          never seen in training. Each extra word of context multiplies the number of possible histories by the size of
          the vocabulary, and no corpus grows that fast. Below, the share of unseen n-grams for n up to 5; shrink the
          training text and see how slowly more data helps the long ones.</p>`,
    },
    {
      kind: 'widget',
      tag: 'w3-sparsity',
      props: { value: 1 },
      alt: 'Bars of the share of held-out n-grams never seen in training for n from 1 to 5, with a slider for how much of the training text the models count.',
    },
    { kind: 'exercise', exercise: sparsityExercise },
    {
      kind: 'text',
      body: html`<h2>Build one</h2>
        <p>Counting is the whole of training, so a bigram model with Laplace smoothing fits in twenty lines. Write it,
          and its perplexity, to match the engine's NGramLM exactly: the conventions for <code>&lt;s&gt;</code>,
          <code>&lt;/s&gt;</code> and <code>&lt;unk&gt;</code> are part of the answer. When it passes, the step from
          here to a neural language model is to replace the table of counts with a function that generalises between
          similar words, which is where the course goes next.</p>`,
    },
    { kind: 'exercise', exercise: bigramCell },
  ],
  claims: [{ stat: 'w3-bi-kn-ppl', is: '<', than: 'w3-bi-laplace-ppl', says: 'Kneser-Ney beats Laplace on held-out text' }],
  resources: [
    {
      title: 'Jurafsky & Martin, Speech and Language Processing, chapter 3: N-gram Language Models',
      url: 'https://web.stanford.edu/~jurafsky/slp3/3.pdf',
      adds: 'The standard treatment: estimation, perplexity and its relation to entropy, smoothing, Kneser-Ney and stupid backoff, with worked examples.',
    },
    {
      title: 'Andrej Karpathy: The spelled-out intro to language modeling (building makemore)',
      url: 'https://www.youtube.com/watch?v=PaCmpygFfXo',
      adds: 'A character-level bigram model built from counts, smoothed, scored by negative log-likelihood, and then rebuilt as a tiny neural network.',
    },
    {
      title: 'Stanford CS224N, lecture 1: Introduction and word vectors',
      url: 'https://www.youtube.com/watch?v=rmVRLeJRkl4',
      adds: 'Where the course is heading after counts: words as dense vectors learned from the contexts they occur in, so similar words share statistics.',
    },
    {
      title: 'NLTK: the nltk.lm language-model module',
      url: 'https://www.nltk.org/api/nltk.lm.html',
      adds: "A Python implementation of the same models (MLE, Laplace, Lidstone, Kneser-Ney) with padding and vocabulary handling to compare against this page's conventions.",
    },
  ],
};
