// The counter-based random numbers that dropout draws inside kernels. Both backends compute the same function
// of (seed, index), so a seeded dropout mask is identical on the CPU and the GPU, and needs no state.
// It is the "lowbias32" integer hash (Chris Wellons' hash-prospector), applied twice with the seed mixed in.

export function hash32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  return x;
}

/** 24 hashed bits of (seed, index): an integer uniform in [0, 2^24). */
export function dropoutBits(seed: number, index: number): number {
  return hash32((hash32(seed >>> 0) ^ (index >>> 0)) >>> 0) >>> 8;
}

/** The same draw as a number in [0, 1); exact in float32. */
export function dropoutUniform(seed: number, index: number): number {
  return dropoutBits(seed, index) / 16777216;
}

/**
 * An element is kept when dropoutBits ≥ threshold = ceil(p · 2^24), compared as integers so that every backend
 * agrees exactly, and kept elements become `scale` = 1/(1−p) rounded to float32 (0 when p = 1).
 */
export function dropoutParams(p: number): { threshold: number; scale: number } {
  return {
    threshold: Math.min(16777216, Math.ceil(p * 16777216)),
    scale: p >= 1 ? 0 : Math.fround(1 / (1 - p)),
  };
}
