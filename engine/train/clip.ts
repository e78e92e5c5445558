// A tiny CLIP on MNIST digits paired with generated captions (engine/data/digit-captions.ts): each training image
// gets one of seven caption templates filled with its label, and the symmetric InfoNCE loss pulls matching
// (image, caption) pairs together. The model never sees a label as a class index: zero-shot classification on the
// held-out digits encodes one prompt per class and picks the closest. Same seeded split as the MLP and ViT recipes.
//
// A batch of 64 draws from only 10 classes, so most images share their class with a few other captions in the
// batch, which InfoNCE nonetheless counts as negatives. CLIP's web-scale batches rarely hold two captions that fit
// one image; here it is the rule. Training still works (the matching caption is always among the best-scoring
// ones), but the loss cannot fall to zero; we keep CLIP's plain objective rather than a label-aware variant.
import { tensor } from '../tensor';
import { noGrad } from '../autograd';
import { dispose, tidy } from '../memory';
import { normalize } from '../ops/contrastive';
import { CLIP, type CLIPConfig } from '../nn/clip';
import type { CharTokenizer } from '../nn/tokenizers';
import { loadMnist, MNIST_PIXELS, type Digits } from '../data/mnist';
import {
  captionSampler, captionTokenizer, DIGIT_NAMES, encodeCaption, fillTemplate, HELD_OUT_TEMPLATE, maxCaptionLength, TRAIN_TEMPLATES,
} from '../data/digit-captions';
import type { Tensor } from '../tensor';
import type { DeviceName } from '../backend/backend';
import type { TrainingTask, TrainOptions, TrainResult } from './types';
import { epochBatches } from './batches';
import { releaseModel, runSteps } from './loop';
import { shiftDigit, visionOptimization, VISION_TRAINING, type VisionTraining } from './vit';

export interface CLIPTrainOptions extends TrainOptions {
  batchSize?: number;
  lr?: number;
  /** Largest random shift of a training image, in pixels (default 2). */
  maxShift?: number;
  /** Overrides of the model's shape. */
  model?: { vision?: Partial<CLIPConfig['vision']>; text?: Partial<Omit<CLIPConfig['text'], 'vocabSize' | 'maxLen' | 'padId'>>; embedDim?: number };
}

/** The recipe's model: a 2-block ViT over 7×7 patches and a 2-block caption encoder, both 32 wide, into 32 dims. */
export function clipMnistConfig(tok: CharTokenizer): Omit<CLIPConfig, 'seed' | 'device'> {
  return {
    vision: { imageSize: 28, patchSize: 7, channels: 1, dModel: 32, nHead: 4, nLayer: 2, dimFeedforward: 64 },
    text: { vocabSize: tok.vocab.length, maxLen: maxCaptionLength(tok), padId: tok.idOf('<pad>'), dModel: 32, nHead: 4, nLayer: 2, dimFeedforward: 64 },
    embedDim: 32,
  };
}

/** Caption ids (n, maxLen) for a list of captions, on `device` (default: the default device). */
export function captionIds(tok: CharTokenizer, captions: readonly string[], maxLen: number, device?: DeviceName): Tensor {
  const ids = new Int32Array(captions.length * maxLen);
  captions.forEach((c, i) => encodeCaption(tok, c, maxLen, ids, i));
  return tensor(ids, [captions.length, maxLen], { device });
}

/** The ten class prompts of one template, in digit order. */
export function classPrompts(template: string): string[] {
  return DIGIT_NAMES.map((_, d) => fillTemplate(template, d));
}

/** One set of class prompts: P prompts per class, class by class (P = 1: one prompt each). */
export interface PromptSet {
  prompts: readonly string[];
  promptsPerClass?: number;
}

/**
 * Zero-shot accuracy on a digit set for each prompt set: per image, the class whose (ensembled) prompt embedding
 * is closest wins. The images are encoded once and scored against every prompt set.
 */
export async function zeroShotAccuracy(model: CLIP, tok: CharTokenizer, set: Digits, promptSets: readonly PromptSet[]): Promise<number[]> {
  const batch = 500;
  const T = model.text_model.config.maxLen;
  const classes = noGrad(() => tidy(() => promptSets.map((p) => model.classEmbeddings(captionIds(tok, p.prompts, T), p.promptsPerClass ?? 1))));
  const correct = promptSets.map(() => 0);
  for (let i = 0; i < set.n; i += batch) {
    const n = Math.min(batch, set.n - i);
    const preds = noGrad(() => tidy(() => {
      const images = normalize(model.encodeImage(tensor(set.images.subarray(i * MNIST_PIXELS, (i + n) * MNIST_PIXELS), [n, MNIST_PIXELS]))); // (n, e)
      return classes.map((c) => images.matmul(c.transpose(0, 1)).argmax(-1)); // cosine against each class, (n)
    }));
    for (const [j, pred] of preds.entries()) {
      const p = await pred.toArray();
      pred.dispose();
      for (let k = 0; k < n; k++) if (p[k] === set.labels[i + k]) correct[j]++;
    }
  }
  dispose(classes);
  return correct.map((c) => c / set.n);
}

/** The CLIP, AdamW with a schedule, and batches of shifted images with freshly drawn captions. */
export async function clipTask(opts: CLIPTrainOptions = {}): Promise<TrainingTask<CLIP> & { test: Digits; tokenizer: CharTokenizer; steps: number; training: VisionTraining; trainSize: number }> {
  const batchSize = opts.batchSize ?? VISION_TRAINING.batchSize;
  const seed = opts.seed ?? 0;
  const steps = opts.steps ?? 1000;
  const { train, test } = await loadMnist({ seed, testFraction: 0.2 });
  const tokenizer = captionTokenizer();
  const base = clipMnistConfig(tokenizer);
  const config = {
    vision: { ...base.vision, ...opts.model?.vision }, text: { ...base.text, ...opts.model?.text }, embedDim: opts.model?.embedDim ?? base.embedDim,
  };
  const model = new CLIP({ ...config, seed });
  const { optimizer, scheduler, shift, training } = visionOptimization(model.parameters(), {
    steps, batchSize, lr: opts.lr ?? VISION_TRAINING.lr, maxShift: opts.maxShift ?? VISION_TRAINING.maxShift, seed: seed + 2,
  });
  const next = epochBatches(train.n, batchSize, seed + 1);
  const caption = captionSampler(seed + 3);
  const T = config.text.maxLen;
  const xb = new Float32Array(batchSize * MNIST_PIXELS);
  const ids = new Int32Array(batchSize * T);
  const loss = (): Tensor => {
    next().forEach((idx, k) => {
      const src = train.images.subarray(idx * MNIST_PIXELS, (idx + 1) * MNIST_PIXELS);
      shiftDigit(src, xb.subarray(k * MNIST_PIXELS, (k + 1) * MNIST_PIXELS), shift(), shift());
      encodeCaption(tokenizer, caption(train.labels[idx]), T, ids, k);
    });
    return tidy(() => model.forward(tensor(xb, [batchSize, MNIST_PIXELS]), tensor(ids, [batchSize, T])));
  };
  return { model, optimizer, scheduler, loss, test, tokenizer, steps, training, trainSize: train.n };
}

export interface CLIPTrainResult extends TrainResult {
  /** Zero-shot accuracy with the bare class names ("zero" … "nine") as prompts; also `accuracy`. */
  zeroShotNames: number;
  /** With the template never used in training ("an image of the digit seven"). */
  zeroShotHeldOutTemplate: number;
  /** With every training template, their embeddings averaged per class (CLIP's prompt ensembling). */
  zeroShotEnsemble: number;
  temperature: number;
  training: VisionTraining;
  trainSize: number;
  testSize: number;
  parameters: number;
}

/** Trains the CLIP and measures zero-shot accuracy three ways. `keepModel` hands the model back instead of freeing it. */
export async function trainCLIP(opts: CLIPTrainOptions & { keepModel?: (m: CLIP, tok: CharTokenizer) => void } = {}): Promise<CLIPTrainResult> {
  const task = await clipTask(opts);
  const { losses, stepsPerSecond } = await runSteps({ ...task, steps: task.steps, logEvery: opts.logEvery ?? 25, onLog: opts.onLog });
  const { model, tokenizer, test } = task;
  model.eval();
  const [zeroShotNames, zeroShotHeldOutTemplate, zeroShotEnsemble] = await zeroShotAccuracy(model, tokenizer, test, [
    { prompts: classPrompts('{name}') },
    { prompts: classPrompts(HELD_OUT_TEMPLATE) },
    // Class k's prompts contiguous: for each digit, every training template.
    { prompts: DIGIT_NAMES.flatMap((_, d) => TRAIN_TEMPLATES.map((t) => fillTemplate(t, d))), promptsPerClass: TRAIN_TEMPLATES.length },
  ]);
  const temperature = await model.temperature();
  const parameters = model.numParameters();
  if (opts.keepModel) {
    model.zeroGrad();
    task.optimizer.dispose();
    opts.keepModel(model, tokenizer);
  } else releaseModel(model, task.optimizer);
  return {
    losses, accuracy: zeroShotNames, stepsPerSecond, zeroShotNames, zeroShotHeldOutTemplate, zeroShotEnsemble, temperature, training: task.training,
    trainSize: task.trainSize, testSize: test.n, parameters,
  };
}
