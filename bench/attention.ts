// Attention benchmark CLI: our fused kernels, our composed path (matmul → softmax → matmul, the engine's own
// kernels) and tfjs-backend-webgpu (4.22, matMul → softmax → matMul), on the same adapter in the same process,
// each checked against the CPU backend's attention loops. The core (configs, runners, report) is
// bench/attention-core.ts, which a browser page can import.
//
//   npm run bench:attention                    the default sweep (a few minutes on SwiftShader): a table, the
//                                              ratios against the targets, and peak memory against T
//   npm run -s bench:attention -- --json       only a JSON array on stdout (progress goes to stderr)
//   flags: --full (T ∈ {128…2048} × d ∈ {64, 128} × causal/not)  --reps=N (default 3)  --impl=fused,unfused,tfjs
//          --pass=fwd,fwd+bwd  --T=256,1024 --d=64 --causal=true|false (filter the sweep)
//          --kernel path/to/kernel.wgsl: your attention kernel (docs/kernel-contract.md), checked against the CPU
//          oracle first (a failure is printed and exits 1, untimed), then timed as 'yours' (forward only).
//          --set=gpu: instead of the default sweep, the target point and GPT-2 small's B=4 H=12 d=64 causal at
//          T = 1024 and 4096 (gpuSweep), against every peer: fused, unfused, tfjs, jax-js and onnxruntime-web
//          (forward only), the last two loaded as in the Bench page (bench/node-peers.ts); add --impl to narrow.
//          jax-js and onnxruntime also run in the default sweep when --impl names them.
//          --report=<path>: also write the whole run (adapter, peak, versions, results, what did not run and why) as
//          JSON there (bench/report.ts), as bench/gpu/run.sh does.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { init } from '../engine/index';
import { nodeGpuInstance, webgpuBackend } from '../engine/bench';
import { makeLog, parseArgs } from './harness';
import { checkKernelFile, kernelArg } from './user-kernel';
import { userAttentionRunner } from './user-kernel-core';
import {
  IMPLS, PASSES, cpuReference, defaultSweep, engineRunner, formatReport, fullSweep, gpuSweep, makeInputs, measure,
  oracleHeads, tfjsRunner, type AttentionMeasurement, type Impl, type Pass, type Runner,
} from './attention-core';
import { formatRatios } from './attention-ratios';
import { loadJaxNode, loadOnnxRuntimeNode } from './node-peers';
import { knownPeak } from './peak';
import { writeReport, type NotRun } from './report';

const args = parseArgs(process.argv.slice(2), 3);
const log = makeLog(args.json);

function packageVersion(name: string): string {
  try {
    const path = fileURLToPath(new URL(`../node_modules/${name}/package.json`, import.meta.url));
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function list(flag: string): string[] | null {
  const v = args.flags.get(flag);
  return v ? v.split(',') : null;
}

function errMessage(e: unknown): string {
  return e instanceof Error ? e.message.split('\n')[0] : String(e);
}

async function main(): Promise<void> {
  await init({ backend: 'webgpu' });
  const backend = webgpuBackend()!;
  const adapter = backend.adapterName;
  const versions: Record<string, string> = {
    engine: packageVersion('..'),
    node: process.version,
    webgpu: packageVersion('webgpu'),
    '@tensorflow/tfjs-core': packageVersion('@tensorflow/tfjs-core'),
    '@tensorflow/tfjs-backend-webgpu': packageVersion('@tensorflow/tfjs-backend-webgpu'),
  };
  versions.engine = (JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as { version: string }).version;

  const startedAt = new Date();
  const set = args.flags.get('set') ?? 'default';
  if (set !== 'default' && set !== 'gpu') throw new Error(`bad --set '${set}': use default or gpu`);
  const nodePeers: Impl[] = ['jax-js', 'onnxruntime'];
  const impls = [...IMPLS, ...nodePeers].filter((i) => (args.only ? args.only.has(i) : set === 'gpu' || IMPLS.includes(i)));
  const passes = PASSES.filter((p) => !list('pass') || list('pass')!.includes(p));
  let configs = set === 'gpu' ? gpuSweep() : args.flags.has('full') ? fullSweep() : defaultSweep();
  const Ts = list('T')?.map(Number);
  const ds = list('d')?.map(Number);
  const causal = args.flags.get('causal');
  configs = configs.filter((c) => (!Ts || Ts.includes(c.T)) && (!ds || ds.includes(c.d)) && (causal === undefined || String(c.causal) === causal));
  log(`adapter: ${adapter}; timestamp-query: ${backend.ctx.features.has('timestamp-query') ? 'yes' : 'no'}; ${args.reps} timed reps after one warm-up`);

  const runners = new Map<Impl, Runner>();
  const notRun: NotRun[] = [];
  if (impls.includes('fused')) runners.set('fused', engineRunner('fused', backend));
  if (impls.includes('unfused')) runners.set('unfused', engineRunner('unfused', backend));
  if (impls.includes('tfjs')) {
    try {
      const gpu = nodeGpuInstance();
      if (!gpu) throw new Error('no Dawn instance to share');
      // tfjs finds WebGPU through navigator.gpu; Node 20 has no navigator, so hand it Dawn's instance.
      Object.defineProperty(globalThis, 'navigator', { value: { gpu, userAgent: 'node' }, configurable: true, writable: true });
      const tf = await import('@tensorflow/tfjs-core');
      await import('@tensorflow/tfjs-backend-webgpu');
      // tf.grads needs the gradient registry, which tfjs-core's main entry does not load.
      await import('@tensorflow/tfjs-core/dist/register_all_gradients');
      if (!(await tf.setBackend('webgpu'))) throw new Error('tf.setBackend("webgpu") returned false');
      await tf.ready();
      versions['@tensorflow/tfjs-core'] = tf.version_core;
      runners.set('tfjs', tfjsRunner(tf, adapter));
    } catch (e) {
      notRun.push({ impl: 'tfjs', what: 'all', why: errMessage(e) });
      log(`tfjs: could not start (${errMessage(e)}); carrying on without it`);
    }
  }
  for (const impl of nodePeers.filter((i) => impls.includes(i))) {
    try {
      const gpu = nodeGpuInstance();
      if (!gpu) throw new Error('no Dawn instance to share');
      const peer = impl === 'jax-js' ? await loadJaxNode(gpu, adapter) : await loadOnnxRuntimeNode(gpu, adapter);
      versions[impl] = peer.version;
      runners.set(impl, peer.runner);
    } catch (e) {
      notRun.push({ impl, what: 'all', why: errMessage(e) });
      log(`${impl}: could not start (${errMessage(e)}); carrying on without it`);
    }
  }

  // --kernel path/to/kernel.wgsl: checked against the CPU oracle first (a failure exits here), then timed as 'yours'.
  const kernelPath = kernelArg(process.argv.slice(2));
  if (kernelPath) runners.set('yours', await userAttentionRunner(await checkKernelFile('attention', kernelPath, args.json, log)));

  const results: AttentionMeasurement[] = [];
  // --report is rewritten after every measurement, so a run stopped by a time limit leaves what it had measured.
  const reportPath = args.flags.get('report');
  const save = (): void => {
    if (!reportPath) return;
    writeReport(reportPath, {
      bench: 'attention', adapter, peak: knownPeak(adapter), argv: process.argv.slice(2), versions,
      startedAt: startedAt.toISOString(), seconds: (Date.now() - startedAt.getTime()) / 1000, results, notRun,
    });
  };
  save();
  let seed = 1;
  for (const c of configs) {
    const x = makeInputs(c, (seed += 10));
    const t0 = performance.now();
    const ref = await cpuReference(c, x, passes.includes('fwd+bwd'), oracleHeads(c));
    const checked = ref.heads ? `heads ${ref.heads.join(' and ')} of ${c.B * c.H}` : 'every head';
    log(`B=${c.B} H=${c.H} T=${c.T} d=${c.d}${c.causal ? ' causal' : ''}: CPU oracle on ${checked} took ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    for (const pass of passes as Pass[]) {
      for (const [impl, runner] of runners) {
        try {
          const m = await measure(runner, c, pass, x, ref, args.reps, versions);
          results.push(m);
          save();
          log(`  ${impl.padEnd(7)} ${pass.padEnd(7)} ${m.ms.toFixed(1)} ms  ${m.gflops.toFixed(3)} GFLOPS  peak ${m.peakBytes === null ? 'n/a' : (m.peakBytes / 2 ** 20).toFixed(2) + ' MiB'}  maxAbsErr ${m.maxAbsErr.toExponential(2)}`);
        } catch (e) {
          notRun.push({ impl, what: `B=${c.B} H=${c.H} T=${c.T} d=${c.d}${c.causal ? ' causal' : ''} ${pass}`, why: errMessage(e) });
          save();
          log(`  ${impl} ${pass}: failed (${errMessage(e)}); carrying on`);
        }
      }
    }
  }
  save();
  if (args.json) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    return;
  }
  console.log(`\n${formatReport(results)}`);
  console.log(`\n${formatRatios(results, adapter)}`);
  for (const n of notRun) console.log(`\n${n.impl} did not run${n.what === 'all' ? '' : ` at ${n.what}`}: ${n.why}`);
  console.log(`\nversions: ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')}`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  },
);
