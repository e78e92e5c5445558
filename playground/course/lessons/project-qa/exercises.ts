// The project's exercises and their checkers: why the held-out passages use other names (choice), SQuAD's F1 on one
// answer (number, from the engine's tokenF1), the best-span search (code, checked against nn.bestSpan) and SQuAD's
// F1 (code, checked against the engine's tokenF1, the function the recipe scores with).
import { html } from 'lit';
import { nn, metrics } from '../../../../engine/index';
import { tokenF1 } from '../../../../engine/course';
import type { ChoiceExercise, CodeArgs, CodeExercise, NumberExercise } from '../../types';

export const whyDisjoint: ChoiceExercise = {
  kind: 'choice',
  id: 'pqa-why-disjoint',
  prompt: 'The held-out passages use names, towns, jobs and colours that never appear in a training passage. Why?',
  options: [
    'So a good score needs the model to find the answer in the passage it is given, not to recall which answer went with which words in training.',
    'Because the byte-level tokenizer cannot encode a word it has already seen in another passage.',
    'To make the held-out set larger than the training set.',
    'Because BERT’s position embeddings only extend to the training passages.',
  ],
  correct: 0,
  explain: 'With the same entities on both sides, a model could score by memorising, say, that the town “Fimford” goes with the name “Likunul”. Since every held-out answer (years aside) is a string the model has never been trained to output, it can only succeed by reading: matching the question’s name and wording to the right place in the passage and copying that span.',
  demo: { wrong: 1 },
};

const F1_DEMO = { prediction: 'in Lisbon', gold: 'Lisbon' } as const;

export const f1Number: NumberExercise = {
  kind: 'number',
  id: 'pqa-f1-number',
  prompt: html`The gold answer is “${F1_DEMO.gold}” and the model's span is “${F1_DEMO.prediction}”. Its exact match is 0.
    What is its SQuAD F1? (Two decimals are enough.)`,
  answer: () => tokenF1(F1_DEMO.prediction, F1_DEMO.gold),
  tolerance: 0.01,
  explain: html`After normalisation the prediction has two words and the gold answer one; they share one. Precision is
    1/2 (half of what was predicted is right), recall 1/1 (all of the answer was found), and F1 = 2·P·R / (P + R) =
    2 · 0.5 · 1 / 1.5 ≈ ${tokenF1(F1_DEMO.prediction, F1_DEMO.gold).toFixed(3)}.`,
  demo: { right: tokenF1(F1_DEMO.prediction, F1_DEMO.gold), wrong: 0.5 },
};

// ---- the best span -----------------------------------------------------------------------------------------------

type SpanFn = (startLogits: number[], endLogits: number[], first: number, last: number, maxAnswerLen: number) => number[];

const spanSolution = `function bestSpan(startLogits: number[], endLogits: number[], first: number, last: number, maxAnswerLen: number): number[] {
  let best = [first, first];
  let bestScore = -Infinity;
  for (let s = first; s <= last; s++) {
    // the end may not come before the start, nor leave the passage, nor make the span longer than maxAnswerLen
    for (let e = s; e <= Math.min(last, s + maxAnswerLen - 1); e++) {
      const score = startLogits[s] + endLogits[e];
      if (score > bestScore) {
        bestScore = score;
        best = [s, e];
      }
    }
  }
  return best;
}
`;

/** Logits for T positions, with large values planted where only a wrong rule would pick them: before `first`, out of order, too far apart. */
function spanCase(r: () => number, T: number, first: number, last: number, maxAnswerLen: number): CodeArgs {
  const s = Array.from({ length: T }, () => 4 * r() - 2);
  const e = Array.from({ length: T }, () => 4 * r() - 2);
  s[Math.floor(r() * first)] += 6; // a tempting start in [CLS] or the question
  e[Math.floor(r() * first)] += 6;
  s[last] += 3; // a strong late start…
  e[first] += 3; // …and a strong early end: together they would make end < start
  const far = first + 1 + maxAnswerLen; // one token past the longest allowed span from first + 1
  if (far <= last) {
    s[first + 1] += 4; // a start and an end that only a span too long could join
    e[far] += 4;
  }
  return [s, e, first, last, maxAnswerLen];
}

export const spanCell: CodeExercise = {
  kind: 'code',
  id: 'pqa-span-code',
  prompt: html`Write the span search that turns the span head's two rows of logits into an answer. Return
    <code>[start, end]</code>, the token positions that maximise <code>startLogits[start] + endLogits[end]</code>
    among the spans with <code>first ≤ start ≤ end ≤ last</code> (the passage's tokens; [CLS] and the question come
    before <code>first</code>, the final [SEP] after <code>last</code>) and at most <code>maxAnswerLen</code> tokens
    long (<code>end − start + 1 ≤ maxAnswerLen</code>). On a tie keep the earlier start, then the shorter span. Check
    compares your answer with the engine's <code>nn.bestSpan</code>, which the widget above uses.`,
  name: 'bestSpan',
  signature: 'bestSpan(startLogits: number[], endLogits: number[], first: number, last: number, maxAnswerLen: number): number[]',
  language: 'typescript',
  starter: `function bestSpan(startLogits: number[], endLogits: number[], first: number, last: number, maxAnswerLen: number): number[] {
  // Try every allowed (start, end) pair and keep the best-scoring one.
  return [first, first];
}
`,
  solution: spanSolution,
  hints: [
    'Two nested loops: start from first to last, and for each start, end from start up to the nearer of last and start + maxAnswerLen − 1.',
    'Taking the best start and the best end separately is not enough: the best end may come before the best start, or too far after it.',
    'Use a strict > when comparing scores, so that on a tie the span found first (earlier start, then shorter) stays.',
  ],
  example: () => [[5, 0.1, 0.2, 2.0, 0.5, 1.5, 0.3, 0.1], [4, 0.2, 0.1, 0.4, 2.2, 0.3, 1.9, 0.2], 2, 6, 3],
  cases: (seed) => {
    const r = metrics.seededRandom(seed);
    return [
      spanCase(r, 12, 4, 10, 3),
      spanCase(r, 33, 9, 31, 5),
      spanCase(r, 64, 12, 62, 8),
      spanCase(r, 7, 2, 5, 1),
      spanCase(r, 20, 6, 18, 30),
      spanCase(r, 40, 10, 38, 2),
    ];
  },
  reference: (...args: CodeArgs) => {
    const [s, e, first, last, maxAnswerLen] = args as Parameters<SpanFn>;
    const span = nn.bestSpan(s, e, { first, last, maxAnswerLen });
    return [span.start, span.end];
  },
  demo: {
    wrong: [
      // The best start and the best end taken separately: the end can come before the start, or too far after it.
      `function bestSpan(startLogits: number[], endLogits: number[], first: number, last: number, maxAnswerLen: number): number[] {
  let s = first;
  let e = first;
  for (let t = first; t <= last; t++) {
    if (startLogits[t] > startLogits[s]) s = t;
    if (endLogits[t] > endLogits[e]) e = t;
  }
  return [s, e];
}
`,
      // start ≤ end inside the passage, but no limit on the length.
      `function bestSpan(startLogits: number[], endLogits: number[], first: number, last: number, maxAnswerLen: number): number[] {
  let best = [first, first];
  let bestScore = -Infinity;
  for (let s = first; s <= last; s++) {
    for (let e = s; e <= last; e++) {
      const score = startLogits[s] + endLogits[e];
      if (score > bestScore) {
        bestScore = score;
        best = [s, e];
      }
    }
  }
  return best;
}
`,
      // Ordered and limited, but over every position: spans in [CLS] or the question are allowed.
      `function bestSpan(startLogits: number[], endLogits: number[], first: number, last: number, maxAnswerLen: number): number[] {
  let best = [0, 0];
  let bestScore = -Infinity;
  for (let s = 0; s < startLogits.length; s++) {
    for (let e = s; e < Math.min(startLogits.length, s + maxAnswerLen); e++) {
      const score = startLogits[s] + endLogits[e];
      if (score > bestScore) {
        bestScore = score;
        best = [s, e];
      }
    }
  }
  return best;
}
`,
    ],
  },
};

// ---- SQuAD's F1 ----------------------------------------------------------------------------------------------------

const f1Solution = `function squadF1(prediction: string, gold: string): number {
  // SQuAD's normalisation: lower case, no punctuation, no articles, single spaces
  const normalize = (s: string): string[] =>
    s.toLowerCase()
      .replace(/[!"#$%&'()*+,\\-./:;<=>?@[\\\\\\]^_\`{|}~]/g, '')
      .replace(/\\b(a|an|the)\\b/g, ' ')
      .split(/\\s+/)
      .filter((w) => w.length > 0);
  const p = normalize(prediction);
  const g = normalize(gold);
  if (p.length === 0 || g.length === 0) return p.length === g.length ? 1 : 0;
  // shared words counted with multiplicity: each gold word can be matched once
  const left = new Map<string, number>();
  for (const w of g) left.set(w, (left.get(w) ?? 0) + 1);
  let shared = 0;
  for (const w of p) {
    const n = left.get(w) ?? 0;
    if (n > 0) {
      shared++;
      left.set(w, n - 1);
    }
  }
  if (shared === 0) return 0;
  const precision = shared / p.length;
  const recall = shared / g.length;
  return (2 * precision * recall) / (precision + recall);
}
`;

/** Answer pairs that tell the typical mistakes apart: repeats, case, punctuation, articles, empty answers. */
const F1_FIXED: Array<[string, string]> = [
  ['red red', 'red'],
  ['The red, red rose', 'a red rose'],
  ['Lisbon.', 'lisbon'],
  ['in the city of Oslo', 'Oslo'],
  ['the', 'a'],
  ['Athens', 'the'],
  ['1987', '1987'],
  ['Paris Paris Paris', 'Paris and Paris'],
];

const WORDS = ['Oslo', 'oslo', 'the', 'a', 'city', 'of', 'Lima', 'red', 'RED', 'pilot,', 'in', 'an', '1987', 'born', 'was'];

export const f1Cell: CodeExercise = {
  kind: 'code',
  id: 'pqa-f1-code',
  prompt: html`Write SQuAD's F1 for one predicted answer against the gold answer. First normalise both: lower case,
    remove ASCII punctuation (<code>!"#$%&amp;'()*+,-./:;&lt;=&gt;?@[\\]^_\`{|}~</code>), replace the words
    <em>a</em>, <em>an</em> and <em>the</em> by a space, and split on whitespace into words. Then count the words the
    two share <em>with multiplicity</em> (a word that occurs twice in both counts twice; once in one of them, once).
    Precision = shared / predicted words, recall = shared / gold words, F1 = 2PR / (P + R), and 0 when nothing is
    shared. If either side has no words left, F1 is 1 when both are empty and 0 otherwise. Check compares yours with
    the engine's <code>tokenF1</code>, which scored the project's models.`,
  name: 'squadF1',
  signature: 'squadF1(prediction: string, gold: string): number',
  language: 'typescript',
  starter: `function squadF1(prediction: string, gold: string): number {
  // 1. normalise both  2. count shared words (with multiplicity)  3. precision, recall, F1
  return prediction === gold ? 1 : 0;
}
`,
  solution: f1Solution,
  hints: [
    'Normalise in this order: lower case, strip punctuation, drop the articles, split on whitespace (dropping empty strings).',
    'For the multiset overlap, count the gold words in a Map, then walk the predicted words, taking one from the count each time a word still has some left.',
    '“red red” against “red” shares one word, not two: precision 1/2, recall 1, F1 2/3.',
  ],
  example: () => ['in the city of Oslo', 'Oslo'],
  cases: (seed) => {
    const r = metrics.seededRandom(seed);
    const phrase = () => Array.from({ length: 1 + Math.floor(r() * 5) }, () => WORDS[Math.floor(r() * WORDS.length)]).join(r() < 0.5 ? ' ' : '  ');
    return [...F1_FIXED, ...Array.from({ length: 6 }, () => [phrase(), phrase()] as [string, string])];
  },
  reference: (...args: CodeArgs) => tokenF1(args[0] as string, args[1] as string),
  demo: {
    wrong: [
      // Sets instead of multisets: "red red" against "red" scores 1.
      `function squadF1(prediction: string, gold: string): number {
  const normalize = (s: string): string[] =>
    s.toLowerCase().replace(/[!"#$%&'()*+,\\-./:;<=>?@[\\\\\\]^_\`{|}~]/g, '').replace(/\\b(a|an|the)\\b/g, ' ').split(/\\s+/).filter((w) => w.length > 0);
  const p = new Set(normalize(prediction));
  const g = new Set(normalize(gold));
  if (p.size === 0 || g.size === 0) return p.size === g.size ? 1 : 0;
  let shared = 0;
  for (const w of p) if (g.has(w)) shared++;
  if (shared === 0) return 0;
  const precision = shared / p.size;
  const recall = shared / g.size;
  return (2 * precision * recall) / (precision + recall);
}
`,
      // No normalisation: "Lisbon." and "lisbon" share nothing, and "the" counts as a word.
      `function squadF1(prediction: string, gold: string): number {
  const p = prediction.split(/\\s+/).filter((w) => w.length > 0);
  const g = gold.split(/\\s+/).filter((w) => w.length > 0);
  if (p.length === 0 || g.length === 0) return p.length === g.length ? 1 : 0;
  const left = new Map<string, number>();
  for (const w of g) left.set(w, (left.get(w) ?? 0) + 1);
  let shared = 0;
  for (const w of p) {
    const n = left.get(w) ?? 0;
    if (n > 0) {
      shared++;
      left.set(w, n - 1);
    }
  }
  if (shared === 0) return 0;
  const precision = shared / p.length;
  const recall = shared / g.length;
  return (2 * precision * recall) / (precision + recall);
}
`,
      // Each predicted word counts if it occurs anywhere in the gold answer, however often it was already matched.
      `function squadF1(prediction: string, gold: string): number {
  const normalize = (s: string): string[] =>
    s.toLowerCase().replace(/[!"#$%&'()*+,\\-./:;<=>?@[\\\\\\]^_\`{|}~]/g, '').replace(/\\b(a|an|the)\\b/g, ' ').split(/\\s+/).filter((w) => w.length > 0);
  const p = normalize(prediction);
  const g = normalize(gold);
  if (p.length === 0 || g.length === 0) return p.length === g.length ? 1 : 0;
  const shared = p.filter((w) => g.includes(w)).length;
  if (shared === 0) return 0;
  const precision = shared / p.length;
  const recall = Math.min(1, shared / g.length);
  return (2 * precision * recall) / (precision + recall);
}
`,
    ],
  },
};
