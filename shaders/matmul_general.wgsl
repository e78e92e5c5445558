// C = act(A @ B + bias), float32: the general path of the software variant (engine/backend/gpu/matmul.ts), for
// any M, N, K and any strides: transposed operands (x @ Wᵀ, gᵀ @ x), head-split views, slices, broadcast
// batches. matmul.wgsl is the vec4 path for row-contiguous, vec4-aligned operands. Params, batch_starts and the
// epilogue come from matmul_common.wgsl.
//
// The same register blocking as matmul.wgsl: each invocation owns ROWS × 16 of C (ROWS Rows of four vec4
// accumulators; ROWS = 32, or 8 when M is small and a 32-row block would mostly compute discarded rows). A and B
// are bound as scalars and read through their strides: A[r][k..k+3] is gathered into a vec4 and each B row's 16
// columns into a Row. On SwiftShader a scalar load costs about what one lane of a vec4 load does (both are
// per-lane gathers), and measured at 512³ this kernel ran within 10-20% of the vec4 one in all four layouts (NN,
// NT, TN, TT), so one kernel serves them all. One trip of the main K loop consumes 4 steps of K; the last K mod 4
// run one at a time in a tail loop. The trip's row updates are unrolled by the template.
//
// Edges: rows past M and columns past N are clamped to the last valid one when loading (valid memory, values
// discarded) and skipped when storing, so the K loops have no branches.

// #include matmul_common

override WG_X: u32 = 4u;
override WG_Y: u32 = 4u;

const ROWS = {{ROWS}}u; // rows of C per invocation
const COLS = 16u; // columns of C per invocation

@group(0) @binding(auto) var<storage, read> a: array<f32>;
@group(0) @binding(auto) var<storage, read> b: array<f32>;
@group(0) @binding(auto) var<storage, read_write> out: array<f32>; // (batch…, M, N)

// 16 consecutive columns of one row: C's accumulators, or one row of B.
struct Row {
  c0: vec4<f32>,
  c1: vec4<f32>,
  c2: vec4<f32>,
  c3: vec4<f32>,
}

// B[k..k+3][16 columns].
struct Tile {
  k0: Row,
  k1: Row,
  k2: Row,
  k3: Row,
}

// Element offsets (column · bColStride) of the block's 16 clamped columns.
struct Cols {
  j0: vec4<u32>,
  j1: vec4<u32>,
  j2: vec4<u32>,
  j3: vec4<u32>,
}

fn load4(start: u32, j: vec4<u32>) -> vec4<f32> {
  return vec4<f32>(b[start + j.x], b[start + j.y], b[start + j.z], b[start + j.w]);
}

// The block's 16 columns of the B row that starts at `start`.
fn loadRow(start: u32, j: Cols) -> Row {
  return Row(load4(start, j.j0), load4(start, j.j1), load4(start, j.j2), load4(start, j.j3));
}

// A[r][k..k+3] from the element offset i of A[r][k] (s: aColStride).
fn loadA4(i: u32, s: u32) -> vec4<f32> {
  return vec4<f32>(a[i], a[i + s], a[i + 2u * s], a[i + 3u * s]);
}

// acc + Σ_j av[j] · B[k+j][:]: one row of C advanced by 4 steps of K.
fn rowStep(acc: Row, av: vec4<f32>, t: Tile) -> Row {
  return Row(
    acc.c0 + av.x * t.k0.c0 + av.y * t.k1.c0 + av.z * t.k2.c0 + av.w * t.k3.c0,
    acc.c1 + av.x * t.k0.c1 + av.y * t.k1.c1 + av.z * t.k2.c1 + av.w * t.k3.c1,
    acc.c2 + av.x * t.k0.c2 + av.y * t.k1.c2 + av.z * t.k2.c2 + av.w * t.k3.c2,
    acc.c3 + av.x * t.k0.c3 + av.y * t.k1.c3 + av.z * t.k2.c3 + av.w * t.k3.c3,
  );
}

// acc + av · B[k][:]: one row of C advanced by a single step of K (the tail).
fn rowStep1(acc: Row, av: f32, bk: Row) -> Row {
  return Row(acc.c0 + av * bk.c0, acc.c1 + av * bk.c1, acc.c2 + av * bk.c2, acc.c3 + av * bk.c3);
}

// Column q (0..15) of a Row.
fn pick(r: Row, q: u32) -> f32 {
  let v = select(select(r.c3, r.c2, q < 12u), select(r.c1, r.c0, q < 4u), q < 8u);
  return v[q & 3u];
}

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let g = wid + params.wgOffset;
  let batch = g.z;
  let col = (g.x * WG_X + lid.x) * COLS; // first column of this block
  let row = (g.y * WG_Y + lid.y) * ROWS; // first row of this block
  let M = params.M;
  let N = params.N;
  let K = params.K;
  if (row >= M || col >= N) {
    return;
  }

  // Where each row of A starts, with rows past M clamped to the last one.
  let starts = batch_starts(batch);
  var aRow: array<u32, ROWS>;
  for (var r = 0u; r < ROWS; r++) {
    aRow[r] = starts.x + min(row + r, M - 1u) * params.aRowStride;
  }
  let last = vec4<u32>(N - 1u);
  let bcs = params.bColStride;
  let j = Cols(
    min(vec4<u32>(col) + vec4<u32>(0u, 1u, 2u, 3u), last) * bcs,
    min(vec4<u32>(col) + vec4<u32>(4u, 5u, 6u, 7u), last) * bcs,
    min(vec4<u32>(col) + vec4<u32>(8u, 9u, 10u, 11u), last) * bcs,
    min(vec4<u32>(col) + vec4<u32>(12u, 13u, 14u, 15u), last) * bcs,
  );
  let acs = params.aColStride;
  let brs = params.bRowStride;
  var bk = starts.y; // start of B row k
  var ak = 0u; // k · aColStride

  var acc: array<Row, ROWS>; // zero-initialised
// @if SUM_A
  var rowSum: array<f32, ROWS>; // Σ_k A[r][k]
// @endif
  let K4 = K & ~3u; // K rounded down to a multiple of 4
  var k = 0u;
  for (; k < K4; k += 4u) {
    let t = Tile(loadRow(bk, j), loadRow(bk + brs, j), loadRow(bk + 2u * brs, j), loadRow(bk + 3u * brs, j));
    bk += 4u * brs;
// @unroll R ROWS
    {
      let av = loadA4(aRow[{{R}}] + ak, acs);
      acc[{{R}}] = rowStep(acc[{{R}}], av, t);
// @if SUM_A
      rowSum[{{R}}] += (av.x + av.y) + (av.z + av.w);
// @endif
    }
// @end
    ak += 4u * acs;
  }
  for (; k < K; k++) {
    let t = loadRow(bk, j);
    bk += brs;
// @unroll R ROWS
    {
      let av = a[aRow[{{R}}] + ak];
      acc[{{R}}] = rowStep1(acc[{{R}}], av, t);
// @if SUM_A
      rowSum[{{R}}] += av;
// @endif
    }
// @end
    ak += acs;
  }

  // Store the rows and columns that exist, through the epilogue.
  let o = (batch * M + row) * N + col;
  let nRows = min(ROWS, M - row);
  let nCols = min(COLS, N - col);
  for (var r = 0u; r < nRows; r++) {
    let cr = acc[r];
    for (var q = 0u; q < nCols; q++) {
      out[o + r * N + q] = epilogue(pick(cr, q), col + q);
    }
// @if SUM_A
    if (col == 0u) {
      sumA[row + r] = rowSum[r];
    }
// @endif
  }
}
