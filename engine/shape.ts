// Shape arithmetic shared by every op: sizes, row-major strides, NumPy broadcasting and dim normalisation.
// Errors raised here name the op and both shapes, so a user can see which call was wrong.

export type Shape = readonly number[];

export class ShapeError extends Error {
  override name = 'ShapeError';
}

export function fmt(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function checkShape(shape: Shape, op: string): number[] {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`${op}: invalid shape ${fmt(shape)}: dims must be non-negative integers`);
  }
  return [...shape];
}

/** Row-major strides, in elements. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** NumPy broadcasting: align trailing dims; each pair must be equal or contain a 1. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (let i = 0; i < rank; i++) {
    for (const s of shapes) {
      const d = s[s.length - rank + i] ?? 1;
      if (d === out[i] || d === 1) continue;
      if (out[i] === 1) out[i] = d;
      else {
        throw new ShapeError(
          `${op}: shapes ${shapes.map(fmt).join(' and ')} cannot be broadcast together ` +
            `(dim ${i - rank}: ${out[i]} vs ${d})`,
        );
      }
    }
  }
  return out;
}

/** Strides that read an input of shape `inShape` as if it had `outShape`: broadcast dims get stride 0. */
export function broadcastStrides(inShape: Shape, outShape: Shape): number[] {
  const inStrides = stridesOf(inShape);
  const offset = outShape.length - inShape.length;
  return outShape.map((_, i) => {
    const j = i - offset;
    return j < 0 || inShape[j] === 1 ? 0 : inStrides[j];
  });
}

/** Accepts negative dims like PyTorch; throws with the op's name when out of range. */
export function normDim(dim: number, rank: number, op: string): number {
  const r = Math.max(rank, 1);
  if (!Number.isInteger(dim) || dim < -r || dim >= r) {
    throw new ShapeError(`${op}: dim ${dim} is out of range for a tensor of rank ${rank}`);
  }
  return dim < 0 ? dim + r : dim;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
