// One SGD step for SLOTS parameter tensors at once, in place; one thread per four consecutive elements (a vec4)
// of all of them together (slot S covers threads [begin_S, end_S)), PyTorch's torch.optim.SGD:
//   g' = g + wd·p                                   (L2 weight decay, added to the gradient)
//   buf = firstStep ? g' : momentum·buf + (1 − dampening)·g'     (only when MOMENTUM = 1)
//   d = MOMENTUM ? (nesterov ? g' + momentum·buf : buf) : g'
//   p = p − lr·d
// vec4s for the reason adam.wgsl gives; lanes past a slot's numel are written back unchanged.
// A template (engine/backend/gpu/template.ts) by SLOTS and MOMENTUM (0: no buffer bindings at all).

override WG: u32 = 64u;

struct Params {
  total: u32, // vec4s of all slots
  lr: f32,
  momentum: f32,
  dampening: f32,
  weightDecay: f32,
  nesterov: u32, // 0 or 1
  firstStep: u32, // 0 or 1
  begins: array<vec4<u32>, 2>, // slot S covers threads [begins[S], ends[S])
  ends: array<vec4<u32>, 2>,
  numels: array<vec4<u32>, 2>, // elements of slot S
}

@group(0) @binding(auto) var<uniform> params: Params;
// @unroll S SLOTS
@group(0) @binding(auto) var<storage, read_write> p{{S}}: array<vec4<f32>>;
@group(0) @binding(auto) var<storage, read> g{{S}}: array<vec4<f32>>;
// @if MOMENTUM
@group(0) @binding(auto) var<storage, read_write> buf{{S}}: array<vec4<f32>>;
// @endif
// @end

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
      let live = vec4<u32>(4u * j) + vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(params.numels[{{S}}u / 4u][{{S}}u % 4u]);
      let w = p{{S}}[j];
      let gi = g{{S}}[j] + params.weightDecay * w;
      var d = gi;
// @if MOMENTUM
      var mb = gi; // the first step clones the gradient, undamped
      let old = buf{{S}}[j];
      if (params.firstStep == 0u) {
        mb = params.momentum * old + (1.0 - params.dampening) * gi;
      }
      buf{{S}}[j] = select(old, mb, live);
      // Nesterov looks ahead along the updated buffer.
      d = select(mb, gi + params.momentum * mb, params.nesterov == 1u);
// @endif
      p{{S}}[j] = select(w, w - params.lr * d, live);
    }
  }
// @end
}
