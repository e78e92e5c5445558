// The Bench tab's peers, each loaded on demand in a worker of its own (peer.worker.ts, driven by remote-peer.ts) and
// wrapped there as a bench/attention-core Runner, so that measure()
// times them exactly as it times our kernels (one warm-up, `reps` timed calls, each ending in a readback):
//   tfjs         tfjs-backend-webgpu, matMul → softmax → matMul (the core's own runner, loaded here for a page)
//   jax-js       nn.dotProductAttention under jit; fwd+bwd is jit(vjp) of it
//   onnxruntime  onnxruntime-web's WebGPU execution provider running one com.microsoft MultiHeadAttention node;
//                forward only (the kernel has no backward), causal through an additive attention_bias
// Each peer opens a GPUDevice of its own on the page's adapter, so none has GPU timestamps or pool statistics.
// Unsupported and errorMessage are also the page's: a worker's reply is turned back into them (remote-peer.ts).
import { tfjsRunner, type AttentionConfig, type Inputs, type Pass, type Prepared, type Runner } from '../../bench/attention-core';
import { causalBiasDims, multiHeadAttentionModel } from './onnx-model';

/** A peer that could not start, or a pass it does not have, with the reason shown on the page. */
export class Unsupported extends Error {}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message.split('\n')[0] : String(e);
}

/** (B, H, T, d) → (B, T, H, d): our layout to the BSNH layout that jax-js and onnxruntime take. */
function toBTHd(x: Float32Array, c: AttentionConfig): Float32Array {
  const out = new Float32Array(x.length);
  for (let b = 0; b < c.B; b++)
    for (let h = 0; h < c.H; h++)
      for (let t = 0; t < c.T; t++) {
        const src = ((b * c.H + h) * c.T + t) * c.d;
        const dst = ((b * c.T + t) * c.H + h) * c.d;
        out.set(x.subarray(src, src + c.d), dst);
      }
  return out;
}

/** (B, T, H, d) → (B, H, T, d), the inverse of toBTHd. */
function fromBTHd(x: Float32Array, c: AttentionConfig): Float32Array {
  const out = new Float32Array(x.length);
  for (let b = 0; b < c.B; b++)
    for (let h = 0; h < c.H; h++)
      for (let t = 0; t < c.T; t++) {
        const dst = ((b * c.H + h) * c.T + t) * c.d;
        const src = ((b * c.T + t) * c.H + h) * c.d;
        out.set(x.subarray(src, src + c.d), dst);
      }
  return out;
}

export interface LoadedPeer {
  runner: Runner;
  version: string;
}

export type Tfjs = typeof import('@tensorflow/tfjs-core');

/**
 * tfjs-core on tfjs-backend-webgpu, ready, with the gradient registry that tf.grads needs: the page's one way to
 * start tfjs (loadTfjs wraps it for attention; the Your kernel tab's matmul calls it directly).
 */
export async function openTfjs(): Promise<Tfjs> {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-webgpu');
  await import('@tensorflow/tfjs-core/dist/register_all_gradients');
  if (!(await tf.setBackend('webgpu'))) throw new Error('tf.setBackend("webgpu") returned false');
  await tf.ready();
  return tf;
}

/** tfjs as an attention peer: bench/attention-core's tfjsRunner. */
export async function loadTfjs(adapter: string): Promise<LoadedPeer> {
  const tf = await openTfjs();
  return { runner: tfjsRunner(tf, adapter), version: tf.version_core };
}

export type Jax = typeof import('@jax-js/jax');
type JaxArray = import('@jax-js/jax').Array;

/** jax-js with its WebGPU device as the default: the page's one way to start jax-js (as openTfjs is for tfjs). */
export async function openJax(): Promise<Jax> {
  const jax: Jax = await import('@jax-js/jax');
  const devices = await jax.init('webgpu');
  if (!devices.includes('webgpu')) throw new Error(`jax-js init() found no webgpu device (it has: ${devices.join(', ') || 'none'})`);
  jax.defaultDevice('webgpu');
  return jax;
}

/** jax-js on its WebGPU device: nn.dotProductAttention under jit (and jit of its vjp for fwd+bwd). */
export async function loadJax(adapter: string): Promise<LoadedPeer> {
  return { runner: jaxRunner(await openJax(), adapter), version: '0.1.25' };
}

function jaxRunner(jax: Jax, adapter: string): Runner {
  const np = jax.numpy;
  return {
    impl: 'jax-js',
    adapter,
    prepare(c, x, pass) {
      const shape = [c.B, c.T, c.H, c.d];
      // jax-js arrays are reference-counted and consumed by every op; `.ref` keeps an input alive for the next call.
      const [q, k, v, g] = [x.q, x.k, x.v, x.dOut].map((a) => np.array(toBTHd(a, c)).reshape(shape));
      const attend = (qq: JaxArray, kk: JaxArray, vv: JaxArray): JaxArray =>
        jax.nn.dotProductAttention(qq, kk, vv, { isCausal: c.causal }); // (B, T, H, d)
      const fwd = jax.jit(attend);
      const fwdBwd = jax.jit((qq: JaxArray, kk: JaxArray, vv: JaxArray, gg: JaxArray): JaxArray[] => {
        const [out, back] = jax.vjp(attend, [qq, kk, vv]);
        const [dq, dk, dv] = back(gg);
        back.dispose();
        return [out, dq, dk, dv];
      });
      let last: Float32Array[] = [];
      return {
        async run() {
          const outs = pass === 'fwd' ? [fwd(q.ref, k.ref, v.ref)] : fwdBwd(q.ref, k.ref, v.ref, g.ref);
          last = (await Promise.all(outs.map((o) => o.data()))) as Float32Array[]; // data() consumes each output
        },
        result: () => last.map((a) => fromBTHd(a, c)),
        gpuMs: async () => null,
        peakBytes: async () => null,
        dispose() {
          for (const a of [q, k, v, g]) a.dispose();
          fwd.dispose();
          fwdBwd.dispose();
        },
      };
    },
  };
}

type Ort = typeof import('onnxruntime-web');
type OrtSession = import('onnxruntime-web').InferenceSession;
type OrtTensor = import('onnxruntime-web').Tensor;

/**
 * onnxruntime-web's main entry: its JS WebGPU execution provider (kernels written as WGSL in TypeScript), which
 * matches the CPU oracle to 1e-7 here. Not 'onnxruntime-web/webgpu', the C++ WebGPU provider compiled to
 * WebAssembly: on SwiftShader in Chromium (1.30.0) its MultiHeadAttention is right for T ≤ 16 and wrong from
 * T = 32 (max error 0.16–0.5, masked or not). The .wasm is handed over by URL so that Vite serves and bundles it;
 * one thread, since the page is not cross-origin isolated.
 */
export async function loadOnnxRuntime(adapter: string): Promise<LoadedPeer> {
  if (!('gpu' in navigator)) throw new Error('no navigator.gpu');
  const ort: Ort = await import('onnxruntime-web');
  const wasm = (await import('onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url')).default;
  ort.env.wasm.wasmPaths = { wasm };
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  return { runner: ortRunner(ort, adapter), version: ort.env.versions.web ?? 'unknown' };
}

export function ortRunner(ort: Ort, adapter: string): Runner {
  return {
    impl: 'onnxruntime',
    adapter,
    prepare: (c, x, pass) => ortPrepared(ort, c, x, pass),
  };
}

/** A Prepared whose session is created on the first run (InferenceSession.create is async; prepare is not). */
function ortPrepared(ort: Ort, c: AttentionConfig, x: Inputs, pass: Pass): Prepared {
  if (pass !== 'fwd') {
    throw new Unsupported('onnxruntime-web runs inference only: its WebGPU MultiHeadAttention kernel has no backward');
  }
  const dims = [c.B, c.T, c.H * c.d];
  const model = multiHeadAttentionModel({ B: c.B, N: c.H, S: c.T, H: c.d, causal: c.causal, scale: 1 / Math.sqrt(c.d) });
  let session: OrtSession | null = null;
  let feeds: Record<string, OrtTensor> = {};
  const buffers: GPUBuffer[] = [];
  let last: Float32Array[] = [];

  const open = async (): Promise<OrtSession> => {
    const s = await ort.InferenceSession.create(model, {
      executionProviders: ['webgpu'],
      // Fail rather than quietly run the node on the WASM CPU provider.
      extra: { session: { disable_cpu_ep_fallback: '1' } },
    });
    // Inputs resident on ORT's own GPUDevice, as the other impls' inputs are on theirs.
    const device = await ort.env.webgpu.device;
    const upload = (name: string, data: Float32Array, shape: number[]): void => {
      const buf = device.createBuffer({ size: data.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
      device.queue.writeBuffer(buf, 0, data);
      buffers.push(buf);
      feeds[name] = ort.Tensor.fromGpuBuffer(buf, { dataType: 'float32', dims: shape });
    };
    upload('query', toBTHd(x.q, c), dims);
    upload('key', toBTHd(x.k, c), dims);
    upload('value', toBTHd(x.v, c), dims);
    if (c.causal) {
      // The causal mask as an additive bias, as tfjs gets it: 0 on and below the diagonal, −1e9 above; one (T, T)
      // copy per (batch, head), since the kernel takes no broadcast.
      const bias = new Float32Array(c.B * c.H * c.T * c.T);
      for (let bh = 0; bh < c.B * c.H; bh++)
        for (let i = 0; i < c.T; i++) for (let j = i + 1; j < c.T; j++) bias[(bh * c.T + i) * c.T + j] = -1e9;
      upload('attention_bias', bias, causalBiasDims(c.B, c.H, c.T));
    }
    return s;
  };

  return {
    async run() {
      session ??= await open();
      const out = await session.run(feeds); // the output comes back to the CPU: the readback is timed, as for all
      const y = out.output;
      last = [(await y.getData()) as Float32Array];
      y.dispose();
    },
    result: () => last.map((a) => fromBTHd(a, c)),
    gpuMs: async () => null,
    peakBytes: async () => null,
    dispose() {
      void session?.release();
      for (const b of buffers) b.destroy();
      feeds = {};
    },
  };
}
