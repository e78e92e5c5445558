// One pass of a reduction of x viewed as (outer, len, inner) over its middle axis, in chunks of `chunk` elements:
// output position p = (o·chunks + c)·inner + i holds the reduction of x[o, c·chunk .. min((c+1)·chunk, len), i].
// engine/backend/gpu/reduce.ts repeats passes with len ← chunks until one chunk covers the whole axis, so a sum of
// millions of floats is a tree of short partial sums (error grows with the depth, not with len), never one long
// serial float32 loop.
//
// Two layouts, chosen by the TREE override:
//   TREE = 1: one workgroup per output; its threads stride through the chunk (adjacent threads read adjacent
//             elements when inner = 1), then combine their partials in a workgroup tree of depth log2(WG).
//   TREE = 0: one thread per output and a serial loop over a short chunk; used when there are already many
//             outputs (inner or outer large), or when len is short.
//
// argmax/argmin carry (value, index) pairs; ties go to the smaller index, so the result is the FIRST extreme
// whatever order the partials are combined in. Later passes read the indices of the previous pass from xIdx.
// OP numbering: REDUCE_OPS in engine/backend/gpu/reduce.ts.

override OP: u32 = 0u; // 0 sum, 1 max, 2 min, 3 argmax, 4 argmin
override TREE: u32 = 1u;
override WG: u32 = 256u; // a power of two ≤ MAX_WG
const MAX_WG: u32 = 256u;
const NO_INDEX: i32 = 0x7fffffff; // the index of an identity element: it loses every tie

struct Params {
  outer: u32,
  len: u32,
  inner: u32,
  chunk: u32,
  chunks: u32,
  hasIdx: u32, // 1 when xIdx holds the indices of a previous pass; 0 on the first pass, where the index is l
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> xIdx: array<i32>;
@group(0) @binding(3) var<storage, read_write> outVal: array<f32>;
@group(0) @binding(4) var<storage, read_write> outIdx: array<i32>;

var<workgroup> wgVal: array<f32, MAX_WG>;
var<workgroup> wgIdx: array<i32, MAX_WG>;

struct Acc {
  v: f32,
  i: i32,
}

// ±Inf cannot be written as a WGSL constant; a var's bits are not folded at shader creation.
fn from_bits(bits: u32) -> f32 {
  var b = bits;
  return bitcast<f32>(b);
}

// The neutral element of OP: 0 for sum, -Inf for max/argmax, +Inf for min/argmin.
fn identity() -> Acc {
  switch OP {
    case 0u: { return Acc(0.0, NO_INDEX); }
    case 1u, 3u: { return Acc(from_bits(0xff800000u), NO_INDEX); }
    default: { return Acc(from_bits(0x7f800000u), NO_INDEX); }
  }
}

// NaN by bit pattern: exponent all ones and a nonzero mantissa. Comparisons cannot be trusted with NaN here
// (SwiftShader's max/min drop it and x != x is false), and WGSL lets implementations assume no NaN occurs.
fn is_nan(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

// Should the arg accumulator a give way to b? NaN beats every number, as in PyTorch (and the CPU backend); among
// equals (or NaNs) the smaller index wins, so the result is the first extreme in any combination order.
fn arg_takes(a: Acc, b: Acc, greater: bool) -> bool {
  let aNan = is_nan(a.v);
  let bNan = is_nan(b.v);
  if (aNan || bNan) {
    return bNan && (!aNan || b.i < a.i);
  }
  if (b.v == a.v) {
    return b.i < a.i;
  }
  if (greater) {
    return b.v > a.v;
  }
  return b.v < a.v;
}

// max/min that propagate NaN, which the built-ins may drop.
fn nan_or(a: f32, b: f32, r: f32) -> f32 {
  if (is_nan(a)) {
    return a;
  }
  if (is_nan(b)) {
    return b;
  }
  return r;
}

// Associative and commutative for every OP (for arg ops because ties break on the index), which is what lets
// the threads and passes combine partials in any order.
fn combine(a: Acc, b: Acc) -> Acc {
  switch OP {
    case 0u: { return Acc(a.v + b.v, NO_INDEX); }
    case 1u: { return Acc(nan_or(a.v, b.v, max(a.v, b.v)), NO_INDEX); }
    case 2u: { return Acc(nan_or(a.v, b.v, min(a.v, b.v)), NO_INDEX); }
    default: {
      // select() takes no structs, hence the branch.
      if (arg_takes(a, b, OP == 3u)) {
        return b;
      }
      return a;
    }
  }
}

fn load(o: u32, l: u32, i: u32) -> Acc {
  let p = (o * params.len + l) * params.inner + i;
  var idx = i32(l);
  if (params.hasIdx == 1u) {
    idx = xIdx[p];
  }
  return Acc(x[p], idx);
}

fn store(p: u32, acc: Acc) {
  outVal[p] = acc.v;
  if (OP >= 3u) {
    outIdx[p] = acc.i;
  }
}

// Output position p → the (o, c, i) whose chunk it reduces, and that chunk's range of l.
fn reduce_chunk_serial(p: u32) -> Acc {
  let i = p % params.inner;
  let rest = p / params.inner;
  let c = rest % params.chunks;
  let o = rest / params.chunks;
  let start = c * params.chunk;
  let end = min(start + params.chunk, params.len);
  var acc = identity();
  for (var l = start; l < end; l++) {
    acc = combine(acc, load(o, l, i));
  }
  return acc;
}

fn tree_main(p: u32, lid: u32) {
  let i = p % params.inner;
  let rest = p / params.inner;
  let c = rest % params.chunks;
  let o = rest / params.chunks;
  let start = c * params.chunk;
  let end = min(start + params.chunk, params.len);
  var acc = identity();
  for (var l = start + lid; l < end; l += WG) {
    acc = combine(acc, load(o, l, i));
  }
  wgVal[lid] = acc.v;
  wgIdx[lid] = acc.i;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      let r = combine(Acc(wgVal[lid], wgIdx[lid]), Acc(wgVal[lid + s], wgIdx[lid + s]));
      wgVal[lid] = r.v;
      wgIdx[lid] = r.i;
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    store(p, Acc(wgVal[0], wgIdx[0]));
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let total = params.outer * params.chunks * params.inner;
  let group = wid.x + wid.y * nwg.x; // the grid may be folded into y (ctx.grid1d)
  if (TREE == 1u) {
    // Uniform across the workgroup, so the barriers in tree_main stay in uniform control flow.
    if (group >= total) {
      return;
    }
    tree_main(group, lid);
    return;
  }
  let p = group * WG + lid;
  if (p >= total) {
    return;
  }
  store(p, reduce_chunk_serial(p));
}
