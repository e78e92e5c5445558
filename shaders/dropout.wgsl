// A dropout mask of n float32 elements, identical bit for bit to engine/backend/rng.ts on the CPU:
//   bits(i) = hash32(hash32(seed) ^ i) >> 8             (24 bits, uniform in [0, 2^24))
//   mask[i] = bits(i) ≥ threshold ? scale : 0            (threshold = ceil(p·2^24), scale = f32(1/(1−p)))
// hash32 is "lowbias32" (Wellons). WGSL u32 multiplication wraps modulo 2^32, exactly like Math.imul(…) >>> 0,
// and the comparison is between integers, so no float rounding can make the backends disagree. threshold and
// scale come from dropoutParams(p) on the host, so the kernel never computes them itself.

override WG: u32 = 64u;

struct Params {
  n: u32,
  seed: u32,
  threshold: u32, // ≤ 2^24; 2^24 (p = 1) drops everything
  scale: f32,
}

@group(0) @binding(auto) var<uniform> params: Params;
@group(0) @binding(auto) var<storage, read_write> mask: array<f32>;

fn hash32(v: u32) -> u32 {
  var x = v;
  x ^= x >> 16u;
  x *= 0x7feb352du;
  x ^= x >> 15u;
  x *= 0x846ca68bu;
  x ^= x >> 16u;
  return x;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid; // the grid may be folded into y (ctx.grid1d)
  if (i >= params.n) {
    return;
  }
  let bits = hash32(hash32(params.seed) ^ i) >> 8u;
  mask[i] = select(0.0, params.scale, bits >= params.threshold);
}
