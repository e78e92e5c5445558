// The WebGPU backend's kernel table: one entry per Backend kernel (backend.ts's Kernels), each the function of the
// kernel family under gpu/ that runs it, taking the GpuContext first and the kernel's arguments after. The mapped
// type makes a kernel that is missing, or whose arguments differ from the interface's, a compile error; webgpu.ts
// binds every entry to the backend, so there are no forwarding methods to keep in step.
import type { KernelName, Kernels } from '../backend';
import type { GpuContext } from './context';
import * as ew from './elementwise';
import { matmul } from './matmul';
import { reduce } from './reduce';
import { softmax, softmaxBackward } from './softmax';
import { layerNorm, layerNormBackward } from './layernorm';
import { crossEntropy, crossEntropyBackward } from './loss';
import { gather, scatterAdd } from './gather';
import { dropoutMask } from './dropout';
import { adamStep, sgdStep } from './optim';
import { health } from './health';
import { attentionBackward, attentionForward, attentionUnsupported } from './attention';
import { scan, scanBackward } from './scan';

/** A Kernels method with the GpuContext as its first argument. */
type WithContext<F> = F extends (...args: infer A) => infer R ? (ctx: GpuContext, ...args: A) => R : never;

export type GpuKernelTable = { readonly [K in KernelName]: WithContext<Kernels[K]> };

export const GPU_KERNELS: GpuKernelTable = {
  fill: ew.fill,
  unary: ew.unary,
  binary: ew.binary,
  binaryScalar: ew.binaryScalar,
  cast: ew.cast,
  where: ew.where,
  copy: ew.copy,
  reduce,
  matmul,
  softmax,
  softmaxBackward,
  layerNorm,
  layerNormBackward,
  crossEntropy,
  crossEntropyBackward,
  gather,
  scatterAdd,
  dropoutMask,
  sgdStep,
  adamStep,
  health,
  attentionUnsupported,
  attentionForward,
  attentionBackward,
  scan,
  scanBackward,
};
