// The curriculum's foundations as engine code: metrics, Bayes, n-grams, information theory, linear algebra,
// optimisation surfaces, the perceptron, text and demo datasets, and week 0's classifier and polynomial fits.
export * as metrics from './metrics';
export { MultinomialNB, GaussianNB, bayes, jointTable, marginal, conditional, logSumExp } from './bayes';
export type { MultinomialNBOptions, Feature, TellingFeature, BayesScalar, BayesVector, JointTable } from './bayes';
export { NGramLM, type NGramOptions, type Smoothing } from './ngram';
export { entropy, crossEntropyOf, klDivergence, type Distribution } from './info';
export { svd, eigh, powerIteration, project, norm, type SvdResult, type SvdOptions, type EighResult, type NormOrd } from './linalg';
export { surfaces, surfaceInfo, optimizePath, type Surface, type SurfaceName, type OptimizerSpec, type PathOptions, type OptimizationPath } from './surfaces';
export { Perceptron, type PerceptronOptions, type PerceptronFit } from './perceptron';
export { wordTokenize, sentenceTokenize } from './text';
export * as datasets from './datasets';
export { gaussianBlobs, subset, trainLogistic, LogisticModel, type Points2D, type BlobOptions, type LogisticOptions, type LogisticFit } from './classify';
export { legendre, fitPolynomial, meanSquaredError, trueCurve, sampleCurve, degreeSweep, type PolyFit, type CurveSample, type CurveOptions, type DegreeScore } from './polyfit';
export * as courseData from './course-data';
export type { SpamData, SotuData } from './course-data';
export { trainXorMlp, activationCurve, backpropTrace, linspace, XOR_X, XOR_Y, type XorMlpOptions, type XorMlpFit, type ActivationName, type ActivationCurve, type BackpropStep, type TwoLayerNet } from './neural';
export {
  buildVocab, restrictToVocab, windowsOfIds, contextWindows, MLPLanguageModel, trainMLPLM, mlpPerplexity, mlpSample, compareLanguageModels,
  type WordVocab, type MLPLMConfig, type TrainMLPLMOptions, type CompareOptions, type LMComparison,
} from './mlplm';
export {
  ReverseModel, reverseBatch, trainReverse, reverseAccuracy, compareContexts, attentionSteps, pathLengths,
  type ContextKind, type ReverseConfig, type ReverseTrainOptions, type ContextComparisonOptions, type ContextComparison, type AttentionSteps,
} from './attention';
export * as selfAttention from './selfattention';
export {
  REVERSAL_TOKENS, reversalText, reversalSplit, reversalBatch, reversalModel, reversalScore, trainReversal, reversalAttention, mirrorAlignment, stackInput, AblationTransformer,
  type Ablation, type ReversalSplit, type ReversalModelOptions, type ReversalTrainOptions, type ReversalPoint, type ReversalRun, type ReversalAttention, type AttentionGrid,
} from './transformer';
export {
  topGuesses, gptAttention, bertAttention, bertFillMask, gptNextGuesses, gptNextDistribution, samplingSteps, maskingCounts, ICL_LETTERS, iclBatch,
  iclAccuracyByShots, iclIdealAccuracy, iclShownShare, kvCacheWork, cardFinetune, fineTuneRace,
  type Guess, type SamplingStep, type MaskingCounts, type IclBatch, type CardFinetune, type RacePoint, type RaceOptions,
} from './pretrained';
// Weeks 19-20: Reformer's angular LSH, how often a query's nearest key shares its bucket.
export { lshBuckets, nearestKeyCollisionRate, lshRotations, type LshVectors } from './lsh';
// Weeks 19-20: sparse patterns as masks, Linformer, the linear recurrence's scan and combine rule, the live benchmark.
export * as efficient from './efficient';
