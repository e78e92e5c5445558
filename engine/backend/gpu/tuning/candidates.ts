// The configuration spaces of the autotuner: for each op family, a small typed set of candidate configurations
// (tile sizes, workgroup shapes, rows per invocation, K step, split counts), each under a stable id. The kernels
// (matmul.ts, attention.ts, softmax.ts) take one of these configs; the tuning table (table.ts) says which one a
// shape class gets, and where it says nothing the adapter class's default below runs. The two defaults per family
// are the tilings the kernels used before there was a tuner, so untuned results and speed are unchanged.
//
// Every candidate is correct at every shape (test/tuning.test.ts runs each against the CPU oracle): a candidate
// changes only how the work is cut up, never what is computed. Where a candidate cannot run a call (a tile over
// the adapter's workgroup limits, split-K with row sums), the kernel falls back to the default and says so in its
// kernel name, never to something else.

/** The ops the tuner knows. attentionBackward covers both of its tiled passes (dQ, and dK/dV). */
export type TuneOp = 'matmul' | 'attention' | 'attentionBackward' | 'softmax' | 'layernorm';
export const TUNE_OPS: readonly TuneOp[] = ['matmul', 'attention', 'attentionBackward', 'softmax', 'layernorm'];

/**
 * One tile shape of shaders/matmul_tiled.wgsl: a workgroup of WG_X × WG_Y invocations computes a
 * (WG_Y·RM) × (WG_X·4) tile of C, each invocation RM rows × 4 columns, stepping K by TK (a multiple of 4).
 */
export interface TiledShape {
  WG_X: number;
  WG_Y: number;
  RM: number;
  TK: number;
}

/**
 * The software kernels (shaders/matmul.wgsl, matmul_general.wgsl): `rows` rows of C per invocation (32 or 8;
 * 'auto' picks by size as matmul.ts's plan() explains) in workgroups of wg × wg invocations ('auto': 4, or 2
 * where 4 × 4 would leave too few workgroups).
 */
export interface MatmulSoftwareConfig {
  kind: 'software';
  rows: 'auto' | 8 | 32;
  wg: 'auto' | 2 | 4;
}

/** The workgroup-memory kernel (shaders/matmul_tiled.wgsl) at one tile shape, or 'auto': large or small by size. */
export interface MatmulTiledConfig {
  kind: 'tiled';
  tile: 'auto' | TiledShape;
}

/**
 * Split-K for tall-skinny products (few rows or columns of C, a long K): K is cut into `splits` slices computed
 * as one batched product by the adapter's default kernel into (splits, M, N) partial sums, then a reduction pass
 * adds the slices and applies the epilogue (shaders/matmul_splitk_reduce.wgsl). More workgroups for a C too small
 * to fill the device.
 */
export interface MatmulSplitKConfig {
  kind: 'splitK';
  splits: number;
}

export type MatmulConfig = MatmulSoftwareConfig | MatmulTiledConfig | MatmulSplitKConfig;

/** One attention kernel's workgroup: WG invocations of R rows each, walking tiles of at most TK rows ('fit': the largest that fits). */
export interface AttentionTiling {
  WG: number;
  R: number;
  TK?: number;
}

export interface AttentionForwardConfig {
  forward: AttentionTiling;
}

export interface AttentionBackwardConfig {
  dq: AttentionTiling;
  dkdv: AttentionTiling;
}

/** Threads per row of the row kernels (shaders/row_reduce.wgsl), a power of two ≤ 64; 'auto': the adapter class's rule (softmax.ts's rowLayout). */
export interface RowConfig {
  wg: 'auto' | 1 | 2 | 4 | 8 | 16 | 32 | 64;
}

export interface ConfigOf {
  matmul: MatmulConfig;
  attention: AttentionForwardConfig;
  attentionBackward: AttentionBackwardConfig;
  softmax: RowConfig;
  layernorm: RowConfig;
}

export interface Candidate<C> {
  id: string;
  config: C;
}

/** Each family's candidates and its default per adapter class (software: CPU Vulkans such as SwiftShader; gpu: hardware). */
export interface Family<C> {
  candidates: ReadonlyArray<Candidate<C>>;
  defaults: { software: string; gpu: string };
}

const tiled = (WG_X: number, WG_Y: number, RM: number, TK: number): Candidate<MatmulConfig> => ({
  id: `tiled-${WG_X}x${WG_Y}-rm${RM}-tk${TK}`,
  config: { kind: 'tiled', tile: { WG_X, WG_Y, RM, TK } },
});

/**
 * matmul. The software candidates vary the register block and workgroup that plan() otherwise picks by size; the
 * tiled ones are the two shapes 'auto' switches between plus a shallower K step (less workgroup memory, more
 * workgroups resident per SM) and a taller register block (RM 8: 8 × 4 per invocation, more reuse of each B value)
 * on a 32 × 64 tile; split-K 4 and 8 for tall-skinny shapes.
 */
const MATMUL: Family<MatmulConfig> = {
  candidates: [
    { id: 'software', config: { kind: 'software', rows: 'auto', wg: 'auto' } },
    { id: 'software-r32-wg4', config: { kind: 'software', rows: 32, wg: 4 } },
    { id: 'software-r32-wg2', config: { kind: 'software', rows: 32, wg: 2 } },
    { id: 'software-r8-wg4', config: { kind: 'software', rows: 8, wg: 4 } },
    { id: 'software-r8-wg2', config: { kind: 'software', rows: 8, wg: 2 } },
    { id: 'tiled', config: { kind: 'tiled', tile: 'auto' } },
    tiled(16, 16, 4, 32),
    tiled(8, 8, 4, 32),
    tiled(16, 16, 4, 16),
    tiled(16, 8, 8, 16),
    { id: 'splitk-4', config: { kind: 'splitK', splits: 4 } },
    { id: 'splitk-8', config: { kind: 'splitK', splits: 8 } },
  ],
  defaults: { software: 'software', gpu: 'tiled' },
};

/**
 * Attention forward, measured on SwiftShader at B=1, H=4, T=1024, d=64, causal (ms: 32×4 ≈ 1100, 32×2 ≈ 910,
 * 64×1 ≈ 1950, 32×8 ≈ 470-750, 8×8 ≈ 420-570, 16×8 ≈ 400-410, 16×16 ≈ 360-430 with far longer compiles): small
 * workgroups with several rows per invocation there, so that each K/V vector loaded from workgroup memory feeds R
 * rows' multiply-adds. On hardware GPUs that tiling launches too few workgroups (32 at T = 1024 with 4 heads,
 * fewer than an H200 has SMs; 25× behind tfjs there), so the gpu default is one row per invocation, 32 rows per
 * workgroup; the others trade rows per invocation against workgroups, and a 16-row key tile against occupancy.
 */
const ATTENTION: Family<AttentionForwardConfig> = {
  candidates: [
    { id: 'wg16-r8', config: { forward: { WG: 16, R: 8 } } },
    { id: 'wg8-r8', config: { forward: { WG: 8, R: 8 } } },
    { id: 'wg16-r4', config: { forward: { WG: 16, R: 4 } } },
    { id: 'wg32-r1', config: { forward: { WG: 32, R: 1 } } },
    { id: 'wg64-r1', config: { forward: { WG: 64, R: 1 } } },
    { id: 'wg32-r2', config: { forward: { WG: 32, R: 2 } } },
    { id: 'wg32-r1-tk16', config: { forward: { WG: 32, R: 1, TK: 16 } } },
  ],
  defaults: { software: 'wg16-r8', gpu: 'wg32-r1' },
};

/** The backward's dQ and dK/dV passes, tuned together (one timing covers the whole backward). */
const ATTENTION_BACKWARD: Family<AttentionBackwardConfig> = {
  candidates: [
    { id: 'wg8-r8', config: { dq: { WG: 8, R: 8 }, dkdv: { WG: 8, R: 8 } } },
    { id: 'wg16-r4', config: { dq: { WG: 16, R: 4 }, dkdv: { WG: 16, R: 4 } } },
    { id: 'wg8-r4', config: { dq: { WG: 8, R: 4 }, dkdv: { WG: 8, R: 4 } } },
    { id: 'wg32-r1', config: { dq: { WG: 32, R: 1 }, dkdv: { WG: 32, R: 1 } } },
    { id: 'wg64-r1', config: { dq: { WG: 64, R: 1 }, dkdv: { WG: 64, R: 1 } } },
    { id: 'wg32-r2', config: { dq: { WG: 32, R: 2 }, dkdv: { WG: 32, R: 2 } } },
  ],
  defaults: { software: 'wg8-r8', gpu: 'wg32-r1' },
};

const ROWS: Family<RowConfig> = {
  candidates: [
    { id: 'auto', config: { wg: 'auto' } },
    { id: 'wg1', config: { wg: 1 } },
    { id: 'wg4', config: { wg: 4 } },
    { id: 'wg16', config: { wg: 16 } },
    { id: 'wg64', config: { wg: 64 } },
  ],
  defaults: { software: 'auto', gpu: 'auto' },
};

export const FAMILIES: { [K in TuneOp]: Family<ConfigOf[K]> } = {
  matmul: MATMUL,
  attention: ATTENTION,
  attentionBackward: ATTENTION_BACKWARD,
  softmax: ROWS,
  layernorm: ROWS,
};

/** The candidate `id` of `op`, or undefined. */
export function candidate<K extends TuneOp>(op: K, id: string): Candidate<ConfigOf[K]> | undefined {
  return (FAMILIES[op].candidates as ReadonlyArray<Candidate<ConfigOf[K]>>).find((c) => c.id === id);
}

/** The default candidate of `op` for an adapter class. */
export function defaultCandidate<K extends TuneOp>(op: K, software: boolean): Candidate<ConfigOf[K]> {
  const f = FAMILIES[op];
  return candidate(op, software ? f.defaults.software : f.defaults.gpu)!;
}
