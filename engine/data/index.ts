export { loadMnist, MNIST_PIXELS, type Digits } from './mnist';
export { XOR_INPUTS, XOR_LABELS } from './xor';
export { loadNames, shuffle } from './names';
export { syntheticSentences } from './sentences';
export { loadSentiment, splitSentiment, SENTIMENT_SOURCE, SENTIMENT_LICENCE, type LabelledSentence, type SentimentSplit, type SentimentSource } from './sentiment';
export { generateQA, QA_SOURCE, type QAExample, type QAKind, type QASplit, type QAOptions } from './qa';
export { flaggedRecall, RECALL_SYMBOLS, RECALL_MARKER, RECALL_VOCAB, RECALL_IGNORE } from './recall';
export {
  DIGIT_NAMES, TRAIN_TEMPLATES, HELD_OUT_TEMPLATE, CAPTION_PAD, CAPTION_CLS, fillTemplate, captionTokenizer, maxCaptionLength, encodeCaption, captionSampler,
} from './digit-captions';
