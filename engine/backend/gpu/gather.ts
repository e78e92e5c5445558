import type { Storage } from '../backend';
import type { GpuContext } from './context';
import type { GpuStorage } from './storage';

export function gather(_ctx: GpuContext, _table: Storage, _idx: Storage, _rows: number, _rowSize: number): GpuStorage {
  throw new Error('gather: WebGPU kernel not implemented yet');
}
