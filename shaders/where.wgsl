// out[i] = cond[ic] != 0 ? a[ia] : b[ib], with each input read through broadcast strides (see binary.wgsl).
// a, b and out move as raw 32-bit words so that float32 and int32 share the kernel. cond is read as bits:
// COND_FLOAT = 1 treats -0.0 as false too.

override COND_FLOAT: u32 = 1u;
override WG: u32 = 256u;

struct Params {
  n: u32,
  rank: u32,
  shape: array<vec4<u32>, 2>,
  condStrides: array<vec4<u32>, 2>,
  aStrides: array<vec4<u32>, 2>,
  bStrides: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> cond: array<u32>;
@group(0) @binding(2) var<storage, read> a: array<u32>;
@group(0) @binding(3) var<storage, read> b: array<u32>;
@group(0) @binding(4) var<storage, read_write> out: array<u32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i >= params.n) {
    return;
  }
  var rem = i;
  var ic = 0u;
  var ia = 0u;
  var ib = 0u;
  for (var d = i32(params.rank) - 1; d >= 0; d--) {
    let q = u32(d) / 4u;
    let r = u32(d) % 4u;
    let extent = params.shape[q][r];
    let idx = rem % extent;
    rem = rem / extent;
    ic += idx * params.condStrides[q][r];
    ia += idx * params.aStrides[q][r];
    ib += idx * params.bStrides[q][r];
  }
  var c = cond[ic];
  if (COND_FLOAT == 1u) {
    c = c & 0x7fffffffu;
  }
  out[i] = select(b[ib], a[ia], c != 0u);
}
