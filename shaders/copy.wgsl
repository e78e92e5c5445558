// Strided gather of 32-bit words: out[dstOffset + Σ idx_k·dstStrides[k]] = src[srcOffset + Σ idx_k·srcStrides[k]]
// for every index idx of `shape` (row-major, up to 8 dims). One kernel serves transpose, permute, slice, expand
// (stride 0), cat (a dst view into a larger output) and contiguous copies. Words are moved as u32 bits, so
// float32 and int32 tensors share it.

override WG: u32 = 256u;

struct Params {
  n: u32,
  rank: u32,
  srcOffset: u32,
  dstOffset: u32,
  shape: array<vec4<u32>, 2>,
  srcStrides: array<vec4<u32>, 2>,
  dstStrides: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i >= params.n) {
    return;
  }
  var rem = i;
  var is = params.srcOffset;
  var id = params.dstOffset;
  for (var d = i32(params.rank) - 1; d >= 0; d--) {
    let q = u32(d) / 4u;
    let r = u32(d) % 4u;
    let extent = params.shape[q][r];
    let idx = rem % extent;
    rem = rem / extent;
    is += idx * params.srcStrides[q][r];
    id += idx * params.dstStrides[q][r];
  }
  dst[id] = src[is];
}
