// The code-cell runner's time limit, with a fake worker: a call that never answers is stopped after its limit and
// the worker terminated; the next call starts a fresh worker and works; a worker that fails to load is reported.
import { describe, expect, test } from 'vitest';
import { CellRunner, type WorkerLike } from '../playground/course/runner';

class FakeWorker implements WorkerLike {
  onmessage: ((e: MessageEvent) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  terminated = false;
  constructor(private readonly behaviour: 'answer' | 'hang' | 'crash') {
    setTimeout(() => {
      if (behaviour === 'crash') this.onerror?.({ message: 'SyntaxError: bad import', preventDefault() {} } as ErrorEvent);
      else this.onmessage?.({ data: { type: 'ready' } } as MessageEvent);
    }, 5);
  }
  postMessage(message: unknown): void {
    if (this.behaviour !== 'answer' || this.terminated) return; // 'hang': an endless loop
    const { id, args } = message as { id: number; args: number[] };
    setTimeout(() => this.onmessage?.({ data: { type: 'result', id, outcome: { ok: true, value: args[0] * 2, logs: [] } } } as MessageEvent), 1);
  }
  terminate(): void {
    this.terminated = true;
  }
}

const req = (x: number) => ({ code: '', language: 'javascript' as const, name: 'f', args: [x] });

describe('CellRunner', () => {
  test('answers calls in order on one worker', async () => {
    const runner = new CellRunner(() => new FakeWorker('answer'));
    const [a, b] = await Promise.all([runner.run(req(1), 1000), runner.run(req(2), 1000)]);
    expect(a).toEqual({ ok: true, value: 2, logs: [] });
    expect(b).toEqual({ ok: true, value: 4, logs: [] });
    expect(runner.started).toBe(1);
  });

  test('a call past its limit is stopped, and the next call gets a fresh worker', async () => {
    const workers: FakeWorker[] = [];
    const runner = new CellRunner(() => {
      const w = new FakeWorker(workers.length === 0 ? 'hang' : 'answer');
      workers.push(w);
      return w;
    });
    const out = await runner.run(req(1), 50);
    expect(out).toMatchObject({ ok: false, error: { kind: 'timeout', line: null } });
    if (!out.ok) expect(out.error.message).toMatch(/^Timed out: your function was still running after 0\.05 s/);
    expect(workers[0].terminated).toBe(true);
    expect(await runner.run(req(5), 1000)).toEqual({ ok: true, value: 10, logs: [] });
    expect(runner.started).toBe(2);
  });

  test('a worker that fails to load is reported, not waited on forever', async () => {
    const runner = new CellRunner(() => new FakeWorker('crash'));
    const out = await runner.run(req(1), 1000);
    expect(out).toMatchObject({ ok: false, error: { kind: 'runtime', message: 'The code runner stopped: SyntaxError: bad import.' } });
  });
});
