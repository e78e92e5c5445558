// Editing a probability vector one entry at a time while keeping it a distribution: no DOM, so Node tests it.

/** p with entry i set to v (clamped to [0, 1]) and the rest scaled to fill 1 − v; spread evenly if all were 0. */
export function setProbability(p: readonly number[], i: number, v: number): number[] {
  if (!Number.isInteger(i) || i < 0 || i >= p.length) throw new RangeError(`setProbability: index ${i} is outside [0, ${p.length})`);
  const x = Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0));
  if (p.length === 1) return [1];
  const rest = p.reduce((s, q, j) => (j === i ? s : s + q), 0);
  // Scaling keeps the other entries' proportions, so dragging one bar never reorders the rest.
  return p.map((q, j) => (j === i ? x : rest > 0 ? (q / rest) * (1 - x) : (1 - x) / (p.length - 1)));
}
