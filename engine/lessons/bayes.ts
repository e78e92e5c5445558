// Probability and naive Bayes (weeks 1-2): Bayes' rule, small joint tables, and the multinomial and Gaussian naive
// Bayes classifiers as scikit-learn defines them. Plain float64 loops: these are exact references, not kernels.

/** log Σ exp(x), shifted by the max so that it neither overflows nor underflows. */
export function logSumExp(x: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < x.length; i++) m = Math.max(m, x[i]);
  if (m === -Infinity || !Number.isFinite(m)) return m;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.exp(x[i] - m);
  return m + Math.log(s);
}

/** Each row minus its logsumexp: log posteriors whose probabilities sum to 1. */
function normaliseRows(jll: number[][]): number[][] {
  return jll.map((row) => {
    const z = logSumExp(row);
    return row.map((v) => v - z);
  });
}

function argmaxRows(rows: number[][], classes: readonly number[]): number[] {
  return rows.map((row) => {
    let best = 0;
    for (let c = 1; c < row.length; c++) if (row[c] > row[best]) best = c;
    return classes[best];
  });
}

function classesOf(labels: readonly number[], what: string): number[] {
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  if (classes.length < 1) throw new RangeError(`${what}.fit: needs at least one labelled sample`);
  return classes;
}

// ---------------------------------------------------------------------------------------------------------------
// Multinomial naive Bayes

export interface MultinomialNBOptions {
  /** Additive (Lidstone) smoothing α ≥ 0; 1 is Laplace smoothing. */
  alpha?: number;
}

export interface Feature {
  word: string;
  logProb: number;
}

/**
 * Multinomial naive Bayes over bags of words.
 *   log P(c | d) ∝ log P(c) + Σ_{w ∈ d ∩ V} n(w, d) · log P(w | c)
 *   P(c) = N_c / N (class frequencies), P(w | c) = (count(w, c) + α) / (Σ_w' count(w', c) + α·|V|)
 * where V is the training vocabulary; words outside V are ignored at prediction time.
 */
export class MultinomialNB {
  readonly alpha: number;
  /** The labels, ascending: column c of predictLogProba is classes[c]. */
  classes: number[] = [];
  /** The training vocabulary, in order of first appearance. */
  vocabulary: string[] = [];
  /** log P(c), one per class. */
  classLogPrior: number[] = [];
  /** log P(w | c): featureLogProb[c][vocabIndex]. */
  featureLogProb: Float64Array[] = [];
  /** count(w, c): featureCount[c][vocabIndex]. */
  featureCount: Float64Array[] = [];
  private index = new Map<string, number>();

  constructor(opts: MultinomialNBOptions = {}) {
    this.alpha = opts.alpha ?? 1;
    if (!(this.alpha >= 0)) throw new RangeError(`MultinomialNB: alpha must be ≥ 0, got ${this.alpha}`);
  }

  fit(docs: readonly (readonly string[])[], labels: readonly number[]): this {
    if (docs.length !== labels.length) throw new RangeError(`MultinomialNB.fit: ${docs.length} docs but ${labels.length} labels`);
    this.classes = classesOf(labels, 'MultinomialNB');
    this.index = new Map();
    this.vocabulary = [];
    for (const d of docs) {
      for (const w of d) {
        if (!this.index.has(w)) {
          this.index.set(w, this.vocabulary.length);
          this.vocabulary.push(w);
        }
      }
    }
    const V = this.vocabulary.length;
    const C = this.classes.length;
    const classIdx = new Map(this.classes.map((c, i) => [c, i]));
    const docsPer = new Array<number>(C).fill(0);
    this.featureCount = Array.from({ length: C }, () => new Float64Array(V));
    docs.forEach((d, i) => {
      const c = classIdx.get(labels[i])!;
      docsPer[c]++;
      for (const w of d) this.featureCount[c][this.index.get(w)!]++;
    });
    this.classLogPrior = docsPer.map((n) => Math.log(n / docs.length));
    this.featureLogProb = this.featureCount.map((counts) => {
      let total = 0;
      for (const v of counts) total += v;
      const denom = Math.log(total + this.alpha * V);
      return counts.map((v) => Math.log(v + this.alpha) - denom);
    });
    return this;
  }

  private requireFitted(): void {
    if (this.classes.length === 0) throw new Error('MultinomialNB: call fit() first');
  }

  /** Unnormalised joint log-likelihoods log P(c) + Σ log P(w | c), one row per document. */
  jointLogLikelihood(docs: readonly (readonly string[])[]): number[][] {
    this.requireFitted();
    return docs.map((d) => {
      const row = [...this.classLogPrior];
      for (const w of d) {
        const j = this.index.get(w);
        if (j === undefined) continue; // outside V: ignored
        for (let c = 0; c < row.length; c++) row[c] += this.featureLogProb[c][j];
      }
      return row;
    });
  }

  /** log P(c | d), normalised so that each row's probabilities sum to 1; columns follow `classes`. */
  predictLogProba(docs: readonly (readonly string[])[]): number[][] {
    return normaliseRows(this.jointLogLikelihood(docs));
  }

  predictProba(docs: readonly (readonly string[])[]): number[][] {
    return this.predictLogProba(docs).map((r) => r.map(Math.exp));
  }

  /** The most probable class of each document (the first, in ascending label order, on a tie). */
  predict(docs: readonly (readonly string[])[]): number[] {
    return argmaxRows(this.jointLogLikelihood(docs), this.classes);
  }

  /** The k words with the highest P(w | cls), most probable first (ties broken alphabetically). */
  topFeatures(cls: number, k: number): Feature[] {
    this.requireFitted();
    const c = this.classes.indexOf(cls);
    if (c < 0) throw new RangeError(`MultinomialNB.topFeatures: unknown class ${cls}; classes are ${this.classes.join(', ')}`);
    const lp = this.featureLogProb[c];
    return this.vocabulary
      .map((word, j) => ({ word, logProb: lp[j] }))
      .sort((a, b) => b.logProb - a.logProb || (a.word < b.word ? -1 : a.word > b.word ? 1 : 0))
      .slice(0, k);
  }

  /**
   * The k words that most favour class cls over every other class, ranked by the log-likelihood ratio
   *   log P(w | cls) − max_{c ≠ cls} log P(w | c),
   * which is what one occurrence of w adds to cls's log posterior against its strongest rival. topFeatures ranks by
   * P(w | cls) alone, so every class's list starts with "the" and "to"; this ranks the words that tell the classes
   * apart. Largest ratio first, ties broken alphabetically. Needs at least two classes.
   */
  tellingFeatures(cls: number, k: number): TellingFeature[] {
    this.requireFitted();
    const c = this.classes.indexOf(cls);
    if (c < 0) throw new RangeError(`MultinomialNB.tellingFeatures: unknown class ${cls}; classes are ${this.classes.join(', ')}`);
    if (this.classes.length < 2) throw new RangeError('MultinomialNB.tellingFeatures: needs at least two classes');
    return this.vocabulary
      .map((word, j) => {
        let rival = -Infinity;
        for (let o = 0; o < this.classes.length; o++) if (o !== c) rival = Math.max(rival, this.featureLogProb[o][j]);
        return { word, logRatio: this.featureLogProb[c][j] - rival, count: this.featureCount[c][j] };
      })
      .sort((a, b) => b.logRatio - a.logRatio || (a.word < b.word ? -1 : a.word > b.word ? 1 : 0))
      .slice(0, k);
  }
}

export interface TellingFeature {
  word: string;
  /** log P(w | cls) − max over the other classes of log P(w | c), in nats. */
  logRatio: number;
  /** count(w, cls) in the training documents. */
  count: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Gaussian naive Bayes

/**
 * Gaussian naive Bayes: each feature is normal within a class.
 *   log P(c | x) ∝ log P(c) − ½ Σ_j [ log(2π σ²_cj) + (x_j − μ_cj)² / σ²_cj ]
 * with per-class means μ and population variances σ² (divided by N_c), each plus ε = 1e-9 × the largest
 * per-feature variance of all of X (scikit-learn's var_smoothing), and priors the class frequencies.
 */
export class GaussianNB {
  readonly varSmoothing: number;
  classes: number[] = [];
  classLogPrior: number[] = [];
  /** μ: theta[c][j]. */
  theta: number[][] = [];
  /** σ² + ε: variance[c][j]. */
  variance: number[][] = [];
  epsilon = 0;

  constructor(opts: { varSmoothing?: number } = {}) {
    this.varSmoothing = opts.varSmoothing ?? 1e-9;
  }

  fit(X: readonly (readonly number[])[], y: readonly number[]): this {
    if (X.length !== y.length) throw new RangeError(`GaussianNB.fit: ${X.length} rows but ${y.length} labels`);
    if (X.length === 0) throw new RangeError('GaussianNB.fit: needs at least one sample');
    const d = X[0].length;
    for (const [i, row] of X.entries()) {
      if (row.length !== d) throw new RangeError(`GaussianNB.fit: row ${i} has ${row.length} features, row 0 has ${d}`);
    }
    this.classes = classesOf(y, 'GaussianNB');
    // ε from the variance of each feature over all samples.
    const all = meanVar(X);
    this.epsilon = this.varSmoothing * Math.max(...all.variance);
    this.theta = [];
    this.variance = [];
    this.classLogPrior = [];
    for (const c of this.classes) {
      const rows = X.filter((_, i) => y[i] === c);
      const mv = meanVar(rows);
      this.theta.push(mv.mean);
      this.variance.push(mv.variance.map((v) => v + this.epsilon));
      this.classLogPrior.push(Math.log(rows.length / X.length));
    }
    return this;
  }

  jointLogLikelihood(X: readonly (readonly number[])[]): number[][] {
    if (this.classes.length === 0) throw new Error('GaussianNB: call fit() first');
    return X.map((x) =>
      this.classes.map((_, c) => {
        let s = this.classLogPrior[c];
        for (let j = 0; j < x.length; j++) {
          const v = this.variance[c][j];
          const diff = x[j] - this.theta[c][j];
          s -= 0.5 * (Math.log(2 * Math.PI * v) + (diff * diff) / v);
        }
        return s;
      }),
    );
  }

  predictLogProba(X: readonly (readonly number[])[]): number[][] {
    return normaliseRows(this.jointLogLikelihood(X));
  }

  predictProba(X: readonly (readonly number[])[]): number[][] {
    return this.predictLogProba(X).map((r) => r.map(Math.exp));
  }

  predict(X: readonly (readonly number[])[]): number[] {
    return argmaxRows(this.jointLogLikelihood(X), this.classes);
  }
}

/** Per-column mean and population variance (two passes, for accuracy). */
function meanVar(rows: readonly (readonly number[])[]): { mean: number[]; variance: number[] } {
  const d = rows[0].length;
  const mean = new Array<number>(d).fill(0);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j] += r[j];
  for (let j = 0; j < d; j++) mean[j] /= rows.length;
  const variance = new Array<number>(d).fill(0);
  for (const r of rows) for (let j = 0; j < d; j++) variance[j] += (r[j] - mean[j]) ** 2;
  for (let j = 0; j < d; j++) variance[j] /= rows.length;
  return { mean, variance };
}

// ---------------------------------------------------------------------------------------------------------------
// Bayes' rule and small discrete distributions

export interface BayesScalar {
  prior: number;
  likelihood: number;
  evidence: number;
}

export interface BayesVector {
  /** P(h) for each hypothesis h. */
  prior: readonly number[];
  /** P(data | h) for each hypothesis h. */
  likelihood: readonly number[];
  /** P(data); defaults to the total probability Σ_h P(data | h) P(h). */
  evidence?: number;
}

/**
 * Bayes' rule, P(h | data) = P(data | h) · P(h) / P(data). With numbers it returns one posterior; with one prior
 * and likelihood per hypothesis it returns every posterior, the evidence defaulting to Σ_h P(data | h) P(h).
 */
export function bayes(args: BayesScalar): number;
export function bayes(args: BayesVector): number[];
export function bayes(args: BayesScalar | BayesVector): number | number[] {
  const probability = (v: number, what: string) => {
    if (!(v >= 0 && v <= 1)) throw new RangeError(`bayes: ${what} must be a probability in [0, 1], got ${v}`);
  };
  if (typeof args.prior === 'number') {
    const { prior, likelihood, evidence } = args as BayesScalar;
    probability(prior, 'prior');
    probability(likelihood, 'likelihood');
    if (!(evidence > 0 && evidence <= 1)) throw new RangeError(`bayes: evidence must be in (0, 1], got ${evidence}`);
    return (likelihood * prior) / evidence;
  }
  const { prior, likelihood } = args as BayesVector;
  if (prior.length !== likelihood.length) {
    throw new RangeError(`bayes: ${prior.length} priors but ${likelihood.length} likelihoods`);
  }
  prior.forEach((p) => probability(p, 'each prior'));
  likelihood.forEach((p) => probability(p, 'each likelihood'));
  const priorSum = prior.reduce((a, b) => a + b, 0);
  if (Math.abs(priorSum - 1) > 1e-6) throw new RangeError(`bayes: the priors must sum to 1, got ${priorSum}`);
  const evidence = (args as BayesVector).evidence ?? prior.reduce((s, p, i) => s + p * likelihood[i], 0);
  if (!(evidence > 0)) throw new RangeError(`bayes: the evidence P(data) must be > 0, got ${evidence}`);
  return prior.map((p, i) => (likelihood[i] * p) / evidence);
}

/** A joint distribution P(X, Y) of two discrete variables: p[i][j] = P(X = rows[i], Y = cols[j]). */
export interface JointTable {
  p: number[][];
  rows: string[];
  cols: string[];
}

/**
 * Normalises a table of non-negative counts (or unnormalised probabilities) into a joint distribution. Row i is
 * X's i-th value and column j is Y's j-th value; labels default to "0", "1", ….
 */
export function jointTable(counts: readonly (readonly number[])[], labels: { rows?: string[]; cols?: string[] } = {}): JointTable {
  if (counts.length === 0 || counts[0].length === 0) throw new RangeError('jointTable: needs a non-empty table');
  const width = counts[0].length;
  let total = 0;
  counts.forEach((row, i) => {
    if (row.length !== width) throw new RangeError(`jointTable: row ${i} has ${row.length} entries, row 0 has ${width}`);
    for (const v of row) {
      if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`jointTable: entries must be finite and ≥ 0, got ${v} in row ${i}`);
      total += v;
    }
  });
  if (!(total > 0)) throw new RangeError('jointTable: the table sums to 0');
  const rows = labels.rows ?? counts.map((_, i) => String(i));
  const cols = labels.cols ?? counts[0].map((_, j) => String(j));
  if (rows.length !== counts.length || cols.length !== width) throw new RangeError('jointTable: one label per row and per column');
  return { p: counts.map((r) => r.map((v) => v / total)), rows, cols };
}

/**
 * A marginal distribution by the sum rule: axis 0 gives the row variable's P(X = i) = Σ_j P(i, j); axis 1 gives
 * the column variable's P(Y = j) = Σ_i P(i, j).
 */
export function marginal(joint: JointTable, axis: 0 | 1): number[] {
  const { p } = joint;
  if (axis === 0) return p.map((r) => r.reduce((a, b) => a + b, 0));
  if (axis === 1) return p[0].map((_, j) => p.reduce((a, r) => a + r[j], 0));
  throw new RangeError(`marginal: axis must be 0 (rows) or 1 (columns), got ${String(axis)}`);
}

/**
 * A conditional distribution by the product rule, laid out like the joint. given 0: P(Y = j | X = i) =
 * P(i, j) / P(X = i), so each row sums to 1; given 1: P(X = i | Y = j) = P(i, j) / P(Y = j), so each column sums
 * to 1. Entries conditioned on a value of probability 0 are NaN (undefined).
 */
export function conditional(joint: JointTable, given: 0 | 1): number[][] {
  const m = marginal(joint, given);
  return joint.p.map((r, i) => r.map((v, j) => {
    const z = given === 0 ? m[i] : m[j];
    return z > 0 ? v / z : NaN;
  }));
}
