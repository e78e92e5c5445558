// Autosave: the current graph is written to storage shortly after every change, and read back on the next visit.
// Storage is an adapter: IndexedDB through idb-keyval in the browser, a Map in tests (and wherever IndexedDB is
// missing, such as some private modes). What comes back is validated like any file, so a corrupt or future save
// is reported and ignored instead of breaking the page.
//
// Nothing is lost to a newer graph. When the graph on screen is swapped for another (New, an example, Open…, a
// restore), the one leaving goes into a short history of earlier graphs, which the editor offers to restore.
//
// Two tabs editing the same autosave never overwrite each other silently. The save carries a revision number; a
// tab writes only over the revision its graph came from (a compare-and-swap in one IndexedDB transaction), and
// tells the other tabs over a BroadcastChannel when it has written. A tab that finds a newer revision from
// another tab stops saving and asks its user which version to keep (onConflict); either answer puts the other
// version into the history.
//
//   graph:last          {"format":"gpu-learn.autosave","rev":7,"tab":"…","savedAt":1712345678901,"graph":"<graph file>"}
//   graph:last:history  [{"savedAt":…,"name":"XOR MLP","nodes":5,"graph":"<graph file>"}, …]   newest first
//
// A page closing within the debounce can't wait for that compare-and-swap: IndexedDB answers after the page is
// gone, and in headless Chromium a write begun as a tab closed landed in only 1 of 6 tries. So the page also
// leaves its last edit as a draft in localStorage, whose writes are synchronous and do land, under a key of its
// own. The next tab to start, or an open tab (told by the 'storage' event), folds the draft in: into the autosave
// when nothing was saved since the draft's revision, else into the history.
//
//   localStorage["graph:last:draft:<tab>"]  {"format":"gpu-learn.autosave-draft","base":7,"tab":"…","savedAt":…,"graph":"<graph file>"}
//
// An autosave written before revisions existed (a bare graph file) reads as revision 0.
import { createStore, del, get, set, update, type UseStore } from 'idb-keyval';
import { graphSwap, type Graph } from './graph';
import type { GraphMeta } from './commands';
import type { GraphState } from './types';
import { parseGraph, serializeGraph, type LoadedGraph, type LoadResult, type TrainSettings } from './schema';

export interface StorageAdapter {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Reads a key and writes what `fn` returns (undefined: leave it as it is) in one transaction, so that another
   * tab cannot write in between. An adapter without transactions may leave it out; a read then a write is used.
   */
  update?(key: string, fn: (old: string | undefined) => string | undefined): Promise<void>;
}

/** Where drafts go: synchronous, so that a write made as the page closes lands. The browser's localStorage is one. */
export type DraftStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'>;

/** A DraftStorage in memory, for tests. */
export class MemoryDrafts implements DraftStorage {
  readonly data = new Map<string, string>();
  get length(): number {
    return this.data.size;
  }
  key(index: number): string | null {
    return [...this.data.keys()][index] ?? null;
  }
  getItem(key: string): string | null {
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.data.set(key, value);
  }
  removeItem(key: string): void {
    this.data.delete(key);
  }
}

/** The browser's localStorage, or null where there is none or it is refused (some private modes, sandboxes). */
export function defaultDrafts(): DraftStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
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
  async update(key: string, fn: (old: string | undefined) => string | undefined): Promise<void> {
    const next = fn(this.data.get(key));
    if (next !== undefined) this.data.set(key, next);
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
  async update(key: string, fn: (old: string | undefined) => string | undefined): Promise<void> {
    // idb-keyval always puts what the updater returns, so "leave it" puts the old value back.
    await update<unknown>(key, (old) => fn(typeof old === 'string' ? old : undefined) ?? old, this.db());
  }
}

/** The browser's IndexedDB when it exists, else memory (the graph then lasts only as long as the page). */
export function defaultStorage(): StorageAdapter {
  return typeof indexedDB !== 'undefined' ? new IndexedDbStorage() : new MemoryStorage();
}

export const AUTOSAVE_KEY = 'graph:last';
/** How many earlier graphs the history keeps. */
export const HISTORY_LIMIT = 10;
const RECORD_FORMAT = 'gpu-learn.autosave';

/** The autosave as stored: its revision, which tab wrote it and when, and the graph file it holds. */
export interface StoredGraph {
  /** Counts the writes to this autosave; 0 for a save from before revisions. */
  rev: number;
  /** The tab that wrote it ('' for a save from before revisions). */
  tab: string;
  /** When it was written (ms since 1970; 0 when unknown). */
  savedAt: number;
  /** The graph file's text, compared as is to tell whether two tabs hold the same graph. */
  text: string;
  /** The graph read back from `text`, or why it can't be. */
  result: LoadResult;
}

/** An earlier graph kept in the history. */
export interface HistoryEntry {
  /** When it left the screen (ms since 1970). */
  savedAt: number;
  name: string;
  /** How many nodes it has (for the menu). */
  nodes: number;
  /** The graph file. */
  text: string;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Reads a stored autosave; a bare graph file (or anything else) reads as revision 0, validated as a graph. */
export function parseStored(value: string): StoredGraph {
  const raw = parseJson(value);
  if (isRecord(raw) && raw.format === RECORD_FORMAT && typeof raw.graph === 'string' && Number.isSafeInteger(raw.rev) && (raw.rev as number) >= 0) {
    const savedAt = typeof raw.savedAt === 'number' && Number.isFinite(raw.savedAt) ? raw.savedAt : 0;
    return { rev: raw.rev as number, tab: typeof raw.tab === 'string' ? raw.tab : '', savedAt, text: raw.graph, result: parseGraph(raw.graph) };
  }
  return { rev: 0, tab: '', savedAt: 0, text: value, result: parseGraph(raw === undefined ? value : raw) };
}

function storedValue(rev: number, tab: string, savedAt: number, text: string): string {
  return JSON.stringify({ format: RECORD_FORMAT, rev, tab, savedAt, graph: text });
}

/** The history list as stored; entries that aren't well formed are left out rather than failing the whole list. */
export function parseHistory(value: string | undefined): HistoryEntry[] {
  const raw = value === undefined ? undefined : parseJson(value);
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((e: unknown): HistoryEntry[] =>
    isRecord(e) && typeof e.graph === 'string' && typeof e.savedAt === 'number' && Number.isFinite(e.savedAt)
      ? [{ savedAt: e.savedAt, name: typeof e.name === 'string' ? e.name : '', nodes: typeof e.nodes === 'number' ? e.nodes : 0, text: e.graph }]
      : [],
  );
}

function historyValue(entries: readonly HistoryEntry[]): string {
  return JSON.stringify(entries.map((e) => ({ savedAt: e.savedAt, name: e.name, nodes: e.nodes, graph: e.text })));
}

/** `storage.update`, or where the adapter has no transactions, a read and then a write. */
export async function updateKey(storage: StorageAdapter, key: string, fn: (old: string | undefined) => string | undefined): Promise<void> {
  if (storage.update) return storage.update(key, fn);
  const next = fn(await storage.get(key));
  if (next !== undefined) await storage.set(key, next);
}

/** The stored autosave, or null when there is none. */
export async function readAutosave(storage: StorageAdapter, key = AUTOSAVE_KEY): Promise<StoredGraph | null> {
  const value = await storage.get(key);
  return value === undefined ? null : parseStored(value);
}

/**
 * Copies the autosave, as stored, to a key of its own (`<key>:unreadable:<time>`) and returns that key: for an
 * autosave this version cannot read (damaged, or written by a newer version), so that the next save does not
 * destroy it. Nothing is copied when there is no autosave.
 */
export async function keepAside(storage: StorageAdapter, key = AUTOSAVE_KEY, now = Date.now()): Promise<string | null> {
  const value = await storage.get(key);
  if (value === undefined) return null;
  const aside = `${key}:unreadable:${new Date(now).toISOString()}`;
  await storage.set(aside, value);
  return aside;
}

/** The last autosaved graph: null when there is none, else the load result (which may be an error message). */
export async function restoreAutosave(storage: StorageAdapter, key = AUTOSAVE_KEY): Promise<LoadResult | null> {
  return (await readAutosave(storage, key))?.result ?? null;
}

/** The earlier graphs, newest first. */
export async function readHistory(storage: StorageAdapter, key = AUTOSAVE_KEY): Promise<HistoryEntry[]> {
  return parseHistory(await storage.get(`${key}:history`));
}

/**
 * Puts a graph at the front of the history. A graph already there (the same file, name included) moves to the
 * front instead of appearing twice, and the oldest beyond `limit` are dropped. Empty graphs are not kept: there is
 * nothing in them to restore.
 */
export async function addToHistory(storage: StorageAdapter, entry: HistoryEntry, key = AUTOSAVE_KEY, limit = HISTORY_LIMIT): Promise<void> {
  if (entry.nodes === 0) return;
  await updateKey(storage, `${key}:history`, (old) =>
    historyValue([entry, ...parseHistory(old).filter((e) => e.text !== entry.text)].slice(0, limit)),
  );
}

const DRAFT_FORMAT = 'gpu-learn.autosave-draft';
/** Drafts for the autosave under `key` are kept under keys that start with this. */
export const draftPrefix = (key = AUTOSAVE_KEY): string => `${key}:draft:`;

/**
 * Folds in the drafts that closing tabs left (see the top of this file), oldest first: a draft written over the
 * revision still stored becomes the next revision; any other goes into the history. Returns the revision written,
 * or null when the autosave is unchanged.
 */
export async function recoverDrafts(storage: StorageAdapter, store: DraftStorage | null, key = AUTOSAVE_KEY): Promise<number | null> {
  if (!store) return null;
  const keys: string[] = [];
  for (let i = 0; i < store.length; i++) {
    const k = store.key(i);
    if (k?.startsWith(draftPrefix(key))) keys.push(k);
  }
  const drafts: Array<{ draftKey: string; base: number | null; tab: string; savedAt: number; text: string }> = [];
  for (const draftKey of keys) {
    const raw = parseJson(store.getItem(draftKey) ?? '');
    if (isRecord(raw) && raw.format === DRAFT_FORMAT && typeof raw.graph === 'string' && typeof raw.savedAt === 'number') {
      const base = typeof raw.base === 'number' ? raw.base : null;
      drafts.push({ draftKey, base, tab: typeof raw.tab === 'string' ? raw.tab : '', savedAt: raw.savedAt, text: raw.graph });
    } else store.removeItem(draftKey); // not a draft we wrote: nothing in it can be recovered
  }
  let written: number | null = null;
  for (const d of drafts.sort((a, b) => a.savedAt - b.savedAt)) {
    let kept = false;
    await updateKey(storage, key, (old) => {
      const stored = old === undefined ? null : parseStored(old);
      kept = stored?.text === d.text;
      if (kept || (stored !== null && stored.rev !== d.base)) return undefined;
      kept = true;
      written = (stored?.rev ?? 0) + 1;
      return storedValue(written, d.tab, d.savedAt, d.text);
    });
    const r = parseGraph(d.text);
    if (!kept && r.ok) await addToHistory(storage, { savedAt: d.savedAt, name: r.graph.name, nodes: r.graph.state.nodes.length, text: d.text }, key);
    store.removeItem(d.draftKey);
  }
  return written;
}

/** A message between tabs: `tab` has written revision `rev` of the autosave under `key`. */
interface SavedMessage {
  key: string;
  tab: string;
  rev: number;
}

function isSavedMessage(x: unknown): x is SavedMessage {
  return isRecord(x) && typeof x.key === 'string' && typeof x.tab === 'string' && typeof x.rev === 'number';
}

export interface AutosaveOptions {
  key?: string;
  /** Wait this long after the last change before writing, so a drag writes once. Default 300 ms. */
  debounceMs?: number;
  /** Extra document fields to save with the graph (the training settings). */
  meta?: () => { name?: string; train?: TrainSettings };
  onError?: (e: unknown) => void;
  /**
   * The stored revision the graph on screen was read from (readAutosave().rev). Leave it out when the graph came
   * from elsewhere (an example, a shared link): the first write then puts whatever was stored into the history
   * before replacing it.
   */
  rev?: number;
  /**
   * Another tab has saved a different graph over the revision this one came from. Saving stops until the user
   * picks a version with keepMine() or takeTheirs(); `theirs` is what that tab stored.
   */
  onConflict?: (theirs: StoredGraph) => void;
  /** Where a closing page leaves its last edit; null for nowhere. Default: localStorage, where there is one. */
  drafts?: DraftStorage | null;
  /** The BroadcastChannel the tabs talk over; null for none. Default "gpu-learn:<key>". */
  channel?: string | null;
  /** This tab's id in the stored record and the messages. Default: a random UUID. */
  tab?: string;
  /** The clock, for tests. */
  now?: () => number;
}

/** Subscribes to a graph store and saves it after changes. */
export class Autosave {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private pending: Promise<void> = Promise.resolve();
  private readonly unsubscribe: () => void;
  private readonly key: string;
  private readonly tab: string;
  private readonly now: () => number;
  private readonly channel: BroadcastChannel | null = null;
  /** The stored revision this tab's graph descends from; null until it first reads or writes the store. */
  private rev: number | null;
  /** The graph file stored at `rev`, as far as this tab knows (so that leaving with nothing new writes nothing). */
  private saved: string | null = null;
  private readonly drafts: DraftStorage | null;
  private theirs: StoredGraph | null = null;

  constructor(
    private readonly graph: Graph,
    private readonly storage: StorageAdapter,
    private readonly opts: AutosaveOptions = {},
  ) {
    this.key = opts.key ?? AUTOSAVE_KEY;
    this.tab = opts.tab ?? globalThis.crypto.randomUUID();
    this.now = opts.now ?? Date.now;
    this.drafts = opts.drafts === undefined ? defaultDrafts() : opts.drafts;
    this.rev = opts.rev ?? null;
    if (this.rev !== null) this.saved = this.text(); // the graph on screen was just read from the store
    this.unsubscribe = graph.subscribe((e) => {
      const swap = graphSwap(e);
      if (swap) this.queue(() => this.archive(swap.outgoing.state, swap.outgoing));
      this.schedule();
    });
    const name = opts.channel === undefined ? `gpu-learn:${this.key}` : opts.channel;
    if (name !== null && typeof BroadcastChannel === 'function') {
      this.channel = new BroadcastChannel(name);
      this.channel.onmessage = (e: MessageEvent<unknown>) => {
        const m = e.data;
        if (isSavedMessage(m) && m.key === this.key && m.tab !== this.tab && m.rev !== this.rev) void this.check();
      };
    }
  }

  /** The other tab's version while this tab waits for the user to choose; null when there is no conflict. */
  get conflict(): StoredGraph | null {
    return this.theirs;
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), this.opts.debounceMs ?? 300);
  }

  /** Runs storage work after what is already queued, so that writes land in order; failures go to onError. */
  private queue(work: () => Promise<void>): Promise<void> {
    this.pending = this.pending.then(work).catch((e: unknown) => this.opts.onError?.(e));
    return this.pending;
  }

  private text(): string {
    return serializeGraph(this.graph.state, this.opts.meta?.() ?? {});
  }

  private archive(state: GraphState, meta: Partial<GraphMeta>, savedAt = this.now()): Promise<void> {
    const text = serializeGraph(state, { name: meta.name, train: meta.train });
    return addToHistory(this.storage, { savedAt, name: meta.name ?? '', nodes: state.nodes.length, text }, this.key);
  }

  private post(m: SavedMessage): void {
    this.channel?.postMessage(m);
  }

  private raise(theirs: StoredGraph): void {
    this.theirs = theirs;
    this.opts.onConflict?.(theirs);
  }

  /**
   * Writes now (cancelling a scheduled write) and resolves when stored. While another tab's version waits for the
   * user's choice nothing is written over it, and `leaving` then puts this tab's graph into the history instead.
   *
   * `leaving`: the page is being hidden or closed, so the queued write may never run. Anything unsaved is also
   * left at once as a draft, which is removed again once the write lands.
   */
  flush(opts: { leaving?: boolean } = {}): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const meta = this.opts.meta?.() ?? {};
    const text = serializeGraph(this.graph.state, meta);
    const state = this.graph.state;
    if (opts.leaving && text !== this.saved) this.leaveDraft(text);
    return this.queue(async () => {
      if (this.theirs) {
        if (opts.leaving) await this.archive(state, meta);
        return;
      }
      await this.write(text);
      if (this.saved === text) this.drafts?.removeItem(this.draftKey);
    });
  }

  private get draftKey(): string {
    return draftPrefix(this.key) + this.tab;
  }

  private leaveDraft(text: string): void {
    try {
      this.drafts?.setItem(this.draftKey, JSON.stringify({ format: DRAFT_FORMAT, base: this.rev, tab: this.tab, savedAt: this.now(), graph: text }));
    } catch (e) {
      this.opts.onError?.(e); // full, or refused: the queued write may still land
    }
  }

  /** Folds in drafts that closed tabs left, telling the other tabs when that made a new revision. */
  private async recover(): Promise<void> {
    const rev = await recoverDrafts(this.storage, this.drafts, this.key);
    if (rev !== null) this.post({ key: this.key, tab: this.tab, rev });
  }

  private async write(text: string): Promise<void> {
    if (this.rev === null) {
      // A graph from elsewhere: what was stored goes into the history first, then this is written over it.
      const stored = await readAutosave(this.storage, this.key);
      if (stored && stored.text !== text && stored.result.ok) {
        await this.archive(stored.result.graph.state, stored.result.graph, stored.savedAt || this.now());
      }
      this.rev = stored?.rev ?? 0;
    }
    const base = this.rev;
    const outcome: { written?: number; newer?: StoredGraph; same?: boolean } = {};
    await updateKey(this.storage, this.key, (old) => {
      const stored = old === undefined ? null : parseStored(old);
      if (stored && stored.rev !== base) {
        outcome.newer = stored;
        return undefined;
      }
      outcome.same = stored?.text === text;
      if (outcome.same) return undefined; // nothing new to write
      outcome.written = base + 1;
      return storedValue(outcome.written, this.tab, this.now(), text);
    });
    if (outcome.written !== undefined || outcome.same) {
      this.saved = text;
    }
    if (outcome.written !== undefined) {
      this.rev = outcome.written;
      this.post({ key: this.key, tab: this.tab, rev: outcome.written });
    } else if (outcome.newer) this.meet(outcome.newer, text);
  }

  /** Another tab's newer save: the same graph as here only moves this tab up to its revision; any other is a conflict. */
  private meet(stored: StoredGraph, text: string): void {
    if (stored.text === text) {
      this.rev = stored.rev;
      this.saved = text;
      this.theirs = null;
    } else this.raise(stored);
  }

  /**
   * Folds in drafts that closed tabs left, then looks for a newer save by another tab (on a message from it, or
   * when this tab becomes visible again, in case it slept through the message) and raises a conflict if there is one.
   */
  check(): Promise<void> {
    return this.queue(async () => {
      await this.recover();
      if (this.rev === null) return; // nothing written yet: the first write keeps what is stored in the history
      const stored = await readAutosave(this.storage, this.key);
      if (stored && stored.rev !== this.rev && stored.rev !== this.theirs?.rev) this.meet(stored, this.text());
    });
  }

  /** Resolves a conflict by keeping this tab's graph: the other tab's goes into the history, and this one is saved. */
  keepMine(): Promise<void> {
    const theirs = this.theirs;
    if (!theirs) return this.pending;
    this.theirs = null;
    this.rev = theirs.rev;
    return this.queue(async () => {
      if (theirs.result.ok) await this.archive(theirs.result.graph.state, theirs.result.graph, theirs.savedAt || this.now());
      await this.write(this.text());
    });
  }

  /**
   * Resolves a conflict by taking the other tab's graph, which is returned for the editor to swap in (with
   * Graph.replace, so that this tab's graph goes into the history and Undo brings it back). Throws, changing
   * nothing, when the other tab's save cannot be read.
   */
  takeTheirs(): LoadedGraph {
    const theirs = this.theirs;
    if (!theirs) throw new Error('There is no other version to load.');
    if (!theirs.result.ok) throw new Error(`The other tab's graph cannot be read: ${theirs.result.error}`);
    this.theirs = null;
    this.rev = theirs.rev;
    this.saved = theirs.text;
    return theirs.result.graph;
  }

  /** Stops saving; a scheduled write is flushed first. */
  async stop(): Promise<void> {
    this.unsubscribe();
    this.channel?.close();
    if (this.timer) await this.flush();
    await this.pending;
  }
}
