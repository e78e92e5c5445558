// Week 3's exercises and their checkers: plain data and functions, no DOM, so test/course.week3.test.ts runs every
// one of them in Node with a right answer and with the wrong ones learners typically give. Answers come from the
// engine's NGramLM on a toy corpus small enough to count by hand.
import { html } from 'lit';
import { NGramLM, metrics } from '../../../../engine/course';
import { fmtNumber } from '../../compare';
import { stat } from '../../stat';
import type { CheckResult, ChoiceExercise, CodeArgs, CodeExercise, NumberExercise, TargetExercise } from '../../types';

/** Four short sentences, already tokenised. */
export const TOY: string[][] = [
  ['i', 'like', 'tea'],
  ['i', 'like', 'coffee'],
  ['you', 'like', 'tea'],
  ['we', 'drink', 'tea'],
];
export const TOY_TEXT = TOY.map((s) => s.join(' '));
/** The context whose next-word distribution the toy exercises ask about. */
export const TOY_CONTEXT = 'like';

const toyModel = (smoothing: 'none' | 'laplace' | 'addk', k?: number) => new NGramLM({ n: 2, smoothing, k }).fit(TOY);

export const mleExercise: NumberExercise = {
  kind: 'number',
  id: 'toy-mle-bigram',
  prompt: html`Train a bigram model by counting on these four sentences: ${TOY_TEXT.map((s, i) => html`${i ? '; ' : ''}<q>${s}</q>`)}.
    With no smoothing (maximum likelihood), what is P(tea | ${TOY_CONTEXT})?`,
  answer: () => toyModel('none').prob([TOY_CONTEXT], 'tea'),
  tolerance: 0.005,
  explain: html`"${TOY_CONTEXT}" occurs ${stat('w3-toy-like-count', toyModel('none').countOf([TOY_CONTEXT]), 'int')} times
    and is followed by "tea" ${stat('w3-toy-like-tea', toyModel('none').countOf([TOY_CONTEXT, 'tea']), 'int')} times, so the
    estimate is their ratio. Dividing by all the tokens of the corpus instead gives P(${TOY_CONTEXT}, tea), not the
    conditional.`,
  // The wrong one divides by every token of the corpus: the joint, not the conditional.
  demo: { right: toyModel('none').prob([TOY_CONTEXT], 'tea'), wrong: toyModel('none').countOf([TOY_CONTEXT, 'tea']) / TOY.flat().length },
};

export const laplaceExercise: NumberExercise = {
  kind: 'number',
  id: 'toy-laplace-bigram',
  prompt: html`Same corpus, now with Laplace smoothing: P(w | v) = (c(v, w) + 1) / (c(v) + |V|). As the engine does,
    the vocabulary V holds every training word plus the end marker <code>&lt;/s&gt;</code> and the unknown-word token
    <code>&lt;unk&gt;</code> (but not the start marker <code>&lt;s&gt;</code>, which is never predicted). What is
    P(coffee | ${TOY_CONTEXT})?`,
  answer: () => toyModel('laplace').prob([TOY_CONTEXT], 'coffee'),
  tolerance: 0.005,
  explain: html`|V| is the ${stat('w3-toy-words', new Set(TOY.flat()).size, 'int')} distinct words plus
    <code>&lt;/s&gt;</code> and <code>&lt;unk&gt;</code>, ${stat('w3-toy-vocab', toyModel('laplace').vocabSize, 'int')} in
    all; one added count on top of the single "${TOY_CONTEXT} coffee" makes the numerator 2. Leaving the two markers out of V
    gives a larger, wrong answer, and a model whose probabilities after "${TOY_CONTEXT}" no longer sum to 1.`,
  demo: {
    right: toyModel('laplace').prob([TOY_CONTEXT], 'coffee'),
    // |V| without </s> and <unk>: the usual slip.
    wrong: 2 / (toyModel('none').countOf([TOY_CONTEXT]) + new Set(TOY.flat()).size),
  },
};

/** The share of P(· | TOY_CONTEXT) that add-k gives to words never seen after it. */
export function unseenMass(k: number): number {
  const lm = toyModel('addk', k);
  return lm.vocab.reduce((s, w) => (lm.countOf([TOY_CONTEXT, w]) === 0 ? s + lm.prob([TOY_CONTEXT], w) : s), 0);
}

export const UNSEEN_GOAL = 0.25;
export const UNSEEN_TOLERANCE = 0.01;

/** The k at which the unseen mass is exactly the goal, by bisection on unseenMass (which rises with k). */
export function kForGoal(goal = UNSEEN_GOAL): number {
  let lo = 1e-6;
  let hi = 100;
  for (let i = 0; i < 100; i++) {
    const mid = Math.sqrt(lo * hi); // k spans decades: bisect its logarithm
    if (unseenMass(mid) < goal) lo = mid;
    else hi = mid;
  }
  return Math.sqrt(lo * hi);
}

export function checkUnseenMass(value: unknown): CheckResult {
  const k = (value as { k?: unknown } | null)?.k;
  if (typeof k !== 'number' || !(k > 0) || !Number.isFinite(k)) return { ok: false, message: 'Set k to a positive number with the slider or the box.' };
  const mass = unseenMass(k);
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  if (Math.abs(mass - UNSEEN_GOAL) <= UNSEEN_TOLERANCE) {
    return { ok: true, message: `Right: with k = ${fmtNumber(k)}, the words never seen after "${TOY_CONTEXT}" share ${pct(mass)} of its probability.` };
  }
  return {
    ok: false,
    message: `With k = ${fmtNumber(k)} the unseen words get ${pct(mass)}; the goal is ${pct(UNSEEN_GOAL)} (within ${pct(UNSEEN_TOLERANCE)}). ${mass > UNSEEN_GOAL ? 'Lower k.' : 'Raise k.'}`,
  };
}

export const unseenMassExercise: TargetExercise = {
  kind: 'target',
  id: 'addk-unseen-mass',
  prompt: html`Laplace smoothing (k = 1) hands most of the probability after "${TOY_CONTEXT}" to words that never
    followed it. Move k until those unseen words share ${UNSEEN_GOAL * 100}% of it, no more and no less (within
    ${UNSEEN_TOLERANCE * 100} point).`,
  widget: { tag: 'w3-addk-toy', props: { value: { k: 1 } } },
  check: checkUnseenMass,
  demo: { right: { k: kForGoal() }, wrong: { k: 1 } },
};

export const laplaceFailsExercise: ChoiceExercise = {
  kind: 'choice',
  id: 'laplace-bigram-worse',
  prompt: html`On our held-out speeches the Laplace-smoothed bigram model does worse (higher perplexity) than even the
    unigram model. What goes wrong?`,
  options: [
    'Each context adds one pseudo-count for every word of the vocabulary, thousands in all, so the words actually seen after it are left with too little probability',
    'Bigrams carry less information about the next word than unigrams do',
    'The held-out speeches use words that are missing from the training vocabulary',
    'Perplexity can only be compared between models of the same order',
  ],
  correct: 0,
  explain: html`A context seen c times gets c real counts and |V| invented ones. With thousands of words in V and most
    contexts seen a handful of times, the invented counts dominate, and the model predicts little better than a
    uniform guess. Add-k with a small k, or Kneser-Ney, fixes this without giving up the bigram's information.`,
  demo: { wrong: 1 },
};

export const sparsityExercise: ChoiceExercise = {
  kind: 'choice',
  id: 'order-trade-off',
  prompt: html`As the order n grows from 1 to 3 on the same training text, what happens?`,
  options: [
    'Training perplexity falls, and the share of held-out n-grams never seen in training rises',
    'Both training perplexity and the unseen share fall',
    'Training perplexity rises, and the unseen share falls',
    'Neither changes: the training text is the same',
  ],
  correct: 0,
  explain: html`A longer context fits the training text more closely, down to memorising it, so training perplexity
    falls. But most longer sequences in new text were never seen, so the counts have less and less to say about it.
    That trade-off is why smoothing and backing off to shorter contexts matter more as n grows.`,
  demo: { wrong: 1 },
};

// ---------------------------------------------------------------------------------------------------------------
// Code cell: a Laplace bigram model and its perplexity

const LETTERS = 'abcdefghij';

/** A random sentence of 1 to maxLen "words" drawn from a small vocabulary (single letters), so bigrams repeat. */
function randomSentence(r: () => number, maxLen: number, letters: string): string[] {
  return Array.from({ length: 1 + Math.floor(r() * maxLen) }, () => letters[Math.floor(r() * letters.length)]);
}

export const bigramCell: CodeExercise = {
  kind: 'code',
  id: 'bigram-laplace-perplexity',
  prompt: html`Train a bigram model with Laplace smoothing on <code>train</code> and return its perplexity on
    <code>test</code>, with the engine's conventions: each sentence is padded with <code>&lt;s&gt;</code> before its
    first word and <code>&lt;/s&gt;</code> after its last; V is every training word plus <code>&lt;/s&gt;</code> and
    <code>&lt;unk&gt;</code>; a test word outside V counts as <code>&lt;unk&gt;</code>; P(w | v) = (c(v, w) + 1) /
    (c(v) + |V|) with c(v) the number of bigrams starting with v; and the perplexity is exp(−(1/N) Σ log P) over every
    predicted token, each sentence's <code>&lt;/s&gt;</code> included.`,
  name: 'bigramPerplexity',
  signature: 'bigramPerplexity(train: string[][], test: string[][]): number',
  language: 'typescript',
  starter: `function bigramPerplexity(train: string[][], test: string[][]): number {
  // 1. Count c(v, w) and c(v) over the padded training sentences: <s> w1 … wn </s>.
  // 2. V = training words ∪ {</s>, <unk>}.
  // 3. Sum log P(w | v) over every bigram of the padded test sentences (unknown words → <unk>).
  return 0;
}
`,
  solution: `function bigramPerplexity(train: string[][], test: string[][]): number {
  const vocab = new Set<string>(['</s>', '<unk>']);
  for (const s of train) for (const w of s) vocab.add(w);
  const pair = new Map<string, number>(); // c(v, w), keyed "v w"
  const ctx = new Map<string, number>(); // c(v)
  for (const s of train) {
    const p = ['<s>', ...s, '</s>'];
    for (let i = 1; i < p.length; i++) {
      pair.set(p[i - 1] + ' ' + p[i], (pair.get(p[i - 1] + ' ' + p[i]) ?? 0) + 1);
      ctx.set(p[i - 1], (ctx.get(p[i - 1]) ?? 0) + 1);
    }
  }
  let logSum = 0;
  let n = 0;
  for (const s of test) {
    const p = ['<s>', ...s.map((w) => (vocab.has(w) ? w : '<unk>')), '</s>'];
    for (let i = 1; i < p.length; i++) {
      const c = pair.get(p[i - 1] + ' ' + p[i]) ?? 0;
      logSum += Math.log((c + 1) / ((ctx.get(p[i - 1]) ?? 0) + vocab.size));
      n++;
    }
  }
  return Math.exp(-logSum / n);
}
`,
  hints: [
    'Pad every sentence as ["<s>", ...words, "</s>"] and count each adjacent pair (v, w), and how many pairs start with each v.',
    'V is the set of training words plus "</s>" and "<unk>", so |V| is two more than the number of distinct training words. Replace each test word outside V by "<unk>" before scoring.',
    'Add log((c(v, w) + 1) / (c(v) + |V|)) for every pair of each padded test sentence, count the pairs (N), and return exp(−sum / N). A context never seen in training has c(v) = 0, which gives 1 / |V|.',
  ],
  example: () => [
    [['i', 'like', 'tea'], ['i', 'like', 'coffee'], ['you', 'like', 'tea'], ['we', 'drink', 'tea']],
    [['you', 'like', 'coffee'], ['they', 'like', 'tea']],
  ],
  cases: (seed) => {
    const r = metrics.seededRandom(seed);
    // Odd sizes; the test side draws from a wider alphabet, so some of its words are unknown.
    return [
      { train: 1, test: 1, len: 3 },
      { train: 5, test: 3, len: 6 },
      { train: 9, test: 4, len: 7 },
      { train: 13, test: 7, len: 5 },
    ].map(({ train, test, len }): CodeArgs => {
      const trainLetters = LETTERS.slice(0, 3 + Math.floor(r() * 5));
      return [
        Array.from({ length: train }, () => randomSentence(r, len, trainLetters)),
        Array.from({ length: test }, () => randomSentence(r, len, LETTERS)),
      ];
    });
  },
  reference: (train, test) => new NGramLM({ n: 2, smoothing: 'laplace' }).fit(train as string[][]).perplexity(test as string[][]),
  demo: {
    wrong: [
      // |V| without <unk>: the unknown-word slot is forgotten (and unknown words scored as if they were in V).
      `function bigramPerplexity(train: string[][], test: string[][]): number {
  const vocab = new Set<string>(['</s>']);
  for (const s of train) for (const w of s) vocab.add(w);
  const pair = new Map<string, number>();
  const ctx = new Map<string, number>();
  for (const s of train) {
    const p = ['<s>', ...s, '</s>'];
    for (let i = 1; i < p.length; i++) {
      pair.set(p[i - 1] + ' ' + p[i], (pair.get(p[i - 1] + ' ' + p[i]) ?? 0) + 1);
      ctx.set(p[i - 1], (ctx.get(p[i - 1]) ?? 0) + 1);
    }
  }
  let logSum = 0;
  let n = 0;
  for (const s of test) {
    const p = ['<s>', ...s, '</s>'];
    for (let i = 1; i < p.length; i++) {
      logSum += Math.log(((pair.get(p[i - 1] + ' ' + p[i]) ?? 0) + 1) / ((ctx.get(p[i - 1]) ?? 0) + vocab.size));
      n++;
    }
  }
  return Math.exp(-logSum / n);
}
`,
      // No </s>: the end of each sentence is neither counted nor predicted.
      `function bigramPerplexity(train: string[][], test: string[][]): number {
  const vocab = new Set<string>(['<unk>']);
  for (const s of train) for (const w of s) vocab.add(w);
  const pair = new Map<string, number>();
  const ctx = new Map<string, number>();
  for (const s of train) {
    const p = ['<s>', ...s];
    for (let i = 1; i < p.length; i++) {
      pair.set(p[i - 1] + ' ' + p[i], (pair.get(p[i - 1] + ' ' + p[i]) ?? 0) + 1);
      ctx.set(p[i - 1], (ctx.get(p[i - 1]) ?? 0) + 1);
    }
  }
  let logSum = 0;
  let n = 0;
  for (const s of test) {
    const p = ['<s>', ...s.map((w) => (vocab.has(w) ? w : '<unk>'))];
    for (let i = 1; i < p.length; i++) {
      logSum += Math.log(((pair.get(p[i - 1] + ' ' + p[i]) ?? 0) + 1) / ((ctx.get(p[i - 1]) ?? 0) + vocab.size));
      n++;
    }
  }
  return Math.exp(-logSum / n);
}
`,
      // The mean of per-sentence perplexities instead of one perplexity over all tokens.
      `function bigramPerplexity(train: string[][], test: string[][]): number {
  const vocab = new Set<string>(['</s>', '<unk>']);
  for (const s of train) for (const w of s) vocab.add(w);
  const pair = new Map<string, number>();
  const ctx = new Map<string, number>();
  for (const s of train) {
    const p = ['<s>', ...s, '</s>'];
    for (let i = 1; i < p.length; i++) {
      pair.set(p[i - 1] + ' ' + p[i], (pair.get(p[i - 1] + ' ' + p[i]) ?? 0) + 1);
      ctx.set(p[i - 1], (ctx.get(p[i - 1]) ?? 0) + 1);
    }
  }
  let total = 0;
  for (const s of test) {
    const p = ['<s>', ...s.map((w) => (vocab.has(w) ? w : '<unk>')), '</s>'];
    let logSum = 0;
    for (let i = 1; i < p.length; i++) {
      logSum += Math.log(((pair.get(p[i - 1] + ' ' + p[i]) ?? 0) + 1) / ((ctx.get(p[i - 1]) ?? 0) + vocab.size));
    }
    total += Math.exp(-logSum / (p.length - 1));
  }
  return total / test.length;
}
`,
      // Maximum likelihood: no +1 and no |V|, so an unseen bigram has probability 0 and the perplexity is infinite.
      `function bigramPerplexity(train: string[][], test: string[][]): number {
  const vocab = new Set<string>(['</s>', '<unk>']);
  for (const s of train) for (const w of s) vocab.add(w);
  const pair = new Map<string, number>();
  const ctx = new Map<string, number>();
  for (const s of train) {
    const p = ['<s>', ...s, '</s>'];
    for (let i = 1; i < p.length; i++) {
      pair.set(p[i - 1] + ' ' + p[i], (pair.get(p[i - 1] + ' ' + p[i]) ?? 0) + 1);
      ctx.set(p[i - 1], (ctx.get(p[i - 1]) ?? 0) + 1);
    }
  }
  let logSum = 0;
  let n = 0;
  for (const s of test) {
    const p = ['<s>', ...s.map((w) => (vocab.has(w) ? w : '<unk>')), '</s>'];
    for (let i = 1; i < p.length; i++) {
      logSum += Math.log((pair.get(p[i - 1] + ' ' + p[i]) ?? 0) / (ctx.get(p[i - 1]) ?? 1));
      n++;
    }
  }
  return Math.exp(-logSum / n);
}
`,
    ],
  },
};
