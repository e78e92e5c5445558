// Workgroup reductions shared by the one-workgroup-per-row kernels (softmax, layerNorm, cross-entropy and their
// backwards). WGSL has no imports, so engine/backend/gpu/rowwise.ts prepends this file to each of those shaders.
// The including shader declares `override WG: u32` (a power of two ≤ MAX_WG); each function reduces one value per
// thread with a tree, gives every thread the result, and must be called from uniform control flow.

const MAX_WG: u32 = 256u;

var<workgroup> redA: array<f32, MAX_WG>;
var<workgroup> redB: array<f32, MAX_WG>;

// Inf and NaN cannot be written as WGSL constants; a var's bits are not folded at shader creation.
fn from_bits(bits: u32) -> f32 {
  var b = bits;
  return bitcast<f32>(b);
}

fn wg_max(lid: u32, v: f32) -> f32 {
  redA[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      redA[lid] = max(redA[lid], redA[lid + s]);
    }
    workgroupBarrier();
  }
  let r = redA[0];
  workgroupBarrier(); // the arrays are reused by the next reduction
  return r;
}

fn wg_sum(lid: u32, v: f32) -> f32 {
  redA[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      redA[lid] = redA[lid] + redA[lid + s];
    }
    workgroupBarrier();
  }
  let r = redA[0];
  workgroupBarrier();
  return r;
}

// Two sums in one tree, e.g. Σx and Σx² or Σĝ and Σĝ·x̂.
fn wg_sum2(lid: u32, a: f32, b: f32) -> vec2<f32> {
  redA[lid] = a;
  redB[lid] = b;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      redA[lid] = redA[lid] + redA[lid + s];
      redB[lid] = redB[lid] + redB[lid + s];
    }
    workgroupBarrier();
  }
  let r = vec2<f32>(redA[0], redB[0]);
  workgroupBarrier();
  return r;
}
