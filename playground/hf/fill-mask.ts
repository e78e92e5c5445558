// What the fill-the-mask panel shows, computed without a DOM (so it is tested in Node): for each [MASK] in a
// sentence the k most likely tokens with their probabilities (softmax of the masked-LM logits at that position),
// or, for a checkpoint without the masked-LM head, the last hidden state per token.
import { noGrad, tensor, tidy, type Tensor } from '../../engine/index';
import type { LoadedBert } from './load';

export interface Prediction {
  token: string;
  p: number;
}

export interface MaskResult {
  /** The mask's position among the tokens, [CLS] being 0. */
  position: number;
  /** Most likely first. */
  predictions: Prediction[];
}

export interface HiddenRow {
  token: string;
  /** ‖h‖₂ of the token's last hidden state. */
  norm: number;
  /** Its first few values. */
  first: number[];
}

/** The k largest entries of softmax(row), most likely first; the max is subtracted before exp. */
export function topK(row: ArrayLike<number>, k: number): Array<{ index: number; p: number }> {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) max = Math.max(max, row[i]);
  let total = 0;
  for (let i = 0; i < row.length; i++) total += Math.exp(row[i] - max);
  const best: Array<{ index: number; p: number }> = [];
  for (let i = 0; i < row.length; i++) {
    const p = Math.exp(row[i] - max) / total;
    if (best.length < k || p > best[best.length - 1].p) {
      best.push({ index: i, p });
      best.sort((a, b) => b.p - a.p);
      if (best.length > k) best.pop();
    }
  }
  return best;
}

/** The sentence as the model's three inputs, each (1, T), cut to the model's longest sequence. */
function inputs(m: LoadedBert, text: string): { ids: number[]; tensors: [Tensor, Tensor, Tensor] } {
  const max = m.config.max_position_embeddings;
  const enc = m.tokenizer.encode(text, undefined, { maxLength: typeof max === 'number' ? max : 512, truncation: true });
  const device = m.model.parameters()[0].device;
  const as = (v: number[]): Tensor => tensor(Int32Array.from(v), [1, v.length], { device });
  return { ids: enc.ids, tensors: [as(enc.ids), as(enc.tokenTypeIds), as(enc.attentionMask)] };
}

/** The k best tokens for each [MASK] in `text`; an error says so when there is none, or when the model has no MLM head. */
export async function fillMask(m: LoadedBert, text: string, k: number): Promise<MaskResult[]> {
  if (!m.hasMlmHead) throw new Error('This checkpoint has no masked-LM head (cls.predictions.*), so it cannot fill in [MASK].');
  const { ids, tensors } = inputs(m, text);
  const positions = ids.flatMap((id, i) => (id === m.tokenizer.maskTokenId ? [i] : []));
  if (!positions.length) {
    tensors.forEach((t) => t.dispose());
    throw new Error('The sentence has no [MASK]: write [MASK] where a word should be predicted.');
  }
  // Only the masked rows are read back: (1, T, V) → one (V) row per mask.
  const rows = noGrad(() =>
    tidy(() => {
      const logits = m.model.mlmLogits(...tensors); // (1, T, V)
      const V = logits.shape[2];
      return positions.map((p) => logits.slice(1, p, p + 1).reshape([V]));
    }),
  );
  tensors.forEach((t) => t.dispose());
  try {
    const read = await Promise.all(rows.map((r) => r.toArray()));
    return positions.map((position, i) => ({
      position,
      predictions: topK(read[i], k).map(({ index, p }) => ({ token: m.tokenizer.idToToken(index), p })),
    }));
  } finally {
    rows.forEach((r) => r.dispose());
  }
}

/** Each token of `text` (with [CLS] and [SEP]) and its last hidden state: the norm and the first `shown` values. */
export async function hiddenStates(m: LoadedBert, text: string, shown = 4): Promise<HiddenRow[]> {
  const { ids, tensors } = inputs(m, text);
  const h = noGrad(() => m.model.encode(...tensors)); // (1, T, H)
  tensors.forEach((t) => t.dispose());
  try {
    const H = h.shape[2];
    const data = await h.toArray();
    return ids.map((id, t) => {
      const row = Array.from(data.subarray(t * H, (t + 1) * H));
      return { token: m.tokenizer.idToToken(id), norm: Math.hypot(...row), first: row.slice(0, shown) };
    });
  } finally {
    h.dispose();
  }
}
