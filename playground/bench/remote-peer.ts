// The page's side of a peer running in its own worker (peer.worker.ts): start() loads the peer there, measure()
// sends one configuration's inputs and the CPU oracle's reference and gets the measurement back. The page's thread
// only posts and receives messages, so it keeps drawing while the peer compiles and runs.
//
// Nothing is dropped silently: a pass the peer lacks rejects with Unsupported, a failure with the peer's message,
// and once the worker fails (an uncaught error, a message that cannot be read) or the peer's GPUDevice is lost,
// every waiting and later request rejects with that reason, so each configuration still left says why it did not run.
import type { AttentionConfig, AttentionMeasurement, Inputs, Pass, Reference } from '../../bench/attention-core';
import { Unsupported } from './peers';
import type { PeerAsk, PeerImpl, PeerReply, PeerRequest } from './peer.worker';

type Answer = Extract<PeerReply, { ok: true }>;

interface Pending {
  resolve: (r: Answer) => void;
  reject: (e: Error) => void;
}

export class RemotePeer {
  private pending = new Map<number, Pending>();
  private next = 0;
  /** Why this worker can answer nothing more; null while it works. */
  private failure: Error | null = null;

  private constructor(readonly impl: PeerImpl, private worker: Worker) {
    worker.onmessage = (e: MessageEvent<PeerReply>) => this._onReply(e.data);
    // An uncaught error in the worker, or a module that failed to load; the default report is replaced by ours.
    worker.onerror = (e) => {
      e.preventDefault();
      const where = e.filename ? ` (${e.filename.replace(/^.*\/\/[^/]+/, '')}:${e.lineno})` : '';
      this._fail(`${impl}'s worker failed: ${e.message || 'it could not start'}${where}`);
    };
    worker.onmessageerror = () => this._fail(`${impl}'s worker sent a reply that could not be read`);
  }

  /** A worker with `impl` loaded on `adapter` (the name measurements report), and the peer's version. */
  static async start(impl: PeerImpl, adapter: string): Promise<{ peer: RemotePeer; version: string }> {
    const worker = new Worker(new URL('./peer.worker.ts', import.meta.url), { type: 'module', name: `bench peer ${impl}` });
    const peer = new RemotePeer(impl, worker);
    try {
      const r = await peer._ask({ kind: 'load', impl, adapter });
      if (r.kind !== 'loaded') throw new Error(`${impl}'s worker answered load with ${r.kind}`);
      return { peer, version: r.version };
    } catch (e) {
      peer.dispose();
      throw e;
    }
  }

  /** bench/attention-core's measure() of this peer at `config`, run in the worker; the arrays are copied there. */
  async measure(
    config: AttentionConfig, pass: Pass, inputs: Inputs, ref: Reference, reps: number, versions: Record<string, string>,
  ): Promise<AttentionMeasurement> {
    const r = await this._ask({ kind: 'measure', config, pass, inputs, ref, reps, versions });
    if (r.kind !== 'measured') throw new Error(`${this.impl}'s worker answered measure with ${r.kind}`);
    return r.result;
  }

  dispose(): void {
    this._fail(`${this.impl}'s worker was stopped`);
  }

  private _ask(req: PeerAsk): Promise<Answer> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const message: PeerRequest = { ...req, id };
      this.worker.postMessage(message);
    });
  }

  private _onReply(r: PeerReply): void {
    if (r.id === null) {
      this._fail(`${this.impl}'s GPU device was lost: ${r.lost}`);
      return;
    }
    const p = this.pending.get(r.id);
    if (!p) return;
    this.pending.delete(r.id);
    if (r.ok) p.resolve(r);
    else p.reject(r.unsupported ? new Unsupported(r.error) : new Error(r.error));
  }

  /** Ends the worker; what waits on it, and anything asked later, rejects with `reason` (the first one given). */
  private _fail(reason: string): void {
    this.failure ??= new Error(reason);
    this.worker.terminate();
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) p.reject(this.failure);
  }
}
