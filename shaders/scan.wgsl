// The linear recurrence h_t = a_t·h_{t−1} + x_t along T of contiguous (B, T, D) tensors, as a parallel scan
// (engine/backend/gpu/scan.ts drives it). A step is the affine map h ↦ a·h + x, and maps compose associatively:
// (a1, x1) then (a2, x2) is h ↦ a2·(a1·h + x1) + x2, the pair (a2·a1, a2·x1 + x2). So any run of steps folds into
// one pair (A, X) (its h from a start of 0 is X, and a carry c coming in adds A·c), and runs can be folded in any
// grouping: the scan is a prefix scan over pairs with that combine.
//
// A workgroup of THREADS threads owns DC columns (d) of one batch row and one chunk of L = TT·ITEMS steps, as TT
// time lanes per column; lane k walks the ITEMS consecutive steps [k·ITEMS, (k+1)·ITEMS) of the chunk alone:
//   1. each thread folds its ITEMS steps into one pair (serially: O(ITEMS) work);
//   2. the TT pairs of a column are scanned in workgroup memory (Hillis–Steele: log2(TT) steps of TT combines);
//   3. REDUCE: the chunk's pair (the last lane's inclusive prefix) goes to totalA/totalX (B, chunks, D);
//      else: each thread's carry-in is its exclusive prefix applied to the chunk's carry (CARRY: h at the end of
//      the previous chunk, from the scanned totals), and it walks its steps again writing h.
// Across chunks the driver scans the totals with this same kernel (recursively, until one chunk holds them all)
// and runs the non-REDUCE pass with CARRY. Work is O(n): every element is read twice per pass and combined O(1)
// times, plus log2(TT) combines per ITEMS elements in step 2 (ITEMS ≥ log2(TT) keeps that below the rest).
//
// REVERSE runs the adjoint recurrence of the backward, δ_t = g_t + a_{t+1}·δ_{t+1}: steps are taken from t = T−1
// down ("processing position" p = T−1−t), and the coefficient of step t is a_{t+1} (0 for the first step taken,
// t = T−1, whose carry is 0 anyway). Chunks and totals are in processing order, so the totals' own scan is a
// plain forward one. GRAD_A also writes da_t = δ_t·h_{t−1} (0 at t = 0) beside δ.

override DC: u32 = 64u; // columns per workgroup, a power of two dividing THREADS
override ITEMS: u32 = 16u; // consecutive steps each thread walks alone
const THREADS: u32 = 256u;

struct Params {
  B: u32,
  T: u32,
  D: u32,
  chunks: u32, // ceil(T / L)
  colTiles: u32, // ceil(D / DC)
}

@group(0) @binding(auto) var<uniform> params: Params;
@group(0) @binding(auto) var<storage, read> a: array<f32>;
@group(0) @binding(auto) var<storage, read> x: array<f32>;
// @if REDUCE
@group(0) @binding(auto) var<storage, read_write> totalA: array<f32>; // (B, chunks, D)
@group(0) @binding(auto) var<storage, read_write> totalX: array<f32>;
// @else
@group(0) @binding(auto) var<storage, read_write> out: array<f32>; // (B, T, D)
// @if CARRY
@group(0) @binding(auto) var<storage, read> carry: array<f32>; // (B, chunks, D): h after each chunk
// @endif
// @if GRAD_A
@group(0) @binding(auto) var<storage, read> h: array<f32>; // (B, T, D): the forward's output
@group(0) @binding(auto) var<storage, read_write> da: array<f32>;
// @endif
// @endif

var<workgroup> sA: array<f32, THREADS>;
var<workgroup> sX: array<f32, THREADS>;

// The time index of processing position p.
fn time_of(p: u32) -> u32 {
  // @if REVERSE
  return params.T - 1u - p;
  // @else
  return p;
  // @endif
}

// The step at processing position p < T of column `col` (the element index of (b, 0, d)) as its pair (coefficient,
// input).
fn step(col: u32, p: u32) -> vec2<f32> {
  let D = params.D;
  let t = time_of(p);
  // @if REVERSE
  // a_{t+1}; processing position 0 is t = T − 1, which has none.
  let coef = select(0.0, a[col + min(t + 1u, params.T - 1u) * D], p > 0u);
  // @else
  let coef = a[col + t * D];
  // @endif
  return vec2<f32>(coef, x[col + t * D]);
}

@compute @workgroup_size(THREADS)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let TT = THREADS / DC; // time lanes per column
  let w = wid.x + wid.y * nwg.x; // the grid may be folded into y (ctx.grid1d)
  let chunk = w % params.chunks;
  let tile = (w / params.chunks) % params.colTiles;
  let b = w / (params.chunks * params.colTiles);
  if (b >= params.B) {
    return; // a whole workgroup past the end of a folded grid: uniform, so no barrier is skipped by some only
  }
  let lane = li / DC;
  let d = tile * DC + li % DC;
  let live = d < params.D; // columns past D walk nothing but still take part in every barrier
  let col = b * params.T * params.D + d; // element (b, 0, d)
  let p0 = chunk * TT * ITEMS + lane * ITEMS;
  let n = select(0u, min(ITEMS, params.T - min(p0, params.T)), live); // this thread's steps

  // 1. Fold this thread's steps into one pair: (A, X) = (Π coef, h from 0).
  var A = 1.0;
  var X = 0.0;
  for (var i = 0u; i < n; i++) {
    let s = step(col, p0 + i);
    X = s.x * X + s.y;
    A = s.x * A;
  }

  // 2. Inclusive scan of the column's TT pairs over its lanes (lane k reads lane k − s, DC slots back).
  sA[li] = A;
  sX[li] = X;
  workgroupBarrier();
  for (var s = 1u; s < TT; s <<= 1u) {
    var pa = 1.0;
    var px = 0.0;
    if (lane >= s) {
      pa = sA[li - s * DC];
      px = sX[li - s * DC];
    }
    workgroupBarrier();
    // (pa, px) then (A, X) = (A·pa, A·px + X)
    X = A * px + X;
    A = A * pa;
    sA[li] = A;
    sX[li] = X;
    workgroupBarrier();
  }

  let total = (b * params.chunks + chunk) * params.D + d; // this chunk's slot in (B, chunks, D)
  // @if REDUCE
  // 3. The chunk's pair: the last lane's inclusive prefix.
  if (live && lane == TT - 1u) {
    totalA[total] = A;
    totalX[total] = X;
  }
  // @else
  // 3. The carry into this thread: h after the previous chunk, pushed through the lanes before this one.
  var hc = 0.0;
  // @if CARRY
  if (live && chunk > 0u) {
    hc = carry[total - params.D];
  }
  // @endif
  var hh = hc;
  if (lane > 0u) {
    hh = sA[li - DC] * hc + sX[li - DC];
  }
  for (var i = 0u; i < n; i++) {
    let p = p0 + i;
    let st = step(col, p);
    hh = st.x * hh + st.y;
    let at = col + time_of(p) * params.D;
    out[at] = hh;
    // @if GRAD_A
    // da_t = δ_t·h_{t−1}: h_{t−1} sits D elements before; t = 0 has h_{−1} = 0.
    da[at] = select(0.0, hh * h[max(at, params.D) - params.D], time_of(p) > 0u);
    // @endif
  }
  // @endif
}
