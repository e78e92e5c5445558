// The vision and multimodal sections' exercises: how many tokens the ViT reads (from the shipped model), patchify
// checked against nn.patchify, and CLIP's symmetric InfoNCE loss checked against functional.clipLoss, each code cell
// with the typical wrong programs that test/course.week-19-20.test.ts and the e2e run.
import { html } from 'lit';
import { functional, metrics, nn, tensor } from '../../../../engine/index';
import { VIT_MNIST } from '../../../../engine/course';
import { defaultCompare } from '../../compare';
import type { ChoiceExercise, CodeArgs, CodeExercise, NumberExercise } from '../../types';
import { matrix, variant } from './exercises';
import { vitModel } from './vision';

type Images = number[][][][];

// ---------------------------------------------------------------------------------------------------------------
// Number: the ViT's sequence length.

const SIDE = VIT_MNIST.imageSize as number;
const PATCH = VIT_MNIST.patchSize;
const PATCHES = (SIDE / PATCH) ** 2;

export const vitTokens: NumberExercise = {
  kind: 'number',
  id: 'w1920-vit-tokens',
  prompt: html`The ViT cuts a ${SIDE} × ${SIDE} digit into ${PATCH} × ${PATCH} patches and adds the class token. How
    many tokens does its transformer read for one digit?`,
  // The length of the shipped model's learned position table: one row per token it reads.
  answer: async () => (await vitModel()).pos_embed.shape[1],
  tolerance: 0,
  explain: html`${SIDE} / ${PATCH} = ${SIDE / PATCH} patches across and ${SIDE / PATCH} down: ${PATCHES} patch tokens,
    and the class token makes ${PATCHES + 1}. Attention over ${PATCHES + 1} tokens is ${(PATCHES + 1) ** 2} scores per
    head, where attention over the ${SIDE * SIDE} pixels would be ${(SIDE * SIDE) ** 2}.`,
  demo: { right: PATCHES + 1, wrong: PATCHES },
};

export const vitData: ChoiceExercise = {
  kind: 'choice',
  id: 'w1920-vit-data',
  prompt: 'A convolutional network learns digits from a few thousand examples; a ViT of the same size usually needs more data, or augmentation such as our random shifts. Why?',
  options: [
    'A convolution is built to treat every position alike and to look at neighbouring pixels first; a ViT has to learn from the data that nearby patches matter and that a shifted digit is the same digit.',
    'A ViT has far more parameters than any convolutional network.',
    'Attention cannot be trained with gradient descent on small data sets.',
    'The class token makes the loss noisier, so each step learns less.',
  ],
  correct: 0,
  explain: 'The convolution\'s inductive bias (locality and weight sharing across positions) is built in; a ViT only has the patch embedding\'s weight sharing and must learn where things are from its position embeddings. With little data that costs accuracy; shifting the training digits by a pixel or two shows it the same digit at different positions. With very large data sets, the ViT paper found the learned, more flexible model catches up and overtakes.',
  demo: { wrong: 1 },
};

// ---------------------------------------------------------------------------------------------------------------
// Code cell: patchify.

const patchifySolution = `function patchify(images: number[][][][], P: number): number[][][] {
  return images.map((img) => {
    const C = img.length;
    const H = img[0].length;
    const W = img[0][0].length;
    const patches: number[][] = [];
    // Patches in raster order: along a row of the grid first, then down.
    for (let gy = 0; gy < H / P; gy++) {
      for (let gx = 0; gx < W / P; gx++) {
        const patch: number[] = [];
        // Each patch flattened channel by channel, then row by row, then pixel by pixel: (c, y, x).
        for (let c = 0; c < C; c++)
          for (let y = 0; y < P; y++)
            for (let x = 0; x < P; x++) patch.push(img[c][gy * P + y][gx * P + x]);
        patches.push(patch);
      }
    }
    return patches;
  });
}
`;

/** (B, C, H, W) of float32-representable values. */
function images(r: () => number, B: number, C: number, H: number, W: number): Images {
  return Array.from({ length: B }, () => Array.from({ length: C }, () => matrix(r, H, W)));
}

export const patchifyCell: CodeExercise = {
  kind: 'code',
  id: 'w1920-patchify-code',
  prompt: html`Cut images into patches as a ViT does. <code>images</code> is (B, C, H, W) as nested arrays and
    <code>P</code> divides H and W. Return (B, N, C·P·P): for each image, its N = (H/P)·(W/P) patches in raster
    order (left to right along the top row of the grid, then the next row), each flattened in (c, y, x) order:
    all of channel 0's P × P pixels row by row, then channel 1's, and so on. Check compares with the engine's
    <code>nn.patchify</code>.`,
  name: 'patchify',
  signature: 'patchify(images: number[][][][], P: number): number[][][]',
  language: 'typescript',
  starter: `function patchify(images: number[][][][], P: number): number[][][] {
  // For each image: for each patch (gy, gx) in raster order, push its pixels in (c, y, x) order.
  return images.map(() => []);
}
`,
  solution: patchifySolution,
  hints: [
    'Patch (gy, gx) covers rows gy·P … gy·P + P − 1 and columns gx·P … gx·P + P − 1 of every channel.',
    'Raster order: the loop over gy (grid rows) is outside the loop over gx (grid columns), so patch index = gy·(W/P) + gx.',
    'Within a patch the channel is the slowest index: three loops c, y, x, pushing img[c][gy·P + y][gx·P + x].',
  ],
  example: () => {
    const r = metrics.seededRandom(6);
    return [images(r, 1, 1, 4, 4), 2];
  },
  cases: (seed) => {
    const r = metrics.seededRandom(seed);
    // One patch; several channels; a non-square image; the ViT's own 28 × 28 in 7 × 7.
    return [[images(r, 1, 1, 3, 3), 3], [images(r, 2, 3, 4, 4), 2], [images(r, 1, 2, 6, 9), 3], [images(r, 2, 1, 4, 8), 4], [images(r, 1, 1, 28, 28), 7]];
  },
  reference: async (...args: CodeArgs) => {
    const [imgs, P] = args as [Images, number];
    const [B, C, H, W] = [imgs.length, imgs[0].length, imgs[0][0].length, imgs[0][0][0].length];
    const p = nn.patchify(tensor(imgs.flat(3), [B, C, H, W], { device: 'cpu' }), P); // (B, N, C·P·P)
    const flat = await p.toArray();
    const [, N, D] = p.shape;
    p.dispose();
    return Array.from({ length: B }, (_, b) => Array.from({ length: N }, (_, n) => Array.from(flat.slice((b * N + n) * D, (b * N + n + 1) * D))));
  },
  demo: {
    wrong: [
      // Patches column by column (gx outside gy): the right patches in the wrong order.
      variant(patchifySolution, `    for (let gy = 0; gy < H / P; gy++) {
      for (let gx = 0; gx < W / P; gx++) {`, `    for (let gx = 0; gx < W / P; gx++) {
      for (let gy = 0; gy < H / P; gy++) {`),
      // Flattened (y, x, c), channels interleaved pixel by pixel, as an (H, W, C) image would be.
      variant(patchifySolution, `        for (let c = 0; c < C; c++)
          for (let y = 0; y < P; y++)
            for (let x = 0; x < P; x++)`, `        for (let y = 0; y < P; y++)
          for (let x = 0; x < P; x++)
            for (let c = 0; c < C; c++)`),
      // Each patch transposed: columns read as rows.
      variant(patchifySolution, 'img[c][gy * P + y][gx * P + x]', 'img[c][gy * P + x][gx * P + y]'),
    ],
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Code cell: CLIP's symmetric InfoNCE loss.

const clipLossSolution = `function clipLoss(image: number[][], text: number[][], logitScale: number): number {
  const unit = (v: number[]) => {
    const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    return v.map((x) => x / n);
  };
  const I = image.map(unit);
  const T = text.map(unit);
  // The learned inverse temperature, capped at 100 as CLIP does.
  const scale = Math.exp(Math.min(logitScale, Math.log(100)));
  // logits[r][c]: image r against caption c.
  const logits = I.map((i) => T.map((t) => scale * i.reduce((s, x, k) => s + x * t[k], 0)));
  const B = logits.length;
  // Mean cross-entropy when row r's right answer is column r: logsumexp(row) − row[r].
  const ce = (rows: number[][]) =>
    rows.reduce((s, row, r) => {
      const m = Math.max(...row);
      return s + m + Math.log(row.reduce((z, v) => z + Math.exp(v - m), 0)) - row[r];
    }, 0) / B;
  const columns = logits[0].map((_, c) => logits.map((row) => row[c]));
  // Images pick their caption, and captions pick their image.
  return (ce(logits) + ce(columns)) / 2;
}
`;

export const clipLossCell: CodeExercise = {
  kind: 'code',
  id: 'w1920-clip-loss-code',
  prompt: html`Write CLIP's training loss for a batch of B pairs: row r of <code>image</code> and row r of
    <code>text</code> (each B × e) are the embeddings of an image and of its caption. Normalise every row to unit
    length; the logits are s·cos, with s = exp(<code>logitScale</code>) capped at 100, so logits[r][c] scores image r
    against caption c. The loss is the mean of two cross-entropies: each row of the logits must pick its diagonal
    entry (image → caption), and so must each column (caption → image). Check compares with the engine's
    <code>functional.clipLoss</code>.`,
  name: 'clipLoss',
  signature: 'clipLoss(image: number[][], text: number[][], logitScale: number): number',
  language: 'typescript',
  starter: `function clipLoss(image: number[][], text: number[][], logitScale: number): number {
  // 1. unit rows  2. logits = min(exp(logitScale), 100) · cosines  3. ½ (CE over rows + CE over columns), targets on the diagonal
  return 0;
}
`,
  solution: clipLossSolution,
  hints: [
    'Unit length: divide each row by its Euclidean norm. Then a dot product of two rows is their cosine, in [−1, 1].',
    'logitScale is a log: the multiplier is Math.exp(logitScale), and Math.min(logitScale, Math.log(100)) applies the cap.',
    'Cross-entropy of a row whose right answer is entry r: log Σ exp(row) − row[r] (subtract the row\'s max inside the log for stability). Average over rows, do the same over columns, and take the mean of the two.',
  ],
  example: () => {
    const r = metrics.seededRandom(8);
    return [matrix(r, 3, 4), matrix(r, 3, 4), Math.log(1 / 0.07)];
  },
  cases: (seed) => {
    const r = metrics.seededRandom(seed);
    const c = (B: number, e: number, s: number): CodeArgs => [matrix(r, B, e), matrix(r, B, e), Math.fround(s)];
    // One pair (the loss is 0); odd sizes; CLIP's initial scale; a scale above the cap.
    return [c(1, 3, 2), c(3, 2, 0.5), c(5, 4, Math.log(1 / 0.07)), c(7, 5, 3 * r()), c(4, 6, 5)];
  },
  reference: async (...args: CodeArgs) => {
    const [image, text, s] = args as [number[][], number[][], number];
    const loss = functional.clipLoss(
      tensor(image.flat(), [image.length, image[0].length], { device: 'cpu' }),
      tensor(text.flat(), [text.length, text[0].length], { device: 'cpu' }),
      tensor([s], [], { device: 'cpu' }),
    );
    const [v] = await loss.toArray();
    loss.dispose();
    return v;
  },
  // The engine computes in float32.
  compare: (got, want, args) => defaultCompare(got, want, args, { atol: 1e-5, rtol: 1e-4 }),
  demo: {
    wrong: [
      // Only images → captions: half of the symmetric loss.
      variant(clipLossSolution, 'return (ce(logits) + ce(columns)) / 2;', 'return ce(logits);'),
      // Raw dot products instead of cosines: the scale then depends on the embeddings' lengths.
      variant(clipLossSolution, `  const I = image.map(unit);
  const T = text.map(unit);`, `  const I = image;
  const T = text;`),
      // Dividing by the log of the scale instead of multiplying by its exponential.
      variant(clipLossSolution, 'const scale = Math.exp(Math.min(logitScale, Math.log(100)));', 'const scale = 1 / logitScale;'),
    ],
  },
};
