// T5's relative position bias (Raffel et al., 2020, §2.1): instead of adding a position embedding to the tokens,
// every attention score gets a learned scalar that depends on the head and on the key's offset from the query,
// relative = j − i. Offsets are pooled into buckets, so that one small table (numBuckets, H) covers any length:
//   - short offsets each get their own bucket ("exact"): |relative| < maxExact;
//   - longer ones share buckets whose widths grow geometrically up to maxDistance, beyond which every offset
//     falls into the last bucket. Position information is finest where it matters most, nearby.
// Bidirectional (an encoder) spends half the buckets on keys after the query and half on keys before it; a causal
// decoder only ever sees keys at or before the query, so all buckets go to relative ≤ 0. (T5's quirk, kept: in the
// bidirectional table relative 0 counts as looking back, so bucket numBuckets/2, "0 ahead", is never used.)
// The bias (H, Tq, Tk) is handed to scaledDotProductAttention as its float mask, whose gradient (dS summed over
// the batch) reaches the table through the embedding lookup's scatter-add, on either attention implementation.
import { Tensor, tensor } from '../tensor';
import { embedding } from '../ops/gather';
import { tidy } from '../memory';
import { nextSeed } from '../random';
import { Module } from './module';
import { normalParam } from './positional';
import type { InitOptions } from './layers';

export interface RelativePositionBiasOptions extends InitOptions {
  /** Buckets in all (default 32, T5's). Bidirectional: an even number ≥ 4, half per direction; else ≥ 2. */
  numBuckets?: number;
  /** Offsets at or beyond this share the last bucket of their direction (default 128, T5's). */
  maxDistance?: number;
  /** true (default) for an encoder: keys before and after the query get separate buckets; false for a causal decoder. */
  bidirectional?: boolean;
  /** Standard deviation of the table's N(0, std²) initialisation (default 0.02; 0 starts every bias at zero). */
  std?: number;
}

/**
 * The bucket (0 … numBuckets − 1) of the offset `relative` = key position − query position, T5's rule:
 *   bidirectional: n = |relative|, and keys after the query (relative > 0) use buckets numBuckets/2 and up;
 *   causal:        n = max(−relative, 0), so keys after the query (which a causal mask hides) share bucket 0.
 * With b buckets per direction and maxExact = ⌊b/2⌋:
 *   n < maxExact:  bucket n;
 *   otherwise:     min(b − 1, maxExact + ⌊log(n / maxExact) / log(maxDistance / maxExact) · (b − maxExact)⌋),
 * which places the remaining b − maxExact buckets at log-spaced offsets from maxExact up to maxDistance.
 */
export function relativePositionBucket(relative: number, bidirectional: boolean, numBuckets: number, maxDistance: number): number {
  checkBuckets('relativePositionBucket', numBuckets, maxDistance, bidirectional);
  if (!Number.isInteger(relative)) throw new RangeError(`relativePositionBucket: relative must be an integer offset, got ${relative}`);
  return bucketOf(relative, bidirectional, numBuckets, maxDistance);
}

/** relativePositionBucket without the checks, for the inner loop. */
function bucketOf(relative: number, bidirectional: boolean, numBuckets: number, maxDistance: number): number {
  let perDirection = numBuckets;
  let base = 0;
  let n: number;
  if (bidirectional) {
    perDirection = numBuckets / 2;
    if (relative > 0) base = perDirection;
    n = Math.abs(relative);
  } else {
    n = Math.max(-relative, 0);
  }
  const maxExact = Math.floor(perDirection / 2);
  if (n < maxExact) return base + n;
  // float64 here; test/relative-bias.test.ts checks it against PyTorch's float32 evaluation of the same formula,
  // including the offsets (16, 32, 64 with the defaults) where the log ratio is an exact integer.
  const large = maxExact + Math.floor((Math.log(n / maxExact) / Math.log(maxDistance / maxExact)) * (perDirection - maxExact));
  return base + Math.min(large, perDirection - 1);
}

/**
 * Throws, naming the value, unless the buckets make sense: a bidirectional table needs an even numBuckets ≥ 4
 * (at least two per direction, so that maxExact ≥ 1 and log(n / maxExact) is defined), a causal one ≥ 2; and
 * maxDistance must be at least the buckets per direction, else the log-spaced buckets would cover fewer offsets
 * than there are buckets (and at maxDistance = maxExact the formula divides by log 1 = 0).
 */
function checkBuckets(where: string, numBuckets: number, maxDistance: number, bidirectional: boolean): void {
  if (!Number.isInteger(numBuckets) || numBuckets < 2) throw new RangeError(`${where}: numBuckets must be an integer ≥ 2, got ${numBuckets}`);
  if (bidirectional && (numBuckets < 4 || numBuckets % 2 !== 0)) {
    throw new RangeError(`${where}: a bidirectional bias splits numBuckets in two halves of at least 2, so it must be even and ≥ 4, got ${numBuckets}`);
  }
  const perDirection = bidirectional ? numBuckets / 2 : numBuckets;
  if (!Number.isInteger(maxDistance) || maxDistance < perDirection) {
    throw new RangeError(
      `${where}: maxDistance must be an integer ≥ ${perDirection} (the buckets per direction, numBuckets ${numBuckets}${bidirectional ? ' / 2' : ''}), got ${maxDistance}`,
    );
  }
}

/**
 * The learned bias: `weight` (numBuckets, H), laid out as Hugging Face's T5 `relative_attention_bias` embedding,
 * and forward(Tq, Tk) = the (H, Tq, Tk) float bias for queries at positions offset … offset + Tq − 1 over keys
 * at 0 … Tk − 1, ready for scaledDotProductAttention's `mask` (it broadcasts over the batch).
 */
export class RelativePositionBias extends Module {
  weight: Tensor;
  readonly numBuckets: number;
  readonly maxDistance: number;
  readonly bidirectional: boolean;

  constructor(
    readonly numHeads: number,
    opts: RelativePositionBiasOptions = {},
  ) {
    super();
    if (!Number.isInteger(numHeads) || numHeads < 1) throw new RangeError(`RelativePositionBias: numHeads must be a positive integer, got ${numHeads}`);
    this.numBuckets = opts.numBuckets ?? 32;
    this.maxDistance = opts.maxDistance ?? 128;
    this.bidirectional = opts.bidirectional ?? true;
    checkBuckets('RelativePositionBias', this.numBuckets, this.maxDistance, this.bidirectional);
    const std = opts.std ?? 0.02;
    if (!(std >= 0) || !Number.isFinite(std)) throw new RangeError(`RelativePositionBias: std must be a finite number ≥ 0, got ${opts.std}`);
    this.weight = normalParam([this.numBuckets, numHeads], std, nextSeed(opts.seed), opts);
  }

  /**
   * The bucket of every (query, key) pair as a host (Tq, Tk) array, query i at position offset + i (keys cached
   * before it) and key j at j. It depends on j − (offset + i) only, so it is computed once per diagonal.
   */
  bucketIndices(Tq: number, Tk: number, offset = 0): Int32Array {
    for (const [name, v] of [['Tq', Tq], ['Tk', Tk], ['offset', offset]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new RangeError(`RelativePositionBias: ${name} must be an integer ≥ 0, got ${v}`);
    }
    // relative = j − offset − i runs from −(offset + Tq − 1) to Tk − 1 − offset
    const lo = -(offset + Tq - 1);
    const byOffset = new Int32Array(Math.max(Tk - lo, 0));
    for (let r = lo; r < Tk - offset; r++) byOffset[r - lo] = bucketOf(r, this.bidirectional, this.numBuckets, this.maxDistance);
    const out = new Int32Array(Tq * Tk);
    for (let i = 0; i < Tq; i++) for (let j = 0; j < Tk; j++) out[i * Tk + j] = byOffset[j - offset - i - lo];
    return out;
  }

  /** The (H, Tq, Tk) bias: bias[h, i, j] = weight[bucket(j − (offset + i)), h]. */
  bias(Tq: number, Tk: number, offset = 0): Tensor {
    const idx = this.bucketIndices(Tq, Tk, offset);
    return tidy(() => {
      const buckets = tensor(idx, [Tq, Tk], { device: this.weight.device }); // (Tq, Tk) int32
      return embedding(buckets, this.weight).permute(2, 0, 1); // (Tq, Tk, H) → (H, Tq, Tk)
    });
  }

  /**
   * bias(Tq, Tk, offset) under Module's call signature, whose inputs are typed as tensors: this module's inputs
   * are lengths, so anything but numbers is refused.
   */
  override forward(Tq: number | Tensor, Tk: number | Tensor = Tq, offset: number | Tensor = 0): Tensor {
    if (typeof Tq !== 'number' || typeof Tk !== 'number' || typeof offset !== 'number') {
      throw new TypeError('RelativePositionBias.forward takes the lengths (Tq, Tk[, offset]) as numbers, not tensors');
    }
    return this.bias(Tq, Tk, offset);
  }

  protected override describe(): string {
    return `heads=${this.numHeads}, buckets=${this.numBuckets}, maxDistance=${this.maxDistance}, ${this.bidirectional ? 'bidirectional' : 'causal'}`;
  }
}
