// Week 4, information theory: entropy as average surprise, cross-entropy as the cost of believing the wrong
// distribution, KL divergence as the gap between the two, and the cross-entropy loss every classifier in the
// course is trained with. Every number the prose states is computed by the engine through stat().
import { html } from 'lit';
import { entropy, crossEntropyOf, klDivergence } from '../../../../engine/index';
import { stat } from '../../stat';
import type { Lesson } from '../../types';
import { crossEntropyCell, crossEntropyOneWord, entropyByHand, entropyTarget, klInfinite } from './exercises';

/** Plain numbers: "1", "0.693", "2.585" (no trailing zeros, at most three decimals). */
const plain = (v: number): string => String(Number(v.toFixed(3)));

const COIN = [0.5, 0.5];
const BENT_COIN = [0.9, 0.1];
const DIE = new Array<number>(6).fill(1 / 6);
const SELF = [0.7, 0.2, 0.1];
const PEAKED = [0.9, 0.05, 0.05];
const FLAT = [1 / 3, 1 / 3, 1 / 3];

export const lesson: Lesson = {
  id: 'week-4',
  week: '4',
  title: 'Information theory',
  summary: 'Entropy, cross-entropy and KL divergence: the quantities every loss in the course is built from.',
  load: () => Promise.all([import('./entropy-widget'), import('./divergence-widget')]),
  sections: [
    {
      kind: 'text',
      body: html`
        <h2>Surprise</h2>
        <p>
          Information theory starts from one question: how surprised should you be when something happens? If you
          were sure it would happen, not at all. If you thought it had a one-in-a-thousand chance, a lot. The measure
          that works is the logarithm of one over the probability, log(1/p). It is zero for a certain event, it grows
          without limit as p shrinks, and, because logs turn products into sums, the surprise of two independent
          events is the surprise of one plus the surprise of the other.
        </p>
        <p>
          <strong>Entropy</strong> is the surprise you expect on average, before you look: each outcome's surprise
          weighted by how often it happens, H(p) = Σ p(x) · log(1/p(x)). With logs to base 2 the unit is the
          <em>bit</em>. A fair coin has an entropy of ${stat('w4-coin-bits', entropy(COIN, 2), plain)} bit: one yes/no
          answer settles it. A fair die has ${stat('w4-die-bits', entropy(DIE, 2), plain)} bits. A coin bent to land
          heads 90% of the time has only ${stat('w4-bent-coin-bits', entropy(BENT_COIN, 2), plain)} bits, because you
          can usually guess the flip. Entropy is largest when every outcome is equally likely and zero when one
          outcome is certain.
        </p>
        <p>
          Drag the bars below. The table writes out the sum: each outcome's surprise, and what it contributes once
          weighted by its probability. Notice that a very unlikely outcome has a huge surprise but adds little, since
          it rarely happens; an outcome with probability 0 adds nothing at all.
        </p>`,
    },
    {
      kind: 'widget',
      tag: 'w4-entropy',
      props: { value: [0.4, 0.3, 0.2, 0.1] },
      alt: 'Four draggable bars set a distribution over outcomes A to D; a table lists each probability, its surprise −log p and its weighted share, and their sum, the entropy, in bits or nats.',
    },
    { kind: 'exercise', exercise: entropyByHand },
    {
      kind: 'text',
      body: html`
        <h2>Bits and nats</h2>
        <p>
          The base of the logarithm only picks the unit. Base 2 gives bits, the natural log gives <em>nats</em>, and
          one nat is 1/ln 2 ≈ ${stat('w4-bits-per-nat', entropy(COIN, 2) / entropy(COIN, Math.E), plain)} bits, so a fair
          coin's entropy is also
          ${stat('w4-coin-nats', entropy(COIN, Math.E), plain)} nats. Information theorists count in bits because
          they count yes/no questions and binary digits. Machine learning libraries use nats because the loss is
          written with the natural log, whose derivative is simplest. Switch the unit in the widgets: every number
          scales by the same factor, and nothing else changes.
        </p>
        <p>
          Now the other direction: instead of reading off the entropy of a distribution, find a distribution with a
          given entropy. There are many answers.
        </p>`,
    },
    { kind: 'exercise', exercise: entropyTarget },
    {
      kind: 'text',
      body: html`
        <h2>Cross-entropy and KL divergence</h2>
        <p>
          Suppose outcomes really come from p, but you believe they come from q. You will feel a surprise of
          log(1/q(x)) each time, and on average that is the <strong>cross-entropy</strong>
          H(p, q) = Σ p(x) · log(1/q(x)). It is never smaller than H(p): no belief beats the truth at predicting the
          truth. The excess is the <strong>Kullback–Leibler divergence</strong>,
          KL(p‖q) = H(p, q) − H(p) = Σ p(x) · log(p(x)/q(x)). It is zero exactly when q equals p; for the distribution
          (0.7, 0.2, 0.1) measured against itself the engine gives
          ${stat('w4-kl-self', klDivergence(SELF, SELF, 2), plain)} bits.
        </p>
        <p>
          KL is often called a distance, but it is not symmetric. Take a truth p = (0.9, 0.05, 0.05) that is nearly
          certain and a model q that is uniform. The model wastes
          ${stat('w4-kl-peaked-flat', klDivergence(PEAKED, FLAT, 2), plain)} bits per outcome on average, while the
          reverse, KL(q‖p), is ${stat('w4-kl-flat-peaked', klDivergence(FLAT, PEAKED, 2), plain)} bits. The two differ
          because each averages over its own first argument: KL(p‖q) over what p produces, nearly always the first
          outcome, and KL(q‖p) over what q produces, which is often an outcome p thought rare. And if q gives
          probability zero to something p allows, KL(p‖q) is infinite. Try the examples under the widget, then swap
          p and q.
        </p>`,
    },
    {
      kind: 'widget',
      tag: 'w4-divergence',
      alt: 'Two draggable three-bar distributions, p (the truth) and q (the model); a table shows H(p), H(q), both cross-entropies and both KL divergences, so the two directions of KL can be compared. Buttons load examples and swap p and q.',
    },
    { kind: 'exercise', exercise: klInfinite },
    {
      kind: 'text',
      body: html`
        <h2>Cross-entropy as a loss</h2>
        <p>
          A classifier outputs a distribution q over classes, and the training label says which class is right: a
          one-hot p with all its mass on the true class. Then every term of H(p, q) but one vanishes and the
          cross-entropy is −log q(true class). Averaged over a batch, that is the loss every classifier and language
          model in this course minimises. Since H(p) of a one-hot p is 0, minimising the cross-entropy is minimising
          KL(p‖q), and that is why the direction matters: a model that rules out something that happens pays an
          unbounded price.
        </p>
        <p>
          A network does not output q directly but <em>logits</em> z, and q = softmax(z), q_i = e^(z_i) / Σ_j e^(z_j).
          Written naively the loss overflows: e^1000 is beyond the largest double, so a logit of 1000, which a
          network can easily produce, turns the loss into Infinity or NaN. The usual fix uses
          log Σ e^(z_j) = m + log Σ e^(z_j − m) with m the largest logit, so every exponent is at most 0. The engine's
          fused cross-entropy kernel does exactly that; the code cell asks you to do the same.
        </p>`,
    },
    { kind: 'exercise', exercise: crossEntropyOneWord },
    { kind: 'exercise', exercise: crossEntropyCell },
    { kind: 'playground', example: 'mnist-mlp', label: 'Watch a cross-entropy loss fall while a network learns digits' },
    {
      kind: 'text',
      body: html`<p>
        In the playground, the loss chart of the digit classifier starts near
        ${stat('w4-ten-class-nats', crossEntropyOf([1, 0, 0, 0, 0, 0, 0, 0, 0, 0], new Array<number>(10).fill(0.1), Math.E), plain)}
        nats, which is ln 10: an untrained network spreads its bet evenly over ten digits, and the cross-entropy of
        a uniform guess over ten classes is exactly that.
      </p>`,
    },
  ],
  claims: [
    { stat: 'w4-coin-bits', is: '=', than: 1, says: "a fair coin's entropy is 1 bit" },
    { stat: 'w4-kl-self', is: '=', than: 0, says: 'KL(p‖p) = 0' },
  ],
  resources: [
    {
      title: 'Christopher Olah, “Visual Information Theory”',
      url: 'https://colah.github.io/posts/2015-09-Visual-Information/',
      adds: 'Entropy as the length of an optimal code, drawn as areas; cross-entropy and KL fall out of the same pictures.',
    },
    {
      title: 'StatQuest, “Entropy (for data science) Clearly Explained!!!”',
      url: 'https://www.youtube.com/watch?v=YtebGVx-Fxw',
      adds: 'Builds the entropy formula from surprise one step at a time, as this page does, with worked numbers.',
    },
    {
      title: 'Aurélien Géron, “A Short Introduction to Entropy, Cross-Entropy and KL-Divergence”',
      url: 'https://www.youtube.com/watch?v=ErfnhcEV1O8',
      adds: 'A short video linking the three quantities to the cross-entropy loss used to train classifiers.',
    },
    {
      title: '3Blue1Brown, “Solving Wordle using information theory”',
      url: 'https://www.youtube.com/watch?v=v68zYyaEmEA',
      adds: 'Entropy as expected information put to work: choosing the guess whose answer tells you the most.',
    },
    {
      title: 'Cover & Thomas, Elements of Information Theory (2nd ed.), chapter 2',
      url: 'https://doi.org/10.1002/047174882X.ch2',
      adds: 'The standard text: entropy, relative entropy and mutual information with proofs of the inequalities used here.',
    },
  ],
};
