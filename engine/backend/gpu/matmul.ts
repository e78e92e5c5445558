// Batched matmul with strided operands and a fused epilogue: C = act(A @ B + bias), A (batch…, M, K) and
// B (batch…, K, N) read through their strides (a transposed or head-split operand needs no copy), C contiguous.
// The kernels share their parameters, batch offsets and epilogue (shaders/matmul_common.wgsl).
//
// Two software kernels, register-blocked with vec4 multiply-adds: shaders/matmul.wgsl reads A and B as vec4s along
// their rows or, transposed, along their columns (x @ Wᵀ and gᵀ @ x as well as x @ W), computes 32×16 blocks, and
// needs every vec4 to start on a vec4 (K, N, strides and offsets multiples of 4); shaders/matmul_general.wgsl
// reads scalars through any strides, computes 32×16 (or 8×16 for small M) blocks and takes any layout. Neither uses workgroup memory: on SwiftShader it bought nothing over
// register reuse (variants measured are listed in bench/matmul.ts).
//
// Those two are the *software* variant, for CPU implementations of Vulkan (SwiftShader, llvmpipe). On a hardware
// GPU they are slow (4× behind tfjs on an H200 at 1024³): 512 accumulators per invocation spill registers,
// 16-invocation workgroups fill half a warp, and with no workgroup memory nothing is shared between invocations.
// There the *gpu* variant, shaders/matmul_tiled.wgsl, runs instead: 64 × 64 (or 32 × 32) tiles of C per
// workgroup of 16 × 16 (or 8 × 8) invocations, A and B staged through workgroup memory, 4 × 4 per invocation.
// The adapter class's default picks between them (tuning/candidates.ts), a tuned choice per shape class
// (tuning/table.ts) overrides the default, and setMatmulVariant() overrides both for tests and benchmarks. A third
// way, split-K (splitKProduct below), serves tall-skinny products when tuned to.
//
// An operand over the storage-binding limit (GPT-2's tied head reads its 154 MB (V, E) embedding as Bᵀ) is bound
// as just the range its matrix occupies, and where even that is over the limit the product is split along N, M or
// K into chunks whose operand ranges fit (splitProduct), each into a scratch copied (or, along K, added) into C.
import type { MatmulActivation, MatmulOperand, MatmulParams, Storage } from '../backend';
import { OverLimitError, type Binding, type GpuContext, type Grid, type Kernel } from './context';
import { copy } from './elementwise';
import { allocStorage, gpu, type GpuStorage } from './storage';
import { wgslConsts } from './shader';
import { candidate, defaultCandidate, type MatmulConfig, type MatmulSoftwareConfig, type TiledShape } from './tuning/candidates';
import { softwareAdapter } from './adapter-class';
import { configFor, matmulShapeClass } from './tuning/table';

export type { TiledShape } from './tuning/candidates';

/** The epilogue's activation codes, the ACT_* consts of epilogue_act in shaders/matmul_common.wgsl. */
export const MATMUL_ACTIVATIONS: Record<MatmulActivation, number> = { none: 0, relu: 1, gelu: 2, geluTanh: 3, tanh: 4, sigmoid: 5 };
const ACT_CONSTS = wgslConsts('ACT_', MATMUL_ACTIVATIONS);

/** Invocations per workgroup along x (column blocks) and y (row blocks), for both kernels. */
const WG_X = 4;
const WG_Y = 4;

/** Fewer 4 × 4 workgroups than this, and the software kernels run 2 × 2 ones instead (see plan()). */
const MIN_WORKGROUPS = 16;
/** Fewer 32 × 16 blocks of C than this, and the software kernels compute 8 × 16 ones instead (see plan()). */
const MIN_BLOCKS32 = 8;

/**
 * Below this many rows a 32-row block computes mostly discarded rows (clamped duplicates), and the general
 * kernel's 8-row block wins.
 */
const MIN_ROWS_BLOCK32 = 16;

/**
 * Below this many multiply-adds a product takes the 8-row block whatever its shape. The 32-row kernels unroll 32
 * row updates and take about 0.5 s each to compile on SwiftShader, 8-row ones about 0.2 s, while a product this
 * small runs in well under a millisecond either way: MNIST's 64 × 10 @ 10 × 128 in the backward saved 0.3 s of a
 * 400-step run's 2.4 s of first-step compiles.
 */
const MIN_MACS_BLOCK32 = 1 << 17;

/**
 * True when an operand's (rows, cols) matrices can be read as vec4s along their rows: contiguous rows (column
 * stride 1) of `cols`, a multiple of 4, each starting on a vec4 (row stride, offset and batch strides too).
 */
export function rowsOfVec4(o: MatmulOperand, cols: number): boolean {
  return o.colStride === 1 && cols % 4 === 0 && o.rowStride % 4 === 0 && o.offset % 4 === 0 && o.batchStrides.every((s) => s % 4 === 0);
}

/**
 * True when an operand's (rows, cols) matrices can be read as vec4s down their columns (it is stored transposed:
 * row stride 1), `rows` and `cols` multiples of 4 and every column starting on a vec4.
 */
export function colsOfVec4(o: MatmulOperand, rows: number, cols: number): boolean {
  return o.rowStride === 1 && rows % 4 === 0 && cols % 4 === 0 && o.colStride % 4 === 0 && o.offset % 4 === 0 && o.batchStrides.every((s) => s % 4 === 0);
}

/**
 * How the vec4 software kernel (shaders/matmul.wgsl) can read A and B (each along its rows, or transposed along
 * its columns), or null when it cannot. C is stored as vec4s too, which every case needs N % 4 = 0 for.
 */
export function matmulVec4Layout(p: MatmulParams): { A_T: number; B_T: number } | null {
  const aT = !rowsOfVec4(p.a, p.K) && colsOfVec4(p.a, p.M, p.K);
  const bT = !rowsOfVec4(p.b, p.N) && colsOfVec4(p.b, p.K, p.N);
  if (!(aT || rowsOfVec4(p.a, p.K)) || !(bT || rowsOfVec4(p.b, p.N))) return null;
  return { A_T: aT ? 1 : 0, B_T: bT ? 1 : 0 };
}

/**
 * Which kernels matmul() uses. 'auto' (the default): the tiled kernel on hardware GPUs, the SwiftShader-tuned
 * ones on CPU implementations of Vulkan. 'software' / 'gpu' force one family on any adapter; 'gpu-large' /
 * 'gpu-small' force the tiled kernel at one tile size (otherwise chosen by output size, see tiledShapeFor).
 */
export type MatmulVariant = 'auto' | 'software' | 'gpu' | 'gpu-large' | 'gpu-small';
export const MATMUL_VARIANTS: readonly MatmulVariant[] = ['auto', 'software', 'gpu', 'gpu-large', 'gpu-small'];

let variant: MatmulVariant = 'auto';

/**
 * Testing and benchmark hook, not for models: forces a matmul variant for every later matmul in this process
 * (test/matmul.test.ts runs its shape matrix through the GPU variant on SwiftShader; bench/matmul.ts --variant
 * compares them on one adapter). Where the adapter's limits cannot take the tiled kernel, 'gpu*' still falls
 * back to the software kernels.
 */
export function setMatmulVariant(v: MatmulVariant): void {
  variant = v;
}

export function getMatmulVariant(): MatmulVariant {
  return variant;
}

/**
 * The tiled kernel's shapes and the rule between them; exported (mutable) so a benchmark can try others.
 *   large: 16 × 16 = 256 invocations (8 warps), 64 × 64 tile, TK 32: 64·32 + 32·64 floats = 16 KiB of
 *          workgroup memory (the WebGPU default limit), each staged value reused by 16 invocations.
 *   small: 8 × 8 = 64 invocations, 32 × 32 tile, TK 32: 8 KiB. Four times the workgroups for the same output.
 * The large tile reuses more but launches few workgroups: 1024² of C is only 256 of them, about two per SM on
 * an H200 (132 SMs), and 512² only 64. So `large` runs only where it fills the machine: at least
 * minLargeTiles 64 × 64 tiles over the batch, and M and N both ≥ 64 (a thin C would mostly compute zeros).
 * First H200 run (Dawn/Vulkan, driver 580, bench/matmul.ts, matmul + readback, median of 10): 256³ 19 GFLOPS,
 * 512³ 91, 1024³ 259, 2048³ 672 (tfjs 38 / 394 / 691 / 1188): better than the software kernels there (20 / 78 /
 * 178 at 256-1024³) but not yet tfjs; untuned. Compare shapes with bench/matmul.ts --variant=gpu-large|gpu-small.
 */
export const matmulTiled: { large: TiledShape; small: TiledShape; minLargeTiles: number } = {
  large: { WG_X: 16, WG_Y: 16, RM: 4, TK: 32 },
  small: { WG_X: 8, WG_Y: 8, RM: 4, TK: 32 },
  minLargeTiles: 256,
};

/** The template variables of a tiled shape (array lengths and per-invocation load counts precomputed). */
function tiledVars(s: TiledShape): Record<string, number> {
  const wg = s.WG_X * s.WG_Y;
  const TK4 = s.TK / 4;
  const AS4 = s.WG_Y * s.RM * TK4; // As: TM rows of TK4 vec4s
  const BS4 = s.TK * s.WG_X; // Bs: TK rows of TN4 = WG_X vec4s
  return {
    WG_X: s.WG_X, WG_Y: s.WG_Y, RM: s.RM, TK: s.TK, TK4, TN4: s.WG_X, AS4, BS4,
    A_LOADS: AS4 / wg, B_LOADS: BS4 / wg,
  };
}

/** Null when this adapter can run the shape, else why not (the caller then tries another or falls back). */
function tiledUnfit(ctx: GpuContext, s: TiledShape): string | null {
  const l = ctx.limits;
  const wg = s.WG_X * s.WG_Y;
  const v = tiledVars(s);
  if (s.TK % 4 !== 0 || !Number.isInteger(v.A_LOADS) || !Number.isInteger(v.B_LOADS)) {
    return `tile ${JSON.stringify(s)}: TK must be a multiple of 4 and each tile a whole number of vec4s per invocation`;
  }
  if (wg > l.maxComputeInvocationsPerWorkgroup || s.WG_X > l.maxComputeWorkgroupSizeX || s.WG_Y > l.maxComputeWorkgroupSizeY) {
    return `${s.WG_X}×${s.WG_Y} invocations exceed the workgroup limits`;
  }
  const bytes = (v.AS4 + v.BS4) * 16;
  if (bytes > l.maxComputeWorkgroupStorageSize) return `${bytes} bytes of workgroup memory exceed the limit`;
  return null;
}

/**
 * The config a product runs: the forced variant's, else the tuning table's for its shape class, else the adapter
 * class's default (the software kernels on CPU Vulkans, the tiled kernel with its automatic tile on GPUs).
 */
function configOf(ctx: GpuContext, p: MatmulParams): MatmulConfig {
  if (variant === 'software') return candidate('matmul', 'software')!.config;
  if (variant !== 'auto') return candidate('matmul', 'tiled')!.config;
  const batch = p.batchShape.reduce((x, y) => x * y, 1);
  return configFor(ctx, 'matmul', matmulShapeClass({ M: p.M, N: p.N, K: p.K, batch })).config;
}

/**
 * The tiled shape for this product under `cfg`, or null for the software kernels (a software config, or an
 * adapter that fits no tile). An explicit tile that does not fit this adapter falls back to the automatic choice.
 */
function tiledShapeFor(ctx: GpuContext, p: MatmulParams, cfg: MatmulConfig): TiledShape | null {
  if (cfg.kind !== 'tiled') return null;
  if (cfg.tile !== 'auto' && tiledUnfit(ctx, cfg.tile) === null) return cfg.tile;
  const v = variant;
  const { large, small, minLargeTiles } = matmulTiled;
  const batch = p.batchShape.reduce((x, y) => x * y, 1);
  const tiles = Math.ceil(p.M / (large.WG_Y * large.RM)) * Math.ceil(p.N / (large.WG_X * 4)) * batch;
  const wantLarge = v === 'gpu-large' || (v !== 'gpu-small' && p.M >= 64 && p.N >= 64 && tiles >= minLargeTiles);
  const order = wantLarge ? [large, small] : [small, large];
  return order.find((s) => tiledUnfit(ctx, s) === null) ?? null;
}

/** The kernel matmul() runs for some parameters, before it is compiled, and its C block per workgroup. */
interface Plan {
  base: 'matmul' | 'matmul_general' | 'matmul_tiled'; // also its file in shaders/
  vars: Record<string, number>; // template variables
  constants: Record<string, number>; // override constants
  wgRows: number; // rows of C per workgroup
  wgCols: number;
}

/** The kernel's name: its base and template variables. */
function planName(pl: Plan): string {
  return `${pl.base}|${Object.entries(pl.vars).map(([key, val]) => `${key}=${val}`).join(',')}`;
}

/** The plan's kernel, compiled once per device. */
function compile(ctx: GpuContext, pl: Plan): Kernel {
  return ctx.kernel(planName(pl), { file: pl.base, vars: pl.vars, consts: ACT_CONSTS }, pl.constants);
}

/**
 * Testing and benchmark hooks, as matmulTiled: the software kernels compute 8-row blocks where 32-row ones would
 * number fewer than minBlocks32, and run 2 × 2 workgroups where 4 × 4 ones would number fewer than minWorkgroups.
 */
export const matmulSoftware = { minBlocks32: MIN_BLOCKS32, minWorkgroups: MIN_WORKGROUPS };

/**
 * The bias and the activation are template switches, not uniforms: SwiftShader runs every branch of a kernel
 * under a mask, so a runtime switch over the activations made the epilogue compute all of them (1024³ fell from
 * 4.2 to 2.8 GFLOPS, and the small products of a training step ran 3× slower).
 */
function plan(ctx: GpuContext, p: MatmulParams, bias: boolean, cfg: MatmulConfig): Plan {
  const epilogue = { BIAS: bias ? 1 : 0, ACT: MATMUL_ACTIVATIONS[p.activation], SUM_A: p.sumA ? 1 : 0 };
  const t = tiledShapeFor(ctx, p, cfg);
  if (t) {
    const vars = {
      ...tiledVars(t), A_VEC4: rowsOfVec4(p.a, p.K) ? 1 : 0, B_VEC4: rowsOfVec4(p.b, p.N) ? 1 : 0, OUT_VEC4: p.N % 4 === 0 ? 1 : 0, ...epilogue,
    };
    return { base: 'matmul_tiled', vars, constants: {}, wgRows: t.WG_Y * t.RM, wgCols: t.WG_X * 4 };
  }
  const vec4 = matmulVec4Layout(p);
  const batch = p.batchShape.reduce((x, y) => x * y, 1);
  // 32-row blocks where there are enough of them to share out, else 8-row ones: dW = gᵀ x of a 32 × 32 weight
  // over 512 rows is only two 32 × 16 blocks, one core's work on SwiftShader.
  const blocks32 = Math.ceil(p.M / 32) * Math.ceil(p.N / 16) * batch;
  const big32 = p.M >= MIN_ROWS_BLOCK32 && p.M * p.N * p.K * batch >= MIN_MACS_BLOCK32;
  const sw: Pick<MatmulSoftwareConfig, 'rows' | 'wg'> = cfg.kind === 'software' ? cfg : { rows: 'auto', wg: 'auto' };
  const rows = sw.rows !== 'auto' ? sw.rows : big32 && blocks32 >= matmulSoftware.minBlocks32 ? 32 : 8;
  // 4 × 4 invocations per workgroup, or 2 × 2 when that would leave fewer than minWorkgroups workgroups:
  // SwiftShader runs a workgroup on one thread, so MNIST's 64 × 784 @ 784 × 128 as one 4 × 4 workgroup used
  // one of the two cores.
  const big = Math.ceil(p.M / (rows * WG_Y)) * Math.ceil(p.N / (16 * WG_X)) * batch >= matmulSoftware.minWorkgroups;
  const side = sw.wg !== 'auto' ? sw.wg : big ? WG_X : WG_X / 2;
  const wg = { WG_X: side, WG_Y: side };
  const block = { wgRows: rows * wg.WG_Y, wgCols: 16 * wg.WG_X };
  if (vec4) return { base: 'matmul', vars: { ...vec4, ROWS: rows, ROWS4: rows / 4, ...epilogue }, constants: wg, ...block };
  return { base: 'matmul_general', vars: { ROWS: rows, ...epilogue }, constants: wg, ...block };
}

/**
 * For tests and benchmarks: the kernel matmul() runs for these parameters on this context under the current
 * variant ('matmul|…', 'matmul_general|…' or 'matmul_tiled|…' with its template variables), and its C block per
 * workgroup.
 */
export function matmulKernelInfo(ctx: GpuContext, p: MatmulParams, bias = false): { name: string; wgRows: number; wgCols: number } {
  const cfg = configOf(ctx, p);
  const pl = plan(ctx, p, bias, innerConfig(ctx, cfg));
  const splits = cfg.kind === 'splitK' ? splitKSlices(ctx, p, cfg.splits) : null;
  return { name: `${splits ? `splitk=${splits.count}|` : ''}${planName(pl)}`, wgRows: pl.wgRows, wgCols: pl.wgCols };
}

/** The kernel config that computes the products themselves: a split-K config's slices run the adapter's default. */
function innerConfig(ctx: GpuContext, cfg: MatmulConfig): MatmulConfig {
  return cfg.kind === 'splitK' ? defaultCandidate('matmul', softwareAdapter(ctx)).config : cfg;
}

/** A vec4 of per-dim values, outermost first, padded in front with `pad` to the kernels' 4 batch dims. */
function batch4(values: readonly number[], pad: number): number[] {
  if (values.length > 4) throw new Error(`internal: matmul takes at most 4 batch dims, got ${values.length}`);
  return [...new Array<number>(4 - values.length).fill(pad), ...values];
}

export function matmul(ctx: GpuContext, as: Storage, bs: Storage, p: MatmulParams, biasS: Storage | null = null): { out: GpuStorage; sumA?: GpuStorage } {
  const a = gpu(as);
  const b = gpu(bs);
  const bias = biasS ? gpu(biasS) : null;
  const { M, N } = p;
  const batch = p.batchShape.reduce((x, y) => x * y, 1);
  if (p.sumA && batch !== 1) throw new Error('internal: matmul sumA needs a single matrix');
  const shape = `(${[...p.batchShape, M, N].join(', ')})`;
  const outBytes = batch * M * N * 4;
  if (outBytes > ctx.bindingLimit) {
    throw new OverLimitError(
      `matmul: the output of shape ${shape} is ${outBytes} bytes, over the storage binding limit of ${ctx.bindingLimit} ` +
        'bytes. Only an operand is split over several bindings, never the output: compute fewer rows at once (a ' +
        'language model that samples needs only the last position\'s logits). A gradient this large belongs to a ' +
        'weight over the binding limit: training a weight over the binding limit (its gradient, its optimizer step) ' +
        'is not supported on this adapter; inference through it is.',
    );
  }
  const out = allocStorage(ctx, batch * M * N, 'float32', `a matmul output of shape ${shape}`);
  const sumA = p.sumA ? allocStorage(ctx, M, 'float32') : undefined;
  if (batch * M * N === 0) return { out, sumA };
  // K = 0 is an empty sum: every kernel then skips its K loop and stores the epilogue of 0.
  const cfg = configOf(ctx, p);
  const inner = innerConfig(ctx, cfg);
  const split = splitPlan(ctx, a, b, p, bias !== null);
  const slices = cfg.kind === 'splitK' && !split ? splitKSlices(ctx, p, cfg.splits) : null;
  if (split) splitProduct(ctx, a, b, p, bias, out, sumA ?? null, split, inner);
  else if (slices) splitKProduct(ctx, a, b, p, bias, out, slices, inner);
  else encode(ctx, a, b, p, bias, out.buffer, sumA?.buffer ?? null, inner);
  return { out, sumA };
}

/** Encodes act(A @ B + bias) into `out` (and Σ_k A into `sumA`): one dispatch, or several for a huge grid. */
function encode(
  ctx: GpuContext, a: GpuStorage, b: GpuStorage, p: MatmulParams, bias: GpuStorage | null, out: GPUBuffer, sumA: GPUBuffer | null, cfg: MatmulConfig,
): void {
  const { M, N, K } = p;
  const batch = p.batchShape.reduce((x, y) => x * y, 1);
  const pl = plan(ctx, p, bias !== null, cfg);
  const kernel = compile(ctx, pl);
  const { wgRows, wgCols } = pl;
  // The full grid: x over column blocks, y over row blocks, z over the batch (all kernels lay it out alike).
  const full: Grid = [Math.ceil(N / wgCols), Math.ceil(M / wgRows), batch];
  const A = bindOperand(ctx, a.buffer, p.a, M, K, p.batchShape);
  const B = bindOperand(ctx, b.buffer, p.b, K, N, p.batchShape);
  const buffers: Record<string, Binding> = { a: A.binding, b: B.binding, out };
  if (bias) buffers.bias = bias.buffer;
  if (sumA) buffers.sumA = sumA;
  const uniforms = {
    M, N, K, biasOffset: p.biasOffset,
    aOffset: A.offset, aRowStride: p.a.rowStride, aColStride: p.a.colStride,
    bOffset: B.offset, bRowStride: p.b.rowStride, bColStride: p.b.colStride,
    batchShape: batch4(p.batchShape, 1), aBatchStrides: batch4(p.a.batchStrides, 0), bBatchStrides: batch4(p.b.batchStrides, 0),
  };
  for (const [offset, grid] of splitGrid(full, ctx.limits.maxComputeWorkgroupsPerDimension)) {
    ctx.dispatch(kernel, buffers, { ...uniforms, wgOffset: offset }, grid);
  }
}

/** Elements [lo, hi] of its storage that an operand's (rows, cols) matrices over the batch read (hi < lo: none). */
function operandSpan(o: MatmulOperand, rows: number, cols: number, batchShape: readonly number[]): [number, number] {
  if (rows === 0 || cols === 0 || batchShape.includes(0)) return [o.offset, o.offset - 1];
  let hi = o.offset + (rows - 1) * o.rowStride + (cols - 1) * o.colStride; // strides are never negative
  batchShape.forEach((d, i) => (hi += (d - 1) * o.batchStrides[i]));
  return [o.offset, hi];
}

/**
 * How an operand is bound: its whole buffer when that fits the binding limit (offset unchanged), else the range
 * its matrices occupy, from the aligned byte at or before the first, in whole vec4s, with the offset rebased to
 * the range. The rebase moves the offset by a multiple of 64 elements, so the vec4 layouts plan() chose still hold.
 */
function bindOperand(ctx: GpuContext, buffer: GPUBuffer, o: MatmulOperand, rows: number, cols: number, batchShape: readonly number[]): { binding: Binding; offset: number } {
  if (buffer.size <= ctx.bindingLimit) return { binding: buffer, offset: o.offset };
  const [lo, hi] = operandSpan(o, rows, cols, batchShape);
  const align = ctx.limits.minStorageBufferOffsetAlignment;
  const base = Math.floor((lo * 4) / align) * align;
  const size = Math.min(buffer.size - base, Math.max(16, Math.ceil(((hi + 1) * 4 - base) / 16) * 16));
  return { binding: { buffer, offset: base, size }, offset: o.offset - base / 4 };
}

type SplitDim = 'M' | 'N' | 'K';

/** The chunk of the product covering [d0, d0 + size) along `dim`: the operands' offsets moved to its start. */
function chunkParams(p: MatmulParams, dim: SplitDim, d0: number, size: number): MatmulParams {
  if (dim === 'N') return { ...p, N: size, b: { ...p.b, offset: p.b.offset + d0 * p.b.colStride }, biasOffset: p.biasOffset + d0 };
  if (dim === 'M') return { ...p, M: size, a: { ...p.a, offset: p.a.offset + d0 * p.a.rowStride } };
  return { ...p, K: size, a: { ...p.a, offset: p.a.offset + d0 * p.a.colStride }, b: { ...p.b, offset: p.b.offset + d0 * p.b.rowStride } };
}

/**
 * Null when both operands bind (whole, or as the range their matrices occupy) within the limit; else the split,
 * of the dimensions along which chunks do fit, that takes the fewest chunks. Splitting N (the columns of B) is
 * what x @ Wᵀ with a huge W (V, E) needs: a chunk of columns is a run of W's rows. K (which sums chunk
 * products) serves g @ W in its backward; it needs a plain product (no bias, activation or row sums).
 */
function splitPlan(ctx: GpuContext, a: GpuStorage, b: GpuStorage, p: MatmulParams, hasBias: boolean): { dim: SplitDim; chunk: number } | null {
  const cap = ctx.bindingLimit;
  if (a.buffer.size <= cap && b.buffer.size <= cap) return null;
  // Room for a span with the worst alignment slack before it and the vec4 rounding after it.
  const room = cap - (ctx.limits.minStorageBufferOffsetAlignment - 4) - 12;
  const spanBytes = (o: MatmulOperand, rows: number, cols: number): number => {
    const [lo, hi] = operandSpan(o, rows, cols, p.batchShape);
    return (hi - lo + 1) * 4;
  };
  const fits = (q: MatmulParams): boolean =>
    (a.buffer.size <= cap || spanBytes(q.a, q.M, q.K) <= room) && (b.buffer.size <= cap || spanBytes(q.b, q.K, q.N) <= room);
  if (fits(p)) return null;
  const shapes = `A (${[...p.batchShape, p.M, p.K].join(', ')}) @ B (${[...p.batchShape, p.K, p.N].join(', ')})`;
  if (p.batchShape.some((d) => d !== 1)) {
    throw new OverLimitError(
      `matmul: ${shapes} reads an operand over the storage binding limit of ${cap} bytes; only a single matrix ` +
        'product is split over several bindings, not a batch',
    );
  }
  const plainSum = !hasBias && p.activation === 'none' && !p.sumA;
  let best: { dim: SplitDim; chunk: number; count: number } | null = null;
  for (const dim of ['N', 'M', 'K'] as const) {
    if (dim === 'K' && !plainSum) continue;
    const extent = p[dim];
    if (!fits(chunkParams(p, dim, 0, 1))) continue;
    // The largest chunk that fits: spans grow with the chunk, so bisect.
    let [lo, hi] = [1, extent];
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (fits(chunkParams(p, dim, 0, mid))) lo = mid;
      else hi = mid - 1;
    }
    const count = Math.ceil(extent / lo);
    if (!best || count < best.count) best = { dim, chunk: lo, count };
  }
  if (!best) {
    throw new OverLimitError(
      `matmul: ${shapes} reads an operand over the storage binding limit of ${cap} bytes, and no split of it into ` +
        `chunks fits (${plainSum ? 'along M, N or K' : 'along M or N; K is split only without a bias, activation or row sums'})`,
    );
  }
  return { dim: best.dim, chunk: best.chunk };
}

/**
 * Runs the product chunk by chunk along `split.dim`. Each chunk computes into a scratch that is copied into its
 * block of C: columns [n0, n1) for N, rows for M; along K the chunk products are added into C (so the sum's order
 * differs from the unsplit kernel's, within float32 rounding). Row sums (sumA) follow their rows.
 */
function splitProduct(
  ctx: GpuContext, a: GpuStorage, b: GpuStorage, p: MatmulParams, bias: GpuStorage | null, out: GpuStorage, sumA: GpuStorage | null,
  split: { dim: SplitDim; chunk: number }, cfg: MatmulConfig,
): void {
  const { M, N } = p;
  const { dim, chunk } = split;
  const scratch: GpuStorage[] = [];
  const temp = (n: number): GpuStorage => {
    const t = allocStorage(ctx, n, 'float32', 'a matmul chunk');
    scratch.push(t);
    return t;
  };
  try {
    for (let d0 = 0; d0 < p[dim]; d0 += chunk) {
      const size = Math.min(chunk, p[dim] - d0);
      const q = chunkParams(p, dim, d0, size);
      if (dim === 'K') {
        if (d0 === 0) {
          encode(ctx, a, b, q, null, out.buffer, null, cfg);
        } else {
          const part = temp(M * N); // (M, N)
          encode(ctx, a, b, q, null, part.buffer, null, cfg);
          const whole = { shape: [M * N], strides: [1], offset: 0 };
          copy(ctx, part, whole, { storage: out, view: whole }, true);
        }
        continue;
      }
      const rows = dim === 'M' ? size : M;
      const cols = dim === 'N' ? size : N;
      const part = temp(rows * cols); // (rows, cols)
      // N chunks all compute the row sums; the first one's are kept.
      const partSum = sumA ? (dim === 'N' && d0 === 0 ? sumA : temp(rows)) : null;
      encode(ctx, a, b, q, bias, part.buffer, partSum?.buffer ?? null, cfg);
      const src = { shape: [rows, cols], strides: [cols, 1], offset: 0 };
      const dst = dim === 'N' ? { shape: [rows, cols], strides: [N, 1], offset: d0 } : { shape: [rows, cols], strides: [N, 1], offset: d0 * N };
      copy(ctx, part, src, { storage: out, view: dst });
      if (sumA && dim === 'M') copy(ctx, partSum!, { shape: [rows], strides: [1], offset: 0 }, { storage: sumA, view: { shape: [rows], strides: [1], offset: d0 } });
    }
  } finally {
    // Later users of the scratch buffers are encoded after these dispatches, so they can go back at once.
    for (const t of scratch) ctx.pool.release(t.buffer);
  }
}

/** Split-K's cut of K: `count` slices of `slice` steps, then `rest` (< count) steps computed apart. */
interface SplitK {
  count: number;
  slice: number;
  rest: number;
}

/**
 * How split-K cuts this product, or null where it does not apply and the default kernel runs instead: a batch
 * (its products are already many), row sums (Linear's dW; they would need their own reduction), slices under 4
 * steps of K (nothing to gain), or partial sums over the binding limit.
 */
function splitKSlices(ctx: GpuContext, p: MatmulParams, splits: number): SplitK | null {
  const batch = p.batchShape.reduce((x, y) => x * y, 1);
  const slice = Math.floor(p.K / splits);
  if (batch !== 1 || p.sumA || slice < 4 || splits * p.M * p.N * 4 > ctx.bindingLimit) return null;
  return { count: splits, slice, rest: p.K - splits * slice };
}

/**
 * C = act(Σ_j A[:, K_j] @ B[K_j, :] + bias) with K cut into slices K_j: the slices' products run as one batched
 * product of the inner kernel into (count, M, N) partial sums (the rest of K, under `count` steps, as one more
 * product into (M, N)), then shaders/matmul_splitk_reduce.wgsl adds them per element of C and applies the
 * epilogue. For a thin C over a long K (8192 × 64 @ 64 … or M = 64, K = 8192) the plain kernels launch a
 * handful of workgroups, each walking all of K; here each walks a slice, count times as many of them. The sum's
 * order differs from the plain kernels' (slice by slice), within float32 rounding.
 */
function splitKProduct(
  ctx: GpuContext, a: GpuStorage, b: GpuStorage, p: MatmulParams, bias: GpuStorage | null, out: GpuStorage, s: SplitK, cfg: MatmulConfig,
): void {
  const { M, N } = p;
  const plain: MatmulParams = { ...p, activation: 'none', sumA: false, biasOffset: 0 };
  // Slice j as batch entry j: A viewed (count, M, slice) and B (count, slice, N), each batch step moving K by
  // one slice.
  const sliced: MatmulParams = {
    ...plain, K: s.slice, batchShape: [s.count],
    a: { ...p.a, batchStrides: [s.slice * p.a.colStride] },
    b: { ...p.b, batchStrides: [s.slice * p.b.rowStride] },
  };
  const parts = allocStorage(ctx, s.count * M * N, 'float32', 'split-K partial sums'); // (count, M, N)
  const rest = s.rest > 0 ? allocStorage(ctx, M * N, 'float32', 'split-K remainder') : null; // (M, N)
  try {
    encode(ctx, a, b, sliced, null, parts.buffer, null, cfg);
    if (rest) encode(ctx, a, b, chunkParams(plain, 'K', s.count * s.slice, s.rest), null, rest.buffer, null, cfg);
    const vars = { BIAS: bias ? 1 : 0, ACT: MATMUL_ACTIVATIONS[p.activation], SUM_A: 0, REST: rest ? 1 : 0 };
    const name = `matmul_splitk_reduce|${Object.entries(vars).map(([key, val]) => `${key}=${val}`).join(',')}`;
    const kernel = ctx.kernel(name, { file: 'matmul_splitk_reduce', vars, consts: ACT_CONSTS });
    const buffers: Record<string, Binding> = { parts: parts.buffer, out: out.buffer };
    if (bias) buffers.bias = bias.buffer;
    if (rest) buffers.rest = rest.buffer;
    ctx.dispatch(kernel, buffers, { M, N, K: s.count, biasOffset: p.biasOffset }, ctx.grid1d(Math.ceil((M * N) / 64)));
  } finally {
    // Read only by the dispatches encoded above (see splitProduct).
    ctx.pool.release(parts.buffer);
    if (rest) ctx.pool.release(rest.buffer);
  }
}

/**
 * Cuts a grid into slabs of at most `max` workgroups per dimension, each with its offset in the full grid; the
 * kernels add the offset to workgroup_id. Almost always one slab; a batch of 70 000 or a 5-million-row A is not.
 */
export function splitGrid(full: Grid, max: number): Array<[Grid, Grid]> {
  const slabs: Array<[Grid, Grid]> = [];
  for (let z = 0; z < full[2]; z += max) {
    for (let y = 0; y < full[1]; y += max) {
      for (let x = 0; x < full[0]; x += max) {
        slabs.push([
          [x, y, z],
          [Math.min(max, full[0] - x), Math.min(max, full[1] - y), Math.min(max, full[2] - z)],
        ]);
      }
    }
  }
  return slabs;
}
