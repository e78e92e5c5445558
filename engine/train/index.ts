export { trainXor } from './xor';
export { trainMnist, evaluate, type MnistOptions } from './mnist';
export type { StepLog, TrainResult, TrainOptions } from './types';
export { trainNames, type NamesOptions, type NamesResult } from './names';
export { trainTranslate, type TranslateOptions, type TranslateResult } from './translate';
export { trainBert, type BertOptions, type BertResult } from './bert';
export { runSteps, releaseModel, type LoopOptions } from './loop';
