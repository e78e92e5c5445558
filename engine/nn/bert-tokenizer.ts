// BERT's tokenizer, from a vocab.txt (one token per line, the id being the line's index from 0): the "basic"
// tokenizer cuts text into words and punctuation, then greedy longest-match-first WordPiece cuts each word into
// vocabulary pieces, continuations written "##piece". It follows Hugging Face's BertTokenizer step by step:
//   1. clean: drop NUL, U+FFFD and every other-category character (Cc, Cf, Cs, Co, Cn) except \t \n \r; turn
//      \t \n \r and space separators (Zs) into spaces;
//   2. put spaces around each CJK ideograph, so each is a word of its own;
//   3. NFC-normalise, split on whitespace;
//   4. per word: lowercase and strip accents (NFD, then drop the non-spacing marks, Mn; not recomposed, as BERT),
//      then split off each punctuation character (Unicode P*, and every ASCII symbol: BERT counts $ ^ ` + < = > |
//      ~ as punctuation too);
//   5. WordPiece per word: the longest vocabulary prefix, then the longest "##" piece from where it ended, and so
//      on; a word with no such cover, or longer than 100 characters, is one [UNK].
// The five special tokens written literally in the text ([CLS], [SEP], [PAD], [MASK], [UNK]; exact case) are
// kept whole, as Hugging Face keeps its special tokens: "the [MASK] sat" → the, [MASK], sat.
//
// Hand-written, since no well-kept npm package does BERT's WordPiece without bringing in a whole ONNX/transformers
// runtime.

const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;
type Special = (typeof SPECIALS)[number];
/** A special token written in the text, matched whole and case-sensitively. */
const SPECIAL_IN_TEXT = /(\[(?:PAD|UNK|CLS|SEP|MASK)\])/;
/** BERT's max_input_chars_per_word: longer words become [UNK] without trying WordPiece. */
const MAX_CHARS_PER_WORD = 100;

/** BERT's _is_chinese_char: the CJK Unified Ideographs blocks and their compatibility forms (not kana or hangul). */
function isCjkIdeograph(cp: number): boolean {
  return (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x20000 && cp <= 0x2a6df)
    || (cp >= 0x2a700 && cp <= 0x2b73f) || (cp >= 0x2b740 && cp <= 0x2b81f) || (cp >= 0x2b820 && cp <= 0x2ceaf)
    || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x2f800 && cp <= 0x2fa1f);
}

function isPunctuation(ch: string): boolean {
  const cp = ch.codePointAt(0) ?? 0;
  // Every ASCII character that is neither a letter, a digit, a space nor a control.
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) return true;
  return /\p{P}/u.test(ch);
}

/** Step 1: drop controls and invalid characters, and make every whitespace character a space. */
function clean(text: string): string {
  let out = '';
  for (const ch of text) {
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || /\p{Zs}/u.test(ch)) out += ' ';
    else if (ch === '\ufffd' || /\p{C}/u.test(ch)) continue; // NUL is a Cc
    else out += ch;
  }
  return out;
}

/** Split on whitespace, as Python's str.split() (after clean, only spaces and U+2028/2029 remain). */
function splitWhitespace(text: string): string[] {
  return text.split(/\s+/u).filter((w) => w.length > 0);
}

function splitPunctuation(word: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const ch of word) {
    if (isPunctuation(ch)) {
      if (current) out.push(current);
      out.push(ch);
      current = '';
    } else current += ch;
  }
  if (current) out.push(current);
  return out;
}

export interface BertTokenizerOptions {
  /** Lowercase the text (default true, for the uncased BERTs). */
  lowercase?: boolean;
  /** Strip accents (default: the value of lowercase, as Hugging Face's strip_accents=None). */
  stripAccents?: boolean;
}

export interface BertEncodeOptions {
  /** The most ids in the output, [CLS] and [SEP]s included. */
  maxLength?: number;
  /**
   * How to fit maxLength (default 'longest_first' when maxLength is set): 'longest_first' (or true) drops the
   * last token of the longer sequence, one at a time, of B on a tie; 'only_first' / 'only_second' drop from A /
   * B only. false: a sequence over maxLength throws.
   */
  truncation?: boolean | 'longest_first' | 'only_first' | 'only_second';
  /** Pad with [PAD] (attention mask 0, token type 0) up to maxLength (default false). */
  padding?: boolean;
}

export interface BertEncoding {
  ids: number[];
  /** 0 for [CLS] A [SEP], 1 for B [SEP]. */
  tokenTypeIds: number[];
  /** 1 for a real token, 0 for padding. */
  attentionMask: number[];
}

export interface BertDecodeOptions {
  /** Leave out [CLS], [SEP], [PAD], [MASK] and [UNK] (default false). */
  skipSpecialTokens?: boolean;
  /** Glue " ," " ." " !" " ?" " 's" " n't"… back to the word before, as Hugging Face does for BERT (default true). */
  cleanUpTokenizationSpaces?: boolean;
}

export class BertTokenizer {
  readonly padTokenId: number;
  readonly unkTokenId: number;
  readonly clsTokenId: number;
  readonly sepTokenId: number;
  readonly maskTokenId: number;
  private readonly specialIds: ReadonlySet<number>;

  private constructor(
    private readonly vocab: readonly string[],
    private readonly ids: ReadonlyMap<string, number>,
    private readonly lowercase: boolean,
    private readonly stripAccents: boolean,
  ) {
    const id = (t: Special) => ids.get(t) as number; // fromVocab checked that each is there
    this.padTokenId = id('[PAD]');
    this.unkTokenId = id('[UNK]');
    this.clsTokenId = id('[CLS]');
    this.sepTokenId = id('[SEP]');
    this.maskTokenId = id('[MASK]');
    this.specialIds = new Set(SPECIALS.map(id));
  }

  /**
   * Reads a vocab.txt: one token per line (a trailing \r is dropped, so CRLF files read the same), ids by line
   * from 0, and a final newline ends the last line rather than adding an empty token.
   */
  static fromVocab(vocabTxt: string, opts: BertTokenizerOptions = {}): BertTokenizer {
    if (typeof vocabTxt !== 'string') {
      throw new TypeError(`BertTokenizer.fromVocab: expected the text of vocab.txt, got ${typeof vocabTxt}`);
    }
    const lines = vocabTxt.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    if (lines.length === 0) throw new Error('BertTokenizer.fromVocab: the vocabulary is empty');
    const ids = new Map<string, number>();
    lines.forEach((token, i) => {
      const first = ids.get(token);
      if (first !== undefined) {
        throw new Error(
          `BertTokenizer.fromVocab: line ${i + 1} repeats the token ${JSON.stringify(token)} of line ${first + 1}`,
        );
      }
      ids.set(token, i);
    });
    const missing = SPECIALS.filter((s) => !ids.has(s));
    if (missing.length > 0) {
      throw new Error(
        `BertTokenizer.fromVocab: the vocabulary lacks ${missing.join(', ')} (BERT needs each of ${SPECIALS.join(', ')} on a line of its own)`,
      );
    }
    const lowercase = opts.lowercase ?? true;
    return new BertTokenizer(lines, ids, lowercase, opts.stripAccents ?? lowercase);
  }

  get vocabSize(): number {
    return this.vocab.length;
  }

  /** The WordPiece tokens of the text (no [CLS] or [SEP] added). */
  tokenize(text: string): string[] {
    if (typeof text !== 'string') throw new TypeError(`BertTokenizer.tokenize: expected a string, got ${typeof text}`);
    const out: string[] = [];
    // split with a capturing group: odd indices are the special tokens themselves.
    text.split(SPECIAL_IN_TEXT).forEach((piece, i) => {
      if (i % 2 === 1) out.push(piece);
      else for (const word of this.basicTokenize(piece)) out.push(...this.wordPiece(word));
    });
    return out;
  }

  /** Steps 1–4: words and punctuation. */
  private basicTokenize(text: string): string[] {
    let spaced = '';
    for (const ch of clean(text)) spaced += isCjkIdeograph(ch.codePointAt(0) ?? 0) ? ` ${ch} ` : ch;
    const words: string[] = [];
    for (let word of splitWhitespace(spaced.normalize('NFC'))) {
      if (this.lowercase) word = word.toLowerCase();
      if (this.stripAccents) word = word.normalize('NFD').replace(/\p{Mn}/gu, '');
      words.push(...splitPunctuation(word));
    }
    return words;
  }

  /** Step 5: greedy longest-match-first WordPiece of one word. */
  private wordPiece(word: string): string[] {
    const chars = [...word]; // code points, as Python counts them
    if (chars.length > MAX_CHARS_PER_WORD) return ['[UNK]'];
    const pieces: string[] = [];
    let start = 0;
    while (start < chars.length) {
      let end = chars.length;
      let found: string | undefined;
      for (; end > start; end--) {
        const piece = (start > 0 ? '##' : '') + chars.slice(start, end).join('');
        if (this.ids.has(piece)) {
          found = piece;
          break;
        }
      }
      if (found === undefined) return ['[UNK]']; // one unknown stretch makes the whole word unknown
      pieces.push(found);
      start = end;
    }
    return pieces;
  }

  /**
   * [CLS] A [SEP], or [CLS] A [SEP] B [SEP] for a pair (token type 1 from B on), fitted to maxLength (see
   * BertEncodeOptions) and optionally padded.
   */
  encode(textA: string, textB?: string, opts: BertEncodeOptions = {}): BertEncoding {
    let a = this.convertTokensToIds(this.tokenize(textA));
    let b = textB === undefined ? undefined : this.convertTokensToIds(this.tokenize(textB));
    const specials = b === undefined ? 2 : 3;
    const { maxLength } = opts;
    if (maxLength !== undefined) {
      if (!Number.isInteger(maxLength) || maxLength < specials) {
        throw new RangeError(
          `BertEncodeOptions.maxLength is ${maxLength}; it must be an integer of at least ${specials}, room for [CLS] and the [SEP]s`,
        );
      }
      const over = a.length + (b?.length ?? 0) + specials - maxLength;
      if (over > 0) [a, b] = this.truncate(a, b, over, opts.truncation ?? true, maxLength);
    }
    const ids = [this.clsTokenId, ...a, this.sepTokenId];
    const tokenTypeIds = ids.map(() => 0);
    if (b !== undefined) {
      ids.push(...b, this.sepTokenId);
      tokenTypeIds.push(...b.map(() => 1), 1);
    }
    const attentionMask = ids.map(() => 1);
    if (opts.padding) {
      if (maxLength === undefined) throw new Error('BertTokenizer.encode: padding needs a maxLength to pad to');
      while (ids.length < maxLength) {
        ids.push(this.padTokenId);
        tokenTypeIds.push(0);
        attentionMask.push(0);
      }
    }
    return { ids, tokenTypeIds, attentionMask };
  }

  /** Drops `over` tokens from the ends of A and/or B, or says why it cannot. */
  private truncate(
    a: number[], b: number[] | undefined, over: number, strategy: NonNullable<BertEncodeOptions['truncation']>, maxLength: number,
  ): [number[], number[] | undefined] {
    const total = a.length + (b?.length ?? 0) + (b === undefined ? 2 : 3);
    if (strategy === false) {
      throw new Error(`BertTokenizer.encode: ${total} ids exceed maxLength ${maxLength}, and truncation is off`);
    }
    if (strategy === 'only_second' && b === undefined) {
      throw new Error("BertTokenizer.encode: truncation 'only_second' needs a second text");
    }
    const from = strategy === 'only_first' ? 'A' : strategy === 'only_second' ? 'B' : undefined;
    if (from !== undefined) {
      const seq = from === 'A' ? a : (b as number[]);
      if (seq.length < over) {
        throw new Error(
          `BertTokenizer.encode: ${total} ids exceed maxLength ${maxLength} by ${over}, more than text ${from}'s ${seq.length} tokens ('${strategy}' truncation)`,
        );
      }
      return from === 'A' ? [a.slice(0, a.length - over), b] : [a, seq.slice(0, seq.length - over)];
    }
    // longest_first: one token at a time from the longer sequence (B on a tie), as Hugging Face does.
    let na = a.length;
    let nb = b?.length ?? 0;
    for (let k = 0; k < over; k++) {
      if (b !== undefined && nb >= na) nb--;
      else na--;
    }
    return [a.slice(0, na), b?.slice(0, nb)];
  }

  /**
   * The text of the ids, as Hugging Face's decode: tokens joined by spaces, "##" continuations glued to the piece
   * before them, then (by default) the spaces before punctuation and English contractions removed.
   */
  decode(ids: readonly number[], opts: BertDecodeOptions = {}): string {
    const tokens: string[] = [];
    ids.forEach((id, i) => {
      const token = this.idToTokenAt(id, `BertTokenizer.decode: ids[${i}]`);
      if (!(opts.skipSpecialTokens && this.specialIds.has(id))) tokens.push(token);
    });
    let text = tokens.join(' ').replaceAll(' ##', '').trim();
    if (opts.cleanUpTokenizationSpaces ?? true) {
      for (const [from, to] of [
        [' .', '.'], [' ?', '?'], [' !', '!'], [' ,', ','], [" ' ", "'"],
        [" n't", "n't"], [" 'm", "'m"], [" 's", "'s"], [" 've", "'ve"], [" 're", "'re"],
      ]) text = text.replaceAll(from, to);
    }
    return text;
  }

  /** The id of each token; a token outside the vocabulary is [UNK]'s id (as Hugging Face). */
  convertTokensToIds(tokens: readonly string[]): number[] {
    return tokens.map((t) => this.ids.get(t) ?? this.unkTokenId);
  }

  idToToken(id: number): string {
    return this.idToTokenAt(id, 'BertTokenizer.idToToken: id');
  }

  private idToTokenAt(id: number, where: string): string {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocab.length) {
      throw new RangeError(`${where} is ${String(id)}, not a token id (an integer from 0 to ${this.vocab.length - 1})`);
    }
    return this.vocab[id];
  }
}
