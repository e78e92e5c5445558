// Softmax or log-softmax over each row of x viewed as (rows, cols); one workgroup per row.
//
//   m = max_c x_c                    (subtracted first, so every exp(x_c - m) ≤ 1 and the sum lies in [1, cols]:
//   s = Σ_c exp(x_c - m)              no overflow for any finite x, e.g. softmax([1e4, 0]) = [1, 0])
//   softmax_c     = exp(x_c - m) / s
//   log_softmax_c = (x_c - m) - log(s)   (never log of an underflowed softmax value, so it stays finite)
//
// Three sweeps over the row (max, sum, write) with workgroup tree reductions between them; cols can be far
// larger than the workgroup because each thread strides through the row.
// Non-finite input follows PyTorch: a row whose max is NaN or ±Inf (a NaN anywhere, a +Inf, or nothing but −Inf)
// is NaN throughout; otherwise −Inf entries give probability 0 (log-probability −Inf). NaN is found by bits
// (shaders/numerics.wgsl), since a plain max drops it on some adapters.

// #include numerics
// #include row_reduce

override LOG: u32 = 0u;
override WG: u32 = 256u; // threads per row, a power of two (shaders/row_reduce.wgsl)
override ROWS: u32 = 1u; // rows per workgroup
override THREADS: u32 = 256u; // WG·ROWS (wgsl_reflect cannot read a product in @workgroup_size)

struct Params {
  rows: u32,
  cols: u32,
}

@group(0) @binding(auto) var<uniform> params: Params;
@group(0) @binding(auto) var<storage, read> x: array<f32>;
@group(0) @binding(auto) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(THREADS)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let at = row_lane(wid, nwg, li, params.rows);
  let row = at.row;
  let lid = at.lane;
  let cols = select(0u, params.cols, at.live); // a row past the end reads and writes nothing
  let base = row * cols;

  var m = neg_inf_f32(); // the identity of max, for threads that own no column
  for (var c = lid; c < cols; c += WG) {
    m = max_nf(m, x[base + c]);
  }
  m = wg_max(li, m);
  // NaN, +Inf or nothing but −Inf: the whole row is NaN. (Tested at the writes: a return here would leave the
  // barrier below in what WGSL's uniformity analysis counts as non-uniform control flow.)
  let bad = is_nonfinite(m);

  var s = 0.0;
  for (var c = lid; c < cols; c += WG) {
    s += exp_nf(x[base + c] - m);
  }
  s = wg_sum(li, s);

  if (LOG == 1u) {
    let logS = log(s);
    for (var c = lid; c < cols; c += WG) {
      out[base + c] = select((x[base + c] - m) - logS, nan_f32(), bad);
    }
  } else {
    let inv = 1.0 / s;
    for (var c = lid; c < cols; c += WG) {
      out[base + c] = select(exp_nf(x[base + c] - m) * inv, nan_f32(), bad);
    }
  }
}
