// What the descent widget shows, with no DOM: its setting (surface, start, one learning rate per optimizer, steps),
// sensible defaults per surface, and the three paths from the engine's optimizePath with SGD, momentum and Adam.
import { optimizePath, surfaces, surfaceInfo, type OptimizationPath, type OptimizerSpec, type SurfaceName } from '../../../../engine/course';

export const OPTIMIZERS = ['sgd', 'momentum', 'adam'] as const;
export type OptName = (typeof OPTIMIZERS)[number];
export const OPT_LABEL: Record<OptName, string> = { sgd: 'SGD', momentum: 'Momentum (0.9)', adam: 'Adam' };
export const SURFACE_NAMES = Object.keys(surfaces) as SurfaceName[];
export const SURFACE_LABEL: Record<SurfaceName, string> = {
  bowl: 'Bowl x² + y²',
  rosenbrock: 'Rosenbrock valley',
  saddle: 'Saddle x² − y²',
  himmelblau: 'Himmelblau (four minima)',
  beale: 'Beale',
};
export const STEP_CHOICES = [50, 200, 1000];

export interface DescentSetting {
  surface: SurfaceName;
  start: [number, number];
  lr: Record<OptName, number>;
  steps: number;
}

/** A start and learning rates per surface that show each optimizer's character without diverging. */
export const DEFAULTS: Record<SurfaceName, Omit<DescentSetting, 'surface' | 'steps'>> = {
  bowl: { start: [-1.5, 1.2], lr: { sgd: 0.1, momentum: 0.05, adam: 0.1 } },
  rosenbrock: { start: [-1.2, 1], lr: { sgd: 1e-3, momentum: 1e-3, adam: 0.02 } },
  saddle: { start: [1.5, 0.05], lr: { sgd: 0.05, momentum: 0.02, adam: 0.05 } },
  himmelblau: { start: [0, 0], lr: { sgd: 0.01, momentum: 0.002, adam: 0.1 } },
  beale: { start: [1, 1.5], lr: { sgd: 1e-3, momentum: 2e-4, adam: 0.05 } },
};

export function defaultSetting(surface: SurfaceName = 'rosenbrock'): DescentSetting {
  const d = DEFAULTS[surface];
  return { surface, start: [...d.start], lr: { ...d.lr }, steps: 200 };
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** A setting from outside (a saved or shared state) if it is one, else null. */
export function parseSetting(v: unknown): DescentSetting | null {
  if (typeof v !== 'object' || v === null) return null;
  const s = v as Partial<DescentSetting>;
  if (typeof s.surface !== 'string' || !SURFACE_NAMES.includes(s.surface)) return null;
  if (!Array.isArray(s.start) || s.start.length !== 2 || !s.start.every(finite)) return null;
  if (typeof s.lr !== 'object' || s.lr === null || !OPTIMIZERS.every((o) => finite(s.lr![o]) && s.lr![o] > 0)) return null;
  if (!finite(s.steps) || !STEP_CHOICES.includes(s.steps)) return null;
  return { surface: s.surface, start: [s.start[0], s.start[1]], lr: { ...s.lr }, steps: s.steps };
}

/** The three paths, run one after another on the CPU backend (each step one forward, one backward, one update). */
export async function descentPaths(s: DescentSetting): Promise<Record<OptName, OptimizationPath>> {
  const out = {} as Record<OptName, OptimizationPath>;
  for (const o of OPTIMIZERS) {
    const spec: OptimizerSpec = o === 'momentum' ? { name: 'momentum', lr: s.lr[o], momentum: 0.9 } : o === 'adam' ? { name: 'adam', lr: s.lr[o] } : { name: 'sgd', lr: s.lr[o] };
    out[o] = await optimizePath(surfaces[s.surface], spec, { start: s.start, steps: s.steps, device: 'cpu' });
  }
  return out;
}

/** The distance from a point to the surface's nearest minimum (Infinity for the saddle, which has none). */
export function nearestMinimum(surface: SurfaceName, [x, y]: readonly [number, number]): { at: [number, number] | null; distance: number } {
  let best: { at: [number, number] | null; distance: number } = { at: null, distance: Infinity };
  for (const m of surfaceInfo[surface].minima) {
    const d = Math.hypot(x - m[0], y - m[1]);
    if (d < best.distance) best = { at: m, distance: d };
  }
  return best;
}

/** One line per path for the text alternative: where it ended, its value, and how close to a minimum. */
export function describePath(surface: SurfaceName, o: OptName, lr: number, path: OptimizationPath, steps: number): string {
  const n = path.points.length - 1;
  const [x, y] = path.points[n];
  const f = path.values[n];
  const head = `${OPT_LABEL[o]}, learning rate ${fmtLr(lr)}`;
  if (!Number.isFinite(f)) return `${head}: diverged at step ${n} (the value became ${f}).`;
  const { domain } = surfaceInfo[surface];
  const inside = x >= domain.x[0] && x <= domain.x[1] && y >= domain.y[0] && y <= domain.y[1];
  const near = nearestMinimum(surface, [x, y]);
  const where = `after ${steps} steps at (${x.toPrecision(4)}, ${y.toPrecision(4)}), f = ${f.toPrecision(4)}`;
  const min = near.at ? `, ${near.distance.toPrecision(3)} from the minimum (${near.at.map((v) => Number(v.toFixed(3))).join(', ')})` : '';
  return `${head}: ${where}${min}${inside ? '' : ', outside the plotted window'}.`;
}

export function fmtLr(lr: number): string {
  return lr >= 0.01 ? String(Number(lr.toPrecision(2))) : lr.toExponential(1);
}
