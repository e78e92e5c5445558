// A pool of storage buffers bucketed by capacity, so that a training loop that frees and re-creates the same
// shapes every step allocates no new GPUBuffers after its first step.
//
// Reuse is safe without fences: every use of a buffer is encoded into the queue in program order, and uploads
// (queue.writeBuffer) flush pending commands first (see context.ts), so a reused buffer is never written before
// the commands that read its previous contents have been submitted. Destroying is not: a buffer freed by a
// tensor may still be used by commands encoded but not yet submitted, and submitting a destroyed buffer is a
// validation error. Buffers to destroy therefore wait until the next submit (afterSubmit).

export const STORAGE_USAGE = 0x80 /* STORAGE */ | 0x04 /* COPY_SRC */ | 0x08; /* COPY_DST */

const MIN_CAPACITY = 256;
const MIB = 1 << 20;

/** Power-of-two buckets up to 1 MiB, then whole MiBs: at most 2× waste for small buffers, little for big ones. */
export function bucketCapacity(bytes: number): number {
  const b = Math.max(bytes, MIN_CAPACITY);
  if (b <= MIB) return 2 ** Math.ceil(Math.log2(b));
  return Math.ceil(b / MIB) * MIB;
}

export class BufferPool {
  private free = new Map<number, GPUBuffer[]>();
  liveBuffers = 0;
  liveBytes = 0;
  /** The most liveBytes seen since the last resetPeak(): benchmarks read a call's peak memory from it. */
  peakLiveBytes = 0;
  pooledBuffers = 0;
  pooledBytes = 0;
  /** Buffers to destroy once the commands already encoded with them have been submitted. */
  private doomed: GPUBuffer[] = [];
  /** The bytes last asked of each buffer (its bucket may be bigger): what a binding of it must cover. */
  private asked = new WeakMap<GPUBuffer, number>();

  constructor(
    private device: GPUDevice,
    /** Freed bytes kept for reuse beyond which freed buffers are destroyed instead. */
    public maxPooledBytes = 256 * MIB,
  ) {}

  acquire(bytes: number): GPUBuffer {
    const cap = bucketCapacity(bytes);
    const list = this.free.get(cap);
    let buf = list?.pop();
    if (buf) {
      this.pooledBuffers--;
      this.pooledBytes -= cap;
    } else {
      buf = this.device.createBuffer({ size: cap, usage: STORAGE_USAGE });
    }
    this.liveBuffers++;
    this.liveBytes += cap;
    this.peakLiveBytes = Math.max(this.peakLiveBytes, this.liveBytes);
    this.asked.set(buf, bytes);
    return buf;
  }

  /** The bytes the buffer's current holder asked for (at most its size); its size for a buffer not from the pool. */
  askedBytes(buf: GPUBuffer): number {
    return Math.min(buf.size, this.asked.get(buf) ?? buf.size);
  }

  release(buf: GPUBuffer): void {
    const cap = buf.size;
    this.liveBuffers--;
    this.liveBytes -= cap;
    if (this.pooledBytes + cap > this.maxPooledBytes) {
      this.doomed.push(buf);
      return;
    }
    let list = this.free.get(cap);
    if (!list) this.free.set(cap, (list = []));
    list.push(buf);
    this.pooledBuffers++;
    this.pooledBytes += cap;
  }

  resetPeak(): void {
    this.peakLiveBytes = this.liveBytes;
  }

  /** Releases every pooled buffer to be destroyed after the next submit (live ones stay with their tensors). */
  trim(): void {
    for (const list of this.free.values()) this.doomed.push(...list);
    this.free.clear();
    this.pooledBuffers = 0;
    this.pooledBytes = 0;
  }

  /** Called by the context right after a submit: destroying now cannot affect the commands just submitted. */
  afterSubmit(): void {
    for (const b of this.doomed) b.destroy();
    this.doomed = [];
  }
}
