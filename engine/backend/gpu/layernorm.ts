import type { LayerNormResult, Storage } from '../backend';
import type { GpuContext } from './context';

export function layerNorm(_ctx: GpuContext, _x: Storage, _w: Storage, _b: Storage, _rows: number, _cols: number, _eps: number): LayerNormResult {
  throw new Error('layerNorm: WebGPU kernel not implemented yet');
}
