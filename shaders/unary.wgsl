// out[i] = f(x[at(i)]) for the unary op selected by the OP override (numbering: UNARY_OPS in
// engine/backend/gpu/elementwise.ts), with x read through strides (shaders/strided.wgsl), so transposed, sliced
// and broadcast views need no copy first. Compiled with numerics.wgsl, activations.wgsl and strided.wgsl.
// Every op gives PyTorch's result for NaN and ±Inf (numerics.wgsl says why that takes bit tests here).

override OP: u32 = 0u;
override WG: u32 = 256u;

struct Params {
  n: u32,
  offsets: vec4<u32>,
  dims: array<vec4<u32>, 8>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

// WGSL guarantees sin/cos only to 2^-11 absolute error, and only on [-π, π]; reduce the argument there first
// with 2π split in two parts (Cody–Waite) so that large inputs keep that accuracy. sin(±Inf) is NaN.
fn reduce_angle(v: f32) -> f32 {
  let k = round(v * 0.15915494309189535);
  return (v - k * 6.28125) - k * 0.0019353071795864769;
}

fn apply(v: f32) -> f32 {
  switch OP {
    case 0u: { return -v; }
    case 1u: { return abs(v); }
    case 2u: { return exp_nf(v); }
    case 3u: { return log_nf(v); }
    case 4u: { // sqrt: NaN below 0, +Inf stays
      if (is_nan(v) || v < 0.0) { return nan_f32(); }
      if (is_pos_inf(v)) { return v; }
      return sqrt(v);
    }
    case 5u: { // rsqrt: NaN below 0, ±0 → ±Inf, +Inf → 0
      if (is_nan(v) || v < 0.0) { return nan_f32(); }
      if (v == 0.0) { return 1.0 / v; }
      if (is_pos_inf(v)) { return 0.0; }
      return inverseSqrt(v);
    }
    case 6u: { return v * v; }
    case 7u: { return 1.0 / v; }
    case 8u: { return act_relu(v); }
    case 9u: { return act_gelu(v); }
    case 10u: { return act_gelu_tanh(v); }
    case 11u: { return act_tanh(v); }
    case 12u: { return act_sigmoid(v); }
    case 13u: {
      if (is_nonfinite(v)) { return nan_f32(); }
      return sin(reduce_angle(v));
    }
    case 14u: {
      if (is_nonfinite(v)) { return nan_f32(); }
      return cos(reduce_angle(v));
    }
    case 15u: { // sign, NaN kept
      if (is_nan(v)) { return v; }
      return sign(v);
    }
    default: { return v; }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i >= params.n) {
    return;
  }
  out[i] = apply(x[operand_offsets(i).x]);
}
