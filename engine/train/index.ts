export { trainXor, xorTask } from './xor';
export { trainMnist, mnistTask, evaluate, type MnistOptions } from './mnist';
export type { StepLog, TrainResult, TrainOptions, TrainingTask } from './types';
export { trainNames, namesTask, type NamesOptions, type NamesResult } from './names';
export { trainTranslate, translateTask, type TranslateOptions, type TranslateResult } from './translate';
export { trainBert, type BertOptions, type BertResult } from './bert';
export { runSteps, releaseModel, type LoopOptions } from './loop';
export { trainSentiment, sentimentAccuracy, SENTIMENT_BUDGET, type SentimentOptions, type SentimentResult, type SentimentRun, type SentimentInit } from './sentiment';
export { extrapolationTable, formatExtrapolation, POSITION_ENCODINGS, type PositionEncoding, type ExtrapolationOptions, type ExtrapolationResult, type ExtrapolationRow } from './extrapolation';
