// The tiny CLIP (engine/nn/clip.ts, engine/ops/contrastive.ts, engine/data/digit-captions.ts): the symmetric
// InfoNCE loss against a plain-loops version in doubles, float64 finite differences for both embeddings and the
// learned temperature, the temperature cap, the WebGPU path against the CPU at odd batch sizes, padding-invariant
// caption encoding, prompt ensembling, errors, the generated captions, and a short training run of the recipe
// whose zero-shot accuracy must beat chance.
//
// GPU tolerance for the loss and logits: 1e−4 + 1e−4·|cpu|. Both devices work in float32; the logits are cosines
// times exp(s) ≤ 100, so a cosine's rounding of ~1e−7 becomes ~1e−5 in a logit; a wrong row or column moves
// entries by O(1).
import { beforeAll, describe, expect, test } from 'vitest';
import { init, tensor, gradcheck, noGrad, nn, functional as F, saveCLIP, loadCLIP, saveViT, type Tensor } from '../engine/index';
import {
  captionSampler, captionTokenizer, encodeCaption, fillTemplate, HELD_OUT_TEMPLATE, maxCaptionLength, TRAIN_TEMPLATES,
} from '../engine/data/digit-captions';
import { readFile } from 'node:fs/promises';
import { captionIds, classPrompts, clipMnistConfig, trainCLIP, zeroShotAccuracy } from '../engine/train/clip';
import { loadMnist } from '../engine/data/mnist';
import { expectAllClose, randArray } from './helpers';

const { CLIP } = nn;

beforeAll(async () => {
  // Rejects with NoAdapterError (saying how to install one) when there is no adapter: the GPU tests then fail.
  await init({ backend: 'webgpu' });
});

const cpu = (data: Float32Array, shape: number[], requiresGrad = false): Tensor => tensor(data, shape, { device: 'cpu', requiresGrad });

/** The symmetric InfoNCE in doubles, written from the paper's pseudo-code: no shared code with the engine. */
function referenceLoss(img: Float32Array, txt: Float32Array, B: number, e: number, s: number): number {
  const unit = (v: Float32Array, r: number): number[] => {
    const row = Array.from(v.subarray(r * e, (r + 1) * e));
    const n = Math.sqrt(row.reduce((a, x) => a + x * x, 0));
    return row.map((x) => x / n);
  };
  const I = Array.from({ length: B }, (_, r) => unit(img, r));
  const T = Array.from({ length: B }, (_, r) => unit(txt, r));
  const scale = Math.exp(Math.min(s, Math.log(100)));
  const L = I.map((i) => T.map((t) => scale * i.reduce((a, x, k) => a + x * t[k], 0)));
  const ce = (rows: number[][]): number =>
    rows.reduce((acc, row, r) => {
      const m = Math.max(...row);
      return acc + m + Math.log(row.reduce((a, x) => a + Math.exp(x - m), 0)) - row[r];
    }, 0) / B;
  const LT = L[0].map((_, c) => L.map((row) => row[c]));
  return (ce(L) + ce(LT)) / 2;
}

describe('clipLoss', () => {
  test.each([1, 7, 33])('B = %i: CPU and GPU match the loss written out in doubles', async (B) => {
    const e = 5;
    const img = randArray(B * e, B);
    const txt = randArray(B * e, B + 1);
    const s = Math.log(1 / 0.07);
    const want = referenceLoss(img, txt, B, e, s);
    const onCpu = await F.clipLoss(cpu(img, [B, e]), cpu(txt, [B, e]), cpu(Float32Array.of(s), [])).item();
    const onGpu = await F.clipLoss(tensor(img, [B, e]), tensor(txt, [B, e]), tensor([s], [1])).item();
    expect(Math.abs(onCpu - want)).toBeLessThan(1e-4 + 1e-4 * Math.abs(want));
    expect(Math.abs(onGpu - want)).toBeLessThan(1e-4 + 1e-4 * Math.abs(want));
    if (B === 1) expect(onCpu).toBe(0); // one pair has no negatives
  });

  test('finite differences for the image and text embeddings and the log inverse temperature', async () => {
    const [B, e] = [4, 3];
    const r = await gradcheck(
      (i, t, s) => F.clipLoss(i, t, s),
      [cpu(randArray(B * e, 3), [B, e], true), cpu(randArray(B * e, 4), [B, e], true), cpu(Float32Array.of(1.3), [], true)],
    );
    expect(r.ok).toBe(true);
  });

  test('the logit scale is capped at 100, and the cap passes no gradient to it', async () => {
    const [B, e] = [3, 4];
    const img = randArray(B * e, 5);
    const txt = randArray(B * e, 6);
    const s = cpu(Float32Array.of(Math.log(500)), [], true);
    const loss = F.clipLoss(cpu(img, [B, e]), cpu(txt, [B, e]), s);
    expect(await loss.item()).toBeCloseTo(referenceLoss(img, txt, B, e, Math.log(100)), 4);
    loss.backward();
    expect(await s.grad!.item()).toBe(0);
  });

  test('mismatched pairs, widths and a non-scalar scale are refused, naming the sizes', () => {
    const a = cpu(new Float32Array(12), [3, 4]);
    expect(() => F.clipLoss(a, cpu(new Float32Array(8), [2, 4]), cpu(Float32Array.of(1), []))).toThrow(/3 images but 2 texts/);
    expect(() => F.clipLoss(a, cpu(new Float32Array(15), [3, 5]), cpu(Float32Array.of(1), []))).toThrow(/4-wide, text embeddings 5-wide/);
    expect(() => F.clipLoss(a, a, cpu(new Float32Array(2), [2]))).toThrow(/must be a scalar, got \[2\]/);
    expect(() => F.clipLoss(cpu(new Float32Array(12), [3, 2, 2]), a, cpu(Float32Array.of(1), []))).toThrow(/must be \(B, e\)/);
  });
});

describe('captions', () => {
  test('templates fill names, numerals and articles by sound', () => {
    expect(fillTemplate('a photo of the number {name}', 7)).toBe('a photo of the number seven');
    expect(fillTemplate('the digit {digit}', 3)).toBe('the digit 3');
    expect(fillTemplate('a picture of {a} {name}', 8)).toBe('a picture of an eight');
    expect(fillTemplate('a picture of {a} {name}', 1)).toBe('a picture of a one');
    expect(() => fillTemplate('{name}', 10)).toThrow(/digit must be 0-9/);
  });

  test('the held-out template is never sampled for training, and sampling is seeded', () => {
    expect(TRAIN_TEMPLATES as readonly string[]).not.toContain(HELD_OUT_TEMPLATE);
    const heldOut = new Set(classPrompts(HELD_OUT_TEMPLATE));
    const a = captionSampler(4);
    const b = captionSampler(4);
    const drawn = Array.from({ length: 1000 }, (_, i) => a(i % 10));
    expect(drawn).toEqual(Array.from({ length: 1000 }, (_, i) => b(i % 10)));
    expect(drawn.some((c) => heldOut.has(c))).toBe(false);
    expect(new Set(drawn).size).toBe(TRAIN_TEMPLATES.length * 10); // every (template, digit) pair turns up
  });

  test('encodeCaption writes [CLS], the characters and padding, and refuses a caption that does not fit', () => {
    const tok = captionTokenizer();
    const T = maxCaptionLength(tok);
    const out = new Int32Array(2 * T);
    encodeCaption(tok, 'seven', T, out, 1);
    expect(out[T]).toBe(tok.idOf('<cls>'));
    expect(tok.decode(Array.from(out.subarray(T + 1, T + 6)))).toBe('seven');
    expect(Array.from(out.subarray(T + 6, 2 * T)).every((id) => id === tok.idOf('<pad>'))).toBe(true);
    expect(() => encodeCaption(tok, 'seven', 5, out, 0)).toThrow(/needs 6 tokens, more than 5/);
  });
});

describe('CLIP', () => {
  const tok = captionTokenizer();
  const base = clipMnistConfig(tok);
  const config = { ...base, vision: { ...base.vision, dModel: 16, nLayer: 1, dimFeedforward: 16 }, text: { ...base.text, dModel: 16, nLayer: 1, dimFeedforward: 16 }, embedDim: 8 };
  const T = config.text.maxLen;

  test('a caption encodes the same whatever padding follows it', async () => {
    const m = new CLIP({ ...config, seed: 1, device: 'cpu' }).eval();
    const short = captionIds(tok, ['seven'], 8, 'cpu'); // padded to 8
    const long = captionIds(tok, ['seven'], T, 'cpu'); // padded to maxLen
    const a = await noGrad(() => m.encodeText(short)).toArray();
    const b = await noGrad(() => m.encodeText(long)).toArray();
    expectAllClose(a, b, { atol: 1e-5, rtol: 1e-5 }, 'padding invariance');
  });

  test('the GPU similarity matrix matches the CPU for 7 images against 33 captions', async () => {
    const mc = new CLIP({ ...config, seed: 2, device: 'cpu' }).eval();
    const mg = new CLIP({ ...config, seed: 2, device: 'webgpu' }).eval();
    const img = randArray(7 * 784, 7, 0, 1);
    const caps = Array.from({ length: 33 }, (_, i) => fillTemplate(TRAIN_TEMPLATES[i % TRAIN_TEMPLATES.length], i % 10));
    const want = await noGrad(() => mc.similarity(cpu(img, [7, 784]), captionIds(tok, caps, T, 'cpu'))).toArray();
    const got = await noGrad(() => mg.similarity(tensor(img, [7, 784]), captionIds(tok, caps, T))).toArray();
    expect(want.length).toBe(7 * 33);
    expectAllClose(got, want, { atol: 1e-4, rtol: 1e-4 }, 'similarity, GPU vs CPU');
  });

  test('prompt ensembling averages unit prompt embeddings per class, then renormalises', async () => {
    const m = new CLIP({ ...config, seed: 3, device: 'cpu' }).eval();
    const prompts = ['one', 'the digit 1', 'two', 'the digit 2'];
    const ids = captionIds(tok, prompts, T, 'cpu');
    const got = await noGrad(() => m.classEmbeddings(ids, 2)).toArray();
    const each = await noGrad(() => F.normalize(m.encodeText(ids))).toArray();
    const e = config.embedDim;
    for (let k = 0; k < 2; k++) {
      const mean = Array.from({ length: e }, (_, j) => (each[2 * k * e + j] + each[(2 * k + 1) * e + j]) / 2);
      const n = Math.sqrt(mean.reduce((a, x) => a + x * x, 0));
      expectAllClose(got.subarray(k * e, (k + 1) * e), mean.map((x) => x / n), { atol: 1e-5, rtol: 1e-5 }, `class ${k}`);
    }
    expect(() => m.classEmbeddings(ids, 3)).toThrow(/4 prompts do not split into groups of 3/);
  });

  test('finite differences through both encoders, both projections and the temperature', async () => {
    const m = new CLIP({ ...config, seed: 4, device: 'cpu' });
    const img = cpu(randArray(3 * 784, 9, 0, 1), [3, 784]);
    const ids = captionIds(tok, ['zero', 'a handwritten five', 'the number 9'], T, 'cpu');
    // Images and ids go in as inputs (ids are int32, not differentiated): gradcheck runs fn on a float64 CPU too.
    const r = await gradcheck((im, id, ...ps) => nn.functionalCall(m, ps, () => m.forward(im, id)), [img, ids, ...m.parameters()], { maxSamples: 8 });
    expect(r.ok).toBe(true);
  });

  test('saves with its tokenizer as one safetensors file that rebuilds both (loadCLIP)', async () => {
    const a = new CLIP({ ...config, seed: 6, device: 'cpu' }).eval();
    const bytes = await saveCLIP(a, tok);
    const { model: b, tokenizer } = loadCLIP(bytes, { device: 'cpu' });
    expect(tokenizer.vocab).toEqual(tok.vocab);
    const img = cpu(randArray(2 * 784, 14, 0, 1), [2, 784]);
    const ids = captionIds(tok, ['four', 'the digit 4', 'a handwritten nine'], T, 'cpu');
    expect(Array.from(await noGrad(() => b.similarity(img, ids)).toArray())).toEqual(Array.from(await noGrad(() => a.similarity(img, ids)).toArray()));
    const vit = await saveViT(a.vision_model);
    expect(() => loadCLIP(vit)).toThrow(/loadCLIP: not a gpu-learn\/clip checkpoint/);
    const otherTok = nn.CharTokenizer.fromText('abc', { specials: ['<pad>', '<cls>'] });
    const mismatched = await saveCLIP(a, otherTok);
    expect(() => loadCLIP(mismatched)).toThrow(/the tokenizer has 5 tokens but config.text.vocabSize is/);
  });

  test('bad input is refused, naming the problem', () => {
    const m = new CLIP({ ...config, seed: 1, device: 'cpu' });
    const img = cpu(new Float32Array(2 * 784), [2, 784]);
    expect(() => m.forward(img, tensor(new Int32Array(3 * T), [3, T], { device: 'cpu' }))).toThrow(/2 images but 3 captions/);
    expect(() => m.encodeText(tensor(new Int32Array(2 * (T + 1)), [2, T + 1], { device: 'cpu' }))).toThrow(new RegExp(`captions of ${T + 1} tokens exceed maxLen ${T}`));
    expect(() => m.encodeText(cpu(new Float32Array(2 * T), [2, T]))).toThrow(/ids must be int32 \(B, T\)/);
    expect(() => m.encodeImage(cpu(new Float32Array(2 * 783), [2, 783]))).toThrow(/\(B, 1, 28, 28\) or \(B, 784\) flat, got \[2, 783\]/);
    expect(() => new CLIP({ ...config, temperature: 0 })).toThrow(/temperature must be positive/);
  });

  test('the recipe, shortened, classifies held-out digits zero-shot above chance (10%)', async () => {
    const small = { vision: { dModel: 16, nLayer: 1, dimFeedforward: 32 }, text: { dModel: 16, nLayer: 1, dimFeedforward: 32 }, embedDim: 16 };
    // 150 steps of batch 32, both encoders one block of width 16. Measured: 24.9% with the bare names as prompts.
    // Chance is 10% (± 0.7% for 2,000 digits), so 18% is far above it.
    const r = await trainCLIP({ steps: 150, batchSize: 32, lr: 3e-3, model: small });
    expect(r.losses[r.losses.length - 1].loss).toBeLessThan(r.losses[0].loss);
    expect(r.zeroShotNames).toBeGreaterThan(0.18);
  }, 120_000);
});

describe('the shipped checkpoint (playground/public/models/clip)', () => {
  test('loads from its one file and reproduces the zero-shot accuracies its run.json states', async () => {
    const dir = 'playground/public/models/clip';
    const run = JSON.parse(await readFile(`${dir}/run.json`, 'utf8')) as { zeroShot: { names: number; heldOutTemplate: number }; training: { seed: number } };
    const { model, tokenizer } = loadCLIP(new Uint8Array(await readFile(`${dir}/model.safetensors`)));
    const { test: heldOut } = await loadMnist({ seed: run.training.seed, testFraction: 0.2 });
    const [names, unseen] = await zeroShotAccuracy(model, tokenizer, heldOut, [{ prompts: classPrompts('{name}') }, { prompts: classPrompts(HELD_OUT_TEMPLATE) }]);
    // One digit in 2,000 either way, for a rounding that flips a tied prediction.
    expect(Math.abs(names - run.zeroShot.names)).toBeLessThanOrEqual(1 / heldOut.n + 1e-9);
    expect(Math.abs(unseen - run.zeroShot.heldOutTemplate)).toBeLessThanOrEqual(1 / heldOut.n + 1e-9);
  }, 60_000);
});
