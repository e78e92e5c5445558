// The backward of gather for small problems, in one dispatch: out[r, c] = Σ_{i : idx[i] = r} g[i, c], summed in
// increasing i (the same order as the sorting path in scatter_add.wgsl and as the CPU oracle, so the result is
// deterministic), one thread per output element scanning all n indices. O(rows·rowSize·n) work, which
// engine/backend/gpu/gather.ts allows only when that product is small (a character vocabulary, a toy model's
// embeddings); otherwise the five-pass counting sort runs. Indices outside [0, rows) match no row.

override WG: u32 = 64u;

struct Params {
  n: u32, // idx entries, rows of g
  rows: u32,
  rowSize: u32,
}

@group(0) @binding(auto) var<uniform> params: Params;
@group(0) @binding(auto) var<storage, read> g: array<f32>; // (n, rowSize)
@group(0) @binding(auto) var<storage, read> idx: array<i32>; // (n)
@group(0) @binding(auto) var<storage, read_write> out: array<f32>; // (rows, rowSize)

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let o = (wid.x + wid.y * nwg.x) * WG + lid; // the grid may be folded into y (ctx.grid1d)
  if (o >= params.rows * params.rowSize) {
    return;
  }
  let r = i32(o / params.rowSize);
  let c = o % params.rowSize;
  var acc = 0.0;
  for (var i = 0u; i < params.n; i++) {
    if (idx[i] == r) {
      acc += g[i * params.rowSize + c];
    }
  }
  out[o] = acc;
}
