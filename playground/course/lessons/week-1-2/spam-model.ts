// Multinomial naive Bayes on the page's SpamAssassin sample: the model the spam widget shows and the numbers the
// prose states (held-out accuracy, the sample's sizes). DOM-free, so the unit tests compute the same numbers in Node
// from the same committed file.
import { MultinomialNB, metrics, wordTokenize, type SpamData, type TellingFeature } from '../../../../engine/course';

export interface SpamModel {
  nb: MultinomialNB;
  alpha: number;
  /** Predicted labels of the held-out mails. */
  predicted: number[];
  /** Held-out accuracy. */
  accuracy: number;
  /** confusion[true][predicted], 0 ham and 1 spam. */
  confusion: number[][];
  telling: { ham: TellingFeature[]; spam: TellingFeature[] };
}

export function fitSpam(data: SpamData, alpha = 1, topK = 12): SpamModel {
  const nb = new MultinomialNB({ alpha }).fit(data.train.docs, data.train.labels);
  const predicted = nb.predict(data.test.docs);
  return {
    nb,
    alpha,
    predicted,
    accuracy: metrics.accuracy(data.test.labels, predicted),
    confusion: metrics.confusionMatrix(data.test.labels, predicted, 2),
    telling: { ham: nb.tellingFeatures(0, topK), spam: nb.tellingFeatures(1, topK) },
  };
}

export interface WordEvidence {
  word: string;
  /** log P(w | spam) − log P(w | ham): what this occurrence adds to the spam side, in nats; null if outside V. */
  logRatio: number | null;
}

export interface Verdict {
  tokens: WordEvidence[];
  /** P(spam | message). */
  spam: number;
  /** log P(spam) − log P(ham), the prior's share of the score. */
  priorLogRatio: number;
}

/** How the model reads one message: each word's pull towards spam or ham, and the posterior. */
export function explainMessage(model: SpamModel, text: string): Verdict {
  const nb = model.nb;
  const tokens = wordTokenize(text);
  const index = new Map(nb.vocabulary.map((w, j) => [w, j]));
  const evidence = tokens.map((word) => {
    const j = index.get(word);
    return { word, logRatio: j === undefined ? null : nb.featureLogProb[1][j] - nb.featureLogProb[0][j] };
  });
  return { tokens: evidence, spam: nb.predictProba([tokens])[0][1], priorLogRatio: nb.classLogPrior[1] - nb.classLogPrior[0] };
}

/** The sizes of the sample, for the prose. */
export function spamSizes(data: SpamData): { train: number; test: number; trainSpam: number; testSpam: number; maxTokens: number } {
  const spam = (l: number[]) => l.filter((x) => x === 1).length;
  return { train: data.train.docs.length, test: data.test.docs.length, trainSpam: spam(data.train.labels), testSpam: spam(data.test.labels), maxTokens: data.maxTokens };
}
