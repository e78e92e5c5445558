// Where tuned choices persist between runs: in Node a JSON file under the user's cache directory
// ($XDG_CACHE_HOME, else ~/.cache)/gpu-learn/tuning.json, in a browser IndexedDB (idb-keyval, in its own database).
// One store holds every adapter's choices, keyed by the adapter (table.ts's adapterKey), so a machine with two
// GPUs, or a driver update that renames one, keeps each set apart.
//
// The environment variable GPU_LEARN_TUNING (Node only) decides: unset, the default file; 'off', no cache at all
// (neither read nor written; the tests run so, see vite.config.ts); anything else, the path of the file to use.
//
// A malformed store is never used and never silently replaced: loading throws a TuningCacheError naming the file
// and what is wrong (at device creation that becomes a console warning and the built-in defaults), and a later
// save first moves the malformed store aside (Node: to <file>.malformed; IndexedDB: to the key 'tuning.malformed'),
// so nothing in it is lost.
import { createStore, get, set, type UseStore } from 'idb-keyval';
import { candidate, TUNE_OPS, type TuneOp } from './candidates';
import { tuningTableOf, type TuningEntry, type TuningTable } from './table';

export const TUNING_ENV = 'GPU_LEARN_TUNING';
export const TUNING_FORMAT = 'gpu-learn-tuning';
export const TUNING_VERSION = 1;

export class TuningCacheError extends Error {
  override name = 'TuningCacheError';
}

type AdapterEntries = Partial<Record<TuneOp, Record<string, TuningEntry>>>;

/** The store's contents: every adapter's table. */
export interface TuningFile {
  format: typeof TUNING_FORMAT;
  version: typeof TUNING_VERSION;
  adapters: Record<string, AdapterEntries>;
}

export type CacheLocation = { kind: 'off' } | { kind: 'file'; path: string } | { kind: 'indexeddb' };

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

/** Where this process keeps its tuning (see the top of the file). */
export async function cacheLocation(): Promise<CacheLocation> {
  if (!isNode) return typeof indexedDB !== 'undefined' ? { kind: 'indexeddb' } : { kind: 'off' };
  const env = process.env[TUNING_ENV];
  if (env === 'off') return { kind: 'off' };
  if (env) return { kind: 'file', path: env };
  const [osName, pathName] = ['node:os', 'node:path']; // variables keep bundlers from pulling them into a page
  const os = (await import(/* @vite-ignore */ osName)) as typeof import('node:os');
  const path = (await import(/* @vite-ignore */ pathName)) as typeof import('node:path');
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return { kind: 'file', path: path.join(base, 'gpu-learn', 'tuning.json') };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks a store's contents entry by entry; the error names `where` and the first thing wrong. */
export function parseTuning(value: unknown, where: string): TuningFile {
  const fail = (what: string): never => {
    throw new TuningCacheError(`The tuning cache ${where} is malformed: ${what}. Delete it or run \`npm run tune\` again.`);
  };
  if (!isRecord(value)) fail('it is not a JSON object');
  const v = value as Record<string, unknown>;
  if (v.format !== TUNING_FORMAT) fail(`its "format" is ${JSON.stringify(v.format)}, not "${TUNING_FORMAT}"`);
  if (v.version !== TUNING_VERSION) fail(`its "version" is ${JSON.stringify(v.version)}; this engine reads version ${TUNING_VERSION}`);
  if (!isRecord(v.adapters)) fail('"adapters" is not an object');
  for (const [adapter, ops] of Object.entries(v.adapters as Record<string, unknown>)) {
    if (!isRecord(ops)) fail(`adapters["${adapter}"] is not an object`);
    for (const [op, classes] of Object.entries(ops as Record<string, unknown>)) {
      if (!TUNE_OPS.includes(op as TuneOp)) fail(`adapters["${adapter}"] has an unknown op "${op}"`);
      if (!isRecord(classes)) fail(`adapters["${adapter}"].${op} is not an object`);
      for (const [cls, e] of Object.entries(classes as Record<string, unknown>)) {
        const at = `adapters["${adapter}"].${op}["${cls}"]`;
        if (!isRecord(e)) fail(`${at} is not an object`);
        const entry = e as Record<string, unknown>;
        if (typeof entry.id !== 'string' || !candidate(op as TuneOp, entry.id)) fail(`${at}.id ${JSON.stringify(entry.id)} is not a ${op} candidate of this engine`);
        for (const key of ['ms', 'defaultMs'] as const) {
          if (typeof entry[key] !== 'number' || !Number.isFinite(entry[key]) || (entry[key] as number) < 0) fail(`${at}.${key} is not a non-negative number`);
        }
        if (typeof entry.shape !== 'string') fail(`${at}.shape is not a string`);
      }
    }
  }
  return value as unknown as TuningFile;
}

const emptyFile = (): TuningFile => ({ format: TUNING_FORMAT, version: TUNING_VERSION, adapters: {} });

let idbStore: UseStore | null = null;
const store = (): UseStore => (idbStore ??= createStore('gpu-learn-tuning', 'tuning'));
const IDB_KEY = 'tuning';

/** The store's raw contents and where they are, or null when there is none yet (or the cache is off). */
async function readRaw(loc: CacheLocation): Promise<{ value: unknown; where: string } | null> {
  if (loc.kind === 'off') return null;
  if (loc.kind === 'indexeddb') {
    const value = await get(IDB_KEY, store());
    return value === undefined ? null : { value, where: 'in IndexedDB (gpu-learn-tuning)' };
  }
  const fsName = 'node:fs/promises';
  const fs = (await import(/* @vite-ignore */ fsName)) as typeof import('node:fs/promises');
  let text: string;
  try {
    text = await fs.readFile(loc.path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new TuningCacheError(`The tuning cache ${loc.path} cannot be read: ${(e as Error).message}`);
  }
  try {
    return { value: JSON.parse(text), where: loc.path };
  } catch (e) {
    throw new TuningCacheError(`The tuning cache ${loc.path} is malformed: it is not JSON (${(e as Error).message}). Delete it or run \`npm run tune\` again.`);
  }
}

/**
 * Loads this adapter's tuned choices into the context's table (replacing what it held); throws a TuningCacheError
 * naming the store when it is malformed, leaving the table empty (the defaults) with the reason in loadError.
 * Returns the table.
 */
export async function loadTuningCache(ctx: { readonly adapterName: string }): Promise<TuningTable> {
  const table = tuningTableOf(ctx);
  table.clear();
  table.source = null;
  table.loadError = null;
  const loc = await cacheLocation();
  try {
    const raw = await readRaw(loc);
    if (!raw) return table;
    const file = parseTuning(raw.value, raw.where);
    for (const [op, classes] of Object.entries(file.adapters[table.adapterKey] ?? {})) {
      for (const [cls, e] of Object.entries(classes ?? {})) table.set(op as TuneOp, cls, e);
    }
    table.source = raw.where;
  } catch (e) {
    table.clear();
    table.loadError = (e as Error).message;
    throw e;
  }
  return table;
}

/** loadTuningCache at device creation: a bad store is a warning there, and the engine runs on its defaults. */
export async function autoLoadTuning(ctx: { readonly adapterName: string }): Promise<void> {
  try {
    await loadTuningCache(ctx);
  } catch (e) {
    console.warn(`${(e as Error).message} The engine uses its built-in kernel configurations until then.`);
  }
}

/**
 * Writes the context's table into the store under its adapter, keeping every other adapter's entries and this
 * adapter's other shape classes. A malformed store is moved aside first (Node: <file>.malformed; IndexedDB: the
 * key 'tuning.malformed'). Returns where it wrote, or null when the cache is off.
 */
export async function saveTuningCache(ctx: { readonly adapterName: string }): Promise<string | null> {
  const table = tuningTableOf(ctx);
  const loc = await cacheLocation();
  if (loc.kind === 'off') return null;
  let file = emptyFile();
  let malformed = false;
  let raw: { value: unknown; where: string } | null = null;
  try {
    raw = await readRaw(loc);
    if (raw) file = parseTuning(raw.value, raw.where);
  } catch (e) {
    if (!(e instanceof TuningCacheError)) throw e;
    malformed = true;
  }
  const mine: AdapterEntries = { ...(file.adapters[table.adapterKey] ?? {}) };
  for (const [op, classes] of Object.entries(table.toJSON())) mine[op as TuneOp] = { ...(mine[op as TuneOp] ?? {}), ...classes };
  file.adapters[table.adapterKey] = mine;
  if (loc.kind === 'indexeddb') {
    // The malformed value kept under a second key first (a later malformed one replaces it), as Node keeps the file.
    if (malformed && raw) await set(`${IDB_KEY}.malformed`, raw.value, store());
    await set(IDB_KEY, file, store());
    return 'IndexedDB (gpu-learn-tuning)';
  }
  const [fsName, pathName] = ['node:fs/promises', 'node:path'];
  const fs = (await import(/* @vite-ignore */ fsName)) as typeof import('node:fs/promises');
  const path = (await import(/* @vite-ignore */ pathName)) as typeof import('node:path');
  await fs.mkdir(path.dirname(loc.path), { recursive: true });
  if (malformed) await fs.rename(loc.path, `${loc.path}.malformed`);
  // Written beside it and renamed over it, so a crash mid-write leaves the old file whole.
  const tmp = `${loc.path}.${process.pid}.tmp`;
  await fs.writeFile(tmp, `${JSON.stringify(file, null, 2)}\n`);
  await fs.rename(tmp, loc.path);
  return loc.path;
}
