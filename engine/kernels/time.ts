// Running and timing a kernel that passed checkKernel. kernelRunner() compiles it once and prepares shapes
// (buffers and bind groups) synchronously, the shape of a benchmark's runner; timeKernel() times one shape with
// the benchmarks' and the autotuner's method (engine/timing.ts timeIt, which bench/harness.ts re-exports: one
// untimed warm-up call, then the median of `reps` calls), where one call is what our benchmarks time for every
// implementation: the kernel's dispatch (or `inner` of them) and the readback of out to the host.
import { timeIt, type Timing } from '../timing';
import { makeCase, validateShape, type KernelShape } from './cases';
import type { KernelReport } from './check';
import { kernelDevice, retireKernelDevice } from './device';
import { KernelTimeoutError, compileKernel, prepareRun } from './run';

export interface PrepareOptions {
  shape: KernelShape;
  /** Input seed (default 1). */
  seed?: number;
  /** Inputs to use instead of seeded ones (by binding name: q, k, v or a, b), e.g. a benchmark's own. */
  inputs?: Record<string, Float32Array>;
  /** Dispatches per call before the readback (default 1), so a fast kernel is not hidden by the readback. */
  inner?: number;
}

export interface PreparedKernel {
  /** One call: the dispatch(es) and the readback; rejects on a timeout (the device is then retired). */
  run: () => Promise<void>;
  /** out from the last call, (B, H, T, d) or (M, N). */
  result: () => Float32Array;
  /** Bytes each call reads back: out's alone (the check read its guard too). */
  readbackBytes: number;
  grid: [number, number, number];
  dispose: () => void;
}

export interface KernelRunner {
  adapter: string;
  prepare: (o: PrepareOptions) => PreparedKernel;
}

/** Compiles a kernel that passed its check, for running at other shapes; refuses one that did not. */
export async function kernelRunner(checked: KernelReport, timeoutMs = checked.timeoutMs): Promise<KernelRunner> {
  if (!checked.ok) throw new Error(`the kernel did not pass its check, so it is not timed (${checked.message})`);
  const kd = await kernelDevice();
  const compiled = await compileKernel(kd, checked.family, checked.source);
  return {
    adapter: kd.adapterName,
    prepare(o) {
      validateShape(checked.family, o.shape);
      const kc = makeCase(o.shape, o.seed ?? 1);
      for (const [name, data] of Object.entries(o.inputs ?? {})) {
        const want = kc.inputs[name];
        if (!want) throw new Error(`no input named '${name}' in the ${checked.family} family (it has ${Object.keys(kc.inputs).join(', ')})`);
        if (data.length !== want.length) throw new Error(`input '${name}' has ${data.length} elements, but ${kc.label} needs ${want.length}`);
        kc.inputs[name] = data;
      }
      const prepared = prepareRun(compiled, kc, o.inner ?? 1, 'time'); // out alone is read back, as for ours and the peers
      let last: Float32Array = new Float32Array(0);
      return {
        grid: prepared.grid,
        readbackBytes: prepared.readbackBytes,
        async run() {
          try {
            const bits = await prepared.run(timeoutMs);
            last = new Float32Array(bits.buffer, 0, prepared.outLength);
          } catch (e) {
            if (e instanceof KernelTimeoutError) retireKernelDevice(kd, 'a kernel timed out');
            throw e;
          }
        },
        result: () => last,
        dispose: () => prepared.dispose(),
      };
    },
  };
}

export interface TimeOptions extends PrepareOptions {
  /** Timed calls after the warm-up (default 5). */
  reps?: number;
  /** Per call (default: the check's timeout). */
  timeoutMs?: number;
}

export interface KernelTiming extends Timing {
  adapter: string;
  grid: [number, number, number];
  /** out from the last timed call. */
  out: Float32Array;
}

/** Times a kernel that passed its check at one shape; refuses one that did not (its times would describe a wrong answer). */
export async function timeKernel(checked: KernelReport, o: TimeOptions): Promise<KernelTiming> {
  if (!checked.ok) throw new Error(`timeKernel: the kernel did not pass its check, so it is not timed (${checked.message})`);
  const runner = await kernelRunner(checked, o.timeoutMs);
  const p = runner.prepare(o);
  try {
    const t = await timeIt(p.run, o.reps ?? 5);
    return { ...t, adapter: runner.adapter, grid: p.grid, out: p.result().slice() };
  } finally {
    p.dispose();
  }
}
