// Week 0's classifier: two overlapping Gaussian clouds in the plane and a logistic regression trained on them with
// the engine (tensors, autograd, the fused cross-entropy and Adam), so the evaluation metrics have real, imperfect
// predictions to score.
import { tensor, Tensor } from '../tensor';
import { tidy } from '../memory';
import { crossEntropy } from '../ops/loss';
import { Adam } from '../optim/adam';
import { warmup } from '../warmup';
import type { DeviceName } from '../backend/backend';
import { seededRandom } from './metrics';

/** n points in the plane: x is (n, 2) row-major, y holds labels 0 and 1. */
export interface Points2D {
  x: Float32Array;
  y: Int32Array;
}

export interface BlobOptions {
  seed?: number;
  /** Distance between the two class centres, in units of the clouds' standard deviation (default 2). */
  separation?: number;
  /** The expected share of class 1 (default 0.5); each point's class is drawn with this probability. */
  positiveShare?: number;
}

/**
 * Two round Gaussian clouds with standard deviation 1: class 0 centred at (−s/2, −s/2)/√2 and class 1 at
 * (s/2, s/2)/√2, so the centres are s apart along the diagonal. With s = 2 about 16% of each class lies past the
 * midline, which is what makes precision and recall trade off against each other.
 */
export function gaussianBlobs(n: number, opts: BlobOptions = {}): Points2D {
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`gaussianBlobs: n must be an integer ≥ 2, got ${n}`);
  const s = opts.separation ?? 2;
  const share = opts.positiveShare ?? 0.5;
  if (!(s >= 0) || !Number.isFinite(s)) throw new RangeError(`gaussianBlobs: separation must be finite and ≥ 0, got ${s}`);
  if (!(share > 0 && share < 1)) throw new RangeError(`gaussianBlobs: positiveShare must be in (0, 1), got ${share}`);
  const r = seededRandom(opts.seed ?? 0);
  // Box–Muller: two uniforms give two independent standard normals. 1 − r() is in (0, 1], so the log is finite.
  const normal = (): [number, number] => {
    const rad = Math.sqrt(-2 * Math.log(1 - r()));
    const a = 2 * Math.PI * r();
    return [rad * Math.cos(a), rad * Math.sin(a)];
  };
  const x = new Float32Array(2 * n);
  const y = new Int32Array(n);
  const offset = s / 2 / Math.SQRT2;
  for (let i = 0; i < n; i++) {
    const c = r() < share ? 1 : 0;
    const [a, b] = normal();
    const sign = c === 1 ? 1 : -1;
    x[2 * i] = a + sign * offset;
    x[2 * i + 1] = b + sign * offset;
    y[i] = c;
  }
  return { x, y };
}

/** The rows of a dataset at the given indices. */
export function subset(data: Points2D, idx: readonly number[]): Points2D {
  const x = new Float32Array(2 * idx.length);
  const y = new Int32Array(idx.length);
  idx.forEach((j, i) => {
    if (!Number.isInteger(j) || j < 0 || j >= data.y.length) throw new RangeError(`subset: index ${j} is outside [0, ${data.y.length})`);
    x[2 * i] = data.x[2 * j];
    x[2 * i + 1] = data.x[2 * j + 1];
    y[i] = data.y[j];
  });
  return { x, y };
}

/** P(class 1 | x) = σ(w·x + b): a trained logistic regression, read back from the device. */
export class LogisticModel {
  constructor(
    readonly weights: readonly [number, number],
    readonly bias: number,
  ) {}

  /** w·x + b, the log-odds of class 1. */
  score(x0: number, x1: number): number {
    return this.weights[0] * x0 + this.weights[1] * x1 + this.bias;
  }

  /** P(class 1) for each row of an (n, 2) array. */
  proba(x: ArrayLike<number>): Float64Array {
    if (x.length % 2 !== 0) throw new RangeError(`LogisticModel.proba: needs (n, 2) points, got ${x.length} numbers`);
    const out = new Float64Array(x.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = sigmoid(this.score(x[2 * i], x[2 * i + 1]));
    return out;
  }

  /** Labels: 1 where P(class 1) ≥ threshold, else 0. */
  predict(x: ArrayLike<number>, threshold = 0.5): Int32Array {
    if (!(threshold >= 0 && threshold <= 1)) throw new RangeError(`LogisticModel.predict: threshold must be in [0, 1], got ${threshold}`);
    return Int32Array.from(this.proba(x), (p) => (p >= threshold ? 1 : 0));
  }
}

/** 1 / (1 + e^−z), written so that neither branch overflows. */
function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

export interface LogisticOptions {
  /** Full-batch Adam steps (default 300). */
  steps?: number;
  lr?: number;
  device?: DeviceName;
  /**
   * Called every `every` steps (and after the last) with the loss and the model so far, both read back from the
   * device; awaited, so a page can draw the boundary and yield a frame here.
   */
  onProgress?: (progress: { step: number; loss: number; model: LogisticModel }) => void | Promise<void>;
  every?: number;
  /** Stops training early; the model so far is returned. */
  signal?: AbortSignal;
}

export interface LogisticFit {
  model: LogisticModel;
  /** The mean cross-entropy (nats) at each reported step. */
  losses: Array<{ step: number; loss: number }>;
  steps: number;
}

/** The logistic regression that softmax regression with W (2, 2) and b (2) amounts to. */
async function readModel(W: Tensor, b: Tensor): Promise<LogisticModel> {
  const [w00, w01, w10, w11] = await W.toArray();
  const [b0, b1] = await b.toArray();
  return new LogisticModel([w01 - w00, w11 - w10], b1 - b0);
}

/**
 * Fits logistic regression by full-batch Adam on the engine. The model is two-class softmax regression,
 * logits = x·W + b with W (2, 2) and b (2), trained with the fused cross-entropy; for two classes
 * softmax(z)₁ = σ(z₁ − z₀), so it is exactly logistic regression with w = W[:, 1] − W[:, 0] and b = b₁ − b₀.
 */
export async function trainLogistic(data: Points2D, opts: LogisticOptions = {}): Promise<LogisticFit> {
  const n = data.y.length;
  if (n === 0 || data.x.length !== 2 * n) throw new RangeError(`trainLogistic: needs (n, 2) points and n labels, got ${data.x.length} numbers and ${n} labels`);
  for (let i = 0; i < n; i++) {
    if (data.y[i] !== 0 && data.y[i] !== 1) throw new RangeError(`trainLogistic: label ${data.y[i]} at ${i} is not 0 or 1`);
  }
  const steps = opts.steps ?? 300;
  const every = opts.every ?? 25;
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`trainLogistic: steps must be an integer ≥ 0, got ${steps}`);
  const device = opts.device;
  const x = tensor(data.x, [n, 2], { device }); // (n, 2)
  const y = tensor(data.y, [n], { device }); // (n) int32
  // Zero weights: every point starts at P = 1/2, and the result does not depend on an initial draw.
  const W = tensor(new Float32Array(4), [2, 2], { device, requiresGrad: true });
  const b = tensor(new Float32Array(2), [2], { device, requiresGrad: true });
  const lr = opts.lr ?? 0.1;
  const opt = new Adam([W, b], { lr });
  const losses: Array<{ step: number; loss: number }> = [];
  let done = 0;
  try {
    // Compile the step's GPU pipelines asynchronously before the first step: compiled on first use they would block
    // the page for a few hundred milliseconds on SwiftShader. A throwaway optimizer keeps the real one's state clean,
    // and the gradients the walk leaves hold no values, so they are dropped. Only for tensors on the GPU: warmup
    // walks fn whenever the default device is WebGPU, and CPU tensors would really take that throwaway step.
    if (x.device === 'webgpu') {
      await warmup(() => {
        crossEntropy(x.matmul(W).add(b), y).backward();
        const scratch = new Adam([W, b], { lr });
        scratch.step();
        scratch.dispose();
      });
      opt.zeroGrad();
    }
    for (let step = 1; step <= steps && !opts.signal?.aborted; step++) {
      const report = step % every === 0 || step === steps;
      const loss = tidy(() => {
        const l = crossEntropy(x.matmul(W).add(b), y); // (n, 2) logits → mean loss
        opt.zeroGrad();
        l.backward();
        opt.step();
        return report ? l.detach() : null;
      });
      done = step;
      if (loss) {
        const v = await loss.item();
        loss.dispose();
        losses.push({ step, loss: v });
        if (opts.onProgress) await opts.onProgress({ step, loss: v, model: await readModel(W, b) });
      }
    }
    return { model: await readModel(W, b), losses, steps: done };
  } finally {
    opt.dispose();
    for (const t of [x, y, W, b] as Tensor[]) t.dispose();
  }
}
