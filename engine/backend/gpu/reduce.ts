import type { ReduceOp, Storage } from '../backend';
import type { GpuContext } from './context';
import type { GpuStorage } from './storage';

export function reduce(_ctx: GpuContext, _op: ReduceOp, _x: Storage, _outer: number, _len: number, _inner: number): GpuStorage {
  throw new Error('reduce: WebGPU kernel not implemented yet');
}
