// The WebGPU backend: each method validates nothing (ops/ did that) and hands off to the kernel family that
// owns it under gpu/. The shared runtime (pipeline cache, pool, batching, readback) is gpu/context.ts.
import type {
  AttentionBackwardResult, AttentionForwardResult, AttentionGradLayouts, AttentionParams, Backend, BinaryOp, BroadcastLayout, CrossEntropyParams, HealthCounts, LayerNormResult, MatmulParams, MemoryStats,
  ReduceLayout, ReduceOp, Storage, StridedView, UnaryOp, SgdParams, AdamParams, SgdSlot, AdamSlot,
} from './backend';
import type { DType, TypedArray } from '../dtype';
import { openDevice } from './gpu/adapter';
import { GpuContext } from './gpu/context';
import { allocStorage, freeStorage, gpu } from './gpu/storage';
import * as ew from './gpu/elementwise';
import { matmul } from './gpu/matmul';
import { reduce } from './gpu/reduce';
import { softmax, softmaxBackward } from './gpu/softmax';
import { layerNorm, layerNormBackward } from './gpu/layernorm';
import { crossEntropy, crossEntropyBackward } from './gpu/loss';
import { gather, scatterAdd } from './gpu/gather';
import { dropoutMask } from './gpu/dropout';
import { adamStep, sgdStep } from './gpu/optim';
import { health } from './gpu/health';
import { attentionBackward, attentionForward, attentionUnsupported } from './gpu/attention';

export class WebGPUBackend implements Backend {
  readonly name = 'webgpu' as const;
  readonly attentionAlign = 4; // the attention kernels load rows as vec4s

  private constructor(readonly ctx: GpuContext) {}

  /** Opens a device on the best adapter. Throws NoAdapterError, naming what to install, when there is none. */
  static async create(): Promise<WebGPUBackend> {
    const opened = await openDevice();
    // webgpu-utils reads Float16Array when its module loads; Node 20 lacks it, so polyfill before importing.
    if (typeof (globalThis as { Float16Array?: unknown }).Float16Array === 'undefined') {
      const { Float16Array } = await import('@petamoriken/float16');
      Object.assign(globalThis, { Float16Array });
    }
    const utils = await import('webgpu-utils');
    return new WebGPUBackend(new GpuContext(opened.device, opened.adapterName, opened.features, utils));
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

  async read(s: Storage, numel = s.numel): Promise<TypedArray> {
    const g = gpu(s);
    const bytes = await this.ctx.read(g.buffer, numel * 4);
    return g.dtype === 'int32' ? new Int32Array(bytes) : new Float32Array(bytes);
  }

  free(s: Storage): void {
    freeStorage(this.ctx, s);
  }

  fill(numel: number, value: number, dtype: DType): Storage {
    return ew.fill(this.ctx, numel, value, dtype);
  }
  unary(op: UnaryOp, x: Storage, view?: StridedView): Storage {
    return ew.unary(this.ctx, op, x, view);
  }
  binary(op: BinaryOp, a: Storage, b: Storage, layout: BroadcastLayout): Storage {
    return ew.binary(this.ctx, op, a, b, layout);
  }
  binaryScalar(op: BinaryOp, x: Storage, scalar: number, scalarFirst: boolean, view?: StridedView): Storage {
    return ew.binaryScalar(this.ctx, op, x, scalar, scalarFirst, view);
  }
  cast(x: Storage, to: DType, view?: StridedView): Storage {
    return ew.cast(this.ctx, x, to, view);
  }
  where(cond: Storage, a: Storage, b: Storage, layout: BroadcastLayout): Storage {
    return ew.where(this.ctx, cond, a, b, layout);
  }
  copy(src: Storage, view: StridedView, dst?: { storage: Storage; view: StridedView }, accumulate?: boolean): Storage {
    return ew.copy(this.ctx, src, view, dst, accumulate);
  }
  reduce(op: ReduceOp, x: Storage, layout: ReduceLayout): Storage {
    return reduce(this.ctx, op, x, layout);
  }
  matmul(a: Storage, b: Storage, p: MatmulParams, bias?: Storage | null): { out: Storage; sumA?: Storage } {
    return matmul(this.ctx, a, b, p, bias);
  }
  softmax(x: Storage, rows: number, cols: number, log: boolean): Storage {
    return softmax(this.ctx, x, rows, cols, log);
  }
  layerNorm(x: Storage, weight: Storage, bias: Storage, rows: number, cols: number, eps: number): LayerNormResult {
    return layerNorm(this.ctx, x, weight, bias, rows, cols, eps);
  }
  crossEntropy(logits: Storage, targets: Storage, p: CrossEntropyParams): { loss: Storage; counted: Storage } {
    return crossEntropy(this.ctx, logits, targets, p);
  }
  gather(table: Storage, idx: Storage, rows: number, rowSize: number): Storage {
    return gather(this.ctx, table, idx, rows, rowSize);
  }
  softmaxBackward(y: Storage, g: Storage, rows: number, cols: number, log: boolean): Storage {
    return softmaxBackward(this.ctx, y, g, rows, cols, log);
  }
  layerNormBackward(
    x: Storage, weight: Storage, mean: Storage, rstd: Storage, g: Storage, rows: number, cols: number,
  ): { dx: Storage; dweight: Storage; dbias: Storage } {
    return layerNormBackward(this.ctx, x, weight, mean, rstd, g, rows, cols);
  }
  crossEntropyBackward(logits: Storage, targets: Storage, gRow: Storage, p: CrossEntropyParams): Storage {
    return crossEntropyBackward(this.ctx, logits, targets, gRow, p);
  }
  scatterAdd(g: Storage, idx: Storage, rows: number, rowSize: number): Storage {
    return scatterAdd(this.ctx, g, idx, rows, rowSize);
  }
  dropoutMask(numel: number, p: number, seed: number): Storage {
    return dropoutMask(this.ctx, numel, p, seed);
  }
  sgdStep(slots: readonly SgdSlot[], p: SgdParams): void {
    sgdStep(this.ctx, slots, p);
  }
  adamStep(slots: readonly AdamSlot[], p: AdamParams): void {
    adamStep(this.ctx, slots, p);
  }
  attentionUnsupported(p: AttentionParams): string | null {
    return attentionUnsupported(this.ctx, p);
  }
  attentionForward(
    q: Storage, k: Storage, v: Storage, mask: Storage | null, slopes: Storage | null, p: AttentionParams,
  ): AttentionForwardResult {
    return attentionForward(this.ctx, q, k, v, mask, slopes, p);
  }
  attentionBackward(
    q: Storage, k: Storage, v: Storage, out: Storage, lse: Storage, dOut: Storage,
    mask: Storage | null, slopes: Storage | null, p: AttentionParams, grads?: AttentionGradLayouts,
  ): AttentionBackwardResult {
    return attentionBackward(this.ctx, q, k, v, out, lse, dOut, mask, slopes, p, grads);
  }
  health(x: Storage, numel?: number): Promise<HealthCounts> {
    return health(this.ctx, x, numel);
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
