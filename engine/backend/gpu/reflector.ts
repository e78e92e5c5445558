// Building and reflecting kernels' WGSL (shader.ts, reflect.ts) without holding up the page. A kernel compiled on
// first use is built and reflected at once, on the calling thread (reflectNow). warmup() asks through reflect()
// instead: in a browser a module worker does the work, so the page's thread only creates the GPU objects when each
// reply arrives; where there is no Worker (Node) it is done on this thread, one kernel per task, so that a timer or
// a frame can run between kernels.
import { buildShader, type ShaderSpec } from './shader';
import { reflectShader, type Reflection, type WebgpuUtils } from './reflect';
import type { ReflectReply, ReflectRequest } from './reflect.worker';

export interface Reflected {
  code: string;
  reflection: Reflection;
}

interface Pending {
  name: string;
  spec: ShaderSpec;
  resolve: (r: Reflected) => void;
  reject: (e: Error) => void;
}

export class Reflector {
  /** Undefined until first needed; null where no worker can run or the worker failed. */
  private worker: Worker | null | undefined = undefined;
  private pending = new Map<number, Pending>();
  private next = 0;
  /** Requests answered on this thread rather than by the worker (tests read it). */
  inThread = 0;

  constructor(private utils: WebgpuUtils) {}

  /** The kernel `name`'s WGSL built from `spec`, and what it declares, computed now on this thread. */
  reflectNow(name: string, spec: ShaderSpec): Reflected {
    const code = buildShader(spec);
    return { code, reflection: reflectShader(name, code, this.utils) };
  }

  /** The same, computed off this thread where a worker runs, else on it in a task of its own. */
  reflect(name: string, spec: ShaderSpec): Promise<Reflected> {
    const worker = this.workerOrNull();
    return new Promise((resolve, reject) => {
      const p: Pending = { name, spec, resolve, reject };
      if (!worker) {
        this.later(p);
        return;
      }
      const id = this.next++;
      this.pending.set(id, p);
      const req: ReflectRequest = { id, name, spec };
      worker.postMessage(req);
    });
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = null;
    for (const p of this.pending.values()) p.reject(new Error(`reflecting shader ${p.name}: the GPU context was destroyed`));
    this.pending.clear();
  }

  private workerOrNull(): Worker | null {
    if (this.worker !== undefined) return this.worker;
    this.worker = null;
    if (typeof Worker !== 'function') return null;
    try {
      const w = new Worker(new URL('./reflect.worker.ts', import.meta.url), { type: 'module', name: 'WGSL reflection' });
      w.onmessage = (e: MessageEvent<ReflectReply>) => {
        const p = this.pending.get(e.data.id);
        if (!p) return;
        this.pending.delete(e.data.id);
        if (e.data.ok) p.resolve({ code: e.data.code, reflection: e.data.reflection });
        else p.reject(new Error(e.data.error));
      };
      // A worker that cannot start (or a reply that cannot be read) loses nothing: its requests are answered here.
      w.onerror = (e) => {
        e.preventDefault();
        this.abandonWorker();
      };
      w.onmessageerror = () => this.abandonWorker();
      this.worker = w;
    } catch {
      this.worker = null;
    }
    return this.worker;
  }

  private abandonWorker(): void {
    this.worker?.terminate();
    this.worker = null;
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) this.later(p);
  }

  /** Answers `p` on this thread in a task of its own. */
  private later(p: Pending): void {
    setTimeout(() => {
      this.inThread++;
      try {
        p.resolve(this.reflectNow(p.name, p.spec));
      } catch (e) {
        p.reject(e instanceof Error ? e : new Error(String(e)));
      }
    }, 0);
  }
}
