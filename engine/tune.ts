// The autotuner's user API: tune() measures the kernel candidates on the open WebGPU device and keeps the fastest
// per shape class, and tuningTable() says what the device runs now. The machinery is in
// engine/backend/gpu/tuning/ (candidates, table, cache, tune).
import { getBackend } from './device';
import type { WebGPUBackend } from './backend/webgpu';
import { tuneBackend, type TuneOptions, type TuneReport } from './backend/gpu/tuning/tune';
import { loadTuningCache, cacheLocation } from './backend/gpu/tuning/cache';
import { tuningTableOf, type TuningEntry } from './backend/gpu/tuning/table';
import type { TuneOp } from './backend/gpu/tuning/candidates';

export type { TuneOptions, TuneReport, TuneResult, TuneProgress, CandidateResult, TuneShapes } from './backend/gpu/tuning/tune';
export type { TuneOp } from './backend/gpu/tuning/candidates';
export { TUNE_OPS } from './backend/gpu/tuning/candidates';
export { TuningCacheError } from './backend/gpu/tuning/cache';
export { matmulShapeClass, attentionShapeClass, rowShapeClass } from './backend/gpu/tuning/table';

const device = (): WebGPUBackend => getBackend('webgpu') as WebGPUBackend;

/**
 * Times every candidate configuration of the requested ops (default: matmul, attention, attentionBackward,
 * softmax, layernorm) at the requested shapes (default: a few per op, small on SwiftShader) on the open WebGPU
 * device, after checking each against the default's output, and records the fastest per (op, shape class); later
 * calls at shapes of that class run it. The winners are written to the tuning cache (a JSON file in Node,
 * IndexedDB in a browser) unless `save: false` or GPU_LEARN_TUNING=off. Needs `await init({ backend: 'webgpu' })`.
 */
export function tune(opts: TuneOptions = {}): Promise<TuneReport> {
  return tuneBackend(device(), opts);
}

export interface TuningTableInfo {
  adapter: string;
  /** Where the choices were loaded from, or null (none stored yet, cache off, or unreadable). */
  source: string | null;
  /** Why the cache could not be read (the device then runs its defaults), or null. */
  loadError: string | null;
  entries: Partial<Record<TuneOp, Record<string, TuningEntry>>>;
}

/** The open WebGPU device's tuning table: the tuned choice per (op, shape class); anything absent runs the default. */
export function tuningTable(): TuningTableInfo {
  const t = tuningTableOf(device().ctx);
  return { adapter: t.adapterKey, source: t.source, loadError: t.loadError, entries: t.toJSON() };
}

/** Reloads the open device's choices from the tuning cache; throws a TuningCacheError naming it when it is malformed. */
export async function reloadTuning(): Promise<TuningTableInfo> {
  await loadTuningCache(device().ctx);
  return tuningTable();
}

/** Where tuning is kept in this process: a file path, 'IndexedDB', or null when GPU_LEARN_TUNING=off. */
export async function tuningCachePath(): Promise<string | null> {
  const loc = await cacheLocation();
  return loc.kind === 'file' ? loc.path : loc.kind === 'indexeddb' ? 'IndexedDB' : null;
}
