// out[i] = f(x[at(i)]) for the unary op selected by the OP override, with x read through strides
// (shaders/strided.wgsl), so transposed, sliced and broadcast views need no copy first. apply()'s switch, one
// case per op, and the OP_* consts are generated from the op records (engine/ops/pointwise.ts: each op's `wgsl`)
// by engine/backend/gpu/elementwise.ts. Every op gives PyTorch's result for NaN and ±Inf (numerics.wgsl says
// why that takes bit tests here).

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
  // #include unary_ops
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
