// The CPU backend is the oracle for every GPU test, so it is itself checked here against values worked out by
// hand (or from the closed forms named beside them), method by method.
import { describe, expect, it } from 'vitest';
import { CpuBackend, erf, erfc } from '../engine/backend/cpu';
import { contiguousReduce, denseMatmul, type AdamParams, type BinaryOp, type MatmulParams, type SgdParams, type Storage, type UnaryOp } from '../engine/backend/backend';
import { dropoutUniform } from '../engine/backend/rng';
import { expectAllClose, randArray, randInts } from './helpers';

const F32 = { atol: 1e-6, rtol: 1e-6 };

const f32 = (...v: number[]): Float32Array => new Float32Array(v);
const i32 = (...v: number[]): Int32Array => new Int32Array(v);

async function values(be: CpuBackend, s: Storage): Promise<number[]> {
  return Array.from(await be.read(s));
}

describe('cpu backend: storage', () => {
  it('upload copies its input and read returns a copy', async () => {
    const be = new CpuBackend();
    const src = f32(1, 2, 3);
    const s = be.upload(src);
    src[0] = 99;
    expect(s.dtype).toBe('float32');
    expect(s.numel).toBe(3);
    const r = await be.read(s);
    expect(Array.from(r)).toEqual([1, 2, 3]);
    r[1] = 77;
    expect(await values(be, s)).toEqual([1, 2, 3]);
    expect(be.upload(i32(4, 5)).dtype).toBe('int32');
    expect((await be.read(be.upload(i32(4, 5)))) instanceof Int32Array).toBe(true);
  });

  it('refuses a freed storage', async () => {
    const be = new CpuBackend();
    const s = be.upload(f32(1));
    be.free(s);
    await expect(be.read(s)).rejects.toThrow(/This tensor was disposed/);
    expect(() => be.unary('neg', s)).toThrow(/This tensor was disposed/);
    expect(() => be.free(s)).toThrow(/This tensor was disposed/);
  });

  it('fill gives every element the value, in either dtype', async () => {
    const be = new CpuBackend();
    expect(await values(be, be.fill(3, 2.5, 'float32'))).toEqual([2.5, 2.5, 2.5]);
    const ints = be.fill(2, -7, 'int32');
    expect(ints.dtype).toBe('int32');
    expect(await values(be, ints)).toEqual([-7, -7]);
    expect(be.fill(0, 1, 'float32').numel).toBe(0);
  });

  it('memoryStats counts live storages at 4 bytes per element', () => {
    const be = new CpuBackend();
    expect(be.memoryStats()).toEqual({ buffers: 0, bytes: 0, pooledBuffers: 0, pooledBytes: 0 });
    const a = be.upload(f32(1, 2, 3));
    be.fill(5, 0, 'int32');
    expect(be.memoryStats()).toEqual({ buffers: 2, bytes: 32, pooledBuffers: 0, pooledBytes: 0 });
    be.free(a);
    expect(be.memoryStats()).toEqual({ buffers: 1, bytes: 20, pooledBuffers: 0, pooledBytes: 0 });
  });
});

describe('cpu backend: erf', () => {
  it('matches known values to 1e-12', () => {
    const known: [number, number][] = [
      [0, 0],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [2, 0.9953222650189527],
      [-3, -0.9999779095030014],
    ];
    for (const [x, e] of known) expect(Math.abs(erf(x) - e), `erf(${x})`).toBeLessThan(1e-12);
    expect(erf(1.9999)).toBeCloseTo(erf(2), 4); // continuous across the series/continued-fraction switch at 2
    expect(erf(10)).toBe(1);
    expect(erf(-40)).toBe(-1);
    expect(Number.isNaN(erf(NaN))).toBe(true);
  });

  it('erfc keeps relative accuracy in the right tail', () => {
    // erfc(3) = 2.209049699858544e-5, erfc(5) = 1.5374597944280349e-12, erfc(10) = 2.0884875837625448e-45
    expect(Math.abs(erfc(3) / 2.209049699858544e-5 - 1)).toBeLessThan(1e-12);
    expect(Math.abs(erfc(5) / 1.5374597944280349e-12 - 1)).toBeLessThan(1e-12);
    expect(Math.abs(erfc(10) / 2.0884875837625448e-45 - 1)).toBeLessThan(1e-12);
    expect(Math.abs(erfc(-1) - (1 + 0.8427007929497149))).toBeLessThan(1e-15);
  });
});

describe('cpu backend: unary', () => {
  const x = [-2, -0.5, 0, 0.5, 3];
  const expected: Record<UnaryOp, number[]> = {
    neg: [2, 0.5, -0, -0.5, -3],
    abs: [2, 0.5, 0, 0.5, 3],
    exp: x.map(Math.exp),
    log: [NaN, NaN, -Infinity, Math.log(0.5), Math.log(3)],
    sqrt: [NaN, NaN, 0, Math.SQRT1_2, Math.sqrt(3)],
    rsqrt: [NaN, NaN, Infinity, Math.SQRT2, 1 / Math.sqrt(3)],
    square: [4, 0.25, 0, 0.25, 9],
    reciprocal: [-0.5, -2, Infinity, 2, 1 / 3],
    relu: [0, 0, 0, 0.5, 3],
    // x·Φ(x), with Φ(-2) = 0.022750131948179, Φ(-0.5) = 0.308537538725987, Φ(3) = 0.998650101968370
    gelu: [-2 * 0.022750131948179, -0.5 * 0.308537538725987, 0, 0.5 * 0.691462461274013, 3 * 0.99865010196837],
    tanh: x.map(Math.tanh),
    sigmoid: x.map((v) => 1 / (1 + Math.exp(-v))),
    // torch.nn.functional.gelu(x, approximate='tanh') in float64, PyTorch 1.13
    geluTanh: [-0.04540230591222494, -0.15428599017485606, 0, 0.34571400982514394, 2.996362607918227],
    sin: x.map(Math.sin),
    cos: x.map(Math.cos),
    sign: [-1, -1, 0, 1, 1],
  };
  const be = new CpuBackend();
  const xs = be.upload(new Float32Array(x));
  for (const op of Object.keys(expected) as UnaryOp[]) {
    it(op, async () => {
      const out = be.unary(op, xs);
      expect(out.dtype).toBe('float32');
      expectAllClose(await be.read(out), expected[op], F32, op);
    });
  }

  it('sigmoid stays finite far from zero and relu keeps NaN', async () => {
    const s = be.upload(f32(-1000, 1000, NaN));
    expect(await values(be, be.unary('sigmoid', s))).toEqual([0, 1, NaN]);
    expect(await values(be, be.unary('relu', s))).toEqual([0, 1000, NaN]);
    expect(await values(be, be.unary('tanh', s))).toEqual([-1, 1, NaN]);
    // gelu of a very negative x is a tiny negative number, not 0 or NaN: -10·Φ(-10) ≈ -7.62e-23
    const g = (await be.read(be.unary('gelu', be.upload(f32(-10)))))[0];
    expect(g / -7.619853024160527e-23).toBeCloseTo(1, 5);
  });

  it('refuses int32 input', () => {
    expect(() => be.unary('neg', be.upload(i32(1)))).toThrow(/float32/);
  });
});

describe('cpu backend: binary', () => {
  it('broadcasts through stride-0 dims', async () => {
    const be = new CpuBackend();
    // a: (2, 3), b: (3) read as (2, 3) with stride 0 on dim 0
    const a = be.upload(f32(1, 2, 3, 4, 5, 6));
    const b = be.upload(f32(10, 20, 30));
    const out = be.binary('add', a, b, { outShape: [2, 3], strides: [[3, 1], [0, 1]] });
    expect(await values(be, out)).toEqual([11, 22, 33, 14, 25, 36]);
    // a column (2, 1) against a row (1, 3): an outer product by broadcasting both sides
    const col = be.upload(f32(1, 2));
    const row = be.upload(f32(1, 10, 100));
    const outer = be.binary('mul', col, row, { outShape: [2, 3], strides: [[1, 0], [0, 1]] });
    expect(await values(be, outer)).toEqual([1, 10, 100, 2, 20, 200]);
  });

  it('reads a transposed input through its strides', async () => {
    const be = new CpuBackend();
    const a = be.upload(f32(1, 2, 3, 4, 5, 6)); // (2, 3) read as its transpose (3, 2)
    const z = be.upload(f32(0));
    const out = be.binary('sub', a, z, { outShape: [3, 2], strides: [[1, 3], [0, 0]] });
    expect(await values(be, out)).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('computes every op, comparisons as float32 1/0', async () => {
    const be = new CpuBackend();
    const a = be.upload(f32(2, -1, 3, 0));
    const b = be.upload(f32(2, 4, 0.5, -0));
    const layout = { outShape: [4], strides: [[1], [1]] };
    const run = async (op: Parameters<CpuBackend['binary']>[0]): Promise<number[]> => values(be, be.binary(op, a, b, layout));
    expect(await run('add')).toEqual([4, 3, 3.5, 0]);
    expect(await run('sub')).toEqual([0, -5, 2.5, 0]);
    expect(await run('mul')).toEqual([4, -4, 1.5, -0]);
    expect(await run('div')).toEqual([1, -0.25, 6, NaN]);
    expect(await run('pow')).toEqual([4, 1, Math.fround(Math.sqrt(3)), 1]);
    expect(await run('max')).toEqual([2, 4, 3, 0]);
    expect(await run('min')).toEqual([2, -1, 0.5, -0]);
    expect(await run('eq')).toEqual([1, 0, 0, 1]);
    expect(await run('ne')).toEqual([0, 1, 1, 0]);
    expect(await run('lt')).toEqual([0, 1, 0, 0]);
    expect(await run('le')).toEqual([1, 1, 0, 1]);
    expect(await run('gt')).toEqual([0, 0, 1, 0]);
    expect(await run('ge')).toEqual([1, 0, 1, 1]);
  });

  it('pow follows Math.pow: a negative base with a fractional exponent is NaN', async () => {
    const be = new CpuBackend();
    const a = be.upload(f32(-8, -2, 0));
    const b = be.upload(f32(1 / 3, 2, -1));
    expect(await values(be, be.binary('pow', a, b, { outShape: [3], strides: [[1], [1]] }))).toEqual([NaN, 4, Infinity]);
  });

  it('binaryScalar puts the scalar on either side', async () => {
    const be = new CpuBackend();
    const x = be.upload(f32(1, 2, 4));
    expect(await values(be, be.binaryScalar('sub', x, 1, false))).toEqual([0, 1, 3]);
    expect(await values(be, be.binaryScalar('sub', x, 1, true))).toEqual([0, -1, -3]);
    expect(await values(be, be.binaryScalar('div', x, 8, true))).toEqual([8, 4, 2]);
    expect(await values(be, be.binaryScalar('pow', x, 2, true))).toEqual([2, 4, 16]);
    expect(await values(be, be.binaryScalar('gt', x, 2, false))).toEqual([0, 0, 1]);
    // the scalar is a float32: 0.1 rounds before it is added
    expect(await values(be, be.binaryScalar('add', be.upload(f32(0)), 0.1, false))).toEqual([Math.fround(0.1)]);
  });
});

describe('cpu backend: cast and where', () => {
  it('cast float32 → int32 truncates toward zero and saturates as WGSL does', async () => {
    const be = new CpuBackend();
    const out = be.cast(be.upload(f32(1.9, -1.9, 0.5, -0.5, 7, 3e9, -3e9, NaN, Infinity)), 'int32');
    expect(out.dtype).toBe('int32');
    // WGSL clamps to the extreme float32 values an int32 holds: 2³¹ − 128 above (2³¹ − 1 is no float32), −2³¹ below.
    expect(await values(be, out)).toEqual([1, -1, 0, 0, 7, 2147483520, -2147483648, 0, 2147483520]);
  });

  it('cast int32 → float32 rounds to the nearest float32', async () => {
    const be = new CpuBackend();
    const out = be.cast(be.upload(i32(-3, 16777217)), 'float32');
    expect(out.dtype).toBe('float32');
    expect(await values(be, out)).toEqual([-3, 16777216]);
  });

  it('where picks a where cond is nonzero, with float32 or int32 cond, broadcasting', async () => {
    const be = new CpuBackend();
    const a = be.upload(f32(1, 2, 3, 4, 5, 6)); // (2, 3)
    const b = be.upload(f32(-1)); // scalar
    const condF = be.upload(f32(1, 0, -2)); // (3), broadcast over rows
    const layout = { outShape: [2, 3], strides: [[0, 1], [3, 1], [0, 0]] };
    expect(await values(be, be.where(condF, a, b, layout))).toEqual([1, -1, 3, 4, -1, 6]);
    const condI = be.upload(i32(0, 5, 0));
    expect(await values(be, be.where(condI, a, b, layout))).toEqual([-1, 2, -1, -1, 5, -1]);
  });

  it('where keeps an int32 dtype and raw values', async () => {
    const be = new CpuBackend();
    const out = be.where(be.upload(f32(1, 0)), be.upload(i32(2147483647, 1)), be.upload(i32(-5, -6)), {
      outShape: [2],
      strides: [[1], [1], [1]],
    });
    expect(out.dtype).toBe('int32');
    expect(await values(be, out)).toEqual([2147483647, -6]);
  });
});

describe('cpu backend: copy', () => {
  it('gathers a strided view into a new contiguous storage', async () => {
    const be = new CpuBackend();
    const src = be.upload(f32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)); // (3, 4)
    // rows 1..2, columns 1 and 3: shape (2, 2), strides (4, 2), offset 5
    const out = be.copy(src, { shape: [2, 2], strides: [4, 2], offset: 5 });
    expect(await values(be, out)).toEqual([5, 7, 9, 11]);
    // a transpose (4, 3)
    const t = be.copy(src, { shape: [4, 3], strides: [1, 4], offset: 0 });
    expect(await values(be, t)).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    // broadcasting a row with stride 0 (expand)
    const e = be.copy(src, { shape: [2, 3], strides: [0, 1], offset: 1 });
    expect(await values(be, e)).toEqual([1, 2, 3, 1, 2, 3]);
  });

  it('writes into a dst view and returns the dst storage (cat)', async () => {
    const be = new CpuBackend();
    const dst = be.fill(8, 0, 'float32'); // (2, 4)
    const a = be.upload(f32(1, 2, 3, 4)); // (2, 2) → columns 0..1
    const b = be.upload(f32(5, 6, 7, 8)); // (2, 2) → columns 2..3
    const r1 = be.copy(a, { shape: [2, 2], strides: [2, 1], offset: 0 }, { storage: dst, view: { shape: [2, 2], strides: [4, 1], offset: 0 } });
    const r2 = be.copy(b, { shape: [2, 2], strides: [2, 1], offset: 0 }, { storage: dst, view: { shape: [2, 2], strides: [4, 1], offset: 2 } });
    expect(r1).toBe(dst);
    expect(r2).toBe(dst);
    expect(await values(be, dst)).toEqual([1, 2, 5, 6, 3, 4, 7, 8]);
  });

  it('moves int32 elements and NaN payloads bit for bit', async () => {
    const be = new CpuBackend();
    const ints = be.copy(be.upload(i32(-1, 2147483647)), { shape: [2], strides: [-1], offset: 1 });
    expect(ints.dtype).toBe('int32');
    expect(await values(be, ints)).toEqual([2147483647, -1]);
    const words = new Uint32Array([0x7fc00001, 0xffc12345]);
    const src = be.upload(new Float32Array(words.buffer));
    const out = (await be.read(be.copy(src, { shape: [2], strides: [1], offset: 0 }))) as Float32Array;
    expect(Array.from(new Uint32Array(out.buffer))).toEqual([0x7fc00001, 0xffc12345]);
  });
});

describe('cpu backend: reduce', () => {
  // x (2, 3, 2): element (o, j, i) = x[(o*3 + j)*2 + i]
  const x = [1, 6, 5, 2, 3, 4, 9, 0, 9, 7, -1, 7];
  it('sum, max and min over the middle axis', async () => {
    const be = new CpuBackend();
    const s = be.upload(new Float32Array(x));
    expect(await values(be, be.reduce('sum', s, contiguousReduce(2, 3, 2)))).toEqual([9, 12, 17, 14]);
    expect(await values(be, be.reduce('max', s, contiguousReduce(2, 3, 2)))).toEqual([5, 6, 9, 7]);
    expect(await values(be, be.reduce('min', s, contiguousReduce(2, 3, 2)))).toEqual([1, 2, -1, 0]);
    // outer = inner = 1: a whole-tensor reduction
    expect(await values(be, be.reduce('sum', s, contiguousReduce(1, 12, 1)))).toEqual([52]);
  });

  it('argmax and argmin give int32 indices of the first extreme', async () => {
    const be = new CpuBackend();
    const s = be.upload(new Float32Array(x));
    const am = be.reduce('argmax', s, contiguousReduce(2, 3, 2));
    expect(am.dtype).toBe('int32');
    // column (o=1, i=0) is 9, 9, -1: the tie goes to j = 0; (o=1, i=1) is 0, 7, 7: to j = 1
    expect(await values(be, am)).toEqual([1, 0, 0, 1]);
    expect(await values(be, be.reduce('argmin', s, contiguousReduce(2, 3, 2)))).toEqual([0, 1, 2, 0]);
    const flat = be.upload(f32(3, 1, 3, 1));
    expect(await values(be, be.reduce('argmax', flat, contiguousReduce(1, 4, 1)))).toEqual([0]);
    expect(await values(be, be.reduce('argmin', flat, contiguousReduce(1, 4, 1)))).toEqual([1]);
  });

  it('max, min and their args propagate the first NaN', async () => {
    const be = new CpuBackend();
    const s = be.upload(f32(1, NaN, 5, NaN));
    expect(await values(be, be.reduce('max', s, contiguousReduce(1, 4, 1)))).toEqual([NaN]);
    expect(await values(be, be.reduce('min', s, contiguousReduce(1, 4, 1)))).toEqual([NaN]);
    expect(await values(be, be.reduce('argmax', s, contiguousReduce(1, 4, 1)))).toEqual([1]);
    expect(await values(be, be.reduce('argmin', s, contiguousReduce(1, 4, 1)))).toEqual([1]);
  });

  it('sums in double precision', async () => {
    const be = new CpuBackend();
    // 1 + 1e-8 a hundred times: a float32 accumulator would stay at 1
    const data = new Float32Array(101).fill(1e-8);
    data[0] = 1;
    const got = (await be.read(be.reduce('sum', be.upload(data), contiguousReduce(1, 101, 1))))[0];
    expect(got).toBe(Math.fround(1 + 100 * Math.fround(1e-8)));
  });
});

describe('cpu backend: matmul', () => {
  it('multiplies (2, 3) @ (3, 2)', async () => {
    const be = new CpuBackend();
    const a = be.upload(f32(1, 2, 3, 4, 5, 6));
    const b = be.upload(f32(7, 8, 9, 10, 11, 12));
    const out = be.matmul(a, b, denseMatmul({ batch: 1, M: 2, N: 2, K: 3, aBatchStride: 6, bBatchStride: 6 })).out;
    expect(await values(be, out)).toEqual([58, 64, 139, 154]);
  });

  it('batches, and broadcasts B with batch stride 0', async () => {
    const be = new CpuBackend();
    const a = be.upload(f32(1, 2, 3, 4, /* second */ 0, 1, 1, 0)); // (2, 2, 2)
    const b = be.upload(f32(1, 1, 0, 2)); // (2, 2), shared by both batches
    const out = be.matmul(a, b, denseMatmul({ batch: 2, M: 2, N: 2, K: 2, aBatchStride: 4, bBatchStride: 0 })).out;
    // [[1,2],[3,4]]@[[1,1],[0,2]] = [[1,5],[3,11]]; [[0,1],[1,0]]@B = [[0,2],[1,1]]
    expect(await values(be, out)).toEqual([1, 5, 3, 11, 0, 2, 1, 1]);
  });

  it('handles M, N, K of 1 (a dot product and an outer product)', async () => {
    const be = new CpuBackend();
    const u = be.upload(f32(1, 2, 3));
    const v = be.upload(f32(4, 5, 6));
    expect(await values(be, be.matmul(u, v, denseMatmul({ batch: 1, M: 1, N: 1, K: 3, aBatchStride: 0, bBatchStride: 0 })).out)).toEqual([32]);
    expect(await values(be, be.matmul(u, v, denseMatmul({ batch: 1, M: 3, N: 3, K: 1, aBatchStride: 0, bBatchStride: 0 })).out)).toEqual([
      4, 5, 6, 8, 10, 12, 12, 15, 18,
    ]);
  });
});

describe('cpu backend: strided reads, new ops and edge values', () => {
  // x (2, 3) = [[1, 2, 3], [4, 5, 6]] in storage; its transpose (3, 2) has strides (1, 3).
  const X = [1, 2, 3, 4, 5, 6];

  it('unary, scalar and cast ops read a transposed view with an offset', async () => {
    const be = new CpuBackend();
    const s = be.upload(f32(0, ...X)); // one leading element, so the view starts at offset 1
    const view = { shape: [3, 2], strides: [1, 3], offset: 1 }; // [[1, 4], [2, 5], [3, 6]]
    expect(await values(be, be.unary('neg', s, view))).toEqual([-1, -4, -2, -5, -3, -6]);
    expect(await values(be, be.binaryScalar('sub', s, 10, true, view))).toEqual([9, 6, 8, 5, 7, 4]);
    expect(await values(be, be.cast(s, 'int32', view))).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('binary and where read each operand through its own strides and offset', async () => {
    const be = new CpuBackend();
    const a = be.upload(f32(...X));
    const b = be.upload(f32(100, 10, 20, 30));
    // a transposed (3, 2) + b[1:] as a column (3, 1) broadcast along dim 1
    const layout = { outShape: [3, 2], strides: [[1, 3], [1, 0]], offsets: [0, 1] };
    expect(await values(be, be.binary('add', a, b, layout))).toEqual([11, 14, 22, 25, 33, 36]);
    const c = be.upload(f32(1, 0, 1));
    const w = be.where(c, a, b, { outShape: [3], strides: [[1], [2], [1]], offsets: [0, 0, 0] });
    expect(await values(be, w)).toEqual([1, 10, 5]);
  });

  it('copy with accumulate adds into part of a destination', async () => {
    const be = new CpuBackend();
    const dst = be.upload(f32(1, 1, 1, 1));
    const src = be.upload(f32(5, 7));
    be.copy(src, { shape: [2], strides: [1], offset: 0 }, { storage: dst, view: { shape: [2], strides: [2], offset: 1 } }, true);
    expect(await values(be, dst)).toEqual([1, 6, 1, 8]);
  });

  it('reduces a dim of a transposed view, and along a strided axis', async () => {
    const be = new CpuBackend();
    const s = be.upload(f32(...X));
    // sum over dim 1 of the transpose (3, 2): kept dim 0 has stride 1, the axis stride 3 → column sums of x
    expect(await values(be, be.reduce('sum', s, { outShape: [3], outStrides: [1], len: 2, lenStride: 3, offset: 0 }))).toEqual([5, 7, 9]);
    // argmax along the same axis of the view starting at element 1: [2, 5], [3, 6]
    expect(await values(be, be.reduce('argmax', s, { outShape: [2], outStrides: [1], len: 2, lenStride: 3, offset: 1 }))).toEqual([1, 1]);
  });

  it('activation derivatives as binary ops of the gradient and the saved tensor', async () => {
    const be = new CpuBackend();
    const g = be.upload(f32(2, 2, 2, 2, 2));
    const x = be.upload(f32(-2, -0.5, 0, 0.5, 3));
    const dense = { outShape: [5], strides: [[1], [1]] };
    const grad = async (op: BinaryOp): Promise<Float32Array> => (await be.read(be.binary(op, g, x, dense))) as Float32Array;
    expect(Array.from(await grad('reluGrad'))).toEqual([0, 0, 0, 2, 2]); // relu'(0) = 0
    expectAllClose(await grad('tanhGrad'), [-6, 1.5, 2, 1.5, -16], F32, 'tanhGrad'); // g·(1 − y²)
    expectAllClose(await grad('sigmoidGrad'), [-12, -1.5, 0, 0.5, -12], F32, 'sigmoidGrad'); // g·y·(1 − y)
    // 2 × torch.autograd of F.gelu (exact and tanh) at x, PyTorch 1.13 in float64
    const gelu = [-0.08523180107819692, 0.13250487534383712, 0.5, 0.8674951246561629, 1.011945647204184];
    const geluTanh = [-0.0860992566236183, 0.13263009646535764, 0.5, 0.8673699035346424, 1.0115841666309695];
    expectAllClose(await grad('geluGrad'), gelu.map((v) => 2 * v), F32, 'geluGrad');
    expectAllClose(await grad('geluTanhGrad'), geluTanh.map((v) => 2 * v), F32, 'geluTanhGrad');
  });

  // torch 1.13 on x = [nan, inf, -inf, 0, 1, -1, 100, -100] (float32), printed with .tolist(); sign(nan) is the
  // one place we differ on purpose (NaN, NumPy's answer, where PyTorch 1.13 gives 0).
  const EDGE_X = [NaN, Infinity, -Infinity, 0, 1, -1, 100, -100];
  const TORCH_UNARY: Partial<Record<UnaryOp, number[]>> = {
    exp: [NaN, Infinity, 0, 1, 2.7182817459106445, 0.3678794503211975, Infinity, 3.783505853677006e-44],
    log: [NaN, Infinity, NaN, -Infinity, 0, NaN, 4.605170249938965, NaN],
    sqrt: [NaN, Infinity, NaN, 0, 1, NaN, 10, NaN],
    rsqrt: [NaN, 0, NaN, Infinity, 1, NaN, 0.10000000149011612, NaN],
    reciprocal: [NaN, 0, -0, Infinity, 1, -1, 0.009999999776482582, -0.009999999776482582],
    relu: [NaN, Infinity, 0, 0, 1, 0, 100, 0],
    gelu: [NaN, Infinity, NaN, 0, 0.8413447141647339, -0.1586552858352661, 100, 0],
    geluTanh: [NaN, Infinity, NaN, 0, 0.8411920070648193, -0.15880799293518066, 100, -0],
    tanh: [NaN, 1, -1, 0, 0.7615941762924194, -0.7615941762924194, 1, -1],
    sigmoid: [NaN, 1, 0, 0.5, 0.7310585975646973, 0.2689414322376251, 1, 0],
    sin: [NaN, NaN, NaN, 0, 0.8414709568023682, -0.8414709568023682, -0.5063656568527222, 0.5063656568527222],
    sign: [NaN, 1, -1, 0, 1, -1, 1, -1],
  };
  for (const [op, want] of Object.entries(TORCH_UNARY) as Array<[UnaryOp, number[]]>) {
    it(`${op} matches PyTorch on NaN, ±Inf and large inputs`, async () => {
      const be = new CpuBackend();
      expectAllClose(await be.read(be.unary(op, be.upload(new Float32Array(EDGE_X)))), want, F32, op);
    });
  }

  // torch 1.13: a = [nan, 1, inf, inf, -inf, 0, 2], b = [1, nan, inf, -inf, -inf, 0, nan]
  const A = [NaN, 1, Infinity, Infinity, -Infinity, 0, 2];
  const B = [1, NaN, Infinity, -Infinity, -Infinity, 0, NaN];
  const TORCH_BINARY: Partial<Record<BinaryOp, number[]>> = {
    add: [NaN, NaN, Infinity, NaN, -Infinity, 0, NaN],
    sub: [NaN, NaN, NaN, Infinity, NaN, 0, NaN],
    mul: [NaN, NaN, Infinity, -Infinity, Infinity, 0, NaN],
    div: [NaN, NaN, NaN, NaN, NaN, NaN, NaN],
    pow: [NaN, 1, Infinity, 0, 0, 1, NaN],
    max: [NaN, NaN, Infinity, Infinity, -Infinity, 0, NaN],
    min: [NaN, NaN, Infinity, -Infinity, -Infinity, 0, NaN],
    eq: [0, 0, 1, 0, 1, 1, 0],
    ne: [1, 1, 0, 1, 0, 0, 1],
    lt: [0, 0, 0, 0, 0, 0, 0],
    le: [0, 0, 1, 0, 1, 1, 0],
    gt: [0, 0, 0, 1, 0, 0, 0],
    ge: [0, 0, 1, 1, 1, 1, 0],
  };
  for (const [op, want] of Object.entries(TORCH_BINARY) as Array<[BinaryOp, number[]]>) {
    it(`${op} matches PyTorch on NaN and ±Inf`, async () => {
      const be = new CpuBackend();
      const out = be.binary(op, be.upload(new Float32Array(A)), be.upload(new Float32Array(B)), { outShape: [7], strides: [[1], [1]] });
      expectAllClose(await be.read(out), want, F32, op);
    });
  }

  it('reluGrad passes the gradient through a NaN input, as PyTorch does', async () => {
    const be = new CpuBackend();
    const out = be.binary('reluGrad', be.upload(f32(3, 3)), be.upload(f32(NaN, -1)), { outShape: [2], strides: [[1], [1]] });
    expect(await values(be, out)).toEqual([3, 0]);
  });
});

describe('cpu backend: strided matmul with an epilogue', () => {
  const A = [1, 2, 3, 4, 5, 6]; // (2, 3)
  const B = [7, 8, 9, 10, 11, 12]; // (3, 2)
  const C = [58, 64, 139, 154]; // A @ B

  it('reads transposed operands: Aᵀ stored as (3, 2), Bᵀ stored as (2, 3)', async () => {
    const be = new CpuBackend();
    const at = be.upload(f32(1, 4, 2, 5, 3, 6)); // Aᵀ row-major
    const bt = be.upload(f32(7, 9, 11, 8, 10, 12)); // Bᵀ row-major
    const p: MatmulParams = {
      M: 2, N: 2, K: 3, batchShape: [],
      a: { offset: 0, rowStride: 1, colStride: 2, batchStrides: [] }, // A[m][k] = at[k·2 + m]
      b: { offset: 0, rowStride: 1, colStride: 3, batchStrides: [] }, // B[k][n] = bt[n·3 + k]
      biasOffset: 0, activation: 'none',
    };
    expect(await values(be, be.matmul(at, bt, p).out)).toEqual(C);
  });

  it('adds a bias from an offset, applies the activation, and sums the rows of A', async () => {
    const be = new CpuBackend();
    const a = be.upload(f32(...A));
    const b = be.upload(f32(...B));
    const bias = be.upload(f32(0, -100, -60)); // bias = [-100, -60] from offset 1
    const p: MatmulParams = { ...denseMatmul({ batch: 1, M: 2, N: 2, K: 3, aBatchStride: 0, bBatchStride: 0 }), batchShape: [], biasOffset: 1, activation: 'relu', sumA: true };
    p.a = { ...p.a, batchStrides: [] };
    p.b = { ...p.b, batchStrides: [] };
    const r = be.matmul(a, b, p, bias);
    expect(await values(be, r.out)).toEqual([0, 4, 39, 94]); // relu([58 − 100, 64 − 60, 139 − 100, 154 − 60])
    expect(await values(be, r.sumA!)).toEqual([6, 15]);
  });

  it('walks two batch dims with their own strides, one of them broadcast', async () => {
    const be = new CpuBackend();
    // A: batch (2, 2) of (1, 1) matrices [1, 2, 3, 4] with strides (2, 1); B: one (1, 1) matrix per first batch
    // index [10, 100] (stride 1 on dim 0, 0 on dim 1)
    const a = be.upload(f32(1, 2, 3, 4));
    const b = be.upload(f32(10, 100));
    const p: MatmulParams = {
      M: 1, N: 1, K: 1, batchShape: [2, 2],
      a: { offset: 0, rowStride: 1, colStride: 1, batchStrides: [2, 1] },
      b: { offset: 0, rowStride: 1, colStride: 1, batchStrides: [1, 0] },
      biasOffset: 0, activation: 'none',
    };
    expect(await values(be, be.matmul(a, b, p).out)).toEqual([10, 20, 300, 400]);
  });
});

describe('cpu backend: softmax', () => {
  it('softmax and log-softmax per row', async () => {
    const be = new CpuBackend();
    const x = be.upload(f32(0, Math.log(3), 5, 5));
    // row 0: exp = 1, 3 → 1/4, 3/4; row 1: equal → 1/2, 1/2
    expectAllClose(await be.read(be.softmax(x, 2, 2, false)), [0.25, 0.75, 0.5, 0.5], F32, 'softmax');
    expectAllClose(await be.read(be.softmax(x, 2, 2, true)), [Math.log(0.25), Math.log(0.75), -Math.LN2, -Math.LN2], F32, 'log');
  });

  it('is finite for large logits (the max is subtracted)', async () => {
    const be = new CpuBackend();
    const x = be.upload(f32(1000, 1000, -1000));
    expectAllClose(await be.read(be.softmax(x, 1, 3, false)), [0.5, 0.5, 0], F32, 'softmax');
    expectAllClose(await be.read(be.softmax(x, 1, 3, true)), [-Math.LN2, -Math.LN2, -2000 - Math.LN2], F32, 'log');
  });
});

describe('cpu backend: layerNorm', () => {
  it('returns out, mean and rstd with the population variance', async () => {
    const be = new CpuBackend();
    const x = be.upload(f32(1, 2, 3, 4, /* row 1 */ 2, 2, 2, 2));
    const w = be.upload(f32(1, 2, 1, 1));
    const b = be.upload(f32(0, 0, 1, 0));
    const eps = 1e-5;
    const { out, mean, rstd } = be.layerNorm(x, w, b, 2, 4, eps);
    // row 0: mean 2.5, var (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25; row 1: mean 2, var 0
    const r0 = 1 / Math.sqrt(1.25 + eps);
    const r1 = 1 / Math.sqrt(eps);
    expectAllClose(await be.read(mean), [2.5, 2], F32, 'mean');
    expectAllClose(await be.read(rstd), [r0, r1], F32, 'rstd');
    expectAllClose(
      await be.read(out),
      [-1.5 * r0, -0.5 * r0 * 2, 0.5 * r0 + 1, 1.5 * r0, 0, 0, 1, 0],
      F32,
      'out',
    );
  });
});

describe('cpu backend: crossEntropy', () => {
  const lse = (row: number[]): number => Math.log(row.reduce((s, v) => s + Math.exp(v), 0));

  it('is -log_softmax at the target without smoothing', async () => {
    const be = new CpuBackend();
    const logits = [1, 2, 3, 0, 0, 0];
    const { loss, counted } = be.crossEntropy(be.upload(new Float32Array(logits)), be.upload(i32(2, 0)), {
      rows: 2,
      classes: 3,
      ignoreIndex: -100,
      labelSmoothing: 0,
    });
    expectAllClose(await be.read(loss), [lse([1, 2, 3]) - 3, Math.log(3)], F32, 'loss');
    expect(await values(be, counted)).toEqual([1, 1]);
  });

  it('applies label smoothing and skips ignoreIndex rows', async () => {
    const be = new CpuBackend();
    const row = [1, 2, 3];
    const logits = be.upload(new Float32Array([...row, ...row, ...row]));
    const targets = be.upload(i32(0, -100, 2));
    const eps = 0.1;
    const { loss, counted } = be.crossEntropy(logits, targets, { rows: 3, classes: 3, ignoreIndex: -100, labelSmoothing: eps });
    // q = (1-ε)·onehot + ε/3; loss = -Σ q_c·(x_c - lse) = lse - (1-ε)·x_t - (ε/3)·Σ x_c
    const L = lse(row);
    const smoothed = (t: number): number => L - (1 - eps) * row[t] - (eps / 3) * (1 + 2 + 3);
    expectAllClose(await be.read(loss), [smoothed(0), 0, smoothed(2)], F32, 'loss');
    expect(await values(be, counted)).toEqual([1, 0, 1]);
  });

  it('throws a RangeError naming the row and value for a target out of range', () => {
    const be = new CpuBackend();
    const logits = be.upload(f32(0, 0, 0, 0));
    const p = { rows: 2, classes: 2, ignoreIndex: -100, labelSmoothing: 0 };
    expect(() => be.crossEntropy(logits, be.upload(i32(1, 2)), p)).toThrow(RangeError);
    expect(() => be.crossEntropy(logits, be.upload(i32(1, 2)), p)).toThrow(/target 2 at row 1/);
    expect(() => be.crossEntropy(logits, be.upload(i32(-1, 0)), p)).toThrow(/target -1 at row 0/);
  });
});

describe('cpu backend: gather', () => {
  it('looks up rows of a table', async () => {
    const be = new CpuBackend();
    const table = be.upload(f32(0, 1, 10, 11, 20, 21)); // (3, 2)
    const out = be.gather(table, be.upload(i32(2, 0, 2, 1)), 3, 2);
    expect(await values(be, out)).toEqual([20, 21, 0, 1, 20, 21, 10, 11]);
  });

  it('throws a RangeError naming the position, value and valid range', () => {
    const be = new CpuBackend();
    const table = be.upload(f32(0, 1, 10, 11));
    const before = be.memoryStats().buffers;
    const idx = be.upload(i32(0, 1, 2));
    expect(() => be.gather(table, idx, 2, 2)).toThrow(RangeError);
    expect(() => be.gather(table, idx, 2, 2)).toThrow(/index 2 at position 2 .*\[0, 2\)/);
    expect(() => be.gather(table, be.upload(i32(-1)), 2, 2)).toThrow(/index -1 at position 0/);
    expect(be.memoryStats().buffers).toBe(before + 2); // only the two uploaded index storages are alive
  });
});

describe('cpu backend: health', () => {
  it('counts NaN, +Inf and -Inf', async () => {
    const be = new CpuBackend();
    const s = be.upload(f32(1, NaN, Infinity, -Infinity, NaN, 0, -Infinity, -Infinity));
    expect(await be.health(s)).toEqual({ nan: 2, posInf: 1, negInf: 3 });
    expect(await be.health(be.upload(f32(1, 2)))).toEqual({ nan: 0, posInf: 0, negInf: 0 });
    expect(await be.health(be.upload(i32(-1)))).toEqual({ nan: 0, posInf: 0, negInf: 0 });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Backward kernels and optimizer updates. Gradients are checked against hand-worked values and against central
// differences of the forward recomputed here in JS doubles (itself checked against the backend's forward).

/** Central differences of a scalar function f at x: (f(x + h·e_i) − f(x − h·e_i)) / 2h, in doubles. */
function centralDiff(f: (x: number[]) => number, x: readonly number[], h = 1e-4): number[] {
  return x.map((_, i) => {
    const plus = [...x];
    const minus = [...x];
    plus[i] += h;
    minus[i] -= h;
    return (f(plus) - f(minus)) / (2 * h);
  });
}

/** Row-wise softmax or log-softmax of (rows, cols) in doubles. */
function softmax64(x: readonly number[], rows: number, cols: number, log: boolean): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    const row = x.slice(r * cols, (r + 1) * cols);
    const m = Math.max(...row);
    const z = row.reduce((s, v) => s + Math.exp(v - m), 0);
    for (const v of row) out.push(log ? v - m - Math.log(z) : Math.exp(v - m) / z);
  }
  return out;
}

/** LayerNorm of (rows, cols) in doubles, with the population variance. */
function layerNorm64(x: readonly number[], w: readonly number[], b: readonly number[], rows: number, cols: number, eps: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    const row = x.slice(r * cols, (r + 1) * cols);
    const mu = row.reduce((s, v) => s + v, 0) / cols;
    const variance = row.reduce((s, v) => s + (v - mu) ** 2, 0) / cols;
    row.forEach((v, c) => out.push(((v - mu) / Math.sqrt(variance + eps)) * w[c] + b[c]));
  }
  return out;
}

/** Per-row smoothed cross-entropy in doubles; 0 for ignored rows. */
function crossEntropy64(x: readonly number[], t: ArrayLike<number>, rows: number, classes: number, ignoreIndex: number, eps: number): number[] {
  const logp = softmax64(x, rows, classes, true);
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    if (t[r] === ignoreIndex) {
      out.push(0);
      continue;
    }
    let acc = 0;
    for (let c = 0; c < classes; c++) acc -= ((c === t[r] ? 1 - eps : 0) + eps / classes) * logp[r * classes + c];
    out.push(acc);
  }
  return out;
}

/** Σ_i a_i·b_i: the scalar loss L = Σ g⊙y whose gradient a backward kernel computes for upstream g. */
function dotp(a: readonly number[], b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

const GRAD = { atol: 1e-5, rtol: 1e-4 }; // float32 results against double central differences

describe('cpu backend: softmaxBackward', () => {
  it('matches hand-worked values', async () => {
    const be = new CpuBackend();
    // y = (1/4, 3/4), g = (1, 0): Σ g·y = 1/4, dx = y⊙(g − 1/4) = (1/4·3/4, 3/4·(−1/4)) = (3/16, −3/16).
    const y = be.upload(f32(0.25, 0.75));
    const g = be.upload(f32(1, 0));
    expectAllClose(await be.read(be.softmaxBackward(y, g, 1, 2, false)), [3 / 16, -3 / 16], F32, 'softmax');
    // log-softmax with y = log(1/4, 3/4), g = (1, 0): Σ g = 1, dx = g − exp(y) = (3/4, −3/4).
    const ly = be.upload(f32(Math.log(0.25), Math.log(0.75)));
    expectAllClose(await be.read(be.softmaxBackward(ly, g, 1, 2, true)), [0.75, -0.75], F32, 'log-softmax');
    // A constant upstream gradient moves neither: softmax is invariant to adding a constant to x.
    const ones = be.upload(f32(1, 1));
    expectAllClose(await be.read(be.softmaxBackward(y, ones, 1, 2, false)), [0, 0], F32, 'constant g');
  });

  for (const log of [false, true]) {
    it(`matches central differences (${log ? 'log-softmax' : 'softmax'}, 3 × 7)`, async () => {
      const be = new CpuBackend();
      const [rows, cols] = [3, 7];
      const x = Array.from(randArray(rows * cols, 11, -3, 3));
      const g = Array.from(randArray(rows * cols, 12));
      const y = be.softmax(be.upload(new Float32Array(x)), rows, cols, log);
      expectAllClose(await be.read(y), softmax64(x, rows, cols, log), F32, 'the double forward is the CPU forward');
      const dx = be.softmaxBackward(y, be.upload(new Float32Array(g)), rows, cols, log);
      const fd = centralDiff((xs) => dotp(softmax64(xs, rows, cols, log), g), x);
      expectAllClose(await be.read(dx), fd, GRAD, 'dx');
    });
  }
});

describe('cpu backend: layerNormBackward', () => {
  it('matches hand-worked values', async () => {
    const be = new CpuBackend();
    // x = (−1, 1): mean 0, var 1, so (with eps 0) rstd = 1 and x̂ = (−1, 1). w = (2, 3), g = (1, 1):
    // ĝ = (2, 3), mean(ĝ) = 2.5, mean(ĝ⊙x̂) = (−2 + 3)/2 = 0.5, dx = (2 − 2.5 + 0.5, 3 − 2.5 − 0.5) = (0, 0);
    // dweight = g⊙x̂ = (−1, 1), dbias = g = (1, 1).
    const x = be.upload(f32(-1, 1));
    const w = be.upload(f32(2, 3));
    const b = be.upload(f32(0, 0));
    const { mean, rstd } = be.layerNorm(x, w, b, 1, 2, 0);
    const r = be.layerNormBackward(x, w, mean, rstd, be.upload(f32(1, 1)), 1, 2);
    expectAllClose(await be.read(r.dx), [0, 0], F32, 'dx');
    expectAllClose(await be.read(r.dweight), [-1, 1], F32, 'dweight');
    expectAllClose(await be.read(r.dbias), [1, 1], F32, 'dbias');
    // dx is 0 for any g here: with two columns x̂ = ±1 whatever x is, so the output does not depend on x.
    // Over two rows, dweight and dbias sum the rows' contributions:
    const two = be.upload(f32(-1, 1, /* row 1 */ 3, 5)); // row 1: mean 4, var 1, x̂ = (−1, 1)
    const s = be.layerNorm(two, w, b, 2, 2, 0);
    const r2 = be.layerNormBackward(two, w, s.mean, s.rstd, be.upload(f32(1, 2, 3, 4)), 2, 2);
    expectAllClose(await be.read(r2.dx), [0, 0, 0, 0], F32, 'dx');
    expectAllClose(await be.read(r2.dweight), [-1 - 3, 2 + 4], F32, 'dweight'); // Σ_rows g⊙x̂
    expectAllClose(await be.read(r2.dbias), [1 + 3, 2 + 4], F32, 'dbias'); // Σ_rows g
  });

  it('matches central differences in x, weight and bias (3 × 7)', async () => {
    const be = new CpuBackend();
    const [rows, cols, eps] = [3, 7, 1e-5];
    const x = Array.from(randArray(rows * cols, 21, -2, 2));
    const w = Array.from(randArray(cols, 22, 0.5, 1.5));
    const b = Array.from(randArray(cols, 23));
    const g = Array.from(randArray(rows * cols, 24));
    const xs = be.upload(new Float32Array(x));
    const ws = be.upload(new Float32Array(w));
    const { out, mean, rstd } = be.layerNorm(xs, ws, be.upload(new Float32Array(b)), rows, cols, eps);
    expectAllClose(await be.read(out), layerNorm64(x, w, b, rows, cols, eps), F32, 'the double forward is the CPU forward');
    const r = be.layerNormBackward(xs, ws, mean, rstd, be.upload(new Float32Array(g)), rows, cols);
    const L = (xv: number[], wv: number[], bv: number[]): number => dotp(layerNorm64(xv, wv, bv, rows, cols, eps), g);
    expectAllClose(await be.read(r.dx), centralDiff((v) => L(v, w, b), x), GRAD, 'dx');
    expectAllClose(await be.read(r.dweight), centralDiff((v) => L(x, v, b), w), GRAD, 'dweight');
    expectAllClose(await be.read(r.dbias), centralDiff((v) => L(x, w, v), b), GRAD, 'dbias');
  });
});

describe('cpu backend: crossEntropyBackward', () => {
  it('is gRow·(softmax − q), with zeros for ignored and out-of-range targets', async () => {
    const be = new CpuBackend();
    // Every row is (0, log 3): softmax = (1/4, 3/4).
    const row = [0, Math.log(3)];
    const logits = be.upload(new Float32Array([...row, ...row, ...row, ...row]));
    const targets = be.upload(i32(1, -100, 0, 7));
    const gRow = be.upload(f32(2, 5, 1, 1));
    const p = { rows: 4, classes: 2, ignoreIndex: -100, labelSmoothing: 0 };
    expectAllClose(
      await be.read(be.crossEntropyBackward(logits, targets, gRow, p)),
      // row 0: 2·(1/4 − 0, 3/4 − 1); row 1 ignored; row 2: 1·(1/4 − 1, 3/4 − 0); row 3: target 7 out of range
      [0.5, -0.5, 0, 0, -0.75, 0.75, 0, 0],
      F32,
      'dlogits',
    );
    // ε = 0.2 over 2 classes: q = 0.8·onehot + 0.1, so q = (0.1, 0.9) for target 1 and (0.9, 0.1) for target 0.
    expectAllClose(
      await be.read(be.crossEntropyBackward(logits, targets, gRow, { ...p, labelSmoothing: 0.2 })),
      [2 * (0.25 - 0.1), 2 * (0.75 - 0.9), 0, 0, 0.25 - 0.9, 0.75 - 0.1, 0, 0],
      F32,
      'smoothed',
    );
  });

  it('gives zeros for a row whose target equals an in-range ignoreIndex', async () => {
    const be = new CpuBackend();
    const dl = be.crossEntropyBackward(be.upload(f32(1, 2, 3, 4)), be.upload(i32(0, 1)), be.upload(f32(1, 1)), {
      rows: 2,
      classes: 2,
      ignoreIndex: 0,
      labelSmoothing: 0,
    });
    const s = 1 / (1 + Math.E); // softmax(3, 4) = (1/(1+e), e/(1+e))
    expectAllClose(await be.read(dl), [0, 0, s, 1 - s - 1], F32, 'dlogits');
  });

  for (const eps of [0, 0.1]) {
    it(`matches central differences of Σ gRow·loss (ε = ${eps}, 5 × 7, one row ignored)`, async () => {
      const be = new CpuBackend();
      const [rows, classes, ignoreIndex] = [5, 7, -100];
      const x = Array.from(randArray(rows * classes, 31, -3, 3));
      const t = randInts(rows, 32, 0, classes);
      t[2] = ignoreIndex;
      const gRow = Array.from(randArray(rows, 33, 0.1, 2));
      const p = { rows, classes, ignoreIndex, labelSmoothing: eps };
      const xs = be.upload(new Float32Array(x));
      const ts = be.upload(t);
      const { loss } = be.crossEntropy(xs, ts, p);
      expectAllClose(await be.read(loss), crossEntropy64(x, t, rows, classes, ignoreIndex, eps), F32, 'the double forward is the CPU forward');
      const dl = be.crossEntropyBackward(xs, ts, be.upload(new Float32Array(gRow)), p);
      const fd = centralDiff((v) => dotp(crossEntropy64(v, t, rows, classes, ignoreIndex, eps), gRow), x);
      expectAllClose(await be.read(dl), fd, GRAD, 'dlogits');
    });
  }
});

describe('cpu backend: scatterAdd', () => {
  it('sums rows by index, with repeats, untouched rows at zero and out-of-range indices dropped', async () => {
    const be = new CpuBackend();
    const g = be.upload(f32(1, 2, /**/ 10, 20, /**/ 100, 200, /**/ 7, 7, /**/ 9, 9)); // (5, 2)
    const idx = be.upload(i32(2, 0, 2, -1, 4));
    // rows = 4: row 0 ← g[1]; row 1 ← nothing; row 2 ← g[0] + g[2]; row 3 ← nothing; -1 and 4 are dropped.
    expect(await values(be, be.scatterAdd(g, idx, 4, 2))).toEqual([10, 20, 0, 0, 101, 202, 0, 0]);
    expect(await values(be, be.scatterAdd(be.upload(new Float32Array(0)), be.upload(new Int32Array(0)), 2, 3))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('is the adjoint of gather: ⟨gather(T, idx), G⟩ = ⟨T, scatterAdd(G, idx)⟩', async () => {
    const be = new CpuBackend();
    const [rows, rowSize, n] = [7, 3, 33];
    const table = randArray(rows * rowSize, 41);
    const G = randArray(n * rowSize, 42);
    const idx = be.upload(randInts(n, 43, 0, rows)); // 33 draws from 7 rows: repeats certain
    const gathered = await be.read(be.gather(be.upload(table), idx, rows, rowSize));
    const scattered = await be.read(be.scatterAdd(be.upload(G), idx, rows, rowSize));
    expect(dotp(Array.from(table), scattered)).toBeCloseTo(dotp(Array.from(G), gathered), 4);
  });
});

describe('cpu backend: dropoutMask', () => {
  it('is 1/(1−p) where dropoutUniform(seed, i) ≥ p, else 0', async () => {
    const be = new CpuBackend();
    const [numel, p, seed] = [257, 0.3, 1234];
    const mask = await values(be, be.dropoutMask(numel, p, seed));
    const expected = Array.from({ length: numel }, (_, i) => (dropoutUniform(seed, i) >= p ? Math.fround(1 / 0.7) : 0));
    expect(mask).toEqual(expected);
    expect(await values(be, be.dropoutMask(numel, p, seed))).toEqual(mask); // seeded: the same again
    expect(await values(be, be.dropoutMask(numel, p, seed + 1))).not.toEqual(mask);
  });

  it('p = 0 keeps everything at scale 1 and p = 1 drops everything', async () => {
    const be = new CpuBackend();
    expect(await values(be, be.dropoutMask(33, 0, 5))).toEqual(new Array<number>(33).fill(1));
    expect(await values(be, be.dropoutMask(33, 1, 5))).toEqual(new Array<number>(33).fill(0));
  });

  for (const p of [0.1, 0.5, 0.9]) {
    it(`keeps a fraction ≈ 1 − p of 10,000 elements, with mean ≈ 1 (p = ${p})`, async () => {
      const be = new CpuBackend();
      const mask = await values(be, be.dropoutMask(10_000, p, 99));
      const kept = mask.filter((v) => v !== 0).length / mask.length;
      // The keep count is Binomial(10⁴, 1−p): its fraction has σ = √(p(1−p)/10⁴) ≤ 0.005, so 0.02 is 4σ.
      expect(Math.abs(kept - (1 - p))).toBeLessThan(0.02);
      expect(Math.abs(mask.reduce((s, v) => s + v, 0) / mask.length - 1)).toBeLessThan(0.02 / (1 - p));
    });
  }
});

describe('cpu backend: sgdStep', () => {
  const sgd = (o: Partial<SgdParams>): SgdParams => ({
    lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, firstStep: true, ...o,
  });

  it('plain and with L2 weight decay, in place', async () => {
    const be = new CpuBackend();
    const param = be.upload(f32(1, 2));
    be.sgdStep([{ param: param, grad: be.upload(f32(0.5, 0.5)), momentumBuf: null }], sgd({}));
    expectAllClose(await be.read(param), [0.95, 1.95], F32, 'p -= lr·g');
    // g' = g + wd·p = 0.5 + 0.1·(0.95, 1.95); p -= 0.1·g'
    be.sgdStep([{ param: param, grad: be.upload(f32(0.5, 0.5)), momentumBuf: null }], sgd({ weightDecay: 0.1 }));
    expectAllClose(await be.read(param), [0.95 - 0.1 * 0.595, 1.95 - 0.1 * 0.695], F32, 'wd');
  });

  it('momentum: buf = g on the first step, then momentum·buf + (1−dampening)·g', async () => {
    const be = new CpuBackend();
    const param = be.upload(f32(1));
    const buf = be.fill(1, 0, 'float32');
    const g = be.upload(f32(0.5));
    be.sgdStep([{ param: param, grad: g, momentumBuf: buf }], sgd({ momentum: 0.9, dampening: 0.5 }));
    // First step: buf = g = 0.5, undamped (PyTorch); p = 1 − 0.1·0.5 = 0.95.
    expectAllClose(await be.read(buf), [0.5], F32, 'buf 1');
    expectAllClose(await be.read(param), [0.95], F32, 'p 1');
    be.sgdStep([{ param: param, grad: g, momentumBuf: buf }], sgd({ momentum: 0.9, dampening: 0.5, firstStep: false }));
    // buf = 0.9·0.5 + 0.5·0.5 = 0.7; p = 0.95 − 0.07 = 0.88.
    expectAllClose(await be.read(buf), [0.7], F32, 'buf 2');
    expectAllClose(await be.read(param), [0.88], F32, 'p 2');
  });

  it('nesterov: d = g + momentum·buf (torch: p = 1, g = 0.5, lr 0.1, momentum 0.9 → 0.905, then 0.7695)', async () => {
    const be = new CpuBackend();
    const param = be.upload(f32(1));
    const buf = be.fill(1, 0, 'float32');
    const g = be.upload(f32(0.5));
    be.sgdStep([{ param: param, grad: g, momentumBuf: buf }], sgd({ momentum: 0.9, nesterov: true }));
    // buf = 0.5; d = 0.5 + 0.9·0.5 = 0.95; p = 1 − 0.095.
    expectAllClose(await be.read(param), [0.905], F32, 'p 1');
    be.sgdStep([{ param: param, grad: g, momentumBuf: buf }], sgd({ momentum: 0.9, nesterov: true, firstStep: false }));
    // buf = 0.9·0.5 + 0.5 = 0.95; d = 0.5 + 0.9·0.95 = 1.355; p = 0.905 − 0.1355.
    expectAllClose(await be.read(buf), [0.95], F32, 'buf 2');
    expectAllClose(await be.read(param), [0.7695], F32, 'p 2');
  });
});

describe('cpu backend: adamStep', () => {
  const adam = (o: Partial<AdamParams>): AdamParams => ({
    lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, step: 1, ...o,
  });

  it('one step moves by lr·sign(g): torch gives p = 0.9 from p = 1, g = 0.5, lr = 0.1', async () => {
    const be = new CpuBackend();
    const param = be.upload(f32(1, 1));
    const m = be.fill(2, 0, 'float32');
    const v = be.fill(2, 0, 'float32');
    be.adamStep([{ param: param, grad: be.upload(f32(0.5, -2)), m: m, v: v }], adam({}));
    // m = 0.1·g, v = 0.001·g², m̂ = g, v̂ = g², so the step is lr·g/(|g| + eps) = ±lr·(1 − eps/|g|).
    expectAllClose(await be.read(m), [0.05, -0.2], F32, 'm');
    expectAllClose(await be.read(v), [0.00025, 0.004], F32, 'v');
    expectAllClose(await be.read(param), [0.9, 1.1], F32, 'p');
  });

  it('a second step with a different gradient (hand-worked)', async () => {
    const be = new CpuBackend();
    const param = be.upload(f32(1));
    const m = be.fill(1, 0, 'float32');
    const v = be.fill(1, 0, 'float32');
    be.adamStep([{ param: param, grad: be.upload(f32(0.5)), m: m, v: v }], adam({ step: 1 }));
    be.adamStep([{ param: param, grad: be.upload(f32(-1)), m: m, v: v }], adam({ step: 2 }));
    // m = 0.9·0.05 − 0.1 = −0.055; v = 0.999·0.00025 + 0.001 = 0.00124975;
    // m̂ = −0.055/(1 − 0.81) = −0.055/0.19; v̂ = 0.00124975/(1 − 0.998001); p = 0.9 − 0.1·m̂/(√v̂ + 1e-8) ≈ 0.93661.
    const mHat = -0.055 / 0.19;
    const vHat = 0.00124975 / 0.001999;
    expectAllClose(await be.read(m), [-0.055], F32, 'm');
    expectAllClose(await be.read(v), [0.00124975], F32, 'v');
    expectAllClose(await be.read(param), [0.9 - (0.1 * mHat) / (Math.sqrt(vHat) + 1e-8)], F32, 'p');
  });

  it('eps sits outside the square root: g = eps takes half a step', async () => {
    const be = new CpuBackend();
    const param = be.upload(f32(1));
    be.adamStep([{ param: param, grad: be.upload(f32(1e-6)), m: be.fill(1, 0, 'float32'), v: be.fill(1, 0, 'float32') }], adam({ eps: 1e-6 }));
    // m̂ = g, √v̂ = |g| = eps, so the step is lr·g/(2·eps) = lr/2.
    expectAllClose(await be.read(param), [0.95], { atol: 1e-6, rtol: 1e-5 }, 'p');
  });

  it('Adam adds wd·p to the gradient; AdamW decays p by lr·wd·p first', async () => {
    const be = new CpuBackend();
    // Adam, wd = 0.1: g' = 0.5 + 0.1·1 = 0.6, which the moments see; the first step is still lr·sign(g').
    const p1 = be.upload(f32(1));
    const m1 = be.fill(1, 0, 'float32');
    const v1 = be.fill(1, 0, 'float32');
    be.adamStep([{ param: p1, grad: be.upload(f32(0.5)), m: m1, v: v1 }], adam({ weightDecay: 0.1 }));
    expectAllClose(await be.read(m1), [0.06], F32, 'adam m');
    expectAllClose(await be.read(v1), [0.00036], F32, 'adam v');
    expectAllClose(await be.read(p1), [0.9], F32, 'adam p');
    // AdamW (torch defaults wd = 0.01): p = 1 − 0.1·0.01·1 = 0.999, then − 0.1 → 0.899; the moments see g alone.
    const p2 = be.upload(f32(1));
    const m2 = be.fill(1, 0, 'float32');
    const v2 = be.fill(1, 0, 'float32');
    be.adamStep([{ param: p2, grad: be.upload(f32(0.5)), m: m2, v: v2 }], adam({ weightDecay: 0.01, decoupled: true }));
    expectAllClose(await be.read(m2), [0.05], F32, 'adamw m');
    expectAllClose(await be.read(p2), [0.899], F32, 'adamw p');
  });
});
