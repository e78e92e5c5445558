// The Bench page's CPU oracle, in a worker: the CPU backend's attention loops take seconds at T = 1024 (and the
// backward longer), which on the page's own thread froze it for as long. The engine stays on its CPU backend here
// (init() is never called); the reference comes back with its arrays transferred, not copied.
import { cpuReference, type AttentionConfig, type Inputs, type Reference } from '../../bench/attention-core';

export interface OracleRequest {
  id: number;
  config: AttentionConfig;
  inputs: Inputs;
  withGrads: boolean;
}

export type OracleReply = { id: number; ok: true; ref: Reference } | { id: number; ok: false; error: string };

// The DOM typings describe window.postMessage; a dedicated worker's scope takes a message and its transfer list.
const scope = self as unknown as {
  postMessage(message: OracleReply, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<OracleRequest>) => void) | null;
};

scope.onmessage = async (e) => {
  const { id, config, inputs, withGrads } = e.data;
  try {
    const ref = await cpuReference(config, inputs, withGrads);
    const buffers = [ref.out, ref.dq, ref.dk, ref.dv].flatMap((a) => (a ? [a.buffer as ArrayBuffer] : []));
    scope.postMessage({ id, ok: true, ref }, buffers);
  } catch (err) {
    scope.postMessage({ id, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
};
