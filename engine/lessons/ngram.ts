// N-gram language models (week 3): maximum likelihood, Laplace and add-k smoothing, and interpolated Kneser-Ney,
// with perplexity, sampling and sparsity statistics. Counting is exact integer work, so it runs on the host.
import { seededRandom } from './metrics';

export type Smoothing = 'none' | 'laplace' | 'addk' | 'kneser-ney';

export interface NGramOptions {
  /** The order: P(w | the previous n−1 tokens). */
  n: number;
  smoothing: Smoothing;
  /** The pseudo-count of 'addk' (required there). */
  k?: number;
  /** Kneser-Ney's absolute discount d, in (0, 1]. */
  discount?: number;
}

export const BOS = '<s>';
export const EOS = '</s>';
export const UNK = '<unk>';

/** Counts that follow one context: c(ctx, w) for each w, their total Σ_w c(ctx, w), and N1+(ctx •). */
interface Continuations {
  counts: Map<number, number>;
  total: number;
  types: number;
}

const keyOf = (ids: readonly number[]): string => ids.join(',');

function addTo(table: Map<string, Continuations>, ctx: readonly number[], w: number, by: number): void {
  const key = keyOf(ctx);
  let e = table.get(key);
  if (!e) table.set(key, (e = { counts: new Map(), total: 0, types: 0 }));
  const prev = e.counts.get(w) ?? 0;
  if (prev === 0) e.types++;
  e.counts.set(w, prev + by);
  e.total += by;
}

/**
 * An n-gram language model over token lists.
 *
 * fit() pads each sentence with n−1 `<s>` and one `</s>`. The vocabulary V is every training token plus `</s>` and
 * `<unk>` (never `<s>`, which is only ever context); test tokens outside V become `<unk>`.
 *
 * P(w | ctx) looks at the last n−1 tokens of ctx (left-padded with `<s>` when shorter), with c(ctx) = Σ_w c(ctx, w):
 *   none:        c(ctx, w) / c(ctx), and uniform 1/|V| for a context never seen in training (0/0)
 *   laplace:     (c(ctx, w) + 1) / (c(ctx) + |V|)
 *   addk:        (c(ctx, w) + k) / (c(ctx) + k·|V|)
 *   kneser-ney:  interpolated, with one absolute discount d at every order:
 *     P(w | ctx) = max(c(ctx, w) − d, 0) / c(ctx) + d · N1+(ctx •) / c(ctx) · P(w | ctx minus its first token)
 *   where the highest order uses raw counts and every lower order uses continuation counts
 *   c'(ctx, w) = N1+(• ctx w), the number of distinct tokens seen before "ctx w"; below unigrams the recursion
 *   ends in the uniform 1/|V|. A context with no counts passes its whole mass to the next order down.
 * Every smoothing gives Σ_{w ∈ V} P(w | ctx) = 1 for every context.
 */
export class NGramLM {
  readonly n: number;
  readonly smoothing: Smoothing;
  readonly k: number;
  readonly discount: number;
  /** V, sorted: every training token, `</s>` and `<unk>`. */
  vocab: string[] = [];
  private ids = new Map<string, number>();
  private bos = -1;
  private unk = -1;
  private eos = -1;
  /** Raw counts of the highest order, keyed by the n−1 context ids. */
  private top = new Map<string, Continuations>();
  /** Kneser-Ney continuation counts of order m (1 ≤ m < n), keyed by the m−1 context ids: lower[m]. */
  private lower: Map<string, Continuations>[] = [];
  /** Raw counts of every m-gram (1 ≤ m ≤ n) at every position of the padded training sentences. */
  private raw = new Map<string, number>();

  constructor(opts: NGramOptions) {
    this.n = opts.n;
    this.smoothing = opts.smoothing;
    this.discount = opts.discount ?? 0.75;
    if (!Number.isInteger(this.n) || this.n < 1) throw new RangeError(`NGramLM: n must be an integer ≥ 1, got ${this.n}`);
    if (!['none', 'laplace', 'addk', 'kneser-ney'].includes(this.smoothing)) {
      throw new RangeError(`NGramLM: smoothing must be 'none', 'laplace', 'addk' or 'kneser-ney', got '${String(this.smoothing)}'`);
    }
    if (this.smoothing === 'addk' && opts.k === undefined) throw new RangeError("NGramLM: smoothing 'addk' needs k");
    this.k = this.smoothing === 'laplace' ? 1 : (opts.k ?? 1);
    if (!(this.k > 0)) throw new RangeError(`NGramLM: k must be > 0, got ${this.k}`);
    if (!(this.discount > 0 && this.discount <= 1)) throw new RangeError(`NGramLM: discount must be in (0, 1], got ${this.discount}`);
  }

  get vocabSize(): number {
    return this.vocab.length;
  }

  fit(sentences: readonly (readonly string[])[]): this {
    const words = new Set<string>([EOS, UNK]);
    for (const s of sentences) for (const w of s) if (w !== BOS) words.add(w);
    this.vocab = [...words].sort();
    this.ids = new Map(this.vocab.map((w, i) => [w, i]));
    this.bos = this.vocab.length;
    this.unk = this.ids.get(UNK)!;
    this.eos = this.ids.get(EOS)!;
    this.top = new Map();
    this.raw = new Map();
    const n = this.n;
    const topTypes = new Map<string, number[]>();
    for (const s of sentences) {
      const p = this.pad(s);
      for (let i = 0; i < p.length; i++) {
        for (let m = 1; m <= n && m <= i + 1; m++) {
          const key = keyOf(p.slice(i - m + 1, i + 1));
          this.raw.set(key, (this.raw.get(key) ?? 0) + 1);
        }
        if (i < n - 1) continue; // positions of the <s> padding are context only
        const gram = p.slice(i - n + 1, i + 1);
        addTo(this.top, gram.slice(0, -1), gram[n - 1], 1);
        topTypes.set(keyOf(gram), gram);
      }
    }
    // Continuation counts, from the top order down: each distinct (m+1)-gram "v ctx w" adds one to c'(ctx, w).
    this.lower = [];
    let types = topTypes;
    for (let m = n - 1; m >= 1; m--) {
      const table = new Map<string, Continuations>();
      const next = new Map<string, number[]>();
      for (const gram of types.values()) {
        const suffix = gram.slice(1); // ctx w, of length m; each distinct v before it counts once
        addTo(table, suffix.slice(0, -1), suffix[m - 1], 1);
        next.set(keyOf(suffix), suffix);
      }
      this.lower[m] = table;
      types = next;
    }
    return this;
  }

  private requireFitted(): void {
    if (this.vocab.length === 0) throw new Error('NGramLM: call fit() first');
  }

  /** A token's id: `<s>` is context-only, anything outside V is `<unk>`. */
  private idOf(w: string): number {
    if (w === BOS) return this.bos;
    return this.ids.get(w) ?? this.unk;
  }

  /** n−1 `<s>`, the sentence's ids, then `</s>`. */
  private pad(s: readonly string[]): number[] {
    return [...new Array<number>(this.n - 1).fill(this.bos), ...s.map((w) => this.idOf(w)), this.eos];
  }

  /** The last n−1 context ids, left-padded with `<s>`. */
  private contextIds(context: readonly string[]): number[] {
    const ids = context.slice(Math.max(0, context.length - (this.n - 1))).map((w) => this.idOf(w));
    while (ids.length < this.n - 1) ids.unshift(this.bos);
    return ids;
  }

  /** P(word | the last n−1 tokens of context). */
  prob(context: readonly string[], word: string): number {
    this.requireFitted();
    if (word === BOS) throw new RangeError('NGramLM.prob: <s> is never predicted; it is not in the vocabulary');
    return this.probIds(this.contextIds(context), this.idOf(word));
  }

  private probIds(ctx: readonly number[], w: number): number {
    const V = this.vocab.length;
    if (this.smoothing === 'kneser-ney') return this.kneserNey(ctx, w, this.n);
    const e = this.top.get(keyOf(ctx));
    const c = e?.counts.get(w) ?? 0;
    const total = e?.total ?? 0;
    if (this.smoothing === 'none') return total === 0 ? 1 / V : c / total;
    return (c + this.k) / (total + this.k * V); // laplace (k = 1) and add-k
  }

  /** Interpolated Kneser-Ney at order m, for ctx of length ≥ m−1 (its last m−1 ids are used). */
  private kneserNey(ctx: readonly number[], w: number, m: number): number {
    if (m === 0) return 1 / this.vocab.length;
    const own = ctx.slice(ctx.length - (m - 1));
    const lowerP = this.kneserNey(own, w, m - 1);
    const table = m === this.n ? this.top : this.lower[m];
    const e = table.get(keyOf(own));
    if (!e || e.total === 0) return lowerP;
    const d = this.discount;
    const c = e.counts.get(w) ?? 0;
    return Math.max(c - d, 0) / e.total + ((d * e.types) / e.total) * lowerP;
  }

  /** log P of every predicted token (each real token and `</s>`) of one sentence. */
  private sentenceLogProbs(s: readonly string[]): number[] {
    const p = this.pad(s);
    const out: number[] = [];
    for (let i = this.n - 1; i < p.length; i++) out.push(Math.log(this.probIds(p.slice(i - this.n + 1, i), p[i])));
    return out;
  }

  /** Σ log P over the predicted tokens of the sentences, and N, their number. */
  logLikelihood(sentences: readonly (readonly string[])[]): { logProb: number; tokens: number } {
    this.requireFitted();
    let logProb = 0;
    let tokens = 0;
    for (const s of sentences) {
      for (const lp of this.sentenceLogProbs(s)) {
        logProb += lp;
        tokens++;
      }
    }
    return { logProb, tokens };
  }

  /** exp(−(1/N) Σ log P) over every predicted token, `</s>` included; N counts those tokens. */
  perplexity(sentences: readonly (readonly string[])[]): number {
    const { logProb, tokens } = this.logLikelihood(sentences);
    if (tokens === 0) throw new RangeError('NGramLM.perplexity: no tokens');
    return Math.exp(-logProb / tokens);
  }

  /** The distribution P(· | ctx) over V, in vocab order. */
  distribution(context: readonly string[]): number[] {
    this.requireFitted();
    const ctx = this.contextIds(context);
    return this.vocab.map((_, w) => this.probIds(ctx, w));
  }

  /**
   * Draws a sentence token by token from P(· | previous n−1 tokens), starting from `<s>` padding, until `</s>` or
   * maxLen tokens; returns the tokens without `</s>`.
   */
  sample(opts: { seed?: number; maxLen?: number } = {}): string[] {
    this.requireFitted();
    const r = seededRandom(opts.seed ?? 0);
    const maxLen = opts.maxLen ?? 30;
    const ctx = new Array<number>(this.n - 1).fill(this.bos);
    const out: string[] = [];
    while (out.length < maxLen) {
      const u = r();
      let acc = 0;
      let pick = this.vocab.length - 1;
      for (let w = 0; w < this.vocab.length; w++) {
        acc += this.probIds(ctx, w);
        if (u < acc) {
          pick = w;
          break;
        }
      }
      if (pick === this.eos) break;
      out.push(this.vocab[pick]);
      ctx.push(pick);
      ctx.shift();
    }
    return out;
  }

  /**
   * How often an m-gram (1 ≤ m ≤ n) occurs in the padded training sentences, `<s>` and `</s>` included. Tokens
   * outside V count as `<unk>` (which never occurs in training).
   */
  countOf(ngram: readonly string[]): number {
    this.requireFitted();
    if (ngram.length < 1 || ngram.length > this.n) throw new RangeError(`NGramLM.countOf: needs 1 to ${this.n} tokens, got ${ngram.length}`);
    return this.raw.get(keyOf(ngram.map((w) => this.idOf(w)))) ?? 0;
  }

  /** The fraction of the predicted n-grams of the sentences (as perplexity scores them) never seen in training. */
  unseenRate(sentences: readonly (readonly string[])[]): number {
    this.requireFitted();
    let unseen = 0;
    let total = 0;
    for (const s of sentences) {
      const p = this.pad(s);
      for (let i = this.n - 1; i < p.length; i++) {
        const e = this.top.get(keyOf(p.slice(i - this.n + 1, i)));
        if (!(e?.counts.get(p[i]))) unseen++;
        total++;
      }
    }
    if (total === 0) throw new RangeError('NGramLM.unseenRate: no tokens');
    return unseen / total;
  }
}
