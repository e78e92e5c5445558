// A user's kernel (docs/kernel-contract.md) as one more implementation in the benchmarks: an attention Runner for
// bench/attention-core.ts's measure() and a matmul peer for bench/matmul.ts, both made from a kernel that passed
// checkKernel. No Node APIs, so the Bench page's "Your kernel" tab uses the attention runner too.
import { kernelRunner, type KernelReport, type KernelRunner } from '../engine/index';
import type { Runner } from './attention-core';

/** The impl name the user's kernel has in tables, JSON and charts. */
export const YOURS = 'yours';

/** bench/attention-core's Runner for a checked attention kernel: forward only (the contract has no backward). */
export async function userAttentionRunner(checked: KernelReport): Promise<Runner> {
  if (checked.family !== 'attention') throw new Error(`an attention benchmark needs an attention kernel, not a ${checked.family} one`);
  const runner: KernelRunner = await kernelRunner(checked);
  return {
    impl: YOURS,
    adapter: runner.adapter,
    prepare(c, x, pass) {
      if (pass !== 'fwd') throw new Error('your kernel is a forward kernel (the contract has no backward), so fwd+bwd is not run');
      const p = runner.prepare({ shape: { ...c, window: 0 }, inputs: { q: x.q, k: x.k, v: x.v } });
      return {
        run: p.run,
        result: () => [p.result()],
        gpuMs: async () => null, // it runs on a device of its own, which our timestamp timer does not see
        peakBytes: async () => null,
        dispose: p.dispose,
      };
    },
  };
}

/** One shape bench/matmul.ts times: `batch` independent (M, K) @ (K, N) products; `label` says what it stands for. */
export interface MatmulSize {
  label: string;
  batch: number;
  M: number;
  N: number;
  K: number;
}

/** bench/matmul.ts's peer for a checked matmul kernel: single products only (the contract has no batch). */
export async function userMatmulPeer(checked: KernelReport): Promise<{
  adapter: string;
  prepare: (a: Float32Array, b: Float32Array, s: MatmulSize, inner: number) => { run: () => Promise<void>; result: () => Float32Array; dispose: () => void };
}> {
  if (checked.family !== 'matmul') throw new Error(`a matmul benchmark needs a matmul kernel, not an ${checked.family} one`);
  const runner = await kernelRunner(checked);
  return {
    adapter: runner.adapter,
    prepare(a, b, s, inner) {
      if (s.batch !== 1) throw new Error(`your kernel computes one (M, K) @ (K, N) product (the contract has no batch); ${s.label} has a batch of ${s.batch}`);
      const p = runner.prepare({ shape: { M: s.M, N: s.N, K: s.K }, inputs: { a, b }, inner });
      return { run: p.run, result: p.result, dispose: p.dispose };
    },
  };
}
