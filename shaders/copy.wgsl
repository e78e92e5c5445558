// Strided copy of 32-bit words: for every index idx of the shape (row-major, up to 8 dims),
//   dst[dstOffset + Σ idx_k·dstStrides[k]] = src[srcOffset + Σ idx_k·srcStrides[k]]
// (shaders/strided.wgsl; operand 0 is src, 1 is dst). It makes strided views contiguous (Tensor.contiguous) and
// writes into part of a larger output (cat, the backward of slice). Words are moved as u32 bits, so float32 and
// int32 tensors share it. With ACCUMULATE = 1 it adds float32 values into dst instead (dst += src), which is how
// the backward of slice adds a gradient into part of one that already holds others.

// #include strided

override ACCUMULATE: u32 = 0u;
override WG: u32 = 256u;

struct Params {
  n: u32,
  offsets: vec4<u32>,
  dims: array<vec4<u32>, 8>,
}

@group(0) @binding(auto) var<uniform> params: Params;
@group(0) @binding(auto) var<storage, read> src: array<u32>;
@group(0) @binding(auto) var<storage, read_write> dst: array<u32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i >= params.n) {
    return;
  }
  let o = operand_offsets(i);
  if (ACCUMULATE == 1u) {
    dst[o.y] = bitcast<u32>(bitcast<f32>(dst[o.y]) + bitcast<f32>(src[o.x]));
  } else {
    dst[o.y] = src[o.x];
  }
}
