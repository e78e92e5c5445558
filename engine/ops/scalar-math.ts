// Scalar maths in float64 for the CPU backend's pointwise ops (their records are in ops/pointwise.ts): erf, the
// normal CDF, both GELUs and their derivatives, and C's pow. Written independently of the WGSL versions in
// shaders/activations.wgsl, so that each checks the other.

// erf and erfc, to ~1e-15, written independently of the shader's Abramowitz–Stegun approximation.

const TWO_OVER_SQRT_PI = 1.1283791670955126; // 2/√π
const INV_SQRT_PI = 0.5641895835477563; // 1/√π
const INV_SQRT_2 = 0.7071067811865476; // 1/√2
const INV_SQRT_2PI = 0.3989422804014327; // 1/√(2π)

/**
 * erf(x) for |x| < 2 by the series erf(x) = 2/√π · e^{-x²} · Σ_n 2ⁿ x^{2n+1} / (1·3·5···(2n+1)).
 * Every term has the sign of x, so unlike the alternating Taylor series nothing cancels.
 */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (Math.abs(term) <= Math.abs(sum) * 1e-17) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/**
 * erfc(x) for x ≥ 2 by Laplace's continued fraction
 *   erfc(x) = e^{-x²}/√π · 1/(x + (1/2)/(x + (2/2)/(x + (3/2)/(x + …)))),
 * evaluated bottom-up. At x ≥ 2, 80 levels converge to double precision (checked against 2000 levels).
 */
function erfcContinuedFraction(x: number): number {
  let f = x;
  for (let k = 80; k >= 1; k--) f = x + k / 2 / f;
  return (INV_SQRT_PI * Math.exp(-x * x)) / f;
}

/** The error function, accurate to about 1e-15 absolute. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (Math.abs(x) < 2) return erfSeries(x);
  const tail = erfcContinuedFraction(Math.abs(x)); // erfc(|x|), exp underflow makes it 0 for huge |x|
  return x > 0 ? 1 - tail : tail - 1;
}

/** The complementary error function 1 - erf(x), keeping relative accuracy in the right tail. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x >= 2) return erfcContinuedFraction(x);
  if (x <= -2) return 2 - erfcContinuedFraction(-x);
  return 1 - erfSeries(x);
}

/** Standard normal CDF Φ(x) = erfc(-x/√2)/2, via erfc so that Φ of a very negative x keeps its digits. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x * INV_SQRT_2);
}

/** GELU's tanh approximation (PyTorch's approximate='tanh'): ½x(1 + tanh(√(2/π)(x + 0.044715x³))). */
const SQRT_2_OVER_PI = 0.7978845608028654; // √(2/π)
export function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
}

/** d/dx of geluTanh: ½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3·0.044715x²), with t the tanh above. */
export function geluTanhDerivative(x: number): number {
  const t = Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x));
  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x);
}

/** d/dx x·Φ(x) = Φ(x) + x·φ(x). */
export function geluDerivative(x: number): number {
  return normalCdf(x) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

/** C's pow, which PyTorch uses: x^0 = 1 and 1^y = 1 even for NaN, and (−1)^±Inf = 1, where Math.pow gives NaN. */
export function pow(a: number, b: number): number {
  if (b === 0 || a === 1) return 1;
  if (a === -1 && (b === Infinity || b === -Infinity)) return 1;
  return Math.pow(a, b);
}
