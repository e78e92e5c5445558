// Minibatch indices drawn without replacement: a seeded Fisher–Yates shuffle of 0..n−1 per epoch, consumed
// batchSize at a time; the tail that does not fill a batch is dropped and a fresh shuffle starts.
import { mulberry32 } from '../random';

/** A function returning the next batch's indices (a view valid until the next call). */
export function epochBatches(n: number, batchSize: number, seed: number): () => Int32Array {
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > n) {
    throw new RangeError(`epochBatches: batch size ${batchSize} must be between 1 and the ${n} examples`);
  }
  const rand = mulberry32(seed);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  let cursor = n;
  return () => {
    if (cursor + batchSize > n) {
      // A new epoch: reshuffle from the identity, so each epoch's order depends only on the stream.
      for (let i = 0; i < n; i++) order[i] = i;
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      cursor = 0;
    }
    cursor += batchSize;
    return order.subarray(cursor - batchSize, cursor);
  };
}
