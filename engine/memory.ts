// Deterministic memory management. A storage is reference-counted because views (reshape, detach) share it and
// autograd will keep inputs alive for the backward; tidy() scopes dispose every tensor made inside them except
// what the scope returns, like tfjs's tidy.
import type { Backend, MemoryStats, Storage } from './backend/backend';
import type { DeviceName } from './backend/backend';
import { getBackend, webgpuBackend } from './device';

/** One storage shared by the tensors that view it; freed when the last one lets go. */
export class StorageRef {
  private refs = 1;
  constructor(
    readonly storage: Storage,
    readonly backend: Backend,
  ) {}

  retain(): this {
    if (this.refs <= 0) throw new Error('internal: retaining a freed storage');
    this.refs++;
    return this;
  }

  release(): void {
    if (--this.refs === 0) this.backend.free(this.storage);
  }
}

/** Anything tidy can find tensors in: a tensor, or arrays and plain objects holding them. */
export interface Disposable {
  dispose(): void;
  readonly isDisposed: boolean;
}

const scopes: Set<Disposable>[] = [];

/** Called by every new tensor: the innermost tidy scope will dispose it unless it escapes. */
export function track(t: Disposable): void {
  scopes[scopes.length - 1]?.add(t);
}

/** Removes a tensor from every enclosing scope, so it outlives them (until disposed by hand). */
export function keep<T extends Disposable>(t: T): T {
  for (const s of scopes) s.delete(t);
  return t;
}

function collect(value: unknown, into: Set<Disposable>, seen = new Set<unknown>()): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (isDisposable(value)) {
    into.add(value);
    return;
  }
  const items = Array.isArray(value) ? value : Object.getPrototypeOf(value) === Object.prototype ? Object.values(value) : [];
  for (const v of items) collect(v, into, seen);
}

function isDisposable(v: object): v is Disposable {
  return typeof (v as Disposable).dispose === 'function' && 'isDisposed' in v;
}

/**
 * Runs `fn` and disposes every tensor created during it, except tensors in its result (a tensor, or arrays and
 * plain objects of tensors), which move to the enclosing scope. `fn` must be synchronous: ops only encode GPU
 * work, so a whole forward and backward pass fits in one; await readbacks outside it.
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Disposable>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of scope) t.dispose();
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) {
    for (const t of scope) t.dispose();
    throw new Error('tidy(fn) needs a synchronous fn: await readbacks outside the scope');
  }
  const escaping = new Set<Disposable>();
  collect(result, escaping);
  for (const t of scope) {
    if (escaping.has(t)) track(t);
    else t.dispose();
  }
  return result;
}

/** Disposes a tensor, or every tensor in an array or plain object. Disposing twice is harmless. */
export function dispose(value: unknown): void {
  const found = new Set<Disposable>();
  collect(value, found);
  for (const t of found) t.dispose();
}

/**
 * Live allocations on a device: `buffers`/`bytes` count storages held by tensors (bucket sizes on the GPU);
 * `pooledBuffers`/`pooledBytes` count freed GPU buffers kept for reuse. Defaults to the WebGPU device when one is
 * open, else the CPU.
 */
export function memoryStats(device?: DeviceName): MemoryStats {
  const name = device ?? (webgpuBackend() ? 'webgpu' : 'cpu');
  return getBackend(name).memoryStats();
}
