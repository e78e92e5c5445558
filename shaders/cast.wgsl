// Element type conversion, with x read through strides (shaders/strided.wgsl). TO_INT = 1: float32 → int32,
// truncating toward zero (as PyTorch's .int() does; WGSL saturates out-of-range values and takes NaN to 0);
// TO_INT = 0: int32 → float32.

// #include strided

override TO_INT: u32 = 1u;
override WG: u32 = 256u;

struct Params {
  n: u32,
  offsets: vec4<u32>,
  dims: array<vec4<u32>, 8>,
}

@group(0) @binding(auto) var<uniform> params: Params;
@group(0) @binding(auto) var<storage, read> x: array<u32>;
@group(0) @binding(auto) var<storage, read_write> out: array<u32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i >= params.n) {
    return;
  }
  let v = x[operand_offsets(i).x];
  if (TO_INT == 1u) {
    let f = bitcast<f32>(v);
    // By bits: SwiftShader's conversion of a NaN is not 0.
    out[i] = select(bitcast<u32>(i32(f)), 0u, (v & 0x7fffffffu) > 0x7f800000u);
  } else {
    out[i] = bitcast<u32>(f32(bitcast<i32>(v)));
  }
}
