// The backward of layerNorm over rows of (rows, cols), from the forward's saved per-row mean and rstd:
//   x̂ = (x − mean)·rstd,  y = x̂·w + b,  ĝ = g⊙w = ∂L/∂x̂
//   dx      = rstd·(ĝ − mean_c(ĝ) − x̂·mean_c(ĝ⊙x̂))     (mean and rstd depend on every x of the row)
//   dweight = Σ_rows g⊙x̂,   dbias = Σ_rows g           (column sums)
//
// One dispatch does both jobs, split by workgroup (a uniform branch, so the barriers stay legal):
//   workgroups [0, rowGroups)                     : ROWS rows each (shaders/row_reduce.wgsl), the two row sums
//                                                   by a tree reduction, then dx.
//   workgroups [rowGroups, rowGroups + colTiles)  : one per tile of TC columns. Its WG·ROWS threads are TC columns
//                                                   × (WG·ROWS/TC) row lanes; lane l sums rows l, l + lanes, … of
//                                                   its column, then the lanes are added in a fixed order.
//                                                   Consecutive threads read consecutive columns.
// Every sum runs in a fixed order, so the result is deterministic (no atomics). The column sums accumulate in
// float32 over all rows; the CPU oracle uses doubles, hence the looser tolerance on dweight and dbias.

// #include numerics
// #include row_reduce

override WG: u32 = 64u; // threads per row, a power of two (shaders/row_reduce.wgsl); WG·ROWS a multiple of TC
override ROWS: u32 = 1u; // rows per workgroup
override THREADS: u32 = 256u; // WG·ROWS (wgsl_reflect cannot read a product in @workgroup_size)
// TC, the columns per column-sum workgroup, is a const generated from LN_BACKWARD_TC (layernorm.ts).

struct Params {
  rows: u32,
  cols: u32,
}

@group(0) @binding(auto) var<uniform> params: Params;
@group(0) @binding(auto) var<storage, read> x: array<f32>;
@group(0) @binding(auto) var<storage, read> weight: array<f32>;
@group(0) @binding(auto) var<storage, read> mean: array<f32>;
@group(0) @binding(auto) var<storage, read> rstd: array<f32>;
@group(0) @binding(auto) var<storage, read> g: array<f32>;
@group(0) @binding(auto) var<storage, read_write> dx: array<f32>;
@group(0) @binding(auto) var<storage, read_write> dweight: array<f32>;
@group(0) @binding(auto) var<storage, read_write> dbias: array<f32>;

fn row_dx(at: RowLane, li: u32) {
  let row = at.row;
  let lid = at.lane;
  let cols = select(0u, params.cols, at.live); // a row past the end reads and writes nothing
  let base = row * cols;
  let mu = mean[row];
  let rs = rstd[row];
  var sumGh = 0.0; // Σ_c ĝ_c
  var sumGhXh = 0.0; // Σ_c ĝ_c·x̂_c
  for (var c = lid; c < cols; c += WG) {
    let gh = g[base + c] * weight[c];
    sumGh += gh;
    sumGhXh += gh * ((x[base + c] - mu) * rs);
  }
  let sums = wg_sum2(li, sumGh, sumGhXh);
  let n = f32(params.cols);
  let meanGh = sums.x / n;
  let meanGhXh = sums.y / n;
  for (var c = lid; c < cols; c += WG) {
    let xh = (x[base + c] - mu) * rs;
    dx[base + c] = rs * (g[base + c] * weight[c] - meanGh - xh * meanGhXh);
  }
}

fn column_sums(tile: u32, lid: u32) {
  let lanes = WG * ROWS / TC;
  let col = tile * TC + lid % TC;
  let lane = lid / TC;
  let cols = params.cols;
  var sw = 0.0; // this lane's share of Σ_rows g⊙x̂
  var sb = 0.0; // and of Σ_rows g
  if (col < cols) {
    for (var r = lane; r < params.rows; r += lanes) {
      let gv = g[r * cols + col];
      sw += gv * ((x[r * cols + col] - mean[r]) * rstd[r]);
      sb += gv;
    }
  }
  redA[lid] = sw;
  redB[lid] = sb;
  workgroupBarrier();
  // Lane 0 of each column adds the other lanes in lane order: a fixed order, so bit-for-bit repeatable.
  if (lane == 0u && col < cols) {
    var tw = 0.0;
    var tb = 0.0;
    for (var l = 0u; l < lanes; l++) {
      tw += redA[l * TC + lid];
      tb += redB[l * TC + lid];
    }
    dweight[col] = tw;
    dbias[col] = tb;
  }
}

@compute @workgroup_size(THREADS)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let w = wid.x + wid.y * nwg.x; // the grid may be folded into y (ctx.grid1d)
  let rowGroups = (params.rows + ROWS - 1u) / ROWS;
  let colTiles = (params.cols + TC - 1u) / TC;
  if (w < rowGroups) {
    row_dx(row_lane(wid, nwg, li, params.rows), li);
  } else if (w < rowGroups + colTiles) {
    column_sums(w - rowGroups, li);
  }
}
