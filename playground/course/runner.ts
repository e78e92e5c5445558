// Runs code cells off the main thread: one Web Worker (runner.worker.ts) for the page, one call at a time, each
// with a time limit. A call that runs past its limit (an endless loop) can't be interrupted inside the worker, so
// the worker is terminated and the next call starts a fresh one; the page never waits on the learner's code.
import type { CellLanguage, RunOutcome } from './outcome';

export interface RunRequest {
  code: string;
  language: CellLanguage;
  name: string;
  args: unknown[];
}

/** What the worker posts: 'ready' once its imports have loaded, then one reply per request. */
export type WorkerReply = { type: 'ready' } | { type: 'result'; id: number; outcome: RunOutcome };

/** The part of a Worker the runner uses (tests pass a fake). */
export interface WorkerLike {
  postMessage(message: unknown): void;
  terminate(): void;
  onmessage: ((e: MessageEvent) => void) | null;
  onerror: ((e: ErrorEvent) => void) | null;
}

/** How long a fresh worker may take to load the engine before the runner gives up on it. */
const STARTUP_LIMIT_MS = 60_000;

interface Pending {
  id: number;
  settle(outcome: RunOutcome): void;
}

interface Live {
  worker: WorkerLike;
  ready: Promise<void>;
  /** The call in flight, if any. */
  pending: Pending | null;
  /** Ends this worker: startup fails, the pending call (if any) resolves with `outcome`. */
  kill(message: string, outcome?: RunOutcome): void;
}

const failed = (message: string, kind: 'runtime' | 'timeout' = 'runtime'): RunOutcome => ({ ok: false, error: { kind, message, line: null }, logs: [] });

export class CellRunner {
  private live: Live | null = null;
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();
  /** Workers started so far (a timeout makes the next call start another); for tests and the page's status line. */
  started = 0;

  constructor(private readonly createWorker: () => WorkerLike) {}

  /** Starts the worker now, so that the first Run doesn't wait for the engine to load. */
  warm(): void {
    this.ensure();
  }

  private ensure(): Live {
    if (this.live) return this.live;
    const worker = this.createWorker();
    this.started++;
    let resolveReady!: () => void;
    let rejectReady!: (e: Error) => void;
    const ready = new Promise<void>((res, rej) => {
      resolveReady = res;
      rejectReady = rej;
    });
    ready.catch(() => undefined); // whoever awaits it reports the failure
    const startup = setTimeout(() => live.kill(`The code runner did not start within ${STARTUP_LIMIT_MS / 1000} s.`), STARTUP_LIMIT_MS);
    const live: Live = {
      worker,
      ready,
      pending: null,
      kill: (message, outcome) => {
        clearTimeout(startup);
        if (this.live === live) this.live = null;
        worker.terminate();
        rejectReady(new Error(message));
        const p = live.pending;
        live.pending = null;
        p?.settle(outcome ?? failed(message));
      },
    };
    worker.onmessage = (e: MessageEvent) => {
      const msg = e.data as WorkerReply;
      if (msg.type === 'ready') {
        clearTimeout(startup);
        resolveReady();
      } else if (msg.type === 'result' && live.pending?.id === msg.id) {
        const p = live.pending;
        live.pending = null;
        p.settle(msg.outcome);
      }
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault?.();
      live.kill(`The code runner stopped: ${e.message || 'it failed to load'}.`);
    };
    this.live = live;
    return live;
  }

  /**
   * Calls the learner's function once. Resolves with what happened, never rejects: a timeout, a worker that died
   * and an error in the learner's code are all outcomes the page shows.
   */
  run(req: RunRequest, timeoutMs: number): Promise<RunOutcome> {
    const next = this.queue.then(() => this.runNow(req, timeoutMs));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runNow(req: RunRequest, timeoutMs: number): Promise<RunOutcome> {
    const live = this.ensure();
    try {
      await live.ready; // the engine's loading time is not the learner's
    } catch (e) {
      return failed((e as Error).message);
    }
    const id = this.nextId++;
    return new Promise<RunOutcome>((resolve) => {
      // The loop can't be interrupted from outside: the worker goes, and the next call starts a new one.
      const timer = setTimeout(() => {
        const s = timeoutMs / 1000;
        live.kill('timed out', failed(`Timed out: your function was still running after ${s} s, so it was stopped. Is there a loop that never ends?`, 'timeout'));
      }, timeoutMs);
      live.pending = {
        id,
        settle: (outcome) => {
          clearTimeout(timer);
          resolve(outcome);
        },
      };
      live.worker.postMessage({ id, ...req });
    });
  }

  /** Stops the worker (the page is going away). */
  dispose(): void {
    this.live?.worker.terminate();
    this.live = null;
  }
}

let shared: CellRunner | null = null;

/** The page's runner: one worker shared by every code cell. */
export function pageRunner(): CellRunner {
  shared ??= new CellRunner(
    () => new Worker(new URL('./runner.worker.ts', import.meta.url), { type: 'module', name: 'code-cell runner' }) as unknown as WorkerLike,
  );
  return shared;
}
