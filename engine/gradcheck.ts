// gradcheck: compares the analytic gradients of fn (autograd, on the inputs' own device, float32) with central
// finite differences computed in float64 on the CPU backend, PyTorch's torch.autograd.gradcheck in spirit.
// A non-scalar output is reduced to L = Σ out ⊙ r with a fixed random r, so every output element counts.
// fn is run on both devices, so it must build everything from its arguments: pass constants such as masks and
// class targets as int32 inputs (they are not differentiated) rather than capturing tensors of one device.
import { Tensor, randn, tensor } from './tensor';
import { noGrad } from './autograd';
import { tidy, dispose } from './memory';
import { CpuBackend, CpuStorage } from './backend/cpu';
import { withCpuBackend } from './device';
import { mulberry32 } from './random';

export interface GradcheckOptions {
  /** Finite-difference step, in float64. */
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Entries checked per input; larger inputs are sampled (seeded). */
  maxSamples?: number;
  seed?: number;
  /** Throw on failure (default) or just report. */
  raise?: boolean;
}

export interface GradcheckFailure {
  input: number;
  index: number;
  analytic: number;
  numeric: number;
}

export interface GradcheckResult {
  ok: boolean;
  checked: number;
  maxAbsErr: number;
  failures: GradcheckFailure[];
}

const cpu64 = new CpuBackend({ float64: true });

/** Indices to check: all of them, or a seeded sample of maxSamples distinct ones. */
function sample(n: number, max: number, seed: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const r = mulberry32(seed);
  const picked = new Set<number>();
  while (picked.size < max) picked.add(Math.floor(r() * n));
  return [...picked].sort((a, b) => a - b);
}

function float64Data(t: Tensor): Float64Array {
  const s = t.storage;
  if (!(s instanceof CpuStorage) || !(s.data instanceof Float64Array)) throw new Error('internal: expected a float64 CPU storage');
  return s.data;
}

export async function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: Tensor[],
  opts: GradcheckOptions = {},
): Promise<GradcheckResult> {
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-4;
  const rtol = opts.rtol ?? 1e-3;
  const seed = opts.seed ?? 1234;
  const host = await Promise.all(inputs.map((t) => t.toArray()));
  const differentiable = inputs.map((t) => t.dtype === 'float32');

  // Analytic gradients on the inputs' device.
  const leaves = inputs.map((t, i) => tensor(host[i], t.shape, { device: t.device, requiresGrad: differentiable[i] }));
  const out = fn(...leaves);
  const r = randn(out.shape, { seed, device: out.device });
  const loss = tidy(() => out.mul(r).sum());
  loss.backward();
  const analytic = await Promise.all(leaves.map((l) => (l.grad ? l.grad.toArray() : Promise.resolve(null))));
  dispose([leaves.map((l) => l.grad), leaves, out, r, loss]);

  // Central differences in float64 on the CPU.
  const failures: GradcheckFailure[] = [];
  let maxAbsErr = 0;
  let checked = 0;
  withCpuBackend(cpu64, () => {
    const xs = inputs.map((t, i) => tensor(host[i], t.shape, { device: 'cpu' }));
    const r64 = randn(out.shape, { seed, device: 'cpu' });
    const lossAt = (): number =>
      noGrad(() =>
        tidy(() => {
          const l = fn(...xs).mul(r64).sum();
          return float64Data(l)[0];
        }),
      );
    xs.forEach((x, i) => {
      if (!differentiable[i]) return;
      const data = float64Data(x);
      for (const j of sample(x.numel, opts.maxSamples ?? 48, seed + i)) {
        const orig = data[j];
        data[j] = orig + eps;
        const up = lossAt();
        data[j] = orig - eps;
        const down = lossAt();
        data[j] = orig;
        const numeric = (up - down) / (2 * eps);
        const a = analytic[i] ? analytic[i]![j] : 0;
        const err = Math.abs(a - numeric);
        maxAbsErr = Math.max(maxAbsErr, err);
        checked++;
        if (!(err <= atol + rtol * Math.abs(numeric))) failures.push({ input: i, index: j, analytic: a, numeric });
      }
    });
    dispose([xs, r64]);
  });

  const result = { ok: failures.length === 0, checked, maxAbsErr, failures };
  if (!result.ok && opts.raise !== false) {
    const f = failures[0];
    throw new Error(
      `gradcheck failed on ${failures.length} of ${checked} entries; first: input ${f.input}[${f.index}] ` +
        `analytic ${f.analytic} vs numeric ${f.numeric} (atol ${atol}, rtol ${rtol})`,
    );
  }
  return result;
}
