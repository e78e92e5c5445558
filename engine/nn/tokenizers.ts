// Tokenizers: text ↔ token ids. A character tokenizer (one id per character, for names and other short strings)
// and a word-level one (lowercased words and punctuation, rarer words mapped to [UNK]). Special tokens come first
// in the vocabulary, so their ids are stable (e.g. [PAD] = 0). Both save to and load from a JSON string; there is
// no file I/O here, since the engine also runs in the browser.

export interface Tokenizer {
  readonly vocab: readonly string[];
  readonly specials: readonly string[];
  readonly vocabSize: number;
  encode(text: string): number[];
  /** Joins the tokens; special tokens are dropped unless keepSpecials. */
  decode(ids: readonly number[], opts?: { keepSpecials?: boolean }): string;
  /** The id of a token (special or not); throws when unknown. */
  idOf(token: string): number;
  save(): string;
}

interface SavedTokenizer {
  type: 'char' | 'word';
  vocab: string[];
  specials: string[];
  lowercase?: boolean;
}

abstract class VocabTokenizer implements Tokenizer {
  readonly vocab: readonly string[];
  protected readonly ids: Map<string, number>;

  constructor(
    vocab: readonly string[],
    readonly specials: readonly string[],
  ) {
    this.vocab = [...vocab];
    this.ids = new Map(this.vocab.map((t, i) => [t, i]));
    if (this.ids.size !== this.vocab.length) throw new Error('tokenizer: the vocabulary has duplicate tokens');
    for (const s of specials) if (!this.ids.has(s)) throw new Error(`tokenizer: special token ${s} is not in the vocabulary`);
  }

  get vocabSize(): number {
    return this.vocab.length;
  }

  idOf(token: string): number {
    const id = this.ids.get(token);
    if (id === undefined) throw new Error(`tokenizer: unknown token ${JSON.stringify(token)}`);
    return id;
  }

  protected tokensOf(ids: readonly number[], keepSpecials: boolean): string[] {
    const special = new Set(this.specials);
    return ids.map((id) => {
      const t = this.vocab[id];
      if (t === undefined) throw new RangeError(`tokenizer: id ${id} is outside the vocabulary of ${this.vocab.length}`);
      return t;
    }).filter((t) => keepSpecials || !special.has(t));
  }

  abstract encode(text: string): number[];
  abstract decode(ids: readonly number[], opts?: { keepSpecials?: boolean }): string;
  abstract save(): string;
}

export class CharTokenizer extends VocabTokenizer {
  /** The vocabulary is the specials, then every distinct character of the text(s), sorted. */
  static fromText(text: string | readonly string[], opts: { specials?: string[] } = {}): CharTokenizer {
    const chars = new Set<string>();
    for (const t of typeof text === 'string' ? [text] : text) for (const c of t) chars.add(c);
    const specials = opts.specials ?? [];
    return new CharTokenizer([...specials, ...[...chars].filter((c) => !specials.includes(c)).sort()], specials);
  }

  static load(json: string): CharTokenizer {
    const s = JSON.parse(json) as SavedTokenizer;
    if (s.type !== 'char') throw new Error(`CharTokenizer.load: expected a char tokenizer, got ${s.type}`);
    return new CharTokenizer(s.vocab, s.specials);
  }

  /** One id per character (code point); a character outside the vocabulary throws. */
  encode(text: string): number[] {
    return [...text].map((c) => this.idOf(c));
  }

  decode(ids: readonly number[], opts: { keepSpecials?: boolean } = {}): string {
    return this.tokensOf(ids, opts.keepSpecials ?? false).join('');
  }

  save(): string {
    const s: SavedTokenizer = { type: 'char', vocab: [...this.vocab], specials: [...this.specials] };
    return JSON.stringify(s);
  }
}

export interface WordTokenizerOptions {
  /** Default [PAD], [UNK], [CLS], [SEP], [MASK] (BERT's), in that order, so [PAD] = 0. */
  specials?: string[];
  /** The token for words outside the vocabulary; must be one of the specials. Default [UNK]. */
  unk?: string;
  /** Keep only words seen at least this often. Default 1. */
  minFreq?: number;
  /** Cap on the vocabulary size, specials included; the most frequent words win (ties by first appearance). */
  maxVocab?: number;
  lowercase?: boolean;
}

export class WordTokenizer extends VocabTokenizer {
  readonly unkId: number;

  constructor(vocab: readonly string[], specials: readonly string[], readonly lowercase = true, unk = '[UNK]') {
    super(vocab, specials);
    this.unkId = this.idOf(unk);
  }

  /** Words (runs of letters, digits and apostrophes) and single punctuation marks. */
  static split(text: string, lowercase = true): string[] {
    return (lowercase ? text.toLowerCase() : text).match(/[\p{L}\p{N}']+|[^\s\p{L}\p{N}']/gu) ?? [];
  }

  static fromCorpus(texts: readonly string[], opts: WordTokenizerOptions = {}): WordTokenizer {
    const specials = opts.specials ?? ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
    const lowercase = opts.lowercase ?? true;
    const counts = new Map<string, number>();
    for (const t of texts) for (const w of WordTokenizer.split(t, lowercase)) counts.set(w, (counts.get(w) ?? 0) + 1);
    // Map iteration is insertion order and the sort is stable, so ties keep first-appearance order.
    let words = [...counts].filter(([w, n]) => n >= (opts.minFreq ?? 1) && !specials.includes(w));
    words.sort((a, b) => b[1] - a[1]);
    if (opts.maxVocab !== undefined) words = words.slice(0, Math.max(0, opts.maxVocab - specials.length));
    return new WordTokenizer([...specials, ...words.map(([w]) => w)], specials, lowercase, opts.unk ?? '[UNK]');
  }

  static load(json: string): WordTokenizer {
    const s = JSON.parse(json) as SavedTokenizer & { unk?: string };
    if (s.type !== 'word') throw new Error(`WordTokenizer.load: expected a word tokenizer, got ${s.type}`);
    return new WordTokenizer(s.vocab, s.specials, s.lowercase ?? true, s.unk ?? '[UNK]');
  }

  encode(text: string): number[] {
    return WordTokenizer.split(text, this.lowercase).map((w) => this.ids.get(w) ?? this.unkId);
  }

  decode(ids: readonly number[], opts: { keepSpecials?: boolean } = {}): string {
    return this.tokensOf(ids, opts.keepSpecials ?? false).join(' ');
  }

  save(): string {
    return JSON.stringify({
      type: 'word', vocab: [...this.vocab], specials: [...this.specials], lowercase: this.lowercase, unk: this.vocab[this.unkId],
    });
  }
}

/** Loads either kind from its saved JSON. */
export function loadTokenizer(json: string): CharTokenizer | WordTokenizer {
  const type = (JSON.parse(json) as SavedTokenizer).type;
  return type === 'char' ? CharTokenizer.load(json) : WordTokenizer.load(json);
}
