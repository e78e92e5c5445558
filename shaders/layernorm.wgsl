// Layer normalisation of each row of x (rows, cols), then an affine map by weight and bias (cols); one workgroup
// per row. Writes the row's mean and rstd = 1 / sqrt(var + eps) for the backward.
//
// Variance is the population variance, computed by the corrected two-pass algorithm, which stays accurate when
// |mean| ≫ std (e.g. x ≈ 1e4 ± 1), where E[x²] - E[x]² would cancel to noise:
//   pass 1: m0  = Σ x / n                          (a first estimate of the mean)
//   pass 2: d   = Σ (x - m0),  q = Σ (x - m0)²      (deviations are small, so little is lost to rounding)
//           mean = m0 + d / n,  var = q / n - (d / n)²   (d/n corrects the rounding in m0; its square is tiny)
//   pass 3: out = ((x - m0) - d/n) · rstd · w + b
// Pass 3 subtracts m0 and the correction separately: mean rounded to float32 can be off by half an ulp of |mean|
// (5e-4 at 1e4), which would be a visible error when std ≈ 1, while x - m0 is nearly exact.
// A row holding a NaN or ±Inf is NaN throughout, mean and rstd included, as in PyTorch: its sum, hence m0, is
// then not finite (tested by bits, shaders/numerics.wgsl).

// #include numerics
// #include row_reduce

override WG: u32 = 256u; // threads per row, a power of two (shaders/row_reduce.wgsl)
override ROWS: u32 = 1u; // rows per workgroup
override THREADS: u32 = 256u; // WG·ROWS (wgsl_reflect cannot read a product in @workgroup_size)

struct Params {
  rows: u32,
  cols: u32,
  eps: f32,
}

@group(0) @binding(auto) var<uniform> params: Params;
@group(0) @binding(auto) var<storage, read> x: array<f32>;
@group(0) @binding(auto) var<storage, read> weight: array<f32>;
@group(0) @binding(auto) var<storage, read> bias: array<f32>;
@group(0) @binding(auto) var<storage, read_write> out: array<f32>;
@group(0) @binding(auto) var<storage, read_write> mean: array<f32>;
@group(0) @binding(auto) var<storage, read_write> rstd: array<f32>;

@compute @workgroup_size(THREADS)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let at = row_lane(wid, nwg, li, params.rows);
  let row = at.row;
  let lid = at.lane;
  let cols = select(0u, params.cols, at.live); // a row past the end reads and writes nothing
  let n = f32(params.cols);
  let base = row * cols;

  var s = 0.0;
  for (var c = lid; c < cols; c += WG) {
    s += x[base + c];
  }
  let m0 = wg_sum2(li, s, 0.0).x / n;
  // A NaN or ±Inf in the row (tested at the writes, so the barrier below stays in uniform control flow).
  let bad = is_nonfinite(m0);

  var d = 0.0;
  var q = 0.0;
  for (var c = lid; c < cols; c += WG) {
    let dev = x[base + c] - m0;
    d += dev;
    q += dev * dev;
  }
  let dq = wg_sum2(li, d, q);
  let shift = dq.x / n;
  let mu = m0 + shift; // saved for the backward
  let variance = max(dq.y / n - shift * shift, 0.0);
  // 1 / sqrt rather than inverseSqrt, whose precision WGSL leaves looser.
  let r = 1.0 / sqrt(variance + params.eps);

  for (var c = lid; c < cols; c += WG) {
    out[base + c] = select(((x[base + c] - m0) - shift) * r * weight[c] + bias[c], nan_f32(), bad);
  }
  if (lid == 0u && at.live) {
    mean[row] = select(mu, nan_f32(), bad);
    rstd[row] = select(r, nan_f32(), bad);
  }
}
