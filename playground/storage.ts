// A storage adapter for the graph model's Autosave that also reports when a write has landed, so the toolbar
// can say "Saved" (and tests can wait for it before reloading). The model's adapter interface is unchanged.
import { updateKey, type StorageAdapter } from './graph/autosave';

export class ObservedStorage implements StorageAdapter {
  constructor(
    private readonly inner: StorageAdapter,
    private readonly onWrite: (phase: 'saving' | 'saved') => void,
  ) {}

  get(key: string): Promise<string | undefined> {
    return this.inner.get(key);
  }

  async set(key: string, value: string): Promise<void> {
    this.onWrite('saving');
    await this.inner.set(key, value);
    this.onWrite('saved');
  }

  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }

  async update(key: string, fn: (old: string | undefined) => string | undefined): Promise<void> {
    this.onWrite('saving');
    await updateKey(this.inner, key, fn);
    this.onWrite('saved');
  }
}
