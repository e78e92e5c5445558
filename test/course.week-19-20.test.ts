// Weeks 19-20's lesson (beyond the transformer): the engine code it stands on (engine/lessons/efficient.ts) checked
// against definitions written here and against nn.MultiHeadAttention's Linformer, the numbers the page states (read
// from the committed benchmark and recipe results) and the comparisons it makes about them, every checker with its
// right and wrong answers, and every code cell run as the page checks it. The vision sections: the shipped ViT and
// CLIP (their run.json, the held-out sample, vitView against ViT.attentionMaps, the similarity row against CLIP's
// zero-shot classifier), patchify against nn.patchify and the InfoNCE loss against functional.clipLoss.
import { beforeAll, describe, expect, test } from 'vitest';
import { init, nn, tensor, functional } from '../engine/index';
import {
  patternMask, windowMaskReference, maskCount, maskDensity, causalWindowScores, linformerReference, linformerScores,
  scanReference, combineReference, scanTree, timeAttention, TIMED_METHODS,
} from '../engine/lessons/efficient';
import { readFileSync } from 'node:fs';
import {
  LSH, MASK_T, MASK_WINDOW, SCAN_DECAY, benchLong, benchMs, extrapolation, extrapolationAt, lshCurve, scanDemo, ssmComparison,
} from '../playground/course/lessons/week-19-20/numbers';
import { combineCell, linformerCausal, linformerCell, recurrenceCell, windowCell, windowScores } from '../playground/course/lessons/week-19-20/exercises';
import { lesson } from '../playground/course/lessons/week-19-20/index';
import { LESSONS } from '../playground/course/lessons/index';
import { WEEKS } from '../playground/course/weeks';
import { statRecords } from '../playground/course/stat';
import { claimFails } from '../playground/course/claims';
import { checkCell as check } from './course-cells';
import {
  HELD_OUT_SAMPLE, digitsFile, sampleDigits, type DigitsFile,
  clipModel, clipRun, clipRunFile, digitPixels, firstOfEachClass, heldOutDigits, promptIds, similarityMatrix, templatePrompts, vitModel, vitRun,
  vitRunFile, vitView,
} from '../playground/course/lessons/week-19-20/vision';
import { clipLossCell, patchifyCell, vitData, vitTokens } from '../playground/course/lessons/week-19-20/vision-exercises';
import { BATCH, batchOf } from '../playground/course/lessons/week-19-20/clip-batch-widget';
import { HELD_OUT_TEMPLATE, MNIST_PIXELS, classPrompts, captionIds, fillTemplate } from '../engine/course';

beforeAll(async () => {
  await init({ backend: 'cpu' });
});

/** A T × T 0/1 matrix from a predicate. */
const grid = (T: number, f: (i: number, j: number) => boolean): number[][] =>
  Array.from({ length: T }, (_, i) => Array.from({ length: T }, (_, j) => (f(i, j) ? 1 : 0)));

describe('sparse patterns as masks', () => {
  test('the engine’s masks are the definitions: causal window, two-sided window with globals, strided blocks', async () => {
    for (const T of [1, 7, 13]) {
      expect(await patternMask(T, { causal: true })).toEqual(grid(T, (i, j) => j <= i));
      expect(await patternMask(T, { causal: true, window: 3 })).toEqual(grid(T, (i, j) => j <= i && i - j < 3));
      expect(await windowMaskReference(T, 2)).toEqual(grid(T, (i, j) => Math.abs(i - j) < 2));
      const g = [0, T - 1];
      expect(await windowMaskReference(T, 3, g)).toEqual(grid(T, (i, j) => Math.abs(i - j) < 3 || g.includes(i) || g.includes(j)));
    }
    const layout = functional.stridedBlockLayout({ Tq: 16, blockSize: 4, local: 2, stride: 2, causal: true });
    const blocks = await patternMask(16, { causal: true, blockLayout: layout });
    const I = (i: number) => Math.floor(i / 4);
    expect(blocks).toEqual(grid(16, (i, j) => j <= i && ((I(i) - I(j) < 2) || I(j) % 2 === 1)));
    expect(functional.layoutDensity(layout)).toBe(8 / 16); // blocks (I, J ≤ I): 1; 2; 2 + 0; 2 + 1 summary at J = 1
    await expect(patternMask(0, {})).rejects.toThrow(/positive integer/);
    await expect(windowMaskReference(5, 0)).rejects.toThrow(/localWindow must be a positive integer/);
  });

  test('counts and densities: a mask’s ones, and the closed form of the causal window', async () => {
    expect(maskCount(grid(4, (i, j) => j <= i))).toBe(10);
    expect(maskDensity(grid(4, (i, j) => j <= i))).toBe(10 / 16);
    expect(maskDensity([])).toBe(0);
    for (const [T, w] of [[1, 1], [7, 3], [13, 20], [16, 16], [33, 5]]) {
      expect(causalWindowScores(T, w), `T=${T}, w=${w}`).toBe(maskCount(await patternMask(T, { causal: true, window: w })));
    }
    expect(linformerScores(16384, 256)).toEqual({ dense: 16384 ** 2, linformer: 16384 * 256, ratio: 64 });
  });
});

describe('Linformer', () => {
  test('linformerReference is one head of nn.MultiHeadAttention’s linformer option', async () => {
    const [E, T, k] = [6, 9, 4];
    const mha = new nn.MultiHeadAttention(E, 1, { seed: 3, device: 'cpu', linformer: { k, maxLen: 12 } });
    const xData = Array.from({ length: T * E }, (_, i) => Math.sin(1.7 * i) * 0.9);
    const x = tensor(xData, [1, T, E], { device: 'cpu' });
    const want = await mha.attend(x).output.toArray(); // (1, T, E)
    const W = await mha.in_proj_weight.toArray(); // (3E, E)
    const b = await mha.in_proj_bias!.toArray(); // (3E)
    const Wo = await mha.out_proj.weight.toArray(); // (E, E)
    const bo = await mha.out_proj.bias!.toArray();
    const Ef = await mha.linformerE!.toArray(); // (k, 12)
    const Ff = await mha.linformerF!.toArray();
    const X = Array.from({ length: T }, (_, t) => xData.slice(t * E, t * E + E));
    // x Wᵀ + b for rows part·E … part·E + E − 1 of the stacked projection.
    const proj = (part: number) => X.map((row) => Array.from({ length: E }, (_, o) => b[part * E + o] + row.reduce((s, v, c) => s + v * W[(part * E + o) * E + c], 0)));
    const cols = (m: ArrayLike<number>) => Array.from({ length: k }, (_, r) => Array.from({ length: T }, (_, c) => m[r * 12 + c])); // E[:, :T]
    const A = await linformerReference(proj(0), proj(1), proj(2), cols(Ef), cols(Ff)); // (T, E)
    const got = A.map((row) => Array.from({ length: E }, (_, o) => bo[o] + row.reduce((s, v, c) => s + v * Wo[o * E + c], 0)));
    got.flat().forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
  });

  test('with E = F = the identity (k = T) it is dense attention; bad shapes are named', async () => {
    const T = 5;
    const Q = grid(T, (i, j) => (i * 3 + j) % 4 === 0).map((r) => r.map((v) => v * 2 - 0.5));
    const K = grid(T, (i, j) => (i + 2 * j) % 3 === 0).map((r) => r.map((v) => v - 0.3));
    const V = grid(T, (i, j) => i === j).map((r, i) => r.map((v) => v + i / 10));
    const I = grid(T, (i, j) => i === j);
    const dense = await linformerReference(Q, K, V, I, I);
    const scores = Q.map((q) => K.map((kk) => q.reduce((s, v, c) => s + v * kk[c], 0) / Math.sqrt(T)));
    const soft = scores.map((row) => {
      const m = Math.max(...row);
      const e = row.map((s) => Math.exp(s - m));
      const z = e.reduce((a, c) => a + c, 0);
      return e.map((w) => w / z);
    });
    const want = soft.map((w) => V[0].map((_, c) => w.reduce((s, wi, j) => s + wi * V[j][c], 0)));
    dense.flat().forEach((v, i) => expect(v).toBeCloseTo(want.flat()[i], 5));
    await expect(linformerReference(Q, K, V, [[1, 0]], [[1, 0]])).rejects.toThrow(/T = 5 columns/);
    await expect(linformerReference(Q, K.slice(1), V, I, I)).rejects.toThrow(/same number of rows/);
  });
});

describe('the linear recurrence', () => {
  const a = [[0.5, -0.9], [0.99, 0.2], [-0.3, 1], [0.7, 0.7], [0, 0.5]];
  const x = [[1, 2], [-1, 0.5], [0.25, 3], [2, -2], [1, 1]];

  test('scanReference is the step-by-step loop, h_{−1} = 0', async () => {
    const h = await scanReference(a, x);
    let prev = [0, 0];
    for (let t = 0; t < a.length; t++) {
      prev = prev.map((p, d) => a[t][d] * p + x[t][d]);
      prev.forEach((v, d) => expect(h[t][d]).toBeCloseTo(v, 5));
    }
    await expect(scanReference(a, x.slice(1))).rejects.toThrow(/same \(T, D\) shape/);
  });

  test('combineReference reads (a₁a₂, a₂x₁ + x₂) off functional.scan', async () => {
    const c = await combineReference({ a: [0.5, -2, 0.1], x: [1, 3, -1] }, { a: [0.25, 0.5, 4], x: [2, -1, 0.5] });
    [0.125, -1, 0.4].forEach((v, i) => expect(c.a[i]).toBeCloseTo(v, 6));
    [2.25, 0.5, -3.5].forEach((v, i) => expect(c.x[i]).toBeCloseTo(v, 6));
    await expect(combineReference({ a: [1], x: [1, 2] }, { a: [1], x: [1] })).rejects.toThrow(/first\.x must be an array of 1/);
  });

  test('the up-sweep tree: nodes from position 0 carry h; the root is h_{T−1} with the product of the decays', async () => {
    const A = [0.9, 0.5, -0.8, 0.3, 1, 0.6, 0.2, 0.95];
    const X = [1, -1, 0.5, 2, -0.5, 0.25, 3, 1];
    const levels = scanTree(A, X);
    expect(levels.map((l) => l.length)).toEqual([8, 4, 2, 1]);
    const h = (await scanReference(A.map((v) => [v]), X.map((v) => [v]))).map((r) => r[0]);
    for (const level of levels) expect(level[0].x).toBeCloseTo(h[level[0].to], 5);
    expect(levels[3][0].a).toBeCloseTo(A.reduce((p, v) => p * v, 1), 12);
    // A node that starts later is the same scan run from zero at its first position.
    const n = levels[1][2]; // positions 4 … 5
    expect(n).toEqual({ from: 4, to: 5, a: A[4] * A[5], x: A[5] * X[4] + X[5] });
    expect(() => scanTree([1, 2, 3], [1, 2, 3])).toThrow(/power of two/);
  });
});

describe('the live benchmark', () => {
  test('times every method once per rep on the CPU backend (a measurement; only its form is checked)', async () => {
    const seen: string[] = [];
    const t = await timeAttention({ T: 16, window: 4, globals: 2, heads: 1, headDim: 4, device: 'cpu', reps: 2, onProgress: (m, r) => void seen.push(`${m}${r}`) });
    expect(t.map((r) => r.method)).toEqual([...TIMED_METHODS]);
    for (const r of t) expect(Number.isFinite(r.ms) && r.ms >= 0).toBe(true);
    expect(seen).toEqual(TIMED_METHODS.flatMap((m) => [`${m}0`, `${m}1`]));
    await expect(timeAttention({ T: 16, window: 4, globals: 17, heads: 1, headDim: 4, device: 'cpu', reps: 1 })).rejects.toThrow(/globals must be/);
  });
});

describe('the shipped ViT and CLIP', () => {
  test('run.json of each parses, and a broken one is named by its field', async () => {
    const v = await vitRunFile();
    const raw = JSON.parse(readFileSync('playground/public/models/vit/run.json', 'utf8')) as { heldOutAccuracy: number; mlp: { heldOutAccuracy: number } };
    expect(v.heldOutAccuracy).toBe(raw.heldOutAccuracy);
    expect(v.mlpAccuracy).toBe(raw.mlp.heldOutAccuracy);
    const c = await clipRunFile();
    expect(c.temperature).toBeGreaterThan(0);
    expect(() => vitRun({ ...raw, mlp: {} })).toThrow(/models\/vit\/run\.json: mlp\.heldOutAccuracy is missing/);
    expect(() => clipRun({ zeroShot: { names: 0.5, heldOutTemplate: 2 } })).toThrow(/zeroShot\.heldOutTemplate/);
  });

  test('the held-out sample: thousandths back to the package’s intensities, of the recipes’ split, refused otherwise', async () => {
    const v = await vitRunFile();
    expect((await clipRunFile()).seed).toBe(v.seed);
    const digits = await heldOutDigits();
    expect(digits.n).toBe(HELD_OUT_SAMPLE);
    expect(Math.max(...digits.images)).toBeLessThanOrEqual(1);
    // A file round-trips through digitsFile exactly.
    const again = sampleDigits(digitsFile(digits, v.seed), v.seed);
    expect(again.images).toEqual(digits.images);
    expect(again.labels).toEqual(digits.labels);
    const raw = JSON.parse(readFileSync('playground/course/lessons/week-19-20/held-out-digits.json', 'utf8')) as DigitsFile;
    expect(() => sampleDigits(raw, v.seed + 1)).toThrow(/held-out-digits\.json: seed \d+ and testFraction 0\.2/);
    expect(() => sampleDigits({ ...raw, pixels: raw.pixels.slice(1) }, v.seed)).toThrow(/pixels \(96 rows of 784\)/);
  });

  test('vitView: probabilities are the model’s softmax, and the maps are the class token’s row of each block’s weights', async () => {
    const [model, digits] = await Promise.all([vitModel(), heldOutDigits()]);
    const thumbs = firstOfEachClass(digits);
    expect(thumbs.map((i) => digits.labels[i])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const px = digitPixels(digits, thumbs[3]);
    const view = await vitView(model, px);
    expect(view.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    const logits = await model.forward(tensor(px, [1, MNIST_PIXELS], { device: 'cpu' })).toArray();
    expect(view.probs.indexOf(Math.max(...view.probs))).toBe(logits.indexOf(Math.max(...logits)));
    expect([view.maps.length, view.maps[0].length, view.maps[0][0].length, view.maps[0][0][0].length]).toEqual([model.blocks.length, model.nHead, ...model.grid]);
    const w = await model.attentionMaps(tensor(px, [1, MNIST_PIXELS], { device: 'cpu' })).weights[1].toArray(); // (1, H, 1 + N, 1 + N)
    const N = model.grid[0] * model.grid[1];
    // Head 2 of block 2: its patch weights plus the class token's weight on itself make the softmax's 1.
    const row = Array.from({ length: 1 + N }, (_, j) => w[2 * (1 + N) * (1 + N) + j]);
    view.maps[1][2].flat().forEach((v, k) => expect(v).toBeCloseTo(row[1 + k], 6));
    expect(view.maps[1][2].flat().reduce((a, b) => a + b, 0) + row[0]).toBeCloseTo(1, 5);
    expect(() => digitPixels(digits, digits.n)).toThrow(/outside the \d+ held-out digits/);
  });

  test('the similarity row picks what zero-shot classification picks; bad prompts are named', async () => {
    const [clip, digits] = await Promise.all([clipModel(), heldOutDigits()]);
    const idx = firstOfEachClass(digits);
    const images = new Float32Array(idx.length * MNIST_PIXELS);
    idx.forEach((i, k) => images.set(digitPixels(digits, i), k * MNIST_PIXELS));
    const prompts = templatePrompts(HELD_OUT_TEMPLATE);
    const sims = await similarityMatrix(clip, images, prompts); // (10, 10)
    // The classifier's route: unit class embeddings, then cosines (CLIP.classEmbeddings / zeroShotLogits).
    const T = clip.model.text_model.config.maxLen;
    const zs = await clip.model.zeroShotLogits(tensor(images, [idx.length, MNIST_PIXELS], { device: 'cpu' }),
      clip.model.classEmbeddings(captionIds(clip.tokenizer, classPrompts(HELD_OUT_TEMPLATE), T, 'cpu'))).toArray();
    const scale = 1 / (await clip.model.temperature());
    sims.flat().forEach((v, k) => expect(v).toBeCloseTo(scale * zs[k], 3));
    expect(() => promptIds(clip, ['a 7 in Ünicode'])).toThrow(/never saw: "Ü"/);
    expect(() => promptIds(clip, ['one'.repeat(40)])).toThrow(/reads at most \d+/);
    expect(() => templatePrompts('a photo')).toThrow(/no \{name\} or \{digit\}/);
    // The batch widget's captions: the held-out template names each digit's own class.
    const b = batchOf(digits, 1, 'held-out');
    expect(b.indices).toEqual(Array.from({ length: BATCH.size }, (_, k) => BATCH.size + k));
    expect(b.captions).toEqual(b.labels.map((d) => fillTemplate(HELD_OUT_TEMPLATE, d)));
    expect(batchOf(digits, 1, 'training').captions).toEqual(batchOf(digits, 1, 'training').captions);
  });
});

describe('exercises', () => {
  test('window scores: the count passes; T·w (ignoring the first rows) and dense causal fail', () => {
    const answer = windowScores.answer() as number;
    expect(answer).toBe(maskCount(grid(MASK_T, (i, j) => j <= i && i - j < MASK_WINDOW)));
    expect(Math.abs(windowScores.demo.right - answer)).toBeLessThanOrEqual(windowScores.tolerance);
    for (const wrong of [windowScores.demo.wrong, (MASK_T * (MASK_T + 1)) / 2, MASK_T * (2 * MASK_WINDOW - 1)]) {
      expect(Math.abs(wrong - answer)).toBeGreaterThan(windowScores.tolerance);
    }
  });

  test('Linformer and causality: one right option', () => {
    expect(linformerCausal.correct).toBe(0);
    expect(linformerCausal.demo.wrong).not.toBe(linformerCausal.correct);
    expect(linformerCausal.options[linformerCausal.correct]).toMatch(/all T positions/);
  });

  test('ViT tokens: patches plus the class token pass; the patches alone and the pixels fail', async () => {
    const model = await vitModel();
    const answer = await vitTokens.answer();
    expect(answer).toBe(model.grid[0] * model.grid[1] + 1);
    expect(Math.abs(vitTokens.demo.right - answer)).toBeLessThanOrEqual(vitTokens.tolerance);
    for (const wrong of [vitTokens.demo.wrong, 28 * 28, 49]) expect(Math.abs(wrong - answer)).toBeGreaterThan(vitTokens.tolerance);
    expect(vitData.demo.wrong).not.toBe(vitData.correct);
    expect(vitData.options[vitData.correct]).toMatch(/learn from the data/);
  });

  const cells = [
    ['window mask', windowCell, 3, 'off by one, one-sided, globals one way'],
    ['patchify', patchifyCell, 3, 'column order, (y, x, c), transposed patches'],
    ['CLIP loss', clipLossCell, 3, 'one direction, no normalisation, divided by the log scale'],
    ['Linformer', linformerCell, 3, 'projecting queries, V unprojected, √k'],
    ['recurrence', recurrenceCell, 2, 'decayed input, one step late'],
    ['combine', combineCell, 2, 'wrong order, decays added'],
  ] as const;
  for (const [name, cell, wrongs, what] of cells) {
    test(`${name} cell: the solution passes; ${what} and the starter fail`, async () => {
      for (const seed of [1, 2, 3]) expect((await check(cell, cell.solution, seed)).ok).toBe(true);
      expect(cell.demo.wrong).toHaveLength(wrongs);
      for (const wrong of [...cell.demo.wrong, cell.starter]) {
        for (const seed of [1, 2]) expect((await check(cell, wrong, seed)).ok, wrong).toBe(false);
      }
    });
  }

  test('the combine cell names a malformed result', async () => {
    const r = await check(combineCell, 'function combine(first, second) { return [first.a, first.x]; }', 1);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/Return an object \{ a, x \}/);
  });
});

describe('the committed results the page reads', () => {
  test('bench-long, extrapolation and ssm-compare parse, and a broken file is named', () => {
    const b = benchLong();
    expect(b.lengths.length).toBeGreaterThan(0);
    expect(b.adapter).toMatch(/\S/);
    const e = extrapolation();
    expect(e.evalLengths[0]).toBe(e.trainLength);
    expect(e.accuracy.learned.slice(1)).toEqual([null, null]);
    const s = ssmComparison();
    expect(s.recall.ssm.map((c) => c.T)).toEqual(s.lengths);
    expect(() => benchLong({ rows: [] })).toThrow(/docs\/bench-long\.json: rows is missing/);
    expect(() => extrapolation({ evalLengths: [64], rows: [{ encoding: 'rope', accuracy: [1, 1] }] })).toThrow(/rows\[0\]/);
    expect(() => ssmComparison({ config: {}, recall: { runs: {} }, text: { runs: {} } })).toThrow(/recall\.runs\.ssm/);
    expect(() => benchMs(b, 'dense-causal', 3, 'fwd')).toThrow(/no dense-causal fwd row at T=3/);
    expect(() => extrapolationAt(e, 'learned', 256)).toThrow(/no accuracy for learned at T=256/);
  });

  test('the scan demo is functional.scan on the widget’s input', async () => {
    const h = await scanDemo(SCAN_DECAY, 'two pulses');
    expect(h[7]).toBeCloseTo(SCAN_DECAY ** 7 + SCAN_DECAY ** 3, 5);
  });
});

describe('the lesson', () => {
  test('states every number under the names the e2e reads, and its claims hold on them', async () => {
    for (const s of lesson.sections) if (s.kind === 'text') void s.body; // the sections were built at import
    for (let i = 0; i < 300 && statRecords().pending > 0; i++) await new Promise((res) => setTimeout(res, 10));
    const { values, problems, pending } = statRecords();
    expect(problems).toEqual([]);
    expect(pending).toBe(0);
    // Read back from the files the benchmark and the recipes wrote.
    const raw = JSON.parse(readFileSync('docs/extrapolation.json', 'utf8')) as { rows: Array<{ encoding: string; accuracy: number[] }> };
    expect(values['w1920-ex-rope-256'].value).toBe(raw.rows.find((r) => r.encoding === 'rope')!.accuracy[2]);
    const b = benchLong();
    const T = b.lengths[b.lengths.length - 1];
    expect(values['w1920-bench-dense-ms'].value).toBe(benchMs(b, 'dense-causal', T, 'fwd+bwd'));
    const s = ssmComparison();
    expect(values['w1920-gpt-text-loss'].value).toBe(s.textLoss.gpt);
    expect(values['w1920-mask-window'].value).toBe(causalWindowScores(MASK_T, MASK_WINDOW));
    expect(values['w1920-lsh-rate-1'].value).toBe(lshCurve(LSH.defaultBuckets)[0]);
    const vitJson = JSON.parse(readFileSync('playground/public/models/vit/run.json', 'utf8')) as { heldOutAccuracy: number; mlp: { heldOutAccuracy: number } };
    expect(values['w1920-vit-acc'].value).toBe(vitJson.heldOutAccuracy);
    expect(values['w1920-mlp-acc'].value).toBe(vitJson.mlp.heldOutAccuracy);
    const clipJson = JSON.parse(readFileSync('playground/public/models/clip/run.json', 'utf8')) as { zeroShot: Record<string, number>; temperature: number };
    expect(values['w1920-clip-names'].value).toBe(clipJson.zeroShot.names);
    expect(values['w1920-clip-heldout'].value).toBe(clipJson.zeroShot.heldOutTemplate);
    expect(values['w1920-clip-ensemble'].value).toBe(clipJson.zeroShot.ensemble);
    expect(values['w1920-clip-temp'].value).toBe(clipJson.temperature);
    expect(values['w1920-vit-grid'].value * values['w1920-vit-patch'].value).toBe(values['w1920-vit-side'].value);
    expect(lesson.claims!.length).toBeGreaterThanOrEqual(10);
    for (const claim of lesson.claims!) expect(claimFails(claim, values), claim.says).toBeNull();
  });

  test('is registered as week-19-20 and the course home links all 13 week groups', async () => {
    expect(await LESSONS['week-19-20']()).toBe(lesson);
    expect(WEEKS.filter((w) => w.lesson)).toHaveLength(13);
    const ids = lesson.sections.flatMap((s) => (s.kind === 'exercise' ? [s.exercise.id] : []));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(10);
    for (const id of ids) expect(id).toMatch(/^w1920-/);
    for (const r of lesson.resources) {
      expect(r.url).toMatch(/^https:\/\//);
      expect(r.adds.length).toBeGreaterThan(20);
    }
  });
});
