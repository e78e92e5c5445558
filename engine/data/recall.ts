// Flagged recall, the long-memory task of issue 22 (nn/ssm.ts's training test and train/ssm-compare.ts's comparison):
// T tokens drawn from RECALL_SYMBOLS symbols (ids 2 … 9) with one marker (id 1) at a position p < T/2; from p + 1 on,
// every position must predict the symbol that followed the marker. The noise after it uses the same symbols, so a
// model has to select that one token, write it into its memory and hold it for up to T − 1 steps while ignoring the
// rest: a selection that a time-invariant filter cannot make. Chance is 1 / RECALL_SYMBOLS. Id 0 is never used, so
// a model sees a vocabulary of RECALL_VOCAB = 10.

/** How many symbols the noise and the recalled token are drawn from. */
export const RECALL_SYMBOLS = 8;
/** The marker's id. */
export const RECALL_MARKER = 1;
/** The vocabulary a model needs: ids 0 … 9. */
export const RECALL_VOCAB = 2 + RECALL_SYMBOLS;
/** The target at positions nothing is scored at (the cross-entropy's ignore index). */
export const RECALL_IGNORE = -100;

/**
 * B flagged-recall sequences of length T, row-major: x (B·T) token ids and y (B·T) targets, RECALL_IGNORE up to and
 * including the symbol after the marker. `random` gives uniform numbers in [0, 1); it is drawn T + 1 times per row,
 * T symbols and then the marker's position, so a seeded source gives the same batch every time.
 */
export function flaggedRecall(B: number, T: number, random: () => number): { x: Int32Array; y: Int32Array } {
  if (!Number.isInteger(B) || B < 1) throw new RangeError(`flaggedRecall: the batch size must be an integer ≥ 1, got ${B}`);
  // T ≥ 4 keeps p < T/2 ≤ T − 2, so the flagged symbol and at least one scored position follow the marker.
  if (!Number.isInteger(T) || T < 4) throw new RangeError(`flaggedRecall: the length must be an integer ≥ 4, got ${T}`);
  const x = new Int32Array(B * T);
  const y = new Int32Array(B * T).fill(RECALL_IGNORE);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) x[b * T + t] = 2 + Math.floor(RECALL_SYMBOLS * random());
    const p = Math.floor((T / 2) * random());
    x[b * T + p] = RECALL_MARKER;
    for (let t = p + 1; t < T; t++) y[b * T + t] = x[b * T + p + 1];
  }
  return { x, y };
}
