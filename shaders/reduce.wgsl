// One pass of a reduction of one axis of a strided input, in chunks of `chunk` elements along the axis. Output
// position p = q·chunks + c holds the reduction of chunk c of kept position q, whose elements are
//   x[base(q) + l·lenStride]  for l in [c·chunk, min((c+1)·chunk, len)),
// base(q) = offset + Σ_k idx_k(q)·stride_k over the kept dims (shaders/strided.wgsl, operand 0). So a reduction
// over any dim of any view reads its input in place. engine/backend/gpu/reduce.ts repeats passes with len ←
// chunks (later passes read their (nOut, chunks) temporaries, a rank-1 layout) until one chunk covers the axis,
// so a sum of millions of floats is a tree of short partial sums (error grows with the depth, not with len).
//
// Two layouts, chosen by the TREE override:
//   TREE = 1: one workgroup per output; its threads stride through the chunk (adjacent threads read adjacent
//             elements when lenStride = 1), then combine their partials in a workgroup tree of depth log2(WG).
//   TREE = 0: one thread per output and a serial loop over a short chunk; used when there are already many
//             outputs, or when len is short.
//
// argmax/argmin carry (value, index) pairs; ties go to the smaller index, so the result is the FIRST extreme
// whatever order the partials are combined in. Later passes read the indices of the previous pass from xIdx.
// NaN wins max, min and their args (as in PyTorch), tested by bits (shaders/numerics.wgsl); a sum
// keeps NaN and Inf by plain IEEE addition. The OP_* consts are generated from REDUCE_OPS in
// engine/backend/gpu/reduce.ts.

// #include numerics
// #include strided

override OP: u32 = OP_SUM;
override TREE: u32 = 1u;
override WG: u32 = 256u; // a power of two ≤ MAX_WG
const MAX_WG: u32 = 256u;
const NO_INDEX: i32 = 0x7fffffff; // the index of an identity element: it loses every tie

struct Params {
  len: u32,
  lenStride: u32,
  chunk: u32,
  chunks: u32,
  total: u32, // outputs of this pass: kept positions × chunks
  hasIdx: u32, // 1 when xIdx holds the indices of a previous pass; 0 on the first pass, where the index is l
  offsets: vec4<u32>, // .x: the input's offset (shaders/strided.wgsl)
  dims: array<vec4<u32>, 8>, // the kept dims, innermost first: (extent, stride in x, 0, 0)
}

@group(0) @binding(auto) var<uniform> params: Params;
@group(0) @binding(auto) var<storage, read> x: array<f32>;
@group(0) @binding(auto) var<storage, read> xIdx: array<i32>;
@group(0) @binding(auto) var<storage, read_write> outVal: array<f32>;
@group(0) @binding(auto) var<storage, read_write> outIdx: array<i32>;

var<workgroup> wgVal: array<f32, MAX_WG>;
var<workgroup> wgIdx: array<i32, MAX_WG>;

struct Acc {
  v: f32,
  i: i32,
}

// The neutral element of OP: 0 for sum, -Inf for max/argmax, +Inf for min/argmin.
fn identity() -> Acc {
  switch OP {
    case OP_SUM: { return Acc(0.0, NO_INDEX); }
    case OP_MAX, OP_ARGMAX: { return Acc(neg_inf_f32(), NO_INDEX); }
    default: { return Acc(inf_f32(), NO_INDEX); }
  }
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

// Associative and commutative for every OP (for arg ops because ties break on the index), which is what lets
// the threads and passes combine partials in any order.
fn combine(a: Acc, b: Acc) -> Acc {
  switch OP {
    case OP_SUM: { return Acc(a.v + b.v, NO_INDEX); }
    case OP_MAX: { return Acc(max_nf(a.v, b.v), NO_INDEX); }
    case OP_MIN: { return Acc(min_nf(a.v, b.v), NO_INDEX); }
    default: { // OP_ARGMAX, OP_ARGMIN
      // select() takes no structs, hence the branch.
      if (arg_takes(a, b, OP == OP_ARGMAX)) {
        return b;
      }
      return a;
    }
  }
}

// Element l of the axis at kept position q, whose first element is at `base`.
fn load(base: u32, l: u32) -> Acc {
  let at = base + l * params.lenStride;
  var idx = i32(l);
  if (params.hasIdx == 1u) {
    idx = xIdx[at];
  }
  return Acc(x[at], idx);
}

fn store(p: u32, acc: Acc) {
  outVal[p] = acc.v;
  if (OP == OP_ARGMAX || OP == OP_ARGMIN) {
    outIdx[p] = acc.i;
  }
}

// Output position p = q·chunks + c: the first element of kept position q, and chunk c's range along the axis.
struct Chunk {
  base: u32,
  start: u32,
  end: u32,
}

fn chunk_of(p: u32) -> Chunk {
  let q = p / params.chunks;
  let c = p - q * params.chunks;
  let start = c * params.chunk;
  return Chunk(operand_offsets(q).x, start, min(start + params.chunk, params.len));
}

fn reduce_chunk_serial(p: u32) -> Acc {
  let ch = chunk_of(p);
  var acc = identity();
  for (var l = ch.start; l < ch.end; l++) {
    acc = combine(acc, load(ch.base, l));
  }
  return acc;
}

fn tree_main(p: u32, lid: u32) {
  let ch = chunk_of(p);
  var acc = identity();
  for (var l = ch.start + lid; l < ch.end; l += WG) {
    acc = combine(acc, load(ch.base, l));
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
  let total = params.total;
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
