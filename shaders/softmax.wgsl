// Softmax or log-softmax over each row of x viewed as (rows, cols); one workgroup per row.
//
//   m = max_c x_c                    (subtracted first, so every exp(x_c - m) ≤ 1 and the sum lies in [1, cols]:
//   s = Σ_c exp(x_c - m)              no overflow for any finite x, e.g. softmax([1e4, 0]) = [1, 0])
//   softmax_c     = exp(x_c - m) / s
//   log_softmax_c = (x_c - m) - log(s)   (never log of an underflowed softmax value, so it stays finite)
//
// Three sweeps over the row (max, sum, write) with workgroup tree reductions between them; cols can be far
// larger than the workgroup because each thread strides through the row.

override LOG: u32 = 0u;
override WG: u32 = 256u; // a power of two ≤ MAX_WG (shaders/row_reduce.wgsl)

struct Params {
  rows: u32,
  cols: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * nwg.x; // the grid may be folded into y (ctx.grid1d)
  if (row >= params.rows) {
    return; // uniform across the workgroup
  }
  let cols = params.cols;
  let base = row * cols;

  var m = from_bits(0xff800000u); // -Inf: the identity of max, for threads that own no column
  for (var c = lid; c < cols; c += WG) {
    m = max(m, x[base + c]);
  }
  m = wg_max(lid, m);

  var s = 0.0;
  for (var c = lid; c < cols; c += WG) {
    s += exp(x[base + c] - m);
  }
  s = wg_sum(lid, s);

  if (LOG == 1u) {
    let logS = log(s);
    for (var c = lid; c < cols; c += WG) {
      out[base + c] = (x[base + c] - m) - logS;
    }
  } else {
    let inv = 1.0 / s;
    for (var c = lid; c < cols; c += WG) {
      out[base + c] = exp(x[base + c] - m) * inv;
    }
  }
}
