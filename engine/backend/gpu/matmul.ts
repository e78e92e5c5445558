import type { MatmulParams, Storage } from '../backend';
import type { GpuContext } from './context';
import type { GpuStorage } from './storage';

export function matmul(_ctx: GpuContext, _a: Storage, _b: Storage, _p: MatmulParams): GpuStorage {
  throw new Error('matmul: WebGPU kernel not implemented yet');
}
