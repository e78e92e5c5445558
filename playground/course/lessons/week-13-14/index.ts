// Weeks 13-14, self-attention and multiple heads: self-attention written from raw weights; permutation
// equivariance shown live and broken by positional encodings; sinusoidal and learned positions drawn and compared
// on a task where order matters (the page trains one self-attention block three ways on load, seeded, on the CPU,
// and states the accuracies through stat()); heads split and merged, and a multi-head model the learner trains with
// every head's weights drawn. The maths lives in engine/lessons/selfattention.ts.
import { html } from 'lit';
import { stat } from '../../stat';
import type { Lesson } from '../../types';
import { EQ_DIM, EQ_HEADS, EQ_SEED, EQ_WORDS, HEADS_TRAIN, QUICK, eqMeasure, quickAccuracy } from './quick';
import { attentionCell, blindAccuracy, equivarianceChoice, headsParameters, mergeCell, sinusoidCell, splitCell } from './exercises';

/** A tiny difference written as 1.2e-7 (and 0 as 0). */
const tiny = (v: number): string => (v === 0 ? '0' : v.toExponential(1));

export const lesson: Lesson = {
  id: 'week-13-14',
  week: '13-14',
  title: 'Self-attention and multiple heads',
  summary: 'Self-attention from raw weights, why it is blind to order until positions are added, sinusoidal and learned positions on a task where order matters, and multi-head attention with every head drawn.',
  load: () => Promise.all([import('./equivariance-widget'), import('./positions-widget'), import('./heads-widget')]),
  sections: [
    {
      kind: 'text',
      body: html`
        <h2>Attention within one sequence</h2>
        <p>
          Last time attention let a decoder look back at an encoder's states. Self-attention applies the same idea
          inside a single sequence: every token asks a question of every other token of the same sequence,
          itself included. Each token vector x is turned into three vectors by three learnt matrices: a query
          q = x·W<sub>q</sub> (what this token is looking for), a key k = x·W<sub>k</sub> (what it offers to others
          who are looking) and a value v = x·W<sub>v</sub> (what it hands over when it is picked). With the tokens
          stacked as the rows of X, all of it is three matrix products and one softmax:
        </p>
        <p style="text-align:center">Attention(X) = softmax(Q Kᵀ / √d) V, &nbsp; Q = X W<sub>q</sub>, K = X W<sub>k</sub>, V = X W<sub>v</sub>.</p>
        <p>
          Row i of Q Kᵀ scores how well token i's query matches each key. Dividing by √d, where d is the length of a
          query, keeps the scores' spread about the same whatever d is, so the softmax does not saturate into a
          one-hot choice just because the vectors are long. The softmax along the row turns the scores into weights
          that sum to one, and output row i is the weighted average of the values. Every token's new vector can thus
          draw on any other token in one step, however far apart they are.
        </p>`,
    },
    { kind: 'exercise', exercise: attentionCell },
    {
      kind: 'text',
      body: html`
        <h2>Shuffle the tokens</h2>
        <p>
          Look at the formula again and ask what it knows about order. Score (i, j) depends only on tokens i and j,
          not on where they stand. The softmax and the weighted sum run over the keys as a set: reorder the keys and
          their values together and each sum is the same. So if the input rows are shuffled, every output row is
          exactly what it was, only moved to where its token went. That property is called permutation
          equivariance, and a feed-forward layer applied to each token on its own keeps it too.
        </p>
        <p>
          The widget below runs one randomly initialised self-attention layer (${stat('w1314-eq-heads', EQ_HEADS, 'int')}
          heads, vectors of ${stat('w1314-eq-dim', EQ_DIM, 'int')} numbers) on the words
          <code>${EQ_WORDS.join(' ')}</code>, then on the same words shuffled. Putting the second output's rows back in
          the original order, the largest difference from the first output is
          ${stat('w1314-eq-diff', eqMeasure(EQ_SEED, false).then((r) => r.maxDiff), tiny)}. It is zero, or at most
          floating-point rounding (the same numbers summed in another order can differ in the last bit). Now tick the box, which adds the sinusoidal positional
          encoding (below) to each input before the layer. Position 0 now gets the same vector whichever word sits
          there, so a word that moves gets a different input, and the difference jumps to
          ${stat('w1314-eq-diff-pos', eqMeasure(EQ_SEED, true).then((r) => r.maxDiff), 3)}.
        </p>`,
    },
    {
      kind: 'widget',
      tag: 'w1314-equivariance',
      alt: 'A checkbox adds sinusoidal positions to the inputs and a button shuffles the six word tokens. Three heatmaps show the layer’s outputs in the original order, the outputs for the shuffled tokens, and those put back in the original order, with the largest difference between the first and the last written above them.',
    },
    { kind: 'exercise', exercise: equivarianceChoice },
    {
      kind: 'text',
      body: html`
        <h2>Telling the model where each token is</h2>
        <p>
          Language is not a bag of words ("dog bites man" is not "man bites dog"), so a transformer adds a vector
          that depends on the position to each token's embedding before the first layer. Two common choices:
        </p>
        <ul>
          <li>
            <strong>Sinusoidal</strong> (Vaswani et al., 2017): a fixed table with
            PE[pos][2k] = sin(pos / 10000<sup>2k/d</sup>) and PE[pos][2k+1] = cos(pos / 10000<sup>2k/d</sup>). Each
            pair of features is a clock turning at its own speed, from one radian per position for the first pair down
            to a very slow turn for the last. Nothing is learnt, and any length can be encoded; because a shift by a
            fixed offset rotates every pair by a fixed angle, relative positions are easy for later layers to read.
          </li>
          <li>
            <strong>Learned</strong> (GPT-2, BERT): a table with one trainable row per position, trained with the rest
            of the model. It can fit whatever the task needs, but it knows only the positions it was trained on.
          </li>
        </ul>`,
    },
    { kind: 'exercise', exercise: sinusoidCell },
    {
      kind: 'text',
      body: html`
        <h2>A task where order matters</h2>
        <p>
          Each sequence has ${stat('w1314-length', QUICK.task.length, 'int')} tokens: one A, one B, and the rest drawn
          from ${stat('w1314-fillers', QUICK.task.fillers, 'int')} filler tokens. The question is whether A comes
          before B. The model is one self-attention block: token embeddings of ${stat('w1314-dim', QUICK.model.dim, 'int')}
          numbers (plus positions, or not), ${stat('w1314-heads', QUICK.model.heads, 'int')}-head self-attention with
          a residual connection, a feed-forward layer of ${stat('w1314-hidden', QUICK.model.hidden, 'int')} ReLU units
          on each token, then the average over the tokens and a linear layer that gives the two answers' scores.
          We train it three times, identically except for the positions: none, sinusoidal, and learned. Each run is
          ${stat('w1314-steps', QUICK.train.steps, 'int')} Adam steps on fresh random batches of
          ${stat('w1314-batch', QUICK.train.batch, 'int')} sequences, and all three are scored on the same
          ${stat('w1314-test-size', 2 * QUICK.testPairs, 'int')} held-out sequences, built in pairs: a sequence, then
          the same sequence with A and B swapped.
        </p>`,
    },
    { kind: 'exercise', exercise: blindAccuracy },
    {
      kind: 'text',
      body: html`
        <p>
          This page trained all three when it opened, on the CPU with fixed seeds. On the held-out pairs the model
          without positions scores ${stat('w1314-acc-none', quickAccuracy('none'), 'percent')}, exactly the chance
          level: it cannot be better, because every block before the average is equivariant and the average ignores
          order, so a sequence and its swapped twin get the same answer. With sinusoidal positions the same model
          scores ${stat('w1314-acc-sin', quickAccuracy('sinusoidal'), 'percent')}, and with learned positions
          ${stat('w1314-acc-learned', quickAccuracy('learned'), 'percent')}. Positions are all that changed.
        </p>
        <p>
          The heatmaps show the two tables. The sinusoidal one has fast stripes on the left features and slow ones
          on the right; its similarity map falls off smoothly away from the diagonal, so nearby positions look alike.
          The learned table starts as random numbers at the scale of the token embeddings and keeps whatever
          structure helps. On this task it only has to tell ${stat('w1314-length', QUICK.task.length, 'int')}
          positions apart, which may be why it does better than the fixed table in this short run; on long sequences, and on
          lengths never seen in training, the comparison can go the other way.
          A short run is noisy; Train runs all three for longer.
        </p>`,
    },
    {
      kind: 'widget',
      tag: 'w1314-positions',
      alt: 'A menu chooses the training steps and a Train button trains the three models again. A table lists the held-out accuracy and last loss with no positions, sinusoidal positions and learned positions. Heatmaps show the sinusoidal table and the learned table (position by feature) and, beside each, how similar every two positions’ encodings are.',
    },
    {
      kind: 'text',
      body: html`
        <h2>Several heads</h2>
        <p>
          One softmax per query gives one weighted average, so a single head can attend strongly to one thing at a
          time. Multi-head attention runs H attentions side by side on slices of the same projections: Q, K and V
          (each T × E) are cut into H pieces of d = E / H features, each piece attends on its own, and the H outputs
          are laid side by side again and mixed by an output projection. In code the cut is a reshape and a
          transpose, (B, T, E) → (B, T, H, d) → (B, H, T, d), and the join is the reverse; getting the axes wrong
          does not crash, it silently mixes features of different tokens or heads. That is why the two cells below
          are worth doing by hand once.
        </p>`,
    },
    { kind: 'exercise', exercise: splitCell },
    { kind: 'exercise', exercise: mergeCell },
    { kind: 'exercise', exercise: headsParameters },
    {
      kind: 'text',
      body: html`
        <p>
          Now train one. The widget builds the order-task model with sinusoidal positions and the number of heads
          you choose, and draws each head's attention weights on one held-out sequence: row i shows where token i
          looks. Untrained, the rows are nearly flat. Train runs ${stat('w1314-heads-steps', HEADS_TRAIN.steps, 'int')}
          steps; afterwards look for a head with one dark column, where almost every token, A and B among them,
          takes its value from one of the two letters. That head carries the letter (and the position added to it)
          to every other token, so the feed-forward layer can compare it with the token's own position. Other heads
          often attend by position instead, or stay spread out. Which head does what depends on the seed and on the
          number of heads: nothing assigns the roles, they are learnt.
        </p>`,
    },
    {
      kind: 'widget',
      tag: 'w1314-heads',
      alt: 'A menu chooses 1, 2 or 4 heads, a Train button trains the model and reports its step and loss, and a button steps through held-out sequences. For each head a heatmap over the sequence’s tokens shows the attention weights, one row per attending token.',
    },
    {
      kind: 'text',
      body: html`
        <h2>What to take from it</h2>
        <p>
          Self-attention is a learnt, content-based average over the whole sequence, computed for every token at
          once. By itself it treats the input as a set: shuffle the tokens and the outputs only move. Order enters
          through the positions added to the inputs (or, in later models, through rotations of q and k or biases on
          the scores), and a task that depends on order cannot be learnt without them. Heads cost no extra weights;
          they let one layer attend in several ways at once. Next week these pieces are stacked with layer norm and
          residual connections into the full transformer.
        </p>`,
    },
  ],
  claims: [
    { stat: 'w1314-acc-sin', is: '>', than: 'w1314-acc-none', says: 'sinusoidal positional encodings fix the order task' },
    { stat: 'w1314-acc-learned', is: '>', than: 'w1314-acc-none', says: 'learned positional encodings fix the order task' },
    { stat: 'w1314-acc-learned', is: '>', than: 'w1314-acc-sin', says: 'in the short run the learned table does better than the sinusoidal one' },
    { stat: 'w1314-acc-none', is: '=', than: 0.5, says: 'without positions the model scores exactly the chance level on the paired held-out set' },
    { stat: 'w1314-eq-diff', is: '<', than: 1e-5, says: 'without positions, shuffled outputs put back match the originals up to rounding' },
    { stat: 'w1314-eq-diff-pos', is: '>', than: 1e-2, says: 'sinusoidal positions break permutation equivariance' },
    { stat: 'w1314-mha-params-4', is: '=', than: 'w1314-mha-params-1', says: 'splitting into heads adds no parameters' },
  ],
  resources: [
    {
      title: 'Vaswani et al., “Attention Is All You Need” (2017)',
      url: 'https://arxiv.org/abs/1706.03762',
      adds: 'Scaled dot-product and multi-head attention, and the sinusoidal encoding, in the paper that introduced them (sections 3.2 to 3.5).',
    },
    {
      title: 'Jay Alammar, “The Illustrated Transformer”',
      url: 'https://jalammar.github.io/illustrated-transformer/',
      adds: 'Queries, keys, values and multiple heads drawn step by step, with the matrix shapes at each stage.',
    },
    {
      title: 'Lee et al., “Set Transformer” (ICML 2019)',
      url: 'https://arxiv.org/abs/1810.00825',
      adds: 'Uses the permutation equivariance of attention on purpose, to build models whose input is a set.',
    },
    {
      title: 'Harvard NLP, “The Annotated Transformer”',
      url: 'https://nlp.seas.harvard.edu/annotated-transformer/',
      adds: 'The paper as runnable PyTorch, including the head split and merge and the positional encoding, line by line.',
    },
  ],
};
