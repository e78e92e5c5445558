// One of the Bench page's peers (tfjs, jax-js or onnxruntime-web), loaded and measured in a dedicated worker of its
// own. Their first use of each configuration builds shader sources, traces and compiles (jax-js's jit, ORT's session
// with its WebAssembly runtime, tfjs's programs): on the page's thread those tasks held frames for up to ~270 ms.
// Here measure() runs exactly as it ran in the page (the same Runner, one warm-up, `reps` timed calls, the check
// against the CPU oracle's reference that the page sends), and only the measurement goes back. navigator.gpu is
// exposed to dedicated workers, so the peer opens its GPUDevice on the same adapter as before.
import { measure, type AttentionConfig, type AttentionMeasurement, type Inputs, type Pass, type Reference, type Runner } from '../../bench/attention-core';
import { Unsupported, errorMessage, loadJax, loadOnnxRuntime, loadTfjs, type LoadedPeer } from './peers';

export type PeerImpl = 'tfjs' | 'jax-js' | 'onnxruntime';

/** What the page asks; each request carries an id that its reply repeats. */
export type PeerAsk =
  | { kind: 'load'; impl: PeerImpl; adapter: string }
  | {
      kind: 'measure';
      config: AttentionConfig;
      pass: Pass;
      inputs: Inputs;
      ref: Reference;
      reps: number;
      versions: Record<string, string>;
    };

export type PeerRequest = PeerAsk & { id: number };

export type PeerReply =
  | { id: number; ok: true; kind: 'loaded'; version: string }
  | { id: number; ok: true; kind: 'measured'; result: AttentionMeasurement }
  /** unsupported: the peer lacks this pass (said once per impl), as opposed to a failure at one configuration. */
  | { id: number; ok: false; error: string; unsupported: boolean }
  /** Unasked: a GPUDevice the peer opened was lost; nothing it runs afterwards can be trusted to answer. */
  | { id: null; lost: string };

const LOADERS: Record<PeerImpl, (adapter: string) => Promise<LoadedPeer>> = {
  tfjs: loadTfjs,
  'jax-js': loadJax,
  onnxruntime: loadOnnxRuntime,
};

// The DOM typings describe window.postMessage; a dedicated worker's scope takes just the message.
const scope = self as unknown as {
  postMessage(message: PeerReply): void;
  onmessage: ((e: MessageEvent<PeerRequest>) => void) | null;
};

// None of the peers tells its caller when its device is lost; an operation on a lost device may just never finish.
// Every device a peer requests passes through here, so a loss (other than a deliberate destroy()) is reported to
// the page at once, which then stops waiting on this worker.
const requestDevice = GPUAdapter.prototype.requestDevice;
GPUAdapter.prototype.requestDevice = async function (this: GPUAdapter, descriptor?: GPUDeviceDescriptor): Promise<GPUDevice> {
  const device = await requestDevice.call(this, descriptor);
  void device.lost.then((info) => {
    if (info.reason !== 'destroyed') scope.postMessage({ id: null, lost: info.message || `reason ${String(info.reason)}` });
  });
  return device;
};

let runner: Runner | null = null;

scope.onmessage = async (e) => {
  const req = e.data;
  try {
    if (req.kind === 'load') {
      const peer = await LOADERS[req.impl](req.adapter);
      runner = peer.runner;
      scope.postMessage({ id: req.id, ok: true, kind: 'loaded', version: peer.version });
      return;
    }
    if (!runner) throw new Error('measure before load: the peer was never started in this worker');
    const result = await measure(runner, req.config, req.pass, req.inputs, req.ref, req.reps, req.versions);
    scope.postMessage({ id: req.id, ok: true, kind: 'measured', result });
  } catch (err) {
    scope.postMessage({ id: req.id, ok: false, error: errorMessage(err), unsupported: err instanceof Unsupported });
  }
};
