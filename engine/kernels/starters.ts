// The starter kernels, one per family, that follow the contract (docs/kernel-contract.md): what the Bench page's
// editor opens with and what a user copies to begin. They are tested like any user kernel (test/user-kernel.test.ts).
import attention from '../../shaders/user/attention.wgsl?raw';
import matmul from '../../shaders/user/matmul.wgsl?raw';
import type { KernelFamily } from './contract';

export const STARTER_KERNELS: Readonly<Record<KernelFamily, string>> = { attention, matmul };
