// Autosave: the current graph is written to storage shortly after every change, and read back on the next visit.
// Storage is an adapter: IndexedDB through idb-keyval in the browser, a Map in tests (and wherever IndexedDB is
// missing, such as some private modes). What comes back is validated like any file, so a corrupt or future save
// is reported and ignored instead of breaking the page.
import { createStore, del, get, set, type UseStore } from 'idb-keyval';
import type { Graph } from './graph';
import { parseGraph, serializeGraph, type LoadResult, type TrainSettings } from './schema';

export interface StorageAdapter {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

export class MemoryStorage implements StorageAdapter {
  readonly data = new Map<string, string>();
  async get(key: string): Promise<string | undefined> {
    return this.data.get(key);
  }
  async set(key: string, value: string): Promise<void> {
    this.data.set(key, value);
  }
  async delete(key: string): Promise<void> {
    this.data.delete(key);
  }
}

/** IndexedDB via idb-keyval, in its own database so other code using idb-keyval's default store is unaffected. */
export class IndexedDbStorage implements StorageAdapter {
  private store: UseStore | null = null;
  constructor(
    private readonly dbName = 'gpu-learn',
    private readonly storeName = 'autosave',
  ) {}

  /** Opened on first use: constructing the adapter must not touch IndexedDB (it may not exist). */
  private db(): UseStore {
    this.store ??= createStore(this.dbName, this.storeName);
    return this.store;
  }
  async get(key: string): Promise<string | undefined> {
    const v: unknown = await get(key, this.db());
    return typeof v === 'string' ? v : undefined;
  }
  async set(key: string, value: string): Promise<void> {
    await set(key, value, this.db());
  }
  async delete(key: string): Promise<void> {
    await del(key, this.db());
  }
}

/** The browser's IndexedDB when it exists, else memory (the graph then lasts only as long as the page). */
export function defaultStorage(): StorageAdapter {
  return typeof indexedDB !== 'undefined' ? new IndexedDbStorage() : new MemoryStorage();
}

export const AUTOSAVE_KEY = 'graph:last';

export interface AutosaveOptions {
  key?: string;
  /** Wait this long after the last change before writing, so a drag writes once. Default 300 ms. */
  debounceMs?: number;
  /** Extra document fields to save with the graph (the training settings). */
  meta?: () => { name?: string; train?: TrainSettings };
  onError?: (e: unknown) => void;
}

/** Subscribes to a graph store and saves it after changes. */
export class Autosave {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private pending: Promise<void> = Promise.resolve();
  private readonly unsubscribe: () => void;
  private readonly key: string;

  constructor(
    private readonly graph: Graph,
    private readonly storage: StorageAdapter,
    private readonly opts: AutosaveOptions = {},
  ) {
    this.key = opts.key ?? AUTOSAVE_KEY;
    this.unsubscribe = graph.subscribe(() => this.schedule());
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), this.opts.debounceMs ?? 300);
  }

  /** Writes now (cancelling a scheduled write) and resolves when stored. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const text = serializeGraph(this.graph.state, this.opts.meta?.() ?? {});
    this.pending = this.pending.then(() => this.storage.set(this.key, text)).catch((e: unknown) => this.opts.onError?.(e));
    return this.pending;
  }

  /** Stops saving; a scheduled write is flushed first. */
  async stop(): Promise<void> {
    this.unsubscribe();
    if (this.timer) await this.flush();
    await this.pending;
  }
}

/** The last autosaved graph: null when there is none, else the load result (which may be an error message). */
export async function restoreAutosave(storage: StorageAdapter, key = AUTOSAVE_KEY): Promise<LoadResult | null> {
  const text = await storage.get(key);
  return text === undefined ? null : parseGraph(text);
}
