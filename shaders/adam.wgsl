// One Adam / AdamW step for one parameter tensor, in place on param, m and v; one thread per element:
//   Adam:  g' = g + wd·p                  AdamW: p = p − lr·wd·p, g' = g   (decay outside the adaptive scaling)
//   m = β1·m + (1 − β1)·g'
//   v = β2·v + (1 − β2)·g'²
//   p = p − lr·(m / bc1) / (√(v / bc2) + eps),   bc1 = 1 − β1^t, bc2 = 1 − β2^t
// The bias corrections are computed on the host in float64 and passed in: 1 − β^t computed in float32 on the
// device would lose digits to cancellation when β^t ≈ 1 (bc2 = 0.001 at t = 1 for β2 = 0.999).
// eps sits outside the root, as in PyTorch.

override DECOUPLED: u32 = 0u; // 1 for AdamW
override WG: u32 = 64u;

struct Params {
  n: u32,
  lr: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  weightDecay: f32,
  bc1: f32,
  bc2: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid; // the grid may be folded into y (ctx.grid1d)
  if (i >= params.n) {
    return;
  }
  var w = param[i];
  var gi = grad[i];
  if (DECOUPLED == 1u) {
    w -= params.lr * params.weightDecay * w;
  } else {
    gi += params.weightDecay * w;
  }
  let mi = params.beta1 * m[i] + (1.0 - params.beta1) * gi;
  let vi = params.beta2 * v[i] + (1.0 - params.beta2) * gi * gi;
  m[i] = mi;
  v[i] = vi;
  param[i] = w - (params.lr * (mi / params.bc1)) / (sqrt(vi / params.bc2) + params.eps);
}
