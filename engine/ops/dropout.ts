// Inverted dropout: in training, each element survives with probability 1−p and is scaled by 1/(1−p), so the
// expected activation is unchanged and evaluation needs no rescaling. The mask comes from a counter-based hash
// of (seed, index) computed inside the kernel (backend/rng.ts), so a seed reproduces it on every device.
import { Tensor } from '../tensor';
import { fused } from './fused';
import { broadcastLayout } from './layout';

export function dropout(x: Tensor, p: number, seed: number): Tensor {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout: p must be in [0, 1], got ${p}`);
  if (p === 0) return x.mul(1);
  // d dropout: the same mask, g ⊙ mask.
  return fused('dropout', [x], () => {
    const mask = Tensor.fromStorage(x.backend.dropoutMask(x.numel, p, seed >>> 0), x.shape, x.device);
    const layout = broadcastLayout('dropout', [x, mask]); // x read through its strides, the mask contiguous
    const out = Tensor.fromStorage(x.backend.binary('mul', x.storage, mask.storage, layout), x.shape, x.device);
    return { out, saves: [mask], temps: [mask] };
  }, (g, [sm]) => [g.mul(sm!)]);
}
