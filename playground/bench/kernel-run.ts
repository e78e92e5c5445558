// The "Your kernel" tab's Run, as a ReactiveController: check the kernel against the CPU oracle (checkKernel, on
// the kernel device: engine/kernels/device.ts), and only if it passes, time it. An attention kernel is timed in
// the Bench page's sweep (sweep.ts) as 'yours' beside ours and the peers chosen, in the same run and chart; a
// matmul kernel beside our matmul and the matmul peers chosen (tfjs, jax-js: matmul-peers.ts) at a few square sizes,
// in one table. A run never waits on a user kernel for longer than the check's per-dispatch timeout, and a peer
// that fails to start or run is listed as skipped with its reason, never failing the run.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { checkKernel, init, kernelRunner, DEFAULT_TIMEOUT_MS, type KernelFamily, type KernelReport } from '../../engine/index';
import { CpuBackend, denseMatmul, webgpuBackend } from '../../engine/bench';
import { maxAbsErr, seededFloats, timeIt } from '../../bench/harness';
import type { Impl } from '../../bench/attention-core';
import { userAttentionRunner } from '../../bench/user-kernel-core';
import { SweepController } from './sweep';
import { errorMessage } from './peers';
import { MATMUL_PEERS, startMatmulPeer, type MatmulPeer, type MatmulPeerImpl, type MatmulPrepared } from './matmul-peers';
import type { MatmulRow } from './kernel-store';

export type KernelRunState = 'idle' | 'checking' | 'timing' | 'done' | 'failed';

/** Square sizes for matmul timing: small enough for a software adapter, each a multiple of nothing in particular. */
export const PAGE_MATMUL_SIZES = [64, 128, 256];

/** How long one peer's start or timing at one size may take before the peer is given up for the rest of the run. */
const PEER_TIMEOUT_MS = 60_000;

/** A matmul peer that did not start (config '') or did not run at one size, and why. */
export interface MatmulSkipped {
  impl: MatmulPeerImpl;
  config: string;
  reason: string;
}

/** The promise, or a rejection naming `what` once `ms` have passed (the promise itself is left to settle). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

export class KernelRunController implements ReactiveController {
  state: KernelRunState = 'idle';
  progress = '';
  report: KernelReport | null = null;
  matmul: MatmulRow[] = [];
  matmulSkipped: MatmulSkipped[] = [];
  /** The attention sweep (its results, what was skipped and why), shared with the Bench tab's code. */
  readonly sweep: SweepController;

  constructor(private host: ReactiveControllerHost) {
    host.addController(this);
    this.sweep = new SweepController(host);
  }

  hostConnected(): void {}

  private set(state: KernelRunState, progress: string): void {
    this.state = state;
    this.progress = progress;
    this.host.requestUpdate();
  }

  /** Checks, then times beside ours and the peers in `beside` (those that have the family). Resolves when done; never rejects. */
  async run(family: KernelFamily, source: string, beside: readonly Impl[]): Promise<void> {
    if (this.state === 'checking' || this.state === 'timing') return;
    this.report = null;
    this.matmul = [];
    this.matmulSkipped = [];
    this.sweep.results = [];
    this.sweep.skipped = [];
    this.set('checking', `compiling and checking against the CPU oracle (each dispatch may take at most ${DEFAULT_TIMEOUT_MS / 1000} s)…`);
    try {
      this.report = await checkKernel({ family, source });
      if (!this.report.ok) {
        this.set('failed', 'the check failed, so the kernel was not timed');
        return;
      }
      this.set('timing', 'timing…');
      if (family === 'attention') {
        await this.sweep.run('smallest', [...beside, 'yours'], ['fwd'], await userAttentionRunner(this.report));
        if (this.sweep.state === 'failed') throw new Error(this.sweep.progress);
      } else {
        await this.timeMatmul(this.report, MATMUL_PEERS.filter((p) => beside.includes(p)));
      }
      this.set('done', `done: checked, and timed on ${this.report.adapter}`);
    } catch (e) {
      this.set('failed', `failed: ${errorMessage(e)}`);
    }
  }

  private skipMatmul(s: MatmulSkipped): void {
    this.matmulSkipped = [...this.matmulSkipped, s];
    this.host.requestUpdate();
  }

  /**
   * Ours (the engine's matmul), yours and each started peer at each size: matmul + readback per call, one warm-up,
   * median of 3, each checked against the same CPU oracle output.
   */
  private async timeMatmul(report: KernelReport, peers: readonly MatmulPeerImpl[]): Promise<void> {
    await init({ backend: 'webgpu' });
    const backend = webgpuBackend();
    if (!backend) throw new Error('the engine opened no WebGPU backend');
    const yours = await kernelRunner(report);
    const running = new Map<MatmulPeerImpl, MatmulPeer>();
    for (const impl of peers) {
      this.progress = `starting ${impl}…`;
      this.host.requestUpdate();
      try {
        running.set(impl, await within(startMatmulPeer(impl), PEER_TIMEOUT_MS, `starting ${impl}`));
      } catch (e) {
        this.skipMatmul({ impl, config: '', reason: `did not start: ${errorMessage(e)}` });
      }
    }
    let seed = 1;
    for (const n of PAGE_MATMUL_SIZES) {
      const [M, N, K] = [n, n, n];
      const a = seededFloats(M * K, seed++); // (M, K)
      const b = seededFloats(K * N, seed++); // (K, N)
      const p = denseMatmul({ batch: 1, M, N, K, aBatchStride: 0, bBatchStride: 0 });
      const [ga, gb] = [backend.upload(a), backend.upload(b)];
      let ourOut: Float32Array = new Float32Array(0);
      const ours = async (): Promise<void> => {
        const c = backend.matmul(ga, gb, p).out; // (M, N)
        ourOut = (await backend.read(c)) as Float32Array;
        backend.free(c);
      };
      const mine = yours.prepare({ shape: { M, N, K }, inputs: { a, b } });
      try {
        this.progress = `${n}³: CPU oracle…`;
        this.host.requestUpdate();
        const cpu = new CpuBackend();
        const want = (await cpu.read(cpu.matmul(cpu.upload(a), cpu.upload(b), p).out)) as Float32Array; // (M, N)
        this.progress = `${n}³: ours…`;
        this.host.requestUpdate();
        const to = await timeIt(ours, 3);
        this.progress = `${n}³: yours…`;
        this.host.requestUpdate();
        const ty = await timeIt(mine.run, 3);
        const gflops = (ms: number): number => (2 * M * N * K) / (ms * 1e6);
        this.matmul = [
          ...this.matmul,
          { impl: 'ours', M, N, K, ms: to.ms, minMs: to.min, maxMs: to.max, gflops: gflops(to.ms), maxAbsErr: maxAbsErr(ourOut, want) },
          { impl: 'yours', M, N, K, ms: ty.ms, minMs: ty.min, maxMs: ty.max, gflops: gflops(ty.ms), maxAbsErr: maxAbsErr(mine.result(), want) },
        ];
        for (const [impl, peer] of running) {
          this.progress = `${n}³: ${impl}…`;
          this.host.requestUpdate();
          let prepared: MatmulPrepared | null = null;
          try {
            prepared = peer.prepare(a, b, M, N, K);
            const t = await within(timeIt(prepared.run, 3), PEER_TIMEOUT_MS, `${impl} at ${n}³`);
            const row: MatmulRow = { impl, M, N, K, ms: t.ms, minMs: t.min, maxMs: t.max, gflops: gflops(t.ms), maxAbsErr: maxAbsErr(prepared.result(), want) };
            this.matmul = [...this.matmul, row];
          } catch (e) {
            this.skipMatmul({ impl, config: `${M}×${N}×${K}`, reason: errorMessage(e) });
            running.delete(impl); // a peer that failed once is not asked again at the larger sizes
          } finally {
            try {
              prepared?.dispose();
            } catch {
              // The peer's own tensors only; nothing of ours or yours depends on them.
            }
          }
        }
      } finally {
        mine.dispose();
        backend.free(ga);
        backend.free(gb);
      }
    }
  }
}
