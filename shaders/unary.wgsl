// out[i] = f(x[at(i)]) for the unary op selected by the OP override, with x read through strides
// (shaders/strided.wgsl), so transposed, sliced and broadcast views need no copy first. The OP_* consts are
// generated from UNARY_OPS in engine/backend/gpu/elementwise.ts by the shader builder (shader.ts).
// Every op gives PyTorch's result for NaN and ±Inf (numerics.wgsl says why that takes bit tests here).

// #include numerics
// #include activations
// #include strided

override OP: u32 = 0u;
override WG: u32 = 256u;

struct Params {
  n: u32,
  offsets: vec4<u32>,
  dims: array<vec4<u32>, 8>,
}

@group(0) @binding(auto) var<uniform> params: Params;
@group(0) @binding(auto) var<storage, read> x: array<f32>;
@group(0) @binding(auto) var<storage, read_write> out: array<f32>;

// WGSL guarantees sin/cos only to 2^-11 absolute error, and only on [-π, π]; reduce the argument there first
// with 2π split in two parts (Cody–Waite) so that large inputs keep that accuracy. sin(±Inf) is NaN.
fn reduce_angle(v: f32) -> f32 {
  let k = round(v * 0.15915494309189535);
  return (v - k * 6.28125) - k * 0.0019353071795864769;
}

fn apply(v: f32) -> f32 {
  switch OP {
    case OP_NEG: { return -v; }
    case OP_ABS: { return abs(v); }
    case OP_EXP: { return exp_nf(v); }
    case OP_LOG: { return log_nf(v); }
    case OP_SQRT: { // NaN below 0, +Inf stays
      if (is_nan(v) || v < 0.0) { return nan_f32(); }
      if (is_pos_inf(v)) { return v; }
      return sqrt(v);
    }
    case OP_RSQRT: { // NaN below 0, ±0 → ±Inf, +Inf → 0
      if (is_nan(v) || v < 0.0) { return nan_f32(); }
      if (v == 0.0) { return 1.0 / v; }
      if (is_pos_inf(v)) { return 0.0; }
      return inverseSqrt(v);
    }
    case OP_SQUARE: { return v * v; }
    case OP_RECIPROCAL: { return 1.0 / v; }
    case OP_RELU: { return act_relu(v); }
    case OP_GELU: { return act_gelu(v); }
    case OP_GELU_TANH: { return act_gelu_tanh(v); }
    case OP_TANH: { return act_tanh(v); }
    case OP_SIGMOID: { return act_sigmoid(v); }
    case OP_SIN: {
      if (is_nonfinite(v)) { return nan_f32(); }
      return sin(reduce_angle(v));
    }
    case OP_COS: {
      if (is_nonfinite(v)) { return nan_f32(); }
      return cos(reduce_angle(v));
    }
    case OP_SIGN: { // NaN kept
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
