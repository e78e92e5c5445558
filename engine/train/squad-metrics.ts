// SQuAD's two scores for an extractive answer (Rajpurkar et al. 2016, as the official evaluate script computes them):
// both compare normalised text: lower-cased, punctuation removed, the articles "a", "an" and "the" removed, and
// runs of whitespace collapsed. Exact match is 1 when the normalised strings are equal. F1 treats each as a bag
// of words: the words they share, counted with multiplicity (a word twice in both counts twice), give
// precision = shared / predicted words and recall = shared / gold words, and F1 = 2PR / (P + R). When either side
// has no words left, F1 is 1 if both are empty and 0 otherwise.

// The script removes every character of Python's string.punctuation (ASCII punctuation).
const PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;

/** Lower case, no ASCII punctuation, no articles, single spaces, trimmed. */
export function normalizeAnswer(s: string): string {
  return s
    .toLowerCase()
    .replace(PUNCTUATION, '')
    .replace(/\b(a|an|the)\b/g, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .join(' ');
}

/** 1 when the normalised answers are equal, else 0. */
export function exactMatch(prediction: string, gold: string): number {
  return normalizeAnswer(prediction) === normalizeAnswer(gold) ? 1 : 0;
}

/** Word-overlap F1 of the normalised answers, shared words counted with multiplicity. */
export function tokenF1(prediction: string, gold: string): number {
  const p = normalizeAnswer(prediction).split(' ').filter(Boolean);
  const g = normalizeAnswer(gold).split(' ').filter(Boolean);
  if (p.length === 0 || g.length === 0) return p.length === g.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const w of g) counts.set(w, (counts.get(w) ?? 0) + 1);
  let shared = 0;
  for (const w of p) {
    const n = counts.get(w) ?? 0;
    if (n > 0) {
      shared++;
      counts.set(w, n - 1);
    }
  }
  if (shared === 0) return 0;
  const precision = shared / p.length;
  const recall = shared / g.length;
  return (2 * precision * recall) / (precision + recall);
}
