// Per-row cross-entropy of logits (rows, classes) against int32 targets (rows), with label smoothing ε; one
// workgroup per row. With z_c = x_c - m (m the row max) and lse = log Σ_c exp(z_c):
//   loss = -Σ_c q_c · log_softmax(x)_c,   q = (1-ε)·onehot(t) + ε/classes,   log_softmax(x)_c = z_c - lse
//        = lse - (1-ε)·z_t - (ε/classes)·Σ_c z_c          (because Σ_c q_c = 1)
// Working with z keeps every term small and finite for logits of any finite magnitude (no m + lse - x_t
// cancellation at ±1e4). Rows whose target is ignoreIndex give loss 0 and counted 0. A target outside
// [0, classes) that is not ignoreIndex gives loss 0, counted 0, and sets the error slot ERROR_CROSS_ENTROPY_TARGET
// (generated from ERROR_SLOTS in engine/backend/gpu/context.ts), which the next read() raises.
// Non-finite logits follow PyTorch: a row whose max is NaN or ±Inf (a NaN or +Inf anywhere, or all −Inf) has loss
// NaN; a −Inf logit elsewhere takes no probability, and at the target makes the loss +Inf.

// #include numerics
// #include row_reduce

override WG: u32 = 256u; // threads per row, a power of two (shaders/row_reduce.wgsl)
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
@group(0) @binding(auto) var<storage, read_write> loss: array<f32>;
@group(0) @binding(auto) var<storage, read_write> counted: array<f32>;
@group(0) @binding(auto) var<storage, read_write> errors: array<atomic<u32>>;

@compute @workgroup_size(THREADS)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let at = row_lane(wid, nwg, li, params.rows);
  let row = at.row;
  let lid = at.lane;
  let classes = select(0u, params.classes, at.live); // a row past the end reads and writes nothing
  let base = row * classes;

  // The reductions run for every row, ignored or not: branching on the loaded target before them would put the
  // barriers in non-uniform control flow. Only thread 0 looks at the target.
  var m = neg_inf_f32(); // the identity of max
  for (var c = lid; c < classes; c += WG) {
    m = max_nf(m, logits[base + c]);
  }
  m = wg_max(li, m);

  var sumExp = 0.0;
  var sumZ = 0.0;
  for (var c = lid; c < classes; c += WG) {
    let z = logits[base + c] - m;
    sumExp += exp_nf(z);
    sumZ += z;
  }
  let sums = wg_sum2(li, sumExp, sumZ);

  if (lid != 0u || !at.live) {
    return;
  }
  let t = targets[row];
  if (t == params.ignoreIndex) {
    loss[row] = 0.0;
    counted[row] = 0.0;
    return;
  }
  if (t < 0 || u32(t) >= classes) {
    atomicOr(&errors[ERROR_CROSS_ENTROPY_TARGET], 1u);
    loss[row] = 0.0;
    counted[row] = 0.0;
    return;
  }
  counted[row] = 1.0;
  if (is_nonfinite(m)) {
    loss[row] = nan_f32();
    return;
  }
  let eps = params.smoothing;
  let lse = log(sums.x); // sums.x ≥ 1: the max term contributes exp(0)
  let zt = logits[base + u32(t)] - m;
  var l = lse - (1.0 - eps) * zt;
  if (eps != 0.0) {
    l -= eps / f32(classes) * sums.y;
  }
  loss[row] = l;
}
