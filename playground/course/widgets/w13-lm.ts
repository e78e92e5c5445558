// The n-gram laboratory behind weeks 1-2 (the Markov assumption) and week 3 (n-gram models): every question the
// pages ask of the State of the Union sample, answered by the engine's NGramLM. Pure and DOM-free: the page runs it
// in a Web Worker (w13-lm-worker.ts) so that fitting a trigram model never freezes a frame, and the unit tests call
// it directly on the same committed data.
import { NGramLM, type SotuData, type Smoothing } from '../../../engine/course';

/** One model: its order n (P(w | the previous n−1 tokens)) and its smoothing. */
export interface ModelSpec {
  n: number;
  smoothing: Smoothing;
  /** add-k's pseudo-count. */
  k?: number;
  /** Kneser-Ney's discount. */
  discount?: number;
}

export interface Fit {
  /** Tokens scored: every word and each sentence's `</s>`. */
  tokens: number;
  /** Σ log P (natural log). */
  logProb: number;
  /** −(1/N) Σ log P, nats per token. */
  crossEntropy: number;
  /** NGramLM.perplexity(), computed by the engine on its own (not from crossEntropy). */
  perplexity: number;
}

export interface Evaluation {
  model: ModelSpec;
  vocab: number;
  /** Perplexity on the training sentences themselves (only when asked for: it scores every training token). */
  trainPerplexity: number | null;
  test: Fit;
  /** The share of held-out n-grams never seen in training. */
  unseen: number;
}

export interface NextWord {
  word: string;
  p: number;
  /** c(context, word) in the training text. */
  count: number;
}

export interface NextWords {
  /** How many previous words this row conditions on. */
  order: number;
  /** The context actually used: the last `order` tokens, `<s>` standing for the start of the sentence. */
  context: string[];
  /** c(context) in the training text: 0 means the model has never seen it and cannot say anything. */
  contextCount: number;
  /** Distinct words seen after the context. */
  types: number;
  top: NextWord[];
}

export interface Continuation {
  word: string;
  /** c(word) in the training text. */
  count: number;
  /** N1+(• word): distinct tokens (`<s>` included) seen right before it. */
  predecessors: number;
}

export interface Sizes {
  trainSentences: number;
  testSentences: number;
  trainTokens: number;
  testTokens: number;
  /** NGramLM's |V|: training words plus `</s>` and `<unk>`. */
  vocab: number;
  trainAddresses: string[];
  testAddresses: string[];
}

export type LmRequest =
  | { kind: 'sizes' }
  | { kind: 'evaluate'; model: ModelSpec; train?: boolean }
  | { kind: 'sample'; model: ModelSpec; seed: number; count: number; maxLen?: number }
  | { kind: 'next'; context: string[]; orders: number[]; top: number }
  /** Held-out unseen rates with models trained on the first `fraction` of the training sentences (default 1). */
  | { kind: 'sparsity'; orders: number[]; fraction?: number }
  | { kind: 'continuation'; words: string[] };

export interface LmResponses {
  sizes: Sizes;
  evaluate: Evaluation;
  sample: string[][];
  next: NextWords[];
  /** unseenRate of the held-out text, one per order. */
  sparsity: number[];
  continuation: Continuation[];
}

export type LmResponse<K extends LmRequest['kind']> = LmResponses[K];

const BOS = '<s>';
/** Fitted models kept for reuse; a trigram model of the sample is a few MB, so only the latest few stay. */
const CACHE_SIZE = 10;

function checkSpec(m: ModelSpec): void {
  if (!Number.isInteger(m.n) || m.n < 1 || m.n > 6) throw new RangeError(`n must be an integer from 1 to 6, got ${m.n}`);
}

export class LmLab {
  private readonly data: SotuData;
  private readonly models = new Map<string, NGramLM>();

  constructor(data: SotuData) {
    this.data = data;
  }

  /** A fitted model, from the cache when it was asked for recently; `fraction` trains on the first part only. */
  model(spec: ModelSpec, fraction = 1): NGramLM {
    checkSpec(spec);
    if (!(fraction > 0 && fraction <= 1)) throw new RangeError(`fraction must be in (0, 1], got ${fraction}`);
    const key = JSON.stringify([spec.n, spec.smoothing, spec.smoothing === 'addk' ? spec.k : null, spec.smoothing === 'kneser-ney' ? (spec.discount ?? 0.75) : null, fraction]);
    let lm = this.models.get(key);
    if (lm) {
      this.models.delete(key); // re-insert: Map order is the recency order
    } else {
      const train = this.data.train.slice(0, Math.max(1, Math.round(fraction * this.data.train.length)));
      lm = new NGramLM(spec).fit(train);
      if (this.models.size >= CACHE_SIZE) this.models.delete(this.models.keys().next().value!);
    }
    this.models.set(key, lm);
    return lm;
  }

  /**
   * A model of order n trained on `fraction` of the data, for questions that do not depend on the smoothing (which
   * n-grams were seen): any cached one will do, so the sparsity chart reuses the models the perplexities fitted.
   */
  private anyOrder(n: number, fraction: number): NGramLM {
    for (const [key, lm] of this.models) {
      const [kn, , , , kf] = JSON.parse(key) as [number, string, unknown, unknown, number];
      if (kn === n && kf === fraction) return lm;
    }
    return this.model({ n, smoothing: 'none' }, fraction);
  }

  handle<K extends LmRequest['kind']>(req: Extract<LmRequest, { kind: K }>): LmResponse<K>;
  handle(req: LmRequest): LmResponses[keyof LmResponses] {
    switch (req.kind) {
      case 'sizes':
        return this.sizes();
      case 'evaluate':
        return this.evaluate(req.model, req.train ?? false);
      case 'sample':
        return this.sample(req.model, req.seed, req.count, req.maxLen);
      case 'next':
        return req.orders.map((order) => this.next(req.context, order, req.top));
      case 'sparsity':
        return req.orders.map((n) => this.anyOrder(n, req.fraction ?? 1).unseenRate(this.data.test));
      case 'continuation':
        return this.continuation(req.words);
      default:
        throw new Error(`unknown request ${JSON.stringify(req)}`);
    }
  }

  sizes(): Sizes {
    const tokens = (s: string[][]) => s.reduce((a, x) => a + x.length, 0);
    const name = (a: { name: string; year: number }) => `${a.name} (${a.year})`;
    return {
      trainSentences: this.data.train.length,
      testSentences: this.data.test.length,
      trainTokens: tokens(this.data.train),
      testTokens: tokens(this.data.test),
      vocab: this.model({ n: 1, smoothing: 'laplace' }).vocabSize,
      trainAddresses: this.data.trainAddresses.map(name),
      testAddresses: this.data.testAddresses.map(name),
    };
  }

  evaluate(spec: ModelSpec, withTrain = false): Evaluation {
    const lm = this.model(spec);
    const { logProb, tokens } = lm.logLikelihood(this.data.test);
    return {
      model: spec,
      vocab: lm.vocabSize,
      trainPerplexity: withTrain ? lm.perplexity(this.data.train) : null,
      // Perplexity by the engine's own perplexity(), not as exp(crossEntropy): the page shows that they agree.
      test: { tokens, logProb, crossEntropy: -logProb / tokens, perplexity: lm.perplexity(this.data.test) },
      unseen: lm.unseenRate(this.data.test),
    };
  }

  sample(spec: ModelSpec, seed: number, count: number, maxLen = 30): string[][] {
    if (!(Number.isInteger(count) && count >= 1 && count <= 20)) throw new RangeError(`count must be 1 to 20, got ${count}`);
    const lm = this.model(spec);
    return Array.from({ length: count }, (_, i) => lm.sample({ seed: seed + i, maxLen }));
  }

  /**
   * The maximum-likelihood next-word distribution after the last `order` tokens of the context (the start of the
   * sentence, `<s>`, fills in when the context is shorter): the bigram model for order 1, the trigram for 2, ….
   */
  next(context: readonly string[], order: number, top: number): NextWords {
    if (!Number.isInteger(order) || order < 1 || order > 5) throw new RangeError(`order must be 1 to 5 previous words, got ${order}`);
    const lm = this.model({ n: order + 1, smoothing: 'none' });
    const ctx = context.slice(Math.max(0, context.length - order));
    while (ctx.length < order) ctx.unshift(BOS);
    const contextCount = lm.countOf(ctx);
    if (contextCount === 0) return { order, context: ctx, contextCount, types: 0, top: [] };
    const p = lm.distribution(ctx);
    const seen: NextWord[] = [];
    lm.vocab.forEach((word, i) => {
      if (p[i] > 0) seen.push({ word, p: p[i], count: lm.countOf([...ctx, word]) });
    });
    seen.sort((a, b) => b.p - a.p || (a.word < b.word ? -1 : 1));
    return { order, context: ctx, contextCount, types: seen.length, top: seen.slice(0, top) };
  }

  /** How often each word occurs, and after how many different tokens: what Kneser-Ney's lower order counts. */
  continuation(words: readonly string[]): Continuation[] {
    const before = new Map<string, Set<string>>();
    const count = new Map<string, number>();
    const wanted = new Set(words);
    for (const s of this.data.train) {
      s.forEach((w, i) => {
        if (!wanted.has(w)) return;
        count.set(w, (count.get(w) ?? 0) + 1);
        let set = before.get(w);
        if (!set) before.set(w, (set = new Set()));
        set.add(i === 0 ? BOS : s[i - 1]);
      });
    }
    return words.map((word) => ({ word, count: count.get(word) ?? 0, predecessors: before.get(word)?.size ?? 0 }));
  }
}
