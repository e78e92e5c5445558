// The WebGPU runtime under webgpu.ts: a compiled-kernel cache, batched command encoding, per-batch uniform
// arena, readback, limit checks, the device-side error flags and device-loss handling.
//
// Kernels are data: a shader file built by shader.ts plus optional `override` constants. Bindings are found by
// name through wgsl_reflect and uniform structs are laid out by webgpu-utils, so no binding index or byte offset
// is counted by hand anywhere in the engine.
//
// Pipelines compile on first use, synchronously (createComputePipeline). warmup() (engine/warmup.ts) compiles
// them ahead instead: in *collect* mode kernel() hands the kernel's WGSL to the reflector (reflector.ts: a worker
// in a browser) and returns at once, and dispatch() encodes nothing, so a whole training step can be walked through
// to learn its kernels without running any of it; each kernel's pipeline then starts compiling
// (createComputePipelineAsync) when its reflection comes back. Building and parsing the WGSL is what costs: the
// attention kernels' sources are 40 to 60 thousand characters, hundreds of milliseconds per parse on SwiftShader's
// machines, which on the page's thread froze the page for as long.

import type { VariableDefinition } from 'webgpu-utils';
import { BufferPool } from './pool';
import { Profiler, type KernelTime } from './profiler';
import { wgslConsts, type ShaderSpec } from './shader';
import type { BindingInfo, Reflection, WebgpuUtils } from './reflect';
import { Reflector } from './reflector';

export class DeviceLostError extends Error {
  override name = 'DeviceLostError';
}

export class OverLimitError extends Error {
  override name = 'OverLimitError';
}

/**
 * Device-side error flags: a kernel that meets bad input (an index out of range) sets `errors[slot]` with
 * atomicOr and carries on safely; the next read() raises it. A slot's number is its key's position here, which
 * shaders read as ERROR_<KEY> (errorSlotConsts()).
 */
export const ERROR_SLOTS = {
  gatherIndex: 'gather: an index was outside [0, rows)',
  crossEntropyTarget: 'crossEntropy: a target was outside [0, classes)',
} as const;

const ERROR_MESSAGES: readonly string[] = Object.values(ERROR_SLOTS);

/** The error slots as shader consts: ERROR_GATHER_INDEX = 0, ERROR_CROSS_ENTROPY_TARGET = 1. */
export function errorSlotConsts(): Record<string, number> {
  return wgslConsts('ERROR_', Object.fromEntries(Object.keys(ERROR_SLOTS).map((key, slot) => [key, slot])));
}

/** Thrown by read() inside warmup(fn), where no GPU work runs and so no tensor has values. */
export class WarmupReadError extends Error {
  override name = 'WarmupReadError';
}

/** A kernel's GPU objects, made from its reflection. */
interface Built {
  layout: GPUBindGroupLayout;
  bindings: Map<string, BindingInfo>;
  uniform: { name: string; def: VariableDefinition } | null;
  workgroupSize: [number, number, number];
  descriptor: GPUComputePipelineDescriptor;
}

export interface Kernel {
  key: string;
  /** What it is built from, for a kernel still being reflected when a real dispatch needs it. */
  source: { name: string; shader: ShaderSpec; constants: Record<string, number> };
  /** Null only while warmup() reflects the kernel; kernel() outside warmup never returns it so. */
  built: Built | null;
  /** Null only while warmup() reflects or compiles it; kernel() outside warmup never returns it so. */
  pipeline: GPUComputePipeline | null;
}

export type Grid = [number, number, number];

/**
 * Part of a buffer bound as one storage binding: `offset` (bytes) a multiple of the adapter's
 * minStorageBufferOffsetAlignment, `size` (bytes) a multiple of 4. Split kernels bind a big weight chunk by chunk.
 */
export interface BufferRange {
  buffer: GPUBuffer;
  offset: number;
  size: number;
}

/** What dispatch() binds to a storage binding: a whole buffer, or a range of one. */
export type Binding = GPUBuffer | BufferRange;

/** One run of collect mode: the compiles it started, and whether it is still running. */
export interface CollectScope {
  open: boolean;
  /** One per kernel it asked for that was not cached: its reflection and pipeline. */
  readonly compiles: Array<Promise<void>>;
  /** Binding checks waiting for a kernel's reflection (checkWhenBuilt). */
  readonly checks: Array<Promise<void>>;
}

const UNIFORM_ALIGN = 256; // ≥ minUniformBufferOffsetAlignment on every adapter
const ARENA_BYTES = 64 * 1024; // uniforms for up to 256 dispatches per submitted batch

export class GpuContext {
  readonly pool: BufferPool;
  readonly limits: GPUSupportedLimits;
  private kernels = new Map<string, Kernel>();
  /** Builds and reflects kernels' WGSL: at once for kernel(), off the thread for warmup. */
  readonly reflector: Reflector;
  /** Kernels warmup() is reflecting, each with its promise of being built. */
  private reflecting = new Map<Kernel, Promise<void>>();
  /** The collect mode (warmup) in progress, or null. */
  private scope: CollectScope | null = null;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private arena = new ArrayBuffer(ARENA_BYTES);
  private arenaUsed = 0;
  private uniformBuffer: GPUBuffer;
  readonly errorBuffer: GPUBuffer;
  lostReason: string | null = null;
  /** The first validation or out-of-memory error since the last read; raised there, so none passes silently. */
  private pendingError: string | null = null;
  /** Dispatches encoded since the context was created; tests use it to prove work was batched. */
  dispatches = 0;
  /** The same count per kernel name (the part of a kernel's key before '|'), for benchmarks that say where work goes. */
  readonly dispatchesByKernel = new Map<string, number>();
  submits = 0;
  private profiler: Profiler | null = null;
  /** The most bytes one storage binding may cover: the adapter's maxStorageBufferBindingSize unless lowered. */
  private bindingCap: number;

  constructor(
    readonly device: GPUDevice,
    readonly adapterName: string,
    readonly features: ReadonlySet<string>,
    private utils: WebgpuUtils,
  ) {
    this.limits = device.limits;
    this.bindingCap = this.limits.maxStorageBufferBindingSize;
    this.pool = new BufferPool(device);
    this.reflector = new Reflector(utils);
    this.uniformBuffer = device.createBuffer({ size: ARENA_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.errorBuffer = device.createBuffer({
      size: Math.max(16, 4 * ERROR_MESSAGES.length),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    void device.lost.then((info) => {
      this.lostReason = `${info.reason ?? 'unknown'}${info.message ? `: ${info.message}` : ''}`;
    });
    device.onuncapturederror = (ev) => {
      this.pendingError ??= (ev as GPUUncapturedErrorEvent).error.message;
    };
  }

  checkAlive(): void {
    if (this.lostReason !== null) {
      throw new DeviceLostError(
        `The WebGPU device was lost (${this.lostReason}). Tensors on it are gone; call init() again to get a new device.`,
      );
    }
    if (this.pendingError !== null) {
      const msg = this.pendingError;
      this.pendingError = null;
      throw new Error(`A WebGPU operation failed: ${msg}`);
    }
  }

  /**
   * Compiles (once) the kernel `name` built from `shader`, with `override` constants fixed at pipeline creation.
   * The name must tell apart everything the shader is built with (its template variables); the cache key adds the
   * constants.
   */
  kernel(name: string, shader: ShaderSpec, constants: Record<string, number> = {}): Kernel {
    const key = `${name}|${JSON.stringify(constants)}`;
    let k = this.kernels.get(key);
    if (k) {
      if (this.scope === null) this.ready(k);
      return k;
    }
    this.checkAlive();
    k = { key, source: { name, shader, constants }, built: null, pipeline: null };
    if (this.scope) {
      this.kernels.set(key, k);
      this.scope.compiles.push(this.buildAsync(k));
      return k;
    }
    const { code, reflection } = this.reflector.reflectNow(name, shader);
    k.built = this.build(k, code, reflection);
    k.pipeline = this.device.createComputePipeline(k.built.descriptor);
    this.kernels.set(key, k);
    return k;
  }

  /** The GPU objects of kernel `k` from its WGSL and what the WGSL declares; the pipeline is compiled apart. */
  private build(k: Kernel, code: string, r: Reflection): Built {
    const { name, constants } = k.source;
    const bindings = new Map(r.bindings);
    const entries: GPUBindGroupLayoutEntry[] = r.bindings.map(([, b]) => ({
      binding: b.binding, visibility: GPUShaderStage.COMPUTE, buffer: { type: b.kind },
    }));
    const layout = this.device.createBindGroupLayout({ label: name, entries });
    const module = this.device.createShaderModule({ label: name, code });
    const descriptor: GPUComputePipelineDescriptor = {
      label: name,
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: r.entryPoint, constants },
    };
    const ws = r.workgroupSize;
    // Sizes written as override constants are not resolved by reflection; kernels pass them via `constants`.
    const workgroupSize: [number, number, number] = [
      constants.WG_X ?? constants.WG ?? ws?.[0] ?? 1,
      constants.WG_Y ?? ws?.[1] ?? 1,
      constants.WG_Z ?? ws?.[2] ?? 1,
    ];
    return { layout, bindings, uniform: r.uniform, workgroupSize, descriptor };
  }

  /**
   * Collect mode's kernel: reflected by the reflector (off this thread in a browser), then compiled
   * asynchronously. Each reply arrives in a task of its own, so the page draws between kernels.
   */
  private buildAsync(k: Kernel): Promise<void> {
    const built = this.reflector.reflect(k.source.name, k.source.shader).then(
      ({ code, reflection }) => {
        this.reflecting.delete(k);
        // A real dispatch may have needed the kernel first and built it on the spot; then this reply is dropped.
        k.built ??= this.build(k, code, reflection);
      },
      (e: unknown) => {
        this.reflecting.delete(k);
        // Forget the kernel, so that the next kernel() call builds it again and reports the error itself.
        if (k.built === null) this.kernels.delete(k.key);
        throw e;
      },
    );
    this.reflecting.set(k, built);
    return built.then(() => (k.pipeline ? undefined : this.compileAsync(k, k.built!.descriptor)));
  }

  private compileAsync(k: Kernel, descriptor: GPUComputePipelineDescriptor): Promise<void> {
    return this.device.createComputePipelineAsync(descriptor).then(
      (pipeline) => {
        k.pipeline ??= pipeline; // ready() may have needed it first; then this one is dropped
      },
      (e: unknown) => {
        // Forget the kernel, so that the next kernel() call compiles it again and reports the error itself.
        if (k.pipeline === null) this.kernels.delete(k.key);
        throw new Error(`compiling ${k.key} failed: ${(e as Error).message}`);
      },
    );
  }

  /**
   * A kernel warmup() is still reflecting or compiling, needed now by a real dispatch (a step run without awaiting
   * its warmup): built and compiled synchronously. What the asynchronous work brings later is dropped.
   */
  private ready(k: Kernel): Built {
    if (k.built === null) {
      const { code, reflection } = this.reflector.reflectNow(k.source.name, k.source.shader);
      k.built = this.build(k, code, reflection);
    }
    k.pipeline ??= this.device.createComputePipeline(k.built.descriptor);
    return k.built;
  }

  /**
   * Runs `fn` in collect mode (warmup.ts): kernels it asks for start compiling asynchronously, dispatches encode
   * nothing and read() throws. Returns the compiles started and the binding checks still to settle, which warmup
   * awaits.
   */
  collect(fn: () => void): Pick<CollectScope, 'compiles' | 'checks'> {
    if (this.scope) throw new Error('warmup() calls cannot nest');
    this.checkAlive();
    const scope: CollectScope = { open: true, compiles: [], checks: [] };
    this.scope = scope;
    try {
      fn();
    } catch (e) {
      // Nobody will await the compiles already started; a failure among them must not go unhandled.
      for (const c of [...scope.compiles, ...scope.checks]) c.catch(() => undefined);
      throw e;
    } finally {
      scope.open = false;
      this.scope = null;
    }
    return scope;
  }

  /** The collect mode in progress (storages made in it remember it, see storage.ts), or null. */
  get collectScope(): CollectScope | null {
    return this.scope;
  }

  /** Number of pipelines compiled or compiling; tests use it to prove that pipelines are reused. */
  get pipelineCount(): number {
    return this.kernels.size;
  }

  /** The most bytes one storage binding may cover (see setBindingLimit). */
  get bindingLimit(): number {
    return this.bindingCap;
  }

  /**
   * Caps every storage binding at `bytes` (null: the adapter's maxStorageBufferBindingSize again). Tests lower it
   * to run the split embedding and matmul paths on small models; a user can check that a model fits an adapter
   * with a smaller limit. Storages may still be as large as maxBufferSize; only what one binding covers is capped.
   */
  setBindingLimit(bytes: number | null): void {
    const adapterCap = this.limits.maxStorageBufferBindingSize;
    if (bytes === null) {
      this.bindingCap = adapterCap;
      return;
    }
    const align = this.limits.minStorageBufferOffsetAlignment;
    if (!Number.isInteger(bytes) || bytes % 4 !== 0 || bytes < align) {
      throw new RangeError(
        `setBindingLimit: ${bytes} is not a usable binding limit: give a whole number of bytes, a multiple of 4 and at ` +
          `least this adapter's minStorageBufferOffsetAlignment (${align}), or null for the adapter's own limit`,
      );
    }
    if (bytes > adapterCap) {
      throw new RangeError(
        `setBindingLimit: ${bytes} bytes is above this adapter's maxStorageBufferBindingSize (${adapterCap}); the limit ` +
          'can only be lowered',
      );
    }
    this.flush(); // dispatches already encoded were checked against the old limit
    this.bindingCap = bytes;
  }

  /** Where the binding limit comes from, for error messages. */
  private bindingCapSource(): string {
    const adapterCap = this.limits.maxStorageBufferBindingSize;
    return this.bindingCap === adapterCap
      ? "this adapter's maxStorageBufferBindingSize"
      : `set by setBindingLimit; the adapter's maxStorageBufferBindingSize is ${adapterCap}`;
  }

  /**
   * The binding of `b` to storage binding `name` of kernel `k`, refused with a clear error (never left to WebGPU
   * validation) when it is over the binding limit or a range is misaligned. A whole pooled buffer is bound over
   * just the bytes its holder asked for, so a bucket bigger than the limit still binds a tensor that fits it.
   */
  private storageBinding(k: Kernel, name: string, b: Binding): GPUBufferBinding {
    const kernel = k.key.slice(0, k.key.indexOf('|'));
    const cap = this.bindingCap;
    if ('buffer' in b) {
      const align = this.limits.minStorageBufferOffsetAlignment;
      if (b.offset % align !== 0 || b.size % 4 !== 0 || b.size <= 0 || b.offset + b.size > b.buffer.size) {
        throw new Error(
          `internal: ${kernel}: binding '${name}' is bytes [${b.offset}, ${b.offset + b.size}) of a ${b.buffer.size}-byte ` +
            `buffer; a range must start at a multiple of minStorageBufferOffsetAlignment (${align}), have a size that is ` +
            'a positive multiple of 4, and lie inside the buffer',
        );
      }
      if (b.size > cap) {
        throw new OverLimitError(
          `${kernel}: binding '${name}' is a range of ${b.size} bytes, over the storage binding limit of ${cap} bytes ` +
            `(${this.bindingCapSource()})`,
        );
      }
      return { buffer: b.buffer, offset: b.offset, size: b.size };
    }
    if (b.size <= cap) return { buffer: b };
    // Whole vec4s where the cap allows, as kernels that read array<vec4<f32>> need (a binding's last partial vec4
    // would be cut off); the words asked for fill whole vec4s whenever such a kernel binds them.
    const asked = Math.max(4, Math.ceil(this.pool.askedBytes(b) / 4) * 4);
    const vec4s = Math.min(b.size, Math.ceil(asked / 16) * 16);
    const used = vec4s <= cap ? vec4s : asked;
    if (used <= cap) return { buffer: b, offset: 0, size: used };
    throw new OverLimitError(
      `${kernel}: binding '${name}' is a whole buffer of ${used} bytes, over the storage binding limit of ${cap} bytes ` +
        `(${this.bindingCapSource()}). Only the embedding lookup and matmul split a tensor this large over several ` +
        'bindings (for inference); other kernels on it, and training it, are not supported on this adapter.',
    );
  }

  /**
   * Encodes one dispatch. `buffers` names every storage binding (a whole buffer or a range of one); `params` fills
   * the kernel's uniform struct. Nothing is submitted until flush(), so consecutive ops share one command buffer
   * with no CPU round trip.
   */
  dispatch(k: Kernel, buffers: Record<string, Binding>, params: Record<string, unknown> | null, grid: Grid): void {
    this.checkAlive();
    const max = this.limits.maxComputeWorkgroupsPerDimension;
    if (grid.some((g) => g > max)) {
      throw new OverLimitError(
        `${k.key}: dispatch of [${grid.join(', ')}] workgroups exceeds this adapter's maxComputeWorkgroupsPerDimension (${max})`,
      );
    }
    // Checked before anything is encoded, and in warmup's collect mode too, so an over-limit binding fails there.
    if (this.scope && k.built === null) {
      this.checkWhenBuilt(k, buffers);
      return;
    }
    const built = this.scope ? k.built! : this.ready(k);
    const resources = this.storageBindings(k, built, (name, b) => this.storageBinding(k, name, b), buffers);
    if (grid.some((g) => g === 0) || this.scope) return;
    if (built.uniform && this.arenaUsed + UNIFORM_ALIGN > ARENA_BYTES) this.flush();
    const entries: GPUBindGroupEntry[] = [];
    for (const [name, info] of built.bindings) {
      if (info.kind === 'uniform') {
        const view = this.utils.makeStructuredView(built.uniform!.def, this.arena, this.arenaUsed);
        view.set(params ?? {});
        const size = Math.ceil(built.uniform!.def.size / 16) * 16;
        entries.push({ binding: info.binding, resource: { buffer: this.uniformBuffer, offset: this.arenaUsed, size } });
        this.arenaUsed += Math.ceil(size / UNIFORM_ALIGN) * UNIFORM_ALIGN;
      } else if (name === 'errors') {
        entries.push({ binding: info.binding, resource: { buffer: this.errorBuffer } });
      } else {
        entries.push({ binding: info.binding, resource: resources.get(name)! });
      }
    }
    const bindGroup = this.device.createBindGroup({ layout: built.layout, entries });
    const name = k.key.slice(0, k.key.indexOf('|'));
    if (this.profiler) {
      // Profiling: a pass per dispatch, whose timestamps bracket just this kernel.
      if (this.profiler.full) this.flush();
      this.pass?.end();
      this.encoder ??= this.device.createCommandEncoder();
      this.pass = this.encoder.beginComputePass({ timestampWrites: this.profiler.passFor(name) });
    } else if (!this.pass) {
      this.encoder = this.device.createCommandEncoder();
      this.pass = this.encoder.beginComputePass();
    }
    this.pass.setPipeline(k.pipeline!); // set by ready() above
    this.pass.setBindGroup(0, bindGroup);
    this.pass.dispatchWorkgroups(grid[0], grid[1], grid[2]);
    this.dispatches++;
    this.dispatchesByKernel.set(name, (this.dispatchesByKernel.get(name) ?? 0) + 1);
  }

  /** Each storage binding of `built` with the buffer `buffers` gives it, as `bind` binds it; none may be missing. */
  private storageBindings(
    k: Kernel, built: Built, bind: (name: string, b: Binding) => GPUBufferBinding, buffers: Record<string, Binding>,
  ): Map<string, GPUBufferBinding> {
    const resources = new Map<string, GPUBufferBinding>();
    for (const [name, info] of built.bindings) {
      if (info.kind === 'uniform' || name === 'errors') continue;
      const b = buffers[name];
      if (!b) throw new Error(`${k.key}: no buffer given for binding '${name}'`);
      resources.set(name, bind(name, b));
    }
    return resources;
  }

  /**
   * Collect mode's binding checks for a kernel still being reflected, whose bindings are not known yet: every
   * buffer given is checked now, while its size is what the walk made it, and the outcomes are matched with the
   * kernel's bindings once it is built, failing warmup just as the check would have failed the walk.
   */
  private checkWhenBuilt(k: Kernel, buffers: Record<string, Binding>): void {
    const outcomes = new Map<string, GPUBufferBinding | Error>();
    for (const [name, b] of Object.entries(buffers)) {
      try {
        outcomes.set(name, this.storageBinding(k, name, b));
      } catch (e) {
        outcomes.set(name, e instanceof Error ? e : new Error(String(e)));
      }
    }
    const outcome = (name: string): GPUBufferBinding => {
      const o = outcomes.get(name)!;
      if (o instanceof Error) throw o;
      return o;
    };
    this.scope!.checks.push(this.reflecting.get(k)!.then(() => void this.storageBindings(k, k.built!, outcome, buffers)));
  }

  /** A 1-D grid of `workgroups`, folded into y when it exceeds the per-dimension limit. */
  grid1d(workgroups: number): Grid {
    const max = this.limits.maxComputeWorkgroupsPerDimension;
    if (workgroups <= max) return [workgroups, 1, 1];
    const y = Math.ceil(workgroups / max);
    return [Math.ceil(workgroups / y), y, 1];
  }

  /** Submits everything encoded so far. */
  flush(): void {
    if (!this.encoder) {
      this.pool.afterSubmit(); // nothing is pending, so doomed buffers can go now
      return;
    }
    this.pass!.end();
    this.profiler?.resolve(this.encoder);
    if (this.arenaUsed > 0) this.device.queue.writeBuffer(this.uniformBuffer, 0, this.arena, 0, this.arenaUsed);
    this.device.queue.submit([this.encoder.finish()]);
    this.submits++;
    this.pool.afterSubmit();
    this.encoder = null;
    this.pass = null;
    this.arenaUsed = 0; // writeBuffer copied the arena, so it can be refilled at once
  }

  /**
   * Starts timing every later dispatch on the GPU (timestamp queries; see profiler.ts). Needs the adapter's
   * 'timestamp-query' feature. Profiling changes how work is encoded, so it is for finding hot kernels only.
   */
  startProfiling(): void {
    if (!this.features.has('timestamp-query')) throw new Error(`profiling needs the 'timestamp-query' feature, which ${this.adapterName} lacks`);
    this.flush();
    this.profiler ??= new Profiler(this.device);
  }

  /** Stops profiling and returns the GPU time per kernel name since startProfiling(). */
  async stopProfiling(): Promise<Map<string, KernelTime>> {
    const p = this.profiler;
    if (!p) throw new Error('stopProfiling: profiling was not started');
    this.flush();
    this.profiler = null;
    const totals = await p.settle();
    p.destroy();
    return totals;
  }

  /**
   * Writes host data into a buffer (from byte `at`, a multiple of 4), after flushing so that earlier encoded reads
   * of a reused buffer come first.
   */
  write(buffer: GPUBuffer, data: ArrayBufferView & { buffer: ArrayBufferLike }, byteLength: number, at = 0): void {
    this.checkAlive();
    this.flush();
    if (byteLength > 0) this.device.queue.writeBuffer(buffer, at, data.buffer, data.byteOffset, byteLength);
  }

  /** Reads `byteLength` bytes of a buffer back, with the error flags from the same submission. */
  async read(buffer: GPUBuffer, byteLength: number): Promise<ArrayBuffer> {
    if (this.scope) {
      throw new WarmupReadError(
        'A tensor was read inside warmup(fn), which only compiles pipelines: no GPU work runs there, so nothing has ' +
          'values yet. Read tensors after `await warmup(fn)`.',
      );
    }
    this.checkAlive();
    const errBytes = this.errorBuffer.size;
    const staging = this.device.createBuffer({
      size: errBytes + Math.max(4, Math.ceil(byteLength / 4) * 4),
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    this.flush();
    const enc = this.device.createCommandEncoder();
    enc.copyBufferToBuffer(this.errorBuffer, 0, staging, 0, errBytes);
    if (byteLength > 0) enc.copyBufferToBuffer(buffer, 0, staging, errBytes, Math.ceil(byteLength / 4) * 4);
    this.device.queue.submit([enc.finish()]);
    this.submits++;
    try {
      await staging.mapAsync(GPUMapMode.READ);
    } catch (e) {
      this.checkAlive();
      throw e;
    }
    const all = staging.getMappedRange().slice(0);
    staging.unmap();
    staging.destroy();
    this.checkAlive();
    this.raiseFlagged(new Uint32Array(all, 0, errBytes / 4));
    return all.slice(errBytes, errBytes + byteLength);
  }

  private raiseFlagged(flags: Uint32Array): void {
    const hit = ERROR_MESSAGES.filter((_, i) => flags[i] !== 0);
    if (hit.length === 0) return;
    this.device.queue.writeBuffer(this.errorBuffer, 0, new Uint32Array(this.errorBuffer.size / 4));
    throw new RangeError(`A GPU kernel reported bad input since the last read: ${hit.join('; ')}.`);
  }

  /**
   * Checks a storage size against the buffer limit before allocating. A storage may be larger than one binding
   * (maxStorageBufferBindingSize): dispatch() checks each binding, and the split kernels bind it range by range.
   */
  checkBytes(bytes: number, what: string): void {
    const limit = this.limits.maxBufferSize;
    if (bytes > limit) {
      throw new OverLimitError(
        `${what} needs ${bytes} bytes, over this adapter's limit of ${limit} bytes per buffer (maxBufferSize)`,
      );
    }
  }

  destroy(): void {
    this.reflector.dispose();
    this.flush();
    this.pool.trim();
    this.pool.afterSubmit();
    this.device.destroy();
  }
}
