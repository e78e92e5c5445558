// The two-dimensional toy problems: XOR's four corners and two interleaved spirals (TensorFlow Playground's
// hardest set). Points are generated on the fly from the caller's random source, so every batch is fresh.
import type { DataSource, HostBatch } from '../node-type';

/** XOR: the four corners of the unit square, labelled by whether exactly one coordinate is 1. */
/** How many points an exported project ships for a generated 2-D problem (the playground draws fresh ones). */
const SHIPPED_XOR = 256;
const SHIPPED_SPIRALS = 2048;

export function xorSource(noise: number): DataSource {
  const draw = (size: number, rand: () => number): HostBatch => {
    const x = new Float32Array(size * 2);
    const y = new Int32Array(size);
    // Cycle through the corners in order, so a batch of 4 is exactly the classic truth table.
    for (let i = 0; i < size; i++) {
      const a = (i >> 1) & 1;
      const b = i & 1;
      x[2 * i] = a + noise * (2 * rand() - 1);
      x[2 * i + 1] = b + noise * (2 * rand() - 1);
      y[i] = a ^ b;
    }
    return { x: { data: x, shape: [size, 2] }, label: { data: y, shape: [size] } };
  };
  return {
    load: async () => {},
    batch: draw,
    trainingSet: (rand) => ({ kind: 'examples', examples: draw(SHIPPED_XOR, rand), generated: true }),
    heldOut() {
      return {
        x: { data: new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]), shape: [4, 2] },
        label: { data: new Int32Array([0, 1, 1, 0]), shape: [4] },
      };
    },
  };
}

/** Two spirals: class c at angle θ = turns·2π·r + c·π, radius r ∈ [0, 1], plus Gaussian-ish noise. */
export function spiralsSource(turns: number, noise: number): DataSource {
  const draw = (size: number, rand: () => number): HostBatch => {
    const x = new Float32Array(size * 2);
    const y = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      const c = i & 1;
      const r = 0.05 + 0.95 * rand();
      const theta = turns * 2 * Math.PI * r + c * Math.PI;
      // The sum of two uniforms is a cheap bell-shaped noise.
      x[2 * i] = r * Math.cos(theta) + noise * (rand() + rand() - 1);
      x[2 * i + 1] = r * Math.sin(theta) + noise * (rand() + rand() - 1);
      y[i] = c;
    }
    return { x: { data: x, shape: [size, 2] }, label: { data: y, shape: [size] } };
  };
  return {
    load: async () => {},
    batch: draw,
    trainingSet: (rand) => ({ kind: 'examples', examples: draw(SHIPPED_SPIRALS, rand), generated: true }),
    heldOut(max) {
      // A fixed seed, so the held-out points are the same for every evaluation.
      let s = 12345;
      const rand = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
      return draw(Math.min(max, 400), rand);
    },
  };
}
