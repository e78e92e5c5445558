// Choosing the next token from a row of logits, on the host (vocabularies here are small and the row is read back
// anyway): temperature, then top-k, then nucleus (top-p) filtering, then a draw from a seeded generator.

export interface SamplingOptions {
  /** Divides the logits; 0 means greedy (argmax). Default 1. */
  temperature?: number;
  /** Keep only the k most likely tokens. */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p. */
  topP?: number;
}

export function argmaxOf(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

/** The filtered, renormalised distribution that `sampleToken` draws from. */
export function samplingDistribution(logits: ArrayLike<number>, opts: SamplingOptions = {}): Float64Array {
  const n = logits.length;
  const temperature = opts.temperature ?? 1;
  const probs = new Float64Array(n);
  if (temperature === 0) {
    probs[argmaxOf(logits)] = 1;
    return probs;
  }
  // softmax(logits / T), max subtracted first.
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, logits[i] / temperature);
  let total = 0;
  for (let i = 0; i < n; i++) total += probs[i] = Math.exp(logits[i] / temperature - max);
  for (let i = 0; i < n; i++) probs[i] /= total;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => probs[b] - probs[a]);
  let keep = n;
  if (opts.topK !== undefined) keep = Math.max(1, Math.min(keep, opts.topK));
  if (opts.topP !== undefined) {
    let cum = 0;
    for (let r = 0; r < keep; r++) {
      cum += probs[order[r]];
      if (cum >= opts.topP) {
        keep = r + 1;
        break;
      }
    }
  }
  for (let r = keep; r < n; r++) probs[order[r]] = 0;
  let kept = 0;
  for (let i = 0; i < n; i++) kept += probs[i];
  for (let i = 0; i < n; i++) probs[i] /= kept;
  return probs;
}

/** Draws one token index; `random` returns uniforms in [0, 1). */
export function sampleToken(logits: ArrayLike<number>, opts: SamplingOptions, random: () => number): number {
  const probs = samplingDistribution(logits, opts);
  const u = random();
  let cum = 0;
  let last = 0;
  for (let i = 0; i < probs.length; i++) {
    if (probs[i] === 0) continue;
    cum += probs[i];
    last = i;
    if (u < cum) return i;
  }
  return last; // rounding: u landed just above the final cumulative sum
}
