// NaN and ±Inf by bit pattern, and exp/log/max/min that treat them as PyTorch (and the CPU backend) do. Included
// by every kernel that can meet a non-finite value (`// #include numerics`, engine/backend/gpu/shader.ts).
//
// Why bits: WGSL lets an implementation assume that no NaN or Inf occurs, and SwiftShader does. There, x != x is
// false for a NaN, max and min drop a NaN, exp(NaN) is +Inf, log(0) is −88.03 and log(−1) is 0, so a NaN reaching
// a kernel written with plain built-ins comes out as a plausible number. IEEE arithmetic itself (+, −, ·, /)
// does propagate NaN and Inf there; the tests in test/kernels.nonfinite.test.ts check each function below.

// A var, so that the bits are not folded into a constant expression (WGSL rejects NaN and Inf constants).
fn from_bits(bits: u32) -> f32 {
  var b = bits;
  return bitcast<f32>(b);
}

fn nan_f32() -> f32 {
  return from_bits(0x7fc00000u);
}

fn inf_f32() -> f32 {
  return from_bits(0x7f800000u);
}

fn neg_inf_f32() -> f32 {
  return from_bits(0xff800000u);
}

fn is_nan(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

// NaN or ±Inf: the exponent bits are all ones.
fn is_nonfinite(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7f800000u) == 0x7f800000u;
}

fn is_pos_inf(v: f32) -> bool {
  return bitcast<u32>(v) == 0x7f800000u;
}

fn is_neg_inf(v: f32) -> bool {
  return bitcast<u32>(v) == 0xff800000u;
}

// exp: NaN stays NaN, exp(−Inf) = 0, exp(+Inf) = +Inf.
fn exp_nf(v: f32) -> f32 {
  if (is_nonfinite(v)) {
    if (is_nan(v)) {
      return v;
    }
    return select(0.0, v, v > 0.0);
  }
  return exp(v);
}

// log: NaN and negative inputs give NaN, ±0 gives −Inf, +Inf stays +Inf.
fn log_nf(v: f32) -> f32 {
  if (is_nan(v) || v < 0.0) {
    return nan_f32();
  }
  if (v == 0.0) {
    return neg_inf_f32();
  }
  if (is_pos_inf(v)) {
    return v;
  }
  return log(v);
}

// max and min that return NaN when either side is NaN (torch.maximum), which the built-ins may not.
fn max_nf(a: f32, b: f32) -> f32 {
  if (is_nan(a)) {
    return a;
  }
  if (is_nan(b)) {
    return b;
  }
  return max(a, b);
}

fn min_nf(a: f32, b: f32) -> f32 {
  if (is_nan(a)) {
    return a;
  }
  if (is_nan(b)) {
    return b;
  }
  return min(a, b);
}
