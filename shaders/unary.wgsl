// out[i] = f(x[i]) for the unary op selected by the OP override (numbering: UNARY_OPS in engine/backend/gpu/elementwise.ts).
// Overflow-prone functions are written so that any finite input gives a finite, correct result, because some
// adapters (SwiftShader) return NaN for tanh(100) and WGSL lets implementations assume no NaN or Inf occur.

override OP: u32 = 0u;
override WG: u32 = 256u;

struct Params {
  n: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

// tanh from exp(-2|x|) ≤ 1, which cannot overflow; a Taylor series near 0 avoids the cancellation in 1 - t.
fn safe_tanh(v: f32) -> f32 {
  let a = abs(v);
  if (a < 0.1) {
    let v2 = v * v;
    return v * (1.0 - v2 * (1.0 / 3.0 - v2 * (2.0 / 15.0 - v2 * (17.0 / 315.0))));
  }
  let t = exp(-2.0 * a);
  return sign(v) * (1.0 - t) / (1.0 + t);
}

// Both branches only exponentiate a non-positive number.
fn safe_sigmoid(v: f32) -> f32 {
  if (v >= 0.0) {
    return 1.0 / (1.0 + exp(-v));
  }
  let e = exp(v);
  return e / (1.0 + e);
}

// erf by Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5e-7); exp(-x²) underflows to 0, never overflows.
fn erf_approx(v: f32) -> f32 {
  let a = abs(v);
  let t = 1.0 / (1.0 + 0.3275911 * a);
  let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign(v) * (1.0 - poly * exp(-a * a));
}

// Exact (erf) GELU, PyTorch's default: x · Φ(x).
fn gelu(v: f32) -> f32 {
  return 0.5 * v * (1.0 + erf_approx(v * 0.70710678118654752));
}

// d/dx [x · Φ(x)] = Φ(x) + x · φ(x)
fn gelu_grad(v: f32) -> f32 {
  let cdf = 0.5 * (1.0 + erf_approx(v * 0.70710678118654752));
  let pdf = 0.3989422804014327 * exp(-0.5 * v * v);
  return cdf + v * pdf;
}

// WGSL guarantees sin/cos only to 2^-11 absolute error, and only on [-π, π]; reduce the argument there first
// with 2π split in two parts (Cody–Waite) so that large inputs keep that accuracy.
fn reduce_angle(v: f32) -> f32 {
  let k = round(v * 0.15915494309189535);
  return (v - k * 6.28125) - k * 0.0019353071795864769;
}

fn apply(v: f32) -> f32 {
  switch OP {
    case 0u: { return -v; }
    case 1u: { return abs(v); }
    case 2u: { return exp(v); }
    case 3u: { return log(v); }
    case 4u: { return sqrt(v); }
    case 5u: { return inverseSqrt(v); }
    case 6u: { return v * v; }
    case 7u: { return 1.0 / v; }
    case 8u: { return max(v, 0.0); }
    case 9u: { return gelu(v); }
    case 10u: { return safe_tanh(v); }
    case 11u: { return safe_sigmoid(v); }
    case 12u: { return sin(reduce_angle(v)); }
    case 13u: { return cos(reduce_angle(v)); }
    case 14u: { return select(0.0, 1.0, v > 0.0); } // step: relu's derivative, taken as 0 at 0
    case 15u: { return gelu_grad(v); }
    case 16u: { return sign(v); }
    default: { return v; }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i >= params.n) {
    return;
  }
  out[i] = apply(x[i]);
}
