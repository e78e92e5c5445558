// What the "Your kernel" tab keeps in the browser between visits: the family, each family's WGSL, and the last
// run (its check report, minus the source, and its timings), in IndexedDB through idb-keyval, in a database of its
// own. Reads are validated: anything of the wrong shape (an older format, a hand-edited store) is ignored, never
// trusted.
import { createStore, get, set, type UseStore } from 'idb-keyval';
import { KERNEL_FAMILIES, type KernelFamily, type KernelReport } from '../../engine/index';
import type { AttentionMeasurement } from '../../bench/attention-core';

/** A matmul timing row of the tab: ours, yours or a peer (matmul-peers.ts) at one size. */
export interface MatmulRow {
  impl: 'ours' | 'yours' | 'tfjs' | 'jax-js';
  M: number;
  N: number;
  K: number;
  ms: number;
  minMs: number;
  maxMs: number;
  gflops: number;
  maxAbsErr: number;
}

export interface LastRun {
  family: KernelFamily;
  report: Omit<KernelReport, 'source'>;
  attention: AttentionMeasurement[];
  matmul: MatmulRow[];
  date: string;
}

export interface SavedKernels {
  family: KernelFamily;
  sources: Record<KernelFamily, string>;
  last: LastRun | null;
}

const KEY = 'kernels';
let store: UseStore | null = null;
const db = (): UseStore => (store ??= createStore('gpu-learn-bench-kernel', 'kernel'));

export async function loadKernels(): Promise<SavedKernels | null> {
  const v = (await get(KEY, db())) as Partial<SavedKernels> | undefined;
  if (!v || !KERNEL_FAMILIES.includes(v.family as KernelFamily) || typeof v.sources !== 'object' || v.sources === null) return null;
  const sources = v.sources as Record<string, unknown>;
  if (!KERNEL_FAMILIES.every((f) => typeof sources[f] === 'string')) return null;
  const last = v.last && typeof v.last === 'object' && typeof v.last.report?.message === 'string' ? v.last : null;
  return { family: v.family as KernelFamily, sources: v.sources as Record<KernelFamily, string>, last };
}

export async function saveKernels(k: SavedKernels): Promise<void> {
  await set(KEY, k, db());
}
