// One SGD step for one parameter tensor, in place; one thread per element (PyTorch's torch.optim.SGD):
//   g' = g + wd·p                                   (L2 weight decay, added to the gradient)
//   buf = firstStep ? g' : momentum·buf + (1 − dampening)·g'     (only when MOMENTUM = 1)
//   d = MOMENTUM ? (nesterov ? g' + momentum·buf : buf) : g'
//   p = p − lr·d
// With MOMENTUM = 0 the kernel never touches buf (the host binds a placeholder).

override MOMENTUM: u32 = 0u; // 1 when momentum ≠ 0 and a buffer exists
override WG: u32 = 64u;

struct Params {
  n: u32,
  lr: f32,
  momentum: f32,
  dampening: f32,
  weightDecay: f32,
  nesterov: u32, // 0 or 1
  firstStep: u32, // 0 or 1
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> buf: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid; // the grid may be folded into y (ctx.grid1d)
  if (i >= params.n) {
    return;
  }
  let w = param[i];
  let gi = grad[i] + params.weightDecay * w;
  var d = gi;
  if (MOMENTUM == 1u) {
    var b = gi; // the first step clones the gradient, undamped
    if (params.firstStep == 0u) {
      b = params.momentum * buf[i] + (1.0 - params.dampening) * gi;
    }
    buf[i] = b;
    // Nesterov looks ahead along the updated buffer.
    d = select(b, gi + params.momentum * b, params.nesterov == 1u);
  }
  param[i] = w - params.lr * d;
}
