// The backward of gather: out[r, :] = Σ_{i : idx[i] = r} g[i, :], summed in increasing i, for an output of
// (rows, rowSize), g of (n, rowSize) and int32 idx (n). Indices outside [0, rows) contribute nothing.
//
// WGSL has no float atomics, and summing in whatever order threads arrive would not be repeatable anyway, so
// this is a counting sort of the positions i by their index, then one thread per output element summing its
// row's positions in order. Five passes of this one module, picked by the PASS override (all share the bindings):
//   COUNT (one thread per i):   counts[idx[i]] += 1                      (u32 atomics: integers are exact)
//   SCAN  (one workgroup):      starts = exclusive prefix sum of counts, starts[rows] = total;
//                               counts is reset to 0 to serve as the PLACE cursors
//   PLACE (one thread per i):   list[starts[r] + atomicAdd(cursor[r])] = i   (the segment of row r, in a
//                               scheduling-dependent order)
//   RANK  (one thread per i):   sorted[starts[r] + #{k in segment : list[k] < i}] = i
//                               (the segment sorted by i: the order no longer depends on scheduling)
//   SUM   (one thread per out): out[r, c] = Σ_{k in segment r} g[sorted[k], c], in increasing i
// Work is O(n + Σ_r count_r² + rows·rowSize + n·rowSize): linear when indices rarely repeat (token ids in a
// vocabulary), and at worst O(n²) in RANK when one index fills the batch.

override PASS: u32 = PASS_COUNT; // the PASS_* consts come from SCATTER_PASS in engine/backend/gpu/gather.ts
override WG: u32 = 64u; // a power of two ≤ MAX_WG
const MAX_WG: u32 = 256u;

struct Params {
  n: u32, // idx entries, rows of g
  rows: u32,
  rowSize: u32,
}

@group(0) @binding(auto) var<uniform> params: Params;
@group(0) @binding(auto) var<storage, read> g: array<f32>;
@group(0) @binding(auto) var<storage, read> idx: array<i32>;
@group(0) @binding(auto) var<storage, read_write> counts: array<atomic<u32>>; // (rows), zeroed by the caller
@group(0) @binding(auto) var<storage, read_write> starts: array<u32>; // (rows + 1)
@group(0) @binding(auto) var<storage, read_write> list: array<u32>; // (n)
@group(0) @binding(auto) var<storage, read_write> sorted: array<u32>; // (n)
@group(0) @binding(auto) var<storage, read_write> out: array<f32>; // (rows, rowSize)

var<workgroup> partial: array<u32, MAX_WG>;

/** The index at position i as a row, or rows (one past the end) when it is out of range. */
fn row_of(i: u32) -> u32 {
  let r = idx[i];
  if (r < 0 || u32(r) >= params.rows) {
    return params.rows;
  }
  return u32(r);
}

fn count(i: u32) {
  let r = row_of(i);
  if (r < params.rows) {
    atomicAdd(&counts[r], 1u);
  }
}

// One workgroup: thread t owns the contiguous chunk [t·chunk, (t+1)·chunk) of rows. Each sums its chunk, thread 0
// turns the WG partial sums into exclusive offsets, then each thread writes its chunk's running offsets.
fn scan(lid: u32) {
  let rows = params.rows;
  let chunk = (rows + WG - 1u) / WG;
  let lo = min(lid * chunk, rows);
  let hi = min(lo + chunk, rows);
  var s = 0u;
  for (var r = lo; r < hi; r++) {
    s += atomicLoad(&counts[r]);
  }
  partial[lid] = s;
  workgroupBarrier();
  if (lid == 0u) {
    var run = 0u;
    for (var t = 0u; t < WG; t++) {
      let v = partial[t];
      partial[t] = run;
      run += v;
    }
    starts[rows] = run; // the number of in-range indices
  }
  workgroupBarrier();
  var run = partial[lid];
  for (var r = lo; r < hi; r++) {
    let c = atomicLoad(&counts[r]);
    starts[r] = run;
    run += c;
    atomicStore(&counts[r], 0u); // now the cursor PLACE advances
  }
}

fn place(i: u32) {
  let r = row_of(i);
  if (r < params.rows) {
    let slot = atomicAdd(&counts[r], 1u);
    list[starts[r] + slot] = i;
  }
}

fn rank(i: u32) {
  let r = row_of(i);
  if (r < params.rows) {
    let s = starts[r];
    let e = starts[r + 1u];
    var k = 0u;
    for (var j = s; j < e; j++) {
      k += select(0u, 1u, list[j] < i);
    }
    sorted[s + k] = i;
  }
}

fn sum(p: u32) {
  let rowSize = params.rowSize;
  let r = p / rowSize;
  let c = p % rowSize;
  var acc = 0.0;
  for (var k = starts[r]; k < starts[r + 1u]; k++) {
    acc += g[sorted[k] * rowSize + c];
  }
  out[p] = acc;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let t = (wid.x + wid.y * nwg.x) * WG + lid; // the grid may be folded into y (ctx.grid1d)
  if (PASS == PASS_SCAN) {
    scan(lid); // dispatched as one workgroup
  } else if (PASS == PASS_SUM) {
    if (t < params.rows * params.rowSize) {
      sum(t);
    }
  } else if (t < params.n) {
    if (PASS == PASS_COUNT) {
      count(t);
    } else if (PASS == PASS_PLACE) {
      place(t);
    } else { // PASS_RANK
      rank(t);
    }
  }
}
