// The main thread's side of the CPU oracle worker (oracle.worker.ts): one worker for a sweep, asked for one
// configuration's reference at a time, so the page keeps drawing while the loops run.
import type { AttentionConfig, Inputs, Reference } from '../../bench/attention-core';
import type { OracleReply, OracleRequest } from './oracle.worker';

export class Oracle {
  private worker = new Worker(new URL('./oracle.worker.ts', import.meta.url), { type: 'module', name: 'attention CPU oracle' });
  private pending = new Map<number, { resolve: (r: Reference) => void; reject: (e: Error) => void }>();
  private next = 0;

  constructor() {
    this.worker.onmessage = (e: MessageEvent<OracleReply>) => {
      const p = this.pending.get(e.data.id);
      if (!p) return;
      this.pending.delete(e.data.id);
      if (e.data.ok) p.resolve(e.data.ref);
      else p.reject(new Error(`CPU oracle: ${e.data.error}`));
    };
    this.worker.onerror = (e) => this._failAll(new Error(`CPU oracle worker failed: ${e.message}`));
  }

  /** The CPU backend's attention (and its gradients, when asked) on `inputs`, which are copied to the worker. */
  reference(config: AttentionConfig, inputs: Inputs, withGrads: boolean): Promise<Reference> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const req: OracleRequest = { id, config, inputs, withGrads };
      this.worker.postMessage(req);
    });
  }

  dispose(): void {
    this.worker.terminate();
    this._failAll(new Error('CPU oracle stopped'));
  }

  private _failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
