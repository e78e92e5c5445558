// The backend-level entry, for benchmarks only: bench/ and the playground's Bench tab time single kernels, so they
// need what sits below the Tensor API (a backend driven directly, the matmul kernel's variants, the open WebGPU
// backend and its adapter). It is not a stable user API: these names follow the backend's internals and change
// with them. Programs that use the engine import engine/index.ts; the app's course material is in engine/course.ts.
export type { AttentionParams, MatmulParams } from './backend/backend';
export { denseMatmul } from './backend/backend';
export { CpuBackend } from './backend/cpu';
export { WebGPUBackend } from './backend/webgpu';
export { nodeGpuInstance } from './backend/gpu/adapter';
export {
  MATMUL_VARIANTS, getMatmulVariant, setMatmulVariant, matmulKernelInfo, type MatmulVariant,
} from './backend/gpu/matmul';
export { webgpuBackend } from './device';
export { median, timeIt, type Timing } from './timing';
