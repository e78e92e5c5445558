// The byte-level BPE (engine/nn/bpe.ts): merges applied in rank order, exact byte round trips, deterministic
// training with a hand-worked example, special tokens kept whole, and the saved form.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { nn } from '../engine/index';

const { BPETokenizer, trainBPE } = nn;
const ascii = (s: string) => s.charCodeAt(0);

describe('BPETokenizer', () => {
  it('applies merges in rank order, not by their frequency in the input', () => {
    // No specials: byte b is id b. Rank 0 merges (b, c) → 256, rank 1 merges (a, b) → 257.
    const [a, b, c] = ['a', 'b', 'c'].map(ascii);
    const tok = new BPETokenizer([], [[b, c], [a, b]]);
    // "ababc": (a, b) occurs twice and (b, c) once, so merging the input's most frequent pair first would give
    // [ab, ab, c]. Rank order merges (b, c) first: a b a bc, then (a, b): ab a bc.
    expect(tok.encode('ababc')).toEqual([257, a, 256]);
    expect(tok.decode([257, a, 256])).toBe('ababc');
    // A merge needs its parts: with (a, b) before (ab, c), "abc" becomes one token.
    const chained = new BPETokenizer([], [[a, b], [256, c]]);
    expect(chained.encode('abc')).toEqual([257]);
    expect(chained.vocab[257]).toBe('abc');
  });

  it('learns the hand-worked merges of "aaabdaaabac", ties to the smaller ids', () => {
    // Pair counts: aa 4, ab 2, … → Z = aa. Then "Z a b d Z a b a c": Za 2 and ab 2 tie; (a, b) has the smaller
    // ids (97 < 256) → Y = ab. Then "Z Y d Z Y a c": ZY 2 → X = ZY; every pair left occurs once, so training stops.
    const [a, b] = ['a', 'b'].map(ascii);
    const tok = trainBPE(['aaabdaaabac'], { vocabSize: 1000 });
    expect(tok.merges).toEqual([[a, a], [a, b], [256, 257]]);
    expect(tok.vocabSize).toBe(259);
    expect(tok.encode('aaabdaaabac')).toEqual([258, ascii('d'), 258, a, ascii('c')]);
  });

  it('trains deterministically and stops at vocabSize', () => {
    const texts = ['The people of the United States, the Congress.', 'We the people, in order to form a more perfect union.', 'the the then there'];
    const one = trainBPE(texts, { vocabSize: 300, specialTokens: ['[PAD]', '[UNK]'] });
    const two = trainBPE(texts, { vocabSize: 300, specialTokens: ['[PAD]', '[UNK]'] });
    expect(one.save()).toBe(two.save());
    expect(one.vocabSize).toBeLessThanOrEqual(300);
    expect(one.merges.length).toBeGreaterThan(5);
    // Merges never cross the pre-tokenizer's splits: " the" can be a token, "e p" cannot.
    expect(one.vocab).toContain('Ġthe');
    expect(one.vocab.some((t) => /.Ġ/.test(t))).toBe(false);
    expect(() => trainBPE(texts, { vocabSize: 257, specialTokens: ['[PAD]', '[UNK]'] })).toThrow(/vocabSize 257 must be an integer ≥ 258/);
  });

  const trained = trainBPE(
    ['Fellow-citizens of the Senate and of the House of Representatives: Among the vicissitudes incident to life', "don't 1789 café naïve — ünïcödé"],
    { vocabSize: 340, specialTokens: ['[PAD]', '[CLS]', '[SEP]', '[MASK]', '[UNK]', '<|endoftext|>'] },
  );

  it('round-trips every byte sequence exactly through encodeBytes/decodeBytes (invalid UTF-8 included)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(trained.decodeBytes(trained.encodeBytes(bytes))).toEqual(bytes);
      }),
      { numRuns: 300, seed: 19 },
    );
  });

  it('round-trips every well-formed string through encode/decode', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (text) => {
        expect(trained.decode(trained.encode(text))).toBe(text);
      }),
      { numRuns: 300, seed: 19 },
    );
    expect(trained.decode(trained.encode('the Senate\n\n  and\tthe House'))).toBe('the Senate\n\n  and\tthe House');
  });

  it('keeps special tokens whole when written in the text', () => {
    const ids = trained.encode('[CLS]the Senate[SEP]<|endoftext|>x[MASK]');
    expect(ids[0]).toBe(1);
    expect(ids).toContain(2);
    expect(ids).toContain(5);
    expect(ids.at(-1)).toBe(3);
    expect(trained.decode(ids, { keepSpecials: true })).toBe('[CLS]the Senate[SEP]<|endoftext|>x[MASK]');
    expect(trained.decode(ids)).toBe('the Senatex');
    expect(trained.idOf('[MASK]')).toBe(3);
    // encodeBytes is raw bytes: the special's spelling is ordinary text there.
    expect(trained.encodeBytes(new TextEncoder().encode('[PAD]'))).not.toContain(0);
  });

  it('saves and loads, naming the field of a malformed file', () => {
    const back = BPETokenizer.fromJSON(JSON.parse(trained.save()));
    expect(back.save()).toBe(trained.save());
    expect(back.encode('Representatives of 1789')).toEqual(trained.encode('Representatives of 1789'));
    const good = trained.toJSON();
    expect(() => BPETokenizer.fromJSON({ ...good, kind: 'wordpiece' })).toThrow(/kind is "wordpiece", expected "byte-bpe"/);
    expect(() => BPETokenizer.fromJSON({ ...good, merges: [[1, 2, 3]] })).toThrow(/merges\[0\] must be a pair/);
    // A merge may only use bytes or earlier merges.
    expect(() => BPETokenizer.fromJSON({ ...good, merges: [[300, 301]] })).toThrow(/merges\[0\] left id 300 is not a byte or an earlier merge/);
    expect(() => BPETokenizer.fromJSON({ ...good, merges: [[0, 7]] })).toThrow(/merges\[0\] left id 0/);
    expect(() => trained.decode([99999])).toThrow(/id 99999 is outside the vocabulary/);
  });
});
