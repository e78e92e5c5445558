// Week 3 lessons: n-gram language models against hand-computed probabilities on a toy corpus, normalisation for
// every smoothing, and Kneser-Ney against Laplace on held-out State of the Union text.
import { describe, expect, test } from 'vitest';
import { NGramLM, datasets } from '../engine/index';
import type { Smoothing } from '../engine/lessons/index';

const close = (a: number, b: number, tol = 1e-12) => {
  if (a === b) return; // equal infinities too
  expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThanOrEqual(tol);
};

// Bigram counts with one <s> and one </s> per sentence:
//   <s> a: 2, <s> b: 1   a b: 2, a a: 1   b </s>: 3      V = {</s>, <unk>, a, b}, |V| = 4.
const toy = [['a', 'b'], ['a', 'a', 'b'], ['b']];
const SMOOTHINGS: Array<{ smoothing: Smoothing; k?: number }> = [
  { smoothing: 'none' }, { smoothing: 'laplace' }, { smoothing: 'addk', k: 0.1 }, { smoothing: 'kneser-ney' },
];

describe('NGramLM on a toy corpus', () => {
  test('vocabulary, padding and counts', () => {
    const lm = new NGramLM({ n: 2, smoothing: 'laplace' }).fit(toy);
    expect(lm.vocab).toEqual(['</s>', '<unk>', 'a', 'b']);
    expect(lm.countOf(['<s>', 'a'])).toBe(2);
    expect(lm.countOf(['a', 'b'])).toBe(2);
    expect(lm.countOf(['b', '</s>'])).toBe(3);
    expect(lm.countOf(['<s>'])).toBe(3);
    expect(lm.countOf(['b'])).toBe(3);
    expect(lm.countOf(['b', 'a'])).toBe(0);
    expect(lm.countOf(['zebra'])).toBe(0);
    // a|<s> seen; <unk>|a and </s>|<unk> unseen.
    close(lm.unseenRate([['a', 'zebra']]), 2 / 3);
    const tri = new NGramLM({ n: 3, smoothing: 'laplace' }).fit(toy);
    expect(tri.countOf(['<s>', '<s>', 'a'])).toBe(2);
    expect(tri.countOf(['<s>', '<s>'])).toBe(3);
  });

  test('Laplace, add-k and MLE probabilities by hand', () => {
    const lap = new NGramLM({ n: 2, smoothing: 'laplace' }).fit(toy);
    close(lap.prob([], 'a'), 3 / 7); // (2 + 1) / (3 + 4), the context padded with <s>
    close(lap.prob(['b', 'a'], 'b'), 3 / 7); // only the last token counts
    close(lap.prob(['a'], 'zebra'), 1 / 7); // <unk>
    close(lap.prob(['zebra'], '</s>'), 1 / 4); // unseen context: uniform
    const addk = new NGramLM({ n: 2, smoothing: 'addk', k: 0.5 }).fit(toy);
    close(addk.prob(['a'], 'b'), 2.5 / 5);
    const mle = new NGramLM({ n: 2, smoothing: 'none' }).fit(toy);
    close(mle.prob(['a'], 'b'), 2 / 3);
    close(mle.prob(['a'], '</s>'), 0);
    close(mle.prob(['zebra'], 'a'), 1 / 4);
  });

  test('Kneser-Ney by hand: discounted bigrams interpolated with continuation unigrams', () => {
    const kn = new NGramLM({ n: 2, smoothing: 'kneser-ney' }).fit(toy);
    const d = 0.75;
    // Bigram types: <s>a, <s>b, ab, aa, b</s> (5). N1+(•a) = 2, N1+(•b) = 2, N1+(•</s>) = 1, N1+(•<unk>) = 0.
    const uni = (cont: number) => Math.max(cont - d, 0) / 5 + ((d * 3) / 5) * (1 / 4);
    close(kn.prob(['zebra'], 'a'), uni(2)); // <unk> was never a context: all mass to the lower order
    close(kn.prob(['zebra'], '<unk>'), uni(0));
    // c(<s> a) = 2, c(<s> •) = 3, N1+(<s> •) = 2.
    close(kn.prob([], 'a'), (2 - d) / 3 + ((d * 2) / 3) * uni(2));
    close(kn.prob([], '</s>'), 0 + ((d * 2) / 3) * uni(1));
    close(kn.prob(['b'], '</s>'), (3 - d) / 3 + ((d * 1) / 3) * uni(1));
  });

  test('perplexity is exp of the per-token cross-entropy, </s> included', () => {
    const lap = new NGramLM({ n: 2, smoothing: 'laplace' }).fit(toy);
    // ['a', 'b']: P(a | <s>) = 3/7, P(b | a) = 3/7, P(</s> | b) = 4/7.
    close(lap.perplexity([['a', 'b']]), Math.exp(-(Math.log(3 / 7) + Math.log(3 / 7) + Math.log(4 / 7)) / 3), 1e-12);
    const mle = new NGramLM({ n: 2, smoothing: 'none' }).fit(toy);
    close(mle.perplexity([['a', 'b']]), Math.exp(-(Math.log(2 / 3) + Math.log(2 / 3) + Math.log(1)) / 3), 1e-12);
    expect(mle.perplexity([['b', 'a']])).toBe(Infinity); // P(a | b) = 0
    // Any model: the same number from prob() summed over the tokens by hand.
    for (const opts of SMOOTHINGS) {
      for (const n of [1, 2, 3]) {
        const lm = new NGramLM({ n, ...opts }).fit(toy);
        const held = [['a', 'b', 'b'], ['zebra', 'a'], []];
        let logSum = 0;
        let N = 0;
        for (const s of held) {
          const toks = [...s, '</s>'];
          toks.forEach((w, i) => {
            logSum += Math.log(lm.prob(s.slice(0, i), w));
            N++;
          });
        }
        expect(N).toBe(8);
        close(lm.perplexity(held), Math.exp(-logSum / N), 1e-9);
      }
    }
  });

  test('Σ_w P(w | ctx) = 1 for every smoothing, order and context', () => {
    const contexts = [[], ['a'], ['b'], ['a', 'a'], ['b', 'a'], ['zebra'], ['a', 'zebra'], ['<s>', 'a'], ['</s>']];
    for (const opts of SMOOTHINGS) {
      for (const n of [1, 2, 3, 4]) {
        const lm = new NGramLM({ n, ...opts }).fit(toy);
        for (const ctx of contexts) {
          const total = lm.vocab.reduce((s, w) => s + lm.prob(ctx, w), 0);
          close(total, 1, 1e-12);
        }
      }
    }
  });

  test('sampling is seeded, stays in V and respects maxLen; MLE samples only seen bigrams', () => {
    const mle = new NGramLM({ n: 2, smoothing: 'none' }).fit(toy);
    const seen = new Set(['<s> a', '<s> b', 'a b', 'a a', 'b </s>']);
    for (let seed = 0; seed < 20; seed++) {
      const s = mle.sample({ seed, maxLen: 50 });
      expect(mle.sample({ seed, maxLen: 50 })).toEqual(s);
      const full = ['<s>', ...s, '</s>'];
      for (let i = 1; i < full.length; i++) expect(seen.has(`${full[i - 1]} ${full[i]}`)).toBe(true);
    }
    const kn = new NGramLM({ n: 3, smoothing: 'kneser-ney' }).fit(toy);
    const s = kn.sample({ seed: 3, maxLen: 4 });
    expect(s.length).toBeLessThanOrEqual(4);
    for (const w of s) expect(kn.vocab).toContain(w);
  });

  test('rejects bad options', () => {
    expect(() => new NGramLM({ n: 0, smoothing: 'laplace' })).toThrow(/n must/);
    expect(() => new NGramLM({ n: 2, smoothing: 'addk' })).toThrow(/needs k/);
    expect(() => new NGramLM({ n: 2, smoothing: 'kneser-ney', discount: 1.5 })).toThrow(/discount/);
  });
});

describe('NGramLM on State of the Union addresses', () => {
  test('Kneser-Ney beats Laplace on held-out addresses; distributions sum to 1', async () => {
    const { train, test: heldOut, testAddresses } = await datasets.sotu({ addresses: 16, seed: 0 });
    expect(testAddresses).toHaveLength(4);
    expect(heldOut.length).toBeGreaterThan(200);
    for (const n of [2, 3]) {
      const kn = new NGramLM({ n, smoothing: 'kneser-ney' }).fit(train);
      const lap = new NGramLM({ n, smoothing: 'laplace' }).fit(train);
      const ppKN = kn.perplexity(heldOut);
      const ppLap = lap.perplexity(heldOut);
      console.log(`SOTU ${n}-gram: Kneser-Ney perplexity ${ppKN.toFixed(1)}, Laplace ${ppLap.toFixed(1)}; unseen ${n}-grams ${(100 * kn.unseenRate(heldOut)).toFixed(1)}%; |V| ${kn.vocabSize}; ${train.length} train / ${heldOut.length} held-out sentences`);
      expect(ppKN).toBeLessThan(ppLap);
      for (const ctx of [[], ['of', 'the'], ['united', 'states'], ['qwerty', 'zxcv']]) {
        close(kn.vocab.reduce((s, w) => s + kn.prob(ctx, w), 0), 1, 1e-9);
        close(lap.vocab.reduce((s, w) => s + lap.prob(ctx, w), 0), 1, 1e-9);
      }
    }
  }, 60_000);
});
