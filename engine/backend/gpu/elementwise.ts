// Elementwise kernels: unary, binary (broadcast and scalar), where, cast, fill and the strided copy that
// serves every layout op. All launch one thread per output element on a 1-D grid (folded into y when large).
import unaryWgsl from '../../../shaders/unary.wgsl?raw';
import binaryWgsl from '../../../shaders/binary.wgsl?raw';
import whereWgsl from '../../../shaders/where.wgsl?raw';
import copyWgsl from '../../../shaders/copy.wgsl?raw';
import fillWgsl from '../../../shaders/fill.wgsl?raw';
import castWgsl from '../../../shaders/cast.wgsl?raw';
import type { BinaryOp, BroadcastLayout, Storage, StridedView, UnaryOp } from '../backend';
import type { DType } from '../../dtype';
import { numel, stridesOf } from '../../shape';
import type { GpuContext } from './context';
import { allocStorage, dims8, gpu, groups, type GpuStorage } from './storage';

const WG = 256;

// The shaders' OP override numbering. A Record makes the compiler flag an op that lacks a number.
export const UNARY_OPS: Record<UnaryOp, number> = {
  neg: 0, abs: 1, exp: 2, log: 3, sqrt: 4, rsqrt: 5, square: 6, reciprocal: 7, relu: 8, gelu: 9, tanh: 10,
  sigmoid: 11, sin: 12, cos: 13, step: 14, geluGrad: 15, sign: 16,
};
export const BINARY_OPS: Record<BinaryOp, number> = {
  add: 0, sub: 1, mul: 2, div: 3, pow: 4, max: 5, min: 6, eq: 7, ne: 8, lt: 9, le: 10, gt: 11, ge: 12,
};

export function unary(ctx: GpuContext, op: UnaryOp, xs: Storage): GpuStorage {
  const x = gpu(xs);
  const out = allocStorage(ctx, x.numel, 'float32');
  const k = ctx.kernel('unary', unaryWgsl, { OP: UNARY_OPS[op], WG });
  ctx.dispatch(k, { x: x.buffer, out: out.buffer }, { n: x.numel }, ctx.grid1d(groups(x.numel, WG)));
  return out;
}

export function binary(ctx: GpuContext, op: BinaryOp, as: Storage, bs: Storage, layout: BroadcastLayout): GpuStorage {
  const a = gpu(as);
  const b = gpu(bs);
  const n = numel(layout.outShape);
  const out = allocStorage(ctx, n, 'float32');
  const contig = layout.outShape.length === 1 && layout.strides.every((s) => s[0] === 1);
  const k = ctx.kernel('binary', binaryWgsl, { OP: BINARY_OPS[op], SCALAR: 0, SWAP: 0, CONTIG: contig ? 1 : 0, WG });
  ctx.dispatch(
    k,
    { a: a.buffer, b: b.buffer, out: out.buffer },
    {
      n,
      rank: layout.outShape.length,
      scalar: 0,
      shape: dims8(layout.outShape),
      aStrides: dims8(layout.strides[0]),
      bStrides: dims8(layout.strides[1]),
    },
    ctx.grid1d(groups(n, WG)),
  );
  return out;
}

export function binaryScalar(ctx: GpuContext, op: BinaryOp, xs: Storage, scalar: number, scalarFirst: boolean): GpuStorage {
  const x = gpu(xs);
  const out = allocStorage(ctx, x.numel, 'float32');
  const k = ctx.kernel('binary', binaryWgsl, { OP: BINARY_OPS[op], SCALAR: 1, SWAP: scalarFirst ? 1 : 0, CONTIG: 1, WG });
  ctx.dispatch(
    k,
    { a: x.buffer, b: x.buffer, out: out.buffer },
    { n: x.numel, rank: 1, scalar, shape: dims8([x.numel]), aStrides: dims8([1]), bStrides: dims8([1]) },
    ctx.grid1d(groups(x.numel, WG)),
  );
  return out;
}

export function where(ctx: GpuContext, cs: Storage, as: Storage, bs: Storage, layout: BroadcastLayout): GpuStorage {
  const [c, a, b] = [gpu(cs), gpu(as), gpu(bs)];
  const n = numel(layout.outShape);
  const out = allocStorage(ctx, n, a.dtype);
  const k = ctx.kernel('where', whereWgsl, { COND_FLOAT: c.dtype === 'float32' ? 1 : 0, WG });
  ctx.dispatch(
    k,
    { cond: c.buffer, a: a.buffer, b: b.buffer, out: out.buffer },
    {
      n,
      rank: layout.outShape.length,
      shape: dims8(layout.outShape),
      condStrides: dims8(layout.strides[0]),
      aStrides: dims8(layout.strides[1]),
      bStrides: dims8(layout.strides[2]),
    },
    ctx.grid1d(groups(n, WG)),
  );
  return out;
}

export function copy(ctx: GpuContext, srcS: Storage, view: StridedView, dst?: { storage: Storage; view: StridedView }): GpuStorage {
  const src = gpu(srcS);
  const n = numel(view.shape);
  const out = dst ? gpu(dst.storage) : allocStorage(ctx, n, src.dtype);
  const dstView = dst?.view ?? { shape: view.shape, strides: stridesOf(view.shape), offset: 0 };
  const k = ctx.kernel('copy', copyWgsl, { WG });
  ctx.dispatch(
    k,
    { src: src.buffer, dst: out.buffer },
    {
      n,
      rank: view.shape.length,
      srcOffset: view.offset,
      dstOffset: dstView.offset,
      shape: dims8(view.shape),
      srcStrides: dims8(view.strides),
      dstStrides: dims8(dstView.strides),
    },
    ctx.grid1d(groups(n, WG)),
  );
  return out;
}

export function fill(ctx: GpuContext, n: number, value: number, dtype: DType): GpuStorage {
  const out = allocStorage(ctx, n, dtype);
  const word = new DataView(new ArrayBuffer(4));
  if (dtype === 'int32') word.setInt32(0, value, true);
  else word.setFloat32(0, value, true);
  const k = ctx.kernel('fill', fillWgsl, { WG });
  ctx.dispatch(k, { out: out.buffer }, { n, bits: word.getUint32(0, true) }, ctx.grid1d(groups(n, WG)));
  return out;
}

export function cast(ctx: GpuContext, xs: Storage, to: DType): GpuStorage {
  const x = gpu(xs);
  const out = allocStorage(ctx, x.numel, to);
  const k = ctx.kernel('cast', castWgsl, { TO_INT: to === 'int32' ? 1 : 0, WG });
  ctx.dispatch(k, { x: x.buffer, out: out.buffer }, { n: x.numel }, ctx.grid1d(groups(x.numel, WG)));
  return out;
}
