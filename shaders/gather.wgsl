// Embedding lookup: out[i, c] = table[idx[i], c] for a table of (rows, rowSize) and int32 idx (n); one thread
// per output word. Words move as raw u32 bits, so float32 and int32 tables share the kernel. An index outside
// [0, rows) writes zeros and sets the error slot ERROR_GATHER_INDEX (generated from ERROR_SLOTS in
// engine/backend/gpu/context.ts), which the next read() raises; the kernel never reads outside the table.
//
// Row window: a table over the storage-binding limit is gathered in several dispatches (engine/backend/gpu/
// gather.ts), each binding rows [rowStart, rowStart + windowRows) as a range that begins `lead` words before the
// window's first row (ranges start on the adapter's offset alignment, rows need not). A dispatch writes only the
// positions whose index falls in its window; the one with rowStart 0 also handles indices outside [0, rows).
// Unsplit, the window is the whole table (rowStart 0, windowRows = rows, lead 0).

override WG: u32 = 256u;

struct Params {
  n: u32, // idx entries
  rows: u32,
  rowSize: u32,
  rowStart: u32,
  windowRows: u32,
  lead: u32, // words bound before the window's first row
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
    if (params.rowStart == 0u) {
      out[p] = 0u;
      if (c == 0u) {
        atomicOr(&errors[ERROR_GATHER_INDEX], 1u); // one flag per bad index, not one per word
      }
    }
    return;
  }
  let w = u32(r) - params.rowStart; // wraps to a huge value below the window
  if (w >= params.windowRows) {
    return; // another dispatch's window
  }
  out[p] = table[params.lead + w * params.rowSize + c];
}
