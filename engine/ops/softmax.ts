// Softmax and log-softmax along a dim. The kernel works on the last axis of contiguous (rows, cols); another dim
// is moved last (a view) and made contiguous (a copy), and the result moved back (a view).
import { Tensor } from '../tensor';
import { normDim } from '../shape';
import { fused } from './fused';
import { requireFloat } from './elementwise';
import { contiguousData } from './layout';

function rowwise(x: Tensor, dim: number, log: boolean, op: 'softmax' | 'logSoftmax'): Tensor {
  requireFloat(op, x);
  const d = normDim(dim, x.ndim, op);
  const last = Math.max(x.ndim - 1, 0);
  if (d !== last) {
    const moved = x.transpose(d, last);
    const y = rowwise(moved, -1, log, op);
    const back = y.transpose(d, last);
    moved.dispose();
    y.dispose();
    return back;
  }
  const cols = x.ndim === 0 ? 1 : x.shape[last];
  const rows = cols === 0 ? 0 : x.numel / cols;
  // d softmax: y ⊙ (g − Σ g⊙y); d logSoftmax: g − exp(y)·Σ g. One fused kernel reads the saved output.
  return fused(op, [x], () => {
    const xc = contiguousData(x);
    const out = Tensor.fromStorage(x.backend.softmax(xc.storage, rows, cols, log), x.shape, x.device);
    return { out, saves: [out], temps: [xc !== x ? xc : null] };
  }, (g, [sy]) => [
    Tensor.fromStorage(g.backend.softmaxBackward(sy!.storage, g.contiguous().storage, rows, cols, log), sy!.shape, g.device),
  ]);
}

/** exp(x - max) / Σ exp(x - max): the max is subtracted first, so any finite input gives a finite result. */
export function softmax(x: Tensor, dim = -1): Tensor {
  return rowwise(x, dim, false, 'softmax');
}

/** x - max - log Σ exp(x - max). */
export function logSoftmax(x: Tensor, dim = -1): Tensor {
  return rowwise(x, dim, true, 'logSoftmax');
}
