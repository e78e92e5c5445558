// Layout ops. Tensors are always contiguous row-major, so reshape is free (a shared storage) and every other
// layout change is one strided copy on the backend: out[idx] = src[offset + Σ idx_k · strides_k].
import type { StridedView } from '../backend/backend';
import { Tensor, zeros } from '../tensor';
import { record } from '../autograd';
import { broadcastShapes, checkShape, fmt, normDim, numel, sameShape, ShapeError, stridesOf, type Shape } from '../shape';

/**
 * Merges adjacent dims that every operand walks contiguously, and drops size-1 dims, so elementwise kernels
 * do the least index arithmetic: a same-shape op becomes rank 1.
 */
export function coalesce(shape: Shape, strides: ReadonlyArray<readonly number[]>): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = outShape.length - 1;
    // dim d can join the previous kept dim when, for every operand, stepping the previous dim once equals
    // stepping dim d through its whole extent.
    if (last >= 0 && strides.every((s, k) => outStrides[k][last] === s[d] * shape[d])) {
      outShape[last] *= shape[d];
      strides.forEach((s, k) => (outStrides[k][last] = s[d]));
    } else {
      outShape.push(shape[d]);
      strides.forEach((s, k) => outStrides[k].push(s[d]));
    }
  }
  if (outShape.length === 0) return { shape: [1], strides: strides.map(() => [0]) };
  return { shape: outShape, strides: outStrides };
}

/** Broadcast strides of each input over the common output shape, coalesced for the kernel. */
export function broadcastLayout(op: string, shapes: Shape[]): { outShape: number[]; layout: { outShape: number[]; strides: number[][] } } {
  const outShape = broadcastShapes(op, ...shapes);
  const strides = shapes.map((s) => {
    const own = stridesOf(s);
    const offset = outShape.length - s.length;
    return outShape.map((_, i) => (i < offset || s[i - offset] === 1 ? 0 : own[i - offset]));
  });
  const c = coalesce(outShape, strides);
  return { outShape, layout: { outShape: c.shape, strides: c.strides } };
}

/** Copies `view` of x into a new contiguous tensor of shape `shape` (view.shape may be its coalesced form). */
export function gatherView(x: Tensor, view: StridedView, shape: Shape): Tensor {
  const c = coalesce(view.shape, [view.strides, stridesOf(view.shape)]);
  const storage = x.backend.copy(x.storage, { shape: c.shape, strides: c.strides[0], offset: view.offset });
  return Tensor.fromStorage(storage, shape, x.device);
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
  return view(x, s, 'reshape');
}

/** x's storage under another shape of the same size; the gradient is reshaped back. */
function view(x: Tensor, shape: Shape, name: string): Tensor {
  const out = x.shareAs(shape);
  if (!x.requiresGrad) return out;
  const inShape = x.shape;
  return record(name, out, [x], (g) => [g.reshape(inShape)]);
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
  const shape = d.map((i) => x.shape[i]);
  if (d.every((v, i) => v === i)) return view(x, shape, 'permute');
  const src = stridesOf(x.shape);
  const out = gatherView(x, { shape, strides: d.map((i) => src[i]), offset: 0 }, shape);
  if (!x.requiresGrad) return out;
  // The inverse permutation sends each gradient dim back where it came from.
  const inverse = new Array<number>(rank);
  d.forEach((v, i) => (inverse[v] = i));
  return record('permute', out, [x], (g) => [permute(g, inverse)]);
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
  if (s === 0 && e === size) return view(x, shape, 'slice');
  const strides = stridesOf(x.shape);
  const out = gatherView(x, { shape, strides, offset: s * strides[d] }, shape);
  if (!x.requiresGrad) return out;
  // The gradient is g placed at [s, e) of a zero tensor of x's shape.
  const inShape = x.shape;
  return record('slice', out, [x], (g) => {
    const dx = zeros(inShape, { device: g.device });
    // Written in place into dx's storage.
    g.backend.copy(g.storage, { shape: g.shape, strides: stridesOf(g.shape), offset: 0 }, {
      storage: dx.storage,
      view: { shape: g.shape, strides, offset: s * strides[d] },
    });
    return [dx];
  });
}

/** Broadcasts x to `shape` (materialised: tensors are contiguous). -1 keeps a dim. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const offset = shape.length - x.ndim;
  if (offset < 0) throw new ShapeError(`expand: cannot expand ${fmt(x.shape)} to fewer dims ${fmt(shape)}`);
  const target = shape.map((v, i) => (v === -1 && i >= offset ? x.shape[i - offset] : v));
  checkShape(target, 'expand');
  const broadcast = broadcastShapes('expand', x.shape, target);
  if (!sameShape(broadcast, target)) throw new ShapeError(`expand: cannot expand ${fmt(x.shape)} to ${fmt(shape)}`);
  if (sameShape(x.shape, target)) return view(x, target, 'expand');
  const own = stridesOf(x.shape);
  const strides = target.map((_, i) => (i < offset || x.shape[i - offset] === 1 ? 0 : own[i - offset]));
  const out = gatherView(x, { shape: target, strides, offset: 0 }, target);
  if (!x.requiresGrad) return out;
  const inShape = x.shape;
  return record('expand', out, [x], (g) => [sumToShape(g, inShape)]);
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normDim(dim, x.ndim + 1, 'unsqueeze');
  const shape = [...x.shape];
  shape.splice(d, 0, 1);
  return view(x, shape, 'unsqueeze');
}

export function squeeze(x: Tensor, dim?: number): Tensor {
  if (dim === undefined) return view(x, x.shape.filter((v) => v !== 1), 'squeeze');
  const d = normDim(dim, x.ndim, 'squeeze');
  return view(x, x.shape[d] === 1 ? x.shape.filter((_, i) => i !== d) : x.shape, 'squeeze');
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
    if (t.numel > 0) {
      out = backend.copy(t.storage, { shape: t.shape, strides: stridesOf(t.shape), offset: 0 }, {
        storage: out,
        view: { shape: t.shape, strides: outStrides, offset: offset * outStrides[d] },
      });
    }
    offset += t.shape[d];
  }
  const result = Tensor.fromStorage(out, shape, first.device);
  if (!tensors.some((t) => t.requiresGrad)) return result;
  // Each input's gradient is its slab of g along dim.
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
