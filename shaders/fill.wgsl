// out[i] = value, written as raw bits so one kernel fills float32 and int32 storages.

override WG: u32 = 256u;

struct Params {
  n: u32,
  bits: u32,
}

@group(0) @binding(auto) var<uniform> params: Params;
@group(0) @binding(auto) var<storage, read_write> out: array<u32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i < params.n) {
    out[i] = params.bits;
  }
}
