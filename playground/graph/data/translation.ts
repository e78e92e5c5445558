// Synthetic "translation" pairs on digit strings: the target is the source reversed, sorted, or copied. Small
// enough to learn in minutes, and it needs the decoder to attend to the encoder, which is the point.
import type { DataSource, HostBatch } from '../node-type';

/** Ids 0–9 are the digits; BOS starts the decoder's input and EOS ends its target. */
export const TRANSLATION_VOCAB = '0123456789^$';
export const BOS = 10;
export const EOS = 11;
export const TASKS = ['reverse', 'sort', 'copy'] as const;

export function translate(task: string, src: number[]): number[] {
  if (task === 'reverse') return [...src].reverse();
  if (task === 'sort') return [...src].sort((a, b) => a - b);
  return [...src];
}

/** How many pairs an exported project ships (the playground draws fresh ones for every batch). */
const SHIPPED_PAIRS = 16384;

export function translationSource(task: string, length: number): DataSource {
  const draw = (size: number, rand: () => number): HostBatch => {
    const src = new Int32Array(size * length);
    const tgtIn = new Int32Array(size * (length + 1));
    const tgtOut = new Int32Array(size * (length + 1));
    for (let i = 0; i < size; i++) {
      const s = Array.from({ length }, () => Math.floor(rand() * 10));
      const t = translate(task, s);
      src.set(s, i * length);
      // Teacher forcing: the decoder reads BOS y0 … y(n−1) and predicts y0 … y(n−1) EOS.
      tgtIn.set([BOS, ...t], i * (length + 1));
      tgtOut.set([...t, EOS], i * (length + 1));
    }
    return {
      source: { data: src, shape: [size, length] },
      decoderIn: { data: tgtIn, shape: [size, length + 1] },
      decoderTarget: { data: tgtOut, shape: [size, length + 1] },
    };
  };
  return {
    vocabulary: TRANSLATION_VOCAB,
    load: async () => {},
    batch: draw,
    trainingSet: (rand) => ({ kind: 'examples', examples: draw(SHIPPED_PAIRS, rand), generated: true }),
    heldOut(max) {
      let s = 777;
      const rand = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
      return draw(Math.min(max, 256), rand);
    },
  };
}
