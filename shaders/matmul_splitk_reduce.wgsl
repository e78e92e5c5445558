// The second pass of split-K (engine/backend/gpu/matmul.ts, splitKProduct): C = act(Σ_j parts[j] + rest + bias),
// one invocation per element of C. The first pass computed parts (S, M, N), the products of S slices of K, as one
// batched matmul, and rest (M, N), the product of the last K mod S steps (REST = 1 when there are any). Params
// and the epilogue come from matmul_common.wgsl; here params.K holds S, the number of slices.

// #include matmul_common

@group(0) @binding(auto) var<storage, read> parts: array<f32>; // (S, M, N)
// @if REST
@group(0) @binding(auto) var<storage, read> rest: array<f32>; // (M, N)
// @endif
@group(0) @binding(auto) var<storage, read_write> out: array<f32>; // (M, N)

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 64u; // ctx.grid1d folds a long grid into y
  let MN = params.M * params.N;
  if (i >= MN) {
    return;
  }
  var s = 0.0;
  for (var j = 0u; j < params.K; j++) {
    s += parts[j * MN + i];
  }
// @if REST
  s += rest[i];
// @endif
  out[i] = epilogue(s, i % params.N);
}
