// The shapes a user kernel is checked at, their seeded inputs, and the CPU backend's answers (the oracle). Sizes
// are odd on purpose (1, 7, 33, 257): a kernel that assumes a multiple of its tile, or forgets a bounds check,
// fails at one of them. The oracle is engine/backend/cpu.ts's plain loops, the same one our own kernels are tested
// against.
import { denseMatmul, type AttentionParams } from '../backend/backend';
import { CpuBackend } from '../backend/cpu';
import { mulberry32 } from '../random';
import type { KernelFamily } from './contract';

export interface KernelCase {
  /** e.g. "B=2 H=3 T=7 d=16 causal window=3" or "M=33 N=7 K=257". */
  label: string;
  /** The sizes the grid header sees (attention: B, H, T, d; matmul: M, N, K). */
  sizes: Record<string, number>;
  /** Every field of the uniform struct. */
  params: Record<string, number>;
  /** The storage inputs by binding name. */
  inputs: Record<string, Float32Array>;
  /** out's shape: (B, H, T, d) or (M, N). */
  outShape: number[];
}

export interface AttentionShape {
  B: number;
  H: number;
  T: number;
  d: number;
  causal: boolean;
  window: number;
}

export interface MatmulShape {
  M: number;
  N: number;
  K: number;
}

export type KernelShape = AttentionShape | MatmulShape;

/** T ∈ {1, 7, 33}, d ∈ {7, 16}, both mask modes, two sliding windows, more than one batch and head. */
export const ATTENTION_SHAPES: readonly AttentionShape[] = [
  { B: 1, H: 1, T: 1, d: 7, causal: false, window: 0 },
  { B: 2, H: 3, T: 7, d: 16, causal: false, window: 0 },
  { B: 1, H: 2, T: 7, d: 7, causal: true, window: 3 },
  { B: 1, H: 2, T: 33, d: 7, causal: true, window: 0 },
  { B: 2, H: 1, T: 33, d: 16, causal: false, window: 0 },
  { B: 1, H: 1, T: 33, d: 16, causal: true, window: 5 },
];

/** A row (1 × N), a column (M × 1), an outer product (K = 1), and products with no side a multiple of a tile. */
export const MATMUL_SHAPES: readonly MatmulShape[] = [
  { M: 1, N: 33, K: 7 },
  { M: 33, N: 1, K: 7 },
  { M: 7, N: 33, K: 1 },
  { M: 33, N: 7, K: 257 },
  { M: 257, N: 33, K: 7 },
];

export function defaultShapes(family: KernelFamily): readonly KernelShape[] {
  return family === 'attention' ? ATTENTION_SHAPES : MATMUL_SHAPES;
}

/** Uniform in [lo, hi), seeded (mulberry32). */
function floats(n: number, seed: number, lo: number, hi: number): Float32Array {
  const u = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * u();
  return out;
}

export function isAttentionShape(s: KernelShape): s is AttentionShape {
  return 'T' in s;
}

export function shapeLabel(s: KernelShape): string {
  if (!isAttentionShape(s)) return `M=${s.M} N=${s.N} K=${s.K}`;
  return `B=${s.B} H=${s.H} T=${s.T} d=${s.d}${s.causal ? ' causal' : ''}${s.window ? ` window=${s.window}` : ''}`;
}

/** Refuses a shape that is not positive integers (or a window that is negative), naming the field. */
export function validateShape(family: KernelFamily, s: KernelShape): void {
  const fields = family === 'attention' ? ['B', 'H', 'T', 'd'] : ['M', 'N', 'K'];
  const rec = s as unknown as Record<string, unknown>;
  for (const f of fields) {
    const v = rec[f];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new Error(`kernel shape ${JSON.stringify(s)}: ${f} must be a positive integer for the ${family} family, got ${String(v)}`);
    }
  }
  if (family === 'attention') {
    const w = rec.window;
    if (typeof w !== 'number' || !Number.isInteger(w) || w < 0) throw new Error(`kernel shape ${JSON.stringify(s)}: window must be an integer ≥ 0, got ${String(w)}`);
    if (typeof rec.causal !== 'boolean') throw new Error(`kernel shape ${JSON.stringify(s)}: causal must be true or false`);
  }
}

/** The inputs of one shape (seeded), and the uniform values the contract passes. */
export function makeCase(s: KernelShape, seed: number): KernelCase {
  if (isAttentionShape(s)) {
    const n = s.B * s.H * s.T * s.d;
    return {
      label: shapeLabel(s),
      sizes: { B: s.B, H: s.H, T: s.T, d: s.d },
      params: { B: s.B, H: s.H, T: s.T, d: s.d, scale: 1 / Math.sqrt(s.d), causal: s.causal ? 1 : 0, window: s.window },
      inputs: { q: floats(n, seed, -2, 2), k: floats(n, seed + 1, -1, 1), v: floats(n, seed + 2, -1, 1) },
      outShape: [s.B, s.H, s.T, s.d],
    };
  }
  return {
    label: shapeLabel(s),
    sizes: { M: s.M, N: s.N, K: s.K },
    params: { M: s.M, N: s.N, K: s.K },
    inputs: { a: floats(s.M * s.K, seed, -1, 1), b: floats(s.K * s.N, seed + 1, -1, 1) },
    outShape: [s.M, s.N],
  };
}

/** The CPU backend's out for a case: its attention loops or its matmul loops. */
export async function oracle(family: KernelFamily, c: KernelCase): Promise<Float32Array> {
  const cpu = new CpuBackend();
  const x = c.params;
  if (family === 'attention') {
    const p: AttentionParams = {
      B: x.B, H: x.H, Tq: x.T, Tk: x.T, d: x.d, scale: x.scale, causal: x.causal === 1, window: x.window,
      mask: 'none', maskStrides: [0, 0, 0, 0], alibi: false,
    };
    const [q, k, v] = [c.inputs.q, c.inputs.k, c.inputs.v].map((a) => cpu.upload(a));
    const f = cpu.attentionForward(q, k, v, null, null, p);
    return (await cpu.read(f.out)) as Float32Array; // (B, H, T, d)
  }
  const [a, b] = [cpu.upload(c.inputs.a), cpu.upload(c.inputs.b)];
  const out = cpu.matmul(a, b, denseMatmul({ batch: 1, M: x.M, N: x.N, K: x.K, aBatchStride: 0, bBatchStride: 0 })).out;
  return (await cpu.read(out)) as Float32Array; // (M, N)
}
