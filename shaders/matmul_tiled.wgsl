// C = act(A @ B + bias), float32: the hardware-GPU path. engine/backend/gpu/matmul.ts takes it on real GPUs
// (matmul.wgsl and matmul_general.wgsl are tuned for SwiftShader) and expands this template (template.ts) per
// tile shape, per load width and per epilogue. Params, batch_starts and the epilogue come from
// matmul_common.wgsl. Operands are read through their strides (see matmul_common.wgsl).
//
// Shared-memory tiling. A workgroup of WG_X × WG_Y invocations owns a TM × TN tile of C, with
//   TM = WG_Y · RM rows     (RM rows per invocation)
//   TN = WG_X · 4 columns   (one vec4 of columns per invocation)
// e.g. 16 × 16 invocations, RM = 4: a 64 × 64 tile, each invocation a 4 × 4 block of C in RM vec4 accumulators.
// The K loop walks K in steps of TK. Each step the whole workgroup stages
//   As = A[tile rows][k0 .. k0+TK)     TM × TK floats, stored as [row][k/4] vec4s (TK4 = TK/4 per row)
//   Bs = B[k0 .. k0+TK)[tile cols]     TK × TN floats, stored as [k][col/4] vec4s (TN4 = TN/4 = WG_X per row)
// in workgroup memory (one barrier after the loads, one before the next step overwrites them), then every
// invocation runs TK steps of K out of it: per 4 steps of K it reads 4 vec4s of B (its own 4 columns, rows
// k..k+3) and RM vec4s of A (its RM rows, columns k..k+3) and does 4·RM vec4 multiply-adds (16·RM FMAs).
// Each value fetched from global memory is thus reused by WG_X (A) or WG_Y (B) invocations, and each value read
// from workgroup memory by 4 (B) or 4 (A) FMAs in registers.
//
// Why this shape for a GPU (and not SwiftShader's 32 × 16 block per invocation in 4 × 4 workgroups):
//   - 4·RM accumulators + 4 + RM vec4 operands stay in registers (RM = 4: 48 floats), where 512 spilled;
//   - 256 invocations = 8 full warps (or 4 wavefronts of 64), not half a warp;
//   - the global loads are coalesced: consecutive invocations load consecutive vec4s of one row of A or B;
//   - reading B out of workgroup memory, a warp's 32 invocations read 16 consecutive vec4s (no bank conflicts)
//     and A values are shared by the 16 invocations of a row of the workgroup (broadcasts).
// Tint does not unroll loops, so the loads and the TK steps of K are unrolled by the template (@unroll).
//
// Loads are bounds-checked and zero-filled (rows past M, columns past N, k past K all load 0, which adds
// nothing), so any M, N, K works and the K loop runs ceil(K / TK) whole steps. Invocations whose block lies past
// M or N still load and compute (every invocation must reach every barrier) and skip only the stores.
//
// Template variables: WG_X, WG_Y, RM, TK (a multiple of 4), TK4 = TK/4, TN4 = WG_X, AS4 = TM·TK4 and
// BS4 = TK·TN4 (the workgroup arrays' lengths: reflection cannot evaluate products), A_LOADS = AS4 / WG and
// B_LOADS = BS4 / WG (vec4 slots each invocation stages per step; matmul.ts checks they divide evenly), and the
// load widths: A_VEC4 (A's rows are contiguous, K and A's row stride, offset and batch strides multiples of 4: A
// binds as vec4s), B_VEC4 (the same for B's rows and N), OUT_VEC4 (N % 4 = 0: C binds as vec4s). Without them,
// each staged vec4 is gathered from 4 bounds-checked scalars through the strides.

// #include matmul_common

// @if A_VEC4
@group(0) @binding(auto) var<storage, read> a: array<vec4<f32>>;
// @else
@group(0) @binding(auto) var<storage, read> a: array<f32>;
// @endif
// @if B_VEC4
@group(0) @binding(auto) var<storage, read> b: array<vec4<f32>>;
// @else
@group(0) @binding(auto) var<storage, read> b: array<f32>;
// @endif
// @if OUT_VEC4
@group(0) @binding(auto) var<storage, read_write> out: array<vec4<f32>>; // (batch…, M, N/4)
// @else
@group(0) @binding(auto) var<storage, read_write> out: array<f32>; // (batch…, M, N)
// @endif

var<workgroup> As: array<vec4<f32>, {{AS4}}>; // A tile, [row][k/4]: TM rows of TK4 vec4s
var<workgroup> Bs: array<vec4<f32>, {{BS4}}>; // B tile, [k][col/4]: TK rows of TN4 vec4s

// A[row][k .. k+3] of this batch entry (aBase: where it starts), zeros where row ≥ M or past K.
fn loadA(aBase: u32, row: u32, k: u32) -> vec4<f32> {
  let M = params.M;
  let K = params.K;
  var v = vec4<f32>(0.0);
  if (row < M && k < K) {
    // @if A_VEC4
    v = a[(aBase + row * params.aRowStride + k) / 4u]; // k % 4 = 0 and K % 4 = 0: the whole vec4 is in the row
    // @else
    let s = params.aColStride;
    let i = aBase + row * params.aRowStride + k * s;
    v.x = a[i];
    if (k + 1u < K) { v.y = a[i + s]; }
    if (k + 2u < K) { v.z = a[i + 2u * s]; }
    if (k + 3u < K) { v.w = a[i + 3u * s]; }
    // @endif
  }
  return v;
}

// B[k][col .. col+3] of this batch entry (bBase: where it starts), zeros where k ≥ K or past N.
fn loadB(bBase: u32, k: u32, col: u32) -> vec4<f32> {
  let N = params.N;
  var v = vec4<f32>(0.0);
  if (k < params.K && col < N) {
    // @if B_VEC4
    v = b[(bBase + k * params.bRowStride + col) / 4u]; // col % 4 = 0 and N % 4 = 0
    // @else
    let s = params.bColStride;
    let i = bBase + k * params.bRowStride + col * s;
    v.x = b[i];
    if (col + 1u < N) { v.y = b[i + s]; }
    if (col + 2u < N) { v.z = b[i + 2u * s]; }
    if (col + 3u < N) { v.w = b[i + 3u * s]; }
    // @endif
  }
  return v;
}

// Writes C[row][col .. col+3] (o: the float index of C[row][col]) through the epilogue, the columns that exist.
fn store(o: u32, col: u32, acc: vec4<f32>) {
  // @if OUT_VEC4
  out[o / 4u] = epilogue4(acc, col); // N % 4 = 0: the vec4 lies wholly inside the row, or wholly past N (not stored)
  // @else
  let N = params.N;
  out[o] = epilogue(acc.x, col);
  if (col + 1u < N) { out[o + 1u] = epilogue(acc.y, col + 1u); }
  if (col + 2u < N) { out[o + 2u] = epilogue(acc.z, col + 2u); }
  if (col + 3u < N) { out[o + 3u] = epilogue(acc.w, col + 3u); }
  // @endif
}

@compute @workgroup_size({{WG_X}}, {{WG_Y}}, 1)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(local_invocation_index) li: u32,
) {
  let g = wid + params.wgOffset;
  let batch = g.z;
  let tileRow = g.y * ({{WG_Y}}u * {{RM}}u); // first row of this workgroup's tile of C
  let tileCol = g.x * ({{WG_X}}u * 4u); // first column
  let starts = batch_starts(batch);
  let aBase = starts.x;
  let bBase = starts.y;
  let r0 = lid.y * {{RM}}u; // this invocation's first row within the tile (As row)
  let c4 = lid.x; // this invocation's vec4 column within the tile (Bs column)

  // @unroll R RM
  var acc{{R}} = vec4<f32>(0.0); // C[tileRow + r0 + R][tileCol + 4·c4 .. +3]
  // @if SUM_A
  var rowSum{{R}} = vec4<f32>(0.0); // Σ_k A[tileRow + r0 + R][k], four partial sums
  // @endif
  // @end

  let steps = (params.K + {{TK}}u - 1u) / {{TK}}u; // uniform: every invocation runs every barrier
  for (var s = 0u; s < steps; s++) {
    let k0 = s * {{TK}}u;
    // Stage the tiles. Slot q of As is row q / TK4, vec4 column q % TK4; slot q of Bs is row q / TN4, vec4
    // column q % TN4. Invocation li takes slots li, li + WG, li + 2·WG, …: a warp's slots are consecutive, so
    // its global loads are consecutive vec4s of a row (coalesced) and its workgroup stores consecutive too.
    // @unroll L A_LOADS
    {
      let q = li + {{L}}u * ({{WG_X}}u * {{WG_Y}}u);
      As[q] = loadA(aBase, tileRow + q / {{TK4}}u, k0 + (q % {{TK4}}u) * 4u);
    }
    // @end
    // @unroll L B_LOADS
    {
      let q = li + {{L}}u * ({{WG_X}}u * {{WG_Y}}u);
      Bs[q] = loadB(bBase, k0 + q / {{TN4}}u, tileCol + (q % {{TN4}}u) * 4u);
    }
    // @end
    workgroupBarrier();

    // TK steps of K, 4 at a time: B rows k..k+3 at this invocation's columns, then each row's A[k..k+3].
    // @unroll J TK4
    {
      let b0 = Bs[({{J}}u * 4u + 0u) * {{TN4}}u + c4];
      let b1 = Bs[({{J}}u * 4u + 1u) * {{TN4}}u + c4];
      let b2 = Bs[({{J}}u * 4u + 2u) * {{TN4}}u + c4];
      let b3 = Bs[({{J}}u * 4u + 3u) * {{TN4}}u + c4];
      // @unroll R RM
      {
        let av = As[(r0 + {{R}}u) * {{TK4}}u + {{J}}u];
        acc{{R}} = acc{{R}} + av.x * b0 + av.y * b1 + av.z * b2 + av.w * b3;
        // @if SUM_A
        rowSum{{R}} += av;
        // @endif
      }
      // @end
    }
    // @end
    workgroupBarrier(); // the next step's loads overwrite As and Bs
  }

  // Store the rows and columns of this invocation's block that exist.
  let col = tileCol + c4 * 4u;
  if (col >= params.N) {
    return;
  }
  let row = tileRow + r0;
  let o = (batch * params.M + row) * params.N + col; // float index of C[row][col]
  // @unroll R RM
  if (row + {{R}}u < params.M) {
    store(o + {{R}}u * params.N, col, acc{{R}});
    // @if SUM_A
    if (col == 0u) {
      sumA[row + {{R}}u] = (rowSum{{R}}.x + rowSum{{R}}.y) + (rowSum{{R}}.z + rowSum{{R}}.w);
    }
    // @endif
  }
  // @end
}
