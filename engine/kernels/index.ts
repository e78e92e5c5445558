// Bring your own kernel: the contract (docs/kernel-contract.md), the starter kernels, checkKernel and timeKernel.
export { KERNEL_FAMILIES, FAMILIES, ContractError, type KernelFamily } from './contract';
export { STARTER_KERNELS } from './starters';
export { ATTENTION_SHAPES, MATMUL_SHAPES, shapeLabel, type AttentionShape, type MatmulShape, type KernelShape } from './cases';
export {
  checkKernel, DEFAULT_TOLERANCE, DEFAULT_TIMEOUT_MS,
  type CheckOptions, type KernelReport, type CaseResult, type KernelProblem, type Tolerance,
} from './check';
export { timeKernel, kernelRunner, type TimeOptions, type KernelTiming, type KernelRunner, type PreparedKernel, type PrepareOptions } from './time';
export { POISON, type CompileMessage } from './run';
