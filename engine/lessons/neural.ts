// Weeks 8-9, neural networks: a two-layer MLP trained on XOR with the engine's autograd and Adam, and the
// activation functions with their derivatives, also taken by autograd (no derivative here is written by hand).
import { tensor, type Tensor } from '../tensor';
import { mulberry32 } from '../random';
import { crossEntropy } from '../ops/loss';
import { Adam } from '../optim/adam';
import { tidy } from '../memory';
import type { DeviceName } from '../backend/backend';

/** The four XOR points and their labels: 1 exactly when the two inputs differ. */
export const XOR_X: number[][] = [[0, 0], [0, 1], [1, 0], [1, 1]];
export const XOR_Y: number[] = [0, 1, 1, 0];

export interface XorMlpOptions {
  hidden?: number;
  steps?: number;
  lr?: number;
  seed?: number;
  device?: DeviceName;
}

export interface XorMlpFit {
  /** The final loss (mean cross-entropy, nats) and the fraction of the four points classified right. */
  loss: number;
  accuracy: number;
  /** P(class 1) for each XOR point, in XOR_X's order. */
  probabilities: number[];
  steps: number;
}

/**
 * Trains x → tanh(x·W1 + b1)·W2 + b2 (2 → hidden → 2 logits) on XOR by full-batch Adam on the cross-entropy. The
 * weights start from a seeded normal draw scaled by 1/√fan-in, so the same seed gives the same run on every device.
 */
export async function trainXorMlp(opts: XorMlpOptions = {}): Promise<XorMlpFit> {
  const hidden = opts.hidden ?? 4;
  const steps = opts.steps ?? 200;
  const lr = opts.lr ?? 0.1;
  const seed = opts.seed ?? 1;
  const device = opts.device;
  const x = tensor(XOR_X.flat(), [4, 2], { device }); // (4, 2)
  const y = tensor(Int32Array.from(XOR_Y), [4], { device }); // (4)
  const r = mulberry32(seed);
  // N(0, 1/fan-in) by Box–Muller from the seeded generator: the same numbers on every device.
  const init = (rows: number, cols: number): Tensor => {
    const v = Float32Array.from({ length: rows * cols }, () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r()) / Math.sqrt(rows));
    return tensor(v, [rows, cols], { device, requiresGrad: true });
  };
  const W1 = init(2, hidden); // (2, H)
  const b1 = tensor(new Float32Array(hidden), [hidden], { device, requiresGrad: true }); // (H)
  const W2 = init(hidden, 2); // (H, 2)
  const b2 = tensor(new Float32Array(2), [2], { device, requiresGrad: true }); // (2)
  const params = [W1, b1, W2, b2];
  const opt = new Adam(params, { lr });
  const forward = (): Tensor => x.matmul(W1).add(b1).tanh().matmul(W2).add(b2); // (4, 2) logits
  try {
    for (let step = 0; step < steps; step++) {
      tidy(() => {
        const l = crossEntropy(forward(), y);
        opt.zeroGrad();
        l.backward();
        opt.step();
      });
    }
    const [loss, probs] = tidy(() => {
      const logits = forward();
      return [crossEntropy(logits, y), logits.softmax(-1)];
    });
    const lossValue = await loss.item();
    const p = await probs.toArray(); // (4, 2) row-major
    loss.dispose();
    probs.dispose();
    const probabilities = XOR_Y.map((_, i) => p[2 * i + 1]);
    const accuracy = probabilities.filter((q, i) => (q > 0.5 ? 1 : 0) === XOR_Y[i]).length / XOR_Y.length;
    return { loss: lossValue, accuracy, probabilities, steps };
  } finally {
    opt.dispose();
    for (const t of [x, y, ...params]) t.dispose();
  }
}

export type ActivationName = 'relu' | 'tanh' | 'sigmoid' | 'softmax';

export interface ActivationCurve {
  x: number[];
  /** f(x), and f'(x) as autograd computes it. For softmax: the first output of softmax([x, 0]) and its d/dx. */
  y: number[];
  dy: number[];
}

/** Evenly spaced points from lo to hi, both included. */
export function linspace(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

/**
 * f and f' on the given points. The derivative is the gradient autograd puts into x after backward() of Σ f(x):
 * each output depends only on its own input, so that gradient is f'(x) point by point. Softmax takes a vector, so
 * it is plotted along one logit: s(x) = softmax([x, 0])[0], whose derivative is s(1 − s).
 */
export async function activationCurve(name: ActivationName, xs: readonly number[], device?: DeviceName): Promise<ActivationCurve> {
  const n = xs.length;
  if (name === 'softmax') {
    const z = tensor(xs.flatMap((v) => [v, 0]), [n, 2], { device, requiresGrad: true }); // (n, 2)
    const pick = tensor([1, 0], [2], { device }); // keeps output 0 of each row
    const s = z.softmax(-1).mul(pick).sum(-1); // (n)
    s.sum().backward();
    const y = Array.from(await s.toArray());
    const g = await z.grad!.toArray(); // (n, 2): d s / d z[:, 0] in column 0
    for (const t of [z, pick, s]) t.dispose();
    return { x: [...xs], y, dy: xs.map((_, i) => g[2 * i]) };
  }
  const x = tensor([...xs], [n], { device, requiresGrad: true }); // (n)
  const f = name === 'relu' ? x.relu() : name === 'tanh' ? x.tanh() : x.sigmoid(); // (n)
  f.sum().backward();
  const y = Array.from(await f.toArray());
  const dy = Array.from(await x.grad!.toArray());
  x.dispose();
  f.dispose();
  return { x: [...xs], y, dy };
}

// ---------------------------------------------------------------------------------------------------------------
// Backprop by hand through 2 → 2 (tanh) → 2 (softmax + cross-entropy), in float64, one named tensor per step.

export interface BackpropStep {
  /** 'forward' or 'backward'. */
  pass: 'forward' | 'backward';
  /** The tensor's name, e.g. "h" or "dW1". */
  name: string;
  /** How it is computed from earlier steps. */
  rule: string;
  /** Its value, as rows. */
  value: number[][];
}

export interface TwoLayerNet {
  W1: number[][]; // (2, 2)
  b1: number[]; // (2)
  W2: number[][]; // (2, 2)
  b2: number[]; // (2)
}

const matvec = (v: readonly number[], W: readonly (readonly number[])[]): number[] => W[0].map((_, j) => v.reduce((s, vi, i) => s + vi * W[i][j], 0));
const outer = (a: readonly number[], b: readonly number[]): number[][] => a.map((ai) => b.map((bj) => ai * bj));

/** Every intermediate of one forward and backward pass for input x and true class t, in the order computed. */
export function backpropTrace(net: TwoLayerNet, x: readonly number[], t: number): BackpropStep[] {
  const a = matvec(x, net.W1).map((v, j) => v + net.b1[j]); // (2) pre-activation
  const h = a.map(Math.tanh); // (2)
  const z = matvec(h, net.W2).map((v, j) => v + net.b2[j]); // (2) logits
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const p = e.map((v) => v / e.reduce((s, u) => s + u, 0)); // (2) softmax
  const loss = -Math.log(p[t]);
  const dz = p.map((v, j) => v - (j === t ? 1 : 0)); // d loss / d z = softmax − one-hot
  const dW2 = outer(h, dz); // (2, 2)
  const dh = net.W2.map((row) => row.reduce((s, w, j) => s + w * dz[j], 0)); // W2 · dz
  const da = dh.map((v, i) => v * (1 - h[i] * h[i])); // tanh' = 1 − tanh²
  const dW1 = outer(x, da);
  return [
    { pass: 'forward', name: 'x', rule: 'the input', value: [[...x]] },
    { pass: 'forward', name: 'a', rule: 'a = x·W1 + b1', value: [a] },
    { pass: 'forward', name: 'h', rule: 'h = tanh(a)', value: [h] },
    { pass: 'forward', name: 'z', rule: 'z = h·W2 + b2', value: [z] },
    { pass: 'forward', name: 'p', rule: 'p = softmax(z)', value: [p] },
    { pass: 'forward', name: 'loss', rule: `loss = −log p[${t}]`, value: [[loss]] },
    { pass: 'backward', name: 'dz', rule: 'dz = p − onehot(t)', value: [dz] },
    { pass: 'backward', name: 'dW2', rule: 'dW2 = hᵀ·dz (outer product)', value: dW2 },
    { pass: 'backward', name: 'db2', rule: 'db2 = dz', value: [dz] },
    { pass: 'backward', name: 'dh', rule: 'dh = dz·W2ᵀ', value: [dh] },
    { pass: 'backward', name: 'da', rule: 'da = dh ⊙ (1 − h²)', value: [da] },
    { pass: 'backward', name: 'dW1', rule: 'dW1 = xᵀ·da', value: dW1 },
    { pass: 'backward', name: 'db1', rule: 'db1 = da', value: [da] },
  ];
}
