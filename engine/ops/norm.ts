// Layer normalisation over the last dim: y = (x - mean) / sqrt(var + eps) · weight + bias, population variance.
import { Tensor, ones, zeros } from '../tensor';
import { fmt, ShapeError } from '../shape';
import { requireFloat, sameDevice } from './elementwise';

export function layerNorm(x: Tensor, weight: Tensor | null, bias: Tensor | null, eps = 1e-5): Tensor {
  requireFloat('layerNorm', x);
  if (x.ndim === 0) throw new ShapeError('layerNorm: needs a tensor of rank ≥ 1');
  const cols = x.shape[x.ndim - 1];
  const w = weight ?? ones([cols], { device: x.device });
  const b = bias ?? zeros([cols], { device: x.device });
  for (const [name, p] of [['weight', w], ['bias', b]] as const) {
    requireFloat('layerNorm', p);
    if (p.ndim !== 1 || p.shape[0] !== cols) {
      throw new ShapeError(`layerNorm: ${name} has shape ${fmt(p.shape)}, expected [${cols}] to match the last dim of ${fmt(x.shape)}`);
    }
  }
  sameDevice('layerNorm', x, w, b);
  if (!(eps >= 0)) throw new RangeError(`layerNorm: eps must be ≥ 0, got ${eps}`);
  const rows = cols === 0 ? 0 : x.numel / cols;
  const r = x.backend.layerNorm(x.storage, w.storage, b.storage, rows, cols, eps);
  // mean and rstd are what the backward needs; until autograd keeps them, they are released here.
  x.backend.free(r.mean);
  x.backend.free(r.rstd);
  if (w !== weight) w.dispose();
  if (b !== bias) b.dispose();
  return Tensor.fromStorage(r.out, x.shape, x.device);
}
