// Starter kernel for the attention family (docs/kernel-contract.md): out = softmax(scale · q kᵀ + mask) v for
// every (b, h) head, q, k, v and out (B, H, T, d) row-major. One invocation per query row t: it streams the keys
// it may see once, keeping the running max m, the running sum l of exp(s − m) and the running weighted sum of v
// rows (the online softmax), so no (T, T) scores are ever stored. Correct, not fast: every invocation reads all
// of its keys from storage, and d is at most 128 (the accumulator's length).
//
// grid: ceil(T / WG_X), B * H, 1

struct Params {
  B: u32,
  H: u32,
  T: u32,
  d: u32,
  scale: f32,
  causal: u32, // 1: query t sees keys j ≤ t
  window: u32, // > 0: query t sees keys t − window < j ≤ t; 0: no window
}

@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

const MAX_D = 128u;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let t = gid.x;
  let head = gid.y; // b · H + h
  let T = params.T;
  let d = params.d;
  if (t >= T || head >= params.B * params.H || d > MAX_D) {
    return;
  }
  let base = head * T * d; // element (b, h, 0, 0)
  let qRow = base + t * d;

  // Keys [lo, hi) take part: all of them, or up to t (causal), or the last `window` up to t.
  var lo = 0u;
  var hi = T;
  if (params.causal != 0u || params.window > 0u) {
    hi = t + 1u;
  }
  if (params.window > 0u && t + 1u > params.window) {
    lo = t + 1u - params.window;
  }

  var m = -3.0e38; // running max of the scores
  var l = 0.0; // running Σ exp(s − m)
  var acc: array<f32, MAX_D>; // running Σ exp(s − m) · v_j, zero-initialised
  for (var j = lo; j < hi; j++) {
    let kRow = base + j * d;
    var s = 0.0;
    for (var c = 0u; c < d; c++) {
      s += q[qRow + c] * k[kRow + c];
    }
    s *= params.scale;
    let mNew = max(m, s);
    let rescale = exp(m - mNew); // shrinks what was summed under the old max
    let p = exp(s - mNew);
    l = l * rescale + p;
    for (var c = 0u; c < d; c++) {
      acc[c] = acc[c] * rescale + p * v[kRow + c];
    }
    m = mNew;
  }
  // l > 0: the key j = t (or, without a mask, every key) always takes part.
  for (var c = 0u; c < d; c++) {
    out[qRow + c] = acc[c] / l;
  }
}
