// Calculus and optimisation (week 7): classic test surfaces as differentiable functions of a (2) tensor, and
// optimizePath, which runs a real engine optimizer on one and records the path it takes.
import { Tensor, tensor } from '../tensor';
import { cat } from '../ops/layout';
import { tidy } from '../memory';
import { noGrad } from '../autograd';
import { SGD } from '../optim/sgd';
import { Adam } from '../optim/adam';
import type { Optimizer } from '../optim/optimizer';
import type { DeviceName } from '../backend/backend';
import { fmt, ShapeError } from '../shape';

/** A scalar function f(p) of a point p = (x, y), a (2) tensor, built from differentiable ops. */
export type Surface = (p: Tensor) => Tensor;

function xy(p: Tensor, what: string): [Tensor, Tensor] {
  if (p.ndim !== 1 || p.shape[0] !== 2) throw new ShapeError(`surfaces.${what}: needs a (2) tensor, got ${fmt(p.shape)}`);
  return [p.slice(0, 0, 1), p.slice(0, 1, 2)]; // (1), (1)
}

/** The five surfaces; each returns a scalar (shape []) tensor. */
export const surfaces = {
  /** x² + y²: a convex bowl, minimum 0 at (0, 0). */
  bowl(p: Tensor): Tensor {
    const [x, y] = xy(p, 'bowl');
    return x.square().add(y.square()).sum();
  },
  /** (1 − x)² + 100·(y − x²)²: a curved narrow valley, minimum 0 at (1, 1). */
  rosenbrock(p: Tensor): Tensor {
    const [x, y] = xy(p, 'rosenbrock');
    return x.neg().add(1).square().add(y.sub(x.square()).square().mul(100)).sum();
  },
  /** x² − y²: a saddle point at (0, 0), unbounded below along y. */
  saddle(p: Tensor): Tensor {
    const [x, y] = xy(p, 'saddle');
    return x.square().sub(y.square()).sum();
  },
  /** (x² + y − 11)² + (x + y² − 7)²: four minima of value 0, one at (3, 2). */
  himmelblau(p: Tensor): Tensor {
    const [x, y] = xy(p, 'himmelblau');
    return x.square().add(y).sub(11).square().add(x.add(y.square()).sub(7).square()).sum();
  },
  /** (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²: minimum 0 at (3, 0.5). */
  beale(p: Tensor): Tensor {
    const [x, y] = xy(p, 'beale');
    const term = (c: number, yk: Tensor) => x.mul(yk).sub(x).add(c).square();
    return term(1.5, y).add(term(2.25, y.square())).add(term(2.625, y.pow(3))).sum();
  },
} satisfies Record<string, Surface>;

export type SurfaceName = keyof typeof surfaces;

/** Where each surface's minima are and a window that shows them, for plots. */
export const surfaceInfo: Record<SurfaceName, { minima: Array<[number, number]>; domain: { x: [number, number]; y: [number, number] } }> = {
  bowl: { minima: [[0, 0]], domain: { x: [-2, 2], y: [-2, 2] } },
  rosenbrock: { minima: [[1, 1]], domain: { x: [-2, 2], y: [-1, 3] } },
  saddle: { minima: [], domain: { x: [-2, 2], y: [-2, 2] } },
  himmelblau: { minima: [[3, 2], [-2.805118, 3.131312], [-3.77931, -3.283186], [3.584428, -1.848126]], domain: { x: [-5, 5], y: [-5, 5] } },
  beale: { minima: [[3, 0.5]], domain: { x: [-4.5, 4.5], y: [-4.5, 4.5] } },
};

/** An optimizer by name ('momentum' is SGD with momentum, default 0.9), or a factory over the parameters. */
export type OptimizerSpec =
  | { name: 'sgd'; lr: number }
  | { name: 'momentum'; lr: number; momentum?: number; nesterov?: boolean }
  | { name: 'adam'; lr: number; betas?: [number, number]; eps?: number }
  | ((params: Tensor[]) => Optimizer);

export interface PathOptions {
  start: [number, number];
  steps: number;
  /** The device of the point and the optimizer state (default: the default device). */
  device?: DeviceName;
}

export interface OptimizationPath {
  /** steps + 1 points: the start, then the point after each step (fewer if a value became non-finite). */
  points: Array<[number, number]>;
  /** f at each point. */
  values: number[];
}

function makeOptimizer(spec: OptimizerSpec, params: Tensor[]): Optimizer {
  if (typeof spec === 'function') return spec(params);
  switch (spec.name) {
    case 'sgd':
      return new SGD(params, { lr: spec.lr });
    case 'momentum':
      return new SGD(params, { lr: spec.lr, momentum: spec.momentum ?? 0.9, nesterov: spec.nesterov });
    case 'adam':
      return new Adam(params, { lr: spec.lr, betas: spec.betas, eps: spec.eps });
  }
}

/**
 * Minimises `surface` from `start` with a real optimizer: each step computes f(p), backpropagates with autograd
 * into p.grad and calls optimizer.step(). Returns every point visited and its value; it stops early if f becomes
 * NaN or infinite (a diverging run, or the saddle's fall to −∞).
 */
export async function optimizePath(surface: Surface, optimizer: OptimizerSpec, opts: PathOptions): Promise<OptimizationPath> {
  const { start, steps } = opts;
  if (start.length !== 2) throw new RangeError(`optimizePath: start must be [x, y], got ${start.length} numbers`);
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`optimizePath: steps must be an integer ≥ 0, got ${steps}`);
  const p = tensor(start, [2], { device: opts.device, requiresGrad: true });
  const opt = makeOptimizer(optimizer, [p]);
  const points: Array<[number, number]> = [];
  const values: number[] = [];
  try {
    for (let step = 0; step <= steps; step++) {
      const last = step === steps;
      // Snapshot (x, y, f) before the in-place update, then step; one readback per step.
      const snap = tidy(() => {
        const f = surface(p);
        const s = noGrad(() => cat([p.detach(), f.detach().reshape([1])])); // (3), a copy
        if (!last) {
          opt.zeroGrad();
          f.backward();
          opt.step();
        }
        return s;
      });
      const [x, y, v] = await snap.toArray();
      snap.dispose();
      points.push([x, y]);
      values.push(v);
      if (!Number.isFinite(v)) break;
    }
  } finally {
    opt.zeroGrad();
    opt.dispose();
    p.dispose();
  }
  return { points, values };
}
