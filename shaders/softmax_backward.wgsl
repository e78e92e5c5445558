// The backward of softmax / log-softmax over each row of (rows, cols), from the forward's output y and the
// upstream gradient g; one workgroup per row, each thread striding through the row.
//
//   softmax:      y = softmax(x),      ∂y_j/∂x_i = y_j·(δ_ij − y_i)   ⇒  dx_i = y_i·(g_i − Σ_j g_j·y_j)
//   log-softmax:  y = log_softmax(x),  ∂y_j/∂x_i = δ_ij − softmax_i   ⇒  dx_i = g_i − exp(y_i)·Σ_j g_j
//
// One reduction (Σ g·y or Σ g) and one write sweep. y comes from the max-subtracted forward, so y ∈ [0, 1] and
// log-probabilities are ≤ 0: exp(y) never overflows, whatever the magnitude of the original logits.

override LOG: u32 = 0u;
override WG: u32 = 64u; // a power of two ≤ MAX_WG (shaders/row_reduce.wgsl)

struct Params {
  rows: u32,
  cols: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * nwg.x; // the grid may be folded into y (ctx.grid1d)
  if (row >= params.rows) {
    return; // uniform across the workgroup
  }
  let cols = params.cols;
  let base = row * cols;

  var s = 0.0;
  for (var c = lid; c < cols; c += WG) {
    if (LOG == 1u) {
      s += g[base + c];
    } else {
      s += g[base + c] * y[base + c];
    }
  }
  s = wg_sum(lid, s);

  for (var c = lid; c < cols; c += WG) {
    if (LOG == 1u) {
      dx[base + c] = g[base + c] - exp(y[base + c]) * s;
    } else {
      dx[base + c] = y[base + c] * (g[base + c] - s);
    }
  }
}
