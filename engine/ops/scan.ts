// The linear recurrence of state-space models (S4D, Mamba's selective scan), the primitive they are built on:
//
//   h_t = a_t ⊙ h_{t−1} + x_t      a, x, h (B, T, D), along dim 1, from h_{−1} = 0
//
// a may vary with t and d (input-dependent, as Mamba's is). The CPU backend walks it step by step; the WebGPU
// backend runs a parallel scan over the pairs (a_t, x_t) (engine/backend/gpu/scan.ts), O(T) work and O(log T)
// depth, because steps h ↦ a·h + x compose associatively.
// Backward, beside it: δ_t = ∂L/∂h_t = g_t + a_{t+1} ⊙ δ_{t+1} is the same recurrence run backwards, and
// dx_t = δ_t, da_t = δ_t ⊙ h_{t−1}; one kernel gives both from the saved a and h.
import { Tensor } from '../tensor';
import { fmt, sameShape, ShapeError } from '../shape';
import { sameDevice } from './elementwise';
import { contiguousData } from './layout';
import { fused } from './fused';

const OP = 'scan';

/**
 * h_t = a_t ⊙ h_{t−1} + x_t along dim 1 of float32 (B, T, D) tensors a and x of the same shape, with h_{−1} = 0
 * (so h_0 = x_0); returns h (B, T, D). Differentiable in a and x. Views (transposes, slices) are accepted.
 */
export function scan(a: Tensor, x: Tensor): Tensor {
  for (const [name, t] of [['a', a], ['x', x]] as const) {
    if (t.dtype !== 'float32') throw new TypeError(`${OP}: ${name} must be float32, got ${t.dtype} ${fmt(t.shape)}; convert with .float()`);
    if (t.ndim !== 3) throw new ShapeError(`${OP}: ${name} must be (B, T, D), got ${fmt(t.shape)} (rank ${t.ndim})`);
  }
  if (!sameShape(a.shape, x.shape)) {
    throw new ShapeError(`${OP}: a and x must have the same (B, T, D) shape, got a ${fmt(a.shape)} and x ${fmt(x.shape)}`);
  }
  sameDevice(OP, a, x);
  const [B, T, D] = a.shape;
  return fused(OP, [a, x], () => {
    // The kernels read contiguous storages from element 0; views are copied first.
    const [ac, xc] = [contiguousData(a), contiguousData(x)];
    const h = Tensor.fromStorage(a.backend.scan(ac.storage, xc.storage, B, T, D), [B, T, D], a.device); // (B, T, D)
    return { out: h, saves: [ac, h], temps: [ac !== a ? ac : null, xc !== x ? xc : null] };
  }, (g, [sa, sh]) => {
    const gc = contiguousData(g);
    const r = g.backend.scanBackward(sa!.storage, sh!.storage, gc.storage, B, T, D);
    if (gc !== g) gc.dispose();
    return [Tensor.fromStorage(r.da, [B, T, D], g.device), Tensor.fromStorage(r.dx, [B, T, D], g.device)];
  });
}
