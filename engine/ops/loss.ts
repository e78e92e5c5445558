// Fused cross-entropy: logits (…, C) against int32 class indices (…), mean over counted rows.
import { Tensor } from '../tensor';
import { fmt, ShapeError } from '../shape';
import { requireFloat, sameDevice } from './elementwise';
import { contiguousData } from './layout';
import { fused } from './fused';

export interface CrossEntropyOptions {
  /** Rows whose target equals this are skipped and not counted in the mean (PyTorch's default is -100). */
  ignoreIndex?: number;
  /** ε in [0, 1]: the target distribution becomes (1 - ε)·onehot + ε/C. */
  labelSmoothing?: number;
  reduction?: 'mean' | 'sum' | 'none';
}

export function crossEntropy(logits: Tensor, targets: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  requireFloat('crossEntropy', logits);
  sameDevice('crossEntropy', logits, targets);
  if (targets.dtype !== 'int32') {
    throw new TypeError(`crossEntropy: targets must be int32 class indices, got ${targets.dtype}; convert with .int()`);
  }
  if (logits.ndim < 1) throw new ShapeError('crossEntropy: logits need a class dim');
  const C = logits.shape[logits.ndim - 1];
  const lead = logits.shape.slice(0, -1);
  if (targets.ndim !== lead.length || targets.shape.some((d, i) => d !== lead[i])) {
    throw new ShapeError(`crossEntropy: logits ${fmt(logits.shape)} need targets of shape ${fmt(lead)}, got ${fmt(targets.shape)}`);
  }
  const ls = opts.labelSmoothing ?? 0;
  if (!(ls >= 0 && ls <= 1)) throw new RangeError(`crossEntropy: labelSmoothing must be in [0, 1], got ${ls}`);
  const rows = targets.numel;
  const params = { rows, classes: C, ignoreIndex: opts.ignoreIndex ?? -100, labelSmoothing: ls };
  const [lc, tc] = [contiguousData(logits), contiguousData(targets)];
  const r = logits.backend.crossEntropy(lc.storage, tc.storage, params);
  // The per-row losses are a constant-free function of the logits; the reduction below is ordinary ops, so
  // autograd sees rowLoss → sum → div and hands the fused backward one upstream gradient per row.
  const counted = Tensor.fromStorage(r.counted, lead, logits.device);
  const rowLoss = perRowLoss(Tensor.fromStorage(r.loss, lead, logits.device), logits, lc, tc, params);
  if (lc !== logits) lc.dispose();
  if (tc !== targets) tc.dispose();
  const reduction = opts.reduction ?? 'mean';
  if (reduction === 'none') {
    counted.dispose();
    return rowLoss;
  }
  const total = rowLoss.sum();
  rowLoss.dispose();
  if (reduction === 'sum') {
    counted.dispose();
    return total;
  }
  const n = counted.sum();
  counted.dispose();
  const out = total.div(n);
  total.dispose();
  n.dispose();
  return out;
}

/** Records the fused backward on the per-row loss: d logits = gRow[r]·(softmax(x_r) − q_r). */
function perRowLoss(
  loss: Tensor, logits: Tensor, lc: Tensor, tc: Tensor, params: { rows: number; classes: number; ignoreIndex: number; labelSmoothing: number },
): Tensor {
  // The contiguous logits and targets the forward read (the same storages when the inputs were contiguous).
  return fused('crossEntropy', [logits], () => ({ out: loss, saves: [lc, tc] }), (g, [sx, st]) => [
    Tensor.fromStorage(g.backend.crossEntropyBackward(sx!.storage, st!.storage, g.contiguous().storage, params), sx!.shape, g.device),
  ]);
}
