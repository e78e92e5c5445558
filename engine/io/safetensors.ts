// Safetensors, the weights format PyTorch users share (https://github.com/huggingface/safetensors):
//
//   [8 bytes: N, little-endian u64] [N bytes: JSON header] [data]
//
// The header maps each tensor name to { dtype, shape, data_offsets: [begin, end] }, offsets counted from the start
// of the data section; an optional "__metadata__" entry maps strings to strings. The data section must be covered
// exactly: no overlaps and no holes, as the reference implementation requires.
//
// Files come from anywhere (a user's disk, a shared link), so the reader trusts nothing: every length, offset and
// shape is checked before a byte is read, and each failure names what is wrong. Nothing here evaluates code.
// The engine holds float32 and int32; F64/F16/BF16 are widened or narrowed to float32 and I64 to int32 on read
// (an int64 outside the int32 range is an error, never silently wrapped).
import { Tensor, tensor } from '../tensor';
import type { Module } from '../nn/module';
import type { DeviceName } from '../backend/backend';

export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

/** The dtypes the reader accepts, with their byte size. Written files use only F32 and I32. */
const DTYPE_BYTES = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4 } as const;
/** A tensor's dtype as the file stores it (read() converts it to float32 or int32). */
export type SafetensorsDType = keyof typeof DTYPE_BYTES;
type FileDType = SafetensorsDType;
/** Valid safetensors dtypes that the engine has no use for; named separately so the error says "unsupported". */
const KNOWN_UNSUPPORTED = new Set(['BOOL', 'U8', 'I8', 'U16', 'I16', 'U32', 'U64', 'F8_E4M3', 'F8_E5M2', 'F8_E8M0', 'F4', 'F6_E2M3', 'F6_E3M2', 'E8M0', 'C64']);
/**
 * The byte sizes of the unsupported dtypes that whole bytes hold. openSafetensors accepts these in a header, so that
 * a file can be validated and its other tensors read: old GPT-2 checkpoints carry their causal-mask buffer
 * (`attn.bias`) as U8 or BOOL, a key the loader ignores. Reading such a tensor is still an error.
 */
const UNSUPPORTED_BYTES = {
  BOOL: 1, U8: 1, I8: 1, U16: 2, I16: 2, U32: 4, U64: 8, F8_E4M3: 1, F8_E5M2: 1, F8_E8M0: 1, E8M0: 1, C64: 8,
} as const;
/** A dtype that openSafetensors lists in entry() but whose read() throws. */
export type UnreadableDType = keyof typeof UNSUPPORTED_BYTES;

function unsupportedMessage(what: string, dtype: string): string {
  return `${what} has dtype ${dtype}, which is not supported (use F32, F64, F16, BF16, I32 or I64)`;
}

export interface TensorData {
  shape: readonly number[];
  data: Float32Array | Int32Array;
}

export interface SafetensorsFile {
  /** In file-header order. A Map, so a hostile name such as "__proto__" is just a key. */
  tensors: Map<string, TensorData>;
  metadata: Record<string, string>;
}

export interface ReadLimits {
  /** Largest header accepted, in bytes. The reference implementation's limit is 100 MB. */
  maxHeaderBytes?: number;
  /** Largest number of tensors in one file. */
  maxTensors?: number;
  /** Largest single tensor, in elements. */
  maxElements?: number;
}

const DEFAULT_LIMITS: Required<ReadLimits> = {
  maxHeaderBytes: 100_000_000,
  maxTensors: 100_000,
  maxElements: 2 ** 30,
};

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Serialises tensors (name → shape and data) with an optional string metadata map. The header is padded with
 * spaces to a multiple of 8 bytes so that the data section is aligned, as the reference writer does.
 */
export function writeSafetensors(tensors: ReadonlyMap<string, TensorData> | Record<string, TensorData>, metadata?: Record<string, string>): Uint8Array {
  const entries: Array<[string, TensorData]> =
    tensors instanceof Map ? [...(tensors as ReadonlyMap<string, TensorData>).entries()] : Object.entries(tensors as Record<string, TensorData>);
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length) header.__metadata__ = { ...metadata };
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === '__metadata__') throw new SafetensorsError('writeSafetensors: "__metadata__" is reserved and cannot name a tensor');
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (t.shape.some((d) => !Number.isInteger(d) || d < 0) || n !== t.data.length) {
      throw new SafetensorsError(`writeSafetensors: ${name} has shape [${t.shape.join(', ')}] but ${t.data.length} values`);
    }
    const bytes = t.data.length * 4;
    // defineProperty, not assignment: a tensor named "__proto__" must become a key, not a prototype.
    Object.defineProperty(header, name, {
      value: { dtype: t.data instanceof Float32Array ? 'F32' : 'I32', shape: [...t.shape], data_offsets: [offset, offset + bytes] },
      enumerable: true,
    });
    offset += bytes;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const [, t] of entries) {
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    if (littleEndian) out.set(bytes, at);
    else {
      for (let i = 0; i < t.data.length; i++) {
        if (t.data instanceof Float32Array) view.setFloat32(at + 4 * i, t.data[i], true);
        else view.setInt32(at + 4 * i, t.data[i], true);
      }
    }
    at += t.data.byteLength;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A name or dtype from the header, quoted for a message and cut short: the header may hold megabytes of it. */
function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

/**
 * A header value for a message, in one short line. Not JSON.stringify: the value may be nested thousands deep
 * (which overflows its stack) or megabytes long.
 */
function show(value: unknown): string {
  const scalar = (x: unknown): string => (typeof x === 'string' ? quote(x) : Array.isArray(x) ? '[…]' : isPlainObject(x) ? '{…}' : String(x));
  if (!Array.isArray(value)) return scalar(value);
  return `[${value.slice(0, 8).map(scalar).join(', ')}${value.length > 8 ? `, … ${value.length - 8} more` : ''}]`;
}

/** One tensor's header entry: its dtype in the file and its shape. */
export interface SafetensorsEntry {
  /** An UnreadableDType names a tensor that the file may hold (and a loader may ignore) but read() refuses. */
  dtype: SafetensorsDType | UnreadableDType;
  shape: readonly number[];
}

/**
 * A safetensors file whose header has been validated whole but whose tensors are decoded only when read, so a
 * loader can upload one weight at a time instead of holding a decoded copy of every one.
 */
export interface LazySafetensors {
  /** Tensor names in file-header order. */
  readonly names: readonly string[];
  /** The dtype and shape of tensor `name`; throws SafetensorsError naming it when the file has no such tensor. */
  entry(name: string): SafetensorsEntry;
  metadata: Record<string, string>;
  /**
   * Decodes tensor `name` to float32 or int32. F32 (and I32) data that lies 4-byte aligned in `bytes` comes back
   * as a view into them, without a copy: do not modify it, and keep `bytes` unchanged while it is in use.
   */
  read(name: string): TensorData;
}

interface Spec {
  name: string;
  /** An UnreadableDType only in a lazily opened file (see UNSUPPORTED_BYTES); read() refuses it. */
  dtype: FileDType | UnreadableDType;
  shape: number[];
  begin: number;
  end: number;
}

/** A validated header: where the data starts, and each tensor's entry in header order. */
interface Header {
  view: DataView;
  dataStart: number;
  specs: Spec[];
  metadata: Record<string, string>;
}

/**
 * Parses and validates a file's header: every entry, the limits, and the exact cover of the data section. Throws
 * SafetensorsError naming the first problem found.
 */
function parseHeader(bytes: Uint8Array, limits: ReadLimits, acceptUnsupported = false): Header {
  const lim = { ...DEFAULT_LIMITS, ...limits };
  if (bytes.length < 8) throw new SafetensorsError(`safetensors: the file is ${bytes.length} bytes, too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen64 = view.getBigUint64(0, true);
  if (headerLen64 > BigInt(lim.maxHeaderBytes)) {
    throw new SafetensorsError(`safetensors: header length ${headerLen64} exceeds the limit of ${lim.maxHeaderBytes} bytes`);
  }
  const headerLen = Number(headerLen64);
  if (8 + headerLen > bytes.length) {
    throw new SafetensorsError(`safetensors: header length ${headerLen} runs past the end of the ${bytes.length}-byte file`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen));
  } catch {
    throw new SafetensorsError('safetensors: the header is not valid UTF-8');
  }
  if (!text.trimStart().startsWith('{')) throw new SafetensorsError('safetensors: the header must be a JSON object starting with "{"');
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new SafetensorsError(`safetensors: the header is not valid JSON (${(e as Error).message})`);
  }
  if (!isPlainObject(header)) throw new SafetensorsError('safetensors: the header must be a JSON object');

  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  let metadata: Record<string, string> = {};
  const specs: Spec[] = [];
  const names = Object.keys(header);
  // "__metadata__" is the one entry that is not a tensor.
  const tensorCount = names.length - (names.includes('__metadata__') ? 1 : 0);
  if (tensorCount > lim.maxTensors) throw new SafetensorsError(`safetensors: ${tensorCount} tensors exceed the limit of ${lim.maxTensors}`);
  for (const name of names) {
    const entry = header[name];
    if (name === '__metadata__') {
      if (!isPlainObject(entry) || Object.values(entry).some((v) => typeof v !== 'string')) {
        throw new SafetensorsError('safetensors: "__metadata__" must map strings to strings');
      }
      metadata = Object.assign(Object.create(null) as Record<string, string>, entry);
      continue;
    }
    const what = `safetensors: tensor ${quote(name)}`;
    if (!isPlainObject(entry)) throw new SafetensorsError(`${what} must be an object with dtype, shape and data_offsets`);
    const extra = Object.keys(entry).filter((k) => k !== 'dtype' && k !== 'shape' && k !== 'data_offsets');
    if (extra.length) throw new SafetensorsError(`${what} has unexpected field(s) ${show(extra).slice(1, -1)}`);
    const { dtype, shape, data_offsets: offsets } = entry;
    if (typeof dtype !== 'string') throw new SafetensorsError(`${what} has no dtype string`);
    // Own keys only: `in` would take "toString" or "__proto__" for a dtype.
    const deferred = acceptUnsupported && Object.hasOwn(UNSUPPORTED_BYTES, dtype);
    if (!Object.hasOwn(DTYPE_BYTES, dtype) && !deferred) {
      throw new SafetensorsError(KNOWN_UNSUPPORTED.has(dtype) ? unsupportedMessage(what, dtype) : `${what} has unknown dtype ${quote(dtype)}`);
    }
    if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || (d as number) < 0)) {
      throw new SafetensorsError(`${what} has an invalid shape ${show(shape)}: dims must be non-negative integers`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || offsets.some((o) => !Number.isSafeInteger(o) || (o as number) < 0)) {
      throw new SafetensorsError(`${what} has invalid data_offsets ${show(offsets)}: expected [begin, end] as non-negative integers`);
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end) throw new SafetensorsError(`${what} has data_offsets [${begin}, ${end}] with begin after end`);
    if (end > dataLen) throw new SafetensorsError(`${what} has data_offsets [${begin}, ${end}] beyond the ${dataLen}-byte data section`);
    const dims = shape as number[];
    // A zero dim empties the tensor whatever the others are. Multiplying through instead, huge dims before it
    // overflow to Infinity and Infinity × 0 is NaN: no limit check catches it, and the error speaks of "NaN bytes".
    const numel = dims.includes(0) ? 0 : dims.reduce((a, b) => a * b, 1);
    if (numel > lim.maxElements) {
      throw new SafetensorsError(`${what} has shape ${show(dims)}: ${Number.isSafeInteger(numel) ? numel : 'more than 2^53'} elements, over the limit of ${lim.maxElements}`);
    }
    const size = deferred ? UNSUPPORTED_BYTES[dtype as UnreadableDType] : DTYPE_BYTES[dtype as FileDType];
    if (end - begin !== numel * size) {
      throw new SafetensorsError(
        `${what} has shape ${show(dims)} of ${dtype} (${numel * size} bytes) but data_offsets [${begin}, ${end}] span ${end - begin} bytes`,
      );
    }
    specs.push({ name, dtype: dtype as FileDType | UnreadableDType, shape: dims, begin, end });
  }
  // The data must be covered exactly once: sorted by begin, each tensor starts where the previous one ended.
  const sorted = [...specs].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const s of sorted) {
    if (s.begin < covered) throw new SafetensorsError(`safetensors: tensor ${quote(s.name)} overlaps the tensor before it (its data starts at ${s.begin}, before ${covered})`);
    if (s.begin > covered) throw new SafetensorsError(`safetensors: bytes ${covered}..${s.begin} of the data section belong to no tensor (a hole before ${quote(s.name)})`);
    covered = s.end;
  }
  if (covered !== dataLen) throw new SafetensorsError(`safetensors: bytes ${covered}..${dataLen} at the end of the data section belong to no tensor`);

  return { view, dataStart, specs, metadata };
}

/**
 * Validates a safetensors file's header whole (exactly as readSafetensors does) and decodes nothing until read().
 * Throws SafetensorsError naming the first problem found.
 */
export function openSafetensors(bytes: Uint8Array, limits: ReadLimits = {}): LazySafetensors {
  const { view, dataStart, specs, metadata } = parseHeader(bytes, limits, true);
  // A Map, so a hostile name such as "__proto__" is just a key.
  const byName = new Map(specs.map((s) => [s.name, s]));
  const spec = (name: string): Spec => {
    const s = byName.get(name);
    if (!s) throw new SafetensorsError(`safetensors: the file has no tensor ${quote(name)}`);
    return s;
  };
  return {
    names: specs.map((s) => s.name),
    entry: (name) => {
      const s = spec(name);
      return { dtype: s.dtype, shape: s.shape };
    },
    metadata,
    read: (name) => {
      const s = spec(name);
      if (!Object.hasOwn(DTYPE_BYTES, s.dtype)) throw new SafetensorsError(unsupportedMessage(`safetensors: tensor ${quote(s.name)}`, s.dtype));
      return { shape: s.shape, data: decode(view, dataStart + s.begin, s.end - s.begin, s.dtype as FileDType, s.name, true) };
    },
  };
}

/** Parses, validates and decodes a whole safetensors file. Throws SafetensorsError naming the first problem found. */
export function readSafetensors(bytes: Uint8Array, limits: ReadLimits = {}): SafetensorsFile {
  const { view, dataStart, specs, metadata } = parseHeader(bytes, limits);
  // Copies, never views of `bytes`: the decoded tensors are independent of the file, as they always were.
  const tensors = new Map<string, TensorData>();
  // parseHeader without acceptUnsupported has refused every dtype outside FileDType.
  for (const s of specs) tensors.set(s.name, { shape: s.shape, data: decode(view, dataStart + s.begin, s.end - s.begin, s.dtype as FileDType, s.name) });
  return { tensors, metadata };
}

/**
 * Reads one tensor's bytes (little-endian) into the engine's float32 or int32. With `mayView`, 32-bit data on a
 * little-endian machine at a 4-byte-aligned address is returned as a view of the file's bytes instead of a copy.
 */
function decode(view: DataView, at: number, bytes: number, dtype: FileDType, name: string, mayView = false): Float32Array | Int32Array {
  const n = bytes / DTYPE_BYTES[dtype];
  const address = view.byteOffset + at;
  if (mayView && littleEndian && address % 4 === 0 && (dtype === 'F32' || dtype === 'I32')) {
    return dtype === 'F32' ? new Float32Array(view.buffer, address, n) : new Int32Array(view.buffer, address, n);
  }
  switch (dtype) {
    case 'F32': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(at + 4 * i, true);
      return out;
    }
    case 'F64': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(at + 8 * i, true);
      return out;
    }
    case 'F16': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(at + 2 * i, true));
      return out;
    }
    case 'BF16': {
      // bfloat16 is the top half of a float32.
      const out = new Float32Array(n);
      const word = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < n; i++) {
        word.setUint32(0, view.getUint16(at + 2 * i, true) << 16);
        out[i] = word.getFloat32(0);
      }
      return out;
    }
    case 'I32': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(at + 4 * i, true);
      return out;
    }
    case 'I64': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = view.getBigInt64(at + 8 * i, true);
        if (v < -2147483648n || v > 2147483647n) throw new SafetensorsError(`safetensors: tensor ${quote(name)} (I64) holds ${v}, outside the int32 range`);
        out[i] = Number(v);
      }
      return out;
    }
  }
}

/** IEEE half → float: sign, 5-bit exponent, 10-bit mantissa; subnormals and Inf/NaN handled. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** A module's parameters (PyTorch names) as a safetensors file. Async: GPU parameters are read back. */
export async function saveModuleSafetensors(module: Module, metadata?: Record<string, string>): Promise<Uint8Array> {
  const entries = new Map<string, TensorData>();
  for (const [name, p] of module.namedParameters()) entries.set(name, { shape: p.shape, data: await p.toArray() });
  return writeSafetensors(entries, metadata);
}

/**
 * Loads a safetensors file into a module's parameters in place (optimizers holding them stay valid). Every
 * parameter must be present with its shape and dtype, and no unknown tensor may appear; nothing is written
 * unless every entry checks out.
 */
export function loadModuleSafetensors(module: Module, bytes: Uint8Array, limits?: ReadLimits): void {
  const file = readSafetensors(bytes, limits);
  const params = new Map(module.namedParameters());
  for (const [name, t] of file.tensors) {
    const p = params.get(name);
    if (!p) throw new SafetensorsError(`safetensors: the file holds ${quote(name)}, which this model does not have`);
    if (t.data instanceof Int32Array) throw new SafetensorsError(`safetensors: ${quote(name)} holds integers, but the parameter is float32`);
    if (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i])) {
      throw new SafetensorsError(`safetensors: ${quote(name)} has shape ${show(t.shape)} in the file but [${p.shape.join(', ')}] in the model`);
    }
  }
  const missing = [...params.keys()].filter((k) => !file.tensors.has(k));
  if (missing.length) throw new SafetensorsError(`safetensors: the file lacks ${missing.join(', ')}`);
  module.loadStateDict(Object.fromEntries([...file.tensors].map(([k, v]) => [k, v.data])));
}

/** A file's tensors as engine tensors on `device`. */
export function safetensorsToTensors(file: SafetensorsFile, device?: DeviceName): Map<string, Tensor> {
  return new Map([...file.tensors].map(([k, v]) => [k, tensor(v.data, v.shape, { device })]));
}
