// out[i] = a[ia] (op) b[ib] with NumPy broadcasting: i enumerates the output shape row-major and each input is
// read through its own strides (0 on broadcast dims) and offset (shaders/strided.wgsl). apply()'s switch and the
// OP_* consts are generated from the op records (engine/ops/pointwise.ts) by engine/backend/gpu/elementwise.ts.
// With SCALAR = 1 the b operand is params.scalar instead of a buffer; SWAP = 1 computes scalar (op) a.
// NaN and ±Inf follow PyTorch: IEEE arithmetic keeps them by itself, while max, min, pow and the comparisons
// test for NaN by bits (numerics.wgsl says why).

// #include numerics
// #include activations
// #include strided

override OP: u32 = 0u;
override SCALAR: u32 = 0u;
override SWAP: u32 = 0u;
override WG: u32 = 256u;

struct Params {
  n: u32,
  scalar: f32,
  offsets: vec4<u32>,
  dims: array<vec4<u32>, 8>,
}

@group(0) @binding(auto) var<uniform> params: Params;
@group(0) @binding(auto) var<storage, read> a: array<f32>;
@group(0) @binding(auto) var<storage, read> b: array<f32>;
@group(0) @binding(auto) var<storage, read_write> out: array<f32>;

// PyTorch's pow (C's): x^0 = 1 and 1^y = 1 even for NaN; otherwise NaN in gives NaN out. A zero base gives ±0 for
// y > 0 and ±Inf for y < 0 (negative only for −0 and an odd integer y); (−Inf)^y likewise gives ±Inf for y > 0
// and ±0 for y < 0. A negative finite base with an integer exponent keeps its sign rule, with a fractional one
// gives NaN. WGSL's pow is only defined for x > 0.
fn odd_integer(y: f32) -> bool {
  return y == round(y) && abs(y % 2.0) == 1.0;
}

fn safe_pow(x: f32, y: f32) -> f32 {
  if (y == 0.0 || x == 1.0) {
    return 1.0;
  }
  if (is_nan(x) || is_nan(y)) {
    return nan_f32();
  }
  let negative = odd_integer(y) && (bitcast<u32>(x) & 0x80000000u) != 0u; // the sign survives: (−0)^3, (−Inf)^3
  if (x == 0.0 || is_neg_inf(x)) {
    let huge = (x == 0.0) == (y < 0.0); // 0^(−y) and (−Inf)^(+y) are infinite
    let r = select(0.0, inf_f32(), huge);
    return select(r, -r, negative);
  }
  if (x > 0.0) {
    return pow(x, y);
  }
  if (is_nonfinite(y)) {
    // (−x)^±Inf: |x| = 1 gives 1, else 0 or Inf by whether |x| and y push the same way.
    if (x == -1.0) {
      return 1.0;
    }
    return select(0.0, inf_f32(), (-x > 1.0) == (y > 0.0));
  }
  if (y != round(y)) {
    return nan_f32();
  }
  let r = pow(-x, y);
  return select(r, -r, negative);
}

fn flag(c: bool) -> f32 {
  return select(0.0, 1.0, c);
}

fn apply(x: f32, y: f32) -> f32 {
  let nan = is_nan(x) || is_nan(y); // every comparison with a NaN is false, except ne
  // #include binary_ops
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i >= params.n) {
    return;
  }
  let o = operand_offsets(i);
  if (SCALAR == 1u) {
    if (SWAP == 1u) {
      out[i] = apply(params.scalar, a[o.x]);
    } else {
      out[i] = apply(a[o.x], params.scalar);
    }
  } else {
    out[i] = apply(a[o.x], b[o.y]);
  }
}
