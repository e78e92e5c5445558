// GPT-2's tokenizer: byte-level BPE over the UTF-8 of the text, after GPT-2's pre-tokenizer regex has cut it into
// words, numbers, punctuation runs and whitespace. The ranks (50,256 merges) and the merge algorithm come from the
// `gpt-tokenizer` package (its r50k_base ranks, which its `gpt2` encoding also uses: one file, one set of params);
// they are imported on the first load(), so a page's main bundle carries the ~1 MB of ranks only once a GPT-2
// tokenizer is asked for.
//
// Two things are done here rather than by the package's ready-made r50k_base encoding:
// - The pre-tokenizer regex. GPT-2's (OpenAI's encoder.py, Hugging Face's GPT2Tokenizer, Python's `regex`
//   module) reads \s as Unicode White_Space. JavaScript's \s differs in two code points: it lacks U+0085 (NEL)
//   and adds U+FEFF (BOM), so the JS ports cut " \uFEFF" or "\u0085x" differently from GPT-2. We spell the
//   White_Space set out.
// - <|endoftext|> (id 50256). Hugging Face treats that literal text as the special token wherever it occurs,
//   with no stripping of the text around it: "a <|endoftext|> b" → encode("a ") + [50256] + encode(" b"). We cut
//   the text at each occurrence ourselves (gpt-tokenizer 4.0's own search finds a special token only at the
//   start of the remaining text) and BPE-encode the pieces between.
//
// decode is the exact inverse at the byte level: the tokens' bytes are joined and read as UTF-8, with each
// malformed sequence (a token sequence cut inside a character) read as U+FFFD, as Python's errors='replace'. So
// decode(encode(s)) === s for every well-formed string; a lone surrogate has no UTF-8, and like GPT-2 we encode
// it as U+FFFD's bytes, so it comes back as U+FFFD. Unlike Hugging Face's decode by default, no
// "clean_up_tokenization_spaces" is applied (" ," stays " ,"), since that would break the round trip.
import type { BytePairEncodingCore } from 'gpt-tokenizer/BytePairEncodingCore';
import { concatBytes } from '../io/bytes';

const END_OF_TEXT = '<|endoftext|>';
const EOS_ID = 50256;
const VOCAB_SIZE = 50257;

// Unicode White_Space, which is what Python's `regex` (and Rust's regex, in tiktoken) mean by \s.
const WS = String.raw`\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000`;
// GPT-2's pattern: contractions (lowercase only, as GPT-2's), letter runs, digit runs, other-symbol runs, each
// with an optional leading space; then whitespace runs, leaving a run's last space to the word after it.
const GPT2_SPLIT = new RegExp(
  String.raw`'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^${WS}\p{L}\p{N}]+|[${WS}]+(?![^${WS}])|[${WS}]+`,
  'gu',
);

/**
 * GPT-2's byte → printable character table (bytes_to_unicode): bytes that are printable Latin-1 stand for
 * themselves; the other 68 (controls, space, DEL, NBSP, soft hyphen) take U+0100, U+0101, … in byte order. This
 * is how GPT-2's vocabulary writes tokens (" the" is "Ġthe", "\n" is "Ċ").
 */
export function byteLevelAlphabet(): string[] {
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const table: string[] = [];
  let next = 256;
  for (let b = 0; b < 256; b++) table.push(String.fromCodePoint(printable(b) ? b : next++));
  return table;
}

export interface GPT2DecodeOptions {
  /** Leave out <|endoftext|> (default false: it decodes to its literal text, as Hugging Face's decode). */
  skipSpecialTokens?: boolean;
}

export class GPT2Tokenizer {
  /** <|endoftext|>: GPT-2's only special token, also its BOS and padding in practice. */
  readonly eosTokenId = EOS_ID;
  /** 50,256 BPE tokens + <|endoftext|>, the rows of GPT-2's wte. */
  readonly vocabSize = VOCAB_SIZE;

  private static loading: Promise<GPT2Tokenizer> | undefined;
  // Not fatal: malformed bytes read as U+FFFD. ignoreBOM keeps a leading U+FEFF, which is text to GPT-2 (WHATWG's
  // decoder would drop it by default, Python's utf-8 codec does not).
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  private alphabet: string[] | undefined;

  private constructor(
    private readonly bpe: BytePairEncodingCore,
    /** The UTF-8 bytes of each id, EOS_ID's being its literal text. */
    private readonly tokenBytes: readonly Uint8Array[],
  ) {}

  /** Loads the ranks (once per page; later calls share the first). */
  static load(): Promise<GPT2Tokenizer> {
    GPT2Tokenizer.loading ??= GPT2Tokenizer.build().catch((e: unknown) => {
      GPT2Tokenizer.loading = undefined; // let a later call retry (say, after a failed chunk fetch)
      throw e;
    });
    return GPT2Tokenizer.loading;
  }

  private static async build(): Promise<GPT2Tokenizer> {
    const [{ BytePairEncodingCore }, { default: ranks }] = await Promise.all([
      import('gpt-tokenizer/BytePairEncodingCore'),
      import('gpt-tokenizer/bpeRanks/r50k_base'),
    ]);
    if (ranks.length !== EOS_ID) {
      throw new Error(`GPT2Tokenizer.load: gpt-tokenizer's r50k_base has ${ranks.length} ranks, expected ${EOS_ID}`);
    }
    // A rank is stored as its text where its bytes are valid UTF-8, else as the bytes.
    const utf8 = new TextEncoder();
    const tokenBytes = ranks.map((r) => (typeof r === 'string' ? utf8.encode(r) : Uint8Array.from(r)));
    tokenBytes.push(utf8.encode(END_OF_TEXT));
    const bpe = new BytePairEncodingCore({
      bytePairRankDecoder: ranks,
      specialTokensEncoder: new Map([[END_OF_TEXT, EOS_ID]]),
      tokenSplitRegex: GPT2_SPLIT,
    });
    return new GPT2Tokenizer(bpe, tokenBytes);
  }

  /** GPT-2's ids for the text; the literal text <|endoftext|> becomes 50256. */
  encode(text: string): number[] {
    if (typeof text !== 'string') throw new TypeError(`GPT2Tokenizer.encode: expected a string, got ${typeof text}`);
    const ids: number[] = [];
    const pieces = text.split(END_OF_TEXT);
    pieces.forEach((piece, i) => {
      if (i > 0) ids.push(EOS_ID);
      // No special token is allowed inside a piece, and none is there to find (we cut at each one).
      if (piece.length > 0) for (const id of this.bpe.encodeNative(piece)) ids.push(id);
    });
    return ids;
  }

  /** The text of the ids (see the file's header for malformed UTF-8 and special tokens). */
  decode(ids: readonly number[], opts: GPT2DecodeOptions = {}): string {
    const parts: Uint8Array[] = [];
    ids.forEach((id, i) => {
      this.checkId(id, `GPT2Tokenizer.decode: ids[${i}]`);
      if (id === EOS_ID && opts.skipSpecialTokens) return;
      parts.push(this.tokenBytes[id]);
    });
    return this.decoder.decode(concatBytes(parts));
  }

  /** A token as GPT-2's vocabulary writes it: its bytes in the byte-level alphabet (" world" → "Ġworld"). */
  idToToken(id: number): string {
    this.checkId(id, 'GPT2Tokenizer.idToToken: id');
    if (id === EOS_ID) return END_OF_TEXT;
    this.alphabet ??= byteLevelAlphabet();
    const alphabet = this.alphabet;
    let s = '';
    for (const b of this.tokenBytes[id]) s += alphabet[b];
    return s;
  }

  /** The text's tokens as GPT-2 prints them (Hugging Face's tokenize): "Hello world" → ["Hello", "Ġworld"]. */
  tokens(text: string): string[] {
    return this.encode(text).map((id) => this.idToToken(id));
  }

  private checkId(id: number, where: string): void {
    if (!Number.isInteger(id) || id < 0 || id >= VOCAB_SIZE) {
      throw new RangeError(`${where} is ${String(id)}, not a token id (an integer from 0 to ${VOCAB_SIZE - 1})`);
    }
  }
}
