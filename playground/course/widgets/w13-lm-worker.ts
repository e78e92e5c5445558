// The Web Worker that runs the n-gram laboratory (w13-lm.ts) off the page's main thread: it loads the State of the
// Union sample once, keeps the fitted models, and answers one request at a time. Messages: {id, req} in, {id, res}
// or {id, error} out (see w13-lm-client.ts).
import { loadSotu } from './w13-data';
import { LmLab, type LmRequest } from './w13-lm';

let lab: Promise<LmLab> | null = null;

self.onmessage = async (e: MessageEvent<{ id: number; req: LmRequest }>) => {
  const { id, req } = e.data;
  try {
    lab ??= loadSotu().then((data) => new LmLab(data));
    lab.catch(() => (lab = null)); // a failed download is retried by the next request
    const res = (await lab).handle(req);
    self.postMessage({ id, res });
  } catch (err) {
    self.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
};
