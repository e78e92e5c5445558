// Week 10, the integration project: next-word prediction on State of the Union addresses by a Kneser-Ney bigram and
// by a small neural language model in the style of Bengio et al. (2003), on one vocabulary and one held-out set.
// The page trains both on load with a short seeded schedule (quick.ts) and states their perplexities through
// stat(); the widget trains larger ones on WebGPU. The models and the scoring live in engine/lessons/mlplm.ts.
import { html } from 'lit';
import { stat } from '../../stat';
import type { Lesson } from '../../types';
import { loadSotu } from '../../widgets/w13-data';
import { QUICK, quickComparison } from './quick';
import { uniformGuess, whyItWins, windowsCell, uniformPerplexity, PREDICTED } from './exercises';

const quick = quickComparison;
const sotu = loadSotu;

export const lesson: Lesson = {
  id: 'week-10',
  week: '10',
  title: 'Project: next-word prediction',
  summary: 'An n-gram model and a small neural language model on the same words and the same held-out addresses, compared by perplexity.',
  load: () => import('./compare-widget'),
  sections: [
    {
      kind: 'text',
      body: html`
        <h2>The task</h2>
        <p>
          This week puts the course so far to work on one problem: given the words of a sentence so far, say how
          likely each word is to come next. Week 3 solved it by counting. Here we also train a neural network to do
          it, and then hold the two to the same test.
        </p>
        <p>
          The text is the State of the Union sample from week 3:
          ${stat('w10-train-addresses', sotu().then((d) => d.trainAddresses.length), 'int')} addresses to learn from and
          ${stat('w10-test-addresses', sotu().then((d) => d.testAddresses.length), 'int')} other addresses, never seen in
          training, to score on. A fair comparison needs both models to choose among exactly the same tokens, so we
          fix a vocabulary first: the ${stat('w10-vocab-size', QUICK.vocabSize, 'int')} words used most often in the
          training addresses, one token <code>&lt;unk&gt;</code> that stands for every other word, and the end
          marker <code>&lt;/s&gt;</code>. A vocabulary this small turns many words into <code>&lt;unk&gt;</code>:
          ${stat('w10-unk-rate', quick().then((r) => r.unkRate), 'percent')} of the held-out words. That makes the
          task easier than real next-word prediction, but it keeps the neural model small enough to train in about a
          second on a CPU, and both models face the same easier task.
        </p>`,
    },
    { kind: 'exercise', exercise: uniformGuess },
    {
      kind: 'text',
      body: html`
        <h2>Two models</h2>
        <p>
          The first is the interpolated Kneser-Ney bigram from week 3, fitted to the training addresses with every
          rare word already replaced by <code>&lt;unk&gt;</code>. It looks at one previous word.
        </p>
        <p>
          The second follows the neural probabilistic language model of Bengio and colleagues. Each of the
          ${stat('w10-context', QUICK.model.context, 'int')} previous words is looked up in an embedding table, a
          learnt vector of ${stat('w10-dim', QUICK.model.dim, 'int')} numbers per word. The vectors are joined end to
          end and passed through a hidden layer of ${stat('w10-hidden', QUICK.model.hidden, 'int')} tanh units, and a
          final linear layer gives one score per token, which a softmax turns into probabilities. Training minimises
          the cross-entropy of the next word with Adam, on random batches of
          ${stat('w10-batch', QUICK.train.batch, 'int')} positions, for
          ${stat('w10-steps', QUICK.train.steps, 'int')} steps with a step size that shrinks as training goes on.
          The embeddings are the interesting part: words that appear in similar places end up with similar vectors,
          so what the network learns about one of them helps with the others. A count table has no such sharing.
        </p>
        <p>
          Both are scored the same way: the perplexity over every held-out token, the end marker included, which is
          e raised to the average number of nats of surprise per token. Guessing uniformly among the
          ${stat('w10-predicted', PREDICTED, 'int')} tokens would give a perplexity of
          ${stat('w10-uniform-ppl', uniformPerplexity(), 1)}.
        </p>`,
    },
    { kind: 'exercise', exercise: windowsCell },
    {
      kind: 'text',
      body: html`
        <h2>The comparison</h2>
        <p>
          This page trained both models when it opened, on the CPU with a fixed seed, so you see the same numbers on
          any machine. On the held-out addresses the Kneser-Ney bigram reaches a perplexity of
          ${stat('w10-kn-bigram-ppl', quick().then((r) => r.bigram), 3)} and the neural model
          ${stat('w10-mlp-ppl', quick().then((r) => r.mlp), 3)}: the network is less surprised by text it never saw,
          by ${stat('w10-gain-percent', quick().then((r) => 1 - r.mlp / r.bigram), 'percent')} in perplexity. Its
          last reported training loss was ${stat('w10-final-loss', quick().then((r) => r.losses[r.losses.length - 1].loss), 3)}
          nats on one batch.
        </p>
        <p>
          The gap is modest, and that is honest: Kneser-Ney is a strong baseline, and the network here is tiny and
          trained for about a second. Try a larger vocabulary and a longer schedule below. With more words the
          <code>&lt;unk&gt;</code> share falls and both perplexities rise, because there are more tokens to choose
          among, and the network may need the longer schedule to pull ahead. Read the samples as well: with so many
          words hidden behind <code>&lt;unk&gt;</code> neither model writes sense, so look at which short runs of
          real words each one produces.
        </p>`,
    },
    {
      kind: 'widget',
      tag: 'w10-lm-compare',
      alt: 'Two menus choose the vocabulary size (top 30, 100 or 300 words) and the neural model’s training steps, and a Train button fits both models again. A table lists the held-out perplexity of the Kneser-Ney bigram and of the neural model, with the share of unknown words, and two numbered lists show three sentences sampled from each model.',
    },
    { kind: 'exercise', exercise: whyItWins },
    {
      kind: 'text',
      body: html`
        <h2>What to take from it</h2>
        <p>
          Counting and learning answer the same question, and perplexity on held-out text is the common currency
          that lets us compare them. The bigram is exact about what it saw and falls back on smoothing for what it
          did not. The neural model is approximate everywhere, but it can condition on more words without its table
          exploding, and it generalises through its embeddings. Later weeks replace the fixed window with models that
          read the whole sentence so far.
        </p>`,
    },
  ],
  claims: [{ stat: 'w10-mlp-ppl', is: '<', than: 'w10-kn-bigram-ppl', says: 'the neural model beats the Kneser-Ney bigram on the held-out addresses' }],
  resources: [
    {
      title: 'Bengio, Ducharme, Vincent and Jauvin, “A Neural Probabilistic Language Model” (JMLR, 2003)',
      url: 'https://www.jmlr.org/papers/volume3/bengio03a/bengio03a.pdf',
      adds: 'The original model this page trains, with direct connections and a comparison against smoothed trigrams on much larger corpora.',
    },
    {
      title: 'Andrej Karpathy, “Building makemore Part 2: MLP”',
      url: 'https://www.youtube.com/watch?v=TCH_1BHY58I',
      adds: 'Builds the same embedding, hidden layer and softmax model step by step in code, on characters instead of words.',
    },
    {
      title: 'Jurafsky and Martin, Speech and Language Processing, chapter 3: N-gram Language Models',
      url: 'https://web.stanford.edu/~jurafsky/slp3/3.pdf',
      adds: 'Perplexity, held-out evaluation and Kneser-Ney smoothing in full, the baseline side of this comparison.',
    },
  ],
};
