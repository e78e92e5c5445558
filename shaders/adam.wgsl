// One Adam / AdamW step for SLOTS parameter tensors at once, in place on each param, m and v; one thread per
// element of all of them together (slot S covers threads [begin_S, end_S)):
//   Adam:  g' = g + wd·p                  AdamW: p = p − lr·wd·p, g' = g   (decay outside the adaptive scaling)
//   m = β1·m + (1 − β1)·g'
//   v = β2·v + (1 − β2)·g'²
//   p = p − lr·(m / bc1) / (√(v / bc2) + eps),   bc1 = 1 − β1^t, bc2 = 1 − β2^t
// The bias corrections are computed on the host in float64 and passed in: 1 − β^t computed in float32 on the
// device would lose digits to cancellation when β^t ≈ 1 (bc2 = 0.001 at t = 1 for β2 = 0.999).
// eps sits outside the root, as in PyTorch.
// A template (engine/backend/gpu/template.ts) by SLOTS: a step costs one dispatch per SLOTS parameters, as many
// as the adapter's storage-buffer limit binds (engine/backend/gpu/optim.ts), instead of one per parameter.

override DECOUPLED: u32 = 0u; // 1 for AdamW
override WG: u32 = 64u;

struct Params {
  total: u32, // elements of all slots
  lr: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  weightDecay: f32,
  bc1: f32,
  bc2: f32,
  begins: array<vec4<u32>, 2>, // slot S covers threads [begins[S], ends[S])
  ends: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<uniform> params: Params;
// @unroll S SLOTS
@group(0) @binding({{1 + 4 * S}}) var<storage, read_write> p{{S}}: array<f32>;
@group(0) @binding({{2 + 4 * S}}) var<storage, read> g{{S}}: array<f32>;
@group(0) @binding({{3 + 4 * S}}) var<storage, read_write> m{{S}}: array<f32>;
@group(0) @binding({{4 + 4 * S}}) var<storage, read_write> v{{S}}: array<f32>;
// @end

// (p', m', v') from one element's (p, g, m, v).
fn adam(w0: f32, g: f32, m: f32, v: f32) -> vec3<f32> {
  var w = w0;
  var gi = g;
  if (DECOUPLED == 1u) {
    w -= params.lr * params.weightDecay * w;
  } else {
    gi += params.weightDecay * w;
  }
  let mi = params.beta1 * m + (1.0 - params.beta1) * gi;
  let vi = params.beta2 * v + (1.0 - params.beta2) * gi * gi;
  return vec3<f32>(w - (params.lr * (mi / params.bc1)) / (sqrt(vi / params.bc2) + params.eps), mi, vi);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid; // the grid may be folded into y (ctx.grid1d)
  if (i >= params.total) {
    return;
  }
// @unroll S SLOTS
  {
    let b = params.begins[{{S}}u / 4u][{{S}}u % 4u];
    if (i >= b && i < params.ends[{{S}}u / 4u][{{S}}u % 4u]) {
      let j = i - b;
      let r = adam(p{{S}}[j], g{{S}}[j], m{{S}}[j], v{{S}}[j]);
      p{{S}}[j] = r.x;
      m{{S}}[j] = r.y;
      v{{S}}[j] = r.z;
    }
  }
// @end
}
