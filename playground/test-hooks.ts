// Hooks for the browser tests, on `window.__playgroundTest`, installed only when the page's address has
// `?test-hooks`: they do what a person can't do on demand (lose the GPU device) and read what the page doesn't
// show (every weight, the engine's live allocations), so that the tests can check what training keeps and that it
// leaks nothing.
import { webgpuBackend } from '../engine/bench';
import { memoryStats, type MemoryStats } from '../engine/index';
import type { TrainerController } from './controllers/trainer';

export interface PlaygroundTestHooks {
  /** Destroys the WebGPU device, as a driver reset or a crashed GPU process would lose it. */
  loseDevice(): void;
  /** Every parameter of the prepared graph by name ("linear_1.weight"), read back between steps; null before it is prepared. */
  parameters(): Promise<Record<string, number[]> | null>;
  /** The engine's live and pooled allocations on the default device (engine memoryStats()), between steps. */
  memoryStats(): Promise<MemoryStats>;
}

export function installTestHooks(trainer: TrainerController): void {
  if (!new URLSearchParams(location.search).has('test-hooks')) return;
  window.__playgroundTest = {
    loseDevice() {
      const backend = webgpuBackend();
      if (!backend) throw new Error('loseDevice: no WebGPU device is open');
      backend.device.destroy();
    },
    parameters: () =>
      trainer.exclusive(async () => {
        const module = trainer.graph?.module;
        if (!module) return null;
        const out: Record<string, number[]> = {};
        for (const [name, p] of module.namedParameters()) out[name] = Array.from(await p.toArray());
        return out;
      }),
    memoryStats: () => trainer.exclusive(async () => memoryStats()),
  };
}

declare global {
  interface Window {
    __playgroundTest?: PlaygroundTestHooks;
  }
}
