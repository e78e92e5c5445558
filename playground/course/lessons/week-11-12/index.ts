// Weeks 11-12, attention: why a decoder that reads one fixed-size summary of its source fails as the source grows
// (a seeded comparison on reversing random sequences, trained on load on the CPU backend: quick.ts), queries, keys
// and values step by step on three tokens, the path length between two tokens in a recurrent network and in
// self-attention, and two code cells: attention with a causal mask against the engine's fused kernel, and its
// backward against autograd. The models and the step-by-step maths live in engine/lessons/attention.ts.
import { html } from 'lit';
import { attentionSteps, pathLengths } from '../../../../engine/course';
import { stat } from '../../stat';
import type { Lesson } from '../../types';
import { LONGEST, QUICK, quickComparison } from './quick';
import { attentionCell, backwardCell, causalCount, whyFixedFails } from './exercises';
import { QKV_DEFAULT } from './qkv-widget';
import { PATH_TOKENS } from './paths-widget';

const quick = quickComparison;
const SHORTEST = Math.min(...QUICK.train.lengths);
/** Accuracy of one model at one length of the quick run. */
const acc = (model: 'fixed' | 'attention', L: number) => quick().then((r) => r[model][r.lengths.indexOf(L)]);
/** The widget's starting example, for the numbers the prose reads off it. */
const example = () => attentionSteps(QKV_DEFAULT.q, QKV_DEFAULT.k, QKV_DEFAULT.v, false);
const longPath = pathLengths(0, PATH_TOKENS - 1);

export const lesson: Lesson = {
  id: 'week-11-12',
  week: '11-12',
  title: 'Attention',
  summary: 'Why squeezing a whole sequence into one vector fails, and how attention lets each output read the inputs it needs: queries, keys and values step by step, masks, and the backward pass.',
  load: () => Promise.all([import('./compare-widget'), import('./qkv-widget'), import('./paths-widget')]),
  sections: [
    {
      kind: 'text',
      body: html`
        <h2>One vector for a whole sentence</h2>
        <p>
          The first neural translation systems were built from two recurrent networks. The encoder read the source
          sentence one word at a time and updated a state vector after each word; the decoder started from the
          encoder's last state and produced the translation word by word. Everything the decoder knew about the
          source had to pass through that one vector, whose size is fixed when the model is built. A sentence of
          five words and a sentence of fifty get the same number of numbers. Translation quality of these models
          fell as sentences got longer.
        </p>
        <p>
          Attention removes the bottleneck. The encoder keeps one state per source position, and at every output step
          the decoder computes a fresh weighted average of all of them, with weights that say how relevant each
          source position is right now. The decoder no longer needs to remember the source: it can look things up.
        </p>
        <h2>An experiment you can rerun</h2>
        <p>
          To see the difference without waiting for a translation model, we use a task whose answer is known:
          reverse a sequence of random tokens. Each token is one of ${stat('w1112-vocab', QUICK.model.vocab, 'int')}
          symbols, so guessing gives ${stat('w1112-chance', 1 / QUICK.model.vocab, 'percent')} per token, and the
          sources are ${stat('w1112-shortest', SHORTEST, 'int')} to ${stat('w1112-longest', LONGEST, 'int')} tokens
          long. Two models are trained, with the same encoder and the same decoder:
        </p>
        <ul>
          <li>
            The encoder turns each source token, together with its position counted from the end, into a state
            vector of ${stat('w1112-dim', QUICK.model.dim, 'int')} numbers.
          </li>
          <li>
            The <strong>fixed-context</strong> model gives the decoder the mean of those states: one vector of
            ${stat('w1112-dim', QUICK.model.dim, 'int')} numbers, whatever the length. The old encoder-decoder used a
            recurrent network's last state instead of a mean, but the limit is the same: one vector.
          </li>
          <li>
            The <strong>attention</strong> model gives output step t its own weighted mean of the states, the weights
            being a softmax of how well step t's query matches each state's key. It is the engine's scaled
            dot-product attention with one head.
          </li>
          <li>
            In both, the decoder combines that context with a learnt vector for output step t and scores the
            ${stat('w1112-vocab', QUICK.model.vocab, 'int')} symbols. Both models hold the same weights (the
            fixed one leaves its key projection unused) and start from the same values.
          </li>
        </ul>
        <p>
          When this page opened, both were trained on the CPU with a fixed seed, on the same
          ${stat('w1112-steps', QUICK.train.steps, 'int')} batches of ${stat('w1112-batch', QUICK.train.batch, 'int')}
          sequences (the lengths taking turns), with Adam. Then each was scored on
          ${stat('w1112-test-count', QUICK.testCount ?? 200, 'int')} fresh sequences of every length.
        </p>`,
    },
    {
      kind: 'widget',
      tag: 'w1112-context-compare',
      alt: 'A line chart of per-token accuracy against source length, one line for the fixed-context model and one for the attention model, with a dashed line at chance; a table below lists the same accuracies. Two menus choose the model width and the number of training steps, and a Train button trains both models again.',
    },
    {
      kind: 'text',
      body: html`
        <p>
          On the shortest sources (${stat('w1112-shortest', SHORTEST, 'int')} tokens) the fixed-context model gets
          ${stat('w1112-fixed-acc-short', acc('fixed', SHORTEST), 'percent')} of the tokens right and the attention
          model ${stat('w1112-attn-acc-short', acc('attention', SHORTEST), 'percent')}. On the longest
          (${stat('w1112-longest', LONGEST, 'int')} tokens) the fixed-context model falls to
          ${stat('w1112-fixed-acc-long', acc('fixed', LONGEST), 'percent')}, while attention still reaches
          ${stat('w1112-attn-acc-long', acc('attention', LONGEST), 'percent')}. The fixed model's last training loss
          was ${stat('w1112-fixed-loss', quick().then((r) => r.losses.fixed[r.losses.fixed.length - 1].loss), 3)} nats
          per token against ${stat('w1112-attn-loss', quick().then((r) => r.losses.attention[r.losses.attention.length - 1].loss), 3)}
          for attention.
        </p>
        <p>
          This quick run is short, so try the longer schedules and the other widths above (they train on WebGPU when
          your browser has it). More steps help the fixed-context model on short sources, and a wider model has
          more room in its summary, but the summary is still one vector that every token must share, and the longest
          sources stay the hardest for it. The attention model does not have to pack anything: for output step t its
          query learns to match the key of the source token t places from the end, and copies that state.
        </p>`,
    },
    { kind: 'exercise', exercise: whyFixedFails },
    {
      kind: 'text',
      body: html`
        <h2>Queries, keys and values</h2>
        <p>
          Attention is a soft lookup table. Each position offers a <em>key</em>, saying what it contains, and a
          <em>value</em>, what it hands over when chosen. Each position that wants to read sends a <em>query</em>,
          saying what it is looking for. With the queries as the rows of a matrix Q, the keys as the rows of K and the
          values as the rows of V, and d the length of a query or key:
        </p>
        <p><strong>Attention(Q, K, V) = softmax(Q Kᵀ / √d) V</strong>, the softmax taken along each row.</p>
        <ol>
          <li>Scores: Q Kᵀ holds every query's dot product with every key. A large score means a good match.</li>
          <li>Scale: divide by √d (see below).</li>
          <li>Mask: set to −∞ every score a query may not use, for instance a later token in a model that writes
            left to right.</li>
          <li>Weights: a softmax over each row turns the scores into weights that are positive and sum to 1; a −∞
            becomes exactly 0.</li>
          <li>Output: each query's row of weights mixes the rows of V.</li>
        </ol>
        <p>
          Below are three tokens with queries, keys and values of two numbers each. Edit any of them and every
          matrix is recomputed by the engine. As it starts, the query of “cat” matches the key of “cat” best, so
          “cat” puts ${stat('w1112-example-cat-cat', example().then((s) => s.weights[1][1]), 'percent')} of its weight
          on itself and ${stat('w1112-example-cat-sat', example().then((s) => s.weights[1][2]), 'percent')} on “sat”, and
          its output is mostly the value of “cat”. With d = 2 the scale is
          ${stat('w1112-example-scale', example().then((s) => s.scale), 3)}. Tick the causal mask and watch the upper
          triangle of the weights become zero while each row still sums to 1.
        </p>`,
    },
    {
      kind: 'widget',
      tag: 'w1112-qkv',
      alt: 'Three small tables of number inputs hold the query, key and value vectors of three tokens (“the”, “cat”, “sat”), two numbers each, with a checkbox for the causal mask. Five tables show the steps: the scores Q Kᵀ, the scores scaled by 1/√2, the masked scores, the softmax weights and the output rows.',
    },
    { kind: 'exercise', exercise: causalCount },
    {
      kind: 'text',
      body: html`
        <h2>Why √d, and why the mask comes first</h2>
        <p>
          If the entries of a query and a key are independent with mean 0 and variance 1, their dot product is a
          sum of d such products, so its variance is d and its typical size √d. Without the scale, wide heads give
          large scores, the softmax puts nearly all the weight on one key, and its gradient with respect to every
          other score is almost zero, so learning stalls. Dividing by √d brings the scores back to a spread of about 1
          whatever d is. Dividing by d would overshoot: the scores would shrink as heads grow and the weights would
          flatten towards a plain average.
        </p>
        <p>
          A mask must be applied to the scores, before the softmax. Setting a weight to zero after the softmax
          leaves the row summing to less than 1, so the output is a shrunken mixture and the masked keys still
          changed the weights of the others through the softmax's denominator. Writing −∞ into the score does it
          right: exp(−∞) = 0, and the softmax renormalises over the keys that are left. Check your version against
          the engine's fused kernel, <code>functional.scaledDotProductAttention</code>, which computes the same thing
          in one pass without ever storing the weight matrix.
        </p>`,
    },
    { kind: 'exercise', exercise: attentionCell },
    {
      kind: 'text',
      body: html`
        <h2>The backward pass</h2>
        <p>
          Training needs the gradient of the loss with respect to Q, K and V. Write the forward pass as S = Q Kᵀ / √d,
          P = softmax(S) by rows, O = P V, and go backwards from dO, the gradient arriving at the output. O = P V is
          a matrix product, so dV = Pᵀ dO and dP = dO Vᵀ. Each row of P is a softmax of its row of S, and a
          softmax's backward is dS = P ⊙ (dP − Σ P ⊙ dP), the sum taken along the row: the same rule as
          week 8-9's softmax gradient, applied to every row. Finally S = Q Kᵀ / √d gives dQ = dS K / √d and
          dK = dSᵀ Q / √d. A masked entry has P = 0, so it passes no gradient back. The engine's fused kernel
          does exactly this, but recomputes P from the scores instead of keeping the T×T matrix from the forward
          pass, which is what lets long sequences fit in memory.
        </p>`,
    },
    { kind: 'exercise', exercise: backwardCell },
    {
      kind: 'text',
      body: html`
        <h2>How far apart are two tokens?</h2>
        <p>
          A recurrent network passes information along its sequence one state at a time. For the first of
          ${stat('w1112-path-tokens', PATH_TOKENS, 'int')} tokens to influence the last, it has to survive
          ${stat('w1112-rnn-path', longPath.rnn, 'int')} updates, and its gradient has to travel back through all of
          them, shrinking or growing at each. Self-attention connects every pair of positions directly: the same two
          tokens are ${stat('w1112-attn-path', longPath.attention, 'int')} step apart, whatever the distance. The
          price is that every query is compared with every key, which costs time that grows with the square of the
          length where a recurrent network's grows linearly (and memory too, unless a fused kernel avoids storing the
          weights), and that the positions must be told their order in some other way, which weeks 13-14 take up.
        </p>`,
    },
    {
      kind: 'widget',
      tag: 'w1112-paths',
      alt: `Two sliders pick two of ${PATH_TOKENS} token positions. Above, a chain of recurrent states highlights the steps between them; below, one arc joins the two tokens directly, as self-attention does. A sentence gives both path lengths.`,
    },
    {
      kind: 'text',
      body: html`
        <h2>What to take from it</h2>
        <p>
          A fixed-size summary has to hold the whole source, and it runs out of room as the source grows. Attention
          lets each output build its own summary, weighted by how well its query matches each key, and connects any
          two positions in one step. The formula is short, softmax(Q Kᵀ / √d) V, and the details matter: the scale,
          the axis of the softmax, and a mask applied before it. Next, the queries, keys and values all come from the
          same sequence (self-attention), and several heads look for different things at once.
        </p>`,
    },
  ],
  claims: [
    { stat: 'w1112-attn-acc-long', is: '>', than: 'w1112-fixed-acc-long', says: 'attention beats the fixed-context model on the longest sources' },
    { stat: 'w1112-fixed-acc-short', is: '>', than: 'w1112-fixed-acc-long', says: 'the fixed-context model falls from the shortest sources to the longest' },
    { stat: 'w1112-example-cat-cat', is: '>', than: 'w1112-example-cat-sat', says: 'in the starting example, “cat” attends to itself more than to “sat”' },
    { stat: 'w1112-attn-path', is: '<', than: 'w1112-rnn-path', says: 'self-attention connects the first and last token in fewer steps than a recurrent network' },
  ],
  resources: [
    {
      title: 'Bahdanau, Cho and Bengio, “Neural Machine Translation by Jointly Learning to Align and Translate” (2014)',
      url: 'https://arxiv.org/abs/1409.0473',
      adds: 'The paper that added attention to the encoder-decoder, with its plots of translation quality falling with sentence length without it.',
    },
    {
      title: 'Sutskever, Vinyals and Le, “Sequence to Sequence Learning with Neural Networks” (2014)',
      url: 'https://arxiv.org/abs/1409.3215',
      adds: 'The fixed-context encoder-decoder with LSTMs, and the trick of reversing the source to shorten the paths it depends on.',
    },
    {
      title: 'Vaswani et al., “Attention Is All You Need” (2017)',
      url: 'https://arxiv.org/abs/1706.03762',
      adds: 'Scaled dot-product attention as written on this page, the √d argument, masking, and the path-length comparison with recurrent layers.',
    },
    {
      title: 'Jay Alammar, “Visualizing A Neural Machine Translation Model (Mechanics of Seq2seq Models With Attention)”',
      url: 'https://jalammar.github.io/visualizing-neural-machine-translation-mechanics-of-seq2seq-models-with-attention/',
      adds: 'Animated pictures of the context vector and of attention weights over a real translation.',
    },
    {
      title: 'Dao et al., “FlashAttention: Fast and Memory-Efficient Exact Attention with IO-Awareness” (2022)',
      url: 'https://arxiv.org/abs/2205.14135',
      adds: 'How a fused kernel like the engine’s computes attention and its backward without storing the weight matrix.',
    },
  ],
};
