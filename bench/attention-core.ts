// The attention benchmark's core: configurations, inputs, the CPU oracle, one runner per implementation, the
// measurement and the report. No Node APIs, so a browser page (the playground's Bench tab) can import it and
// hand it the engine and tfjs as they are loaded there. bench/attention.ts is the Node CLI around it.
//
// A measurement of one (impl, config, pass):
//   fwd      out = attention(q, k, v), then out is read back to the host
//   fwd+bwd  the same forward, then the backward from a fixed upstream gradient dO; dq, dk and dv are read back
// One untimed warm-up call (shader compilation), then `reps` timed calls: the median, min and max of wall time.
// Where our device has timestamp-query, gpuMs is the median GPU time between two timestamps written around the
// call's submitted work (null for tfjs, which runs on a GPUDevice of its own).
// gflops counts the useful FLOPs, the same for every implementation: 4·B·H·Tq·Tk·d for the two matmuls of the
// forward, halved-ish for causal (only (T+1)/2T of the scores exist), and ×3.5 for fwd+bwd (the backward's five
// matmuls against the forward's two: FlashAttention's convention). So GFLOPS ratios are time ratios.
// peakBytes: the most device memory the call held at once beyond its inputs (our pool's live bytes; tfjs:
// tf.profile's peakBytes), measured in a separate untimed call.
// maxAbsErr: the largest |difference| from the CPU backend's attention loops on the same seeded inputs (for
// fwd+bwd, over out, dq, dk and dv), over every (batch, head) when there are at most 4, else over the first and the
// last (heads are independent, and the loops take minutes on 48 heads at T = 4096).
import { formatTable, maxAbsErr, median, round, seededFloats, timeIt, type Cell } from './harness';
import {
  tensor, functional, noGrad, dispose, memoryStats, warmup, type Tensor,
} from '../engine/index';
import { CpuBackend, type AttentionParams, type WebGPUBackend } from '../engine/bench';

// 'jax-js' and 'onnxruntime' run only in the browser page (playground/bench/peers.ts); the CLI runs IMPLS.
export type Impl = 'fused' | 'unfused' | 'tfjs' | 'jax-js' | 'onnxruntime' | 'yours'; // yours: a user kernel (--kernel, the Your kernel tab)
export type Pass = 'fwd' | 'fwd+bwd';
export const IMPLS: Impl[] = ['fused', 'unfused', 'tfjs'];
export const PASSES: Pass[] = ['fwd', 'fwd+bwd'];

export interface AttentionConfig {
  B: number;
  H: number;
  T: number; // Tq = Tk
  d: number;
  causal: boolean;
}

export interface AttentionMeasurement {
  impl: Impl;
  B: number;
  H: number;
  T: number;
  d: number;
  causal: boolean;
  pass: Pass;
  ms: number; // median wall time of the timed reps
  gflops: number;
  peakBytes: number | null;
  maxAbsErr: number;
  adapter: string;
  minMs: number;
  maxMs: number;
  reps: number;
  timesMs: number[];
  gpuMs: number | null; // from timestamps, where available
  versions: Record<string, string>;
}

/** The target point of the issue: B=1, H=4, T=1024, d=64, causal. */
export const TARGET: AttentionConfig = { B: 1, H: 4, T: 1024, d: 64, causal: true };

/** A few minutes on SwiftShader: two lengths for the memory growth, both mask modes, and the target point. */
export function defaultSweep(): AttentionConfig[] {
  return [
    { B: 1, H: 4, T: 256, d: 64, causal: true },
    { B: 1, H: 4, T: 256, d: 64, causal: false },
    TARGET,
  ];
}

/**
 * The hardware-GPU set (issue 25, --set=gpu): the target point, then GPT-2 small's attention (B = 4, H = 12,
 * d = 64, causal) at T = 1024 and 4096. The unfused paths hold (B, H, T, T) scores, 3 GiB at T = 4096.
 */
export function gpuSweep(): AttentionConfig[] {
  return [TARGET, { B: 4, H: 12, T: 1024, d: 64, causal: true }, { B: 4, H: 12, T: 4096, d: 64, causal: true }];
}

/** Every T ∈ {128, …, 2048}, d ∈ {64, 128}, causal and not. Long on SwiftShader (tfjs alone takes minutes). */
export function fullSweep(): AttentionConfig[] {
  const out: AttentionConfig[] = [];
  for (const d of [64, 128]) for (const causal of [true, false]) for (const T of [128, 256, 512, 1024, 2048]) out.push({ B: 1, H: 4, T, d, causal });
  return out;
}

export function attentionFlops(c: AttentionConfig, pass: Pass): number {
  const scores = c.causal ? (c.T * (c.T + 1)) / 2 : c.T * c.T; // per head
  const fwd = 4 * c.B * c.H * scores * c.d;
  return pass === 'fwd' ? fwd : 3.5 * fwd;
}

export interface Inputs {
  q: Float32Array; // (B, H, T, d), uniform in [−2, 2]
  k: Float32Array;
  v: Float32Array;
  dOut: Float32Array; // upstream gradient of the output
}

export function makeInputs(c: AttentionConfig, seed = 1): Inputs {
  const n = c.B * c.H * c.T * c.d;
  return { q: seededFloats(n, seed, -2, 2), k: seededFloats(n, seed + 1), v: seededFloats(n, seed + 2), dOut: seededFloats(n, seed + 3) };
}

export interface Reference {
  out: Float32Array;
  dq: Float32Array | null;
  dk: Float32Array | null;
  dv: Float32Array | null;
  /** The flat (batch · H + head) indices the arrays above hold, in order, when not every head was computed. */
  heads?: number[];
}

/** The (batch · H + head) indices the oracle computes: all of them up to 4, else the first and the last. */
export function oracleHeads(c: AttentionConfig): number[] | undefined {
  const n = c.B * c.H;
  return n <= 4 ? undefined : [0, n - 1];
}

/** The given heads of a (B, H, T, d) array, concatenated: (heads, T, d). */
export function pickHeads(a: Float32Array, c: AttentionConfig, heads: readonly number[]): Float32Array {
  const per = c.T * c.d;
  const out = new Float32Array(heads.length * per);
  heads.forEach((h, i) => out.set(a.subarray(h * per, (h + 1) * per), i * per));
  return out;
}

/**
 * The CPU backend's attention loops (the oracle); the backward only when asked (it is the slow part). With
 * `heads`, only those (batch, head) slices, run as B = 1, H = heads.length.
 */
export async function cpuReference(c: AttentionConfig, x: Inputs, withGrads: boolean, heads?: number[]): Promise<Reference> {
  if (heads) {
    const sub: AttentionConfig = { ...c, B: 1, H: heads.length };
    const [q, k, v, dOut] = [x.q, x.k, x.v, x.dOut].map((a) => pickHeads(a, c, heads));
    return { ...(await cpuReference(sub, { q, k, v, dOut }, withGrads)), heads };
  }
  const cpu = new CpuBackend();
  const p: AttentionParams = {
    B: c.B, H: c.H, Tq: c.T, Tk: c.T, d: c.d, scale: 1 / Math.sqrt(c.d), causal: c.causal, window: 0,
    mask: 'none', maskStrides: [0, 0, 0, 0], alibi: false,
  };
  const [q, k, v, g] = [x.q, x.k, x.v, x.dOut].map((a) => cpu.upload(a));
  const f = cpu.attentionForward(q, k, v, null, null, p);
  const ref: Reference = { out: (await cpu.read(f.out)) as Float32Array, dq: null, dk: null, dv: null };
  if (withGrads) {
    const b = cpu.attentionBackward(q, k, v, f.out, f.lse, g, null, null, p);
    ref.dq = (await cpu.read(b.dq)) as Float32Array;
    ref.dk = (await cpu.read(b.dk)) as Float32Array;
    ref.dv = (await cpu.read(b.dv)) as Float32Array;
  }
  return ref;
}

/** One prepared measurement: run() computes and reads back; result() holds what the last run read. */
export interface Prepared {
  run: () => Promise<void>;
  result: () => Float32Array[]; // [out] or [out, dq, dk, dv]
  /** GPU ms of the last run from timestamps, or null. */
  gpuMs: () => Promise<number | null>;
  /** Bytes held at the peak of one more (untimed) call beyond the inputs, or null if unknown. */
  peakBytes: () => Promise<number | null>;
  /**
   * Compiles the call's GPU pipelines ahead, asynchronously, where the implementation can (ours: the engine's
   * warmup()); otherwise the untimed warm-up call compiles them on first use, which holds a page up meanwhile.
   */
  compile?: () => Promise<void>;
  dispose: () => void;
}

export interface Runner {
  impl: Impl;
  adapter: string;
  prepare: (c: AttentionConfig, x: Inputs, pass: Pass) => Prepared;
}

/** GPU time between two timestamps written by empty compute passes submitted around the work. */
class TimestampTimer {
  private set: GPUQuerySet;
  private resolveBuf: GPUBuffer;
  constructor(private device: GPUDevice) {
    this.set = device.createQuerySet({ type: 'timestamp', count: 2 });
    this.resolveBuf = device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  }

  mark(index: 0 | 1): void {
    const enc = this.device.createCommandEncoder();
    enc.beginComputePass({ timestampWrites: { querySet: this.set, beginningOfPassWriteIndex: index } }).end();
    this.device.queue.submit([enc.finish()]);
  }

  async elapsedMs(): Promise<number> {
    const staging = this.device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const enc = this.device.createCommandEncoder();
    enc.resolveQuerySet(this.set, 0, 2, this.resolveBuf, 0);
    enc.copyBufferToBuffer(this.resolveBuf, 0, staging, 0, 16);
    this.device.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const [t0, t1] = new BigInt64Array(staging.getMappedRange().slice(0));
    staging.unmap();
    staging.destroy();
    return Number(t1 - t0) / 1e6;
  }
}

/** Our fused kernels or our composed path (the engine's own matmul and softmax), through the public API. */
export function engineRunner(impl: 'fused' | 'unfused', backend: WebGPUBackend): Runner {
  const ctx = backend.ctx;
  const timer = ctx.features.has('timestamp-query') ? new TimestampTimer(ctx.device) : null;
  return {
    impl,
    adapter: backend.adapterName,
    prepare(c, x, pass) {
      const shape = [c.B, c.H, c.T, c.d];
      const grads = pass === 'fwd+bwd';
      const dev = { device: 'webgpu' as const, requiresGrad: grads };
      const q = tensor(x.q, shape, dev);
      const k = tensor(x.k, shape, dev);
      const v = tensor(x.v, shape, dev);
      const g = tensor(x.dOut, shape, { device: 'webgpu' });
      const attend = (): Tensor =>
        functional.scaledDotProductAttention(q, k, v, { causal: c.causal, impl: impl === 'fused' ? 'fused' : 'composed' });
      let last: Float32Array[] = [];
      let gpuMs: number | null = null;
      // Encodes one call; returns what must be read back. Everything is encoded synchronously.
      const encode = (): Tensor[] => {
        if (!grads) return [noGrad(attend)];
        const out = attend();
        out.backward(g);
        const r = [out, q.grad!, k.grad!, v.grad!];
        q.grad = k.grad = v.grad = null;
        return r;
      };
      const run = async (): Promise<void> => {
        ctx.flush();
        timer?.mark(0);
        const ts = encode();
        ctx.flush();
        timer?.mark(1);
        last = (await Promise.all(ts.map((t) => t.toArray()))) as Float32Array[];
        dispose(ts);
        gpuMs = timer ? await timer.elapsedMs() : null;
      };
      return {
        run,
        result: () => last,
        gpuMs: async () => gpuMs,
        async compile() {
          await warmup(() => dispose(encode()));
        },
        async peakBytes() {
          const before = memoryStats('webgpu').bytes;
          ctx.pool.resetPeak();
          const ts = encode();
          const peak = ctx.pool.peakLiveBytes;
          await Promise.all(ts.map((t) => t.toArray()));
          dispose(ts);
          return peak - before;
        },
        dispose: () => dispose([q, k, v, g]),
      };
    },
  };
}

type Tf = typeof import('@tensorflow/tfjs-core');

/** tfjs-backend-webgpu: matMul → softmax → matMul (and tf.grads for the backward), on the same adapter. */
export function tfjsRunner(tf: Tf, adapter: string): Runner {
  return {
    impl: 'tfjs',
    adapter,
    prepare(c, x, pass) {
      const shape: [number, number, number, number] = [c.B, c.H, c.T, c.d];
      const q = tf.tensor4d(x.q, shape);
      const k = tf.tensor4d(x.k, shape);
      const v = tf.tensor4d(x.v, shape);
      const g = tf.tensor4d(x.dOut, shape);
      const scale = 1 / Math.sqrt(c.d);
      // The causal mask as an additive (T, T) bias: 0 on and below the diagonal, −1e9 above.
      const biasData = new Float32Array(c.T * c.T);
      for (let i = 0; i < c.T; i++) for (let j = i + 1; j < c.T; j++) biasData[i * c.T + j] = -1e9;
      const bias = c.causal ? tf.tensor2d(biasData, [c.T, c.T]) : null;
      const attend = (qq: import('@tensorflow/tfjs-core').Tensor, kk: import('@tensorflow/tfjs-core').Tensor, vv: import('@tensorflow/tfjs-core').Tensor) => {
        let s = tf.matMul(tf.mul(qq, scale), kk, false, true); // (B, H, T, d) @ (B, H, d, T) → (B, H, T, T)
        if (bias) s = tf.add(s, bias);
        return tf.matMul(tf.softmax(s), vv); // (B, H, T, T) @ (B, H, T, d) → (B, H, T, d)
      };
      const gradsOf = tf.grads((qq, kk, vv) => attend(qq, kk, vv));
      const encode = (): import('@tensorflow/tfjs-core').Tensor[] =>
        pass === 'fwd' ? [tf.tidy(() => attend(q, k, v))] : tf.tidy(() => {
          const out = attend(q, k, v);
          return [out, ...gradsOf([q, k, v], g)];
        });
      let last: Float32Array[] = [];
      return {
        async run() {
          const ts = encode();
          last = (await Promise.all(ts.map((t) => t.data()))) as Float32Array[];
          tf.dispose(ts);
        },
        result: () => last,
        // tfjs opens its own GPUDevice on the adapter, so our timestamps cannot bracket its work, and tf.time()
        // would cost another multi-second call: no GPU time for tfjs.
        gpuMs: async () => null,
        // tfjs-backend-webgpu's compile-only mode: ops create their pipelines with createComputePipelineAsync and
        // dispatch nothing; checkCompileCompletionAsync waits for them.
        async compile() {
          const backend = tf.backend() as { checkCompileCompletionAsync?: () => Promise<void> };
          if (!backend.checkCompileCompletionAsync) return;
          tf.env().set('WEBGPU_ENGINE_COMPILE_ONLY', true);
          try {
            tf.dispose(encode());
          } finally {
            tf.env().set('WEBGPU_ENGINE_COMPILE_ONLY', false);
          }
          await backend.checkCompileCompletionAsync();
        },
        async peakBytes() {
          const before = tf.memory().numBytes;
          const info = await tf.profile(async () => {
            const ts = encode();
            await Promise.all(ts.map((t) => t.data()));
            tf.dispose(ts);
          });
          return info.peakBytes - before;
        },
        dispose: () => tf.dispose([q, k, v, g, ...(bias ? [bias] : [])]),
      };
    },
  };
}

export async function measure(
  runner: Runner, c: AttentionConfig, pass: Pass, x: Inputs, ref: Reference, reps: number, versions: Record<string, string>,
): Promise<AttentionMeasurement> {
  const prepared = runner.prepare(c, x, pass);
  try {
    await prepared.compile?.();
    const gpuTimes: number[] = [];
    const t = await timeIt(async () => {
      await prepared.run();
      const g = await prepared.gpuMs();
      if (g !== null) gpuTimes.push(g);
    }, reps);
    const got = prepared.result();
    const want = pass === 'fwd' ? [ref.out] : [ref.out, ref.dq!, ref.dk!, ref.dv!];
    const checked = (a: Float32Array | undefined): Float32Array =>
      !a ? new Float32Array(0) : ref.heads ? pickHeads(a, c, ref.heads) : a;
    const err = Math.max(...want.map((w, i) => maxAbsErr(checked(got[i]), w)));
    const gpuMs = gpuTimes.length > 1 ? median(gpuTimes.slice(1)) : null; // the warm-up's is dropped
    return {
      impl: runner.impl, B: c.B, H: c.H, T: c.T, d: c.d, causal: c.causal, pass,
      ms: t.ms,
      gflops: attentionFlops(c, pass) / (t.ms * 1e6),
      peakBytes: await prepared.peakBytes(),
      maxAbsErr: err,
      adapter: runner.adapter,
      minMs: t.min,
      maxMs: t.max,
      reps: t.reps,
      timesMs: t.times,
      gpuMs,
      versions,
    };
  } finally {
    prepared.dispose();
  }
}

const key = (r: { B: number; H: number; T: number; d: number; causal: boolean }): string =>
  `B=${r.B} H=${r.H} T=${r.T} d=${r.d}${r.causal ? ' causal' : ''}`;

const mib = (b: number | null): Cell => (b === null ? 'n/a' : round(b / 2 ** 20, 2));

/** The table, the ratios against the targets at the target point, and peak memory against T. */
export function formatReport(results: readonly AttentionMeasurement[]): string {
  const lines: string[] = [];
  const adapter = results[0]?.adapter ?? 'no adapter';
  lines.push(`Scaled-dot-product attention, float32, on ${adapter} (every implementation on this adapter, one process)`);
  lines.push('');
  lines.push(
    formatTable(
      ['impl', 'config', 'pass', 'ms (median)', 'min–max ms', 'GPU ms', 'GFLOPS', 'peak MiB', 'maxAbsErr'],
      results.map((r) => ({
        impl: r.impl,
        config: key(r),
        pass: r.pass,
        'ms (median)': round(r.ms, 1),
        'min–max ms': `${r.minMs.toFixed(0)}–${r.maxMs.toFixed(0)}`,
        'GPU ms': r.gpuMs === null ? 'n/a' : round(r.gpuMs, 1),
        GFLOPS: round(r.gflops, 3),
        'peak MiB': mib(r.peakBytes),
        maxAbsErr: r.maxAbsErr.toExponential(2),
      })),
    ),
  );

  const at = (impl: Impl, pass: Pass, c: AttentionConfig) =>
    results.find((r) => r.impl === impl && r.pass === pass && key(r) === key(c));
  const ratio = (a?: AttentionMeasurement, b?: AttentionMeasurement): number | null => (a && b ? b.ms / a.ms : null);
  const targets: Array<[string, number | null, number]> = [
    ['fused fwd vs tfjs fwd', ratio(at('fused', 'fwd', TARGET), at('tfjs', 'fwd', TARGET)), 6],
    ['fused fwd vs unfused fwd', ratio(at('fused', 'fwd', TARGET), at('unfused', 'fwd', TARGET)), 2],
    ['fused fwd+bwd vs unfused fwd+bwd', ratio(at('fused', 'fwd+bwd', TARGET), at('unfused', 'fwd+bwd', TARGET)), 1.5],
    ['fused fwd+bwd vs tfjs fwd+bwd', ratio(at('fused', 'fwd+bwd', TARGET), at('tfjs', 'fwd+bwd', TARGET)), NaN],
  ];
  lines.push('');
  lines.push(`Speed-ups at the target point (${key(TARGET)}), as time ratios (> 1: fused is faster):`);
  lines.push('');
  lines.push(
    formatTable(
      ['comparison', 'ratio', 'target', 'met'],
      targets.map(([name, r, goal]) => ({
        comparison: name,
        ratio: r === null ? 'n/a' : `${r.toFixed(2)}×`,
        target: Number.isNaN(goal) ? '—' : `≥ ${goal}×`,
        met: r === null || Number.isNaN(goal) ? '' : r >= goal ? 'yes' : 'NO',
      })),
    ),
  );

  // Peak memory against T at fixed B, H, d and mask mode: linear for fused, quadratic for unfused.
  const groups = new Map<string, AttentionMeasurement[]>();
  for (const r of results) {
    const g = `${r.impl} ${r.pass} B=${r.B} H=${r.H} d=${r.d}${r.causal ? ' causal' : ''}`;
    if (r.peakBytes !== null) groups.set(g, [...(groups.get(g) ?? []), r]);
  }
  const growth: Array<Record<string, Cell>> = [];
  for (const [g, rs] of groups) {
    if (rs.length < 2) continue;
    const sorted = [...rs].sort((a, b) => a.T - b.T);
    const [lo, hi] = [sorted[0], sorted[sorted.length - 1]];
    // exponent e in peak ∝ T^e between the shortest and the longest T
    const e = Math.log(hi.peakBytes! / lo.peakBytes!) / Math.log(hi.T / lo.T);
    growth.push({
      series: g,
      'peak MiB by T': sorted.map((r) => `${r.T}: ${mib(r.peakBytes)}`).join(', '),
      'growth exponent': round(e, 2),
    });
  }
  if (growth.length) {
    lines.push('');
    lines.push('Peak device memory of one call against T (exponent ≈ 1: linear; ≈ 2: quadratic):');
    lines.push('');
    lines.push(formatTable(['series', 'peak MiB by T', 'growth exponent'], growth));
  }
  return lines.join('\n');
}
