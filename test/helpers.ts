// Shared test utilities: the GPU backend (failing loudly, never skipping, when no adapter exists), a seeded
// random source, and an all-close assertion that reports the worst element.
import { expect } from 'vitest';
import { WebGPUBackend } from '../engine/backend/webgpu';
import type { TypedArray } from '../engine/dtype';

let shared: Promise<WebGPUBackend> | null = null;

/**
 * One WebGPU backend per test file. When no adapter exists this rejects with NoAdapterError, whose message says
 * how to install one, so every GPU test fails with that message instead of being skipped.
 */
export function gpuBackend(): Promise<WebGPUBackend> {
  shared ??= WebGPUBackend.create();
  return shared;
}

/** mulberry32: a tiny seeded PRNG, so every test input is reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform floats in [lo, hi). */
export function randArray(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * r();
  return out;
}

export function randInts(n: number, seed: number, lo: number, hi: number): Int32Array {
  const r = rng(seed);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + Math.floor((hi - lo) * r());
  return out;
}

export interface Tolerance {
  atol: number;
  rtol: number;
}

/**
 * Asserts |actual - expected| ≤ atol + rtol·|expected| elementwise, with matching lengths. NaN matches NaN and
 * ±Inf matches the same infinity. The failure names the worst index and both values.
 */
export function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, what = ''): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) || !Number.isFinite(e)) {
      if (!Object.is(a, e) && !(Number.isNaN(a) && Number.isNaN(e))) {
        worst = i;
        worstExcess = Infinity;
        break;
      }
      continue;
    }
    const excess = Math.abs(a - e) - (tol.atol + tol.rtol * Math.abs(e));
    if (!(excess <= 0) && (excess > worstExcess || Number.isNaN(a))) {
      worst = i;
      worstExcess = Number.isNaN(a) ? Infinity : excess;
    }
  }
  if (worst >= 0) {
    expect.fail(
      `${what}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} ` +
        `(atol ${tol.atol}, rtol ${tol.rtol}, n=${expected.length})`,
    );
  }
}

export function toNumbers(a: TypedArray): number[] {
  return Array.from(a);
}

/** The odd sizes every kernel is checked at. */
export const ODD_SIZES = [1, 7, 33, 257, 1000];
