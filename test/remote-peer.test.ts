// The Bench page's side of a peer in a worker (playground/bench/remote-peer.ts): what it asks the worker, how each
// reply settles a request, and that a worker failure, an unreadable reply or a lost GPU device is reported to every
// waiting and later request instead of leaving the sweep waiting. Node has no Worker, so a stand-in plays the
// browser's; the real worker (peer.worker.ts) runs in Chromium in test/e2e/bench.e2e.ts.
import { afterEach, describe, expect, test } from 'vitest';
import { RemotePeer } from '../playground/bench/remote-peer';
import { Unsupported } from '../playground/bench/peers';
import type { PeerReply, PeerRequest } from '../playground/bench/peer.worker';
import type { AttentionConfig, AttentionMeasurement, Inputs, Reference } from '../bench/attention-core';

class FakeWorker {
  static last: FakeWorker;
  onmessage: ((e: MessageEvent<PeerReply>) => void) | null = null;
  onerror: ((e: Partial<ErrorEvent> & { preventDefault(): void }) => void) | null = null;
  onmessageerror: (() => void) | null = null;
  requests: PeerRequest[] = [];
  terminated = false;
  /** What a new worker does with each request; by default it loads tfjs 4.22 and leaves measurements waiting. */
  static startAnswer = loadsTfjs;
  answer = FakeWorker.startAnswer;
  constructor(readonly url: URL, readonly options: WorkerOptions) {
    FakeWorker.last = this;
  }
  postMessage(r: PeerRequest): void {
    this.requests.push(r);
    queueMicrotask(() => this.answer(this, r));
  }
  terminate(): void {
    this.terminated = true;
  }
  reply(r: PeerReply): void {
    this.onmessage?.({ data: r } as MessageEvent<PeerReply>);
  }
}

function loadsTfjs(w: FakeWorker, r: PeerRequest): void {
  if (r.kind === 'load') w.reply({ id: r.id, ok: true, kind: 'loaded', version: '4.22.0' });
}

(globalThis as { Worker?: unknown }).Worker = FakeWorker;
afterEach(() => {
  FakeWorker.startAnswer = loadsTfjs;
});

const C: AttentionConfig = { B: 1, H: 2, T: 7, d: 4, causal: true };
const n = C.B * C.H * C.T * C.d;
const X: Inputs = { q: new Float32Array(n).fill(1), k: new Float32Array(n), v: new Float32Array(n), dOut: new Float32Array(n) };
const REF: Reference = { out: new Float32Array(n).fill(0.5), dq: null, dk: null, dv: null };
const M = { impl: 'tfjs', T: 7, pass: 'fwd', ms: 3, maxAbsErr: 1e-7 } as AttentionMeasurement;

/** A started peer on the stand-in, and the stand-in. */
async function started(): Promise<{ peer: RemotePeer; w: FakeWorker; version: string }> {
  const { peer, version } = await RemotePeer.start('tfjs', 'google / swiftshader');
  return { peer, w: FakeWorker.last, version };
}

/** Waits until the stand-in has received `count` requests. */
async function received(w: FakeWorker, count: number): Promise<void> {
  while (w.requests.length < count) await new Promise((r) => setTimeout(r, 0));
}

describe('RemotePeer', () => {
  test('start loads the peer in a module worker of its own and measure sends everything measure() needs', async () => {
    const { peer, w, version } = await started();
    expect(version).toBe('4.22.0');
    expect(w.url.pathname).toMatch(/playground\/bench\/peer\.worker\.ts$/);
    expect(w.options).toMatchObject({ type: 'module', name: 'bench peer tfjs' });
    expect(w.requests[0]).toEqual({ id: 0, kind: 'load', impl: 'tfjs', adapter: 'google / swiftshader' });

    w.answer = (ww, r) => ww.reply({ id: r.id, ok: true, kind: 'measured', result: { ...M, T: (r as { config: AttentionConfig }).config.T } });
    const got = await peer.measure(C, 'fwd', X, REF, 3, { engine: '0.1.0', tfjs: '4.22.0' });
    expect(got).toEqual(M);
    expect(w.requests[1]).toEqual({ id: 1, kind: 'measure', config: C, pass: 'fwd', inputs: X, ref: REF, reps: 3, versions: { engine: '0.1.0', tfjs: '4.22.0' } });
    peer.dispose();
    expect(w.terminated).toBe(true);
  });

  test("a missing pass comes back as Unsupported, a failure as a plain Error, and the worker goes on after either", async () => {
    const { peer, w } = await started();
    const replies: PeerReply[] = [
      { id: 1, ok: false, error: 'onnxruntime-web runs inference only', unsupported: true },
      { id: 2, ok: false, error: 'out of memory at T=2048', unsupported: false },
      { id: 3, ok: true, kind: 'measured', result: M },
    ];
    w.answer = (ww, r) => ww.reply({ ...replies[r.id - 1], id: r.id } as PeerReply);
    const first = await peer.measure(C, 'fwd+bwd', X, REF, 1, {}).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(Unsupported);
    expect((first as Error).message).toBe('onnxruntime-web runs inference only');
    const second = await peer.measure(C, 'fwd', X, REF, 1, {}).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(Error);
    expect(second).not.toBeInstanceOf(Unsupported);
    expect((second as Error).message).toBe('out of memory at T=2048');
    await expect(peer.measure(C, 'fwd', X, REF, 1, {})).resolves.toEqual(M);
    expect(w.terminated).toBe(false);
    peer.dispose();
  });

  test('a crashed worker fails the waiting measurement and every later one, naming the peer and where', async () => {
    const { peer, w } = await started();
    const waiting = peer.measure(C, 'fwd', X, REF, 1, {});
    await received(w, 2);
    let prevented = false;
    w.onerror!({ message: 'Uncaught RangeError: Array buffer allocation failed', filename: 'http://127.0.0.1:5173/node_modules/.vite/deps/x.js', lineno: 12, preventDefault: () => (prevented = true) });
    const want = "tfjs's worker failed: Uncaught RangeError: Array buffer allocation failed (/node_modules/.vite/deps/x.js:12)";
    await expect(waiting).rejects.toThrow(want);
    expect(prevented).toBe(true);
    expect(w.terminated).toBe(true);
    await expect(peer.measure(C, 'fwd', X, REF, 1, {})).rejects.toThrow(want);
    expect(w.requests).toHaveLength(2); // nothing more is sent to a dead worker
  });

  test('a lost GPU device fails the waiting measurement and every later one; a late reply changes nothing', async () => {
    const { peer, w } = await started();
    const waiting = peer.measure(C, 'fwd', X, REF, 1, {});
    await received(w, 2);
    w.reply({ id: null, lost: 'Device was lost because the GPU process crashed' });
    const want = "tfjs's GPU device was lost: Device was lost because the GPU process crashed";
    await expect(waiting).rejects.toThrow(want);
    w.reply({ id: 1, ok: true, kind: 'measured', result: M });
    await expect(peer.measure(C, 'fwd', X, REF, 1, {})).rejects.toThrow(want);
    expect(w.terminated).toBe(true);
  });

  test('an unreadable reply and a stop are reported too', async () => {
    const a = await started();
    const waitingA = a.peer.measure(C, 'fwd', X, REF, 1, {});
    await received(a.w, 2);
    a.w.onmessageerror!();
    await expect(waitingA).rejects.toThrow("tfjs's worker sent a reply that could not be read");

    const b = await started();
    const waitingB = b.peer.measure(C, 'fwd', X, REF, 1, {});
    await received(b.w, 2);
    b.peer.dispose();
    await expect(waitingB).rejects.toThrow("tfjs's worker was stopped");
  });

  test("a peer that cannot load rejects start with its reason, and its worker is ended", async () => {
    FakeWorker.startAnswer = (w, r) => w.reply({ id: r.id, ok: false, error: 'jax-js init() found no webgpu device (it has: cpu)', unsupported: false });
    await expect(RemotePeer.start('jax-js', 'google / swiftshader')).rejects.toThrow('jax-js init() found no webgpu device (it has: cpu)');
    expect(FakeWorker.last.terminated).toBe(true);
    // A worker whose module fails to load raises an error event with no message.
    FakeWorker.startAnswer = (w) => w.onerror!({ message: '', preventDefault: () => {} });
    await expect(RemotePeer.start('onnxruntime', 'google / swiftshader')).rejects.toThrow("onnxruntime's worker failed: it could not start");
    expect(FakeWorker.last.terminated).toBe(true);
  });
});
