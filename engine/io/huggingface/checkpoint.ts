// Hugging Face checkpoints (a model.safetensors file, or shards listed by model.safetensors.index.json) read into
// and written from the engine's modules. A model loader supplies a key plan: which checkpoint key fills which of
// our parameters, and how (as stored, transposed, or as a block of rows of a packed parameter). This file does the
// rest, the same way for every architecture:
//   1. the key set is checked against the plan before anything is written (missing and unexpected keys, with an
//      optional prefix such as "transformer." or "bert." stripped, and ignored keys such as buffers skipped);
//   2. each shard's header is checked (shapes, float dtypes) before that shard uploads;
//   3. tensors are decoded one at a time and written into the parameter's storage in place (Runtime.write, no
//      kernel, so a parameter over the adapter's binding limit loads too); only one shard's bytes and one decoded
//      tensor are held at once.
// On any failure the model's parameters are disposed and the error propagates: a half-loaded model is never
// returned.
import { openSafetensors, SafetensorsError, writeSafetensors, type LazySafetensors, type TensorData } from '../safetensors';
import type { Module } from '../../nn/module';
import type { Tensor } from '../../tensor';
import type { DeviceName } from '../../backend/backend';

export class HuggingFaceError extends Error {
  override name = 'HuggingFaceError';
}

/** The parsed model.safetensors.index.json of a sharded checkpoint: checkpoint key → shard file name. */
export type ShardIndex = {
  weight_map: Record<string, string>;
  metadata?: Record<string, unknown>;
};

/**
 * A sharded checkpoint: the parsed index (any parsed JSON is accepted and validated on load), and a reader the
 * loader calls once per shard file, in turn.
 */
export interface ShardedWeights {
  index: ShardIndex | Readonly<Record<string, unknown>>;
  shard: (fileName: string) => Promise<Uint8Array>;
}

/** The bytes of model.safetensors, or a sharded checkpoint. */
export type HuggingFaceWeights = Uint8Array | ShardedWeights;

/** Progress counts tensors (not bytes): `loaded` of `total` are in the model after `key` (from `shard`) was written. */
export interface LoadProgress {
  loaded: number;
  total: number;
  key: string;
  shard: string;
}

export interface HuggingFaceLoadOptions {
  /** Where the model is built; the default device when absent. */
  device?: DeviceName;
  onProgress?: (p: LoadProgress) => void;
}

/** Where one checkpoint tensor goes. */
export interface KeyTarget {
  /** Our parameter's dotted name, as Module.namedParameters() gives it. */
  param: string;
  /** The checkpoint stores the transpose of our (out, in) matrix, as Hugging Face's Conv1D stores (in, out). */
  transpose?: boolean;
  /** The tensor fills rows [start, end) of the parameter (after any transpose), e.g. q, k or v of in_proj_weight. */
  rows?: readonly [number, number];
}

export interface KeyPlan {
  /** Checkpoint key, without prefix → its target. Together the targets must cover every parameter. */
  targets: ReadonlyMap<string, KeyTarget>;
  /** Prefixes a checkpoint key may carry (e.g. "transformer."), stripped before lookup; a key may also lack them. */
  prefixes?: readonly string[];
  /** Renames applied after the prefix is stripped (e.g. older BERT's LayerNorm gamma/beta → weight/bias). */
  rename?: (key: string) => string;
  /** Keys skipped wherever they appear (after prefix and rename): buffers such as attn.bias, a tied head. */
  ignore?: readonly RegExp[];
  /** Targets the checkpoint may lack; their parameters then keep the values the model was built with. */
  optional?: ReadonlySet<string>;
}

/** How many names a message lists before saying "and N more". */
const LIST = 5;

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, LIST).map((n) => JSON.stringify(n)).join(', ');
  return names.length > LIST ? `${shown} and ${names.length - LIST} more` : shown;
}

const fmtShape = (s: readonly number[]): string => `[${s.join(', ')}]`;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** The single file's name in messages and progress. */
const SINGLE_FILE = 'model.safetensors';

/** Validates a parsed index and returns its shard files in first-mention order. */
function checkIndex(index: unknown): { weightMap: Map<string, string>; files: string[] } {
  const what = 'model.safetensors.index.json';
  if (!isPlainObject(index)) throw new HuggingFaceError(`${what}: expected the parsed JSON object, got ${Array.isArray(index) ? 'an array' : typeof index}`);
  const map = index.weight_map;
  if (map === undefined) throw new HuggingFaceError(`${what}: has no "weight_map" (checkpoint key → shard file name)`);
  if (!isPlainObject(map)) throw new HuggingFaceError(`${what}: "weight_map" must be an object mapping checkpoint keys to shard file names`);
  const weightMap = new Map<string, string>();
  for (const [key, file] of Object.entries(map)) {
    if (typeof file !== 'string' || file === '' || /[/\\]/.test(file) || file === '.' || file === '..') {
      throw new HuggingFaceError(`${what}: "weight_map" maps ${JSON.stringify(key)} to ${JSON.stringify(file)}, not a shard file name`);
    }
    weightMap.set(key, file);
  }
  if (weightMap.size === 0) throw new HuggingFaceError(`${what}: "weight_map" is empty`);
  return { weightMap, files: [...new Set(weightMap.values())] };
}

/** Integer dtypes: the reader gives them as int32, which no float parameter takes. */
/** The dtypes read() turns into float32 (F16, BF16 and F64 converted as they are read). */
const FLOAT_DTYPES = new Set(['F32', 'F16', 'BF16', 'F64']);

/** Prefixes a SafetensorsError with the file it came from, keeping its class. */
function inFile<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof SafetensorsError) throw new SafetensorsError(`${file}: ${e.message}`);
    throw e;
  }
}

/** Validates a shard's header; its tensors are decoded one at a time by read(). */
function openShard(bytes: unknown, file: string): LazySafetensors {
  if (!(bytes instanceof Uint8Array)) throw new HuggingFaceError(`${file}: expected the file's bytes as a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
  return inFile(file, () => openSafetensors(bytes));
}

/** The checkpoint's keys as stored (with any prefix): from the single file's header, or from the index. */
export async function checkpointKeys(weights: HuggingFaceWeights): Promise<string[]> {
  if (weights instanceof Uint8Array) return [...openShard(weights, SINGLE_FILE).names];
  if (!isPlainObject(weights)) throw new HuggingFaceError('weights: expected the bytes of model.safetensors (a Uint8Array) or { index, shard }');
  return [...checkIndex(weights.index).weightMap.keys()];
}

/** A checkpoint key mapped onto the plan: its target, or why it is skipped. */
interface Resolved {
  stored: string; // as in the checkpoint
  key: string; // prefix stripped and renamed
  target: KeyTarget | null; // null: ignored
}

function stripPrefix(plan: KeyPlan, stored: string): string {
  const p = plan.prefixes?.find((x) => stored.startsWith(x));
  const bare = p ? stored.slice(p.length) : stored;
  return plan.rename ? plan.rename(bare) : bare;
}

/** Checks the whole key set against the plan: every required target present once, nothing unknown. */
function resolveKeys(plan: KeyPlan, stored: readonly string[]): Map<string, Resolved> {
  const out = new Map<string, Resolved>();
  const seen = new Map<string, string>(); // bare key → stored key
  const unexpected: string[] = [];
  for (const s of stored) {
    const key = stripPrefix(plan, s);
    if (plan.ignore?.some((re) => re.test(key))) {
      out.set(s, { stored: s, key, target: null });
      continue;
    }
    const target = plan.targets.get(key);
    if (!target) {
      unexpected.push(s);
      continue;
    }
    const before = seen.get(key);
    if (before !== undefined) throw new HuggingFaceError(`the checkpoint holds ${JSON.stringify(key)} twice, as ${JSON.stringify(before)} and ${JSON.stringify(s)}`);
    seen.set(key, s);
    out.set(s, { stored: s, key, target });
  }
  const missing = [...plan.targets.keys()].filter((k) => !seen.has(k) && !plan.optional?.has(k));
  const prefix = plan.prefixes?.length ? ` (with or without ${plan.prefixes.map((p) => JSON.stringify(p)).join(' / ')})` : '';
  const problems: string[] = [];
  if (missing.length) problems.push(`it lacks ${missing.length} key(s) the model needs${prefix}: ${listNames(missing)}`);
  if (unexpected.length) problems.push(`it holds ${unexpected.length} key(s) the model does not have: ${listNames(unexpected)}`);
  if (problems.length) throw new HuggingFaceError(`the checkpoint does not match the model: ${problems.join('; ')}`);
  return out;
}

/** The shape the checkpoint must store for a target: the parameter's (or its rows'), transposed if so planned. */
function expectedShape(t: KeyTarget, p: Tensor): number[] {
  let shape = [...p.shape];
  if (t.rows) shape[0] = t.rows[1] - t.rows[0];
  if (t.transpose) {
    if (shape.length !== 2) throw new Error(`internal: key plan transposes ${t.param}, which is not a matrix`);
    shape = [shape[1], shape[0]];
  }
  return shape;
}

/** Checks one shard's header against the plan before any of it is written. */
function checkShard(file: string, shard: LazySafetensors, keys: readonly Resolved[], params: Map<string, Tensor>): void {
  const names = new Set(shard.names);
  for (const r of keys) {
    const spec = names.has(r.stored) ? shard.entry(r.stored) : null;
    if (!spec) throw new HuggingFaceError(`${file}: the index places ${JSON.stringify(r.stored)} in this shard, but the file does not hold it`);
    if (!r.target) continue;
    if (!FLOAT_DTYPES.has(spec.dtype)) {
      // Integers and booleans have no float meaning (a U8/BOOL buffer under an ignored key is fine: it is never read).
      const kind = spec.dtype === 'BOOL' ? 'booleans' : /^[IU]\d/.test(spec.dtype) ? 'integers' : 'values';
      throw new HuggingFaceError(`${file}: ${JSON.stringify(r.stored)} holds ${kind} (${spec.dtype}), but ${r.target.param} is a float parameter`);
    }
    const want = expectedShape(r.target, params.get(r.target.param)!);
    if (spec.shape.length !== want.length || spec.shape.some((d, i) => d !== want[i])) {
      throw new HuggingFaceError(
        `${file}: ${JSON.stringify(r.stored)} has shape ${fmtShape(spec.shape)}, but the model needs ${fmtShape(want)}` +
          ` for ${r.target.param}${r.target.rows ? ` rows ${r.target.rows[0]}..${r.target.rows[1]}` : ''}${r.target.transpose ? ' (stored transposed)' : ''}`,
      );
    }
  }
  const listed = new Set(keys.map((r) => r.stored));
  const extra = shard.names.filter((k) => !listed.has(k));
  if (extra.length) throw new HuggingFaceError(`${file}: holds ${extra.length} tensor(s) the index does not place in it: ${listNames(extra)}`);
}

/** (rows, cols) row-major → (cols, rows) row-major. */
function transposed(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = data[i * cols + j];
  return out;
}

/** Writes one decoded tensor into its parameter in place. */
function upload(t: KeyTarget, data: TensorData, p: Tensor): void {
  let values = data.data as Float32Array;
  if (t.transpose) values = transposed(values, data.shape[0], data.shape[1]); // (in, out) → (out, in)
  // Parameters are contiguous row-major, so rows [start, end) are one run of elements from start·rowSize.
  const rowSize = p.shape.slice(1).reduce((a, b) => a * b, 1);
  p.backend.write(p.storage, values, p.offset + (t.rows ? t.rows[0] * rowSize : 0));
}

/** Frees a model's parameters: what a failed load leaves is never handed out. */
function disposeModel(model: Module): void {
  for (const p of model.parameters()) if (!p.isDisposed) p.dispose();
}

/** Checks that the plan's targets name real parameters and together cover all of them (a loader bug otherwise). */
function checkPlan(plan: KeyPlan, params: Map<string, Tensor>): void {
  const covered = new Map<string, number>(); // param → rows covered
  for (const [key, t] of plan.targets) {
    const p = params.get(t.param);
    if (!p) throw new Error(`internal: key plan maps ${key} to ${t.param}, which the model does not have`);
    if (!p.isContiguous()) throw new Error(`internal: parameter ${t.param} is not contiguous`);
    covered.set(t.param, (covered.get(t.param) ?? 0) + (t.rows ? t.rows[1] - t.rows[0] : p.shape[0]));
  }
  const uncovered = [...params].filter(([n, p]) => covered.get(n) !== p.shape[0]).map(([n]) => n);
  if (uncovered.length) throw new Error(`internal: key plan leaves parameters unfilled or filled twice: ${uncovered.join(', ')}`);
}

/**
 * Fills `model`'s parameters from a checkpoint by `plan`. Nothing is written until the key set checks out, and each
 * shard's shapes are checked before it uploads. On failure the model's parameters are disposed and the error
 * (HuggingFaceError, or SafetensorsError naming the file) is thrown.
 */
export async function loadCheckpoint(model: Module, plan: KeyPlan, weights: HuggingFaceWeights, opts: HuggingFaceLoadOptions = {}): Promise<void> {
  try {
    const params = new Map(model.namedParameters());
    checkPlan(plan, params);
    let files: string[];
    let byFile: Map<string, Resolved[]>;
    let read: (file: string) => Promise<unknown>;
    let firstShard: LazySafetensors | null = null;
    if (weights instanceof Uint8Array) {
      firstShard = openShard(weights, SINGLE_FILE);
      files = [SINGLE_FILE];
      byFile = new Map([[SINGLE_FILE, [...resolveKeys(plan, firstShard.names).values()]]]);
      read = async () => weights;
    } else {
      if (!isPlainObject(weights) || typeof weights.shard !== 'function') {
        throw new HuggingFaceError('weights: expected the bytes of model.safetensors (a Uint8Array) or { index, shard: (fileName) => Promise<Uint8Array> }');
      }
      const index = checkIndex(weights.index);
      files = index.files;
      const resolved = resolveKeys(plan, [...index.weightMap.keys()]);
      byFile = new Map(files.map((f) => [f, []]));
      for (const [stored, file] of index.weightMap) byFile.get(file)!.push(resolved.get(stored)!);
      read = (file) => weights.shard(file);
    }
    const total = [...byFile.values()].reduce((n, rs) => n + rs.filter((r) => r.target).length, 0);
    let loaded = 0;
    for (const file of files) {
      let shard = firstShard;
      firstShard = null;
      // Only this shard's bytes are held: the reader's result goes out of scope with the loop iteration.
      if (!shard) {
        let bytes: unknown;
        try {
          bytes = await read(file);
        } catch (e) {
          throw new HuggingFaceError(`${file}: reading the shard failed: ${(e as Error).message ?? String(e)}`);
        }
        shard = openShard(bytes, file);
      }
      const keys = byFile.get(file)!;
      checkShard(file, shard, keys, params);
      for (const r of keys) {
        if (!r.target) continue;
        const data = inFile(file, () => shard.read(r.stored)); // the one decoded tensor held at a time
        upload(r.target, data, params.get(r.target.param)!);
        opts.onProgress?.({ loaded: ++loaded, total, key: r.stored, shard: file });
      }
    }
  } catch (e) {
    disposeModel(model);
    throw e;
  }
}

/**
 * The checkpoint a plan describes, read back from the model: key (with `prefix`) → tensor, transposed and row-sliced
 * as stored. Async: GPU parameters are read back.
 */
export async function checkpointTensors(model: Module, plan: KeyPlan, prefix = ''): Promise<Map<string, TensorData>> {
  const params = new Map(model.namedParameters());
  checkPlan(plan, params);
  const out = new Map<string, TensorData>();
  for (const [key, t] of plan.targets) {
    const p = params.get(t.param)!;
    const all = (await p.toArray()) as Float32Array;
    const rowSize = p.shape.slice(1).reduce((a, b) => a * b, 1);
    const [start, end] = t.rows ?? [0, p.shape[0]];
    const rows = all.slice(start * rowSize, end * rowSize);
    const shape = [end - start, ...p.shape.slice(1)];
    out.set(prefix + key, t.transpose ? { shape: [shape[1], shape[0]], data: transposed(rows, shape[0], shape[1]) } : { shape, data: rows });
  }
  return out;
}

/** A safetensors file as transformers' save_pretrained writes it (metadata {"format": "pt"}). */
export function writeCheckpoint(tensors: ReadonlyMap<string, TensorData>): Uint8Array {
  return writeSafetensors(tensors, { format: 'pt' });
}
