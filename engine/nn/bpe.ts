// A small byte-level BPE (Sennrich et al. 2016; GPT-2's byte-level variant) trained on our own corpus, for the
// project's pretrained GPT and BERT. Why BPE rather than characters: at a few million parameters the model's
// context is short (64-128 positions), and ~1,000 subword tokens carry about 3.5 characters each, so a block sees
// a few sentences instead of one line, while the vocabulary stays small enough that the (V, E) embedding is a
// modest share of the parameters. Why byte-level: every byte sequence has an encoding (no [UNK] for a rare
// character), and decode is exact.
//
// Hand-written: the npm packages that *train* BPE (Hugging Face's `tokenizers`, sentencepiece) are native or
// WASM/ONNX builds; gpt-tokenizer and js-tiktoken only apply fixed, pretrained ranks. Training is short anyway.
//
// Ids: the special tokens first (so e.g. [PAD] = 0), then the 256 bytes, then one id per merge in rank order.
//
// Pre-tokenizer: GPT-2's split (contractions, letter runs, digit runs, other-symbol runs, each with an optional
// leading space; whitespace runs leave their last space to the next word), applied to the UTF-8 *bytes* rather
// than to characters: bytes ≥ 0x80 count as letters, so a multi-byte character stays inside its word, and every
// byte sequence, valid UTF-8 or not, is split the same way by encode and encodeBytes. No merge crosses a split.
//
// Encoding applies the merges in rank order (the order training learned them), not by frequency in the input:
// repeatedly merge the adjacent pair with the lowest rank, everywhere in the word, until no ranked pair is left.
// That is what makes a token's segmentation independent of the text around it.
import type { Tokenizer } from './tokenizers';
import { concatBytes } from '../io/bytes';
import { byteLevelAlphabet } from './gpt2-tokenizer';

/** How the tokenizer file names its kind; a model card refers to it. */
export const BPE_KIND = 'byte-bpe';
const VERSION = 1;

// Whitespace bytes (\t \n \v \f \r and space); 0x85 and 0xA0, whitespace in Latin-1, are UTF-8 continuation bytes
// here, so they must count as letters.
const WS = String.raw`\t-\r `;
const LETTER = String.raw`A-Za-z\x80-\xff`;
// Over a Latin-1 view of the bytes (one char per byte). Every byte falls in one alternative, so the matches tile
// the input.
const SPLIT = new RegExp(
  String.raw`'(?:[stmd]|re|ve|ll)| ?[${LETTER}]+| ?[0-9]+| ?[^${WS}${LETTER}0-9]+|[${WS}]+(?![^${WS}])|[${WS}]+`,
  'g',
);

export interface BPETrainOptions {
  /** The whole vocabulary: specials + 256 bytes + merges. Training stops earlier if no pair occurs twice. */
  vocabSize: number;
  /** Kept whole when written in text, and never merged; they take ids 0, 1, … in this order. */
  specialTokens?: readonly string[];
}

export interface BPEJSON {
  kind: typeof BPE_KIND;
  version: number;
  specials: string[];
  /** Rank order: merges[r] = [left id, right id] makes id specials.length + 256 + r. */
  merges: Array<[number, number]>;
}

const utf8 = new TextEncoder();

/** Bytes → a string with one char (U+0000…U+00FF) per byte, for the regex. */
function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return s;
}

/** The pre-tokenizer's chunks of a byte sequence, each as its Latin-1 string. */
function chunksOf(bytes: Uint8Array): string[] {
  return latin1(bytes).match(SPLIT) ?? [];
}

const pairKey = (a: number, b: number): number => a * 65536 + b;

/** Replaces each non-overlapping (a, b), left to right, by `id`. */
function mergePair(ids: number[], a: number, b: number, id: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (i + 1 < ids.length && ids[i] === a && ids[i + 1] === b) {
      out.push(id);
      i++;
    } else out.push(ids[i]);
  }
  return out;
}

export class BPETokenizer implements Tokenizer {
  readonly specials: readonly string[];
  readonly merges: ReadonlyArray<readonly [number, number]>;
  /** Every token as text: specials as written, the others in GPT-2's byte alphabet ("Ġthe"). */
  readonly vocab: readonly string[];
  private readonly bytes: Uint8Array[];
  private readonly ranks = new Map<number, number>();
  private readonly ids: Map<string, number>;
  private readonly specialIds: Map<string, number>;
  private readonly cache = new Map<string, number[]>();
  private readonly decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

  constructor(specials: readonly string[], merges: ReadonlyArray<readonly [number, number]>) {
    const S = specials.length;
    if (new Set(specials).size !== S) throw new Error('BPETokenizer: the special tokens repeat');
    if (specials.some((s) => s.length === 0)) throw new Error('BPETokenizer: a special token is empty');
    this.specials = [...specials];
    this.merges = merges.map(([a, b]) => [a, b] as const);
    this.bytes = specials.map((s) => utf8.encode(s));
    for (let b = 0; b < 256; b++) this.bytes.push(Uint8Array.of(b));
    merges.forEach(([a, b], r) => {
      const id = S + 256 + r;
      for (const [side, x] of [['left', a], ['right', b]] as const) {
        if (!Number.isInteger(x) || x < S || x >= id) {
          throw new Error(`BPETokenizer: merges[${r}] ${side} id ${x} is not a byte or an earlier merge (ids ${S}…${id - 1})`);
        }
      }
      const key = pairKey(a, b);
      if (this.ranks.has(key)) throw new Error(`BPETokenizer: merges[${r}] repeats merges[${this.ranks.get(key)}]`);
      this.ranks.set(key, r);
      const joined = new Uint8Array(this.bytes[a].length + this.bytes[b].length);
      joined.set(this.bytes[a]);
      joined.set(this.bytes[b], this.bytes[a].length);
      this.bytes.push(joined);
    });
    const alphabet = byteLevelAlphabet(); // GPT-2's printable alphabet: " the" is written "Ġthe"
    this.vocab = this.bytes.map((t, id) => (id < S ? specials[id] : Array.from(t, (b) => alphabet[b]).join('')));
    this.specialIds = new Map(specials.map((s, i) => [s, i]));
    this.ids = new Map();
    this.vocab.forEach((t, id) => {
      if (!this.ids.has(t)) this.ids.set(t, id);
      else if (id >= S) throw new Error(`BPETokenizer: token ${id} ${JSON.stringify(t)} repeats token ${this.ids.get(t)}`);
    });
  }

  get vocabSize(): number {
    return this.bytes.length;
  }

  idOf(token: string): number {
    const id = this.ids.get(token);
    if (id === undefined) throw new Error(`BPETokenizer: unknown token ${JSON.stringify(token)}`);
    return id;
  }

  /** The bytes a token stands for (a special's are its text's UTF-8). */
  tokenBytes(id: number): Uint8Array {
    const b = this.bytes[id];
    if (!b) throw new RangeError(`BPETokenizer: id ${id} is outside the vocabulary of ${this.bytes.length}`);
    return b;
  }

  /** Text → ids. Each special token written in the text becomes its id; the text between is byte-level BPE. */
  encode(text: string): number[] {
    const out: number[] = [];
    let rest = text;
    while (rest.length > 0) {
      // The earliest special in the rest; at the same place, the longest.
      let at = -1;
      let special = '';
      for (const s of this.specials) {
        const i = rest.indexOf(s);
        if (i >= 0 && (at < 0 || i < at || (i === at && s.length > special.length))) [at, special] = [i, s];
      }
      const plain = at < 0 ? rest : rest.slice(0, at);
      if (plain) out.push(...this.encodeBytes(utf8.encode(plain)));
      if (at < 0) break;
      out.push(this.specialIds.get(special)!);
      rest = rest.slice(at + special.length);
    }
    return out;
  }

  /** Any byte sequence → ids, with no special tokens: decodeBytes(encodeBytes(b)) equals b exactly. */
  encodeBytes(bytes: Uint8Array): number[] {
    const out: number[] = [];
    for (const chunk of chunksOf(bytes)) {
      let ids = this.cache.get(chunk);
      if (!ids) {
        ids = this.encodeChunk(chunk);
        if (this.cache.size > 100_000) this.cache.clear();
        this.cache.set(chunk, ids);
      }
      out.push(...ids);
    }
    return out;
  }

  /** ids → bytes: each token's bytes joined (a special contributes its text's UTF-8). */
  decodeBytes(ids: readonly number[]): Uint8Array {
    return concatBytes(ids.map((id) => this.tokenBytes(id)));
  }

  /**
   * ids → text: the bytes read as UTF-8, each malformed sequence (ids cut inside a character) as U+FFFD. So
   * decode(encode(s)) === s for every well-formed string (a lone surrogate has no UTF-8: it encodes as U+FFFD).
   * Special tokens are left out unless keepSpecials, as the engine's other tokenizers do.
   */
  decode(ids: readonly number[], opts: { keepSpecials?: boolean } = {}): string {
    const S = this.specials.length;
    return this.decoder.decode(this.decodeBytes(opts.keepSpecials ? ids : ids.filter((id) => id >= S || id < 0)));
  }

  toJSON(): BPEJSON {
    return { kind: BPE_KIND, version: VERSION, specials: [...this.specials], merges: this.merges.map(([a, b]) => [a, b]) };
  }

  save(): string {
    return JSON.stringify(this.toJSON());
  }

  /** From toJSON()'s object (or its JSON text), naming the field that is wrong. */
  static fromJSON(json: unknown): BPETokenizer {
    const j: unknown = typeof json === 'string' ? JSON.parse(json) : json;
    const where = 'tokenizer.json';
    if (typeof j !== 'object' || j === null || Array.isArray(j)) throw new Error(`${where}: expected an object`);
    const o = j as Record<string, unknown>;
    if (o.kind !== BPE_KIND) throw new Error(`${where}: kind is ${JSON.stringify(o.kind)}, expected "${BPE_KIND}"`);
    if (o.version !== VERSION) throw new Error(`${where}: version is ${JSON.stringify(o.version)}, this engine reads ${VERSION}`);
    if (!Array.isArray(o.specials) || o.specials.some((s) => typeof s !== 'string')) throw new Error(`${where}: specials must be an array of strings`);
    if (!Array.isArray(o.merges)) throw new Error(`${where}: merges must be an array of [left, right] id pairs`);
    o.merges.forEach((m, r) => {
      if (!Array.isArray(m) || m.length !== 2 || !m.every((x) => Number.isInteger(x))) {
        throw new Error(`${where}: merges[${r}] must be a pair of integer ids`);
      }
    });
    return new BPETokenizer(o.specials as string[], o.merges as Array<[number, number]>);
  }

  private encodeChunk(chunk: string): number[] {
    const S = this.specials.length;
    let ids = Array.from(chunk, (c) => S + c.charCodeAt(0));
    for (;;) {
      // The adjacent pair with the lowest rank, i.e. the merge training learned first.
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < ids.length; i++) {
        const r = this.ranks.get(pairKey(ids[i], ids[i + 1]));
        if (r !== undefined && r < bestRank) [best, bestRank] = [i, r];
      }
      if (best < 0) return ids;
      ids = mergePair(ids, ids[best], ids[best + 1], S + 256 + bestRank);
    }
  }
}

/**
 * Learns merges from texts: split each text as the tokenizer will (specials kept out), count the chunks, then
 * repeatedly merge the most frequent adjacent pair, weighting each chunk by its count. Ties go to the pair with
 * the smaller (left, right) ids, so training is deterministic. Stops at vocabSize, or when no pair occurs twice.
 */
export function trainBPE(texts: readonly string[], opts: BPETrainOptions): BPETokenizer {
  const specials = opts.specialTokens ?? [];
  const S = specials.length;
  const base = S + 256;
  if (!Number.isInteger(opts.vocabSize) || opts.vocabSize < base) {
    throw new Error(`trainBPE: vocabSize ${opts.vocabSize} must be an integer ≥ ${base} (${S} specials + 256 bytes)`);
  }
  if (opts.vocabSize > 65536) throw new Error(`trainBPE: vocabSize ${opts.vocabSize} exceeds 65,536 (pairs are keyed by 16-bit ids)`);
  const counts = new Map<string, number>();
  for (const text of texts) {
    // Specials written in the training text are cut out, as encode does, so no merge learns their spelling.
    let pieces = [text];
    for (const s of specials) pieces = pieces.flatMap((p) => p.split(s));
    for (const p of pieces) for (const c of chunksOf(utf8.encode(p))) counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  const words = [...counts].map(([c, n]) => ({ ids: Array.from(c, (ch) => S + ch.charCodeAt(0)), n }));

  // Pair counts over all words, and which words hold each pair (a superset: stale entries are harmless).
  const pairCounts = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const addWord = (w: number, sign: 1 | -1): void => {
    const { ids, n } = words[w];
    for (let i = 0; i + 1 < ids.length; i++) {
      const k = pairKey(ids[i], ids[i + 1]);
      const total = (pairCounts.get(k) ?? 0) + sign * n;
      if (total === 0) pairCounts.delete(k);
      else pairCounts.set(k, total);
      if (sign > 0) {
        let set = pairWords.get(k);
        if (!set) pairWords.set(k, (set = new Set()));
        set.add(w);
      }
    }
  };
  words.forEach((_, w) => addWord(w, 1));

  const merges: Array<[number, number]> = [];
  while (base + merges.length < opts.vocabSize) {
    let best = -1;
    let bestCount = 1; // a pair must occur at least twice to be worth a token
    for (const [k, n] of pairCounts) if (n > bestCount || (n === bestCount && n > 1 && k < best)) [best, bestCount] = [k, n];
    if (best < 0) break;
    const a = Math.floor(best / 65536);
    const b = best % 65536;
    const id = base + merges.length;
    merges.push([a, b]);
    for (const w of pairWords.get(best) ?? []) {
      addWord(w, -1);
      words[w].ids = mergePair(words[w].ids, a, b, id);
      addWord(w, 1);
    }
    pairCounts.delete(best);
    pairWords.delete(best);
  }
  return new BPETokenizer(specials, merges);
}
