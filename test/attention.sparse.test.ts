// Global tokens and block-sparse layouts in scaledDotProductAttention (`globalTokens`, `blockLayout`), alone and
// with the two-sided local window (Longformer's layout) and causal. The reference for every check is the composed
// path on the CPU with the equivalent dense boolean mask, written out here from the definition
//   C(i, j) ∧ [(|i − j| < w ∧ layout(⌊i/s⌋, ⌊j/s⌋)) ∨ global(i) ∨ global(j)]
// so the CPU backend's loops, the composed path's structural mask and the WebGPU kernels with their host-built
// tile lists are each held to it. Lengths 1, 7, 33 and 257 with block sizes 4, 8 and 32 put blocks inside one
// tile, across tiles and larger than the sequence; Tq ≠ Tk both ways. Gradients by float64 finite differences.
import { beforeAll, describe, expect, test } from 'vitest';
import { init, tensor, functional, dispose } from '../engine/index';
import type { AttentionOptions } from '../engine/functional';
import { stridedBlockLayout, type BlockLayout } from '../engine/functional';
import { sparseTiles } from '../engine/backend/gpu/attention-tiles';
import { randArray } from './helpers';
import { expectFusedGradcheck, expectRunsClose, runAttention, type AttentionRun, type AttentionShape } from './attention-run';

// As in attention.local.test.ts: CPU fused and composed differ in summation order; the GPU adds online softmax.
const TOL = {
  cpu: { atol: 1e-5, rtol: 1e-4 },
  gpuForward: { atol: 2e-5, rtol: 1e-4 },
  gpuGrad: { atol: 1e-4, rtol: 1e-3 },
};

beforeAll(async () => {
  // Rejects with NoAdapterError (saying how to install one) when there is no adapter: the GPU tests then fail.
  await init({ backend: 'webgpu' });
});

interface Case extends AttentionShape {
  causal?: boolean;
  local?: number;
  globals?: number[];
  /** [blockSize, local blocks, stride]: a stridedBlockLayout. */
  blocks?: [number, number, number];
}


function layoutOf(c: Case): BlockLayout | undefined {
  if (!c.blocks) return undefined;
  const [blockSize, local, stride] = c.blocks;
  return stridedBlockLayout({ Tq: c.Tq, Tk: c.Tk, blockSize, local, stride, causal: c.causal });
}

/** The case's options for scaledDotProductAttention. */
function options(c: Case, layout: BlockLayout | undefined): AttentionOptions {
  return { causal: c.causal, localWindow: c.local, globalTokens: c.globals, blockLayout: layout };
}

/** The dense equivalent, from the definition, as an int32 (Tq, Tk) mask (1 = take part). */
function denseMask(c: Case, layout: BlockLayout | undefined): Int32Array {
  const m = new Int32Array(c.Tq * c.Tk);
  const g = new Set(c.globals ?? []);
  for (let i = 0; i < c.Tq; i++) {
    for (let j = 0; j < c.Tk; j++) {
      if (c.causal && j > i) continue;
      let near = c.local === undefined || Math.abs(i - j) < c.local;
      if (layout) near &&= layout.allowed[Math.floor(i / layout.blockSize) * layout.cols + Math.floor(j / layout.blockSize)] === 1;
      m[i * c.Tk + j] = near || g.has(i) || g.has(j) ? 1 : 0;
    }
  }
  return m;
}

function reference(c: Case, seed: number, layout: BlockLayout | undefined): Promise<AttentionRun> {
  const mask = tensor(denseMask(c, layout), [c.Tq, c.Tk], { device: 'cpu' });
  return runAttention(c, seed, 'cpu', { mask, impl: 'composed' });
}

const d = 16;
const CASES: Array<[string, Case]> = [];
for (const T of [1, 7, 33]) { // T = 257 with 16 globals below
  const mid = Math.floor(T / 2);
  CASES.push([`Longformer T=${T}, w=3, globals 0 and the middle`, { B: 1, H: 2, Tq: T, Tk: T, d, local: 3, globals: [0, mid] }]);
}
CASES.push(
  ['Longformer causal T=33, w=5, globals 2 and 31', { B: 1, H: 2, Tq: 33, Tk: 33, d, causal: true, local: 5, globals: [2, 31] }],
  ['Longformer T=257, w=16, 16 globals (first tile and spread)', { B: 1, H: 1, Tq: 257, Tk: 257, d, local: 16, globals: [0, 1, 2, 3, 4, 5, 6, 7, 40, 80, 120, 160, 200, 240, 250, 256] }],
  ['globals only (nothing to widen): dense', { B: 1, H: 2, Tq: 7, Tk: 7, d, globals: [3] }],
  ['Tq=9 < Tk=40, w=4, global key 37 and query 8', { B: 2, H: 1, Tq: 9, Tk: 40, d, local: 4, globals: [8, 37] }],
  ['Tq=40 > Tk=12, w=3, global query 39', { B: 1, H: 2, Tq: 40, Tk: 12, d, local: 3, globals: [39] }],
  ['blocks s=4, local 1, stride 3, T=33', { B: 1, H: 2, Tq: 33, Tk: 33, d, blocks: [4, 1, 3] }],
  ['blocks s=8, causal, local 2, stride 4, T=257', { B: 1, H: 2, Tq: 257, Tk: 257, d, causal: true, blocks: [8, 2, 4] }],
  ['blocks s=32, local 1, stride 2, T=257', { B: 1, H: 1, Tq: 257, Tk: 257, d, blocks: [32, 1, 2] }],
  ['blocks s=64 larger than T=33', { B: 1, H: 2, Tq: 33, Tk: 33, d, blocks: [64, 1, 0] }],
  ['blocks s=4, Tq=7 < Tk=33', { B: 1, H: 2, Tq: 7, Tk: 33, d, blocks: [4, 1, 2] }],
  ['blocks s=8 + local 5 + globals, T=100', { B: 1, H: 2, Tq: 100, Tk: 100, d, local: 5, globals: [10, 99], blocks: [8, 2, 5] }],
  ['causal blocks s=4 local 1, no stride: rows of later blocks keep only their own block', { B: 1, H: 1, Tq: 33, Tk: 33, d, causal: true, blocks: [4, 1, 0] }],
);

describe('global tokens and block layouts against the composed path with the dense mask', () => {
  test.each(CASES)('CPU fused, CPU composed and WebGPU fused: %s', async (name, c) => {
    const layout = layoutOf(c);
    const ref = await reference(c, 5, layout);
    const cpuFused = await runAttention(c, 5, 'cpu', { ...options(c, layout), impl: 'fused' });
    expectRunsClose(cpuFused, ref, TOL.cpu, TOL.cpu, `${name}, CPU fused`);
    const cpuComposed = await runAttention(c, 5, 'cpu', { ...options(c, layout), impl: 'composed' });
    expectRunsClose(cpuComposed, ref, TOL.cpu, TOL.cpu, `${name}, CPU composed`);
    const gpu = await runAttention(c, 5, 'webgpu', { ...options(c, layout), impl: 'fused' });
    expectRunsClose(gpu, ref, TOL.gpuForward, TOL.gpuGrad, `${name}, WebGPU fused`);
  });

  test('a block size that is not a multiple of 4: fused refuses saying why, auto composes, and both agree with the CPU', async () => {
    const c: Case = { B: 1, H: 2, Tq: 33, Tk: 33, d, blocks: [7, 1, 2] };
    const layout = layoutOf(c);
    const ref = await reference(c, 9, layout);
    await expect(runAttention(c, 9, 'webgpu', { ...options(c, layout), impl: 'fused' })).rejects.toThrow(/impl 'fused' cannot serve.*blockSize 7 is not a multiple of 4/);
    const gpu = await runAttention(c, 9, 'webgpu', options(c, layout));
    expectRunsClose(gpu, ref, TOL.gpuForward, TOL.gpuGrad, 'WebGPU auto, blockSize 7');
  });
});

describe('the tile lists', () => {
  const p = (o: Partial<Parameters<typeof sparseTiles>[0]>) => ({
    B: 1, H: 1, Tq: 1024, Tk: 1024, d: 64, scale: 1, causal: false, window: 0, mask: 'none' as const, maskStrides: [0, 0, 0, 0] as const, alibi: false, ...o,
  });
  /** The tiles (first rows) of group g, and which are marked full. */
  const group = (t: ReturnType<typeof sparseTiles>, g: number) =>
    Array.from(t.data.subarray(t.data[g], t.data[g + 1])).map((e) => ({ t0: e & 0x7fffffff, full: e >>> 31 === 1 }));

  test('Longformer: a plain group visits its band and the globals\' tile; a group with a global query visits every tile', () => {
    const t = sparseTiles(p({ local: 128, globals: [0, 1, 2, 3] }), 128, 32, false);
    // Group 4 (queries 512–639) against w = 128: keys 385…766, tiles 384…736, plus tile 0 holding the global keys.
    const band = Array.from({ length: 12 }, (_, n) => 384 + 32 * n);
    expect(group(t, 4).map((x) => x.t0)).toEqual([0, ...band]);
    // Keys 512–639 are within 128 of every query 512–639: the only tiles seen in full (tile 0 only by globals).
    expect(group(t, 4).filter((x) => x.full).map((x) => x.t0)).toEqual([512, 544, 576, 608]);
    expect(group(t, 0).length).toBe(1024 / 32); // queries 0–3 are global
  });

  test('a block layout: only the tiles of allowed blocks, in full where the whole block is allowed', () => {
    const layout = stridedBlockLayout({ Tq: 256, blockSize: 64, local: 1, stride: 0 }); // the block diagonal
    const t = sparseTiles(p({ Tq: 256, Tk: 256, blocks: layout }), 64, 32, false);
    expect(group(t, 2)).toEqual([{ t0: 128, full: true }, { t0: 160, full: true }]);
    const tr = sparseTiles(p({ Tq: 256, Tk: 256, blocks: layout, causal: true }), 64, 32, true); // keys' groups, query tiles
    // Keys 64–127 against query tiles 64–95 and 96–127: the diagonal block, where causal leaves neither tile full.
    expect(group(tr, 1)).toEqual([{ t0: 64, full: false }, { t0: 96, full: false }]);
    const tr2 = sparseTiles(p({ Tq: 256, Tk: 256, blocks: layout }), 64, 32, true);
    expect(group(tr2, 3)).toEqual([{ t0: 192, full: true }, { t0: 224, full: true }]);
  });
});

describe('finite differences (float64 gradcheck)', () => {
  test('CPU fused: Longformer with a global query and key, and a block layout with Tq ≠ Tk', async () => {
    const cases: Array<[number, number, AttentionOptions]> = [
      [7, 7, { localWindow: 2, globalTokens: [1, 5] }],
      [6, 9, { blockLayout: stridedBlockLayout({ Tq: 6, Tk: 9, blockSize: 2, local: 1, stride: 2 }), globalTokens: [8] }],
    ];
    for (const [Tq, Tk, opts] of cases) await expectFusedGradcheck(Tq, Tk, opts);
  });
});

describe('bad values', () => {
  test('global positions and block layouts that do not fit are refused, naming what and where', () => {
    const q = tensor(randArray(8 * 16, 1), [1, 1, 8, 16], { device: 'cpu' });
    const f = (o: AttentionOptions) => () => functional.scaledDotProductAttention(q, q, q, o);
    expect(f({ localWindow: 2, globalTokens: [1, 8] })).toThrow(/globalTokens\[1\] = 8 is not a position in \[0, 8\)/);
    expect(f({ localWindow: 2, globalTokens: [1.5] })).toThrow(/globalTokens\[0\] = 1.5/);
    expect(f({ blockLayout: stridedBlockLayout({ Tq: 16, blockSize: 4, local: 1, stride: 0 }) })).toThrow(/blockLayout is 4 × 4 blocks, but Tq = 8 and Tk = 8 at blockSize 4 need .* 2 × 2/);
    const bad = stridedBlockLayout({ Tq: 8, blockSize: 4, local: 1, stride: 0 });
    bad.allowed[3] = 2;
    expect(f({ blockLayout: bad })).toThrow(/blockLayout.allowed\[3\] = 2/);
    expect(() => stridedBlockLayout({ Tq: 8, blockSize: 0, local: 1, stride: 0 })).toThrow(/blockSize must be an integer ≥ 1, got 0/);
    dispose([q]);
  });
});
