// out[i] = a[ia] (op) b[ib] with NumPy broadcasting: i enumerates the output shape row-major and each input is
// read through its own strides, 0 on broadcast dims. Up to 8 dims (ops/ coalesces contiguous dims first, so a
// same-shape op runs at rank 1). OP numbering: BINARY_OPS in engine/backend/gpu/elementwise.ts.
// With SCALAR = 1 the b operand is params.scalar instead of a buffer; SWAP = 1 computes scalar (op) a.

override OP: u32 = 0u;
override SCALAR: u32 = 0u;
override SWAP: u32 = 0u;
// CONTIG = 1: both operands are contiguous with the output's shape, so element i of each is at index i and the
// stride loop is skipped (it dominates the cost of a plain add on SwiftShader).
override CONTIG: u32 = 0u;
override WG: u32 = 256u;

struct Params {
  n: u32,
  rank: u32,
  scalar: f32,
  shape: array<vec4<u32>, 2>,
  aStrides: array<vec4<u32>, 2>,
  bStrides: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

// WGSL's pow is undefined for x ≤ 0; this follows PyTorch: a negative base with an integer exponent keeps its
// sign rule, 0^y is 0 for y > 0 and 1 for y = 0, and a negative base with a fractional exponent gives NaN.
// Inf and NaN cannot be written as WGSL constants; a var's bits are not folded at shader creation.
fn from_bits(bits: u32) -> f32 {
  var b = bits;
  return bitcast<f32>(b);
}

fn safe_pow(x: f32, y: f32) -> f32 {
  if (y == 0.0) {
    return 1.0;
  }
  if (x == 0.0) {
    return select(from_bits(0x7f800000u), 0.0, y > 0.0);
  }
  if (x > 0.0) {
    return pow(x, y);
  }
  if (y != round(y)) {
    return from_bits(0x7fc00000u);
  }
  let r = pow(-x, y);
  return select(r, -r, abs(y % 2.0) == 1.0);
}

fn apply(x: f32, y: f32) -> f32 {
  switch OP {
    case 0u: { return x + y; }
    case 1u: { return x - y; }
    case 2u: { return x * y; }
    case 3u: { return x / y; }
    case 4u: { return safe_pow(x, y); }
    case 5u: { return max(x, y); }
    case 6u: { return min(x, y); }
    case 7u: { return select(0.0, 1.0, x == y); }
    case 8u: { return select(0.0, 1.0, x != y); }
    case 9u: { return select(0.0, 1.0, x < y); }
    case 10u: { return select(0.0, 1.0, x <= y); }
    case 11u: { return select(0.0, 1.0, x > y); }
    case 12u: { return select(0.0, 1.0, x >= y); }
    default: { return x; }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i >= params.n) {
    return;
  }
  var ia = i;
  var ib = i;
  if (CONTIG == 0u) {
    ia = 0u;
    ib = 0u;
    var rem = i;
    for (var d = i32(params.rank) - 1; d >= 0; d--) {
      let q = u32(d) / 4u;
      let r = u32(d) % 4u;
      let extent = params.shape[q][r];
      let idx = rem % extent;
      rem = rem / extent;
      ia += idx * params.aStrides[q][r];
      ib += idx * params.bStrides[q][r];
    }
  }
  if (SCALAR == 1u) {
    if (SWAP == 1u) {
      out[i] = apply(params.scalar, a[ia]);
    } else {
      out[i] = apply(a[ia], params.scalar);
    }
  } else {
    out[i] = apply(a[ia], b[ib]);
  }
}
