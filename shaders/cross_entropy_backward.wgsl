// d logits of the per-row cross-entropy (shaders/cross_entropy.wgsl), one workgroup per row of (rows, classes):
//   loss = lse(x) − Σ_c q_c·x_c  with  q = (1−ε)·onehot(t) + ε/classes  and  Σ_c q_c = 1
//   ⇒ dx_c = gRow[r]·(softmax(x)_c − q_c),   softmax(x)_c = exp(x_c − m) / Σ_k exp(x_k − m),  m = max_k x_k
// Subtracting m keeps every exp ≤ 1 and the sum in [1, classes], so logits of any finite magnitude (±1e4) give
// finite gradients. Rows whose target is ignoreIndex get zeros; so do rows with a target outside [0, classes),
// which the forward already flagged, so they are not flagged twice. A row whose max is NaN or ±Inf
// (whose loss was NaN) gets NaN gradients.

// #include numerics
// #include row_reduce

override WG: u32 = 64u; // threads per row, a power of two (shaders/row_reduce.wgsl)
override ROWS: u32 = 1u; // rows per workgroup
override THREADS: u32 = 256u; // WG·ROWS (wgsl_reflect cannot read a product in @workgroup_size)

struct Params {
  rows: u32,
  classes: u32,
  ignoreIndex: i32,
  smoothing: f32,
}

@group(0) @binding(auto) var<uniform> params: Params;
@group(0) @binding(auto) var<storage, read> logits: array<f32>;
@group(0) @binding(auto) var<storage, read> targets: array<i32>;
@group(0) @binding(auto) var<storage, read> gRow: array<f32>;
@group(0) @binding(auto) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(THREADS)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let at = row_lane(wid, nwg, li, params.rows);
  let row = at.row;
  let lid = at.lane;
  let classes = select(0u, params.classes, at.live); // a row past the end reads and writes nothing
  let base = row * classes;
  let t = targets[row];

  // The reductions run for every row, ignored or not: branching on the loaded target before them would put the
  // barriers in non-uniform control flow. (A skipped row costs two wasted sweeps; ignored rows are rare.)
  var m = neg_inf_f32(); // the identity of max
  for (var c = lid; c < classes; c += WG) {
    m = max_nf(m, logits[base + c]);
  }
  m = wg_max(li, m);
  var s = 0.0;
  for (var c = lid; c < classes; c += WG) {
    s += exp_nf(logits[base + c] - m);
  }
  s = wg_sum(li, s);

  if (t == params.ignoreIndex || t < 0 || u32(t) >= classes) {
    for (var c = lid; c < classes; c += WG) {
      dx[base + c] = 0.0;
    }
    return;
  }
  if (is_nonfinite(m)) {
    for (var c = lid; c < classes; c += WG) {
      dx[base + c] = nan_f32();
    }
    return;
  }
  let eps = params.smoothing;
  let off = eps / f32(classes); // the smoothing mass every class gets
  let gr = gRow[row];
  let inv = 1.0 / s;
  for (var c = lid; c < classes; c += WG) {
    var q = off;
    if (c == u32(t)) {
      q += 1.0 - eps;
    }
    dx[base + c] = gr * (exp_nf(logits[base + c] - m) * inv - q);
  }
}
