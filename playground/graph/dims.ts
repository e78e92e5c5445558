// Shape arithmetic on symbolic shapes. A symbol ('B', 'T') equals only itself: two wires agree on a dim only when
// both carry the same number or the same symbol. Feature sizes are always numbers, because parameters fix them.
import type { Dim, TensorType } from './types';
import { formatShape } from './types';

export function sameShape(a: readonly Dim[], b: readonly Dim[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** NumPy broadcasting on symbolic shapes, or null when the shapes don't broadcast. */
export function broadcast(a: readonly Dim[], b: readonly Dim[]): Dim[] | null {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x === y || y === 1) out.push(x);
    else if (x === 1) out.push(y);
    else return null;
  }
  return out;
}

/** Normalises a possibly negative dim index against a rank, or null when out of range. */
export function normDim(dim: number, rank: number): number | null {
  const d = dim < 0 ? dim + rank : dim;
  return d >= 0 && d < rank ? d : null;
}

/** The product of the numeric dims, and the symbols left over (in order). */
export function splitSize(shape: readonly Dim[]): { size: number; symbols: string[] } {
  let size = 1;
  const symbols: string[] = [];
  for (const d of shape) {
    if (typeof d === 'number') size *= d;
    else symbols.push(d);
  }
  return { size, symbols };
}

export function lastDim(t: TensorType): Dim | undefined {
  return t.shape[t.shape.length - 1];
}

export { formatShape };
