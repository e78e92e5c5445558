// The code cells' worker: the learner's function runs here, with the engine's API in scope as `engine`. The engine
// stays on its CPU backend in this worker (init() is never called): results are then the same on every machine,
// and a worker terminated mid-loop leaves no GPU device behind. The main thread's runner (runner.ts) enforces the
// time limit by terminating this worker.
import * as engine from '../../engine/index';
import { runCell } from './sandbox';
import type { RunRequest, WorkerReply } from './runner';

// The DOM typings describe window.postMessage; a dedicated worker's scope takes one argument.
const scope = self as unknown as { postMessage(message: WorkerReply): void; onmessage: ((e: MessageEvent<RunRequest & { id: number }>) => void) | null };

/** Functions already built from a cell's text, so Check's several calls transpile it once. */
const cache = new Map<string, (...args: unknown[]) => unknown>();

scope.onmessage = async (e) => {
  const { id, ...req } = e.data;
  const outcome = await runCell(req, engine, cache);
  if (cache.size > 50) cache.clear();
  try {
    scope.postMessage({ type: 'result', id, outcome });
  } catch {
    // structured cloning refused the result (a function, a class instance holding one, …)
    scope.postMessage({
      type: 'result',
      id,
      outcome: { ok: false, error: { kind: 'result', message: 'Your function returned something that cannot be sent back to the page (a function, or an object holding one). Return numbers or arrays.', line: null }, logs: outcome.logs },
    });
  }
};

scope.postMessage({ type: 'ready' });
