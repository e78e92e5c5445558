// Where lesson progress lives: IndexedDB through idb-keyval, in the course's own database (the playground's
// autosave has another), one key per lesson. Tests use MemoryKV. What is read back is validated (progress.ts); a
// state that can't be read is kept aside under another key rather than overwritten, so nothing is lost.
import { createStore, del, get, set, type UseStore } from 'idb-keyval';
import { parseLessonState, progressOf, type LessonState, type Progress } from './progress';

export interface KV {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  del(key: string): Promise<void>;
}

export class MemoryKV implements KV {
  readonly data = new Map<string, unknown>();
  async get(key: string): Promise<unknown> {
    return structuredClone(this.data.get(key));
  }
  async set(key: string, value: unknown): Promise<void> {
    this.data.set(key, structuredClone(value));
  }
  async del(key: string): Promise<void> {
    this.data.delete(key);
  }
}

export class IdbKV implements KV {
  private store: UseStore | null = null;
  /** Opened on first use, so that constructing one never touches IndexedDB. */
  private db(): UseStore {
    this.store ??= createStore('gpu-learn-course', 'progress');
    return this.store;
  }
  get(key: string): Promise<unknown> {
    return get(key, this.db());
  }
  set(key: string, value: unknown): Promise<void> {
    return set(key, value, this.db());
  }
  del(key: string): Promise<void> {
    return del(key, this.db());
  }
}

const keyOf = (lesson: string): string => `lesson:${lesson}`;

export type Loaded = { state: LessonState | null; error: string | null };

export class ProgressStore {
  constructor(private readonly kv: KV) {}

  /** The lesson's saved state; null when there is none, or when it can't be read (then `error` says why). */
  async load(lesson: string): Promise<Loaded> {
    const raw = await this.kv.get(keyOf(lesson));
    if (raw === undefined) return { state: null, error: null };
    const r = parseLessonState(raw);
    if (r.ok) return { state: r.value, error: null };
    // Kept aside, not deleted: a newer version of the course may read it, and the learner's code is in there.
    await this.kv.set(`${keyOf(lesson)}:unreadable`, raw);
    await this.kv.del(keyOf(lesson));
    return { state: null, error: `Your saved progress for this lesson could not be read (${r.error}). It was set aside and the lesson starts fresh.` };
  }

  async save(lesson: string, state: LessonState): Promise<void> {
    // A JSON round trip keeps exactly what a share link could carry (widget values are documented as JSON).
    await this.kv.set(keyOf(lesson), JSON.parse(JSON.stringify(state)) as unknown);
  }

  async clear(lesson: string): Promise<void> {
    await this.kv.del(keyOf(lesson));
  }

  /** The home's progress line for each lesson; one that can't be read counts as not started. */
  async progress(lessons: readonly string[]): Promise<Record<string, Progress>> {
    const out: Record<string, Progress> = {};
    for (const id of lessons) {
      const r = parseLessonState(await this.kv.get(keyOf(id)));
      out[id] = progressOf(r.ok ? r.value : undefined);
    }
    return out;
  }
}

/** The page's store (IndexedDB, opened on first use). */
export const courseStore = new ProgressStore(new IdbKV());
