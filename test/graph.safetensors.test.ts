// engine/io/safetensors.ts: round trips, the reference format's layout, and strict rejection of malformed files
// with messages naming the problem.
import { describe, expect, test } from 'vitest';
import { init, nn, readSafetensors, writeSafetensors, saveModuleSafetensors, loadModuleSafetensors, SafetensorsError } from '../engine/index';

/** Builds a file by hand: a header object (serialised as given) followed by raw data bytes. */
function rawFile(header: unknown, data: Uint8Array = new Uint8Array(0), headerText?: string): Uint8Array {
  const json = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const f32 = (xs: number[]): Uint8Array => new Uint8Array(new Float32Array(xs).buffer);

describe('safetensors', () => {
  test('round trip of float32 and int32 tensors with metadata; header aligned to 8 bytes', () => {
    const bytes = writeSafetensors(
      { 'a.weight': { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, -6.5]) }, idx: { shape: [3], data: Int32Array.from([7, -8, 9]) }, empty: { shape: [0, 4], data: new Float32Array(0) } },
      { format: 'pt' },
    );
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header['a.weight']).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
    expect(header.idx).toEqual({ dtype: 'I32', shape: [3], data_offsets: [24, 36] });
    expect(header.__metadata__).toEqual({ format: 'pt' });
    const file = readSafetensors(bytes);
    expect([...file.tensors.keys()]).toEqual(['a.weight', 'idx', 'empty']);
    expect([...file.tensors.get('a.weight')!.data]).toEqual([1, 2, 3, 4, 5, -6.5]);
    expect(file.tensors.get('idx')!.data).toEqual(Int32Array.from([7, -8, 9]));
    expect(file.metadata.format).toBe('pt');
  });

  test('reads F64, F16, BF16 and I64 into float32 / int32', () => {
    const data = new Uint8Array(8 + 2 + 2 + 8);
    const dv = new DataView(data.buffer);
    dv.setFloat64(0, 1.5, true);
    dv.setUint16(8, 0x3c00, true); // f16 1.0
    dv.setUint16(10, 0xc000, true); // bf16 −2.0
    dv.setBigInt64(12, -5n, true);
    const file = readSafetensors(rawFile({
      a: { dtype: 'F64', shape: [1], data_offsets: [0, 8] },
      b: { dtype: 'F16', shape: [1], data_offsets: [8, 10] },
      c: { dtype: 'BF16', shape: [1], data_offsets: [10, 12] },
      d: { dtype: 'I64', shape: [1], data_offsets: [12, 20] },
    }, data));
    expect(file.tensors.get('a')!.data[0]).toBe(1.5);
    expect(file.tensors.get('b')!.data[0]).toBe(1);
    expect(file.tensors.get('c')!.data[0]).toBe(-2);
    expect(file.tensors.get('d')!.data).toEqual(Int32Array.from([-5]));
  });

  const bad: Array<[string, Uint8Array, RegExp]> = [
    ['too short', new Uint8Array(4), /too short/],
    ['header past the end', (() => { const b = rawFile({}); new DataView(b.buffer).setBigUint64(0, 1000n, true); return b; })(), /runs past the end/],
    ['huge header length', (() => { const b = rawFile({}); new DataView(b.buffer).setBigUint64(0, 2n ** 60n, true); return b; })(), /exceeds the limit/],
    ['not JSON', rawFile(null, undefined, '{nope'), /not valid JSON/],
    ['not an object', rawFile(null, undefined, '[1, 2]'), /JSON object/],
    ['unknown dtype', rawFile({ a: { dtype: 'Q7', shape: [1], data_offsets: [0, 4] } }, f32([1])), /unknown dtype "Q7"/],
    ['unsupported dtype', rawFile({ a: { dtype: 'U8', shape: [4], data_offsets: [0, 4] } }, f32([1])), /U8, which is not supported/],
    ['bad shape', rawFile({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32([1])), /invalid shape/],
    ['bad offsets', rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0] } }, f32([1])), /invalid data_offsets/],
    ['begin after end', rawFile({ a: { dtype: 'F32', shape: [0], data_offsets: [4, 0] } }, f32([1])), /begin after end/],
    ['out of bounds', rawFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, f32([1])), /beyond the 4-byte data section/],
    ['shape/size mismatch', rawFile({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32([1, 2])), /shape \[3\] of F32 \(12 bytes\).*span 8 bytes/],
    ['overlap', rawFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, f32([1, 2, 3])), /overlaps/],
    ['hole', rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32([1, 2])), /belong to no tensor/],
    ['trailing bytes', rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32([1, 2])), /at the end of the data section/],
    ['bad metadata', rawFile({ __metadata__: { a: 1 } }), /must map strings to strings/],
    ['extra field', rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4], code: 'x' } }, f32([1])), /unexpected field/],
    ['over element limit', rawFile({ a: { dtype: 'F32', shape: [2 ** 20, 2 ** 20], data_offsets: [0, 4] } }, f32([1])), /over the limit/],
    ['I64 out of int32 range', (() => { const d = new Uint8Array(8); new DataView(d.buffer).setBigInt64(0, 2n ** 40n, true); return rawFile({ a: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, d); })(), /outside the int32 range/],
  ];
  test.each(bad)('rejects a malformed file: %s', (_what, bytes, message) => {
    expect(() => readSafetensors(bytes)).toThrow(SafetensorsError);
    expect(() => readSafetensors(bytes)).toThrow(message);
  });

  test('a tensor named __proto__ is just a name', () => {
    const bytes = rawFile(null, f32([3]), '{"__proto__": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}');
    const file = readSafetensors(bytes);
    expect(file.tensors.get('__proto__')!.data[0]).toBe(3);
    expect(({} as Record<string, unknown>).dtype).toBeUndefined();
    const again = readSafetensors(writeSafetensors(file.tensors));
    expect(again.tensors.get('__proto__')!.data[0]).toBe(3);
  });

  test('module state round trip, and loading refuses mismatched names and shapes without writing anything', async () => {
    await init({ backend: 'cpu' });
    const a = new nn.MLP([3, 4, 2], { seed: 1 });
    const b = new nn.MLP([3, 4, 2], { seed: 2 });
    const bytes = await saveModuleSafetensors(a);
    expect([...readSafetensors(bytes).tensors.keys()]).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    const before = await b.parameters()[0].toArray();
    const wrong = new nn.MLP([3, 5, 2], { seed: 3 });
    const wrongBytes = await saveModuleSafetensors(wrong);
    expect(() => loadModuleSafetensors(b, wrongBytes)).toThrow(/"0.weight" has shape \[5, 3\] in the file but \[4, 3\] in the model/);
    expect(await b.parameters()[0].toArray()).toEqual(before);
    const partial = writeSafetensors({ '0.weight': { shape: [4, 3], data: new Float32Array(12) } });
    expect(() => loadModuleSafetensors(b, partial)).toThrow(/lacks 0.bias/);
    const extra = writeSafetensors({ bogus: { shape: [1], data: new Float32Array(1) } });
    expect(() => loadModuleSafetensors(b, extra)).toThrow(/holds "bogus"/);
    loadModuleSafetensors(b, bytes);
    for (const [pa, pb] of a.parameters().map((p, i) => [p, b.parameters()[i]])) expect(await pb.toArray()).toEqual(await pa.toArray());
  });
});
