// The WebGPU backend: its memory (upload, read, free) here, its kernels from the table in gpu/kernels.ts bound as
// methods. Kernels validate nothing (ops/ did that). The shared runtime (pipeline cache, pool, batching,
// readback) is gpu/context.ts.
import type { Backend, MemoryStats, Storage } from './backend';
import type { DType, TypedArray } from '../dtype';
import { openDevice } from './gpu/adapter';
import { GpuContext } from './gpu/context';
import { loadWebgpuUtils } from './gpu/reflect';
import { allocStorage, freeStorage, gpu } from './gpu/storage';
import { GPU_KERNELS, type GpuKernelTable } from './gpu/kernels';
import { autoLoadTuning } from './gpu/tuning/cache';

/** The kernel table's entries as methods: the context argument bound. */
type Bound<T> = { [K in keyof T]: T[K] extends (ctx: GpuContext, ...args: infer A) => infer R ? (...args: A) => R : never };

// The class gets every kernel of GPU_KERNELS as a method (bound below), declared here by interface merging.
export interface WebGPUBackend extends Bound<GpuKernelTable> {}

export class WebGPUBackend implements Backend {
  readonly name = 'webgpu' as const;
  readonly attentionAlign = 4; // the attention kernels load rows as vec4s

  private constructor(readonly ctx: GpuContext) {}

  /**
   * Opens a device on the best adapter, with this adapter's tuned kernel choices loaded from the tuning cache
   * (gpu/tuning/cache.ts; a malformed cache is a warning and the defaults). Throws NoAdapterError, naming what to
   * install, when there is no adapter.
   */
  static async create(): Promise<WebGPUBackend> {
    const opened = await openDevice();
    const utils = await loadWebgpuUtils();
    const ctx = new GpuContext(opened.device, opened.adapterName, opened.features, utils);
    await autoLoadTuning(ctx);
    return new WebGPUBackend(ctx);
  }

  get adapterName(): string {
    return this.ctx.adapterName;
  }

  get device(): GPUDevice {
    return this.ctx.device;
  }

  upload(data: TypedArray): Storage {
    const dtype: DType = data instanceof Int32Array ? 'int32' : 'float32';
    const s = allocStorage(this.ctx, data.length, dtype);
    this.ctx.write(s.buffer, data, data.length * 4);
    return s;
  }

  write(s: Storage, data: TypedArray, offset = 0): void {
    const g = gpu(s);
    if (g.dtype !== (data instanceof Int32Array ? 'int32' : 'float32') || offset < 0 || offset + data.length > g.numel) {
      throw new Error(`internal: write of ${data.length} ${data.constructor.name} values at ${offset} into a ${g.numel}-element ${g.dtype} storage`);
    }
    this.ctx.write(g.buffer, data, data.length * 4, offset * 4);
  }

  async read(s: Storage, numel = s.numel): Promise<TypedArray> {
    const g = gpu(s);
    const bytes = await this.ctx.read(g.buffer, numel * 4);
    return g.dtype === 'int32' ? new Int32Array(bytes) : new Float32Array(bytes);
  }

  free(s: Storage): void {
    freeStorage(this.ctx, s);
  }

  memoryStats(): MemoryStats {
    const p = this.ctx.pool;
    return { buffers: p.liveBuffers, bytes: p.liveBytes, pooledBuffers: p.pooledBuffers, pooledBytes: p.pooledBytes };
  }

  /** Submits all encoded work and waits for the GPU to finish it (benchmarks use this). */
  async sync(): Promise<void> {
    this.ctx.flush();
    await this.ctx.device.queue.onSubmittedWorkDone();
  }

  destroy(): void {
    this.ctx.destroy();
  }
}

for (const [name, kernel] of Object.entries(GPU_KERNELS) as Array<[string, (ctx: GpuContext, ...args: unknown[]) => unknown]>) {
  Object.defineProperty(WebGPUBackend.prototype, name, {
    value(this: WebGPUBackend, ...args: unknown[]) {
      return kernel(this.ctx, ...args);
    },
  });
}
