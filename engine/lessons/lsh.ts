// Reformer's angular locality-sensitive hashing (Kitaev et al. 2020), as a demo of why bucketing queries and keys
// finds most of attention's large dot products without computing all T² of them.
//
//   h(x) = argmax([x R ; −x R])        x (d), R (d, b/2) with N(0, 1) entries  →  a bucket in 0 … b − 1
//
// R's columns are b/2 random directions; x lands in the bucket of the direction (or its negative) it is closest
// to in angle. Scaling x by c > 0 scales x R by c and so keeps the bucket; vectors at a small angle usually share
// it, and vectors far apart rarely do. One hash can split a close pair across a boundary, so Reformer hashes
// several times with independent R and lets a query attend to every key it shares a bucket with in any round:
// the chance of missing the nearest key falls with each extra hash.
//
// Plain typed arrays, not engine tensors: nothing here needs a gradient, the sizes are a lesson's (hundreds of
// vectors), and the answers are synchronous and bit-identical on every device, so a widget can recompute them on
// each slider move and a test can state exact collisions. Sums run in float64.
import { mulberry32, normalArray } from '../random';

/** LshVectors as rows, all of one length d. */
export type LshVectors = readonly ArrayLike<number>[];

const LSH = 'lsh';

function checkHashing(nBuckets: number, nHashes: number, what: string): void {
  if (!Number.isInteger(nBuckets) || nBuckets < 2 || nBuckets % 2 !== 0) {
    throw new RangeError(`${what}: nBuckets must be an even integer ≥ 2 (argmax over [xR; −xR] has 2 × columns buckets), got ${nBuckets}`);
  }
  if (!Number.isInteger(nHashes) || nHashes < 1) throw new RangeError(`${what}: nHashes must be a positive integer, got ${nHashes}`);
}

/** The common length d of the rows; throws naming the first row that is empty, longer or shorter, or not finite. */
function dimOf(vectors: LshVectors, what: string, name: string): number {
  if (vectors.length === 0) throw new RangeError(`${what}: ${name} is empty`);
  const d = vectors[0].length;
  if (d === 0) throw new RangeError(`${what}: ${name}[0] has no components`);
  vectors.forEach((v, i) => {
    if (v.length !== d) throw new RangeError(`${what}: ${name}[${i}] has ${v.length} components, ${name}[0] has ${d}`);
    for (let c = 0; c < d; c++) if (!Number.isFinite(v[c])) throw new RangeError(`${what}: ${name}[${i}][${c}] is ${v[c]}; components must be finite`);
  });
  return d;
}

/**
 * The nHashes random matrices R, each (d, nBuckets / 2) row-major. Hash h's seed is the h-th draw of a stream
 * started from `seed`, so the first n matrices are the same whatever nHashes is: more hashes only add rounds,
 * and a collision found with n hashes is still found with more.
 */
export function lshRotations(d: number, nBuckets: number, nHashes: number, seed: number): Float32Array[] {
  checkHashing(nBuckets, nHashes, `${LSH}.lshRotations`);
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`${LSH}.lshRotations: d must be a positive integer, got ${d}`);
  const seeds = mulberry32(seed);
  return Array.from({ length: nHashes }, () => normalArray(d * (nBuckets / 2), Math.floor(seeds() * 2 ** 32)));
}

/** argmax([x R; −x R]) for one vector: the column j with the largest |x·R_j| gives bucket j (positive) or b/2 + j. */
function bucketOf(x: ArrayLike<number>, R: Float32Array, d: number, half: number): number {
  let best = 0;
  let bestScore = -Infinity;
  for (let j = 0; j < half; j++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += x[c] * R[c * half + j];
    // Ties go to the lower bucket, as argmax's first maximum: a zero vector lands in bucket 0.
    if (s > bestScore) [best, bestScore] = [j, s];
    if (-s > bestScore) [best, bestScore] = [half + j, -s];
  }
  return best;
}

/**
 * Buckets of every vector under nHashes independent hashes: an Int32Array (nHashes, n), buckets[h·n + i] the
 * bucket of vectors[i] in round h, each in 0 … nBuckets − 1. The same seed gives the same buckets.
 */
export function lshBuckets(vectors: LshVectors, nBuckets: number, nHashes: number, seed: number): Int32Array {
  const what = `${LSH}.lshBuckets`;
  checkHashing(nBuckets, nHashes, what);
  const d = dimOf(vectors, what, 'vectors');
  return hashAll(vectors, lshRotations(d, nBuckets, nHashes, seed), d, nBuckets / 2);
}

function hashAll(vectors: LshVectors, rotations: Float32Array[], d: number, half: number): Int32Array {
  const n = vectors.length;
  const out = new Int32Array(rotations.length * n);
  rotations.forEach((R, h) => vectors.forEach((x, i) => (out[h * n + i] = bucketOf(x, R, d, half))));
  return out;
}

/** x / |x|, refusing a zero vector (it has no direction, so no nearest key by angle). */
function unit(x: ArrayLike<number>, what: string, name: string): Float64Array {
  let n2 = 0;
  for (let c = 0; c < x.length; c++) n2 += x[c] * x[c];
  if (n2 === 0) throw new RangeError(`${what}: ${name} is the zero vector, which has no angle to any key`);
  const inv = 1 / Math.sqrt(n2);
  return Float64Array.from(x, (v) => v * inv);
}

/**
 * The fraction of queries whose true nearest key (largest cosine similarity, i.e. dot product after normalising
 * both; ties to the lowest index) shares a bucket with the query in at least one of nHashes rounds. Queries and
 * keys are hashed with the same rotations, as Reformer hashes shared query-keys. With more hashes the rate can
 * only rise (see lshRotations); a rate far above 1/nBuckets is the locality that makes LSH attention work.
 */
export function nearestKeyCollisionRate(queries: LshVectors, keys: LshVectors, nBuckets: number, nHashes: number, seed: number): number {
  const what = `${LSH}.nearestKeyCollisionRate`;
  checkHashing(nBuckets, nHashes, what);
  const d = dimOf(queries, what, 'queries');
  const dk = dimOf(keys, what, 'keys');
  if (dk !== d) throw new RangeError(`${what}: queries have ${d} components and keys ${dk}; they must match`);
  const qUnit = queries.map((q, i) => unit(q, what, `queries[${i}]`));
  const kUnit = keys.map((k, i) => unit(k, what, `keys[${i}]`));
  const rotations = lshRotations(d, nBuckets, nHashes, seed);
  const qb = hashAll(queries, rotations, d, nBuckets / 2); // (nHashes, nq)
  const kb = hashAll(keys, rotations, d, nBuckets / 2); // (nHashes, nk)
  const [nq, nk] = [queries.length, keys.length];
  let hits = 0;
  qUnit.forEach((q, i) => {
    let nearest = 0;
    let bestCos = -Infinity;
    kUnit.forEach((k, j) => {
      let cos = 0;
      for (let c = 0; c < d; c++) cos += q[c] * k[c];
      if (cos > bestCos) [nearest, bestCos] = [j, cos];
    });
    for (let h = 0; h < nHashes; h++) {
      if (qb[h * nq + i] === kb[h * nk + nearest]) {
        hits++;
        break;
      }
    }
  });
  return hits / nq;
}
