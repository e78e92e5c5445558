export { trainXor } from './xor';
export { trainMnist, evaluate, type MnistOptions } from './mnist';
export type { StepLog, TrainResult, TrainOptions } from './types';
