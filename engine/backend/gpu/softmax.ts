import type { Storage } from '../backend';
import type { GpuContext } from './context';
import type { GpuStorage } from './storage';

export function softmax(_ctx: GpuContext, _x: Storage, _rows: number, _cols: number, _log: boolean): GpuStorage {
  throw new Error('softmax: WebGPU kernel not implemented yet');
}
