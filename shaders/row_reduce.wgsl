// Row reductions shared by the row kernels (softmax, layerNorm, cross-entropy and their backwards), which include
// this file.
//
// A workgroup of WG·ROWS threads handles ROWS rows with WG threads each (both overrides the including shader
// declares: WG a power of two, WG·ROWS ≤ MAX_WG): thread li works on row li / WG as lane li % WG. Short rows are
// packed ROWS to a workgroup because on SwiftShader every workgroup and every barrier has a fixed cost: LayerNorm
// over 512 rows of 32 ran about 10× faster as 32 workgroups of 16 rows than as 512 workgroups of one.
// Each function reduces one value per thread over its row's lanes with a tree, gives every lane the result, and
// must be called from uniform control flow (every thread of the workgroup, rows past the end included).

// #include numerics

const MAX_WG: u32 = 256u;

var<workgroup> redA: array<f32, MAX_WG>;
var<workgroup> redB: array<f32, MAX_WG>;

// The row max, NaN if any lane's value is NaN (max_nf, shaders/numerics.wgsl). li: local_invocation_index.
fn wg_max(li: u32, v: f32) -> f32 {
  let lane = li % WG;
  redA[li] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lane < s) {
      redA[li] = max_nf(redA[li], redA[li + s]);
    }
    workgroupBarrier();
  }
  let r = redA[li - lane];
  workgroupBarrier(); // the arrays are reused by the next reduction
  return r;
}

fn wg_sum(li: u32, v: f32) -> f32 {
  let lane = li % WG;
  redA[li] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lane < s) {
      redA[li] = redA[li] + redA[li + s];
    }
    workgroupBarrier();
  }
  let r = redA[li - lane];
  workgroupBarrier();
  return r;
}

// Two sums in one tree, e.g. Σx and Σx² or Σĝ and Σĝ·x̂.
fn wg_sum2(li: u32, a: f32, b: f32) -> vec2<f32> {
  let lane = li % WG;
  redA[li] = a;
  redB[li] = b;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lane < s) {
      redA[li] = redA[li] + redA[li + s];
      redB[li] = redB[li] + redB[li + s];
    }
    workgroupBarrier();
  }
  let r = vec2<f32>(redA[li - lane], redB[li - lane]);
  workgroupBarrier();
  return r;
}

// The row this thread works on and its lane: row = workgroup · ROWS + li / WG (the grid may be folded into y,
// ctx.grid1d). `live` is false for the threads of rows past the end, which still take part in every barrier.
struct RowLane {
  row: u32,
  lane: u32,
  live: bool,
}

fn row_lane(wid: vec3<u32>, nwg: vec3<u32>, li: u32, rows: u32) -> RowLane {
  let r = (wid.x + wid.y * nwg.x) * ROWS + li / WG;
  return RowLane(min(r, max(rows, 1u) - 1u), li % WG, r < rows);
}
