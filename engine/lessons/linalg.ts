// Linear algebra (weeks 5-6): the SVD by one-sided Jacobi, the symmetric eigendecomposition, power iteration,
// projections and norms. Everything runs as engine tensor ops on the input's device (WebGPU kernels on the GPU,
// the plain-loop oracle on the CPU); only convergence checks and the final sort read a few numbers back.
import { Tensor, tensor, randn } from '../tensor';
import { cat } from '../ops/layout';
import { where } from '../ops/elementwise';
import { indexSelect } from '../ops/gather';
import { tidy } from '../memory';
import { noGrad } from '../autograd';
import { fmt, ShapeError } from '../shape';

const EPS32 = 2 ** -23;
/** Columns with ‖g‖² at or below this (A scaled to ‖A‖_F = 1) are exact zeros: never rotated, their u completed. */
const TINY = 1e-24;

export interface SvdResult {
  /** (m, k), orthonormal columns. */
  U: Tensor;
  /** (k), descending, ≥ 0. */
  S: Tensor;
  /** (n, k), orthonormal columns. */
  V: Tensor;
}

export interface SvdOptions {
  /** Keep the k largest singular triplets (default min(m, n)): the best rank-k approximation U·diag(S)·Vᵀ. */
  k?: number;
  /** Jacobi sweeps before giving up on convergence (default 30; 6 to 12 are typical). */
  maxSweeps?: number;
  /** Seed of the random vectors that complete U where A has exactly-zero directions. */
  seed?: number;
}

function requireMatrix(A: Tensor, what: string): void {
  if (A.ndim !== 2) throw new ShapeError(`${what}: needs a matrix (2-D tensor), got shape ${fmt(A.shape)}`);
  if (A.dtype !== 'float32') throw new TypeError(`${what}: needs float32, got ${A.dtype}`);
}

function identity(n: number, device: Tensor['device']): Tensor {
  const data = new Float32Array(n * n);
  for (let i = 0; i < n; i++) data[i * n + i] = 1;
  return tensor(data, [n, n], { device });
}

/** Reads a tensor back and frees it. */
async function readOnce(t: Tensor): Promise<Float32Array> {
  try {
    return (await t.toArray()) as Float32Array;
  } finally {
    t.dispose();
  }
}

const ints = (xs: readonly number[], device: Tensor['device']): Tensor => tensor(Int32Array.from(xs), [xs.length], { device });

/**
 * The singular value decomposition A = U·diag(S)·Vᵀ of an (m, n) matrix, computed on A's device by one-sided
 * (Hestenes) Jacobi. For m ≥ n it rotates pairs of columns of G = A/‖A‖_F, G ← G·J and V ← V·J, with the Jacobi
 * rotation that makes the two columns orthogonal, until every pair is orthogonal to float32 precision; then
 * σ_i = ‖g_i‖, u_i = g_i/σ_i and A·V = U·Σ. Each round rotates N/2 disjoint pairs at once (a round-robin
 * tournament), so a sweep over all pairs is N−1 rounds of batched tensor ops. For m < n it factors Aᵀ and swaps
 * U and V. Singular values descend; U and V have orthonormal columns, with U completed by random orthonormal
 * vectors where A has exactly-zero directions (rank-deficient inputs).
 */
export async function svd(A: Tensor, opts: SvdOptions = {}): Promise<SvdResult> {
  requireMatrix(A, 'svd');
  const [m, n] = A.shape;
  const r = Math.min(m, n);
  const k = opts.k ?? r;
  if (!Number.isInteger(k) || k < 1 || k > r) throw new RangeError(`svd: k must be an integer in [1, min(m, n) = ${r}], got ${k}`);
  if (m < n) {
    // Aᵀ = U'·Σ·V'ᵀ  ⇒  A = V'·Σ·U'ᵀ.
    const At = noGrad(() => A.transpose(0, 1));
    const t = await svdTall(At, k, opts);
    At.dispose();
    return { U: t.V, S: t.S, V: t.U };
  }
  return svdTall(A, k, opts);
}

/** svd for m ≥ n. */
async function svdTall(A: Tensor, k: number, opts: SvdOptions): Promise<SvdResult> {
  const [m, n] = A.shape;
  const device = A.device;
  const normF = Math.sqrt((await readOnce(noGrad(() => tidy(() => A.square().sum()))))[0]);
  if (!Number.isFinite(normF)) throw new RangeError('svd: A has a NaN or infinite entry');
  if (normF === 0) {
    // A = 0: every σ is 0 and any orthonormal U, V will do.
    return noGrad(() => tidy(() => ({
      U: identity(m, device).slice(1, 0, k),
      S: tensor(new Float32Array(k), [k], { device }),
      V: identity(n, device).slice(1, 0, k),
    })));
  }
  // Rows of X are the columns being rotated: row i = [g_i (m) | v_i (n)], with an all-zero row appended when n is
  // odd so the tournament has an even number of players (a zero row is never rotated).
  const N = n + (n % 2);
  const half = N / 2;
  let X = noGrad(() => tidy(() => {
    const rows = cat([A.transpose(0, 1).div(normF), identity(n, device)], 1); // (n, m + n)
    return N > n ? cat([rows, tensor(new Float32Array(m + n), [1, m + n], { device })], 0) : rows; // (N, m + n)
  }));
  // at[p] = the column id stored in row p of X; the tournament list pairs players L[i] and L[N-1-i].
  let at = Array.from({ length: N }, (_, i) => i);
  let L = Array.from({ length: N }, (_, i) => i);
  // Stop when the largest |g_i·g_j| / (‖g_i‖‖g_j‖) of a sweep is at rounding level for dot products of length m.
  const tol = Math.max(1e-6, 4 * Math.sqrt(m) * EPS32);
  const maxSweeps = opts.maxSweeps ?? 30;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = noGrad(() => tensor([0], [], { device }));
    for (let round = 0; round < N - 1; round++) {
      const order = [...L.slice(0, half), ...L.slice(half).reverse()]; // pairs (order[i], order[half + i])
      const pos = new Array<number>(N);
      at.forEach((id, p) => (pos[id] = p));
      const next = noGrad(() => tidy(() => jacobiRound(X, ints(order.map((id) => pos[id]), device), m, half, off)));
      X.dispose();
      off.dispose();
      X = next.X;
      off = next.off;
      at = order;
      L = [L[0], L[N - 1], ...L.slice(1, N - 1)]; // keep player 0, rotate the rest by one
    }
    const worst = await off.item();
    off.dispose();
    if (worst < tol) break;
  }
  // σ_i² = ‖g_i‖², read back to sort descending (the padding row is dropped).
  const sq = await readOnce(noGrad(() => tidy(() => X.slice(1, 0, m).square().sum(1))));
  const rows = at.map((id, p) => ({ id, p, s2: sq[p] })).filter((e) => e.id < n);
  rows.sort((a, b) => b.s2 - a.s2 || a.id - b.id);
  const keep = rows.slice(0, k);
  const good = keep.filter((e) => e.s2 > TINY);
  const sigma = keep.map((e) => Math.sqrt(Math.max(e.s2, 0)));
  const result = noGrad(() => tidy(() => {
    const sel = X.slice(1, 0, m); // (N, m): the rotated columns g
    const V = indexSelect(X.slice(1, m, m + n), ints(keep.map((e) => e.p), device)).transpose(0, 1); // (n, k)
    // U's rows for the nonzero σ: g_i / σ_i.
    let Ur = good.length
      ? indexSelect(sel, ints(good.map((e) => e.p), device)).div(tensor(good.map((e) => Math.sqrt(e.s2)), [good.length, 1], { device }))
      : null; // (r, m)
    // Complete U for exact zeros: a random vector minus its projection on the rows so far (twice, for
    // orthogonality to float32 precision), normalised.
    for (let j = good.length; j < k; j++) {
      let z = randn([1, m], { seed: (opts.seed ?? 0) + 7919 * j, device }); // (1, m)
      for (let pass = 0; pass < 2 && Ur; pass++) z = z.sub(z.matmul(Ur.transpose(0, 1)).matmul(Ur)); // (1, r)·(r, m)
      z = z.div(z.square().sum().sqrt());
      Ur = Ur ? cat([Ur, z], 0) : z;
    }
    return { U: Ur!.transpose(0, 1), S: tensor(sigma, [k], { device }).mul(normF), V };
  }));
  X.dispose();
  return result;
}

/**
 * One round: rotates the row pairs (X[idx[i]], X[idx[half + i]]) for i < half so that their first m entries
 * become orthogonal, and returns the rows in idx order together with the running max of the off-diagonal ratio.
 */
function jacobiRound(X: Tensor, idx: Tensor, m: number, half: number, off: Tensor): { X: Tensor; off: Tensor } {
  const cols = X.shape[1];
  const Y = indexSelect(X, idx).reshape([2, half, cols]); // (2, half, m + n)
  const P = Y.slice(0, 0, 1); // (1, half, m + n)
  const Q = Y.slice(0, 1, 2);
  const Pg = P.slice(2, 0, m); // (1, half, m)
  const Qg = Q.slice(2, 0, m);
  const alpha = Pg.square().sum(2, true); // ‖g_i‖², (1, half, 1)
  const beta = Qg.square().sum(2, true); // ‖g_j‖²
  const gamma = Pg.mul(Qg).sum(2, true); // g_i·g_j
  const live = alpha.gt(TINY).mul(beta.gt(TINY));
  // The cosine of the angle between the two columns: how far this pair is from orthogonal.
  const ratio = where(live, gamma.abs().div(where(live, alpha.sqrt().mul(beta.sqrt()), 1)), 0);
  const rotate = ratio.gt(EPS32);
  // The rotation [c s; −s c] zeroing (c g_i − s g_j)·(s g_i + c g_j) = cs(α − β) + (c² − s²)γ:
  // with t = s/c, t² + 2ζt − 1 = 0 for ζ = (β − α)/(2γ); the smaller root t = sign(ζ)/(|ζ| + √(1 + ζ²)) keeps the
  // rotation under 45° (sign(0) = +1), and c = 1/√(1 + t²), s = c·t. ζ is clamped so that ζ² stays finite.
  const zeta = beta.sub(alpha).div(where(rotate, gamma, 1).mul(2)).minimum(1e18).maximum(-1e18);
  const sgn = zeta.ge(0).mul(2).sub(1);
  const t = sgn.div(zeta.abs().add(zeta.square().add(1).sqrt()));
  const c0 = t.square().add(1).rsqrt();
  const c = where(rotate, c0, 1);
  const s = where(rotate, c0.mul(t), 0);
  const Pn = P.mul(c).sub(Q.mul(s)); // (1, half, m + n): g_i' = c g_i − s g_j, and the same for v_i
  const Qn = P.mul(s).add(Q.mul(c)); // g_j' = s g_i + c g_j
  return { X: cat([Pn, Qn], 0).reshape([2 * half, cols]), off: off.maximum(ratio.max()) };
}

export interface EighResult {
  /** (n), ascending. */
  values: Tensor;
  /** (n, n): column i is the unit eigenvector of values[i]. */
  vectors: Tensor;
}

/**
 * The eigendecomposition A = Q·diag(λ)·Qᵀ of a symmetric (n, n) matrix, eigenvalues ascending. Shifting by the
 * Gershgorin bound c = max_i Σ_j |a_ij| ≥ |λ|max makes B = A + c·I positive semidefinite, whose SVD is its
 * eigendecomposition (B = V·Σ·Vᵀ, σ = λ + c); the eigenvalues are then the Rayleigh quotients v_iᵀ·A·v_i, which
 * are accurate to rounding of A rather than of c.
 */
export async function eigh(A: Tensor, opts: { maxSweeps?: number } = {}): Promise<EighResult> {
  requireMatrix(A, 'eigh');
  const [n, n2] = A.shape;
  if (n !== n2) throw new ShapeError(`eigh: needs a square matrix, got ${fmt(A.shape)}`);
  const a = await A.toArray();
  let c = 0;
  let scale = 0;
  for (let i = 0; i < n; i++) {
    let row = 0;
    for (let j = 0; j < n; j++) {
      row += Math.abs(a[i * n + j]);
      scale = Math.max(scale, Math.abs(a[i * n + j]));
    }
    c = Math.max(c, row);
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      if (Math.abs(a[i * n + j] - a[j * n + i]) > 1e-5 * scale) {
        throw new RangeError(`eigh: A is not symmetric: A[${i}][${j}] = ${a[i * n + j]} but A[${j}][${i}] = ${a[j * n + i]}`);
      }
    }
  }
  const B = noGrad(() => tidy(() => A.add(identity(n, A.device).mul(c))));
  const { U, S, V } = await svd(B, { maxSweeps: opts.maxSweeps });
  B.dispose();
  U.dispose();
  S.dispose();
  // λ_i = v_iᵀ A v_i: column sums of V ⊙ (A V).
  const lam = await readOnce(noGrad(() => tidy(() => V.mul(A.matmul(V)).sum(0)))); // (n)
  const order = Array.from(lam.keys()).sort((i, j) => lam[i] - lam[j] || i - j);
  const out = noGrad(() => tidy(() => {
    const idx = ints(order, A.device);
    return {
      values: tensor(order.map((i) => lam[i]), [n], { device: A.device }),
      vectors: indexSelect(V.transpose(0, 1), idx).transpose(0, 1),
    };
  }));
  V.dispose();
  return out;
}

/**
 * The dominant eigenpair of a square matrix by power iteration: v ← A·v / ‖A·v‖ from a seeded random start, and
 * λ = vᵀ·A·v (the Rayleigh quotient). It converges at the rate |λ2/λ1| per step, to the eigenvalue of largest
 * magnitude.
 */
export async function powerIteration(A: Tensor, opts: { iters?: number; seed?: number } = {}): Promise<{ value: number; vector: Tensor }> {
  requireMatrix(A, 'powerIteration');
  const [n, n2] = A.shape;
  if (n !== n2) throw new ShapeError(`powerIteration: needs a square matrix, got ${fmt(A.shape)}`);
  const iters = opts.iters ?? 100;
  const unit = (x: Tensor) => x.div(x.square().sum().sqrt());
  let v = noGrad(() => tidy(() => unit(randn([n, 1], { seed: opts.seed ?? 0, device: A.device })))); // (n, 1)
  for (let i = 0; i < iters; i++) {
    const next = noGrad(() => tidy(() => unit(A.matmul(v))));
    v.dispose();
    v = next;
  }
  const [value] = await readOnce(noGrad(() => tidy(() => v.transpose(0, 1).matmul(A.matmul(v)))));
  const vector = v.reshape([n]);
  v.dispose();
  return { value, vector };
}

type Vec = readonly number[];

function dot(u: Vec, v: Vec): number {
  if (u.length !== v.length) throw new RangeError(`dot: lengths ${u.length} and ${v.length} differ`);
  let s = 0;
  for (let i = 0; i < u.length; i++) s += u[i] * v[i];
  return s;
}

/** The orthogonal projection of u onto the line through v: (u·v / v·v)·v. */
export function project(u: Vec, v: Vec): number[];
export function project(u: Tensor, v: Tensor): Tensor;
export function project(u: Vec | Tensor, v: Vec | Tensor): number[] | Tensor {
  if (u instanceof Tensor || v instanceof Tensor) {
    if (!(u instanceof Tensor && v instanceof Tensor)) throw new TypeError('project: u and v must both be tensors or both arrays');
    if (u.ndim !== 1 || v.ndim !== 1 || u.shape[0] !== v.shape[0]) {
      throw new ShapeError(`project: needs two vectors of one length, got ${fmt(u.shape)} and ${fmt(v.shape)}`);
    }
    return tidy(() => v.mul(u.mul(v).sum().div(v.square().sum())));
  }
  const vv = dot(v, v);
  if (vv === 0) throw new RangeError('project: cannot project onto the zero vector');
  const f = dot(u, v) / vv;
  return v.map((x) => f * x);
}

export type NormOrd = number | 'fro';

/**
 * The vector p-norm of all entries, (Σ|x_i|^p)^(1/p): ord 2 (default; 'fro' is the same over a matrix's entries),
 * 1, Infinity (max |x_i|), −Infinity (min |x_i|), 0 (the number of nonzeros) or any other p > 0. For a tensor it
 * returns a scalar tensor on the same device.
 */
export function norm(x: Vec, ord?: NormOrd): number;
export function norm(x: Tensor, ord?: NormOrd): Tensor;
export function norm(x: Vec | Tensor, ord: NormOrd = 2): number | Tensor {
  const p = ord === 'fro' ? 2 : ord;
  if (typeof p !== 'number' || Number.isNaN(p) || (p < 0 && p !== -Infinity)) {
    throw new RangeError(`norm: ord must be a number ≥ 0, ±Infinity or 'fro', got ${String(ord)}`);
  }
  if (x instanceof Tensor) {
    return tidy(() => {
      if (p === 2) return x.square().sum().sqrt();
      const a = x.abs();
      if (p === Infinity) return a.max();
      if (p === -Infinity) return a.min();
      if (p === 0) return a.gt(0).sum();
      if (p === 1) return a.sum();
      return a.pow(p).sum().pow(1 / p);
    });
  }
  if (x.length === 0) return 0;
  const a = x.map(Math.abs);
  if (p === Infinity) return Math.max(...a);
  if (p === -Infinity) return Math.min(...a);
  if (p === 0) return a.filter((v) => v > 0).length;
  if (p === 2) {
    // Scaled by the largest entry, so that squares neither overflow nor underflow.
    const big = Math.max(...a);
    if (big === 0) return 0;
    return big * Math.sqrt(a.reduce((s, v) => s + (v / big) ** 2, 0));
  }
  return a.reduce((s, v) => s + v ** p, 0) ** (1 / p);
}
