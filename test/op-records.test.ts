// The op records (engine/ops/pointwise.ts, engine/ops/fused.ts): the compiler refuses an incomplete one, and what
// the backends run is what the records say. The @ts-expect-error lines are the type-level tests: `npm test` runs
// tsc before vitest, and tsc fails if any of them stops being an error.
import { describe, expect, test } from 'vitest';
import { BINARY, BINARY_CODES, UNARY, UNARY_CODES, type OpTable, type UnaryDef } from '../engine/ops/pointwise';
import { FUSED, fused, type FusedDef, type FusedOp } from '../engine/ops/fused';
import { CpuBackend } from '../engine/backend/cpu';
import { GPU_KERNELS, type GpuKernelTable } from '../engine/backend/gpu/kernels';
import { tensor } from '../engine/index';

// ---- type level ----

const withoutBackward = { cpu: (x: number) => x, wgsl: 'return v;' };
// @ts-expect-error: a unary record without its backward (write `backward: null` for an op with no gradient)
export const missingBackward: UnaryDef = withoutBackward;

const withoutCpu = { wgsl: 'return v;', backward: null };
// @ts-expect-error: a unary record without its CPU maths
export const missingCpu: UnaryDef = withoutCpu;

const { softmax: _dropped, ...withoutSoftmax } = FUSED;
// @ts-expect-error: the fused table must have a record for every fused op
export const missingRecord: OpTable<FusedOp, FusedDef> = withoutSoftmax;

const { fill: _fill, ...withoutFill } = GPU_KERNELS;
// @ts-expect-error: the WebGPU kernel table must have every kernel of the Backend interface
export const missingKernel: GpuKernelTable = withoutFill;

// @ts-expect-error: and each with the interface's arguments (the context first)
export const wrongArgs: GpuKernelTable = { ...GPU_KERNELS, softmax: (_ctx: unknown, _x: string) => GPU_KERNELS.fill(_ctx as never, 1, 0, 'float32') };

export function fusedWithoutBackward(): void {
  const x = tensor([1], [1], { device: 'cpu' });
  // @ts-expect-error: fused() takes the forward and the backward together
  fused('softmax', [x], () => ({ out: x, saves: [] }));
}

// ---- what runs is what the records say ----

describe('op records', () => {
  // (test/shader.test.ts checks that the kernels' switch has each record's case.)
  test('op codes number each table in order', () => {
    for (const [table, codes] of [[UNARY, UNARY_CODES], [BINARY, BINARY_CODES]] as const) {
      expect(Object.entries(codes)).toEqual(Object.keys(table).map((n, i) => [n, i]));
    }
  });

  test('only the ops meant to have no gradient say so', () => {
    const none = (t: Record<string, { backward: unknown }>) => Object.keys(t).filter((n) => t[n].backward === null);
    expect(none(UNARY)).toEqual(['sign']);
    expect(none(BINARY)).toEqual(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'reluGrad', 'tanhGrad', 'sigmoidGrad', 'geluGrad', 'geluTanhGrad']);
  });

  test("the CPU backend computes each record's cpu maths", async () => {
    const cpu = new CpuBackend();
    const xs = Float32Array.from([-2.5, -1, -0.25, 0, 0.5, 1, 3]);
    const ys = Float32Array.from([0.5, 2, -3, 1.5, -0.5, 4, 0.25]);
    const view = { shape: [xs.length], strides: [1], offset: 0 };
    for (const [name, def] of Object.entries(UNARY)) {
      const got = await cpu.read(cpu.unary(name as keyof typeof UNARY, cpu.upload(xs), view));
      expect(Array.from(got), name).toEqual(Array.from(xs, (x) => Math.fround(def.cpu(x))));
    }
    const layout = { outShape: [xs.length], strides: [[1], [1]] };
    for (const [name, def] of Object.entries(BINARY)) {
      const got = await cpu.read(cpu.binary(name as keyof typeof BINARY, cpu.upload(xs), cpu.upload(ys), layout));
      expect(Array.from(got), name).toEqual(Array.from(xs, (x, i) => Math.fround(def.cpu(x, ys[i]))));
    }
  });

  test('every fused record names kernels the backends have', () => {
    const cpu = new CpuBackend();
    for (const [name, def] of Object.entries(FUSED)) {
      expect(typeof cpu[def.forward], `${name}: forward ${def.forward}`).toBe('function');
      if (def.backward !== 'composed') expect(typeof cpu[def.backward], `${name}: backward ${def.backward}`).toBe('function');
      expect(def.saves.length, name).toBeGreaterThan(0);
    }
  });
});
