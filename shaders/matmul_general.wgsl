// C = A @ B for (batch, M, K) @ (batch, K, N) → (batch, M, N), float32, row-major: the general path, for any
// M, N, K and batch strides. matmul.wgsl is the faster vec4 path, taken when K, N and the strides are multiples
// of 4 and M is not tiny; this one also serves small M (a 32-row block would mostly compute discarded rows).
//
// The same register blocking as matmul.wgsl, on a smaller block: each invocation owns 8 rows × 16 columns of C
// (8 Rows of four vec4 accumulators). A and B are bound as scalars so rows may start anywhere: A[r][k..k+3] is
// gathered into a vec4 and each B row's 16 columns into a Row. One trip of the main K loop consumes 4 steps
// of K with 128 vec4 multiply-adds; the last K mod 4 steps run one at a time in a tail loop. On SwiftShader a
// scalar load costs about what one lane of a vec4 load does (both are per-lane gathers), so this path is slower
// than the vec4 one mainly by its smaller block. Tint does not unroll loops, so the trip is written out by hand.
//
// Edges: rows past M and columns past N are clamped to the last valid one when loading (valid memory, values
// discarded) and skipped when storing, so the K loops have no branches.

override WG_X: u32 = 4u;
override WG_Y: u32 = 4u;

const ROWS = 8u; // rows of C per invocation
const COLS = 16u; // columns of C per invocation

struct Params {
  M: u32,
  N: u32,
  K: u32,
  aBatchStride: u32, // in floats; 0 broadcasts one A over the batch
  bBatchStride: u32,
  wgOffset: vec3<u32>, // this dispatch's offset in the full grid, in workgroups (matmul.ts splits big grids)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>; // (batch, M, K)
@group(0) @binding(2) var<storage, read> b: array<f32>; // (batch, K, N)
@group(0) @binding(3) var<storage, read_write> out: array<f32>; // (batch, M, N)

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

// Clamped column indices of the block, 16 of them.
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

// A[i..i+3], 4 consecutive values of one row.
fn loadA4(i: u32) -> vec4<f32> {
  return vec4<f32>(a[i], a[i + 1u], a[i + 2u], a[i + 3u]);
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

  // Where each of the 8 rows of A starts, with rows past M clamped to the last one.
  let aBase = batch * params.aBatchStride;
  var aRow: array<u32, ROWS>;
  for (var r = 0u; r < ROWS; r++) {
    aRow[r] = aBase + min(row + r, M - 1u) * K;
  }
  let last = vec4<u32>(N - 1u);
  let j = Cols(
    min(vec4<u32>(col) + vec4<u32>(0u, 1u, 2u, 3u), last),
    min(vec4<u32>(col) + vec4<u32>(4u, 5u, 6u, 7u), last),
    min(vec4<u32>(col) + vec4<u32>(8u, 9u, 10u, 11u), last),
    min(vec4<u32>(col) + vec4<u32>(12u, 13u, 14u, 15u), last),
  );
  var bk = batch * params.bBatchStride; // start of B row k

  var acc: array<Row, ROWS>; // zero-initialised
  let K4 = K & ~3u; // K rounded down to a multiple of 4
  var k = 0u;
  for (; k < K4; k += 4u) {
    let t = Tile(loadRow(bk, j), loadRow(bk + N, j), loadRow(bk + 2u * N, j), loadRow(bk + 3u * N, j));
    bk += 4u * N;
    acc[0] = rowStep(acc[0], loadA4(aRow[0] + k), t);
    acc[1] = rowStep(acc[1], loadA4(aRow[1] + k), t);
    acc[2] = rowStep(acc[2], loadA4(aRow[2] + k), t);
    acc[3] = rowStep(acc[3], loadA4(aRow[3] + k), t);
    acc[4] = rowStep(acc[4], loadA4(aRow[4] + k), t);
    acc[5] = rowStep(acc[5], loadA4(aRow[5] + k), t);
    acc[6] = rowStep(acc[6], loadA4(aRow[6] + k), t);
    acc[7] = rowStep(acc[7], loadA4(aRow[7] + k), t);
  }
  for (; k < K; k++) {
    let t = loadRow(bk, j);
    bk += N;
    acc[0] = rowStep1(acc[0], a[aRow[0] + k], t);
    acc[1] = rowStep1(acc[1], a[aRow[1] + k], t);
    acc[2] = rowStep1(acc[2], a[aRow[2] + k], t);
    acc[3] = rowStep1(acc[3], a[aRow[3] + k], t);
    acc[4] = rowStep1(acc[4], a[aRow[4] + k], t);
    acc[5] = rowStep1(acc[5], a[aRow[5] + k], t);
    acc[6] = rowStep1(acc[6], a[aRow[6] + k], t);
    acc[7] = rowStep1(acc[7], a[aRow[7] + k], t);
  }

  // Store the rows and columns that exist.
  let o = (batch * M + row) * N + col;
  let nRows = min(ROWS, M - row);
  let nCols = min(COLS, N - col);
  for (var r = 0u; r < nRows; r++) {
    let cr = acc[r];
    for (var q = 0u; q < nCols; q++) {
      out[o + r * N + q] = pick(cr, q);
    }
  }
}

// Column q (0..15) of a Row.
fn pick(r: Row, q: u32) -> f32 {
  let v = select(select(r.c3, r.c2, q < 12u), select(r.c1, r.c0, q < 4u), q < 8u);
  return v[q & 3u];
}
