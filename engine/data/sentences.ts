// A small synthetic English corpus for masked-language-model training: sentences from a little grammar with
// determiners, adjectives, subject–verb agreement and prepositional phrases, so a masked word is predictable from
// its neighbours (a plural subject takes "chase", not "chases"), but not trivially.
import { mulberry32 } from '../random';

const SINGULAR = ['cat', 'dog', 'bird', 'child', 'teacher', 'farmer', 'horse', 'friend'];
const PLURAL = ['cats', 'dogs', 'birds', 'children', 'teachers', 'farmers', 'horses', 'friends'];
const ADJECTIVES = ['small', 'old', 'happy', 'red', 'quiet', 'big'];
const VERBS = [['sees', 'see'], ['likes', 'like'], ['chases', 'chase'], ['finds', 'find'], ['watches', 'watch']];
const OBJECTS = ['the ball', 'a book', 'the apple', 'some water', 'the garden', 'a letter'];
const PLACES = ['in the park', 'at night', 'near the river', 'every day', 'after school'];

/** `n` sentences drawn with `seed`, e.g. "the old dogs chase the ball in the park ." */
export function syntheticSentences(n: number, seed: number): string[] {
  const r = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const plural = r() < 0.5;
    const det = plural ? pick(['the', 'some', 'many']) : pick(['the', 'a', 'my']);
    const adj = r() < 0.5 ? `${pick(ADJECTIVES)} ` : '';
    const noun = plural ? pick(PLURAL) : pick(SINGULAR);
    const verb = pick(VERBS)[plural ? 1 : 0];
    const place = r() < 0.5 ? ` ${pick(PLACES)}` : '';
    out.push(`${det} ${adj}${noun} ${verb} ${pick(OBJECTS)}${place} .`);
  }
  return out;
}
