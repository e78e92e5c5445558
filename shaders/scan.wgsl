// The linear recurrence h_t = a_t·h_{t−1} + x_t along T of contiguous (B, T, D) tensors, as a parallel scan
// (engine/backend/gpu/scan.ts drives it). A step is the affine map h ↦ a·h + x, and maps compose associatively:
// (a1, x1) then (a2, x2) is h ↦ a2·(a1·h + x1) + x2, the pair (a2·a1, a2·x1 + x2). So any run of steps folds into
// one pair (A, X) (its h from a start of 0 is X, and a carry c coming in adds A·c), and runs can be folded in any
// grouping: the scan is a prefix scan over pairs with that combine.
//
// A workgroup of THREADS threads owns DC columns (d) of one batch row and one chunk of L = TT·ITEMS steps, as TT
// time lanes per column; lane k walks the ITEMS consecutive steps [k·ITEMS, (k+1)·ITEMS) of the chunk (its run)
// alone:
//   1. each thread folds its run into one pair (serially: O(ITEMS) work);
//   2. the TT pairs of a column are scanned in workgroup memory (Hillis–Steele: log2(TT) steps of TT combines),
//      which gives each run its exclusive prefix within the chunk and the chunk its total;
//   3. when T fits one chunk, each thread walks its run again from its prefix, writing h. Otherwise this is the
//      REDUCE pass: it writes each run's prefix (prefixA/prefixX) and each chunk's pair (totalA/totalX); the
//      driver scans the totals with this same kernel (recursively, until one chunk holds them all), which gives
//      h after every chunk (carry), and the CARRY pass has each thread start from its prefix applied to the
//      carry of the chunk before, with no scan and no barrier, and walk its run once, writing h.
// Work is O(n): every element is walked twice (as an elementwise op walks it once), plus log2(TT) combines per
// ITEMS elements in step 2 (ITEMS ≥ log2(TT) keeps that below the rest) and the totals' scan, L times smaller.
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
@group(0) @binding(auto) var<storage, read_write> totalA: array<f32>; // (B, chunks, D): each chunk's pair
@group(0) @binding(auto) var<storage, read_write> totalX: array<f32>;
@group(0) @binding(auto) var<storage, read_write> prefixA: array<f32>; // (B, chunks·TT, D): each run's prefix
@group(0) @binding(auto) var<storage, read_write> prefixX: array<f32>;
// @else
@group(0) @binding(auto) var<storage, read_write> out: array<f32>; // (B, T, D)
// @if CARRY
@group(0) @binding(auto) var<storage, read> carry: array<f32>; // (B, chunks, D): h after each chunk
@group(0) @binding(auto) var<storage, read> prefixA: array<f32>; // the REDUCE pass's, as above
@group(0) @binding(auto) var<storage, read> prefixX: array<f32>;
// @endif
// @if GRAD_A
@group(0) @binding(auto) var<storage, read> h: array<f32>; // (B, T, D): the forward's output
@group(0) @binding(auto) var<storage, read_write> da: array<f32>;
// @endif
// @endif

var<workgroup> sA: array<f32, THREADS>;
var<workgroup> sX: array<f32, THREADS>;

// The step at processing position p < T, whose element (b, t, d) is at index `at`, as its pair (coefficient, input).
fn step(at: u32, p: u32) -> vec2<f32> {
  // @if REVERSE
  // a_{t+1}, D elements on; processing position 0 is t = T − 1, which has none (its carry is 0 anyway).
  let coef = select(0.0, a[select(at, at + params.D, p > 0u)], p > 0u);
  // @else
  let coef = a[at];
  // @endif
  return vec2<f32>(coef, x[at]);
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
  let D = params.D;
  let lane = li / DC;
  let d = tile * DC + li % DC;
  let live = d < D; // columns past D walk nothing but still take part in every barrier
  let p0 = chunk * TT * ITEMS + lane * ITEMS; // this thread's first processing position
  let n = select(0u, min(ITEMS, params.T - min(p0, params.T)), live); // and how many it walks
  // Element (b, t, d) is at (b·T + t)·D + d; a thread's steps are D apart, going down in t when REVERSE.
  // @if REVERSE
  let at0 = (b * params.T + params.T - 1u - min(p0, params.T - 1u)) * D + d;
  // @else
  let at0 = (b * params.T + p0) * D + d;
  // @endif
  // This thread's slot among the chunks·TT runs of its column, (B, chunks·TT, D), for its prefix.
  let run = (b * params.chunks * TT + chunk * TT + lane) * D + d;

  // @if CARRY
  // The REDUCE pass left this thread's exclusive prefix in its chunk and the scanned totals h after each chunk:
  // the carry into its run is prefix applied to h after the previous chunk (0 before the first).
  var hh = 0.0;
  if (live) {
    let hc = select(0.0, carry[(max(b * params.chunks + chunk, 1u) - 1u) * D + d], chunk > 0u);
    hh = prefixA[run] * hc + prefixX[run];
  }
  // @else
  // 1. Fold this thread's steps into one pair: (A, X) = (Π coef, h from 0).
  var A = 1.0;
  var X = 0.0;
  var at = at0;
  for (var i = 0u; i < n; i++) {
    let s = step(at, p0 + i);
    X = s.x * X + s.y;
    A = s.x * A;
    // @if REVERSE
    at -= D;
    // @else
    at += D;
    // @endif
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
  // This thread's exclusive prefix: the inclusive one of the lane before, or the identity (1, 0).
  var eA = 1.0;
  var eX = 0.0;
  if (lane > 0u) {
    eA = sA[li - DC];
    eX = sX[li - DC];
  }
  var hh = eX; // (the pass without CARRY) one chunk: nothing comes in, so the carry into this thread is eX
  // @endif

  // @if REDUCE
  // 3. For the second pass: this thread's exclusive prefix, and the chunk's pair (the last lane's inclusive one).
  if (live) {
    prefixA[run] = eA;
    prefixX[run] = eX;
    if (lane == TT - 1u) {
      let total = (b * params.chunks + chunk) * D + d;
      totalA[total] = A;
      totalX[total] = X;
    }
  }
  // @else
  // 3. Walk the steps again from the carry, writing h (δ when REVERSE).
  var at2 = at0;
  for (var i = 0u; i < n; i++) {
    let st = step(at2, p0 + i);
    hh = st.x * hh + st.y;
    out[at2] = hh;
    // @if GRAD_A
    // da_t = δ_t·h_{t−1}: h_{t−1} sits D elements before; t = 0 (the last step taken) has h_{−1} = 0.
    da[at2] = select(0.0, hh * h[max(at2, D) - D], p0 + i + 1u < params.T);
    // @endif
    // @if REVERSE
    at2 -= D;
    // @else
    at2 += D;
    // @endif
  }
  // @endif
}
