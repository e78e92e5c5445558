// The engine's single entry point: the same imports work in Node (Dawn, through the `webgpu` package) and in a
// browser (navigator.gpu).
export { init, getDefaultDevice, setBindingLimit, type InitOptions, type DeviceInfo } from './device';
export {
  Tensor, tensor, zeros, ones, full, zerosLike, onesLike, randn, rand, arange,
  type TensorOptions, type RandomOptions, type GradFn,
} from './tensor';
export { cat } from './ops/layout';
export { where, identity } from './ops/elementwise';
export { indexSelect } from './ops/gather';
export { health, type Health } from './ops/health';
export { tidy, dispose, keep, memoryStats } from './memory';
export { warmup, type WarmupResult } from './warmup';
export {
  tune, tuningTable, reloadTuning, tuningCachePath, TuningCacheError, TUNE_OPS, matmulShapeClass, attentionShapeClass, rowShapeClass,
  type TuneOptions, type TuneReport, type TuneResult, type TuneProgress, type TuneShapes, type TuneOp, type CandidateResult, type TuningTableInfo,
} from './tune';
export { manualSeed, mulberry32 } from './random';
export { ShapeError } from './shape';
export { NoAdapterError } from './backend/gpu/adapter';
export { DeviceLostError, OverLimitError } from './backend/gpu/context';
export type { DType } from './dtype';
export type { DeviceName, MemoryStats } from './backend/backend';
export * as functional from './functional';
export { noGrad, isGradEnabled, graphStats, record, type BackwardOptions, type GraphStats } from './autograd';
export { gradcheck, type GradcheckOptions, type GradcheckResult } from './gradcheck';
export * as nn from './nn/index';
export * as optim from './optim/index';
export {
  readSafetensors, openSafetensors, writeSafetensors, saveModuleSafetensors, loadModuleSafetensors, safetensorsToTensors, SafetensorsError,
  type SafetensorsFile, type TensorData, type LazySafetensors, type SafetensorsEntry, type SafetensorsDType, type UnreadableDType, type ReadLimits,
} from './io/safetensors';
export { saveViT, loadViT, saveCLIP, loadCLIP, VIT_CHECKPOINT, CLIP_CHECKPOINT } from './io/vision-checkpoint';
export { concatBytes } from './io/bytes';
export {
  parseModelCard, fetchModel, readModel, ModelCardError, MODEL_CARD_FORMAT, MODEL_CARD_VERSION,
  type ModelCard, type ModelFiles, type GPTCardConfig,
} from './io/model-card';
export { setDebug, isDebug, type DebugSink } from './debug';
export {
  metrics, MultinomialNB, GaussianNB, bayes, jointTable, marginal, conditional, NGramLM, entropy, crossEntropyOf,
  klDivergence, svd, eigh, powerIteration, project, norm, surfaces, optimizePath, Perceptron, wordTokenize, datasets,
} from './lessons/index';
export {
  checkKernel, timeKernel, kernelRunner, STARTER_KERNELS, KERNEL_FAMILIES, ATTENTION_SHAPES, MATMUL_SHAPES, DEFAULT_TOLERANCE, DEFAULT_TIMEOUT_MS, POISON,
  ContractError, shapeLabel,
  type KernelFamily, type KernelShape, type AttentionShape, type MatmulShape, type CheckOptions, type KernelReport, type CaseResult,
  type KernelProblem, type Tolerance, type TimeOptions, type KernelTiming, type KernelRunner, type PreparedKernel, type PrepareOptions,
  type CompileMessage,
} from './kernels/index';
