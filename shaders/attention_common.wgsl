// Shared by the three generated attention kernels (attention_forward.wgsl, attention_backward_dq.wgsl,
// attention_backward_dkdv.wgsl): the uniform parameters, the mask and ALiBi bindings, and the one definition of
// which scores take part and what is added to them. Each kernel includes it (a template, expanded with the
// kernel's variables), so the forward and both backward passes can never disagree about a mask.
//
// Score (i, j) of head (b, h), before the softmax:
//   s_ij = scale·q_i·k_j + mask_ij (float mask) − slope_h·|i − j| (ALiBi)
// and it takes part only when j < Tk, j ≤ i (causal), i − window < j ≤ i (window), the sparse pattern allows it,
// mask_ij ≠ 0 (boolean mask) and mask_ij ≠ −∞ (float mask). The sparse pattern (engine/ops/sparse-layout.ts) is
//   (|i − j| < local (LOCAL) ∧ the block layout's bit for (⌊i/s⌋, ⌊j/s⌋) (BLOCKS)) ∨ i global ∨ j global (GLOBAL).
// With GLOBAL or BLOCKS (SPARSE) the tiles a block of rows visits come from a list the host builds
// (engine/backend/gpu/attention-tiles.ts) at the head of the `sparse` binding, followed by the global positions
// as a bitset and the block layout as one u32 per block pair. A row where nothing takes part gives zeros (forward and backward). A NaN or ±Inf
// among the scores of a row that take part makes the row NaN (engine/backend/backend.ts, AttentionParams).
//
// Every (B, H, T, d) operand is read or written through its own layout (engine/backend/gpu/attention.ts), so q, k
// and v can be head-split views of one projection and out can be written in the order that merges heads for
// free: row (b, h, t) starts at vec4 offset + b·sb + h·sh + t·st, and its d/4 vec4s are contiguous.

// #include numerics

struct Params {
  H: u32,
  Tq: u32,
  Tk: u32,
  window: u32, // > 0 with WINDOW: keys i − window < j ≤ i
  localWindow: u32, // > 0 with LOCAL: keys |i − j| < local
  scale: f32,
  sparseGlobals: u32, // with GLOBAL: where the bitset of global positions starts in `sparse`
  sparseBlocks: u32, // with BLOCKS: where the block layout (rows × blockCols u32s) starts in `sparse`
  blockSize: u32,
  blockCols: u32,
  // The mask read through broadcast strides over (B, H, Tq, Tk), in elements; 0 on broadcast dims.
  maskStrides: vec4<u32>,
  // Layouts (offset, sb, sh, st) in vec4s of the kernel's (B, H, T, d) operands; which ones each kernel uses is
  // said beside its bindings.
  lq: vec4<u32>,
  lk: vec4<u32>,
  lv: vec4<u32>,
  lo: vec4<u32>,
  lg: vec4<u32>,
  ldq: vec4<u32>,
  ldk: vec4<u32>,
  ldv: vec4<u32>,
}

// The vec4 index of row (b, h, t) of an operand with layout L = (offset, sb, sh, st).
fn row_at(L: vec4<u32>, b: u32, h: u32, t: u32) -> u32 {
  return L.x + b * L.y + h * L.z + t * L.w;
}

@group(0) @binding(auto) var<uniform> params: Params;
// The optional bindings exist only in the kernels that read them: an adapter may offer as few as 10 storage
// buffers per stage, and the dK/dV pass has 7 of its own.
// @if MASKED
// Float masks are bound as their bits (bitcast back below) so one binding serves int32 and float32 masks.
@group(0) @binding(auto) var<storage, read> mask: array<u32>;
// @endif
// @if ALIBI
@group(0) @binding(auto) var<storage, read> slopes: array<f32>; // (H)
// @endif
// @if SPARSE
// The tile list [start of group 0, …, start of group G, entries…], each entry a tile's first row with bit 31 set
// when every score of the tile takes part for every row of the group; then the globals and the block layout
// (offsets in params).
@group(0) @binding(auto) var<storage, read> sparse: array<u32>;
// @endif

const NEG_MAX: f32 = -3.4028234e38; // the lowest finite float: the running max before any score
const NEG_INF_BITS: u32 = 0xff800000u;

struct Bias {
  add: f32, // added to scale·q·k
  ok: bool, // the score takes part
}

// The bias of score (i, j); maskRow = b·sb + h·sh + i·si, the mask offset of query row i. blockOk: the block
// layout allows (⌊i/s⌋, ⌊j/s⌋) (BLOCKS; callers pass true otherwise); glob: i or j is a global position (GLOBAL;
// false otherwise). Callers look both up once per row and tile, not per score.
fn key_bias(maskRow: u32, slope: f32, i: u32, j: u32, blockOk: bool, glob: bool) -> Bias {
  // `&` rather than `&&`: no short-circuit branches in the inner loop.
  var ok = j < params.Tk;
// @if CAUSAL
  ok = ok & (j <= i);
// @endif
// @if WINDOW
  ok = ok & (j <= i) & (j + params.window > i);
// @endif
  var pattern = true;
// @if LOCAL
  pattern = (j + params.localWindow > i) & (i + params.localWindow > j); // |i − j| < local without a signed difference
// @endif
// @if BLOCKS
  pattern = pattern & blockOk;
// @endif
// @if GLOBAL
  pattern = pattern | glob;
// @endif
  ok = ok & pattern;
  var add = 0.0;
// @if ALIBI
  // −slope·(i − j) under a causal mask, −slope·|i − j| otherwise: the same on every score that takes part.
  add = -slope * f32(max(i, j) - min(i, j));
// @endif
// @if MASK_FLOAT
  let bits = mask[maskRow + min(j, params.Tk - 1u) * params.maskStrides.w];
  ok = ok & (bits != NEG_INF_BITS);
  add += bitcast<f32>(bits);
// @endif
// @if MASK_BOOL
  ok = ok & (mask[maskRow + min(j, params.Tk - 1u) * params.maskStrides.w] != 0u);
// @endif
  return Bias(add, ok);
}

// The mask offset of query row i of head (b, h).
fn mask_row(b: u32, h: u32, i: u32) -> u32 {
  return b * params.maskStrides.x + h * params.maskStrides.y + min(i, params.Tq - 1u) * params.maskStrides.z;
}

// @if SPARSE
// Whether position t is global: bit t of the bitset (t may be a query or a key position).
fn global_at(t: u32) -> bool {
  return ((sparse[params.sparseGlobals + (t >> 5u)] >> (t & 31u)) & 1u) != 0u;
}

// The global bits of a tile's positions t0 … t0 + TK − 1: one word, since TK divides 32 and t0 is a multiple of TK.
fn global_word(t0: u32) -> u32 {
  return sparse[params.sparseGlobals + (t0 >> 5u)];
}

// Whether the block layout lets query i see key j.
fn block_ok(i: u32, j: u32) -> bool {
  return sparse[params.sparseBlocks + (i / params.blockSize) * params.blockCols + j / params.blockSize] != 0u;
}
// @endif

fn head_slope(h: u32) -> f32 {
// @if ALIBI
  return slopes[h];
// @else
  return 0.0;
// @endif
}

// The keys a block of query rows [row0, row0 + rows) can see, as [start, end): causal and window rows see
// j ≤ i < row0 + rows, window rows also j > row0 − window (start rounded down to a whole TK tile). Tiles outside
// are skipped entirely, which is how causal attention does about half the work. A local window narrows the range
// from both sides to row0 − local < j < row0 + rows − 1 + local, intersected with whatever causal and window left,
// so each block visits O(rows + 2·local) keys instead of Tk. The range may come out empty (rows past Tk + local − 1
// see nothing): the kernels' tile loops then never run and those rows end empty.
fn key_range(row0: u32, rows: u32, Tk: u32) -> vec2<u32> {
  var kEnd = Tk;
  var kStart = 0u;
// @if CAUSAL
  kEnd = min(Tk, row0 + rows);
// @endif
// @if WINDOW
  kEnd = min(Tk, row0 + rows);
  if (row0 + 1u > params.window) {
    kStart = (row0 + 1u - params.window) / TK * TK;
  }
// @endif
// @if LOCAL
  kEnd = min(kEnd, row0 + rows - 1u + params.localWindow);
  if (row0 + 1u > params.localWindow) {
    kStart = max(kStart, (row0 + 1u - params.localWindow) / TK * TK);
  }
// @endif
  return vec2<u32>(kStart, kEnd);
}
