// Asks the n-gram laboratory a question. In a page the lab runs in a Web Worker (w13-lm-worker.ts), so fitting a
// model never blocks a frame; where there is no Worker (Node, in the unit tests) it runs in-process on the same data.
import { loadSotu } from './w13-data';
import { LmLab, type LmRequest, type LmResponse } from './w13-lm';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

let worker: Worker | null = null;
let nextId = 0;
const pending = new Map<number, Pending>();
let local: Promise<LmLab> | null = null;

function startWorker(): Worker {
  const w = new Worker(new URL('./w13-lm-worker.ts', import.meta.url), { type: 'module' });
  w.onmessage = (e: MessageEvent<{ id: number; res?: unknown; error?: string }>) => {
    const p = pending.get(e.data.id);
    if (!p) return;
    pending.delete(e.data.id);
    if (e.data.error !== undefined) p.reject(new Error(e.data.error));
    else p.resolve(e.data.res);
  };
  w.onerror = (e) => {
    // The worker script itself failed (it did not load, or threw outside a request): fail everything waiting and
    // start a fresh one on the next request.
    e.preventDefault();
    for (const p of pending.values()) p.reject(new Error(`the n-gram worker failed: ${e.message || 'it could not start'}`));
    pending.clear();
    w.terminate();
    worker = null;
  };
  return w;
}

export function askLm<K extends LmRequest['kind']>(req: Extract<LmRequest, { kind: K }>): Promise<LmResponse<K>> {
  if (typeof Worker === 'undefined') {
    local ??= loadSotu().then((d) => new LmLab(d));
    return local.then((lab) => lab.handle(req));
  }
  worker ??= startWorker();
  const id = nextId++;
  return new Promise<LmResponse<K>>((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    worker!.postMessage({ id, req });
  });
}

/**
 * Runs `ask` for the latest arguments only: while one call is in flight, newer calls replace each other, and only
 * the last runs when it returns. A slider dragged across twenty values fits two models, not twenty.
 */
export function latestOnly<A, R>(ask: (a: A) => Promise<R>, done: (r: R, a: A) => void, fail: (e: Error, a: A) => void): (a: A) => void {
  let busy = false;
  let queued: { a: A } | null = null;
  const run = (a: A) => {
    busy = true;
    ask(a)
      .then((r) => done(r, a), (e: unknown) => fail(e instanceof Error ? e : new Error(String(e)), a))
      .finally(() => {
        busy = false;
        if (queued) {
          const q = queued;
          queued = null;
          run(q.a);
        }
      });
  };
  return (a: A) => {
    if (busy) queued = { a };
    else run(a);
  };
}
