// Fused scaled-dot-product attention on WebGPU: a FlashAttention-style forward (shaders/attention_forward.wgsl)
// and a three-pass backward (attention_backward_delta.wgsl → attention_backward_dq.wgsl and
// attention_backward_dkdv.wgsl). None of them stores a Tq×Tk matrix, and none needs float atomics.
//
// The three big kernels are templates (see template.ts), expanded per head dim, tile size and mask features with
// attention_common.wgsl included: Tint does not unroll loops, and SwiftShader runs the unrolled head-dim loops
// over constant-indexed private arrays much faster than loops.
//
// Tiles: an invocation owns R query (or key) rows and a workgroup of WG invocations walks tiles of TK rows of the
// other side through workgroup memory. WG and R (and a cap on TK) come from the config tuning/ gives the call's
// shape class (the adapter class's default unless tuned). TK is the largest of 32, 16, 8, 4 (up to the cap) whose
// two tiles fit the adapter's maxComputeWorkgroupStorageSize; where none fits, or the head dim is not a multiple of 4 up to 128 (the
// registers an invocation holds grow with R·d), attentionUnsupported() says why and ops/ composes attention from
// matmul and softmax instead.
import { attentionLayouts, denseAttentionGrads, type AttentionBackwardResult, type AttentionForwardResult, type AttentionGradLayouts, type AttentionParams, type HeadLayout, type Storage } from '../backend';
import type { GpuContext, Kernel } from './context';
import { allocStorage, gpu, type GpuStorage } from './storage';
import { fill } from './elementwise';
import { softwareAdapter } from './adapter-class';
import { defaultCandidate, type AttentionTiling } from './tuning/candidates';
import { attentionShapeClass, configFor } from './tuning/table';
import { sparseTiles, type SparseTiles } from './attention-tiles';
import type { BlockLayout } from '../../ops/sparse-layout';

/** The largest head dim the fused kernels take: each invocation keeps about 4·R·d floats in registers. */
export const MAX_FUSED_HEAD_DIM = 128;

export type { AttentionTiling } from './tuning/candidates';

type Which = 'forward' | 'dq' | 'dkdv';

/**
 * The configured tiling of one kernel at this call's shape class (tuning/candidates.ts lists the candidates and
 * why the defaults are what they are); a tuned tiling whose workgroup exceeds the adapter's limits gives way to
 * the default.
 */
function configuredTiling(ctx: GpuContext, which: Which, p: AttentionParams): AttentionTiling {
  const cls = attentionShapeClass({ T: p.Tq, d: p.d, causal: p.causal });
  const fallback = (): AttentionTiling => {
    const sw = softwareAdapter(ctx);
    return which === 'forward' ? defaultCandidate('attention', sw).config.forward : defaultCandidate('attentionBackward', sw).config[which];
  };
  const t = which === 'forward' ? configFor(ctx, 'attention', cls).config.forward : configFor(ctx, 'attentionBackward', cls).config[which];
  return t.WG <= maxWorkgroup(ctx) ? t : fallback();
}

const maxWorkgroup = (ctx: GpuContext): number => Math.min(ctx.limits.maxComputeInvocationsPerWorkgroup, ctx.limits.maxComputeWorkgroupSizeX);

/**
 * The tiling for one kernel: the configured shape, with R halved above d = 64 (registers and compile time grow
 * with R·d), and cut down for short sequences so that a workgroup's WG·R rows do not exceed the rows there are
 * (rows: Tq for the forward and dq, Tk for dkdv): with 16 queries, 16 × 8 rows per workgroup would compute 7
 * clamped copies of each (names GPT, T = 16, spent 10 ms of a 57 ms step so).
 */
function tilingFor(ctx: GpuContext, which: Which, p: AttentionParams): AttentionTiling {
  const t = configuredTiling(ctx, which, p);
  const rows = which === 'dkdv' ? p.Tk : p.Tq;
  let R = p.d > 64 ? Math.max(1, t.R / 2) : t.R;
  while (R > 1 && t.WG * (R / 2) >= rows) R /= 2;
  return { WG: t.WG, R, TK: t.TK };
}

/**
 * For the tuner and tests: each kernel's workgroup, rows per invocation and key/query tile at these parameters
 * under the current config, as '<which> WG×R/TK' (two configs that give the same text run the same kernels).
 */
export function attentionKernelInfo(ctx: GpuContext, p: AttentionParams, which: readonly Which[]): string {
  return which.map((w) => {
    const t = tilingFor(ctx, w, p);
    return `${w} ${t.WG}×${t.R}/${callTileRows(ctx, p, t.TK)}`;
  }).join(', ');
}

const TILE_ROWS = [32, 16, 8, 4];

/** Rows per tile whose workgroup arrays fit: two (TK, d) float tiles plus `extraPerRow` floats per tile row. */
function tileRows(ctx: GpuContext, d: number, extraPerRow: number): number | null {
  const limit = ctx.limits.maxComputeWorkgroupStorageSize;
  return TILE_ROWS.find((tk) => tk * (2 * d + extraPerRow) * 4 <= limit) ?? null;
}

/**
 * The tile rows of a call: the largest that fits, and with a block layout the largest of those that also divides
 * its block size, so that every tile lies inside one block (the kernels look the layout up once per row and
 * tile). null when none does.
 */
function callTileRows(ctx: GpuContext, p: AttentionParams, cap = Infinity): number | null {
  const largest = tileRows(ctx, p.d, 2);
  if (largest === null) return null;
  // A config's cap on the tile, never below the smallest tile (the support check below needs only that one).
  const fit = TILE_ROWS.find((tk) => tk <= Math.min(largest, cap)) ?? TILE_ROWS[TILE_ROWS.length - 1];
  if (!p.blocks) return fit;
  return TILE_ROWS.find((tk) => tk <= fit && p.blocks!.blockSize % tk === 0) ?? null;
}

export function attentionUnsupported(ctx: GpuContext, p: AttentionParams): string | null {
  if (p.d % 4 !== 0 || p.d === 0 || p.d > MAX_FUSED_HEAD_DIM) {
    return `head dim ${p.d} is not a multiple of 4 in [4, ${MAX_FUSED_HEAD_DIM}]`;
  }
  if (tileRows(ctx, p.d, 2) === null) {
    return `a 4-row tile at head dim ${p.d} exceeds maxComputeWorkgroupStorageSize (${ctx.limits.maxComputeWorkgroupStorageSize} bytes)`;
  }
  // Storage buffers of the dK/dV pass, the kernel with the most: q, k, v, dO, (L, D), dK, dV and the optional mask,
  // ALiBi slopes and sparse tile list (attention_common.wgsl declares only those a kernel reads).
  const buffers = 7 + (p.mask !== 'none' ? 1 : 0) + (p.alibi ? 1 : 0) + (sparse(p) ? 1 : 0);
  if (buffers > ctx.limits.maxStorageBuffersPerShaderStage) {
    return `the backward needs ${buffers} storage buffers per stage and this adapter offers ${ctx.limits.maxStorageBuffersPerShaderStage}`;
  }
  if (callTileRows(ctx, p) === null) {
    return `the block layout's blockSize ${p.blocks!.blockSize} is not a multiple of 4, so no key tile fits inside one block`;
  }
  // The defaults' workgroups; a tuned one over the limit gives way to them (configuredTiling).
  const maxWg = maxWorkgroup(ctx);
  const sw = softwareAdapter(ctx);
  const defaults = [defaultCandidate('attention', sw).config.forward, ...Object.values(defaultCandidate('attentionBackward', sw).config)];
  const wg = Math.max(...defaults.map((t) => t.WG));
  if (wg > maxWg) return `${wg} invocations per workgroup exceed this adapter's limit (${maxWg})`;
  if (p.B * p.H > ctx.limits.maxComputeWorkgroupsPerDimension) {
    return `B·H = ${p.B * p.H} heads exceed maxComputeWorkgroupsPerDimension (${ctx.limits.maxComputeWorkgroupsPerDimension})`;
  }
  return null;
}

const FILES = { forward: 'attention_forward', dq: 'attention_backward_dq', dkdv: 'attention_backward_dkdv' };

/** The compiled kernel for one template at these parameters (compiled once per device). */
function attentionKernel(
  ctx: GpuContext, which: Which, p: AttentionParams, WG: number, R: number, TK: number,
): { kernel: Kernel; rowsPerGroup: number } {
  const vars = {
    D4: p.d / 4, R, WG, TK,
    BR: WG * R, // rows per workgroup
    TKD4: TK * (p.d / 4), // vec4s per tile (reflection cannot evaluate products in array sizes)
    CAUSAL: p.causal ? 1 : 0,
    WINDOW: p.window > 0 ? 1 : 0,
    LOCAL: (p.local ?? 0) > 0 ? 1 : 0,
    GLOBAL: sparseGlobals(p) ? 1 : 0,
    BLOCKS: p.blocks ? 1 : 0,
    SPARSE: sparse(p) ? 1 : 0, // tiles come from the host's list (attention-tiles.ts)
    ALIBI: p.alibi ? 1 : 0,
    MASK_FLOAT: p.mask === 'float' ? 1 : 0,
    MASK_BOOL: p.mask === 'bool' ? 1 : 0,
    MASKED: p.mask !== 'none' ? 1 : 0, // a mask may leave keys out anywhere in a tile
  };
  const name = `attention_${which}|${Object.entries(vars).map(([key, val]) => `${key}=${val}`).join(',')}`;
  return { kernel: ctx.kernel(name, { file: FILES[which], vars }), rowsPerGroup: WG * R };
}

const sparseGlobals = (p: AttentionParams): boolean => !!p.globals && p.globals.length > 0;
const sparse = (p: AttentionParams): boolean => sparseGlobals(p) || !!p.blocks;

/** FNV-1a of a block layout's bits, for the tile-list cache's keys (a layout edited in place is a new key). */
function layoutHash(l: BlockLayout): string {
  let h = 0x811c9dc5;
  for (const x of l.allowed) h = Math.imul(h ^ x, 0x01000193);
  return `${l.blockSize}:${l.rows}x${l.cols}:${(h >>> 0).toString(16)}`;
}

/** Recent tile lists: a training loop asks for the same few every step. */
const tileCache = new Map<string, SparseTiles>();
const TILE_CACHE_SIZE = 32;

function cachedTiles(p: AttentionParams, rowsPerGroup: number, TK: number, transposed: boolean): SparseTiles {
  const blocks = p.blocks ? layoutHash(p.blocks) : '';
  const key = [p.Tq, p.Tk, p.causal, p.window, p.local ?? 0, blocks, rowsPerGroup, TK, transposed, (p.globals ?? []).join(' ')].join('|');
  let t = tileCache.get(key);
  if (t) tileCache.delete(key); // re-inserted below as the most recent
  else t = sparseTiles(p, rowsPerGroup, TK, transposed);
  tileCache.set(key, t);
  if (tileCache.size > TILE_CACHE_SIZE) tileCache.delete(tileCache.keys().next().value!);
  return t;
}

/** A layout as the kernels read it: (offset, sb, sh, st) in vec4s (ops/ passes only layouts of whole vec4s). */
function vec4Layout(l: HeadLayout): number[] {
  const v = [l.offset, l.sb, l.sh, l.st];
  if (v.some((x) => x % 4 !== 0)) throw new Error(`internal: attention layout ${JSON.stringify(l)} is not in whole vec4s`);
  return v.map((x) => x / 4);
}

function uniforms(p: AttentionParams, g?: AttentionGradLayouts, tiles?: SparseTiles): Record<string, unknown> {
  const l = attentionLayouts(p);
  const none = [0, 0, 0, 0];
  // A local window of max(Tq, Tk) or more excludes nothing, and a causal window that long leaves plain causal;
  // clamping both there keeps them within a u32 and the kernels' u32 sums such as row0 + rows − 1 + localWindow or
  // t0 + window from wrapping when a caller passes a huge one.
  const localWindow = Math.min(p.local ?? 0, Math.max(p.Tq, p.Tk));
  const window = Math.min(p.window, Math.max(p.Tq, p.Tk));
  return {
    H: p.H, Tq: p.Tq, Tk: p.Tk, window, localWindow, scale: p.scale, maskStrides: [...p.maskStrides],
    sparseGlobals: tiles?.globalsAt ?? 0, sparseBlocks: tiles?.blocksAt ?? 0, blockSize: p.blocks?.blockSize ?? 1, blockCols: p.blocks?.cols ?? 0,
    lq: vec4Layout(l.q), lk: vec4Layout(l.k), lv: vec4Layout(l.v), lo: vec4Layout(l.out),
    lg: g ? vec4Layout(g.dOut) : none, ldq: g ? vec4Layout(g.dq) : none, ldk: g ? vec4Layout(g.dk) : none, ldv: g ? vec4Layout(g.dv) : none,
  };
}

/** The mask and slope bindings: the real buffers, or q's buffer as a stand-in that the kernel never reads. */
function extras(q: GpuStorage, mask: Storage | null, slopes: Storage | null): { mask: GPUBuffer; slopes: GPUBuffer } {
  return { mask: mask ? gpu(mask).buffer : q.buffer, slopes: slopes ? gpu(slopes).buffer : q.buffer };
}

/**
 * Dispatches one attention kernel over ⌈rows / rowsPerGroup⌉ × B·H workgroups; with a sparse pattern, first
 * uploads its tile list (released after encoding: the pool hands a buffer out again only to later work).
 */
function dispatchAttention(
  ctx: GpuContext, which: Which, p: AttentionParams, buffers: Record<string, GPUBuffer>, g?: AttentionGradLayouts,
): void {
  const t = tilingFor(ctx, which, p);
  const TK = callTileRows(ctx, p, t.TK)!;
  const { kernel, rowsPerGroup } = attentionKernel(ctx, which, p, t.WG, t.R, TK);
  const rows = which === 'dkdv' ? p.Tk : p.Tq;
  let tiles: SparseTiles | undefined;
  let list: GpuStorage | null = null;
  if (sparse(p)) {
    tiles = cachedTiles(p, rowsPerGroup, TK, which === 'dkdv');
    list = allocStorage(ctx, tiles.data.length, 'int32', `an attention tile list of ${tiles.data.length} entries`);
    ctx.write(list.buffer, tiles.data, tiles.data.byteLength);
  }
  ctx.dispatch(kernel, { ...buffers, sparse: list?.buffer ?? buffers.q }, uniforms(p, g, tiles), [Math.ceil(rows / rowsPerGroup), p.B * p.H, 1]);
  if (list) ctx.pool.release(list.buffer);
}

export function attentionForward(
  ctx: GpuContext, qs: Storage, ks: Storage, vs: Storage, mask: Storage | null, slopes: Storage | null, p: AttentionParams,
): AttentionForwardResult {
  const [q, k, v] = [gpu(qs), gpu(ks), gpu(vs)];
  const { B, H, Tq, Tk, d } = p;
  if (Tk === 0 || B * H * Tq === 0) {
    // No keys: every row is empty, giving zeros and logsumexp −∞.
    return { out: fill(ctx, B * H * Tq * d, 0, 'float32'), lse: fill(ctx, B * H * Tq, -Infinity, 'float32') };
  }
  const out = allocStorage(ctx, B * H * Tq * d, 'float32', `an attention output of shape (${B}, ${H}, ${Tq}, ${d})`);
  const lse = allocStorage(ctx, B * H * Tq, 'float32');
  dispatchAttention(ctx, 'forward', p, { q: q.buffer, k: k.buffer, v: v.buffer, out: out.buffer, lse: lse.buffer, ...extras(q, mask, slopes) });
  return { out, lse };
}

export function attentionBackward(
  ctx: GpuContext, qs: Storage, ks: Storage, vs: Storage, outs: Storage, lses: Storage, dOuts: Storage,
  mask: Storage | null, slopes: Storage | null, p: AttentionParams,
  grads: AttentionGradLayouts = denseAttentionGrads(p),
): AttentionBackwardResult {
  const [q, k, v, o, lse, g] = [gpu(qs), gpu(ks), gpu(vs), gpu(outs), gpu(lses), gpu(dOuts)];
  const { B, H, Tq, Tk, d } = p;
  if (B * H * Tq === 0 || Tk === 0) {
    // Nothing to differentiate: zero gradients of the right sizes.
    return {
      dq: fill(ctx, B * H * Tq * d, 0, 'float32'),
      dk: fill(ctx, B * H * Tk * d, 0, 'float32'),
      dv: fill(ctx, B * H * Tk * d, 0, 'float32'),
    };
  }
  const dq = allocStorage(ctx, B * H * Tq * d, 'float32');
  const dk = allocStorage(ctx, B * H * Tk * d, 'float32');
  const dv = allocStorage(ctx, B * H * Tk * d, 'float32');
  // Pass 1: D_i = dO_i · O_i, stored beside L_i as (B, H, Tq, 2) pairs: one binding for the passes that read both.
  const rows = B * H * Tq;
  const ld = allocStorage(ctx, 2 * rows, 'float32');
  const deltaKernel = ctx.kernel('attention_backward_delta', { file: 'attention_backward_delta' });
  const u = uniforms(p, grads);
  ctx.dispatch(
    deltaKernel,
    { o: o.buffer, dout: g.buffer, lse: lse.buffer, ld: ld.buffer },
    { rows, H, Tq, D4: d / 4, lo: u.lo, lg: u.lg },
    ctx.grid1d(Math.ceil(rows / 64)),
  );

  const buffers = { q: q.buffer, k: k.buffer, v: v.buffer, dout: g.buffer, ld: ld.buffer, ...extras(q, mask, slopes) };
  // Pass 2: dQ, one invocation per R query rows, over key tiles.
  dispatchAttention(ctx, 'dq', p, { ...buffers, dq: dq.buffer }, grads);
  // Pass 3: dK and dV, one invocation per R key rows, over query tiles.
  dispatchAttention(ctx, 'dkdv', p, { ...buffers, dk: dk.buffer, dv: dv.buffer }, grads);

  // ld is read by the passes encoded above; releasing it now is safe because the pool hands a buffer out again
  // only to later-encoded work (see pool.ts).
  ctx.pool.release(ld.buffer);
  return { dq, dk, dv };
}
