// openSafetensors: the whole header is validated up front (with readSafetensors' messages), each tensor is decoded
// only when read, and aligned F32 data comes back as a view of the file's bytes.
import { describe, expect, test } from 'vitest';
import { openSafetensors, readSafetensors, writeSafetensors, SafetensorsError } from '../engine/index';

/** A file built by hand: a header object followed by raw data bytes (the header is not padded). */
function rawFile(header: unknown, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** One tensor of each dtype the reader converts, with values whose conversions are exact. */
function mixedFile(): Uint8Array {
  const data = new Uint8Array(16 + 6 + 6 + 16 + 8);
  const dv = new DataView(data.buffer);
  dv.setFloat64(0, 1.5, true);
  dv.setFloat64(8, -1e300, true); // past float32's range: -Infinity, as Math.fround gives
  [0x3c00, 0x8001, 0x7c00].forEach((h, i) => dv.setUint16(16 + 2 * i, h, true)); // f16 1, −2^-24 (subnormal), +Inf
  [0xc000, 0x3f80, 0x7fc0].forEach((h, i) => dv.setUint16(22 + 2 * i, h, true)); // bf16 −2, 1, NaN
  dv.setBigInt64(28, -5n, true);
  dv.setBigInt64(36, 2147483647n, true);
  dv.setInt32(44, -7, true);
  dv.setInt32(48, 2 ** 30, true);
  return rawFile({
    __metadata__: { format: 'pt' },
    d: { dtype: 'F64', shape: [2], data_offsets: [0, 16] },
    h: { dtype: 'F16', shape: [3], data_offsets: [16, 22] },
    b: { dtype: 'BF16', shape: [3, 1], data_offsets: [22, 28] },
    l: { dtype: 'I64', shape: [2], data_offsets: [28, 44] },
    i: { dtype: 'I32', shape: [1, 2], data_offsets: [44, 52] },
  }, data);
}

describe('openSafetensors', () => {
  test('names, entries and metadata come from the header; each read equals the eager read', () => {
    const bytes = mixedFile();
    const lazy = openSafetensors(bytes);
    const eager = readSafetensors(bytes);
    expect(lazy.names).toEqual(['d', 'h', 'b', 'l', 'i']);
    expect(lazy.metadata).toEqual({ format: 'pt' });
    expect(lazy.entry('h')).toEqual({ dtype: 'F16', shape: [3] });
    expect(lazy.entry('b')).toEqual({ dtype: 'BF16', shape: [3, 1] });
    expect(lazy.entry('l').dtype).toBe('I64');
    for (const name of lazy.names) {
      const t = lazy.read(name);
      expect(t.shape).toEqual(eager.tensors.get(name)!.shape);
      expect(t.data).toEqual(eager.tensors.get(name)!.data);
    }
    expect(Array.from(lazy.read('d').data)).toEqual([1.5, -Infinity]);
    expect(Array.from(lazy.read('h').data)).toEqual([1, -(2 ** -24), Infinity]);
    expect(Array.from(lazy.read('b').data)).toEqual([-2, 1, NaN]);
    expect(lazy.read('l').data).toEqual(Int32Array.from([-5, 2147483647]));
    expect(lazy.read('i').data).toEqual(Int32Array.from([-7, 2 ** 30]));
  });

  test('aligned F32 data is a view of the file; unaligned data is copied, with equal values', () => {
    const w = Float32Array.from({ length: 33 }, (_, i) => i * 0.25 - 3);
    const bytes = writeSafetensors({ w: { shape: [3, 11], data: w } }); // the writer pads the header to 8 bytes
    const t = openSafetensors(bytes).read('w');
    expect(t.data.buffer).toBe(bytes.buffer);
    expect(t.data).toEqual(w);
    // readSafetensors still returns copies, independent of the file's bytes.
    expect(readSafetensors(bytes).tensors.get('w')!.data.buffer).not.toBe(bytes.buffer);
    // The same file two bytes into a larger buffer: its data is no longer 4-byte aligned.
    const shifted = new Uint8Array(bytes.length + 2);
    shifted.set(bytes, 2);
    const u = openSafetensors(shifted.subarray(2)).read('w');
    expect(u.data.buffer).not.toBe(shifted.buffer);
    expect(u.data).toEqual(w);
  });

  test('decodes only what is read: a bad value in one tensor fails only its own read', () => {
    const data = new Uint8Array(12);
    new DataView(data.buffer).setBigInt64(0, 2n ** 40n, true);
    new DataView(data.buffer).setFloat32(8, 2.5, true);
    const bytes = rawFile({
      big: { dtype: 'I64', shape: [1], data_offsets: [0, 8] },
      ok: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
    }, data);
    const lazy = openSafetensors(bytes); // the header is valid, so opening succeeds
    expect(Array.from(lazy.read('ok').data)).toEqual([2.5]);
    expect(() => lazy.read('big')).toThrow(/tensor "big" \(I64\) holds 1099511627776, outside the int32 range/);
    expect(() => readSafetensors(bytes)).toThrow(/outside the int32 range/);
  });

  test('an unknown name gets a clear error, and "__proto__" is just a name', () => {
    const lazy = openSafetensors(writeSafetensors(new Map([['__proto__', { shape: [1], data: Float32Array.from([4]) }]])));
    expect(lazy.names).toEqual(['__proto__']);
    expect(Array.from(lazy.read('__proto__').data)).toEqual([4]);
    expect(() => lazy.entry('toString')).toThrow(SafetensorsError);
    expect(() => lazy.read('wte.weight')).toThrow(/the file has no tensor "wte.weight"/);
  });

  // The header checks are readSafetensors' own, so opening fails with the same message before anything is read.
  const f32 = (xs: number[]): Uint8Array => new Uint8Array(new Float32Array(xs).buffer);
  const bad: Array<[string, Uint8Array]> = [
    ['too short', new Uint8Array(4)],
    ['unknown dtype', rawFile({ a: { dtype: 'Q7', shape: [1], data_offsets: [0, 4] } }, f32([1]))],
    ['shape/size mismatch', rawFile({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32([1, 2]))],
    ['overlap', rawFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, f32([1, 2, 3]))],
    ['hole', rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32([1, 2]))],
    ['bad metadata', rawFile({ __metadata__: { a: 1 } }, new Uint8Array(0))],
  ];
  test.each(bad)('rejects a malformed header with readSafetensors\' message: %s', (_what, bytes) => {
    let eager = '';
    try {
      readSafetensors(bytes);
    } catch (e) {
      eager = (e as Error).message;
    }
    expect(eager).not.toBe('');
    expect(() => openSafetensors(bytes)).toThrow(SafetensorsError);
    expect(() => openSafetensors(bytes)).toThrow(eager);
  });

  test('a U8 or BOOL tensor opens (its bytes are checked) but only reading it fails; readSafetensors refuses the file', () => {
    const data = new Uint8Array(4 + 3);
    new DataView(data.buffer).setFloat32(0, 2.5, true);
    data.set([1, 0, 1], 4);
    const header = { w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, mask: { dtype: 'U8', shape: [3], data_offsets: [4, 7] } };
    const file = openSafetensors(rawFile(header, data));
    expect(file.entry('mask')).toEqual({ dtype: 'U8', shape: [3] });
    expect([...file.read('w').data]).toEqual([2.5]);
    expect(() => file.read('mask')).toThrow(/tensor "mask" has dtype U8, which is not supported/);
    expect(() => readSafetensors(rawFile(header, data))).toThrow(/tensor "mask" has dtype U8, which is not supported/);
    // The size is still checked: three BOOLs cannot span four bytes.
    const wrong = { mask: { dtype: 'BOOL', shape: [3], data_offsets: [0, 4] } };
    expect(() => openSafetensors(rawFile(wrong, new Uint8Array(4)))).toThrow(/\(3 bytes\) but data_offsets \[0, 4\] span 4 bytes/);
  });

  test('limits apply when opening', () => {
    const bytes = writeSafetensors({ a: { shape: [4], data: new Float32Array(4) }, b: { shape: [1], data: new Float32Array(1) } });
    expect(() => openSafetensors(bytes, { maxTensors: 1 })).toThrow(/2 tensors exceed the limit of 1/);
    expect(() => openSafetensors(bytes, { maxElements: 3 })).toThrow(/4 elements, over the limit of 3/);
  });
});
