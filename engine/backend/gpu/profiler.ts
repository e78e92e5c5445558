// Per-kernel GPU time from timestamp queries, for benchmarks that ask where a training step's time goes. While
// profiling, the context gives every dispatch a compute pass of its own whose beginning and end write
// timestamps (one pass per dispatch costs a little, so profile only to find hot kernels, never to time them for
// a report). Each submitted batch resolves its queries into a buffer that is read back asynchronously.

/** Dispatches one batch can profile: the uniform arena already flushes every 256 dispatches (context.ts). */
const CAPACITY = 512;

export interface KernelTime {
  /** Dispatches profiled. */
  count: number;
  /** Summed GPU time between each dispatch's pass beginning and end, in milliseconds. */
  ms: number;
}

export class Profiler {
  private readonly querySet: GPUQuerySet;
  private readonly resolveBuffer: GPUBuffer;
  /** Kernel name of each pass in the batch being encoded. */
  private names: string[] = [];
  private pending: Array<Promise<void>> = [];
  readonly totals = new Map<string, KernelTime>();

  constructor(private readonly device: GPUDevice) {
    this.querySet = device.createQuerySet({ type: 'timestamp', count: 2 * CAPACITY });
    this.resolveBuffer = device.createBuffer({ size: 16 * CAPACITY, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  }

  /** True when the batch being encoded has no room for another profiled pass (the context flushes first). */
  get full(): boolean {
    return this.names.length >= CAPACITY;
  }

  /** The timestamp writes of the next dispatch's own pass. */
  passFor(kernelName: string): GPUComputePassTimestampWrites {
    const i = this.names.length;
    this.names.push(kernelName);
    return { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 };
  }

  /** Called before the batch's encoder finishes: resolves its queries and schedules their readback. */
  resolve(encoder: GPUCommandEncoder): void {
    const n = this.names.length;
    if (n === 0) return;
    const bytes = 16 * n;
    const staging = this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    encoder.resolveQuerySet(this.querySet, 0, 2 * n, this.resolveBuffer, 0);
    encoder.copyBufferToBuffer(this.resolveBuffer, 0, staging, 0, bytes);
    const names = this.names;
    this.names = [];
    // Mapped once the submit that follows has run.
    this.pending.push(
      Promise.resolve().then(async () => {
        await staging.mapAsync(GPUMapMode.READ);
        const t = new BigUint64Array(staging.getMappedRange().slice(0));
        staging.unmap();
        staging.destroy();
        names.forEach((name, i) => {
          const entry = this.totals.get(name) ?? { count: 0, ms: 0 };
          entry.count++;
          entry.ms += Number(t[2 * i + 1] - t[2 * i]) / 1e6;
          this.totals.set(name, entry);
        });
      }),
    );
  }

  /** Waits for every submitted batch's timestamps. */
  async settle(): Promise<Map<string, KernelTime>> {
    const p = this.pending;
    this.pending = [];
    await Promise.all(p);
    return this.totals;
  }

  destroy(): void {
    this.querySet.destroy();
    this.resolveBuffer.destroy();
  }
}
