// The two element types the engine stores. Both are 4 bytes wide, so every buffer is `numel * 4` bytes and
// kernels that only move data (copy, gather, where) treat elements as raw 32-bit words.
export type DType = 'float32' | 'int32';
export type TypedArray = Float32Array | Int32Array;
export type ArrayFor<D extends DType> = D extends 'int32' ? Int32Array : Float32Array;

export const BYTES_PER_ELEMENT = 4;

export function dtypeOf(data: TypedArray): DType {
  return data instanceof Int32Array ? 'int32' : 'float32';
}

export function allocArray(dtype: DType, n: number): TypedArray {
  return dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
}
