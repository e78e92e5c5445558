// Captions for MNIST digits, written by this project (generated, not collected): each digit's name or numeral in
// one of several templates ("a photo of the number seven", "the digit 7", "seven" …), so that a tiny CLIP can learn
// to tie images to words. One template is held out of training, so zero-shot accuracy can also be measured with a
// wording the text encoder has never read.
import { CharTokenizer } from '../nn/tokenizers';
import { mulberry32 } from '../random';

export const DIGIT_NAMES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'] as const;

/** `{name}` is the word ("seven"), `{digit}` the numeral ("7"), `{a}` "a" or "an" before the word. */
export const TRAIN_TEMPLATES = [
  '{name}',
  'a photo of the number {name}',
  'the digit {digit}',
  'a handwritten {name}',
  'the number {digit}',
  '{a} {name} written by hand',
  'a picture of {a} {name}',
] as const;

/** Never used in training: zero-shot accuracy with it measures wording the text encoder has not seen. */
export const HELD_OUT_TEMPLATE = 'an image of the digit {name}';

/** The caption tokenizer's specials: padding and the [CLS] token the text encoder pools. */
export const CAPTION_PAD = '<pad>';
export const CAPTION_CLS = '<cls>';

export function fillTemplate(template: string, digit: number): string {
  if (!Number.isInteger(digit) || digit < 0 || digit > 9) throw new RangeError(`fillTemplate: digit must be 0-9, got ${digit}`);
  const name = DIGIT_NAMES[digit];
  const article = name === 'eight' ? 'an' : 'a'; // by sound: "an eight", but "a one
  return template.replaceAll('{name}', name).replaceAll('{digit}', String(digit)).replaceAll('{a}', article);
}

/** A character tokenizer over every caption any template can produce (training and held out). */
export function captionTokenizer(): CharTokenizer {
  const texts: string[] = [];
  for (const t of [...TRAIN_TEMPLATES, HELD_OUT_TEMPLATE]) for (let d = 0; d < 10; d++) texts.push(fillTemplate(t, d));
  return CharTokenizer.fromText(texts, { specials: [CAPTION_PAD, CAPTION_CLS] });
}

/** Longest caption in tokens, [CLS] included. */
export function maxCaptionLength(tok: CharTokenizer = captionTokenizer()): number {
  let m = 0;
  for (const t of [...TRAIN_TEMPLATES, HELD_OUT_TEMPLATE]) for (let d = 0; d < 10; d++) m = Math.max(m, tok.encode(fillTemplate(t, d)).length + 1);
  return m;
}

/** [CLS] + the caption's characters, padded to `length`, into `out` at row `row`. */
export function encodeCaption(tok: CharTokenizer, caption: string, length: number, out: Int32Array, row: number): void {
  const ids = tok.encode(caption);
  if (ids.length + 1 > length) throw new RangeError(`encodeCaption: "${caption}" needs ${ids.length + 1} tokens, more than ${length}`);
  const pad = tok.idOf(CAPTION_PAD);
  out.fill(pad, row * length, (row + 1) * length);
  out[row * length] = tok.idOf(CAPTION_CLS);
  out.set(ids, row * length + 1);
}

/** A seeded stream of training captions: for each label, one of the training templates at random. */
export function captionSampler(seed: number): (digit: number) => string {
  const rand = mulberry32(seed);
  return (digit) => fillTemplate(TRAIN_TEMPLATES[Math.floor(rand() * TRAIN_TEMPLATES.length)], digit);
}
