// Week 4's exercises and their checkers. Every answer is computed by the engine (entropy, crossEntropyOf,
// klDivergence, the fused crossEntropy); nothing here touches the DOM, so test/course.week4.test.ts runs them all.
import { html } from 'lit';
import { entropy, crossEntropyOf, klDivergence, tensor, functional, metrics } from '../../../../engine/index';
import { defaultCompare, fmtNumber } from '../../compare';
import type { CheckResult, ChoiceExercise, CodeArgs, CodeExercise, NumberExercise, TargetExercise } from '../../types';

// ---------------------------------------------------------------------------------------------------------------
// By hand: the entropy of a lopsided four-way source.

export const BY_HAND_DIST = [1 / 2, 1 / 4, 1 / 8, 1 / 8];

/** Each outcome's surprise log₂(1/p), its weighted share, and the total, all from the distribution itself. */
function byHandExplanation(): string {
  const names = ['A', 'B', 'C', 'D'];
  const bits = BY_HAND_DIST.map((p) => Math.log2(1 / p));
  const terms = BY_HAND_DIST.map((p, i) => `${p}·${bits[i]}`).join(' + ');
  return (
    `${names.map((n, i) => `${n} carries ${bits[i]} bit${bits[i] === 1 ? '' : 's'} of surprise`).join(', ')}. ` +
    `Weighted by probability: ${terms} = ${entropy(BY_HAND_DIST, 2)} bits. That is less than the ` +
    `${entropy([0.25, 0.25, 0.25, 0.25], 2)} bits of four equally likely outcomes, because A is predictable half the time.`
  );
}

export const entropyByHand: NumberExercise = {
  kind: 'number',
  id: 'w4-entropy-by-hand',
  prompt:
    'A source sends A half the time, B a quarter of the time, and C and D an eighth of the time each. ' +
    'Work out its entropy in bits by hand: weight each outcome’s surprise, log₂(1/p), by its probability and add them up.',
  answer: () => entropy(BY_HAND_DIST, 2),
  tolerance: 0.01,
  explain: byHandExplanation(),
  demo: { right: 1.75, wrong: 2 },
};

// ---------------------------------------------------------------------------------------------------------------
// Cross-entropy of a single prediction, in bits.

export const ONE_HOT_TRUTH = [0, 1, 0, 0, 0, 0, 0, 0];
export const EIGHTH_MODEL = [0.3, 1 / 8, 0.2, 0.1, 0.1, 0.05, 0.05, 0.075];

export const crossEntropyOneWord: NumberExercise = {
  kind: 'number',
  id: 'w4-cross-entropy-one-word',
  prompt:
    'A language model spreads its bet over eight words and gives the word that actually comes next a probability ' +
    'of 1/8. The truth is one-hot on that word. What is the cross-entropy H(truth, model) in bits?',
  answer: () => crossEntropyOf(ONE_HOT_TRUTH, EIGHTH_MODEL, 2),
  tolerance: 0.01,
  explain:
    `With a one-hot truth every term but one has p = 0, so H(p, q) = −log₂ q(true word) = log₂ 8 = ` +
    `${crossEntropyOf(ONE_HOT_TRUTH, EIGHTH_MODEL, 2)} bits. How the model shares out the rest of its probability ` +
    'does not change this number.',
  demo: { right: 3, wrong: 0.375 },
};

// ---------------------------------------------------------------------------------------------------------------
// Which direction of KL is infinite?

export const KL_P = [0.5, 0.3, 0.2];
export const KL_Q = [0.6, 0.4, 0];
const KL_OPTIONS = ['KL(p‖q)', 'KL(q‖p)', 'Both', 'Neither'];

/** The option that names the infinite direction(s), decided by the engine's klDivergence. */
function infiniteDirection(): number {
  const pq = klDivergence(KL_P, KL_Q, 2) === Infinity;
  const qp = klDivergence(KL_Q, KL_P, 2) === Infinity;
  return pq && qp ? 2 : pq ? 0 : qp ? 1 : 3;
}

export const klInfinite: ChoiceExercise = {
  kind: 'choice',
  id: 'w4-kl-infinite',
  prompt: 'Let p = (0.5, 0.3, 0.2) be the truth and q = (0.6, 0.4, 0) a model that rules out C. Which divergence is infinite?',
  options: KL_OPTIONS,
  correct: infiniteDirection(),
  explain:
    'KL(p‖q) averages log(p/q) over outcomes drawn from p. C happens a fifth of the time under p, and each time the ' +
    'model q called it impossible: log(0.2/0) is infinite. KL(q‖p) averages over q instead, which never produces C, ' +
    'so that term has weight 0 and the sum stays finite. A model trained by minimising KL(p‖q), which is what ' +
    'cross-entropy training does, is punished without limit for ruling out anything that can happen.',
  demo: { wrong: 1 },
};

// ---------------------------------------------------------------------------------------------------------------
// Drag target: a distribution over four outcomes with an entropy of 1.5 bits.

export const TARGET_BITS = 1.5;
export const TARGET_TOLERANCE = 0.02;

export function checkEntropyTarget(value: unknown): CheckResult {
  if (!Array.isArray(value) || value.length !== 4 || !value.every((v) => typeof v === 'number')) {
    return { ok: false, message: 'Expected four probabilities, one per bar.' };
  }
  let h: number;
  try {
    h = entropy(value as number[], 2);
  } catch (e) {
    return { ok: false, message: `That is not a distribution: ${(e as Error).message}` };
  }
  const off = h - TARGET_BITS;
  if (Math.abs(off) <= TARGET_TOLERANCE) {
    return { ok: true, message: `Right: H = ${h.toFixed(3)} bits, within ${TARGET_TOLERANCE} of ${TARGET_BITS}.` };
  }
  return {
    ok: false,
    message:
      `H = ${h.toFixed(3)} bits. ` +
      (off > 0 ? 'Too uncertain: make one outcome more likely than the rest.' : 'Too predictable: spread the probability more evenly.'),
  };
}

export const entropyTarget: TargetExercise = {
  kind: 'target',
  id: 'w4-entropy-target',
  prompt: `Drag the bars until the distribution’s entropy is ${TARGET_BITS} bits (within ${TARGET_TOLERANCE}). Uniform, where you start, is 2 bits.`,
  widget: { tag: 'w4-entropy', props: { value: [0.25, 0.25, 0.25, 0.25] } },
  check: checkEntropyTarget,
  demo: { right: [0.5, 0.25, 0.25, 0], wrong: [0.25, 0.25, 0.25, 0.25] },
};

// ---------------------------------------------------------------------------------------------------------------
// Code cell: cross-entropy loss from logits, checked against the engine's fused kernel.

type Logits = number[][];

/** Largest |logit| in a case, which sets how much float32 rounding the engine's answer carries. */
function maxAbs(logits: Logits): number {
  let m = 0;
  for (const row of logits) for (const v of row) m = Math.max(m, Math.abs(v));
  return m;
}

/** A case of n rows and C classes: logits shift + scale·N(0, 1), rounded to float32 so both sides see the same inputs. */
function makeCase(r: () => number, n: number, C: number, scale: number, shift = 0): CodeArgs {
  const normal = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const logits = Array.from({ length: n }, () => Array.from({ length: C }, () => Math.fround(shift + scale * normal())));
  const targets = Array.from({ length: n }, () => Math.floor(r() * C));
  return [logits, targets];
}

/**
 * Rows where the true class's logit sits 2000 below the row's largest: exp of the difference underflows to 0 in
 * float64, so a log taken after a (stable) softmax is log 0 = −∞, while log-softmax computed directly is exact.
 */
function spreadCase(r: () => number): CodeArgs {
  const logits = [
    [1000, -1000, 0],
    [-1000, 1000, 3],
    [Math.fround(999.5), 1000, -1000],
  ];
  const targets = [1, 0, r() < 0.5 ? 0 : 1];
  return [logits, targets];
}

export const crossEntropyCell: CodeExercise = {
  kind: 'code',
  id: 'w4-cross-entropy-code',
  prompt: html`Write the cross-entropy loss a classifier is trained with. Each row of <code>logits</code> holds one
    example’s raw scores for C classes, and <code>targets[i]</code> is the index of its true class. Return the mean
    over rows of −log softmax(<code>logits[i]</code>)[<code>targets[i]</code>], in nats. Check compares your function
    with the engine’s fused <code>crossEntropy</code> on random batches, some with logits near ±1000.`,
  name: 'crossEntropyLoss',
  signature: 'crossEntropyLoss(logits: number[][], targets: number[]): number',
  language: 'typescript',
  starter: `function crossEntropyLoss(logits: number[][], targets: number[]): number {
  let total = 0;
  for (let i = 0; i < logits.length; i++) {
    const row = logits[i];
    // Add this row's loss, −log softmax(row)[targets[i]], to total.
  }
  return total / logits.length;
}
`,
  solution: `function crossEntropyLoss(logits: number[][], targets: number[]): number {
  let total = 0;
  for (let i = 0; i < logits.length; i++) {
    const row = logits[i];
    // log Σ exp(row) = m + log Σ exp(row − m): with m the row's max every exp is ≤ 1, so none overflows.
    const m = Math.max(...row);
    let sum = 0;
    for (const z of row) sum += Math.exp(z - m);
    const logSumExp = m + Math.log(sum);
    // −log softmax(row)[t] = logSumExp − row[t], with no probability (which could underflow to 0) in between.
    total += logSumExp - row[targets[i]];
  }
  return total / logits.length;
}
`,
  hints: [
    'softmax(z)[t] = exp(z[t]) / Σ exp(z), so −log softmax(z)[t] = log Σ exp(z) − z[t]. Compute that, not the softmax.',
    'exp(1000) is Infinity in floating point. Subtract the row’s largest logit m first: log Σ exp(z) = m + log Σ exp(z − m).',
    'Don’t take the log of a probability you computed: e^−2000 rounds to 0 and its log is −Infinity. Keep everything in logs.',
  ],
  example: () => [[[2, 1, 0.1], [0.5, 2.5, -1]], [0, 1]],
  cases: (seed) => {
    const r = metrics.seededRandom(seed);
    return [
      makeCase(r, 1, 2, 1),
      makeCase(r, 7, 3, 2),
      makeCase(r, 33, 10, 3),
      makeCase(r, 5, 257, 1),
      // Large logits, all near 1000: exp() of any of them overflows without the max subtracted.
      makeCase(r, 4, 5, 2, 1000),
      spreadCase(r),
    ];
  },
  reference: async (...args: CodeArgs) => {
    const [logits, targets] = args as [Logits, number[]];
    const n = logits.length;
    const C = logits[0].length;
    const x = tensor(logits.flat(), [n, C]); // (n, C)
    const y = tensor(Int32Array.from(targets), [n]); // (n)
    const loss = functional.crossEntropy(x, y);
    try {
      return await loss.item();
    } finally {
      for (const t of [x, y, loss]) t.dispose();
    }
  },
  compare: compareCrossEntropy,
  timeoutMs: 2000,
  demo: {
    wrong: [
      // Unstable: exp(1000) overflows to Infinity, and Infinity/Infinity or log(Infinity) follows.
      `function crossEntropyLoss(logits: number[][], targets: number[]): number {
  let total = 0;
  for (let i = 0; i < logits.length; i++) {
    const sum = logits[i].reduce((s, z) => s + Math.exp(z), 0);
    total += Math.log(sum) - logits[i][targets[i]];
  }
  return total / logits.length;
}`,
      // Stable softmax, then a log of a probability that underflows to 0.
      `function crossEntropyLoss(logits: number[][], targets: number[]): number {
  let total = 0;
  for (let i = 0; i < logits.length; i++) {
    const m = Math.max(...logits[i]);
    const e = logits[i].map((z) => Math.exp(z - m));
    const s = e.reduce((a, b) => a + b, 0);
    total += -Math.log(e[targets[i]] / s);
  }
  return total / logits.length;
}`,
      // The max subtracted but never added back.
      `function crossEntropyLoss(logits: number[][], targets: number[]): number {
  let total = 0;
  for (let i = 0; i < logits.length; i++) {
    const m = Math.max(...logits[i]);
    const s = logits[i].reduce((a, z) => a + Math.exp(z - m), 0);
    total += Math.log(s) - logits[i][targets[i]];
  }
  return total / logits.length;
}`,
      // The sum over rows, not the mean.
      `function crossEntropyLoss(logits: number[][], targets: number[]): number {
  let total = 0;
  for (let i = 0; i < logits.length; i++) {
    const m = Math.max(...logits[i]);
    const s = logits[i].reduce((a, z) => a + Math.exp(z - m), 0);
    total += m + Math.log(s) - logits[i][targets[i]];
  }
  return total;
}`,
    ],
  },
};

/**
 * The engine computes in float32, so its loss carries rounding of about one float32 ulp of the logits (6e-5 near
 * 1000). The tolerance scales with the largest logit for that reason; every wrong formula above is off by far more.
 */
/** ln of the largest double: exp() of anything larger is Infinity. */
const EXP_OVERFLOW = Math.log(Number.MAX_VALUE);

export function compareCrossEntropy(got: unknown, want: unknown, args: CodeArgs): CheckResult {
  const logits = args[0] as Logits;
  const big = maxAbs(logits);
  if (typeof got === 'number' && !Number.isFinite(got) && typeof want === 'number' && Number.isFinite(want)) {
    return {
      ok: false,
      message:
        `Your loss is ${fmtNumber(got)} on a batch whose logits reach ${fmtNumber(big)} in size, where the engine gives ${fmtNumber(want)}. ` +
        (big > EXP_OVERFLOW
          ? `exp() of anything above ${Math.floor(EXP_OVERFLOW)} overflows to Infinity, and a probability like e^−2000 rounds to 0 (log 0 = −Infinity): subtract each row’s max and stay in log space.`
          : 'Look for a log of 0 or a division by 0.'),
    };
  }
  return defaultCompare(got, want, args, { atol: 1e-5 + 1e-6 * big, rtol: 1e-5 });
}
