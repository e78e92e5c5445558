// C = act(A @ B + bias), float32: the vec4 fast path of the software variant (engine/backend/gpu/matmul.ts), for
// operands that can be read as vec4s: A along its rows (K-contiguous) or, with A_T, along its columns (A stored
// transposed, as gᵀ in dW = gᵀ @ x); B along its rows (N-contiguous) or, with B_T, along its columns (B stored
// transposed, as Wᵀ in x @ Wᵀ). Every vec4 starts on a vec4 boundary (matmul.ts checks strides, offsets, K and N
// and, for A_T, M), and M is not tiny. matmul_general.wgsl takes every other layout. Params, batch_starts and
// the epilogue come from matmul_common.wgsl.
//
// Register blocking, no workgroup memory. Each invocation owns a ROWS×16 block of C (ROWS = 32, or 8 for small
// outputs, where 32-row blocks would leave too few invocations to share out): ROWS rows, each a Row of four vec4
// accumulators. One trip of the K loop consumes 4 steps of K (k = 4·trip):
//   one Tile of B  = B[k..k+3][c..c+15]        16 vec4 loads, (4, 16)
//   per row r:       A[r][k..k+3]             1 vec4 load (A_T: one vec4 load of 4 rows per k, ROWS per trip)
//                    acc[r] += A[r][k..k+3] · Tile   16 vec4 multiply-adds
// so a trip does 48 vec4 loads for 512 vec4 multiply-adds. A transposed operand is loaded as vec4s along its
// contiguous dim and transposed in registers, 4×4 at a time: as many loads as the plain layout, plus shuffles.
// Why this shape (measured on SwiftShader, bench/):
//   - SwiftShader runs invocations as 4-wide SIMD on a CPU; every storage load is a per-lane gather and bounds
//     check, so the kernel is bound by loads, and the block is sized to feed as many FMAs per load as possible.
//   - Tall beats wide: A's vec4 is contiguous in a row, while B's Tile spans 4 rows (4 cache lines), so a taller
//     block (more A loads, fewer Tiles per FMA) wins: 32×16 ≈ 4.2 GFLOPS, 16×32 ≈ 4.1, 16×16 ≈ 3.4, 8×8 ≈ 2.9.
//   - Workgroup memory is no faster than the storage buffer on a CPU, and barriers split the SIMD groups, so
//     tfjs-style shared tiles only add work here.
// The ROWS row updates of a trip are unrolled by the template (Tint does not unroll loops); acc and aRow are arrays
// indexed by constants only, which SwiftShader keeps as direct addresses.
//
// Edges: rows past M and columns past N are clamped to the last valid ones when loading (valid memory, values
// discarded) and skipped when storing, so the K loop has no branches.

// #include matmul_common

override WG_X: u32 = 4u;
override WG_Y: u32 = 4u;

const ROWS = {{ROWS}}u; // rows of C per invocation
const COLS4 = 4u; // vec4 columns of C per invocation (16 floats)

@group(0) @binding(auto) var<storage, read> a: array<vec4<f32>>; // A's rows (A_T: its columns) as vec4s
@group(0) @binding(auto) var<storage, read> b: array<vec4<f32>>; // B's rows (B_T: its columns) as vec4s
@group(0) @binding(auto) var<storage, read_write> out: array<vec4<f32>>; // (batch…, M, N/4)

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

// Row i (0..3) of the 4×4 block whose columns are u0..u3: (u0[i], u1[i], u2[i], u3[i]), one function per i so
// that every component is a constant swizzle.
fn tr0(u0: vec4<f32>, u1: vec4<f32>, u2: vec4<f32>, u3: vec4<f32>) -> vec4<f32> {
  return vec4<f32>(u0.x, u1.x, u2.x, u3.x);
}
fn tr1(u0: vec4<f32>, u1: vec4<f32>, u2: vec4<f32>, u3: vec4<f32>) -> vec4<f32> {
  return vec4<f32>(u0.y, u1.y, u2.y, u3.y);
}
fn tr2(u0: vec4<f32>, u1: vec4<f32>, u2: vec4<f32>, u3: vec4<f32>) -> vec4<f32> {
  return vec4<f32>(u0.z, u1.z, u2.z, u3.z);
}
fn tr3(u0: vec4<f32>, u1: vec4<f32>, u2: vec4<f32>, u3: vec4<f32>) -> vec4<f32> {
  return vec4<f32>(u0.w, u1.w, u2.w, u3.w);
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

  let starts = batch_starts(batch) / 4u; // where A[batch] and B[batch] start, in vec4s
// @if A_T
  // Column k of A (A[·][k], contiguous) starts at vec4 starts.x + k·aStep; this block's rows are ROWS / 4 vec4s
  // of it, groups past M clamped to the last whole one (M is a multiple of 4).
  let aStep = params.aColStride / 4u;
  var aCol: array<u32, {{ROWS / 4}}>;
  for (var q = 0u; q < {{ROWS / 4}}u; q++) {
    aCol[q] = starts.x + min(row + 4u * q, M - 4u) / 4u;
  }
// @else
  // Where each row of A starts, in vec4s, with rows past M clamped to the last one.
  let aStep = params.aRowStride / 4u;
  var aRow: array<u32, ROWS>;
  for (var r = 0u; r < ROWS; r++) {
    aRow[r] = starts.x + min(row + r, M - 1u) * aStep;
  }
// @endif
// @if B_T
  // Column n of B (B[·][n], contiguous along k) starts at vec4 starts.y + n·bStep; the block's 16 columns,
  // clamped to N − 1.
  let bStep = params.bColStride / 4u;
  var bCol: array<u32, 16>;
  for (var j = 0u; j < 16u; j++) {
    bCol[j] = starts.y + min(col4 * 4u + j, params.N - 1u) * bStep;
  }
// @else
  let c = min(vec4<u32>(col4) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(N4 - 1u));
  let bStep = params.bRowStride / 4u; // one row of B, in vec4s
  var bk = starts.y; // start of B row k, in vec4s
// @endif

  var acc: array<Row, ROWS>; // zero-initialised
// @if SUM_A
  var rowSum: array<vec4<f32>, ROWS>; // Σ_k A[r][k], four partial sums per row
// @endif
  for (var k = 0u; k < K4; k++) {
// @if B_T
    // B[k..k+3][n] for the 16 columns n, then transposed 4×4 at a time into the Tile's rows.
// @unroll J 16
    let u{{J}} = b[bCol[{{J}}] + k];
// @end
    let t = Tile(
      Row(tr0(u0, u1, u2, u3), tr0(u4, u5, u6, u7), tr0(u8, u9, u10, u11), tr0(u12, u13, u14, u15)),
      Row(tr1(u0, u1, u2, u3), tr1(u4, u5, u6, u7), tr1(u8, u9, u10, u11), tr1(u12, u13, u14, u15)),
      Row(tr2(u0, u1, u2, u3), tr2(u4, u5, u6, u7), tr2(u8, u9, u10, u11), tr2(u12, u13, u14, u15)),
      Row(tr3(u0, u1, u2, u3), tr3(u4, u5, u6, u7), tr3(u8, u9, u10, u11), tr3(u12, u13, u14, u15)),
    );
// @else
    let t = Tile(loadRow(bk, c), loadRow(bk + bStep, c), loadRow(bk + 2u * bStep, c), loadRow(bk + 3u * bStep, c));
    bk += 4u * bStep;
// @endif
// @if A_T
    // A[rows 4q..4q+3][k..k+3] from columns k..k+3 of A, transposed 4×4.
    let a0 = 4u * k * aStep; // column 4k, relative to column 0
// @unroll Q ROWS4
    {
      let w0 = a[aCol[{{Q}}] + a0];
      let w1 = a[aCol[{{Q}}] + a0 + aStep];
      let w2 = a[aCol[{{Q}}] + a0 + 2u * aStep];
      let w3 = a[aCol[{{Q}}] + a0 + 3u * aStep];
// @unroll I 4
      {
        let av = tr{{I}}(w0, w1, w2, w3);
        acc[{{4 * Q + I}}] = rowStep(acc[{{4 * Q + I}}], av, t);
// @if SUM_A
        rowSum[{{4 * Q + I}}] += av;
// @endif
      }
// @end
    }
// @end
// @else
// @unroll R ROWS
    {
      let av = a[aRow[{{R}}] + k];
      acc[{{R}}] = rowStep(acc[{{R}}], av, t);
// @if SUM_A
      rowSum[{{R}}] += av;
// @endif
    }
// @end
// @endif
  }

  // Store the rows and vec4 columns that exist, through the epilogue.
  let o = (batch * M + row) * N4 + col4;
  let nRows = min(ROWS, M - row);
  let nCols = min(COLS4, N4 - col4);
  let n0 = col4 * 4u; // first column of the block
  for (var r = 0u; r < nRows; r++) {
    let i = o + r * N4;
    out[i] = epilogue4(acc[r].c0, n0);
    if (nCols > 1u) { out[i + 1u] = epilogue4(acc[r].c1, n0 + 4u); }
    if (nCols > 2u) { out[i + 2u] = epilogue4(acc[r].c2, n0 + 8u); }
    if (nCols > 3u) { out[i + 3u] = epilogue4(acc[r].c3, n0 + 12u); }
// @if SUM_A
    if (col4 == 0u) {
      let s = rowSum[r];
      sumA[row + r] = (s.x + s.y) + (s.z + s.w);
    }
// @endif
  }
}
