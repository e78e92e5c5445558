// Text helpers shared by the naive Bayes and n-gram lessons.

/**
 * Lowercases `text` and splits it on every run of non-letters (Unicode letters, \p{L}); empty pieces are dropped.
 * Digits, punctuation and apostrophes separate words: "Don't stop 2day" → ["don", "t", "stop", "day"].
 */
export function wordTokenize(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}]+/u).filter((w) => w.length > 0);
}

/**
 * Splits running text into sentences at '.', '!' or '?' followed by whitespace, then tokenises each one with
 * wordTokenize; sentences with no words are dropped.
 */
export function sentenceTokenize(text: string): string[][] {
  return text
    .split(/(?<=[.!?])\s+/)
    .map(wordTokenize)
    .filter((s) => s.length > 0);
}
