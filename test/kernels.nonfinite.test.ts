// NaN and ±Inf through every kernel that can meet one, on the WebGPU device against the CPU oracle (whose edge
// values test/cpu.test.ts checks against PyTorch 1.13), comparing NaN-ness and the sign of infinities exactly.
// WGSL lets an implementation assume no NaN or Inf occurs and SwiftShader does (max drops a NaN, exp(NaN) is +Inf,
// log(0) is −88), so the kernels test by bit pattern (shaders/numerics.wgsl); a kernel that forgot would turn a
// NaN into a plausible number here. Covered: the unary and binary ops (the activation derivatives too), where,
// cast, sum/max/min/argmax/argmin, softmax, logSoftmax, layerNorm, crossEntropy and the fused attention, with a
// NaN in each position of a row, rows of −Inf, Inf − Inf, and mixed rows.
import { beforeAll, describe, expect, test } from 'vitest';
import { init, tensor, functional as F, type Tensor, type DeviceName } from '../engine/index';
import type { BinaryOp } from '../engine/backend/backend';
import { binary } from '../engine/ops/elementwise';
import { expectAllClose } from './helpers';

const NaN_ = Number.NaN;
const INF = Number.POSITIVE_INFINITY;
/** Edge values, plus ordinary ones so that the same rows also check the finite path. */
const EDGE = [NaN_, INF, -INF, 0, -0, 1, -1, 2.5, 100, -100, 1e30, -1e-30];
// Ops with a tolerance wider than exact: transcendental ones, a few ulp on GPUs; sin/cos to WGSL's 2^-11.
const TOL = { atol: 1e-5, rtol: 2e-5 };
const TRIG = { atol: 5e-4, rtol: 0 };

beforeAll(async () => {
  // Fails (never skips) with NoAdapterError, which says how to install an adapter, when there is none.
  await init({ backend: 'webgpu' });
});

/** Runs `build` on both devices from the same host data and compares, NaN against NaN and Inf by sign. */
async function compare(build: (device: DeviceName) => Tensor, what: string, tol = TOL): Promise<void> {
  const want = build('cpu');
  const got = build('webgpu');
  expect(got.shape, what).toEqual(want.shape);
  expectAllClose(await got.toArray(), await want.toArray(), tol, what);
  got.dispose();
  want.dispose();
}

/** (rows, cols) with a NaN in each position of a row in turn, then rows of −Inf, +Inf, Inf and −Inf together, a
 * −Inf among finite values, and a finite row. */
function edgeRows(cols: number): { data: Float32Array; rows: number } {
  const rows: number[][] = [];
  for (let i = 0; i < cols; i++) rows.push(Array.from({ length: cols }, (_, c) => (c === i ? NaN_ : c - 2)));
  rows.push(new Array(cols).fill(-INF));
  rows.push(Array.from({ length: cols }, (_, c) => (c === 1 ? INF : c)));
  rows.push(Array.from({ length: cols }, (_, c) => (c === 0 ? INF : c === cols - 1 ? -INF : 0.5)));
  rows.push(Array.from({ length: cols }, (_, c) => (c === 2 ? -INF : c * 0.5)));
  rows.push(Array.from({ length: cols }, (_, c) => c * 0.25 - 1));
  return { data: Float32Array.from(rows.flat()), rows: rows.length };
}

const t = (data: Float32Array | Int32Array, shape: number[], device: DeviceName) => tensor(data, shape, { device });

describe('elementwise', () => {
  const x = Float32Array.from(EDGE);
  const unaryOps = ['neg', 'abs', 'exp', 'log', 'sqrt', 'rsqrt', 'square', 'reciprocal', 'relu', 'tanh', 'sigmoid', 'sign'] as const;
  for (const op of unaryOps) {
    test(op, async () => {
      await compare((d) => t(x, [x.length], d)[op](), op);
    });
  }
  test('gelu (exact and tanh), sin, cos', async () => {
    await compare((d) => t(x, [x.length], d).gelu(), 'gelu');
    await compare((d) => t(x, [x.length], d).gelu({ approximate: 'tanh' }), 'gelu tanh');
    // sin and cos reduce their argument in float32, which keeps WGSL's accuracy up to |x| of about 1e5 only (1e30
    // has no digits left below 2π): the edge values without the huge ones.
    const angles = x.filter((v) => !(Math.abs(v) > 1e5));
    await compare((d) => t(angles, [angles.length], d).sin(), 'sin', TRIG);
    await compare((d) => t(angles, [angles.length], d).cos(), 'cos', TRIG);
  });

  // Every pair of edge values: a (n, 1) against b (1, n), broadcast to (n, n).
  const ops: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'pow', 'max', 'min', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'];
  for (const op of ops) {
    test(`${op} over every pair of NaN, ±Inf, ±0 and finite values`, async () => {
      await compare((d) => binary(op, t(x, [x.length, 1], d), t(x, [1, x.length], d)), op);
    });
  }
  test('activation derivatives (reluGrad, tanhGrad, sigmoidGrad, geluGrad, geluTanhGrad)', async () => {
    // The gradient takes every edge value; the saved tensor takes the values its op can produce: any input for
    // relu and GELU, an output in [−1, 1] for tanh and [0, 1] for sigmoid (or NaN).
    const outputs = Float32Array.from([NaN_, -1, -0.5, 0, 0.25, 0.5, 1]);
    for (const op of ['reluGrad', 'tanhGrad', 'sigmoidGrad', 'geluGrad', 'geluTanhGrad'] as const) {
      const y = op === 'tanhGrad' || op === 'sigmoidGrad' ? outputs : x;
      await compare((d) => binary(op, t(x, [x.length, 1], d), t(y, [1, y.length], d)), op);
    }
  });
  test('scalar operands, where with NaN conditions, cast of NaN and ±Inf', async () => {
    for (const s of [NaN_, INF, -INF, 0]) {
      for (const op of ['add', 'mul', 'max', 'pow', 'div', 'eq'] as const) {
        await compare((d) => t(x, [x.length], d)[op === 'max' ? 'maximum' : op](s), `${op} ${s}`);
      }
    }
    const cond = Float32Array.from(EDGE);
    await compare((d) => t(cond, [cond.length], d).maskedFill(t(cond, [cond.length], d), 7), 'maskedFill, NaN counts as true');
    await compare((d) => t(x, [x.length], d).int().float(), 'cast: NaN → 0, ±Inf and 1e30 saturate', { atol: 0, rtol: 0 });
  });
});

describe('reductions', () => {
  for (const cols of [7, 300]) {
    test(`sum, mean, max, min, argmax, argmin over rows of ${cols} with NaN, ±Inf and Inf − Inf`, async () => {
      const { data, rows } = edgeRows(cols);
      for (const op of ['sum', 'mean', 'max', 'min', 'argmax', 'argmin'] as const) {
        await compare((d) => t(data, [rows, cols], d)[op](1), `${op}, rows`);
        await compare((d) => t(data, [rows, cols], d).transpose(0, 1)[op](0), `${op}, the transposed view`);
      }
      await compare((d) => t(data, [rows, cols], d).max(), 'max of all');
      await compare((d) => t(data, [rows, cols], d).argmin(), 'argmin of all');
    });
  }
});

describe('row kernels', () => {
  for (const cols of [7, 33, 1500]) {
    test(`softmax, logSoftmax and layerNorm over rows of ${cols}: a NaN in each position, rows of −Inf, +Inf, Inf − Inf`, async () => {
      const { data, rows } = edgeRows(cols);
      await compare((d) => t(data, [rows, cols], d).softmax(-1), 'softmax');
      await compare((d) => t(data, [rows, cols], d).logSoftmax(-1), 'logSoftmax');
      await compare((d) => F.layerNorm(t(data, [rows, cols], d), null, null), 'layerNorm', { atol: 1e-4, rtol: 1e-4 });
    });

    test(`crossEntropy over rows of ${cols}: per-row losses and their mean, targets on and off the bad values`, async () => {
      const { data, rows } = edgeRows(cols);
      // Row i's target is column i mod cols: on the NaN for the first rows, on −Inf for the −Inf rows.
      const targets = Int32Array.from({ length: rows }, (_, i) => i % cols);
      for (const labelSmoothing of [0, 0.1]) {
        await compare((d) => F.crossEntropy(t(data, [rows, cols], d), t(targets, [rows], d), { reduction: 'none', labelSmoothing }), `loss, ε=${labelSmoothing}`);
      }
      await compare((d) => F.crossEntropy(t(data, [rows, cols], d), t(targets, [rows], d)), 'mean loss');
    });
  }
});

describe('fused attention', () => {
  test('a NaN in q, in k at a key that takes part, in v at a masked key (ignored), and an +Inf score', async () => {
    const [B, H, T, d] = [1, 2, 5, 4];
    const n = B * H * T * d;
    const base = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 0.5);
    const cases: Array<[string, (q: Float32Array, k: Float32Array, v: Float32Array) => void]> = [
      ['NaN in q (row 2 of head 0)', (q) => (q[2 * d] = NaN_)],
      ['NaN in k (key 1 of head 1): rows 1.. of head 1 see it', (_q, k) => (k[(T + 1) * d] = NaN_)],
      ['NaN in v at key 4 of head 0: only the last row sees it', (_q, _k, v) => (v[4 * d + 1] = NaN_)],
      ['+Inf in q (row 3 of head 1): Inf − Inf inside the softmax', (q) => (q[(T + 3) * d] = INF)],
      ['−Inf in v at key 0: every row of head 0 sees it', (_q, _k, v) => (v[0] = -INF)],
    ];
    for (const [what, plant] of cases) {
      const [q, k, v] = [base.slice(), base.slice(), base.slice()];
      plant(q, k, v);
      const run = (dev: DeviceName) => F.scaledDotProductAttention(t(q, [B, H, T, d], dev), t(k, [B, H, T, d], dev), t(v, [B, H, T, d], dev), { causal: true });
      await compare(run, what);
    }
    // A float mask of −Inf over a whole row leaves it empty: zeros, not NaN.
    const mask = new Float32Array(T * T).fill(0);
    mask.fill(-INF, 2 * T, 3 * T);
    await compare((dev) => F.scaledDotProductAttention(t(base, [B, H, T, d], dev), t(base, [B, H, T, d], dev), t(base, [B, H, T, d], dev), {
      mask: t(mask, [T, T], dev),
    }), 'a row masked out entirely');
  });
});
