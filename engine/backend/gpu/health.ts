import type { HealthCounts, Storage } from '../backend';
import type { GpuContext } from './context';

export async function health(_ctx: GpuContext, _x: Storage): Promise<HealthCounts> {
  throw new Error('health: WebGPU kernel not implemented yet');
}
