// Weeks 17-18's exercises and their checkers: which tokens each model may use, the work a KV cache saves (from the
// engine's kvCacheWork), BERT's masking rule (checked against nn.maskTokens on the same seeded generator) and
// top-k / top-p filtering (checked against the engine's sampler, nn.samplingDistribution).
import { html } from 'lit';
import { nn, metrics } from '../../../../engine/index';
import { kvCacheWork } from '../../../../engine/course';
import type { ChoiceExercise, CodeArgs, CodeExercise, NumberExercise } from '../../types';
import { KV_DEMO } from './numbers';

export const whoSees: ChoiceExercise = {
  kind: 'choice',
  id: 'w1718-who-sees',
  prompt: 'In the sentence “the cat sat on the mat”, both models are asked about the word “on”. Which words can each use?',
  options: [
    'BERT (with “on” replaced by [MASK]) uses every other word, before and after; GPT uses only “the cat sat”.',
    'Both use every other word: attention always spans the whole sentence.',
    'BERT uses only the words before “on”; GPT uses the words on both sides.',
    'Both use only “the cat sat”: a language model can never read ahead.',
  ],
  correct: 0,
  explain: 'BERT’s encoder has no causal mask, so the [MASK] position attends to the whole sentence, “the mat” included. GPT is trained to predict each token from the ones before it, so its causal mask hides everything to the right; that is also what lets it generate text one token at a time.',
  demo: { wrong: 1 },
};

/** A context the KV_DEMO run never outgrows (GPT's is longer), so no window slides. */
const KV_CONTEXT = KV_DEMO.prompt + KV_DEMO.newTokens;
/** Token positions without the cache, for the KV_DEMO run. */
const kvWithout = (): number => kvCacheWork(KV_DEMO.prompt, KV_DEMO.newTokens, KV_CONTEXT).without;
const kvWith = (): number => kvCacheWork(KV_DEMO.prompt, KV_DEMO.newTokens, KV_CONTEXT).withCache;

export const kvCount: NumberExercise = {
  kind: 'number',
  id: 'w1718-kv-count',
  prompt: html`GPT extends a prompt of ${KV_DEMO.prompt} tokens by ${KV_DEMO.newTokens} new ones, one at a time (the
    sequence stays within the model's context). <em>Without</em> a KV cache, every step runs the whole sequence so far through the network.
    How many token positions does it run in total?`,
  answer: kvWithout,
  tolerance: 0.5,
  explain: html`Step s (counting from 0) runs the ${KV_DEMO.prompt} prompt tokens and the s tokens made so far:
    ${KV_DEMO.prompt} + s positions. Summed over the ${KV_DEMO.newTokens} steps that is
    ${KV_DEMO.newTokens}·${KV_DEMO.prompt} + (0 + 1 + … + ${KV_DEMO.newTokens - 1}) = ${kvWithout()}. With the cache the
    first step runs the ${KV_DEMO.prompt} prompt tokens and every later step one token: ${kvWith()}.`,
  demo: { right: kvWithout(), wrong: kvWith() },
};

// ---- the masking rule ------------------------------------------------------------------------------------------

/** The shared BPE's specials: [PAD] 0, [UNK] 1, [CLS] 2, [SEP] 3, [MASK] 4, <|endoftext|> 5 (models/bert's tokenizer). */
const SPECIALS = [0, 1, 2, 3, 4, 5];
const MASK_ID = 4;
const VOCAB = 1024;

type MaskFn = (ids: number[], seed: number, maskId: number, specialIds: number[], vocabSize: number) => number[][];

const maskSolution = `function maskTokens(ids: number[], seed: number, maskId: number, specialIds: number[], vocabSize: number): number[][] {
  const random = engine.mulberry32(seed);
  const special = new Set(specialIds);
  // The replacements a random draw may pick: every id that is neither special nor [MASK], in increasing order.
  const ordinary: number[] = [];
  for (let v = 0; v < vocabSize; v++) if (!special.has(v) && v !== maskId) ordinary.push(v);
  const input = [...ids];
  const labels = ids.map(() => -100);
  for (let i = 0; i < ids.length; i++) {
    if (special.has(ids[i])) continue; // [CLS], [SEP] and [PAD] are never chosen, and use no draw
    if (random() >= 0.15) continue; // not chosen: nothing to predict here
    labels[i] = ids[i]; // chosen: the model must recover the original
    const r = random();
    if (r < 0.8) input[i] = maskId; // 80%: hide it
    else if (r < 0.9) input[i] = ordinary[Math.floor(random() * ordinary.length)]; // 10%: a random ordinary token
    // else 10%: leave it as it is
  }
  return [input, labels];
}
`;

/** A BERT input row: [CLS], n ordinary ids, [SEP], then `pad` [PAD]s. */
function row(r: () => number, n: number, pad: number): number[] {
  const body = Array.from({ length: n }, () => 6 + Math.floor(r() * (VOCAB - 6)));
  return [2, ...body, 3, ...new Array<number>(pad).fill(0)];
}

export const maskCell: CodeExercise = {
  kind: 'code',
  id: 'w1718-mask-code',
  prompt: html`Write BERT's masking rule. Each ordinary token is <em>chosen</em> with probability 0.15; a chosen
    token becomes <code>[MASK]</code> 80% of the time, a random ordinary token 10% of the time, and stays as it is
    the remaining 10%. Return <code>[input, labels]</code>: the ids the model reads, and for each position the
    original id where the token was chosen and −100 (nothing to predict) elsewhere. Special tokens
    (<code>specialIds</code>: [PAD], [CLS], [SEP], [MASK] …) are never chosen.
    <p>So that your answer can be compared with the engine's <code>nn.maskTokens</code> draw for draw, use its
    generator, <code>const random = engine.mulberry32(seed)</code>, in exactly this order: go through the positions
    left to right; skip a special token without drawing; otherwise draw once to decide whether it is chosen
    (<code>random() &lt; 0.15</code>); if chosen, draw once more to pick the case (below 0.8: mask; below 0.9:
    random; else keep), and only in the random case draw a third time to pick the replacement,
    <code>ordinary[Math.floor(random() * ordinary.length)]</code>, where <code>ordinary</code> lists every id below
    <code>vocabSize</code> that is neither special nor <code>maskId</code>, in increasing order.</p>`,
  name: 'maskTokens',
  signature: 'maskTokens(ids: number[], seed: number, maskId: number, specialIds: number[], vocabSize: number): number[][]',
  language: 'typescript',
  starter: `function maskTokens(ids: number[], seed: number, maskId: number, specialIds: number[], vocabSize: number): number[][] {
  const random = engine.mulberry32(seed);
  const input = [...ids];
  const labels = ids.map(() => -100);
  // For each position: skip specials; draw to choose; draw for the 80/10/10 case; draw the random token if needed.
  return [input, labels];
}
`,
  solution: maskSolution,
  hints: [
    'Build the list of ordinary ids once, before the loop: for v from 0 to vocabSize − 1, keep v unless it is special or the mask id.',
    'Every chosen position gets its label (the original id), whichever of the three cases follows; the others keep −100.',
    'Count your draws: a special token uses none, an unchosen token one, a masked or kept token two, a randomly replaced token three.',
  ],
  example: () => [[2, 17, 250, 9, 803, 41, 3, 0, 0], 7, MASK_ID, SPECIALS, VOCAB],
  cases: (seed) => {
    const r = metrics.seededRandom(seed);
    const s = () => Math.floor(r() * 1e9);
    return [
      [row(r, 7, 2), s(), MASK_ID, SPECIALS, VOCAB],
      [row(r, 62, 0), s(), MASK_ID, SPECIALS, VOCAB],
      [row(r, 257, 5), s(), MASK_ID, SPECIALS, VOCAB],
      [row(r, 400, 33), s(), MASK_ID, SPECIALS, VOCAB],
    ];
  },
  reference: (...args: CodeArgs) => {
    const [ids, seed, maskId, specialIds, vocabSize] = args as Parameters<MaskFn>;
    const { input, labels } = nn.maskTokens(Int32Array.from(ids), { maskId, vocabSize, specialIds, seed });
    return [Array.from(input), Array.from(labels)];
  },
  demo: {
    wrong: [
      // Every chosen token becomes [MASK]: the model never learns to check the tokens it can see.
      `function maskTokens(ids: number[], seed: number, maskId: number, specialIds: number[], vocabSize: number): number[][] {
  const random = engine.mulberry32(seed);
  const special = new Set(specialIds);
  const input = [...ids];
  const labels = ids.map(() => -100);
  for (let i = 0; i < ids.length; i++) {
    if (special.has(ids[i]) || random() >= 0.15) continue;
    labels[i] = ids[i];
    input[i] = maskId;
  }
  return [input, labels];
}
`,
      // The random replacement is drawn from the whole vocabulary, specials included.
      `function maskTokens(ids: number[], seed: number, maskId: number, specialIds: number[], vocabSize: number): number[][] {
  const random = engine.mulberry32(seed);
  const special = new Set(specialIds);
  const input = [...ids];
  const labels = ids.map(() => -100);
  for (let i = 0; i < ids.length; i++) {
    if (special.has(ids[i]) || random() >= 0.15) continue;
    labels[i] = ids[i];
    const r = random();
    if (r < 0.8) input[i] = maskId;
    else if (r < 0.9) input[i] = Math.floor(random() * vocabSize);
  }
  return [input, labels];
}
`,
      // Padding and the other specials can be chosen too.
      `function maskTokens(ids: number[], seed: number, maskId: number, specialIds: number[], vocabSize: number): number[][] {
  const random = engine.mulberry32(seed);
  const special = new Set(specialIds);
  const ordinary: number[] = [];
  for (let v = 0; v < vocabSize; v++) if (!special.has(v) && v !== maskId) ordinary.push(v);
  const input = [...ids];
  const labels = ids.map(() => -100);
  for (let i = 0; i < ids.length; i++) {
    if (random() >= 0.15) continue;
    labels[i] = ids[i];
    const r = random();
    if (r < 0.8) input[i] = maskId;
    else if (r < 0.9) input[i] = ordinary[Math.floor(random() * ordinary.length)];
  }
  return [input, labels];
}
`,
    ],
  },
};

// ---- top-k and top-p -------------------------------------------------------------------------------------------

type FilterFn = (logits: number[], topK: number, topP: number) => number[];

const filterSolution = `function filterTopKTopP(logits: number[], topK: number, topP: number): number[] {
  // softmax, with the max subtracted first so exp cannot overflow
  const max = Math.max(...logits);
  const exps = logits.map((l) => Math.exp(l - max));
  const total = exps.reduce((a, b) => a + b, 0);
  const probs = exps.map((e) => e / total);
  // most likely first; a stable sort keeps the lower index first among equal probabilities
  const order = probs.map((_, i) => i).sort((a, b) => probs[b] - probs[a]);
  let keep = topK > 0 ? Math.min(topK, probs.length) : probs.length;
  let cum = 0;
  for (let r = 0; r < keep; r++) {
    cum += probs[order[r]];
    if (cum >= topP) {
      keep = r + 1; // the token that reaches p is kept
      break;
    }
  }
  const out = new Array(probs.length).fill(0);
  let kept = 0;
  for (let r = 0; r < keep; r++) kept += probs[order[r]];
  for (let r = 0; r < keep; r++) out[order[r]] = probs[order[r]] / kept;
  return out;
}
`;

/** Logits on a coarse grid, so equal values (ties at the top-k boundary) are common. */
function coarseLogits(r: () => number, n: number): number[] {
  return Array.from({ length: n }, () => Math.floor(r() * 6) / 2);
}

export const filterCell: CodeExercise = {
  kind: 'code',
  id: 'w1718-filter-code',
  prompt: html`Write the filter GPT's sampler applies before it draws a token. Turn the logits into probabilities
    (softmax), sort the tokens from most to least likely (equal probabilities: the lower index first, as a stable
    sort leaves them), keep the first <code>topK</code> of them (0 means no limit), then keep the shortest run of those,
    from the top, whose probabilities add up to at least <code>topP</code> (the token that reaches
    <code>topP</code> is kept; 1 keeps them all). Set every other token to 0 and rescale the kept ones to sum to 1.
    Check compares your distribution with the engine's <code>nn.samplingDistribution(logits, { topK, topP })</code>,
    which the page's sampler uses.`,
  name: 'filterTopKTopP',
  signature: 'filterTopKTopP(logits: number[], topK: number, topP: number): number[]',
  language: 'typescript',
  starter: `function filterTopKTopP(logits: number[], topK: number, topP: number): number[] {
  // 1. softmax  2. sort, most likely first  3. top-k  4. top-p  5. renormalise
  return logits.map(() => 1 / logits.length);
}
`,
  solution: filterSolution,
  hints: [
    'Subtract the largest logit before exp: softmax does not change, and exp cannot overflow.',
    'Walk the sorted tokens adding up probability; stop at the first token where the sum reaches topP, and keep that token too.',
    'Top-k keeps exactly k tokens even when the k-th and (k+1)-th are equally likely: the sort order decides.',
  ],
  example: () => [[2, 1, 0.5, 0.5, -1, 3], 3, 0.9],
  cases: (seed) => {
    const r = metrics.seededRandom(seed);
    const p = () => 0.3 + 0.65 * r();
    return [
      [coarseLogits(r, 9), 3, 1],
      [coarseLogits(r, 33), 5, p()],
      [coarseLogits(r, 17), 0, p()],
      [Array.from({ length: 257 }, () => 4 * r() - 2), 0, p()],
      [coarseLogits(r, 40), 7, 1],
      [[1, 1, 1, 1, 0, 0, 0], 2, 1],
      [[5], 3, 0.5],
    ];
  },
  reference: (...args: CodeArgs) => {
    const [logits, topK, topP] = args as Parameters<FilterFn>;
    return Array.from(nn.samplingDistribution(logits, { topK: topK > 0 ? topK : undefined, topP }));
  },
  demo: {
    wrong: [
      // Top-p drops the token that crosses the threshold: the kept mass can fall short of p.
      `function filterTopKTopP(logits: number[], topK: number, topP: number): number[] {
  const max = Math.max(...logits);
  const exps = logits.map((l) => Math.exp(l - max));
  const total = exps.reduce((a, b) => a + b, 0);
  const probs = exps.map((e) => e / total);
  const order = probs.map((_, i) => i).sort((a, b) => probs[b] - probs[a]);
  let keep = topK > 0 ? Math.min(topK, probs.length) : probs.length;
  let cum = 0;
  for (let r = 0; r < keep; r++) {
    if (cum + probs[order[r]] >= topP && r > 0) {
      keep = r;
      break;
    }
    cum += probs[order[r]];
  }
  const out = new Array(probs.length).fill(0);
  let kept = 0;
  for (let r = 0; r < keep; r++) kept += probs[order[r]];
  for (let r = 0; r < keep; r++) out[order[r]] = probs[order[r]] / kept;
  return out;
}
`,
      // Top-k by a threshold: every token as likely as the k-th is kept, so ties keep more than k.
      `function filterTopKTopP(logits: number[], topK: number, topP: number): number[] {
  const max = Math.max(...logits);
  const exps = logits.map((l) => Math.exp(l - max));
  const total = exps.reduce((a, b) => a + b, 0);
  const probs = exps.map((e) => e / total);
  const sorted = [...probs].sort((a, b) => b - a);
  const threshold = topK > 0 ? sorted[Math.min(topK, probs.length) - 1] : 0;
  const order = probs.map((_, i) => i).filter((i) => probs[i] >= threshold).sort((a, b) => probs[b] - probs[a]);
  let keep = order.length;
  let cum = 0;
  for (let r = 0; r < keep; r++) {
    cum += probs[order[r]];
    if (cum >= topP) {
      keep = r + 1;
      break;
    }
  }
  const out = new Array(probs.length).fill(0);
  let kept = 0;
  for (let r = 0; r < keep; r++) kept += probs[order[r]];
  for (let r = 0; r < keep; r++) out[order[r]] = probs[order[r]] / kept;
  return out;
}
`,
      // Sorted least likely first: top-k and top-p keep the wrong end of the distribution.
      `function filterTopKTopP(logits: number[], topK: number, topP: number): number[] {
  const max = Math.max(...logits);
  const exps = logits.map((l) => Math.exp(l - max));
  const total = exps.reduce((a, b) => a + b, 0);
  const probs = exps.map((e) => e / total);
  const order = probs.map((_, i) => i).sort((a, b) => probs[a] - probs[b]);
  let keep = topK > 0 ? Math.min(topK, probs.length) : probs.length;
  let cum = 0;
  for (let r = 0; r < keep; r++) {
    cum += probs[order[r]];
    if (cum >= topP) {
      keep = r + 1;
      break;
    }
  }
  const out = new Array(probs.length).fill(0);
  let kept = 0;
  for (let r = 0; r < keep; r++) kept += probs[order[r]];
  for (let r = 0; r < keep; r++) out[order[r]] = probs[order[r]] / kept;
  return out;
}
`,
    ],
  },
};
