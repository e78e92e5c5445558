// C = A @ B for (batch, M, K) @ (batch, K, N) → (batch, M, N), float32, row-major: the vec4 fast path.
// Used when K, N and both batch strides are multiples of 4 (every row of A and B then starts on a vec4, so both
// bind as array<vec4<f32>>) and M is not tiny. engine/backend/gpu/matmul.ts picks this or matmul_general.wgsl.
//
// Register blocking, no workgroup memory. Each invocation owns a 32×16 block of C: 32 rows, each a Row of four
// vec4 accumulators. One trip of the K loop consumes 4 steps of K (k = 4·trip):
//   one Tile of B  = B[k..k+3][c..c+15]        16 vec4 loads, (4, 16)
//   per row r:       A[r][k..k+3]             1 vec4 load
//                    acc[r] += A[r][k..k+3] · Tile   16 vec4 multiply-adds
// so a trip does 48 vec4 loads for 512 vec4 multiply-adds. Why this shape (measured on SwiftShader, bench/):
//   - SwiftShader runs invocations as 4-wide SIMD on a CPU; every storage load is a per-lane gather and bounds
//     check, so the kernel is bound by loads, and the block is sized to feed as many FMAs per load as possible.
//   - Tall beats wide: A's vec4 is contiguous in a row, while B's Tile spans 4 rows (4 cache lines), so a taller
//     block (more A loads, fewer Tiles per FMA) wins: 32×16 ≈ 4.2 GFLOPS, 16×32 ≈ 4.1, 16×16 ≈ 3.4, 8×8 ≈ 2.9.
//   - Workgroup memory is no faster than the storage buffer on a CPU, and barriers split the SIMD groups, so
//     tfjs-style shared tiles only add work here.
// Tint does not unroll loops, so the 32 row updates of a trip are written out by hand; acc and aRow are arrays
// indexed by constants only, which SwiftShader keeps as direct addresses.
//
// Edges: rows past M and vec4 columns past N/4 are clamped to the last valid one when loading (valid memory,
// values discarded) and skipped when storing, so the K loop has no branches.

override WG_X: u32 = 4u;
override WG_Y: u32 = 4u;

const ROWS = 32u; // rows of C per invocation
const COLS4 = 4u; // vec4 columns of C per invocation (16 floats)

struct Params {
  M: u32,
  N: u32,
  K: u32,
  aBatchStride: u32, // in floats; 0 broadcasts one A over the batch
  bBatchStride: u32,
  // This dispatch's offset in the full grid, in workgroups: a grid over the per-dimension limit is split into
  // several dispatches (matmul.ts).
  wgOffset: vec3<u32>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<vec4<f32>>; // (batch, M, K/4)
@group(0) @binding(2) var<storage, read> b: array<vec4<f32>>; // (batch, K, N/4)
@group(0) @binding(3) var<storage, read_write> out: array<vec4<f32>>; // (batch, M, N/4)

// 16 consecutive columns of one row: C's accumulators, or one row of a B tile.
struct Row {
  c0: vec4<f32>,
  c1: vec4<f32>,
  c2: vec4<f32>,
  c3: vec4<f32>,
}

// B[k..k+3][c..c+15]: the 4 rows of B that one trip of the K loop consumes.
struct Tile {
  k0: Row,
  k1: Row,
  k2: Row,
  k3: Row,
}

// The 16 columns of B row `start` (vec4 index of column 0 of the block) at the clamped vec4 columns `c`.
fn loadRow(start: u32, c: vec4<u32>) -> Row {
  return Row(b[start + c.x], b[start + c.y], b[start + c.z], b[start + c.w]);
}

// acc + Σ_j av[j] · B[k+j][:]: one row of C advanced by 4 steps of K (16 vec4 multiply-adds).
fn rowStep(acc: Row, av: vec4<f32>, t: Tile) -> Row {
  return Row(
    acc.c0 + av.x * t.k0.c0 + av.y * t.k1.c0 + av.z * t.k2.c0 + av.w * t.k3.c0,
    acc.c1 + av.x * t.k0.c1 + av.y * t.k1.c1 + av.z * t.k2.c1 + av.w * t.k3.c1,
    acc.c2 + av.x * t.k0.c2 + av.y * t.k1.c2 + av.z * t.k2.c2 + av.w * t.k3.c2,
    acc.c3 + av.x * t.k0.c3 + av.y * t.k1.c3 + av.z * t.k2.c3 + av.w * t.k3.c3,
  );
}

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let g = wid + params.wgOffset;
  let batch = g.z;
  let col4 = (g.x * WG_X + lid.x) * COLS4; // first vec4 column of this block
  let row = (g.y * WG_Y + lid.y) * ROWS; // first row of this block
  let M = params.M;
  let N4 = params.N / 4u;
  let K4 = params.K / 4u;
  if (row >= M || col4 >= N4) {
    return;
  }

  // Where each of the 32 rows of A starts, in vec4s, with rows past M clamped to the last one.
  let aBase = batch * (params.aBatchStride / 4u);
  var aRow: array<u32, ROWS>;
  for (var r = 0u; r < ROWS; r++) {
    aRow[r] = aBase + min(row + r, M - 1u) * K4;
  }
  let c = min(vec4<u32>(col4) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(N4 - 1u));
  var bk = batch * (params.bBatchStride / 4u); // start of B row k, in vec4s

  var acc: array<Row, ROWS>; // zero-initialised
  for (var k = 0u; k < K4; k++) {
    let t = Tile(loadRow(bk, c), loadRow(bk + N4, c), loadRow(bk + 2u * N4, c), loadRow(bk + 3u * N4, c));
    bk += 4u * N4;
    acc[0] = rowStep(acc[0], a[aRow[0] + k], t);
    acc[1] = rowStep(acc[1], a[aRow[1] + k], t);
    acc[2] = rowStep(acc[2], a[aRow[2] + k], t);
    acc[3] = rowStep(acc[3], a[aRow[3] + k], t);
    acc[4] = rowStep(acc[4], a[aRow[4] + k], t);
    acc[5] = rowStep(acc[5], a[aRow[5] + k], t);
    acc[6] = rowStep(acc[6], a[aRow[6] + k], t);
    acc[7] = rowStep(acc[7], a[aRow[7] + k], t);
    acc[8] = rowStep(acc[8], a[aRow[8] + k], t);
    acc[9] = rowStep(acc[9], a[aRow[9] + k], t);
    acc[10] = rowStep(acc[10], a[aRow[10] + k], t);
    acc[11] = rowStep(acc[11], a[aRow[11] + k], t);
    acc[12] = rowStep(acc[12], a[aRow[12] + k], t);
    acc[13] = rowStep(acc[13], a[aRow[13] + k], t);
    acc[14] = rowStep(acc[14], a[aRow[14] + k], t);
    acc[15] = rowStep(acc[15], a[aRow[15] + k], t);
    acc[16] = rowStep(acc[16], a[aRow[16] + k], t);
    acc[17] = rowStep(acc[17], a[aRow[17] + k], t);
    acc[18] = rowStep(acc[18], a[aRow[18] + k], t);
    acc[19] = rowStep(acc[19], a[aRow[19] + k], t);
    acc[20] = rowStep(acc[20], a[aRow[20] + k], t);
    acc[21] = rowStep(acc[21], a[aRow[21] + k], t);
    acc[22] = rowStep(acc[22], a[aRow[22] + k], t);
    acc[23] = rowStep(acc[23], a[aRow[23] + k], t);
    acc[24] = rowStep(acc[24], a[aRow[24] + k], t);
    acc[25] = rowStep(acc[25], a[aRow[25] + k], t);
    acc[26] = rowStep(acc[26], a[aRow[26] + k], t);
    acc[27] = rowStep(acc[27], a[aRow[27] + k], t);
    acc[28] = rowStep(acc[28], a[aRow[28] + k], t);
    acc[29] = rowStep(acc[29], a[aRow[29] + k], t);
    acc[30] = rowStep(acc[30], a[aRow[30] + k], t);
    acc[31] = rowStep(acc[31], a[aRow[31] + k], t);
  }

  // Store the rows and vec4 columns that exist.
  let o = (batch * M + row) * N4 + col4;
  let nRows = min(ROWS, M - row);
  let nCols = min(COLS4, N4 - col4);
  for (var r = 0u; r < nRows; r++) {
    let i = o + r * N4;
    out[i] = acc[r].c0;
    if (nCols > 1u) { out[i + 1u] = acc[r].c1; }
    if (nCols > 2u) { out[i + 2u] = acc[r].c2; }
    if (nCols > 3u) { out[i + 3u] = acc[r].c3; }
  }
}
