// Weeks 5-6 lessons: the SVD (one-sided Jacobi on the GPU), eigh, power iteration, projections and norms. Checked
// against an independent float64 reference (two-sided Jacobi on AᵀA, written here), against the CPU backend, and
// against properties: orthonormal U and V, reconstruction, descending σ, and Eckart–Young for truncations.
import { beforeAll, describe, expect, test } from 'vitest';
import { init, tensor, randn, svd, eigh, powerIteration, project, norm, type Tensor, type DeviceName } from '../engine/index';
import { expectAllClose, randArray } from './helpers';

beforeAll(async () => {
  // Fails (never skips) with NoAdapterError when there is no WebGPU adapter.
  await init({ backend: 'webgpu' });
});

/** Eigenvalues of a symmetric matrix (row-major, float64) by cyclic two-sided Jacobi, ascending. */
function symmetricEigenvalues(S: number[], n: number): number[] {
  const a = [...S];
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) { // A ← A·J
          const akp = a[k * n + p], akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) { // A ← Jᵀ·A
          const apk = a[p * n + k], aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Array.from({ length: n }, (_, i) => a[i * n + i]).sort((x, y) => x - y);
}

/** Singular values of an (m, n) float64 matrix, descending: √eig(AᵀA) or √eig(AAᵀ), whichever is smaller. */
function referenceSingularValues(A: ArrayLike<number>, m: number, n: number): number[] {
  const r = Math.min(m, n);
  const G = new Array<number>(r * r).fill(0);
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < r; j++) {
      let s = 0;
      if (n <= m) for (let k = 0; k < m; k++) s += A[k * n + i] * A[k * n + j];
      else for (let k = 0; k < n; k++) s += A[i * n + k] * A[j * n + k];
      G[i * r + j] = s;
    }
  }
  return symmetricEigenvalues(G, r).reverse().map((v) => Math.sqrt(Math.max(v, 0)));
}

async function arr(t: Tensor): Promise<number[]> {
  return Array.from(await t.toArray());
}

/** max |XᵀX − I| for the columns of X. */
async function orthonormalError(X: Tensor): Promise<number> {
  const k = X.shape[1];
  const g = await arr(X.transpose(0, 1).matmul(X));
  let worst = 0;
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) worst = Math.max(worst, Math.abs(g[i * k + j] - (i === j ? 1 : 0)));
  return worst;
}

/** ‖A − U·diag(S)·Vᵀ‖_F. */
async function reconstructionError(A: Tensor, U: Tensor, S: Tensor, V: Tensor): Promise<number> {
  return A.sub(U.mul(S).matmul(V.transpose(0, 1))).square().sum().sqrt().item();
}

/** Host data for the test matrices: random, low-rank products, and exact zeros. */
function matrix(kind: 'random' | 'lowrank' | 'zerocol' | 'zero', m: number, n: number, seed: number, rank = 1): Float32Array {
  if (kind === 'zero') return new Float32Array(m * n);
  if (kind === 'random') return randArray(m * n, seed);
  if (kind === 'zerocol') {
    const a = randArray(m * n, seed);
    for (let i = 0; i < m; i++) a[i * n + 1] = 0; // column 1 and, when m > 2, row 2 are zero
    if (m > 2) for (let j = 0; j < n; j++) a[2 * n + j] = 0;
    return a;
  }
  const B = randArray(m * rank, seed);
  const C = randArray(rank * n, seed + 1);
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let k = 0; k < rank; k++) out[i * n + j] += B[i * rank + k] * C[k * n + j];
  return out;
}

const CASES: Array<{ name: string; m: number; n: number; kind: 'random' | 'lowrank' | 'zerocol' | 'zero'; rank?: number }> = [
  { name: 'square 6×6', m: 6, n: 6, kind: 'random' },
  { name: 'tall 13×7', m: 13, n: 7, kind: 'random' },
  { name: 'wide 5×11', m: 5, n: 11, kind: 'random' },
  { name: 'rank-3 10×10', m: 10, n: 10, kind: 'lowrank', rank: 3 },
  { name: 'rank-2 wide 4×9', m: 4, n: 9, kind: 'lowrank', rank: 2 },
  { name: 'rank-1 tall 8×3', m: 8, n: 3, kind: 'lowrank', rank: 1 },
  { name: 'zero row and column 7×5', m: 7, n: 5, kind: 'zerocol' },
  { name: 'all zeros 3×4', m: 3, n: 4, kind: 'zero' },
  { name: '1×1', m: 1, n: 1, kind: 'random' },
  { name: 'column 6×1', m: 6, n: 1, kind: 'random' },
  { name: 'row 1×6', m: 1, n: 6, kind: 'random' },
];

describe('svd on the GPU', () => {
  for (const c of CASES) {
    test(`${c.name}: σ match float64, descending; U, V orthonormal; A = U·diag(S)·Vᵀ; GPU matches CPU`, async () => {
      const data = matrix(c.kind, c.m, c.n, 3 + c.m * 31 + c.n, c.rank);
      const r = Math.min(c.m, c.n);
      const want = referenceSingularValues(data, c.m, c.n);
      const results: Record<DeviceName, number[]> = { webgpu: [], cpu: [] };
      for (const device of ['webgpu', 'cpu'] as DeviceName[]) {
        const A = tensor(data, [c.m, c.n], { device });
        const { U, S, V } = await svd(A);
        expect(U.shape).toEqual([c.m, r]);
        expect(S.shape).toEqual([r]);
        expect(V.shape).toEqual([c.n, r]);
        const s = await arr(S);
        const scale = Math.max(1, want[0]);
        expectAllClose(s, want, { atol: 2e-5 * scale, rtol: 1e-5 }, `${device} σ`);
        for (let i = 1; i < r; i++) expect(s[i]).toBeLessThanOrEqual(s[i - 1]);
        expect(s.every((v) => v >= 0)).toBe(true);
        expect(await orthonormalError(U), `${device} UᵀU`).toBeLessThan(1e-5);
        expect(await orthonormalError(V), `${device} VᵀV`).toBeLessThan(1e-5);
        expect(await reconstructionError(A, U, S, V), `${device} reconstruction`).toBeLessThan(1e-5 * scale * Math.sqrt(c.m * c.n));
        results[device] = s;
      }
      expectAllClose(results.webgpu, results.cpu, { atol: 1e-5, rtol: 1e-5 }, 'GPU vs CPU σ');
    }, 60_000);
  }

  test('U and V agree with the CPU backend up to the sign of each pair', async () => {
    const data = matrix('random', 9, 6, 77);
    const [g, c] = [await svd(tensor(data, [9, 6], { device: 'webgpu' })), await svd(tensor(data, [9, 6], { device: 'cpu' }))];
    const [gu, cu, gv, cv] = await Promise.all([arr(g.U), arr(c.U), arr(g.V), arr(c.V)]);
    for (let j = 0; j < 6; j++) {
      const sign = Math.sign(gv[j] * cv[j] + gv[6 + j] * cv[6 + j] + gv[12 + j] * cv[12 + j]) || 1;
      for (let i = 0; i < 9; i++) expect(Math.abs(gu[i * 6 + j] - sign * cu[i * 6 + j])).toBeLessThan(1e-4);
      for (let i = 0; i < 6; i++) expect(Math.abs(gv[i * 6 + j] - sign * cv[i * 6 + j])).toBeLessThan(1e-4);
    }
  }, 60_000);

  test('rank-k truncations: the error falls as k grows and equals √(Σ_{i>k} σ_i²) (Eckart–Young)', async () => {
    const A = randn([9, 6], { seed: 9, device: 'webgpu' });
    const full = await arr((await svd(A)).S);
    let prev = Infinity;
    for (let k = 1; k <= 6; k++) {
      const { U, S, V } = await svd(A, { k });
      expect(S.shape).toEqual([k]);
      expectAllClose(await arr(S), full.slice(0, k), { atol: 1e-5, rtol: 1e-5 }, `top ${k}`);
      const err = await reconstructionError(A, U, S, V);
      const tail = Math.sqrt(full.slice(k).reduce((s, v) => s + v * v, 0));
      expect(Math.abs(err - tail)).toBeLessThan(1e-4);
      expect(err).toBeLessThan(prev);
      prev = err;
    }
    expect(prev).toBeLessThan(1e-4);
    await expect(svd(A, { k: 7 })).rejects.toThrow(/k must/);
  }, 60_000);
});

describe('eigh and power iteration', () => {
  test('eigh: ascending eigenvalues matching float64, orthonormal vectors with A·Q = Q·Λ (indefinite and singular)', async () => {
    for (const [n, seed, singular] of [[7, 1, false], [5, 2, true]] as const) {
      const B = matrix('random', n, n, seed);
      const S = new Array<number>(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) S[i * n + j] = B[i * n + j] + B[j * n + i];
      if (singular) { // make row/column 0 the sum of rows/columns 1 and 2: rank n − 1
        for (let j = 0; j < n; j++) S[j] = S[n + j] + S[2 * n + j];
        for (let i = 0; i < n; i++) S[i * n] = S[i * n + 1] + S[i * n + 2];
      }
      const want = symmetricEigenvalues(S, n);
      const A = tensor(S, [n, n], { device: 'webgpu' });
      const { values, vectors } = await eigh(A);
      const lam = await arr(values);
      expectAllClose(lam, want, { atol: 2e-5, rtol: 1e-5 }, 'eigenvalues');
      for (let i = 1; i < n; i++) expect(lam[i]).toBeGreaterThanOrEqual(lam[i - 1]);
      expect(await orthonormalError(vectors)).toBeLessThan(1e-5);
      const residual = await A.matmul(vectors).sub(vectors.mul(values)).abs().max().item();
      expect(residual).toBeLessThan(5e-5);
    }
    await expect(eigh(tensor([1, 2, 3, 4], [2, 2]))).rejects.toThrow(/not symmetric/);
  }, 60_000);

  test('power iteration finds the dominant eigenpair', async () => {
    const S = [4, 1, 0, 1, 3, 1, 0, 1, 2]; // symmetric positive definite
    const want = symmetricEigenvalues(S, 3);
    const A = tensor(S, [3, 3], { device: 'webgpu' });
    const { value, vector } = await powerIteration(A, { iters: 200, seed: 1 });
    expect(Math.abs(value - want[2])).toBeLessThan(1e-4);
    const v = await arr(vector);
    const Av = await arr(A.matmul(vector.reshape([3, 1])));
    for (let i = 0; i < 3; i++) expect(Math.abs(Av[i] - value * v[i])).toBeLessThan(1e-4);
    expect(Math.abs(Math.hypot(...v) - 1)).toBeLessThan(1e-5);
  }, 60_000);
});

describe('projections and norms', () => {
  test('project(u, v) is (u·v / v·v)·v, and u minus it is orthogonal to v', async () => {
    expect(project([3, 4], [1, 0])).toEqual([3, 0]);
    expect(project([1, 1], [2, 2])).toEqual([1, 1]);
    const u = Array.from(randArray(5, 1));
    const v = Array.from(randArray(5, 2));
    const p = project(u, v);
    expect(Math.abs(u.reduce((s, x, i) => s + (x - p[i]) * v[i], 0))).toBeLessThan(1e-12);
    const pt = await arr(project(tensor(u, [5], { device: 'webgpu' }), tensor(v, [5], { device: 'webgpu' })));
    expectAllClose(pt, p, { atol: 1e-6, rtol: 1e-5 }, 'tensor project');
    expect(() => project([1, 2], [0, 0])).toThrow(/zero vector/);
  });

  test('norm: 1, 2, ∞, −∞, 0, p and fro, on arrays and tensors', async () => {
    const x = [3, -4, 0, 1];
    expect(norm(x, 1)).toBe(8);
    expect(norm(x)).toBeCloseTo(Math.sqrt(26), 12);
    expect(norm(x, Infinity)).toBe(4);
    expect(norm(x, -Infinity)).toBe(0);
    expect(norm(x, 0)).toBe(3);
    expect(norm(x, 3)).toBeCloseTo((27 + 64 + 1) ** (1 / 3), 12);
    expect(norm([1e200, 1e200])).toBeCloseTo(Math.SQRT2 * 1e200, -190); // no overflow
    const t = tensor([3, -4, 0, 1, 2, 2], [2, 3], { device: 'webgpu' });
    const flat = [3, -4, 0, 1, 2, 2];
    for (const ord of [1, 2, 3, Infinity, -Infinity, 0, 'fro'] as const) {
      expect(Math.abs((await norm(t, ord).item()) - norm(flat, ord)), String(ord)).toBeLessThan(1e-5);
    }
    expect(() => norm(x, -1)).toThrow(/ord/);
  });
});
