import type { CrossEntropyParams, Storage } from '../backend';
import type { GpuContext } from './context';

export function crossEntropy(_ctx: GpuContext, _logits: Storage, _targets: Storage, _p: CrossEntropyParams): { loss: Storage; counted: Storage } {
  throw new Error('crossEntropy: WebGPU kernel not implemented yet');
}
