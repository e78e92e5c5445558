// Counts NaN, +Inf and -Inf in x by bit pattern: an exponent of all ones is Inf when the mantissa is zero (the
// sign bit then says which) and NaN otherwise. Comparisons cannot do this on every adapter: WGSL lets
// implementations assume no NaN or Inf occurs, and SwiftShader's x != x is false for a NaN.
// Each workgroup counts into workgroup atomics first, so the device-wide counters see at most one atomicAdd per
// workgroup and counter rather than one per bad element.

override WG: u32 = 256u;

struct Params {
  n: u32,
}

@group(0) @binding(auto) var<uniform> params: Params;
@group(0) @binding(auto) var<storage, read> x: array<u32>;
@group(0) @binding(auto) var<storage, read_write> counts: array<atomic<u32>, 3>; // nan, +Inf, -Inf

var<workgroup> wgCounts: array<atomic<u32>, 3>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  // Workgroup variables start zeroed. No thread returns early: every one must reach the barriers.
  let i = (wid.x + wid.y * nwg.x) * WG + lid; // the grid may be folded into y (ctx.grid1d)
  if (i < params.n) {
    let bits = x[i];
    if ((bits & 0x7f800000u) == 0x7f800000u) {
      if ((bits & 0x007fffffu) != 0u) {
        atomicAdd(&wgCounts[0], 1u);
      } else if ((bits & 0x80000000u) == 0u) {
        atomicAdd(&wgCounts[1], 1u);
      } else {
        atomicAdd(&wgCounts[2], 1u);
      }
    }
  }
  workgroupBarrier();
  if (lid < 3u) {
    let c = atomicLoad(&wgCounts[lid]);
    if (c != 0u) {
      atomicAdd(&counts[lid], c);
    }
  }
}
