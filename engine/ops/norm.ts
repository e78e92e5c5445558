// Layer normalisation over the last dim: y = (x - mean) / sqrt(var + eps) · weight + bias, population variance.
import { Tensor, ones, zeros } from '../tensor';
import { fmt, ShapeError } from '../shape';
import { requireFloat, sameDevice } from './elementwise';
import { contiguousData } from './layout';
import { fused } from './fused';

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
  // One kernel gives dx, dweight and dbias from the saved x, weight, mean and rstd (formulas in backend.ts).
  return fused('layerNorm', [x, w, b], () => {
    const [xc, wc, bc] = [x, w, b].map(contiguousData);
    const r = x.backend.layerNorm(xc.storage, wc.storage, bc.storage, rows, cols, eps);
    const out = Tensor.fromStorage(r.out, x.shape, x.device);
    const mean = Tensor.fromStorage(r.mean, [rows], x.device);
    const rstd = Tensor.fromStorage(r.rstd, [rows], x.device);
    const made = [...[xc, wc, bc].filter((t, i) => t !== [x, w, b][i]), ...(w !== weight ? [w] : []), ...(b !== bias ? [b] : [])];
    return { out, saves: [xc, wc, mean, rstd], temps: [mean, rstd, ...made] };
  }, (g, [sx, sw, sm, sr]) => {
    const d = g.backend.layerNormBackward(sx!.storage, sw!.storage, sm!.storage, sr!.storage, g.contiguous().storage, rows, cols);
    return [
      Tensor.fromStorage(d.dx, sx!.shape, g.device),
      Tensor.fromStorage(d.dweight, [cols], g.device),
      Tensor.fromStorage(d.dbias, [cols], g.device),
    ];
  });
}
