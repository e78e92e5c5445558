// Activation functions and their derivatives, shared by the elementwise kernels (unary.wgsl, binary.wgsl) and the
// matmul epilogues, so that a fused activation computes exactly what the standalone op does. Includes numerics.wgsl.
// Each gives PyTorch's result for NaN and ±Inf inputs, and a finite, correct result for every finite input:
// overflow-prone forms are avoided, because some adapters (SwiftShader) return NaN for tanh(100).

// #include numerics

// tanh from exp(−2|x|) ≤ 1, which cannot overflow; a Taylor series near 0 avoids the cancellation in 1 − t.
fn act_tanh(v: f32) -> f32 {
  if (is_nan(v)) {
    return v;
  }
  let a = abs(v);
  if (a < 0.1) {
    let v2 = v * v;
    return v * (1.0 - v2 * (1.0 / 3.0 - v2 * (2.0 / 15.0 - v2 * (17.0 / 315.0))));
  }
  let t = exp_nf(-2.0 * a);
  return sign(v) * (1.0 - t) / (1.0 + t);
}

// Both branches only exponentiate a non-positive number.
fn act_sigmoid(v: f32) -> f32 {
  if (is_nan(v)) {
    return v;
  }
  if (v >= 0.0) {
    return 1.0 / (1.0 + exp_nf(-v));
  }
  let e = exp_nf(v);
  return e / (1.0 + e);
}

// max(v, 0), keeping NaN (PyTorch's relu does).
fn act_relu(v: f32) -> f32 {
  if (is_nan(v)) {
    return v;
  }
  return max(v, 0.0);
}

// erf by Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5e-7); exp(−x²) underflows to 0, never overflows.
fn erf_approx(v: f32) -> f32 {
  let a = abs(v);
  let t = 1.0 / (1.0 + 0.3275911 * a);
  let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign(v) * (1.0 - poly * exp_nf(-a * a));
}

// Exact (erf) GELU, PyTorch's default: x·Φ(x). GELU(−Inf) is NaN in PyTorch (−Inf·0), and here, said outright:
// compilers may fold x·0 to 0.
fn act_gelu(v: f32) -> f32 {
  if (is_nan(v) || is_neg_inf(v)) {
    return nan_f32();
  }
  return 0.5 * v * (1.0 + erf_approx(v * 0.70710678118654752));
}

// d/dx [x·Φ(x)] = Φ(x) + x·φ(x); NaN at ±Inf, as in PyTorch.
fn act_gelu_grad(v: f32) -> f32 {
  if (is_nonfinite(v)) {
    return nan_f32();
  }
  let cdf = 0.5 * (1.0 + erf_approx(v * 0.70710678118654752));
  let pdf = 0.3989422804014327 * exp_nf(-0.5 * v * v);
  return cdf + v * pdf;
}

// The tanh approximation (PyTorch's approximate='tanh', GPT-2's gelu_new): ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
// For |x| > 10 the tanh is ±1 to float precision, and x³ would overflow for |x| near 1e13: use the limits.
fn act_gelu_tanh(v: f32) -> f32 {
  if (is_nan(v) || is_neg_inf(v)) {
    return nan_f32(); // −Inf·0 in PyTorch
  }
  if (abs(v) > 10.0) {
    return select(-0.0, v, v > 0.0); // ½x(1 − 1) below, x above
  }
  let u = 0.7978845608028654 * (v + 0.044715 * v * v * v);
  return 0.5 * v * (1.0 + act_tanh(u));
}

// d/dx of act_gelu_tanh: ½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3·0.044715x²), t = tanh(u); NaN at ±Inf.
fn act_gelu_tanh_grad(v: f32) -> f32 {
  if (is_nonfinite(v)) {
    return nan_f32();
  }
  if (abs(v) > 10.0) {
    return select(0.0, 1.0, v > 0.0);
  }
  let u = 0.7978845608028654 * (v + 0.044715 * v * v * v);
  let t = act_tanh(u);
  return 0.5 * (1.0 + t) + 0.5 * v * (1.0 - t * t) * 0.7978845608028654 * (1.0 + 0.134145 * v * v);
}
