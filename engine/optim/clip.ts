// Gradient clipping by global norm, on the device with no readback: every gradient is scaled by
// min(1, maxNorm / (‖g‖ + 1e-6)), where ‖g‖ is the norm of all gradients concatenated.
import type { Tensor } from '../tensor';
import { keep, tidy } from '../memory';

/** Clips in place (each .grad is replaced by its scaled copy) and returns the total norm before clipping. */
export function clipGradNorm(params: Tensor[], maxNorm: number): Tensor | null {
  if (!(maxNorm > 0)) throw new RangeError(`clipGradNorm: maxNorm must be > 0, got ${maxNorm}`);
  const withGrad = params.filter((p) => p.grad);
  if (!withGrad.length) return null;
  return tidy(() => {
    let sq: Tensor | null = null;
    for (const p of withGrad) {
      const s = p.grad!.square().sum();
      sq = sq ? sq.add(s) : s;
    }
    const norm = sq!.sqrt();
    const scale = norm.add(1e-6).reciprocal().mul(maxNorm).minimum(1);
    for (const p of withGrad) {
      const old = p.grad!;
      p.grad = keep(old.mul(scale));
      old.dispose();
    }
    return norm;
  });
}
