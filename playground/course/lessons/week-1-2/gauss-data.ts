// The 2-D data set of the Gaussian naive Bayes widget: three classes of points drawn from axis-aligned normal
// distributions, seeded so that a page shows the same points on every load. DOM-free (the unit test fits it).
import { metrics } from '../../../../engine/course';

export interface Blob {
  name: string;
  mean: [number, number];
  /** Standard deviations along x and y. */
  sd: [number, number];
  count: number;
}

/** Three classes with different spreads, so the boundaries between them curve. The plane is [−4, 4]². */
export const BLOBS: readonly Blob[] = [
  { name: 'A', mean: [-1.6, 1.2], sd: [0.6, 1.1], count: 40 },
  { name: 'B', mean: [1.4, 1.4], sd: [1.0, 0.5], count: 40 },
  { name: 'C', mean: [0.2, -1.8], sd: [1.4, 0.7], count: 40 },
];

export const EXTENT = 4;

export interface Points {
  X: number[][];
  y: number[];
}

/** Standard normal draws by Box–Muller from a seeded uniform stream. */
function normal(r: () => number): number {
  const u = 1 - r(); // in (0, 1], so log(u) is finite
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

/** The points of every blob; `spread` multiplies class A's x deviation (the widget's slider). */
export function samplePoints(seed: number, spread = 1): Points {
  const r = metrics.seededRandom(seed);
  const X: number[][] = [];
  const y: number[] = [];
  BLOBS.forEach((b, c) => {
    const sx = b.sd[0] * (c === 0 ? spread : 1);
    for (let i = 0; i < b.count; i++) {
      const p = [b.mean[0] + sx * normal(r), b.mean[1] + b.sd[1] * normal(r)];
      X.push(p.map((v) => Math.max(-EXTENT, Math.min(EXTENT, v))));
      y.push(c);
    }
  });
  return { X, y };
}
