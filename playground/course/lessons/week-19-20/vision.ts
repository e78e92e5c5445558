// The vision and multimodal sections' data: the shipped ViT and tiny CLIP (playground/public/models/{vit,clip}, written
// by `npm run train -- vit` and `npm run train -- clip`, scripts/vision-recipes.ts), the run.json each run wrote
// beside its weights (the accuracies and the temperature the page states), and the held-out digits of the recipes'
// split (a sample of it, held-out-digits.json). Everything is read once per page: fetched from the site in a browser (Vite serves playground/public/ at its
// base URL), read from the same files in Node, where the unit tests import this lesson. The models run on the CPU
// backend: one digit through a 17-token ViT is a few milliseconds there, and the numbers are the same everywhere.
import { cat, loadCLIP, loadViT, noGrad, tensor, tidy, type nn, type Tensor } from '../../../../engine/index';
import { captionIds, classPrompts, MNIST_PIXELS, type Digits } from '../../../../engine/course';
import { once, shippedFile } from '../../shipped';
import { isNum, need as needIn } from './numbers';

export type VisionModel = 'vit' | 'clip';

/** The recipes' held-out share (engine/train/vit.ts and clip.ts both split with loadMnist's testFraction 0.2). */
export const TEST_FRACTION = 0.2;

function readBytes(name: VisionModel, file: string): Promise<Uint8Array> {
  return shippedFile(name, file, `run npm run train -- ${name} to write it`);
}

// ---------------------------------------------------------------------------------------------------------------
// run.json, checked for the fields the page reads.

const need = <T>(ok: boolean, file: string, what: string, value: T): T => needIn(ok, file, what, value, 're-run the recipe named in its "recipe" field');
const isShare = (v: unknown): v is number => isNum(v) && v >= 0 && v <= 1;

export interface ViTRun {
  heldOutAccuracy: number;
  /** The MLP recipe (npm run train -- mnist) trained on the same split in the same run. */
  mlpAccuracy: number;
  parameters: number;
  steps: number;
  seed: number;
  wallSeconds: number;
  backend: string;
}

/** models/vit/run.json, checked. */
export function vitRun(raw: unknown): ViTRun {
  const f = 'models/vit/run.json';
  const o = raw as Record<string, unknown> | null;
  const t = (o?.training ?? {}) as Record<string, unknown>;
  const mlp = (o?.mlp ?? {}) as Record<string, unknown>;
  return {
    heldOutAccuracy: need(isShare(o?.heldOutAccuracy), f, 'heldOutAccuracy', o?.heldOutAccuracy as number),
    mlpAccuracy: need(isShare(mlp.heldOutAccuracy), f, 'mlp.heldOutAccuracy', mlp.heldOutAccuracy as number),
    parameters: need(isNum(o?.parameters), f, 'parameters', o?.parameters as number),
    steps: need(isNum(t.steps), f, 'training.steps', t.steps as number),
    seed: need(isNum(t.seed), f, 'training.seed', t.seed as number),
    wallSeconds: need(isNum(o?.wallSeconds), f, 'wallSeconds', o?.wallSeconds as number),
    backend: need(typeof o?.backend === 'string', f, 'backend', o?.backend as string),
  };
}

export interface CLIPRun {
  /** Zero-shot accuracy on the held-out digits with the bare names ("seven") as the class prompts. */
  names: number;
  /** With the template no training caption used. */
  heldOutTemplate: number;
  /** With every training template, averaged per class. */
  ensemble: number;
  /** The learned τ (1 / exp(logit_scale)). */
  temperature: number;
  parameters: number;
  steps: number;
  batchSize: number;
  seed: number;
  wallSeconds: number;
  backend: string;
}

/** models/clip/run.json, checked. */
export function clipRun(raw: unknown): CLIPRun {
  const f = 'models/clip/run.json';
  const o = raw as Record<string, unknown> | null;
  const t = (o?.training ?? {}) as Record<string, unknown>;
  const z = (o?.zeroShot ?? {}) as Record<string, unknown>;
  return {
    names: need(isShare(z.names), f, 'zeroShot.names', z.names as number),
    heldOutTemplate: need(isShare(z.heldOutTemplate), f, 'zeroShot.heldOutTemplate', z.heldOutTemplate as number),
    ensemble: need(isShare(z.ensemble), f, 'zeroShot.ensemble', z.ensemble as number),
    temperature: need(isNum(o?.temperature) && (o.temperature as number) > 0, f, 'temperature', o?.temperature as number),
    parameters: need(isNum(o?.parameters), f, 'parameters', o?.parameters as number),
    steps: need(isNum(t.steps), f, 'training.steps', t.steps as number),
    batchSize: need(isNum(t.batchSize), f, 'training.batchSize', t.batchSize as number),
    seed: need(isNum(t.seed), f, 'training.seed', t.seed as number),
    wallSeconds: need(isNum(o?.wallSeconds), f, 'wallSeconds', o?.wallSeconds as number),
    backend: need(typeof o?.backend === 'string', f, 'backend', o?.backend as string),
  };
}

const json = async (name: VisionModel): Promise<unknown> => JSON.parse(new TextDecoder().decode(await readBytes(name, 'run.json')));

/** What `npm run train -- vit` recorded. */
export const vitRunFile = once(async () => vitRun(await json('vit')));
/** What `npm run train -- clip` recorded. */
export const clipRunFile = once(async () => clipRun(await json('clip')));

// ---------------------------------------------------------------------------------------------------------------
// The models and the digits.

/** The shipped ViT on the CPU backend, in eval mode. */
export const vitModel = once(async (): Promise<nn.ViT> => loadViT(await readBytes('vit', 'model.safetensors'), { device: 'cpu' }));

/** The shipped CLIP and its caption tokenizer on the CPU backend, in eval mode. */
export const clipModel = once(async (): Promise<{ model: nn.CLIP; tokenizer: nn.CharTokenizer }> =>
  loadCLIP(await readBytes('clip', 'model.safetensors'), { device: 'cpu' }));

/**
 * The first HELD_OUT_SAMPLE digits of the recipes' held-out split, written by scripts/held-out-digits.ts into
 * held-out-digits.json beside this file: the whole mnist package is 21 MB of JSON, too much for a page (and for a
 * quick unit test) to load and shuffle just to show a few digits. Pixels are stored as thousandths, which is exact:
 * the package writes every intensity with three decimals.
 */
export const HELD_OUT_SAMPLE = 96;

export interface DigitsFile {
  about: string;
  seed: number;
  testFraction: number;
  /** Each digit's index in the held-out split. */
  indices: number[];
  labels: number[];
  /** Per digit, 784 intensities × 1000. */
  pixels: number[][];
}

/** The sample as a Digits set, checked; its seed and split must be the ones the shipped models were trained on. */
export function sampleDigits(raw: unknown, seed: number): Digits {
  const f = 'week-19-20/held-out-digits.json';
  const o = raw as Partial<DigitsFile> | null;
  const n = need(Array.isArray(o?.labels) && o.labels.length > 0, f, 'labels', o?.labels as number[]).length;
  need(o?.seed === seed && o?.testFraction === TEST_FRACTION, f, `seed ${seed} and testFraction ${TEST_FRACTION} (the recipes' split)`, 0);
  need(Array.isArray(o?.pixels) && o.pixels.length === n && o.pixels.every((p) => Array.isArray(p) && p.length === MNIST_PIXELS), f, `pixels (${n} rows of ${MNIST_PIXELS})`, 0);
  const images = new Float32Array(n * MNIST_PIXELS);
  o!.pixels!.forEach((row, i) => row.forEach((v, j) => (images[i * MNIST_PIXELS + j] = v / 1000)));
  return { images, labels: Int32Array.from(o!.labels!), n };
}

/** What scripts/held-out-digits.ts writes: the first `count` digits of the held-out split, as thousandths. */
export function digitsFile(test: Digits, seed: number, count: number = HELD_OUT_SAMPLE): DigitsFile {
  const n = Math.min(count, test.n);
  return {
    about: `the first ${n} held-out digits of loadMnist({ seed: ${seed}, testFraction: ${TEST_FRACTION} }), the split the ViT and CLIP recipes hold out; written by scripts/held-out-digits.ts`,
    seed,
    testFraction: TEST_FRACTION,
    indices: Array.from({ length: n }, (_, i) => i),
    labels: Array.from(test.labels.subarray(0, n)),
    pixels: Array.from({ length: n }, (_, i) => Array.from(test.images.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS), (v) => Math.round(v * 1000))),
  };
}

/** The held-out sample the widgets show (none of it was trained on). */
export const heldOutDigits = once(async (): Promise<Digits> => {
  const [{ default: raw }, run] = await Promise.all([import('./held-out-digits.json'), vitRunFile()]);
  return sampleDigits(raw, run.seed);
});

/** One held-out digit's 784 pixels. */
export function digitPixels(set: Digits, i: number): Float32Array {
  if (!Number.isInteger(i) || i < 0 || i >= set.n) throw new RangeError(`digit index ${i} is outside the ${set.n} held-out digits`);
  return set.images.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS);
}

/** The first held-out digit of each class, 0 … 9: the thumbnails the widgets offer. */
export function firstOfEachClass(set: Digits): number[] {
  return Array.from({ length: 10 }, (_, d) => {
    const i = set.labels.indexOf(d);
    if (i < 0) throw new Error(`the held-out digits have no ${d}`);
    return i;
  });
}

export interface ViTView {
  /** Softmax of the head's logits, one per class. */
  probs: number[];
  /** classToPatches as nested arrays: [block][head][gy][gx], each head's row summing (with the class token's own weight) to 1. */
  maps: number[][][][];
}

const nest = (flat: ArrayLike<number>, shape: readonly number[]): number[][][][] => {
  const [a, b, c, d] = shape;
  return Array.from({ length: a }, (_, i) => Array.from({ length: b }, (_, j) => Array.from({ length: c }, (_, k) =>
    Array.from({ length: d }, (_, l) => flat[((i * b + j) * c + k) * d + l]))));
};

/** The ViT on one digit: its class probabilities and every block's class-token attention over the patch grid. */
export async function vitView(model: nn.ViT, pixels: Float32Array): Promise<ViTView> {
  const [probsT, mapsT] = noGrad(() => tidy(() => {
    const x = tensor(pixels, [1, pixels.length], { device: 'cpu' });
    const maps = cat(model.attentionMaps(x).classToPatches, 0); // per block (1, H, gh, gw) → (L, H, gh, gw)
    return [model.forward(x).softmax(-1).reshape([-1]), maps] as const; // (10), (L, H, gh, gw)
  }));
  const [probs, flat] = [Array.from(await probsT.toArray()), await mapsT.toArray()];
  const [L, H, gh, gw] = mapsT.shape;
  probsT.dispose();
  mapsT.dispose();
  return { probs, maps: nest(flat, [L, H, gh, gw]) };
}

// ---------------------------------------------------------------------------------------------------------------
// The CLIP.

/** Caption ids (n, maxLen) for the model, or an error naming the caption and what is wrong with it. */
export function promptIds(clip: { model: nn.CLIP; tokenizer: nn.CharTokenizer }, captions: readonly string[]): Tensor {
  const { tokenizer } = clip;
  const maxLen = clip.model.text_model.config.maxLen;
  const known = new Set(tokenizer.vocab);
  for (const c of captions) {
    const unknown = [...new Set([...c].filter((ch) => !known.has(ch)))];
    if (unknown.length) throw new RangeError(`"${c}" has characters the caption tokenizer never saw: ${unknown.map((ch) => JSON.stringify(ch)).join(', ')}`);
    if ([...c].length + 1 > maxLen) throw new RangeError(`"${c}" is ${[...c].length} characters; the text encoder reads at most ${maxLen - 1}`);
  }
  return captionIds(tokenizer, captions, maxLen, 'cpu');
}

/**
 * Image-text similarity logits exp(logit_scale)·cos of images (n, 784) against captions, from model.similarity:
 * (n, captions) as nested arrays, row r = image r.
 */
export async function similarityMatrix(clip: { model: nn.CLIP; tokenizer: nn.CharTokenizer }, images: Float32Array, captions: readonly string[]): Promise<number[][]> {
  const n = images.length / MNIST_PIXELS;
  const ids = promptIds(clip, captions);
  const s = noGrad(() => tidy(() => clip.model.similarity(tensor(images, [n, MNIST_PIXELS], { device: 'cpu' }), ids))); // (n, k)
  const flat = await s.toArray();
  s.dispose();
  ids.dispose();
  return Array.from({ length: n }, (_, r) => Array.from({ length: captions.length }, (_, c) => flat[r * captions.length + c]));
}

/** A template's ten class prompts, the check that it names the class, and the error when it does not. */
export function templatePrompts(template: string): string[] {
  if (!/\{name\}|\{digit\}/.test(template)) throw new RangeError(`the template "${template}" has no {name} or {digit}, so its ten prompts would all be the same`);
  return classPrompts(template);
}

