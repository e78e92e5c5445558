// Compiling a model's GPU pipelines ahead of its first real step. A pipeline compiles on first use, which on
// SwiftShader costs 0.2 to 0.5 s each and blocks the thread that asks; a training step of a small transformer
// needs dozens. warmup(fn) walks fn (a forward, backward and optimizer step) without running it, to learn which
// kernels it needs, and compiles them all with createComputePipelineAsync. Building and parsing their WGSL, which
// costs up to hundreds of milliseconds a kernel too, happens off the page's thread in a browser (gpu/reflector.ts).
import { getDefaultDevice, webgpuBackend } from './device';
import { tidy } from './memory';
import { CpuBackend } from './backend/cpu';
import { Module } from './nn/module';
import type { Tensor } from './tensor';

export interface WarmupResult {
  /** Pipelines compiled (those already cached are not counted). */
  pipelines: number;
  /** Milliseconds from the call until the last of them compiled. */
  ms: number;
}

/**
 * Compiles every pipeline `fn` would use, without running it. `fn` runs once, synchronously, in collect mode on
 * the WebGPU backend: each kernel it asks for starts compiling asynchronously, and no dispatch is encoded, so no
 * GPU work runs and no tensor (a parameter, an optimizer's state) changes. The promise resolves once every
 * pipeline has compiled; the same work run for real afterwards finds them all cached.
 *
 * Nothing inside has values: reading a tensor throws, and every tensor fn makes is disposed when it returns
 * (fn runs inside tidy). Tensors fn keeps beyond that (a gradient its backward leaves on a parameter, an
 * optimizer's state) hold garbage and are refused by later ops; so step a throwaway optimizer over the real
 * parameters, dispose it, and zero the gradients afterwards (optimizer.zeroGrad()). CPU tensors are refused
 * inside, with an error saying so: their ops would run for real.
 *
 * When the default device is the CPU, nothing needs compiling: fn is not run and the promise resolves at once.
 */
export async function warmup(fn: () => unknown): Promise<WarmupResult>;
/**
 * Compiles the pipelines of `module`'s forward on `inputs` and, when its output requires grad, of the backward of
 * its sum. The parameters' gradients are set aside during the walk and put back afterwards, untouched.
 */
export async function warmup(module: Module, ...inputs: Tensor[]): Promise<WarmupResult>;
export async function warmup(target: (() => unknown) | Module, ...inputs: Tensor[]): Promise<WarmupResult> {
  if (target instanceof Module) {
    const params = target.parameters();
    const grads = params.map((p) => p.grad);
    for (const p of params) p.grad = null;
    try {
      return await warmup(() => {
        const y = target.forward(...inputs);
        if (y.requiresGrad) y.sum().backward();
      });
    } finally {
      // The walk's gradients hold no values: drop them and give back the real ones.
      params.forEach((p, i) => {
        if (p.grad && p.grad !== grads[i]) p.grad.dispose();
        p.grad = grads[i];
      });
    }
  }
  const fn = target;
  const t0 = performance.now();
  const gpu = webgpuBackend();
  if (getDefaultDevice() !== 'webgpu' || !gpu) return { pipelines: 0, ms: 0 };
  CpuBackend.walking = true; // CPU ops would run for real: refused during the walk (cpu.ts)
  let started: { compiles: Array<Promise<void>>; checks: Array<Promise<void>> };
  try {
    started = gpu.ctx.collect(() =>
      tidy(() => {
        if (fn() instanceof Promise) throw new Error('warmup(fn) needs a synchronous fn: it cannot await inside, where nothing runs');
      }),
    );
  } finally {
    CpuBackend.walking = false;
  }
  await Promise.all([...started.compiles, ...started.checks]);
  return { pipelines: started.compiles.length, ms: performance.now() - t0 };
}
