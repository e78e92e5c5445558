// Embedding lookup: out[i, c] = table[idx[i], c] for a table of (rows, rowSize) and int32 idx (n); one thread
// per output word. Words move as raw u32 bits, so float32 and int32 tables share the kernel. An index outside
// [0, rows) writes zeros and sets the error slot ERROR_GATHER_INDEX (generated from ERROR_SLOTS in
// engine/backend/gpu/context.ts), which the next read() raises; the kernel never reads outside the table.

override WG: u32 = 256u;

struct Params {
  n: u32, // idx entries
  rows: u32,
  rowSize: u32,
}

@group(0) @binding(auto) var<uniform> params: Params;
@group(0) @binding(auto) var<storage, read> table: array<u32>;
@group(0) @binding(auto) var<storage, read> idx: array<i32>;
@group(0) @binding(auto) var<storage, read_write> out: array<u32>;
@group(0) @binding(auto) var<storage, read_write> errors: array<atomic<u32>>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let p = (wid.x + wid.y * nwg.x) * WG + lid; // the grid may be folded into y (ctx.grid1d)
  if (p >= params.n * params.rowSize) {
    return;
  }
  let i = p / params.rowSize;
  let c = p % params.rowSize;
  let r = idx[i];
  if (r < 0 || u32(r) >= params.rows) {
    out[p] = 0u;
    if (c == 0u) {
      atomicOr(&errors[ERROR_GATHER_INDEX], 1u); // one flag per bad index, not one per word
    }
    return;
  }
  out[p] = table[u32(r) * params.rowSize + c];
}
