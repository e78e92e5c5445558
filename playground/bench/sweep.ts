// The Bench tab's sweep: which configurations to run, and a ReactiveController that runs them (each measurement
// checked against the CPU oracle by bench/attention-core's measure()), keeps the results and the reasons for
// anything that did not run, and writes the JSON export. Our two implementations run in the page, on the engine's
// device; each peer (tfjs, jax-js, onnxruntime-web) is loaded on demand in a worker of its own (remote-peer.ts),
// and the CPU oracle runs in another, so the page's thread only draws and passes messages.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { init } from '../../engine/index';
import { webgpuBackend } from '../../engine/bench';
import {
  defaultSweep, engineRunner, fullSweep, makeInputs, measure,
  type AttentionConfig, type AttentionMeasurement, type Impl, type Inputs, type Pass, type Reference, type Runner,
} from '../../bench/attention-core';
// peers.ts is the peers' code, run in their workers; importing it here also keeps their packages in what the dev
// server's dependency crawl finds from this page (it does not follow workers), so first use reloads nothing.
import { Unsupported, errorMessage } from './peers';
import { RemotePeer } from './remote-peer';
import { Oracle } from './oracle';
import pkg from '../../package.json';

export const PAGE_IMPLS: Impl[] = ['fused', 'unfused', 'tfjs', 'jax-js', 'onnxruntime'];
export const PAGE_PASSES: Pass[] = ['fwd', 'fwd+bwd'];

export type SweepName = 'smallest' | 'default' | 'full';

export interface SweepPreset {
  label: string;
  configs: () => AttentionConfig[];
  reps: number;
}

export const SWEEPS: Record<SweepName, SweepPreset> = {
  // Seconds on SwiftShader: what the end-to-end test runs.
  smallest: {
    label: 'smallest (B=1 H=2 d=32 causal, T ∈ {64, 128}, 1 rep)',
    configs: () => [64, 128].map((T) => ({ B: 1, H: 2, T, d: 32, causal: true })),
    reps: 1,
  },
  default: { label: 'default (T ∈ {256, 1024}, d=64, 3 reps)', configs: defaultSweep, reps: 3 },
  full: { label: 'full (T ∈ {128…2048}, d ∈ {64, 128}, 3 reps; long on a software GPU)', configs: fullSweep, reps: 3 },
};

/** An (impl, pass) that produced no row, and why. config is null when the whole implementation failed to load. */
export interface Skipped {
  impl: Impl;
  pass: Pass | null;
  config: string | null;
  reason: string;
}

export interface BenchExport {
  benchmark: 'attention';
  date: string;
  adapter: string;
  userAgent: string;
  sweep: SweepName;
  reps: number;
  versions: Record<string, string>;
  results: AttentionMeasurement[];
  skipped: Skipped[];
}

export const configKey = (c: { B: number; H: number; T: number; d: number; causal: boolean }): string =>
  `B=${c.B} H=${c.H} T=${c.T} d=${c.d}${c.causal ? ' causal' : ''}`;

export type SweepState = 'idle' | 'running' | 'done' | 'failed';

/** One implementation's measure(): ours call bench/attention-core's directly, a peer's runs in its worker. */
type Measurer = (
  c: AttentionConfig, pass: Pass, x: Inputs, ref: Reference, reps: number, versions: Record<string, string>,
) => Promise<AttentionMeasurement>;

export class SweepController implements ReactiveController {
  state: SweepState = 'idle';
  progress = '';
  adapter = '';
  results: AttentionMeasurement[] = [];
  skipped: Skipped[] = [];
  versions: Record<string, string> = {};
  sweep: SweepName = 'smallest';
  reps = 1;
  private stopRequested = false;

  constructor(private host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.stopRequested = true;
  }

  stop(): void {
    this.stopRequested = true;
  }

  private set(progress: string): void {
    this.progress = progress;
    this.host.requestUpdate();
  }

  /** Opens the engine on WebGPU (the adapter name is shown before any run). */
  async open(): Promise<string> {
    const info = await init({ backend: 'webgpu' });
    this.adapter = info.adapter;
    this.host.requestUpdate();
    return info.adapter;
  }

  /** `yours`: the runner of a user kernel that passed its check, timed where impls include 'yours'. */
  async run(sweep: SweepName, impls: readonly Impl[], passes: readonly Pass[], yours: Runner | null = null): Promise<void> {
    if (this.state === 'running') return;
    const preset = SWEEPS[sweep];
    this.state = 'running';
    this.stopRequested = false;
    this.sweep = sweep;
    this.reps = preset.reps;
    this.results = [];
    this.skipped = [];
    try {
      await this.runSweep(preset, impls, passes, yours);
      this.state = 'done';
      this.set(this.stopRequested ? 'stopped' : `done: ${this.results.length} measurements`);
    } catch (e) {
      this.state = 'failed';
      this.set(`failed: ${errorMessage(e)}`);
    }
  }

  private async runSweep(preset: SweepPreset, impls: readonly Impl[], passes: readonly Pass[], yours: Runner | null): Promise<void> {
    this.set('opening WebGPU…');
    await this.open();
    const backend = webgpuBackend();
    if (!backend) throw new Error('the engine opened no WebGPU backend');
    const adapter = backend.adapterName;
    this.versions = { engine: pkg.version, browser: navigator.userAgent };

    const measurers = new Map<Impl, Measurer>();
    const peers: RemotePeer[] = [];
    let seed = 1;
    const oracle = new Oracle(); // its loops run off the page's thread
    try {
      for (const impl of impls) {
        if (impl === 'fused' || impl === 'unfused') {
          const runner = engineRunner(impl, backend);
          measurers.set(impl, (...a) => measure(runner, ...a));
          continue;
        }
        if (impl === 'yours') {
          // The Your kernel tab's checked kernel, on a device of its own (engine/kernels/device.ts).
          if (yours) measurers.set(impl, (...a) => measure(yours, ...a));
          else this.skip({ impl, pass: null, config: null, reason: 'no checked kernel to time' });
          continue;
        }
        this.set(`loading ${impl}…`);
        try {
          const { peer, version } = await RemotePeer.start(impl, adapter);
          peers.push(peer);
          measurers.set(impl, (...a) => peer.measure(...a));
          this.versions[impl] = version;
        } catch (e) {
          this.skip({ impl, pass: null, config: null, reason: `could not start: ${errorMessage(e)}` });
        }
      }

      for (const c of preset.configs()) {
        if (this.stopRequested) return;
        const x = makeInputs(c, (seed += 10));
        this.set(`${configKey(c)}: CPU oracle…`);
        const ref = await oracle.reference(c, x, passes.includes('fwd+bwd'));
        await this.measureConfig(c, x, ref, preset, passes, measurers);
      }
    } finally {
      oracle.dispose();
      for (const p of peers) p.dispose();
    }
  }

  /** Every (pass, implementation) at one configuration, with a frame drawn between measurements. */
  private async measureConfig(
    c: AttentionConfig, x: Inputs, ref: Reference, preset: SweepPreset, passes: readonly Pass[], measurers: Map<Impl, Measurer>,
  ): Promise<void> {
    for (const pass of passes) {
      for (const [impl, measureOne] of measurers) {
        if (this.stopRequested) return;
        this.set(`${configKey(c)}: ${impl} ${pass}…`);
        try {
          this.results = [...this.results, await measureOne(c, pass, x, ref, preset.reps, this.versions)];
        } catch (e) {
          // An unsupported pass is said once per impl; a failure is said per configuration.
          const unsupported = e instanceof Unsupported;
          if (!unsupported || !this.skipped.some((s) => s.impl === impl && s.pass === pass)) {
            this.skip({ impl, pass, config: unsupported ? null : configKey(c), reason: errorMessage(e) });
          }
        }
        this.host.requestUpdate();
        // Let the page paint between measurements.
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      }
    }
  }

  private skip(s: Skipped): void {
    this.skipped = [...this.skipped, s];
    this.host.requestUpdate();
  }

  toExport(): BenchExport {
    return {
      benchmark: 'attention',
      date: new Date().toISOString(),
      adapter: this.adapter,
      userAgent: navigator.userAgent,
      sweep: this.sweep,
      reps: this.reps,
      versions: this.versions,
      results: this.results,
      skipped: this.skipped,
    };
  }
}
