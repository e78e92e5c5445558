// Cross-entropy with ignoreIndex and label smoothing (shaders/cross_entropy.wgsl): rows packed into workgroups, logits
// shifted by the row max. Bad targets are flagged on the device (error slot crossEntropyTarget) and raised at the
// next read.
// The backward (shaders/cross_entropy_backward.wgsl) has the same shape (rowLayout).
import type { CrossEntropyParams, Storage } from '../backend';
import { errorSlotConsts, type GpuContext } from './context';
import { allocStorage, gpu } from './storage';
import { rowLayout } from './softmax';

export function crossEntropy(
  ctx: GpuContext, logitsS: Storage, targetsS: Storage, p: CrossEntropyParams,
): { loss: Storage; counted: Storage } {
  const [logits, targets] = [gpu(logitsS), gpu(targetsS)];
  const loss = allocStorage(ctx, p.rows, 'float32');
  const counted = allocStorage(ctx, p.rows, 'float32');
  const { constants, groups } = rowLayout(ctx, p.rows, p.classes);
  const k = ctx.kernel('crossEntropy', { file: 'cross_entropy', consts: errorSlotConsts() }, constants);
  ctx.dispatch(
    k,
    { logits: logits.buffer, targets: targets.buffer, loss: loss.buffer, counted: counted.buffer },
    { rows: p.rows, classes: p.classes, ignoreIndex: p.ignoreIndex, smoothing: p.labelSmoothing },
    ctx.grid1d(groups),
  );
  return { loss, counted };
}

/** d logits = gRow[r]·(softmax(x_r) − q_r); ignored or out-of-range rows get zeros (cross_entropy_backward.wgsl). */
export function crossEntropyBackward(
  ctx: GpuContext, logitsS: Storage, targetsS: Storage, gRowS: Storage, p: CrossEntropyParams,
): Storage {
  const [logits, targets, gRow] = [gpu(logitsS), gpu(targetsS), gpu(gRowS)];
  const dx = allocStorage(ctx, p.rows * p.classes, 'float32'); // (rows, classes)
  const { constants, groups } = rowLayout(ctx, p.rows, p.classes);
  const k = ctx.kernel('crossEntropyBackward', { file: 'cross_entropy_backward' }, constants);
  ctx.dispatch(
    k,
    { logits: logits.buffer, targets: targets.buffer, gRow: gRow.buffer, dx: dx.buffer },
    { rows: p.rows, classes: p.classes, ignoreIndex: p.ignoreIndex, smoothing: p.labelSmoothing },
    ctx.grid1d(groups),
  );
  return dx;
}
