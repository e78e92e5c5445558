// Attention backward, first pass: D_i = Σ_c dO_ic·O_ic for every query row of (B, H, Tq), d = 4·D4 floats each,
// written beside the forward's logsumexp L_i as the pairs (L_i, D_i) that the dQ and dK/dV passes read through one
// binding (an adapter may offer as few as 10 storage buffers per stage, and dK/dV has many).
// The softmax backward needs Σ_j P_ij·dP_ij per row; since O_i = Σ_j P_ij·V_j and dP_ij = dO_i·V_j, that sum is
// dO_i·O_i, which costs O(d) per row instead of O(Tk). One invocation per row. O and dO are read through their
// layouts (offset, sb, sh, st in vec4s; see attention_common.wgsl); lse is contiguous (B, H, Tq) and ld (B, H, Tq, 2).

const WG: u32 = 64u;

struct Params {
  rows: u32, // B·H·Tq
  H: u32,
  Tq: u32,
  D4: u32, // vec4s per row
  lo: vec4<u32>,
  lg: vec4<u32>,
}

@group(0) @binding(auto) var<uniform> params: Params;
@group(0) @binding(auto) var<storage, read> o: array<vec4<f32>>; // (B, H, Tq, d), layout lo
@group(0) @binding(auto) var<storage, read> dout: array<vec4<f32>>; // (B, H, Tq, d), layout lg
@group(0) @binding(auto) var<storage, read> lse: array<f32>; // (B, H, Tq)
@group(0) @binding(auto) var<storage, read_write> ld: array<vec2<f32>>; // (B, H, Tq): (L_i, D_i)

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = gid.x + gid.y * nwg.x * WG; // the grid may be folded into y (ctx.grid1d)
  if (row >= params.rows) {
    return;
  }
  let t = row % params.Tq;
  let bh = row / params.Tq;
  let b = bh / params.H;
  let h = bh % params.H;
  let oi = params.lo.x + b * params.lo.y + h * params.lo.z + t * params.lo.w;
  let gi = params.lg.x + b * params.lg.y + h * params.lg.z + t * params.lg.w;
  var acc = vec4<f32>(0.0);
  for (var c = 0u; c < params.D4; c++) {
    acc += o[oi + c] * dout[gi + c];
  }
  ld[row] = vec2<f32>(lse[row], acc.x + acc.y + acc.z + acc.w);
}
