// Shared by the three matmul kernels (matmul.wgsl, matmul_general.wgsl, matmul_tiled.wgsl): the uniform
// parameters, the batch offsets, and the epilogue. A template (engine/backend/gpu/template.ts), included by each.
//
// C = act(A @ B + bias) over a batch of up to 4 dims. A (M, K) and B (K, N) are read through strides, so a
// transposed operand (x @ Wᵀ, Q @ Kᵀ, gᵀ @ x in a backward), a head-split view or a broadcast batch (stride 0)
// needs no copy; C is contiguous (batch…, M, N).
//   A[z][m][k] = a[aOffset + Σ_d z_d·aBatchStrides[d] + m·aRowStride + k·aColStride], B likewise.
// Template switches: BIAS (add bias[biasOffset + n] to every row), ACT (the activation's code: the ACT_* consts,
// generated from MATMUL_ACTIVATIONS in engine/backend/gpu/matmul.ts), SUM_A (also write sumA[m] = Σ_k A[m][k]:
// Linear's bias gradient, taken with dW).

// #include numerics
// #include activations

struct Params {
  M: u32,
  N: u32,
  K: u32,
  biasOffset: u32,
  aOffset: u32,
  aRowStride: u32,
  aColStride: u32,
  bOffset: u32,
  bRowStride: u32,
  bColStride: u32,
  // Batch dims, outermost first; unused leading dims have extent 1 (engine/backend/gpu/matmul.ts pads them).
  batchShape: vec4<u32>,
  aBatchStrides: vec4<u32>,
  bBatchStrides: vec4<u32>,
  // This dispatch's offset in the full grid, in workgroups: a grid over the per-dimension limit is split into
  // several dispatches (matmul.ts).
  wgOffset: vec3<u32>,
}

@group(0) @binding(auto) var<uniform> params: Params;
// @if BIAS
@group(0) @binding(auto) var<storage, read> bias: array<f32>; // (N) from biasOffset
// @endif
// @if SUM_A
@group(0) @binding(auto) var<storage, read_write> sumA: array<f32>; // (M)
// @endif

// Where batch entry z's A and B start: z decomposed over batchShape, innermost (w) first.
fn batch_starts(z: u32) -> vec2<u32> {
  let e = params.batchShape;
  let sa = params.aBatchStrides;
  let sb = params.bBatchStrides;
  var o = vec2<u32>(params.aOffset, params.bOffset);
  let q3 = z / e.w;
  o += (z - q3 * e.w) * vec2<u32>(sa.w, sb.w);
  let q2 = q3 / e.z;
  o += (q3 - q2 * e.z) * vec2<u32>(sa.z, sb.z);
  let q1 = q2 / e.y;
  o += (q2 - q1 * e.y) * vec2<u32>(sa.y, sb.y);
  return o + q1 * vec2<u32>(sa.x, sb.x);
}

// The activation of the epilogue; `code` is a constant, so the switch folds away.
fn epilogue_act(code: u32, v: f32) -> f32 {
  switch code {
    case ACT_RELU: { return act_relu(v); }
    case ACT_GELU: { return act_gelu(v); }
    case ACT_GELU_TANH: { return act_gelu_tanh(v); }
    case ACT_TANH: { return act_tanh(v); }
    case ACT_SIGMOID: { return act_sigmoid(v); }
    default: { return v; } // ACT_NONE
  }
}

// The epilogue of one element of C at column n: act(v + bias[n]).
fn epilogue(v: f32, n: u32) -> f32 {
  var r = v;
// @if BIAS
  r += bias[params.biasOffset + n];
// @endif
  return epilogue_act({{ACT}}u, r);
}

// The epilogue of C[row][n .. n+3].
fn epilogue4(v: vec4<f32>, n: u32) -> vec4<f32> {
  return vec4<f32>(epilogue(v.x, n), epilogue(v.y, n + 1u), epilogue(v.z, n + 2u), epilogue(v.w, n + 3u));
}
