// GPT-2's byte-level BPE and BERT's WordPiece (engine/nn/gpt2-tokenizer.ts, engine/nn/bert-tokenizer.ts).
// GPT2Tokenizer is checked against an independent implementation, js-tiktoken with its own copy of GPT-2's ranks,
// on hard strings and on seeded random ones, plus ids written here by hand from Hugging Face's documentation; and
// decode(encode(s)) must give s back. BertTokenizer is checked against WordPiece worked by hand on a small
// vocabulary written here.
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { Tiktoken } from 'js-tiktoken/lite';
import gpt2Ranks from 'js-tiktoken/ranks/gpt2';
// The two modules directly (engine/index.ts exports them as nn.GPT2Tokenizer and nn.BertTokenizer), so the
// file does not load the whole engine.
import { GPT2Tokenizer } from '../engine/nn/gpt2-tokenizer';
import { BertTokenizer } from '../engine/nn/bert-tokenizer';

const reference = new Tiktoken(gpt2Ranks);
/** js-tiktoken's GPT-2 ids, reading <|endoftext|> in the text as the special token (as Hugging Face does). */
const tiktoken = (s: string) => reference.encode(s, 'all');
const gpt2 = GPT2Tokenizer.load();

/** What a lone surrogate becomes once the text is UTF-8: U+FFFD (as String.prototype.toWellFormed). */
const wellFormed = (s: string) => s.replace(/\p{Cs}/gu, '\ufffd');

const HARD_STRINGS = [
  '',
  "I'm sure they'll say it's fine, but don't.",
  "'s 's's ''s 'S I'M",
  'a  b   c    d',
  '   leading and trailing   ',
  'tabs\tand\t\ttabs\t',
  'line\nbreaks\n\n\nand\r\nCRLF\n',
  '\n\n\n',
  ' \n \t \n',
  '12345 678 3.14159 1,000,000 -42 0x1F',
  'https://example.com/path?query=1&b=two#frag and mailto:someone@example.org',
  'café naïve résumé Ångström',
  'e\u0301 (e and a combining acute)',
  '日本語のテキスト',
  '中文，标点。한국어 텍스트',
  'Привет, мир! Γειά σου κόσμε. مرحبا بالعالم שלום עולם',
  '👍 👍🏽 👩‍💻 👨‍👩‍👧‍👦 🏳️‍🌈 🇺🇸',
  'mixed: abc日本🙂123 déjà-vu',
  'code: fn(x) { return x**2 + y[i]; } // done',
  '<|endoftext|>',
  'before<|endoftext|>after',
  'a <|endoftext|> b <|endoftext|><|endoftext|> c',
  '<|endoftext|',
  '\u00a0non-breaking\u00a0spaces\u3000and ideographic',
  '\u2028line\u2029separators',
];

describe('GPT2Tokenizer', () => {
  test('ids written by hand from public sources, and the constants', async () => {
    const tok = await gpt2;
    // Hugging Face's GPT2Tokenizer documentation: "Hello world" and " Hello world" differ in their first token.
    expect(tok.encode('Hello world')).toEqual([15496, 995]);
    expect(tok.encode(' Hello world')).toEqual([18435, 995]);
    expect(tok.encode(' the')).toEqual([262]);
    expect(tok.encode('\n')).toEqual([198]);
    expect(tok.encode(' ')).toEqual([220]);
    expect(tok.encode('<|endoftext|>')).toEqual([50256]);
    // The special token is cut out where it stands, the spaces around it left to the text: "hello" is 31373.
    expect(tok.encode('hello <|endoftext|> world')).toEqual([31373, 220, 50256, 995]);
    expect(tok.tokens('Hello world')).toEqual(['Hello', 'Ġworld']);
    expect(tok.tokens(' the\n<|endoftext|>')).toEqual(['Ġthe', 'Ċ', '<|endoftext|>']);
    expect(tok.eosTokenId).toBe(50256);
    expect(tok.vocabSize).toBe(50257);
    expect(await GPT2Tokenizer.load()).toBe(tok); // loaded once, shared
  });

  test('hard strings: the same ids as js-tiktoken, and decode gives the text back', async () => {
    const tok = await gpt2;
    for (const s of HARD_STRINGS) {
      const ids = tok.encode(s);
      expect(ids, JSON.stringify(s)).toEqual(tiktoken(s));
      expect(tok.decode(ids), JSON.stringify(s)).toBe(s);
      expect(tok.tokens(s).length).toBe(ids.length);
    }
  });

  test("\\s means Unicode White_Space, as in GPT-2's Python regex: U+0085 is a space, U+FEFF is not", async () => {
    // JavaScript's \s (and so js-tiktoken's split) has these two the other way round. The pieces below are what
    // GPT-2's pattern cuts under Python's `regex` module; each piece's BPE is then js-tiktoken's.
    const tok = await gpt2;
    const cases: [string, string[]][] = [
      [' \ufeff\u0085 x', [' \ufeff', '\u0085', ' x']],
      ['a\u0085\u0085b', ['a', '\u0085', '\u0085', 'b']],
      ['x \u0085', ['x', ' \u0085']],
      ['a \ufeff b', ['a', ' \ufeff', ' b']],
      ['\ufeffHello', ['\ufeff', 'Hello']],
    ];
    for (const [s, pieces] of cases) {
      expect(tok.encode(s), JSON.stringify(s)).toEqual(pieces.flatMap((p) => tiktoken(p)));
      expect(tok.decode(tok.encode(s))).toBe(s);
    }
    // And the difference is real: js-tiktoken's JS regex cuts the first differently.
    expect(tiktoken(' \ufeff\u0085 x')).not.toEqual(tok.encode(' \ufeff\u0085 x'));
  });

  test('random strings (seeded): the same ids as js-tiktoken, and decode(encode(s)) = s', async () => {
    const tok = await gpt2;
    // Pieces that stress the pre-tokenizer: spaces before and after everything, apostrophes, digits, marks.
    const piece = fc.constantFrom(
      ' ', '  ', '\t', '\n', '\r\n', "'", "'s", "'ll", "'T", 'a', 'Z', 'é', 'e\u0301', '日', '1', '٣', '!', '...',
      '👍', '\u200d', '🏽', '\u00a0', '\u3000', '\u0085', '\ufeff', '<|endoftext|>', '<|', 'ß', 'İ',
    );
    const loneSurrogate = fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff');
    const text = fc.oneof(
      fc.array(piece, { maxLength: 12 }).map((p) => p.join('')),
      fc.string({ unit: 'binary', maxLength: 20 }),
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.string({ unit: fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), loneSurrogate), maxLength: 12 }),
    );
    fc.assert(
      fc.property(text, (s) => {
        const ids = tok.encode(s);
        // U+0085 and U+FEFF are checked above; here they are kept out of the comparison with js-tiktoken.
        const comparable = s.replace(/[\u0085\ufeff]/g, 'x');
        expect(tok.encode(comparable)).toEqual(tiktoken(comparable));
        // A lone surrogate has no UTF-8: it is encoded as U+FFFD, and decodes as U+FFFD.
        expect(ids).toEqual(tok.encode(wellFormed(s)));
        expect(tok.decode(ids)).toBe(wellFormed(s));
      }),
      { numRuns: 400, seed: 18 },
    );
  });

  test('decode: malformed UTF-8 reads as U+FFFD, nothing carries over between calls, specials can be skipped', async () => {
    const tok = await gpt2;
    const ri = tok.encode('日'); // its three bytes, in two tokens
    expect(ri.length).toBe(2);
    expect(tok.decode(ri.slice(0, 1))).toBe('\ufffd');
    expect(tok.decode(tok.encode('a'))).toBe('a'); // the cut character is not held over into the next decode
    expect(tok.decode([...ri.slice(0, 1), ...tok.encode('a'), ...ri.slice(1)])).toBe('\ufffda\ufffd');
    expect(tok.decode(tok.encode('a<|endoftext|>b'), { skipSpecialTokens: true })).toBe('ab');
    expect(tok.decode([])).toBe('');
    expect(tok.idToToken(50256)).toBe('<|endoftext|>');
  });

  test('decode and idToToken name the bad id and where it is', async () => {
    const tok = await gpt2;
    expect(() => tok.decode([15496, 2.5])).toThrow(/ids\[1\] is 2\.5, not a token id \(an integer from 0 to 50256\)/);
    expect(() => tok.decode([50257])).toThrow(/ids\[0\] is 50257/);
    expect(() => tok.decode([1, 2, -1])).toThrow(/ids\[2\] is -1/);
    expect(() => tok.decode([Number.NaN])).toThrow(/ids\[0\] is NaN/);
    expect(() => tok.idToToken(60000)).toThrow(/idToToken: id is 60000/);
    expect(() => tok.encode(42 as unknown as string)).toThrow(/expected a string, got number/);
  });

  test('the ranks are imported on load(), not with the module', () => {
    // A static import would put the ~1 MB of ranks into every bundle that reaches engine/index.ts.
    const source = readFileSync(new URL('../engine/nn/gpt2-tokenizer.ts', import.meta.url), 'utf8');
    const staticImports = source.split('\n').filter((l) => /^import\s/.test(l) && /gpt-tokenizer/.test(l));
    expect(staticImports.every((l) => /^import type\s/.test(l))).toBe(true);
    expect(source).toMatch(/import\('gpt-tokenizer\/bpeRanks\/r50k_base'\)/);
  });
});

// The vocabulary for the WordPiece examples: one token a line, ids from 0.
const VOCAB = [
  '[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]',
  'the', 'cat', 'sat', 'on', 'mat', 'un', '##aff', '##able', 'hello', 'world', 'play', '##ing', '##ed',
  ',', '!', '.', '$', '«', '»', "'", 's', 'a', '##a', '日', '本', 'Héllo', 'resume',
].join('\n') + '\n';
const id = (t: string) => VOCAB.split('\n').indexOf(t);

describe('BertTokenizer', () => {
  const tok = BertTokenizer.fromVocab(VOCAB);

  test('WordPiece: longest match first, ## continuations, [UNK] for a word with no cover', () => {
    expect(tok.tokenize('unaffable')).toEqual(['un', '##aff', '##able']);
    expect(tok.tokenize('playing played play')).toEqual(['play', '##ing', 'play', '##ed', 'play']);
    expect(tok.tokenize('unaffablex')).toEqual(['[UNK]']); // no "##x": the whole word is unknown
    expect(tok.tokenize('xyz the')).toEqual(['[UNK]', 'the']);
    expect(tok.tokenize('aaa')).toEqual(['a', '##a', '##a']);
    // max_input_chars_per_word: 100 characters still segment, 101 are [UNK] without trying.
    expect(tok.tokenize('a'.repeat(100))).toHaveLength(100);
    expect(tok.tokenize('a'.repeat(101))).toEqual(['[UNK]']);
    expect(tok.tokenize('')).toEqual([]);
    expect(tok.tokenize(' \t\n ')).toEqual([]);
  });

  test('basic tokenizer: punctuation, symbols, case, accents, CJK, controls', () => {
    expect(tok.tokenize('hello, world!')).toEqual(['hello', ',', 'world', '!']);
    expect(tok.tokenize('Hello,World!!')).toEqual(['hello', ',', 'world', '!', '!']);
    expect(tok.tokenize('a$a')).toEqual(['a', '$', 'a']); // $ is a symbol (Sc), but BERT splits every ASCII one
    expect(tok.tokenize('«hello»')).toEqual(['«', 'hello', '»']); // Unicode punctuation (Pi, Pf)
    expect(tok.tokenize("the cat's")).toEqual(['the', 'cat', "'", 's']);
    expect(tok.tokenize('Héllo RÉSUMÉ')).toEqual(['hello', 'resume']); // lowercased, accents stripped
    expect(tok.tokenize('HE\u0301LLO')).toEqual(['hello']); // a combining accent, stripped too
    expect(tok.tokenize('日本')).toEqual(['日', '本']);
    expect(tok.tokenize('the日本cat')).toEqual(['the', '日', '本', 'cat']); // ideographs split off words
    expect(tok.tokenize('日本語')).toEqual(['日', '本', '[UNK]']);
    expect(tok.tokenize('hel\u0000lo\u200b\ufffd wor\u0007ld')).toEqual(['hello', 'world']); // controls dropped
    expect(tok.tokenize('the\tcat\r\nsat\u00a0on\u3000mat')).toEqual(['the', 'cat', 'sat', 'on', 'mat']);
  });

  test('cased: no lowercasing, accents kept unless asked, NFC first', () => {
    const cased = BertTokenizer.fromVocab(VOCAB, { lowercase: false });
    expect(cased.tokenize('Héllo hello')).toEqual(['Héllo', 'hello']);
    expect(cased.tokenize('He\u0301llo')).toEqual(['Héllo']); // NFC makes e + U+0301 the vocabulary's é
    expect(cased.tokenize('Hello')).toEqual(['[UNK]']);
    const stripped = BertTokenizer.fromVocab(VOCAB, { lowercase: false, stripAccents: true });
    expect(stripped.tokenize('résumé Héllo')).toEqual(['resume', '[UNK]']); // "Hello" is not in the vocabulary
  });

  test('special tokens written in the text are kept whole (exact case only)', () => {
    expect(tok.tokenize('the [MASK] sat.')).toEqual(['the', '[MASK]', 'sat', '.']);
    expect(tok.tokenize('[CLS]the cat[SEP][MASK][MASK]')).toEqual(['[CLS]', 'the', 'cat', '[SEP]', '[MASK]', '[MASK]']);
    // Lowercase is not the special token: "[", "mask" and "]", none of them in this vocabulary.
    expect(tok.tokenize('[mask]')).toEqual(['[UNK]', '[UNK]', '[UNK]']);
    expect(tok.encode('the [MASK] sat').ids).toEqual([id('[CLS]'), id('the'), tok.maskTokenId, id('sat'), id('[SEP]')]);
  });

  test('encode: [CLS] A [SEP] B [SEP] with token types, truncation and padding', () => {
    expect(tok.encode('the cat')).toEqual({
      ids: [2, id('the'), id('cat'), 3], tokenTypeIds: [0, 0, 0, 0], attentionMask: [1, 1, 1, 1],
    });
    const pair = tok.encode('the cat', 'sat on the mat');
    expect(pair.ids).toEqual([2, id('the'), id('cat'), 3, id('sat'), id('on'), id('the'), id('mat'), 3]);
    expect(pair.tokenTypeIds).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 1]);
    expect(pair.attentionMask).toEqual(Array(9).fill(1));

    // longest_first: B (4 tokens) loses to 2, then they tie and B loses first, then A.
    expect(tok.encode('the cat', 'sat on the mat', { maxLength: 8 }).ids)
      .toEqual([2, id('the'), id('cat'), 3, id('sat'), id('on'), id('the'), 3]);
    expect(tok.encode('the cat', 'sat on the mat', { maxLength: 6 }).ids)
      .toEqual([2, id('the'), id('cat'), 3, id('sat'), 3]);
    expect(tok.encode('the cat', 'sat on the mat', { maxLength: 5 }).ids).toEqual([2, id('the'), 3, id('sat'), 3]);
    expect(tok.encode('the cat sat', undefined, { maxLength: 4 }).ids).toEqual([2, id('the'), id('cat'), 3]);
    expect(tok.encode('the cat', 'sat on the mat', { maxLength: 7, truncation: 'only_second' }).ids)
      .toEqual([2, id('the'), id('cat'), 3, id('sat'), id('on'), 3]);
    expect(tok.encode('the cat', 'sat on', { maxLength: 6, truncation: 'only_first' }).ids)
      .toEqual([2, id('the'), 3, id('sat'), id('on'), 3]);
    expect(tok.encode('the cat', undefined, { maxLength: 10 }).ids).toHaveLength(4); // room to spare: untouched

    const padded = tok.encode('the', 'cat', { maxLength: 7, padding: true });
    expect(padded).toEqual({
      ids: [2, id('the'), 3, id('cat'), 3, 0, 0], tokenTypeIds: [0, 0, 0, 1, 1, 0, 0], attentionMask: [1, 1, 1, 1, 1, 0, 0],
    });
  });

  test('encode refuses what it cannot fit, saying why', () => {
    expect(() => tok.encode('the cat sat', undefined, { maxLength: 4, truncation: false }))
      .toThrow(/5 ids exceed maxLength 4, and truncation is off/);
    expect(() => tok.encode('the', 'cat', { maxLength: 2 })).toThrow(/maxLength is 2; it must be an integer of at least 3/);
    expect(() => tok.encode('the cat', 'sat', { maxLength: 4, truncation: 'only_second' }))
      .toThrow(/exceed maxLength 4 by 2, more than text B's 1 tokens/);
    expect(() => tok.encode('the cat', undefined, { maxLength: 3, truncation: 'only_second' })).toThrow(/needs a second text/);
    expect(() => tok.encode('the', undefined, { padding: true })).toThrow(/padding needs a maxLength/);
  });

  test('decode joins ## pieces, cleans spaces before punctuation, and can skip specials', () => {
    const ids = tok.encode('unaffable, hello world!').ids;
    expect(tok.decode(ids)).toBe('[CLS] unaffable, hello world! [SEP]');
    expect(tok.decode(ids, { skipSpecialTokens: true })).toBe('unaffable, hello world!');
    expect(tok.decode(ids, { skipSpecialTokens: true, cleanUpTokenizationSpaces: false })).toBe('unaffable , hello world !');
    expect(tok.decode(tok.encode("the cat's mat").ids, { skipSpecialTokens: true })).toBe("the cat's mat");
    expect(() => tok.decode([5, 99])).toThrow(/ids\[1\] is 99, not a token id \(an integer from 0 to 31\)/);
    expect(() => tok.decode([1.5])).toThrow(/ids\[0\] is 1\.5/);
  });

  test('ids, tokens and the special ids', () => {
    expect([tok.padTokenId, tok.unkTokenId, tok.clsTokenId, tok.sepTokenId, tok.maskTokenId]).toEqual([0, 1, 2, 3, 4]);
    expect(tok.vocabSize).toBe(32);
    expect(tok.convertTokensToIds(['the', '##aff', 'nope'])).toEqual([id('the'), id('##aff'), tok.unkTokenId]);
    expect(tok.idToToken(id('##able'))).toBe('##able');
    expect(() => tok.idToToken(32)).toThrow(/idToToken: id is 32/);
    // CRLF line ends read the same, and the specials may sit anywhere.
    const crlf = BertTokenizer.fromVocab(['x', '[MASK]', '[SEP]', '[CLS]', '[UNK]', '[PAD]', 'y'].join('\r\n'));
    expect([crlf.maskTokenId, crlf.sepTokenId, crlf.clsTokenId, crlf.unkTokenId, crlf.padTokenId]).toEqual([1, 2, 3, 4, 5]);
    expect(crlf.tokenize('y x')).toEqual(['y', 'x']);
  });

  test('a bad vocab.txt is refused, naming the problem and the line', () => {
    expect(() => BertTokenizer.fromVocab('')).toThrow(/the vocabulary is empty/);
    expect(() => BertTokenizer.fromVocab('[PAD]\n[UNK]\n[CLS]\n[SEP]\nthe\n[MASK]\ncat\nthe\n'))
      .toThrow(/line 8 repeats the token "the" of line 5/);
    expect(() => BertTokenizer.fromVocab('[PAD]\n[CLS]\nthe\n[SEP]\n'))
      .toThrow(/the vocabulary lacks \[UNK\], \[MASK\] \(BERT needs each of \[PAD\], \[UNK\], \[CLS\], \[SEP\], \[MASK\]/);
    expect(() => BertTokenizer.fromVocab(42 as unknown as string)).toThrow(/expected the text of vocab.txt, got number/);
  });
});
