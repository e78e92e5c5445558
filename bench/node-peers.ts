// jax-js and onnxruntime-web as attention peers in Node, on the Dawn instance the engine opened, so that the CLI
// compares them on the same adapter in the same process as the Bench page does in a browser. The runners are the
// page's own (playground/bench/peers.ts); what differs in Node is how each library finds WebGPU and its files.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadJax, ortRunner, type LoadedPeer } from '../playground/bench/peers';

/** Both libraries find WebGPU through navigator.gpu; Node has no navigator, so hand them Dawn's instance. */
export function exposeNavigator(gpu: GPU): void {
  Object.defineProperty(globalThis, 'navigator', { value: { gpu, userAgent: 'node' }, configurable: true, writable: true });
}

/**
 * onnxruntime-web uploads tensors with queue.writeBuffer(buffer, 0, wasmMemory.buffer, offset, size), and Dawn's
 * Node binding (webgpu 0.6) rejects that ArrayBuffer ("no overload matched for writeBuffer"), though a browser
 * takes it. When the binding refuses an argument, this copies the bytes it names into a fresh array and writes
 * that: the same bytes reach the GPU. Offsets and sizes are in bytes for an ArrayBuffer and in elements for a
 * typed array, as the WebGPU spec has them.
 */
function acceptAnyBufferSource(): void {
  const proto = (globalThis as unknown as { GPUQueue?: { prototype: GPUQueue } }).GPUQueue?.prototype;
  if (!proto || (proto as unknown as Record<symbol, boolean>)[PATCHED]) return;
  const write = proto.writeBuffer;
  proto.writeBuffer = function (this: GPUQueue, buffer: GPUBuffer, offset: number, data: BufferSource | SharedArrayBuffer, dataOffset = 0, size?: number) {
    try {
      return write.call(this, buffer, offset, data as BufferSource, dataOffset, size);
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      const bytes = ArrayBuffer.isView(data)
        ? new Uint8Array(data.buffer, data.byteOffset + dataOffset * elementSize(data), size === undefined ? undefined : size * elementSize(data))
        : new Uint8Array(data, dataOffset, size);
      return write.call(this, buffer, offset, bytes.slice());
    }
  } as GPUQueue['writeBuffer'];
  (proto as unknown as Record<symbol, boolean>)[PATCHED] = true;
}
const PATCHED = Symbol('bench.writeBufferCopies');
const elementSize = (v: ArrayBufferView): number => (v as unknown as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;

/** jax-js on its WebGPU device (nn.dotProductAttention under jit). Its einsum needs Node 22's iterator helpers. */
export async function loadJaxNode(gpu: GPU, adapter: string): Promise<LoadedPeer> {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22) {
    // Seen here on Node 20: "expr.split(...)[0].matchAll(...).map is not a function", at the first call.
    throw new Error(`jax-js's nn.dotProductAttention needs Node 22 or newer (its einsum uses iterator helpers); this is Node ${process.version}`);
  }
  exposeNavigator(gpu);
  return loadJax(adapter);
}

/**
 * onnxruntime-web's JS WebGPU execution provider. Node's export of 'onnxruntime-web' is the CPU-only WASM build, so
 * this loads the 'all' build (the browser's, WebGPU included) and hands it the .wasm as bytes, which it would
 * otherwise fetch by URL.
 */
export async function loadOnnxRuntimeNode(gpu: GPU, adapter: string): Promise<LoadedPeer> {
  exposeNavigator(gpu);
  acceptAnyBufferSource();
  const ort = await import('onnxruntime-web/all');
  const wasm = createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm');
  ort.env.wasm.wasmBinary = readFileSync(wasm);
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  return { runner: ortRunner(ort, adapter), version: ort.env.versions.web ?? 'unknown' };
}
