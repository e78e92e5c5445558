// Layout ops. A tensor is a strided view of a storage (shape, strides, offset), so transpose, permute, slice,
// select, expand, squeeze, unsqueeze and reshape (where the strides allow it) make views: no copy and no kernel.
// Views of views compose, because each works from its input's own strides. A kernel that needs a contiguous
// input asks for one with contiguous(), which copies only when the layout requires it. The backward of every
// view is a view too (a permute back, a reshape back, a sum over expanded dims), except slice's, which places
// the gradient into zeros of the input's shape.
import type { BroadcastLayout } from '../backend/backend';
import { Tensor, zeros } from '../tensor';
import { record } from '../autograd';
import { broadcastShapes, checkShape, fmt, normDim, numel, sameShape, ShapeError, stridesOf, viewStrides, type Shape } from '../shape';

/**
 * The layout of an elementwise op over `inputs` with NumPy broadcasting: the output shape, and each input's own
 * strides over it (0 on the dims it is broadcast along) and offset.
 */
export function broadcastLayout(op: string, inputs: readonly Tensor[]): BroadcastLayout & { outShape: number[] } {
  const outShape = broadcastShapes(op, ...inputs.map((t) => t.shape));
  const strides = inputs.map((t) => {
    const lead = outShape.length - t.ndim;
    return outShape.map((_, i) => (i < lead || t.shape[i - lead] === 1 ? 0 : t.strides[i - lead]));
  });
  return { outShape, strides, offsets: inputs.map((t) => t.offset) };
}

/** x itself when it is contiguous (Tensor.isContiguous), else a contiguous copy whose gradient passes straight back. */
export function contiguous(x: Tensor): Tensor {
  if (x.isContiguous()) return x;
  const out = Tensor.fromStorage(x.backend.copy(x.storage, x.layout), x.shape, x.device);
  if (!x.requiresGrad) return out;
  return record('contiguous', out, [x], (g) => [g]);
}

/**
 * x itself when it is contiguous, else a contiguous copy cut off from autograd: the input of a kernel that takes
 * plain storages, in an op that records its own gradient rule against x.
 */
export function contiguousData(x: Tensor): Tensor {
  return x.isContiguous() ? x : Tensor.fromStorage(x.backend.copy(x.storage, x.layout), x.shape, x.device);
}

/**
 * x's values as `shape`, cut off from autograd: a view where the layout allows, else a contiguous copy. For ops
 * that record their own gradient rule and only need their input in another shape.
 */
export function reshapeDetached(x: Tensor, shape: Shape): Tensor {
  const strides = viewStrides(x.shape, x.strides, shape);
  if (strides) return x.viewOf(shape, strides, x.offset);
  const c = Tensor.fromStorage(x.backend.copy(x.storage, x.layout), x.shape, x.device);
  const out = c.viewOf(shape, stridesOf(shape), 0);
  c.dispose();
  return out;
}

/** A view of x's storage with another layout, whose gradient `grad` maps d(view) back to d(x). */
function view(x: Tensor, name: string, shape: Shape, strides: Shape, offset: number, grad: (g: Tensor) => Tensor): Tensor {
  const out = x.viewOf(shape, strides, offset);
  if (!x.requiresGrad) return out;
  return record(name, out, [x], (g) => [grad(g)]);
}

export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const s = [...shape];
  const infer = s.indexOf(-1);
  if (infer !== s.lastIndexOf(-1)) throw new ShapeError(`reshape: only one dim can be -1, got ${fmt(s)}`);
  if (infer >= 0) {
    const known = numel(s.filter((_, i) => i !== infer));
    if (known === 0 || x.numel % known !== 0) {
      throw new ShapeError(`reshape: cannot reshape ${fmt(x.shape)} (${x.numel} elements) to ${fmt(s)}`);
    }
    s[infer] = x.numel / known;
  }
  checkShape(s, 'reshape');
  if (numel(s) !== x.numel) {
    throw new ShapeError(`reshape: cannot reshape ${fmt(x.shape)} (${x.numel} elements) to ${fmt(s)} (${numel(s)} elements)`);
  }
  const strides = viewStrides(x.shape, x.strides, s);
  const inShape = x.shape;
  if (strides) return view(x, 'reshape', s, strides, x.offset, (g) => g.reshape(inShape));
  // The layout cannot be read as the new shape (a transposed tensor flattened, say): copy, then view the copy.
  const c = contiguous(x);
  const out = reshape(c, s);
  c.dispose();
  return out;
}

/**
 * Sums a broadcast gradient back to the operand's shape: over the leading dims the operand lacked and over
 * each dim where it had size 1.
 */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  }
  const summed = dims.length ? g.sum(dims, true) : g;
  const out = summed.reshape(shape);
  if (summed !== g) summed.dispose();
  return out;
}

export function permute(x: Tensor, dims: readonly number[]): Tensor {
  const rank = x.ndim;
  const d = dims.map((v) => normDim(v, rank, 'permute'));
  if (d.length !== rank || new Set(d).size !== rank) {
    throw new ShapeError(`permute: ${fmt(dims)} is not a permutation of the ${rank} dims of ${fmt(x.shape)}`);
  }
  // The inverse permutation sends each gradient dim back where it came from.
  const inverse = new Array<number>(rank);
  d.forEach((v, i) => (inverse[v] = i));
  return view(x, 'permute', d.map((i) => x.shape[i]), d.map((i) => x.strides[i]), x.offset, (g) => permute(g, inverse));
}

export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const rank = x.ndim;
  const a = normDim(dim0, rank, 'transpose');
  const b = normDim(dim1, rank, 'transpose');
  const order = x.shape.map((_, i) => i);
  [order[a], order[b]] = [order[b], order[a]];
  return permute(x, order);
}

/** Python-style slice of one dim: negative indices count from the end; out-of-range bounds clamp. */
export function slice(x: Tensor, dim: number, start: number, end?: number): Tensor {
  const d = normDim(dim, x.ndim, 'slice');
  const size = x.shape[d];
  const clamp = (v: number) => Math.min(size, Math.max(0, v < 0 ? v + size : v));
  if (!Number.isInteger(start) || (end !== undefined && !Number.isInteger(end))) {
    throw new TypeError(`slice: start and end must be integers, got ${start} and ${end}`);
  }
  const s = clamp(start);
  const e = Math.max(s, clamp(end ?? size));
  const shape = [...x.shape];
  shape[d] = e - s;
  const inShape = x.shape;
  if (s === 0 && e === size) return view(x, 'slice', shape, x.strides, x.offset, (g) => g); // all of it
  // d slice: g placed at [s, e) of dim d of the input's gradient. backward() writes (or adds) it in place into a
  // buffer shared by every slice of the input (GradFn.placeInto); the rule itself pads g with zeros.
  const placeInto = (g: Tensor, into: Tensor, accumulate: boolean): void => {
    const region = { shape: g.shape, strides: into.strides, offset: into.offset + s * into.strides[d] };
    g.backend.copy(g.storage, g.layout, { storage: into.storage, view: region }, accumulate);
  };
  const out = view(x, 'slice', shape, x.strides, x.offset + s * x.strides[d], (g) => {
    const dx = zeros(inShape, { device: g.device });
    placeInto(g, dx, false);
    return dx;
  });
  if (out.gradFn) out.gradFn.placeInto = placeInto;
  return out;
}

/** Index `index` of dim `dim` (negative counts from the end), with that dim removed: x[…, index, …]. */
export function select(x: Tensor, dim: number, index: number): Tensor {
  const d = normDim(dim, x.ndim, 'select');
  const size = x.shape[d];
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new RangeError(`select: index ${index} is out of range for dim ${d} of size ${size} in ${fmt(x.shape)}`);
  }
  const i = index < 0 ? index + size : index;
  const one = slice(x, d, i, i + 1);
  const out = squeeze(one, d);
  one.dispose();
  return out;
}

/** Broadcasts x to `shape` as a view with stride 0 along the broadcast dims. -1 keeps a dim. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const lead = shape.length - x.ndim;
  if (lead < 0) throw new ShapeError(`expand: cannot expand ${fmt(x.shape)} to fewer dims ${fmt(shape)}`);
  const target = shape.map((v, i) => (v === -1 && i >= lead ? x.shape[i - lead] : v));
  checkShape(target, 'expand');
  const broadcast = broadcastShapes('expand', x.shape, target);
  if (!sameShape(broadcast, target)) throw new ShapeError(`expand: cannot expand ${fmt(x.shape)} to ${fmt(shape)}`);
  const strides = target.map((_, i) => (i < lead || x.shape[i - lead] === 1 ? 0 : x.strides[i - lead]));
  const inShape = x.shape;
  return view(x, 'expand', target, strides, x.offset, (g) => sumToShape(g, inShape));
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normDim(dim, x.ndim + 1, 'unsqueeze');
  const shape = [...x.shape];
  const strides = [...x.strides];
  // Any stride serves a size-1 dim; this one keeps a contiguous tensor's strides row-major.
  shape.splice(d, 0, 1);
  strides.splice(d, 0, d < x.ndim ? x.strides[d] * x.shape[d] : 1);
  const inShape = x.shape;
  return view(x, 'unsqueeze', shape, strides, x.offset, (g) => g.reshape(inShape));
}

export function squeeze(x: Tensor, dim?: number): Tensor {
  const d = dim === undefined ? -1 : normDim(dim, x.ndim, 'squeeze');
  // Without dim every size-1 dim goes; with one, that dim goes if its size is 1.
  const dims = x.shape.map((_, i) => i).filter((i) => x.shape[i] !== 1 || (dim !== undefined && i !== d));
  const inShape = x.shape;
  return view(x, 'squeeze', dims.map((i) => x.shape[i]), dims.map((i) => x.strides[i]), x.offset, (g) => g.reshape(inShape));
}

/** Joins tensors along `dim`; every other dim must match. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError('cat: needs at least one tensor');
  const first = tensors[0];
  const d = normDim(dim, first.ndim, 'cat');
  for (const [i, t] of tensors.entries()) {
    if (t.device !== first.device) throw new Error(`cat: tensor ${i} is on ${t.device}, tensor 0 on ${first.device}`);
    if (t.dtype !== first.dtype) throw new TypeError(`cat: tensor ${i} is ${t.dtype}, tensor 0 is ${first.dtype}`);
    if (t.ndim !== first.ndim || t.shape.some((v, k) => k !== d && v !== first.shape[k])) {
      throw new ShapeError(`cat: tensor ${i} has shape ${fmt(t.shape)}, incompatible with ${fmt(first.shape)} along dim ${d}`);
    }
  }
  const shape = [...first.shape];
  shape[d] = tensors.reduce((acc, t) => acc + t.shape[d], 0);
  const outStrides = stridesOf(shape);
  const backend = first.backend;
  let out = backend.fill(numel(shape), 0, first.dtype);
  let offset = 0;
  for (const t of tensors) {
    // Each input, whatever its layout, is read through its strides into its slab of the output.
    if (t.numel > 0) {
      out = backend.copy(t.storage, t.layout, { storage: out, view: { shape: t.shape, strides: outStrides, offset: offset * outStrides[d] } });
    }
    offset += t.shape[d];
  }
  const result = Tensor.fromStorage(out, shape, first.device);
  if (!tensors.some((t) => t.requiresGrad)) return result;
  // Each input's gradient is its slab of g along dim: a view.
  const bounds = tensors.map((t) => t.shape[d]);
  return record('cat', result, [...tensors], (g) => {
    let start = 0;
    return bounds.map((n) => {
      const piece = slice(g, d, start, start + n);
      start += n;
      return piece;
    });
  });
}
