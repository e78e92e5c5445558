// The op records of the pointwise families, the first tier of kernels: one entry per op holding everything the
// engine knows about it, so that an op is added in one place and the compiler refuses a record with a part left out:
//   cpu       the CPU backend's maths in float64, PyTorch 1.13's at NaN and ±Inf (test/cpu.test.ts checks them)
//   wgsl      the statements of its case in the WGSL kernel's apply(): backend/gpu/elementwise.ts generates the
//             switch, included by shaders/unary.wgsl or binary.wgsl, with the op's code its place in this table
//             (numerics.wgsl and activations.wgsl are in scope)
//   backward  the gradient rule and what it saves, or null, written out, for an op without a gradient
// UnaryOp and BinaryOp are the keys of these tables. The fused ops (softmax, layerNorm, attention, …), the
// second tier, are recorded in ops/fused.ts.
//
// Nothing here imports a tensor at load time: the CPU backend reads `cpu` and must not pull in the op layer.
import type { Tensor } from '../tensor';
import { geluDerivative, geluTanh, geluTanhDerivative, normalCdf, pow } from './scalar-math';

/** What a backward rule may call besides Tensor methods: the one-kernel activation derivatives. */
export interface RuleOps {
  binary(op: BinaryOp, a: Tensor, b: Tensor): Tensor;
}

/** A unary op's backward: d(op)/dx · g from the one tensor it saves, or from none. */
export interface UnaryBackward {
  saves: 'input' | 'output' | 'none';
  grad(g: Tensor, saved: Tensor, ops: RuleOps): Tensor;
}

export interface UnaryDef {
  cpu(x: number): number;
  /** Statements returning the result for `v: f32`. */
  wgsl: string;
  backward: UnaryBackward | null;
}

/** The tensors a binary rule may read: the operands and the output. */
export interface BinarySaved {
  a: Tensor;
  b: Tensor;
  out: Tensor;
}

/** A binary op's backward, per operand: what its gradient reads, and the gradient before summing over broadcast dims. */
export interface BinaryBackward {
  needs: [Array<keyof BinarySaved>, Array<keyof BinarySaved>];
  grad: [(g: Tensor, s: BinarySaved, ops: RuleOps) => Tensor, (g: Tensor, s: BinarySaved, ops: RuleOps) => Tensor];
}

export interface BinaryDef {
  cpu(a: number, b: number): number;
  /** Statements returning the result for `x, y: f32`, with `nan` (either is NaN) in scope. */
  wgsl: string;
  backward: BinaryBackward | null;
}

/** A table of op records: every name maps to a complete record. */
export type OpTable<Name extends string, Def> = { readonly [K in Name]: Def };

export const UNARY = {
  neg: { cpu: (x) => -x, wgsl: 'return -v;', backward: { saves: 'none', grad: (g) => g.neg() } },
  // abs: sign(0) = 0 is the subgradient PyTorch picks
  abs: { cpu: (x) => Math.abs(x), wgsl: 'return abs(v);', backward: { saves: 'input', grad: (g, x) => g.mul(x.sign()) } },
  exp: { cpu: (x) => Math.exp(x), wgsl: 'return exp_nf(v);', backward: { saves: 'output', grad: (g, y) => g.mul(y) } },
  log: { cpu: (x) => Math.log(x), wgsl: 'return log_nf(v);', backward: { saves: 'input', grad: (g, x) => g.div(x) } },
  sqrt: {
    cpu: (x) => Math.sqrt(x),
    // NaN below 0, +Inf stays
    wgsl: 'if (is_nan(v) || v < 0.0) { return nan_f32(); } if (is_pos_inf(v)) { return v; } return sqrt(v);',
    backward: { saves: 'output', grad: (g, y) => g.div(y.mul(2)) }, // 1 / (2√x)
  },
  rsqrt: {
    cpu: (x) => 1 / Math.sqrt(x),
    // NaN below 0, ±0 → ±Inf, +Inf → 0
    wgsl: 'if (is_nan(v) || v < 0.0) { return nan_f32(); } if (v == 0.0) { return 1.0 / v; } if (is_pos_inf(v)) { return 0.0; } return inverseSqrt(v);',
    backward: { saves: 'output', grad: (g, y) => g.mul(y.pow(3)).mul(-0.5) }, // −½ x^(−3/2)
  },
  square: { cpu: (x) => x * x, wgsl: 'return v * v;', backward: { saves: 'input', grad: (g, x) => g.mul(x).mul(2) } },
  reciprocal: { cpu: (x) => 1 / x, wgsl: 'return 1.0 / v;', backward: { saves: 'output', grad: (g, y) => g.mul(y.square()).neg() } }, // −1/x²
  // The activations' derivatives are one fused kernel each (BINARY's *Grad): relu' from the output (y > 0 ⟺
  // x > 0; relu'(0) = 0 as in PyTorch), tanh' = 1 − y², σ' = σ(1 − σ); GELU's derivative needs the input.
  relu: {
    cpu: (x) => (Number.isNaN(x) ? NaN : x > 0 ? x : 0), // PyTorch keeps NaN
    wgsl: 'return act_relu(v);',
    backward: { saves: 'output', grad: (g, y, ops) => ops.binary('reluGrad', g, y) },
  },
  gelu: {
    cpu: (x) => x * normalCdf(x), // exact GELU: x·Φ(x); NaN at −Inf (−Inf·0), as PyTorch
    wgsl: 'return act_gelu(v);',
    backward: { saves: 'input', grad: (g, x, ops) => ops.binary('geluGrad', g, x) },
  },
  geluTanh: { cpu: geluTanh, wgsl: 'return act_gelu_tanh(v);', backward: { saves: 'input', grad: (g, x, ops) => ops.binary('geluTanhGrad', g, x) } },
  tanh: { cpu: (x) => Math.tanh(x), wgsl: 'return act_tanh(v);', backward: { saves: 'output', grad: (g, y, ops) => ops.binary('tanhGrad', g, y) } },
  sigmoid: {
    // Both branches exponentiate a non-positive number, so neither overflows.
    cpu: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
    wgsl: 'return act_sigmoid(v);',
    backward: { saves: 'output', grad: (g, y, ops) => ops.binary('sigmoidGrad', g, y) },
  },
  // reduce_angle (unary.wgsl) keeps WGSL's sin/cos accuracy, guaranteed only on [−π, π], for large inputs.
  sin: {
    cpu: (x) => Math.sin(x),
    wgsl: 'if (is_nonfinite(v)) { return nan_f32(); } return sin(reduce_angle(v));',
    backward: { saves: 'input', grad: (g, x) => g.mul(x.cos()) },
  },
  cos: {
    cpu: (x) => Math.cos(x),
    wgsl: 'if (is_nonfinite(v)) { return nan_f32(); } return cos(reduce_angle(v));',
    backward: { saves: 'input', grad: (g, x) => g.mul(x.sin()).neg() },
  },
  // sign(NaN) is NaN (NumPy's answer; PyTorch 1.13 gives 0, which would hide the NaN). Piecewise constant: no gradient.
  sign: { cpu: (x) => Math.sign(x), wgsl: 'if (is_nan(v)) { return v; } return sign(v);', backward: null },
} satisfies Record<string, UnaryDef>;

export type UnaryOp = keyof typeof UNARY;

/** Comparisons give float32 1 or 0 and have no gradient; every one is false for a NaN operand, except ne. */
const comparison = (cpu: (a: number, b: number) => boolean, wgsl: string): BinaryDef => ({
  cpu: (a, b) => (cpu(a, b) ? 1 : 0),
  wgsl: `return flag(${wgsl});`,
  backward: null,
});

export const BINARY = {
  add: { cpu: (a, b) => a + b, wgsl: 'return x + y;', backward: { needs: [[], []], grad: [(g) => g, (g) => g] } },
  sub: { cpu: (a, b) => a - b, wgsl: 'return x - y;', backward: { needs: [[], []], grad: [(g) => g, (g) => g.neg()] } },
  mul: { cpu: (a, b) => a * b, wgsl: 'return x * y;', backward: { needs: [['b'], ['a']], grad: [(g, s) => g.mul(s.b), (g, s) => g.mul(s.a)] } },
  // d(a/b)/db = −a/b² = −out/b
  div: {
    cpu: (a, b) => a / b,
    wgsl: 'return x / y;',
    backward: { needs: [['b'], ['b', 'out']], grad: [(g, s) => g.div(s.b), (g, s) => g.mul(s.out).div(s.b).neg()] },
  },
  // d a^b/da = b·a^(b−1); d a^b/db = a^b·ln a (PyTorch's formula, meaningful for a > 0)
  pow: {
    cpu: pow,
    wgsl: 'return safe_pow(x, y);',
    backward: { needs: [['a', 'b'], ['a', 'out']], grad: [(g, s) => g.mul(s.b).mul(s.a.pow(s.b.sub(1))), (g, s) => g.mul(s.out).mul(s.a.log())] },
  },
  // max/min propagate NaN (torch.maximum) and send the gradient to the larger (smaller) operand, to a on ties.
  max: {
    cpu: (a, b) => Math.max(a, b),
    wgsl: 'return max_nf(x, y);',
    backward: { needs: [['a', 'b'], ['a', 'b']], grad: [(g, s) => g.mul(s.a.ge(s.b)), (g, s) => g.mul(s.a.lt(s.b))] },
  },
  min: {
    cpu: (a, b) => Math.min(a, b),
    wgsl: 'return min_nf(x, y);',
    backward: { needs: [['a', 'b'], ['a', 'b']], grad: [(g, s) => g.mul(s.a.le(s.b)), (g, s) => g.mul(s.a.gt(s.b))] },
  },
  eq: comparison((a, b) => a === b, '!nan && x == y'),
  ne: comparison((a, b) => a !== b, 'nan || x != y'),
  lt: comparison((a, b) => a < b, '!nan && x < y'),
  le: comparison((a, b) => a <= b, '!nan && x <= y'),
  gt: comparison((a, b) => a > b, '!nan && x > y'),
  ge: comparison((a, b) => a >= b, '!nan && x >= y'),
  // Activation derivatives for the unary rules above, g (the upstream gradient) first and the saved tensor second;
  // used only inside backward rules, so they have none themselves.
  // PyTorch's threshold_backward: relu'(0) = 0, and a NaN passes g on
  reluGrad: { cpu: (g, y) => (y <= 0 ? 0 : g), wgsl: 'return select(x, 0.0, !is_nan(y) && y <= 0.0);', backward: null },
  tanhGrad: { cpu: (g, y) => g * (1 - y * y), wgsl: 'return x * (1.0 - y * y);', backward: null }, // y = tanh
  sigmoidGrad: { cpu: (g, y) => g * y * (1 - y), wgsl: 'return x * y * (1.0 - y);', backward: null }, // y = σ
  geluGrad: { cpu: (g, x) => g * geluDerivative(x), wgsl: 'return x * act_gelu_grad(y);', backward: null }, // y = input
  geluTanhGrad: { cpu: (g, x) => g * geluTanhDerivative(x), wgsl: 'return x * act_gelu_tanh_grad(y);', backward: null },
} satisfies Record<string, BinaryDef>;

export type BinaryOp = keyof typeof BINARY;

/** The op codes the kernels switch on: each op's place in its table. */
function codes<T extends object>(table: T): OpTable<Extract<keyof T, string>, number> {
  return Object.fromEntries(Object.keys(table).map((name, i) => [name, i])) as OpTable<Extract<keyof T, string>, number>;
}

export const UNARY_CODES = codes(UNARY);
export const BINARY_CODES = codes(BINARY);
