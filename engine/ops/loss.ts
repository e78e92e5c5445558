// Fused cross-entropy: logits (…, C) against int32 class indices (…), mean over counted rows.
import { Tensor } from '../tensor';
import { fmt, ShapeError } from '../shape';
import { requireFloat, sameDevice } from './elementwise';

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
  const r = logits.backend.crossEntropy(logits.storage, targets.storage, {
    rows,
    classes: C,
    ignoreIndex: opts.ignoreIndex ?? -100,
    labelSmoothing: ls,
  });
  const loss = Tensor.fromStorage(r.loss, lead, logits.device);
  const counted = Tensor.fromStorage(r.counted, lead, logits.device);
  const reduction = opts.reduction ?? 'mean';
  if (reduction === 'none') {
    counted.dispose();
    return loss;
  }
  const total = loss.sum();
  loss.dispose();
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
