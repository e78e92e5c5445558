// Week 10's exercises and their checkers: the perplexity of a model that knows nothing (the vocabulary's size,
// from the engine's entropy), why the neural model can beat the bigram on the same words, and the training pairs a
// fixed-window language model learns from (checked against the engine's windowsOfIds).
import { html } from 'lit';
import { entropy, metrics } from '../../../../engine/index';
import { windowsOfIds } from '../../../../engine/course';
import type { ChoiceExercise, CodeArgs, CodeExercise, NumberExercise } from '../../types';
import { QUICK } from './quick';

/** The predicted tokens of the quick run: the top words, `<unk>` and `</s>` (never `<s>`, which is only context). */
export const PREDICTED = QUICK.vocabSize + 2;

/** Perplexity of the uniform guess over the predicted tokens: e to the entropy in nats. */
export const uniformPerplexity = (): number => Math.exp(entropy(new Array<number>(PREDICTED).fill(1 / PREDICTED), Math.E));

export const uniformGuess: NumberExercise = {
  kind: 'number',
  id: 'w10-uniform-perplexity',
  prompt: html`The quick comparison keeps the ${QUICK.vocabSize} most frequent training words, maps every other word
    to <code>&lt;unk&gt;</code>, and also predicts the end of each sentence, <code>&lt;/s&gt;</code>. A model that has
    learnt nothing gives every token it can predict the same probability. What is its perplexity?`,
  answer: uniformPerplexity,
  tolerance: 0.5,
  explain: html`It can predict ${PREDICTED} tokens: the ${QUICK.vocabSize} words, <code>&lt;unk&gt;</code> and
    <code>&lt;/s&gt;</code>. Each gets 1/${PREDICTED}, so the cross-entropy is log ${PREDICTED} nats for every token and
    the perplexity is exactly ${PREDICTED}. The start marker <code>&lt;s&gt;</code> is never predicted, so it does not
    count. Every trained model on the page has to do better than this.`,
  demo: { right: PREDICTED, wrong: QUICK.vocabSize },
};

export const whyItWins: ChoiceExercise = {
  kind: 'choice',
  id: 'w10-why-mlp-wins',
  prompt: 'Both models predict the same tokens and are scored on the same held-out sentences. Why can the neural model reach a lower perplexity than the Kneser-Ney bigram?',
  options: [
    'It reads the three previous words, and its embeddings let words used alike share what was learnt about them.',
    'Its vocabulary is larger, so fewer held-out words become <unk>.',
    'Its perplexity is computed over the training sentences, which it has seen.',
    'It leaves the end-of-sentence token out of its perplexity.',
  ],
  correct: 0,
  explain: 'The vocabulary, the held-out sentences and the tokens scored (the end marker included) are the same for both; that is what makes the comparison fair. What differs is the model: a bigram sees one previous word and treats every word as unrelated to every other, while the neural model conditions on three and learns one vector per word, so a context it never saw can still look like ones it did.',
  demo: { wrong: 1 },
};

type Windows = (ids: number[], context: number, bos: number, eos: number) => number[][];

const windowsSolution = `function windows(ids: number[], context: number, bos: number, eos: number): number[][] {
  // Pad the start with context copies of bos, so the first word has a full context, and add the end marker.
  const padded = [...new Array(context).fill(bos), ...ids, eos];
  const rows: number[][] = [];
  // Every word and the end marker is predicted once, from the context ids just before it.
  for (let i = context; i < padded.length; i++) rows.push(padded.slice(i - context, i + 1));
  return rows;
}
`;

export const windowsCell: CodeExercise = {
  kind: 'code',
  id: 'w10-windows-code',
  prompt: html`A fixed-window language model learns from pairs: the previous <code>context</code> token ids, and the
    id that came next. Write the function that turns one sentence into those pairs. Pad the start with
    <code>context</code> copies of <code>bos</code> so the first word has a full context, predict the end marker
    <code>eos</code> after the last word, and return one row per predicted token: the context ids followed by the
    id to predict. Check compares your rows with the engine's <code>windowsOfIds</code>, which the page's model is
    trained on.`,
  name: 'windows',
  signature: 'windows(ids: number[], context: number, bos: number, eos: number): number[][]',
  language: 'typescript',
  starter: `function windows(ids: number[], context: number, bos: number, eos: number): number[][] {
  const rows: number[][] = [];
  // For each token to predict, push [the context ids before it…, the token].
  return rows;
}
`,
  solution: windowsSolution,
  hints: [
    'A sentence of n words gives n + 1 rows: one per word and one for the end marker.',
    'Build the padded sequence first: context copies of bos, the ids, then eos. Then slide a window of context + 1 ids along it.',
    'The first row is all bos followed by the first word; the last row ends in eos.',
  ],
  example: () => [[4, 7, 2], 2, 9, 8],
  cases: (seed) => {
    const r = metrics.seededRandom(seed);
    const sentence = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 30));
    return [
      [sentence(1), 1, 31, 30],
      [sentence(7), 3, 31, 30],
      [[], 2, 31, 30],
      [sentence(33), 4, 31, 30],
    ];
  },
  reference: (...args: CodeArgs) => {
    const [ids, context, bos, eos] = args as Parameters<Windows>;
    return windowsOfIds(ids, context, bos, eos);
  },
  demo: {
    wrong: [
      // No end marker: the model never learns to stop.
      `function windows(ids: number[], context: number, bos: number, eos: number): number[][] {
  const padded = [...new Array(context).fill(bos), ...ids];
  const rows: number[][] = [];
  for (let i = context; i < padded.length; i++) rows.push(padded.slice(i - context, i + 1));
  return rows;
}
`,
      // No start padding: the first words are never predicted.
      `function windows(ids: number[], context: number, bos: number, eos: number): number[][] {
  const padded = [...ids, eos];
  const rows: number[][] = [];
  for (let i = context; i < padded.length; i++) rows.push(padded.slice(i - context, i + 1));
  return rows;
}
`,
      // One context id too few: the window is context long including the target.
      `function windows(ids: number[], context: number, bos: number, eos: number): number[][] {
  const padded = [...new Array(context).fill(bos), ...ids, eos];
  const rows: number[][] = [];
  for (let i = context; i < padded.length; i++) rows.push(padded.slice(i - context + 1, i + 1));
  return rows;
}
`,
    ],
  },
};
