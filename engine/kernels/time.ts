// timeKernel: times a kernel that passed checkKernel, with the benchmark harness's method (bench/harness.ts
// timeIt: one untimed warm-up call, then the median of `reps` calls), where one call is what our benchmarks time
// for every implementation: a dispatch of the kernel and the readback of out to the host.
import { timeIt, type Timing } from '../../bench/harness';
import { makeCase, validateShape, type KernelShape } from './cases';
import type { KernelReport } from './check';
import { kernelDevice, retireKernelDevice } from './device';
import { KernelTimeoutError, compileKernel, prepareRun } from './run';

export interface TimeOptions {
  shape: KernelShape;
  /** Timed calls after the warm-up (default 5). */
  reps?: number;
  /** Input seed (default 1): callers that compare out with their own reference pass the seed they used. */
  seed?: number;
  /** Per call (default: the check's timeout). */
  timeoutMs?: number;
  /** Inputs to use instead of seeded ones (by binding name: q, k, v or a, b), e.g. a benchmark's own. */
  inputs?: Record<string, Float32Array>;
}

export interface KernelTiming extends Timing {
  adapter: string;
  grid: [number, number, number];
  /** out from the last timed call, (B, H, T, d) or (M, N). */
  out: Float32Array;
}

/** Refuses a kernel whose check did not pass: its times would describe a wrong answer. */
export async function timeKernel(checked: KernelReport, o: TimeOptions): Promise<KernelTiming> {
  if (!checked.ok) throw new Error(`timeKernel: the kernel did not pass its check, so it is not timed (${checked.message})`);
  validateShape(checked.family, o.shape);
  const reps = o.reps ?? 5;
  const timeoutMs = o.timeoutMs ?? checked.timeoutMs;
  const kd = await kernelDevice();
  const compiled = await compileKernel(kd, checked.family, checked.source);
  const kc = makeCase(o.shape, o.seed ?? 1);
  if (o.inputs) {
    for (const [name, data] of Object.entries(o.inputs)) {
      const want = kc.inputs[name];
      if (!want) throw new Error(`timeKernel: no input named '${name}' in the ${checked.family} family (it has ${Object.keys(kc.inputs).join(', ')})`);
      if (data.length !== want.length) throw new Error(`timeKernel: input '${name}' has ${data.length} elements, but ${kc.label} needs ${want.length}`);
      kc.inputs[name] = data;
    }
  }
  const prepared = prepareRun(compiled, kc);
  let bits: Uint32Array = new Uint32Array(0);
  try {
    const t = await timeIt(async () => {
      bits = await prepared.run(timeoutMs);
    }, reps);
    return { ...t, adapter: kd.adapterName, grid: prepared.grid, out: new Float32Array(bits.buffer, 0, prepared.outLength).slice() };
  } catch (e) {
    if (e instanceof KernelTimeoutError) retireKernelDevice(kd, 'a kernel timed out');
    throw e;
  } finally {
    prepared.dispose();
  }
}
