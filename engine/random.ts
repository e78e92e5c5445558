import { hash32 } from './backend/rng';

// Seeded randomness for tensor initialisation. Values are generated on the host and uploaded, so the same seed
// gives bit-identical tensors on every device: a CPU run and a GPU run of one model start from the same weights.

/**
 * mulberry32: 32 bits of state, fast, and good enough for initialisation and shuffling. The seed is hashed
 * first: raw small seeds (0, 1, 2) otherwise start the stream with nearly-zero draws.
 */
export function mulberry32(seed: number): () => number {
  let a = hash32((seed >>> 0) ^ 0x9e3779b9);
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let globalSeed = 0x5eed;

/** Sets the seed used by randn/rand calls that pass none, like torch.manual_seed. */
export function manualSeed(seed: number): void {
  globalSeed = seed >>> 0;
}

/** The seed for a call: the caller's, or the next one from the global stream. */
export function nextSeed(seed?: number): number {
  if (seed !== undefined) return seed >>> 0;
  globalSeed = (Math.imul(globalSeed, 1664525) + 1013904223) >>> 0;
  return globalSeed;
}

let drawing = true;

/**
 * Runs fn with initialisation draws turned off: normalArray and uniformArray return zeros, so a model about to be
 * overwritten by a checkpoint is built without drawing its parameters (for GPT-2 small, 124M values: about 3 s on
 * the CPU). The seeds still advance as usual.
 */
export function withoutInitDraws<T>(fn: () => T): T {
  const prev = drawing;
  drawing = false;
  try {
    return fn();
  } finally {
    drawing = prev;
  }
}

/** Standard normal samples by the Box–Muller transform. */
export function normalArray(n: number, seed: number): Float32Array {
  const u = mulberry32(seed);
  const out = new Float32Array(n);
  if (!drawing) return out;
  for (let i = 0; i < n; i += 2) {
    const u1 = 1 - u(); // (0, 1], so log(u1) is finite
    const u2 = u();
    const r = Math.sqrt(-2 * Math.log(u1));
    out[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

/** Uniform samples in [lo, hi). */
export function uniformArray(n: number, seed: number, lo = 0, hi = 1): Float32Array {
  const u = mulberry32(seed);
  const out = new Float32Array(n);
  if (!drawing) return out;
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * u();
  return out;
}
