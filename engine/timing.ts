// The one timing method of the project: benchmarks (bench/harness.ts re-exports it) and the autotuner
// (engine/backend/gpu/tuning/tune.ts) both time work this way, so a tuned choice and a benchmark row measure alike.

export interface Timing {
  ms: number; // median of the timed reps
  min: number;
  max: number;
  reps: number;
  times: number[];
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Times `run` (which must resolve only once its work has finished on the device): one untimed warm-up (pipeline
 * compilation, first-touch allocation), then `reps` timed calls; reports the median and the spread.
 */
export async function timeIt(run: () => Promise<void>, reps: number): Promise<Timing> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  return { ms: median(times), min: Math.min(...times), max: Math.max(...times), reps, times };
}
