// The race the lesson states: plain SGD and Adam on the Rosenbrock valley from the same start, each run by the
// engine's optimizePath with the real optimizers, and the first step at which each comes within 1e-3 of the
// minimum (1, 1). Computed once and shared by every number on the page that needs it.
import { optimizePath, surfaces, type OptimizerSpec } from '../../../../engine/course';

export const RACE_START: [number, number] = [0, 0];
export const RACE_TOL = 1e-3;
/** SGD at 1.5e-3 is near its stability limit, 2/λ_max ≈ 2/1000 where the valley is steepest, near (1, 1). */
export const RACE_SGD: Extract<OptimizerSpec, { name: 'sgd' }> = { name: 'sgd', lr: 1.5e-3 };
export const RACE_ADAM: Extract<OptimizerSpec, { name: 'adam' }> = { name: 'adam', lr: 0.02 };
const MAX_STEPS = { sgd: 12_000, adam: 1_000 };

/** The first index of `points` within `tol` of `target`, or −1 if none is. */
export function stepsToReach(points: ReadonlyArray<readonly [number, number]>, target: readonly [number, number], tol: number): number {
  return points.findIndex(([x, y]) => Math.hypot(x - target[0], y - target[1]) < tol);
}

export interface RaceResult {
  sgd: number;
  adam: number;
}

async function race(): Promise<RaceResult> {
  const steps = async (spec: OptimizerSpec, max: number): Promise<number> => {
    const path = await optimizePath(surfaces.rosenbrock, spec, { start: RACE_START, steps: max, device: 'cpu' });
    const k = stepsToReach(path.points, [1, 1], RACE_TOL);
    if (k < 0) throw new Error(`${JSON.stringify(spec)} did not come within ${RACE_TOL} of (1, 1) in ${max} steps`);
    return k;
  };
  return { adam: await steps(RACE_ADAM, MAX_STEPS.adam), sgd: await steps(RACE_SGD, MAX_STEPS.sgd) };
}

let memo: Promise<RaceResult> | null = null;
/** The race's result (run on the first call). */
export function rosenbrockRace(): Promise<RaceResult> {
  memo ??= race();
  return memo;
}
