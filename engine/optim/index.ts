export { Optimizer } from './optimizer';
export { SGD, type SGDOptions } from './sgd';
export { Adam, AdamW, type AdamOptions } from './adam';
export { warmupSchedule, LRScheduler, type Schedule, type WarmupOptions } from './schedule';
export { clipGradNorm } from './clip';
