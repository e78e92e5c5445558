// Attention backward, first pass: D_i = Σ_c dO_ic·O_ic for every query row, (B·H·Tq) rows of d = 4·D4 floats.
// The softmax backward needs Σ_j P_ij·dP_ij per row; since O_i = Σ_j P_ij·V_j and dP_ij = dO_i·V_j, that sum is
// dO_i·O_i, which costs O(d) per row instead of O(Tk). One invocation per row.

const WG: u32 = 64u;

struct Params {
  rows: u32,
  D4: u32, // vec4s per row
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> o: array<vec4<f32>>; // (rows, d)
@group(0) @binding(2) var<storage, read> dout: array<vec4<f32>>; // (rows, d)
@group(0) @binding(3) var<storage, read_write> delta: array<f32>; // (rows)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = gid.x + gid.y * nwg.x * WG; // the grid may be folded into y (ctx.grid1d)
  if (row >= params.rows) {
    return;
  }
  var acc = vec4<f32>(0.0);
  let base = row * params.D4;
  for (var c = 0u; c < params.D4; c++) {
    acc += o[base + c] * dout[base + c];
  }
  delta[row] = acc.x + acc.y + acc.z + acc.w;
}
