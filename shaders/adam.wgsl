// One Adam / AdamW step for SLOTS parameter tensors at once, in place on each param, m and v; one thread per four
// consecutive elements (a vec4) of all of them together (slot S covers threads [begin_S, end_S)):
//   Adam:  g' = g + wd·p                  AdamW: p = p − lr·wd·p, g' = g   (decay outside the adaptive scaling)
//   m = β1·m + (1 − β1)·g'
//   v = β2·v + (1 − β2)·g'²
//   p = p − lr·(m / bc1) / (√(v / bc2) + eps),   bc1 = 1 − β1^t, bc2 = 1 − β2^t
// The bias corrections are computed on the host in float64 and passed in: 1 − β^t computed in float32 on the
// device would lose digits to cancellation when β^t ≈ 1 (bc2 = 0.001 at t = 1 for β2 = 0.999).
// eps sits outside the root, as in PyTorch.
// Why vec4s: on SwiftShader every storage access is a per-lane gather, and one vec4 access costs about what one
// float does; a 100,352-element step took 1.2 ms against 2.9 ms one float per thread. Storage buffers are whole
// multiples of 16 bytes (engine/backend/gpu/pool.ts), so the last vec4 of a slot is readable; its lanes past the
// slot's numel are written back unchanged.
// A template (engine/backend/gpu/template.ts) by SLOTS: a step costs one dispatch per SLOTS parameters, as many
// as the adapter's storage-buffer limit binds (engine/backend/gpu/optim.ts), instead of one per parameter.

override DECOUPLED: u32 = 0u; // 1 for AdamW
override WG: u32 = 64u;

struct Params {
  total: u32, // vec4s of all slots
  lr: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  weightDecay: f32,
  bc1: f32,
  bc2: f32,
  begins: array<vec4<u32>, 2>, // slot S covers threads [begins[S], ends[S])
  ends: array<vec4<u32>, 2>,
  numels: array<vec4<u32>, 2>, // elements of slot S
}

@group(0) @binding(auto) var<uniform> params: Params;
// @unroll S SLOTS
@group(0) @binding(auto) var<storage, read_write> p{{S}}: array<vec4<f32>>;
@group(0) @binding(auto) var<storage, read> g{{S}}: array<vec4<f32>>;
@group(0) @binding(auto) var<storage, read_write> m{{S}}: array<vec4<f32>>;
@group(0) @binding(auto) var<storage, read_write> v{{S}}: array<vec4<f32>>;
// @end

struct State {
  p: vec4<f32>,
  m: vec4<f32>,
  v: vec4<f32>,
}

// (p', m', v') from four elements' (p, g, m, v); lanes where `live` is false keep their old values.
fn adam(w0: vec4<f32>, g: vec4<f32>, m: vec4<f32>, v: vec4<f32>, live: vec4<bool>) -> State {
  var w = w0;
  var gi = g;
  if (DECOUPLED == 1u) {
    w -= params.lr * params.weightDecay * w;
  } else {
    gi += params.weightDecay * w;
  }
  let mi = params.beta1 * m + (1.0 - params.beta1) * gi;
  let vi = params.beta2 * v + (1.0 - params.beta2) * gi * gi;
  let wi = w - (params.lr * (mi / params.bc1)) / (sqrt(vi / params.bc2) + params.eps);
  return State(select(w0, wi, live), select(m, mi, live), select(v, vi, live));
}

// Which lanes of vec4 j hold elements of a slot of n elements.
fn lanes(j: u32, n: u32) -> vec4<bool> {
  return vec4<u32>(4u * j) + vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(n);
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
      let r = adam(p{{S}}[j], g{{S}}[j], m{{S}}[j], v{{S}}[j], lanes(j, params.numels[{{S}}u / 4u][{{S}}u % 4u]));
      p{{S}}[j] = r.p;
      m{{S}}[j] = r.m;
      v{{S}}[j] = r.v;
    }
  }
// @end
}
