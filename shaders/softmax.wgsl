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
override WG: u32 = 256u; // a power of two ≤ MAX_WG
const MAX_WG: u32 = 256u;

struct Params {
  rows: u32,
  cols: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

var<workgroup> red: array<f32, MAX_WG>;

fn from_bits(bits: u32) -> f32 {
  var b = bits;
  return bitcast<f32>(b);
}

// Tree reductions of one value per thread; every thread gets the result. Called from uniform control flow.
fn wg_max(lid: u32, v: f32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      red[lid] = max(red[lid], red[lid + s]);
    }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier(); // red is reused by the next reduction
  return r;
}

fn wg_sum(lid: u32, v: f32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      red[lid] = red[lid] + red[lid + s];
    }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

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
