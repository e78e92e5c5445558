// Compiling a user kernel and running it on one case: WGSL compile errors with their line and column, the
// contract read from the source, a pipeline with an explicit layout built from the contract's bindings, buffers
// for the inputs, the uniform and an output that is poisoned and followed by a guard region, one dispatch of the
// grid the header computes, and a readback that gives up after a timeout.
import { FAMILIES, PARAMS, packParams, readContract, type KernelContract, type KernelFamily } from './contract';
import { evalGrid } from './grid';
import type { KernelCase } from './cases';
import type { KernelDevice } from './device';

/**
 * The bit pattern every output (and guard) element holds before the kernel runs: a NaN with a payload that
 * arithmetic never produces (a computed NaN is 0x7fc00000 or 0xffc00000), so "still this pattern" means "never
 * written" and any other NaN was written by the kernel.
 */
export const POISON = 0xffbadbad;

export interface CompileMessage {
  line: number;
  col: number;
  message: string;
}

export class KernelCompileError extends Error {
  override name = 'KernelCompileError';
  constructor(readonly messages: CompileMessage[]) {
    super(messages.map((m) => `WGSL error at ${m.line}:${m.col}: ${m.message}`).join('\n'));
  }
}

export class KernelTimeoutError extends Error {
  override name = 'KernelTimeoutError';
}

export class KernelDeviceLostError extends Error {
  override name = 'KernelDeviceLostError';
}

export interface CompiledKernel {
  kd: KernelDevice;
  contract: KernelContract;
  pipeline: GPUComputePipeline;
  groups: GPUBindGroupLayout[];
}

/**
 * Compiles `source` on the device: throws KernelCompileError with each WGSL error's line and column, a
 * ContractError when it compiles but breaks the contract, or KernelCompileError when the pipeline itself is
 * refused (too large a workgroup, too much workgroup memory).
 */
export async function compileKernel(kd: KernelDevice, family: KernelFamily, source: string): Promise<CompiledKernel> {
  const device = kd.device;
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code: source, label: `user ${family} kernel` });
  const info = await module.getCompilationInfo();
  await device.popErrorScope(); // the same errors as info's, which say where
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length) throw new KernelCompileError(errors.map((m) => ({ line: m.lineNum, col: m.linePos, message: m.message })));

  const contract = readContract(family, source);
  // One bind group layout per group the kernel uses (empty ones fill any gap), from the contract rather than
  // 'auto': an auto layout drops a binding the entry point never touches, and binding it would then fail.
  const storage = FAMILIES[family].storage;
  const maxGroup = Math.max(...Object.values(contract.slots).map((s) => s.group));
  const groups: GPUBindGroupLayout[] = [];
  for (let g = 0; g <= maxGroup; g++) {
    const entries: GPUBindGroupLayoutEntry[] = Object.entries(contract.slots)
      .filter(([, s]) => s.group === g)
      .map(([name, s]) => ({
        binding: s.binding,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: name === PARAMS ? 'uniform' : storage[name] === 'read' ? 'read-only-storage' : 'storage' },
      }));
    groups.push(device.createBindGroupLayout({ entries }));
  }
  try {
    const pipeline = await device.createComputePipelineAsync({
      layout: device.createPipelineLayout({ bindGroupLayouts: groups }),
      compute: { module, entryPoint: contract.entryPoint },
    });
    return { kd, contract, pipeline, groups };
  } catch (e) {
    throw new KernelCompileError([{ line: 0, col: 0, message: `the pipeline was refused: ${(e as Error).message}` }]);
  }
}

/** Output elements past the end that are still bound, to catch writes a missing bounds check makes. */
export function guardLength(outLength: number): number {
  return Math.max(256, outLength);
}

/**
 * 'check' reads back out and its guard, inside a validation error scope, on every call; 'time' (a kernel that
 * already passed its check) reads back only out's bytes and checks the dispatch's validity on the first call only,
 * so a timed call costs what our benchmarks' and the peers' calls cost: the dispatch and the readback of out.
 */
export type RunMode = 'check' | 'time';

export interface PreparedRun {
  /** Dispatches once and reads back, as raw bits, out and its guard ('check') or out alone ('time'); rejects on a
   *  timeout or a lost device. */
  run: (timeoutMs: number) => Promise<Uint32Array>;
  /** Rewrites out and its guard with the poison pattern. */
  poison: () => void;
  outLength: number;
  /** Bytes each call copies to the host. */
  readbackBytes: number;
  grid: [number, number, number];
  dispose: () => void;
}

/**
 * Buffers and bind groups for one case; `run` can be called many times (the timing loop calls it), and
 * dispatches the kernel `inner` times before its readback.
 */
export function prepareRun(k: CompiledKernel, c: KernelCase, inner = 1, mode: RunMode = 'check'): PreparedRun {
  const { device } = k.kd;
  const grid = evalGrid(
    k.contract.grid,
    { ...c.sizes, WG_X: k.contract.workgroupSize[0], WG_Y: k.contract.workgroupSize[1], WG_Z: k.contract.workgroupSize[2] },
    device.limits.maxComputeWorkgroupsPerDimension,
  );
  const outLength = c.outShape.reduce((x, y) => x * y, 1);
  const total = outLength + guardLength(outLength);
  // The guard stays bound in both modes (the kernel sees the same buffer it was checked with); only the check reads it.
  const readbackBytes = (mode === 'check' ? total : outLength) * 4;
  const buffers: GPUBuffer[] = [];
  const make = (size: number, usage: number): GPUBuffer => {
    const b = device.createBuffer({ size: Math.max(16, Math.ceil(size / 16) * 16), usage });
    buffers.push(b);
    return b;
  };
  const bound = new Map<string, GPUBuffer>();
  for (const [name, data] of Object.entries(c.inputs)) {
    const b = make(data.byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
    device.queue.writeBuffer(b, 0, data);
    bound.set(name, b);
  }
  const out = make(total * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC);
  bound.set('out', out);
  const params = packParams(k.contract, c.params);
  const uniform = make(params.byteLength, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
  device.queue.writeBuffer(uniform, 0, params);
  bound.set(PARAMS, uniform);
  const staging = make(readbackBytes, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
  const poisonBits = new Uint32Array(total).fill(POISON);

  const bindGroups = k.groups.map((layout, g) =>
    device.createBindGroup({
      layout,
      entries: Object.entries(k.contract.slots)
        .filter(([, s]) => s.group === g)
        // out is bound with its guard: the kernel must bound its writes by the sizes in params, not arrayLength(&out).
        .map(([name, s]) => ({ binding: s.binding, resource: { buffer: bound.get(name)!, size: name === 'out' ? total * 4 : undefined } })),
    }),
  );

  const poison = (): void => device.queue.writeBuffer(out, 0, poisonBits);
  poison();
  let validated = false; // in 'time' mode, once the first dispatch was accepted, the same bindings are not re-checked
  return {
    outLength,
    readbackBytes,
    grid,
    poison,
    async run(timeoutMs) {
      if (k.kd.gone) throw new KernelDeviceLostError(`the kernel device is gone (${k.kd.gone})`);
      const scoped = mode === 'check' || !validated;
      if (scoped) device.pushErrorScope('validation');
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(k.pipeline);
      bindGroups.forEach((bg, g) => pass.setBindGroup(g, bg));
      for (let i = 0; i < inner; i++) pass.dispatchWorkgroups(...grid);
      pass.end();
      enc.copyBufferToBuffer(out, 0, staging, 0, readbackBytes);
      device.queue.submit([enc.finish()]);
      if (scoped) {
        const invalid = await device.popErrorScope();
        if (invalid) throw new Error(`the dispatch was refused: ${invalid.message}`);
        validated = true;
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
      const lost = device.lost.then(() => 'lost' as const);
      const done = device.queue.onSubmittedWorkDone().then(() => 'done' as const);
      const first = await Promise.race([done, timedOut, lost]);
      clearTimeout(timer);
      if (first === 'timeout') throw new KernelTimeoutError(`the kernel did not finish within ${timeoutMs} ms`);
      if (first === 'lost' || k.kd.gone) throw new KernelDeviceLostError(`the device was lost while the kernel ran (${k.kd.gone ?? 'lost'})`);
      await staging.mapAsync(GPUMapMode.READ);
      const bits = new Uint32Array(staging.getMappedRange(0, readbackBytes).slice(0)); // the buffer's 16-byte rounding left out
      staging.unmap();
      return bits;
    },
    dispose() {
      if (k.kd.gone) return; // its buffers go with the device
      for (const b of buffers) b.destroy();
    },
  };
}
