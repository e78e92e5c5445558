// Elementwise kernels: unary, binary (broadcast and scalar), where, cast, fill and the strided copy. All launch one
// thread per output element on a 1-D grid (folded into y when large), and all but fill read their inputs through
// strides and offsets (shaders/strided.wgsl), so views need no copy. Each kernel is generated per coalesced rank.
import type { BinaryOp, BroadcastLayout, Storage, StridedView, UnaryOp } from '../backend';
import { BINARY, BINARY_CODES, UNARY, UNARY_CODES } from '../../ops/pointwise';
import type { DType } from '../../dtype';
import { numel, stridesOf } from '../../shape';
import type { GpuContext, Kernel } from './context';
import { allocStorage, gpu, groups, type GpuStorage } from './storage';
import { stridedUniforms, type StridedUniforms } from './strided';
import { wgslConsts, type ShaderSpec } from './shader';

const WG = 256;

// The unary and binary kernels' apply() is generated from the op records (ops/pointwise.ts): one case per op,
// `case OP_<NAME>: { <its wgsl> }`, with OP_<NAME> its code, the op's place in its table.
function opSwitch(table: Record<string, { wgsl: string }>, codes: Record<string, number>, fallback: string): string {
  const names = wgslConsts('OP_', codes);
  const label = Object.keys(names);
  const cases = Object.values(table).map((def, i) => `    case ${label[i]}: { ${def.wgsl} }`);
  return ['  switch OP {', ...cases, `    default: { ${fallback} }`, '  }'].join('\n');
}

const SHADERS: Partial<Record<StridedName, Omit<ShaderSpec, 'file' | 'vars'>>> = {
  unary: { consts: wgslConsts('OP_', UNARY_CODES), generated: { unary_ops: opSwitch(UNARY, UNARY_CODES, 'return v;') } },
  binary: { consts: wgslConsts('OP_', BINARY_CODES), generated: { binary_ops: opSwitch(BINARY, BINARY_CODES, 'return x;') } },
};

type StridedName = 'unary' | 'binary' | 'where' | 'cast' | 'copy';

/** How the unary or binary kernel is built, apart from its rank: exported for tests. */
export function pointwiseShader(name: 'unary' | 'binary'): ShaderSpec {
  return { file: name, ...SHADERS[name] };
}

/** The kernel `name` (shaders/<name>.wgsl) expanded for the layout's rank, with its override constants. */
function stridedKernel(ctx: GpuContext, name: StridedName, u: StridedUniforms, constants: Record<string, number>): Kernel {
  const shader: ShaderSpec = { file: name, vars: { INNER: u.inner }, ...SHADERS[name] };
  return ctx.kernel(`${name}|INNER=${u.inner}`, shader, { ...constants, WG });
}

/** A view covering all of s, contiguous. */
function whole(s: Storage): StridedView {
  return { shape: [s.numel], strides: [1], offset: 0 };
}

function dispatchStrided(ctx: GpuContext, k: Kernel, buffers: Record<string, GPUBuffer>, u: StridedUniforms, extra: Record<string, unknown> = {}): void {
  ctx.dispatch(k, buffers, { n: u.n, offsets: u.offsets, dims: u.dims, ...extra }, ctx.grid1d(groups(u.n, WG)));
}

export function unary(ctx: GpuContext, op: UnaryOp, xs: Storage, view: StridedView = whole(xs)): GpuStorage {
  const x = gpu(xs);
  const u = stridedUniforms(view.shape, [view.strides], [view.offset]);
  const out = allocStorage(ctx, u.n, 'float32');
  dispatchStrided(ctx, stridedKernel(ctx, 'unary', u, { OP: UNARY_CODES[op] }), { x: x.buffer, out: out.buffer }, u);
  return out;
}

export function binary(ctx: GpuContext, op: BinaryOp, as: Storage, bs: Storage, layout: BroadcastLayout): GpuStorage {
  const [a, b] = [gpu(as), gpu(bs)];
  const u = stridedUniforms(layout.outShape, layout.strides, layout.offsets ?? []);
  const out = allocStorage(ctx, u.n, 'float32');
  const k = stridedKernel(ctx, 'binary', u, { OP: BINARY_CODES[op], SCALAR: 0, SWAP: 0 });
  dispatchStrided(ctx, k, { a: a.buffer, b: b.buffer, out: out.buffer }, u, { scalar: 0 });
  return out;
}

export function binaryScalar(
  ctx: GpuContext, op: BinaryOp, xs: Storage, scalar: number, scalarFirst: boolean, view: StridedView = whole(xs),
): GpuStorage {
  const x = gpu(xs);
  const u = stridedUniforms(view.shape, [view.strides], [view.offset]);
  const out = allocStorage(ctx, u.n, 'float32');
  const k = stridedKernel(ctx, 'binary', u, { OP: BINARY_CODES[op], SCALAR: 1, SWAP: scalarFirst ? 1 : 0 });
  dispatchStrided(ctx, k, { a: x.buffer, b: x.buffer, out: out.buffer }, u, { scalar });
  return out;
}

export function where(ctx: GpuContext, cs: Storage, as: Storage, bs: Storage, layout: BroadcastLayout): GpuStorage {
  const [c, a, b] = [gpu(cs), gpu(as), gpu(bs)];
  const u = stridedUniforms(layout.outShape, layout.strides, layout.offsets ?? []);
  const out = allocStorage(ctx, u.n, a.dtype);
  const k = stridedKernel(ctx, 'where', u, { COND_FLOAT: c.dtype === 'float32' ? 1 : 0 });
  dispatchStrided(ctx, k, { cond: c.buffer, a: a.buffer, b: b.buffer, out: out.buffer }, u);
  return out;
}

/**
 * Copies `view` of src into a new contiguous storage, or into `dst` at `dst.view`; with `accumulate`, adds
 * (float32) into dst instead of overwriting it.
 */
export function copy(
  ctx: GpuContext, srcS: Storage, view: StridedView, dst?: { storage: Storage; view: StridedView }, accumulate = false,
): GpuStorage {
  const src = gpu(srcS);
  const out = dst ? gpu(dst.storage) : allocStorage(ctx, numel(view.shape), src.dtype);
  const dstView = dst?.view ?? { shape: view.shape, strides: stridesOf(view.shape), offset: 0 };
  const u = stridedUniforms(view.shape, [view.strides, dstView.strides], [view.offset, dstView.offset]);
  const k = stridedKernel(ctx, 'copy', u, { ACCUMULATE: accumulate ? 1 : 0 });
  dispatchStrided(ctx, k, { src: src.buffer, dst: out.buffer }, u);
  return out;
}

export function fill(ctx: GpuContext, n: number, value: number, dtype: DType): GpuStorage {
  const out = allocStorage(ctx, n, dtype);
  const word = new DataView(new ArrayBuffer(4));
  if (dtype === 'int32') word.setInt32(0, value, true);
  else word.setFloat32(0, value, true);
  const k = ctx.kernel('fill', { file: 'fill' }, { WG });
  ctx.dispatch(k, { out: out.buffer }, { n, bits: word.getUint32(0, true) }, ctx.grid1d(groups(n, WG)));
  return out;
}

export function cast(ctx: GpuContext, xs: Storage, to: DType, view: StridedView = whole(xs)): GpuStorage {
  const x = gpu(xs);
  const u = stridedUniforms(view.shape, [view.strides], [view.offset]);
  const out = allocStorage(ctx, u.n, to);
  dispatchStrided(ctx, stridedKernel(ctx, 'cast', u, { TO_INT: to === 'int32' ? 1 : 0 }), { x: x.buffer, out: out.buffer }, u);
  return out;
}
