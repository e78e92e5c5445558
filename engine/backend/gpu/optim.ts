// Optimizer updates (shaders/sgd.wgsl, shaders/adam.wgsl): one fused kernel per parameter tensor, one thread per
// element, updating the parameter and its state buffers in place, so a step costs one dispatch per tensor and
// no temporaries.
import sgdWgsl from '../../../shaders/sgd.wgsl?raw';
import adamWgsl from '../../../shaders/adam.wgsl?raw';
import type { AdamParams, SgdParams, Storage } from '../backend';
import type { GpuContext } from './context';
import { allocStorage, gpu, groups } from './storage';

const WG = 64;

function sameNumel(op: string, a: Storage, b: Storage): void {
  // The kernel walks the storages in step, so a shorter one would be read or written out of bounds.
  if (a.numel !== b.numel) throw new Error(`internal: ${op} needs storages of equal size, got ${a.numel} and ${b.numel}`);
}

/** g' = g + wd·p; buf = momentum·buf + (1−dampening)·g' (g' on the first step); d = nesterov ? g' + momentum·buf : buf. */
export function sgdStep(ctx: GpuContext, paramS: Storage, gradS: Storage, bufS: Storage | null, p: SgdParams): void {
  const [param, grad] = [gpu(paramS), gpu(gradS)];
  sameNumel('sgdStep', param, grad);
  const useBuf = p.momentum !== 0;
  if (useBuf && bufS === null) throw new Error('internal: sgdStep with momentum needs a momentum buffer');
  // Without momentum the kernel never reads buf, but the binding must still name a buffer: a 4-byte placeholder
  // (binding param twice would alias two writable bindings).
  const placeholder = useBuf ? null : allocStorage(ctx, 1, 'float32');
  const buf = useBuf ? gpu(bufS!) : placeholder!;
  if (useBuf) sameNumel('sgdStep', param, buf);
  const n = param.numel;
  const k = ctx.kernel('sgdStep', sgdWgsl, { MOMENTUM: useBuf ? 1 : 0, WG });
  ctx.dispatch(
    k,
    { param: param.buffer, grad: grad.buffer, buf: buf.buffer },
    {
      n, lr: p.lr, momentum: p.momentum, dampening: p.dampening, weightDecay: p.weightDecay,
      nesterov: p.nesterov ? 1 : 0, firstStep: p.firstStep ? 1 : 0,
    },
    ctx.grid1d(groups(n, WG)),
  );
  if (placeholder) ctx.pool.release(placeholder.buffer);
}

/** m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; p -= lr·m̂/(√v̂ + eps), with L2 (Adam) or decoupled (AdamW) decay. */
export function adamStep(ctx: GpuContext, paramS: Storage, gradS: Storage, mS: Storage, vS: Storage, p: AdamParams): void {
  const [param, grad, m, v] = [gpu(paramS), gpu(gradS), gpu(mS), gpu(vS)];
  sameNumel('adamStep', param, grad);
  sameNumel('adamStep', param, m);
  sameNumel('adamStep', param, v);
  const n = param.numel;
  const k = ctx.kernel('adamStep', adamWgsl, { DECOUPLED: p.decoupled ? 1 : 0, WG });
  ctx.dispatch(
    k,
    { param: param.buffer, grad: grad.buffer, m: m.buffer, v: v.buffer },
    {
      n, lr: p.lr, beta1: p.beta1, beta2: p.beta2, eps: p.eps, weightDecay: p.weightDecay,
      // Bias corrections in float64 here, rounded once to float32 in the uniform.
      bc1: 1 - Math.pow(p.beta1, p.step),
      bc2: 1 - Math.pow(p.beta2, p.step),
    },
    ctx.grid1d(groups(n, WG)),
  );
}
