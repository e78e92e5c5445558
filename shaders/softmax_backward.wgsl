// The backward of softmax / log-softmax over each row of (rows, cols), from the forward's output y and the
// upstream gradient g; one workgroup per row, each thread striding through the row.
//
//   softmax:      y = softmax(x),      ∂y_j/∂x_i = y_j·(δ_ij − y_i)   ⇒  dx_i = y_i·(g_i − Σ_j g_j·y_j)
//   log-softmax:  y = log_softmax(x),  ∂y_j/∂x_i = δ_ij − softmax_i   ⇒  dx_i = g_i − exp(y_i)·Σ_j g_j
//
// One reduction (Σ g·y or Σ g) and one write sweep. y comes from the max-subtracted forward, so y ∈ [0, 1] and
// log-probabilities are ≤ 0: exp(y) never overflows, whatever the magnitude of the original logits. A NaN in y or
// g gives NaN through plain arithmetic; exp_nf (shaders/numerics.wgsl) keeps it where exp would not.

// #include numerics
// #include row_reduce

override LOG: u32 = 0u;
override WG: u32 = 64u; // threads per row, a power of two (shaders/row_reduce.wgsl)
override ROWS: u32 = 1u; // rows per workgroup
override THREADS: u32 = 256u; // WG·ROWS (wgsl_reflect cannot read a product in @workgroup_size)

struct Params {
  rows: u32,
  cols: u32,
}

@group(0) @binding(auto) var<uniform> params: Params;
@group(0) @binding(auto) var<storage, read> y: array<f32>;
@group(0) @binding(auto) var<storage, read> g: array<f32>;
@group(0) @binding(auto) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(THREADS)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let at = row_lane(wid, nwg, li, params.rows);
  let row = at.row;
  let lid = at.lane;
  let cols = select(0u, params.cols, at.live); // a row past the end reads and writes nothing
  let base = row * cols;

  var s = 0.0;
  for (var c = lid; c < cols; c += WG) {
    if (LOG == 1u) {
      s += g[base + c];
    } else {
      s += g[base + c] * y[base + c];
    }
  }
  s = wg_sum(li, s);

  for (var c = lid; c < cols; c += WG) {
    if (LOG == 1u) {
      dx[base + c] = g[base + c] - exp_nf(y[base + c]) * s;
    } else {
      dx[base + c] = y[base + c] * (g[base + c] - s);
    }
  }
}
