// Matmul benchmark: our WebGPU kernel against tfjs (tfjs-backend-webgpu 4.22) and jax-js (0.1.25), all three on
// the same adapter in the same process (one Dawn instance), each checked against the CPU backend.
//
//   npm run bench:matmul                     a table, then the speed ratios
//   npm run -s bench:matmul -- --json        only a JSON array on stdout (progress goes to stderr)
//   flags: --reps=N (default 5)  --impl=ours,tfjs,jaxjs  --sizes=256,1024,1000x700x300 (N or MxNxK)
//          --variant=auto|software|gpu|gpu-large|gpu-small (default auto): which of our kernels runs, through
//          setMatmulVariant (engine/backend/gpu/matmul.ts). auto = the tiled kernel (shaders/matmul_tiled.wgsl)
//          on hardware GPUs, the SwiftShader-tuned ones on CPU Vulkan; software / gpu force one family on any
//          adapter; gpu-large / gpu-small force the tiled kernel's 64×64 or 32×32 tile. Each size logs the
//          kernel that ran (JSON: `kernel` on ours' rows).
//
// A measurement is: encode one (M, K) @ (K, N) matmul, run it and read C back to the host, so every library pays
// the same readback. One untimed warm-up call (shader compilation), then the median of --reps calls.
// GFLOPS = 2·M·N·K / time. maxAbsErr is against CpuBackend.matmul on the same seeded inputs (uniform in [-1, 1)),
// computed once per size and shared by the three implementations.
//
// Kernel variants tried on SwiftShader (2 cores, 1024³; GFLOPS from CPU time, because other jobs shared the
// machine; workgroup 16×4 unless noted; all without workgroup memory):
//   block (rows×cols)  K per trip  notes                     GFLOPS
//   8×8                4           the starting point        2.9-3.0
//   8×8                4           fma() builtin             ≈ same
//   8×8                8           two vec4s of A per trip   ≈ same
//   4×8, 4×16, 8×4     4                                     2.0-2.4
//   8×12, 6×16         4                                     3.1
//   8×16               4                                     3.4-3.7
//   16×16, 12×16       4                                     3.5-4.1
//   16×24, 16×32       4                                     4.1-4.5
//   32×16              4           kept (workgroup 4×4)      4.2-4.7
//   32×16 as structs + arrays with constant indices (the readable form kept in shaders/matmul.wgsl): ≈ 5% slower
//   than 32 named variables, within noise. Workgroup shapes 4×4, 16×4, 64×1, 8×8 differ by < 10%; 4×4 also
//   wastes least on small matrices. Taller blocks beat wider ones: A's vec4 is one cache line, B's tile spans 4.
import {
  CpuBackend, WebGPUBackend, denseMatmul, nodeGpuInstance, getMatmulVariant, MATMUL_VARIANTS, matmulKernelInfo,
  setMatmulVariant, type MatmulParams, type MatmulVariant,
} from '../engine/bench';
import { formatTable, makeLog, maxAbsErr, parseArgs, round, seededFloats, timeIt, type Cell } from './harness';

type Impl = 'ours' | 'tfjs' | 'jaxjs';
const IMPLS: Impl[] = ['ours', 'tfjs', 'jaxjs'];

interface Measurement {
  impl: Impl;
  M: number;
  N: number;
  K: number;
  ms: number; // median
  gflops: number;
  maxAbsErr: number;
  adapter: string;
  reps: number;
  minMs: number;
  maxMs: number;
  kernel?: string; // ours only: the kernel (and tiled template variables) that ran
}

/** One prepared matmul: `run` computes C and reads it back; `result` is the last C read. */
interface Prepared {
  run: () => Promise<void>;
  result: () => Float32Array;
  dispose: () => void;
}

/** A library that can multiply on the shared adapter. */
interface Peer {
  adapter: string;
  prepare: (a: Float32Array, b: Float32Array, M: number, N: number, K: number) => Prepared;
}

const args = parseArgs(process.argv.slice(2), 5);
const log = makeLog(args.json);

function parseVariant(spec: string | undefined): MatmulVariant {
  if (spec === undefined) return 'auto';
  const v = MATMUL_VARIANTS.find((x) => x === spec);
  if (!v) throw new Error(`bad --variant '${spec}': use one of ${MATMUL_VARIANTS.join(', ')}`);
  return v;
}

function parseSizes(spec: string | undefined): Array<[number, number, number]> {
  if (!spec) return [[256, 256, 256], [512, 512, 512], [1024, 1024, 1024], [1000, 700, 300]];
  return spec.split(',').map((s) => {
    const d = s.split('x').map(Number);
    const [M, N, K] = d.length === 1 ? [d[0], d[0], d[0]] : d;
    if (![M, N, K].every((v) => Number.isInteger(v) && v > 0)) throw new Error(`bad size '${s}': use N or MxNxK`);
    return [M, N, K];
  });
}

async function oursPeer(): Promise<{ peer: Peer; backend: WebGPUBackend }> {
  const backend = await WebGPUBackend.create();
  const peer: Peer = {
    adapter: backend.adapterName,
    prepare(aData, bData, M, N, K) {
      const p: MatmulParams = denseMatmul({ batch: 1, M, N, K, aBatchStride: 0, bBatchStride: 0 });
      const a = backend.upload(aData); // (M, K)
      const b = backend.upload(bData); // (K, N)
      let out: Float32Array = new Float32Array(0);
      return {
        async run() {
          const c = backend.matmul(a, b, p).out; // (M, N)
          out = (await backend.read(c)) as Float32Array;
          backend.free(c);
        },
        result: () => out,
        dispose() {
          backend.free(a);
          backend.free(b);
        },
      };
    },
  };
  return { peer, backend };
}

/** Both peers find WebGPU through navigator.gpu; Node 20 has no navigator, so give them Dawn's instance. */
function exposeNavigator(gpu: GPU): void {
  Object.defineProperty(globalThis, 'navigator', { value: { gpu, userAgent: 'node' }, configurable: true, writable: true });
}

async function tfjsPeer(adapter: string): Promise<Peer> {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('tf.setBackend("webgpu") returned false');
  await tf.ready();
  return {
    adapter,
    prepare(aData, bData, M, N, K) {
      const a = tf.tensor2d(aData, [M, K]);
      const b = tf.tensor2d(bData, [K, N]);
      let out: Float32Array = new Float32Array(0);
      return {
        async run() {
          const c = tf.matMul(a, b); // (M, N)
          out = (await c.data()) as Float32Array;
          c.dispose();
        },
        result: () => out,
        dispose() {
          a.dispose();
          b.dispose();
        },
      };
    },
  };
}

async function jaxPeer(adapter: string): Promise<Peer> {
  const jax = await import('@jax-js/jax');
  const devices = await jax.init();
  if (!devices.includes('webgpu')) throw new Error(`jax-js init() found no webgpu device (it has: ${devices.join(', ')})`);
  jax.defaultDevice('webgpu');
  const np = jax.numpy;
  return {
    adapter,
    prepare(aData, bData, M, N, K) {
      // jax-js arrays are reference-counted and consumed by ops; `.ref` keeps a and b alive across calls.
      const a = np.array(aData).reshape([M, K]);
      const b = np.array(bData).reshape([K, N]);
      let out: Float32Array = new Float32Array(0);
      return {
        async run() {
          const c = np.matmul(a.ref, b.ref); // (M, N)
          out = (await c.data()) as Float32Array; // data() consumes c
        },
        result: () => out,
        dispose() {
          a.dispose();
          b.dispose();
        },
      };
    },
  };
}

function errMessage(e: unknown): string {
  return e instanceof Error ? e.message.split('\n')[0] : String(e);
}

async function main(): Promise<void> {
  const sizes = parseSizes(args.flags.get('sizes'));
  const variant = parseVariant(args.flags.get('variant'));
  setMatmulVariant(variant);
  const wanted = IMPLS.filter((i) => !args.only || args.only.has(i));
  const { peer: ours, backend } = await oursPeer();
  const adapter = backend.adapterName;
  log(`adapter: ${adapter}; ${args.reps} timed reps after one warm-up; each rep = matmul + readback of C`);
  log(`our matmul variant: ${variant}`);

  const peers = new Map<Impl, Peer>();
  const failed = new Map<Impl, string>();
  if (wanted.includes('ours')) peers.set('ours', ours);
  const gpu = nodeGpuInstance();
  for (const impl of wanted.filter((i) => i !== 'ours') as Array<Exclude<Impl, 'ours'>>) {
    try {
      if (!gpu) throw new Error('no Dawn instance to share (not running in Node?)');
      exposeNavigator(gpu);
      peers.set(impl, impl === 'tfjs' ? await tfjsPeer(adapter) : await jaxPeer(adapter));
    } catch (e) {
      failed.set(impl, errMessage(e));
      log(`${impl}: could not start (${errMessage(e)}); carrying on without it`);
    }
  }

  const cpu = new CpuBackend();
  const results: Measurement[] = [];
  let seed = 1;
  for (const [M, N, K] of sizes) {
    const aData = seededFloats(M * K, seed++); // (M, K)
    const bData = seededFloats(K * N, seed++); // (K, N)
    const t0 = performance.now();
    const [ca, cb] = [cpu.upload(aData), cpu.upload(bData)];
    const cc = cpu.matmul(ca, cb, denseMatmul({ batch: 1, M, N, K, aBatchStride: 0, bBatchStride: 0 })).out;
    const want = await cpu.read(cc);
    [ca, cb, cc].forEach((s) => cpu.free(s));
    log(`${M}×${N}×${K}: CPU oracle took ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    for (const [impl, peer] of peers) {
      let prepared: Prepared | null = null;
      try {
        prepared = peer.prepare(aData, bData, M, N, K);
        const t = await timeIt(prepared.run, args.reps);
        const m: Measurement = {
          impl, M, N, K,
          ms: t.ms,
          gflops: (2 * M * N * K) / (t.ms * 1e6),
          maxAbsErr: maxAbsErr(prepared.result(), want),
          adapter: peer.adapter,
          reps: t.reps,
          minMs: t.min,
          maxMs: t.max,
        };
        if (impl === 'ours') {
          m.kernel = matmulKernelInfo(backend.ctx, denseMatmul({ batch: 1, M, N, K, aBatchStride: 0, bBatchStride: 0 })).name;
        }
        results.push(m);
        log(`  ${impl.padEnd(5)} ${m.ms.toFixed(1)} ms  ${m.gflops.toFixed(2)} GFLOPS  maxAbsErr ${m.maxAbsErr.toExponential(2)}${m.kernel ? `  [${m.kernel}]` : ''}`);
      } catch (e) {
        log(`  ${impl}: failed at ${M}×${N}×${K} (${errMessage(e)}); carrying on`);
      } finally {
        prepared?.dispose();
      }
    }
  }

  if (args.json) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    return;
  }
  printReport(results, adapter, failed);
}

function printReport(results: Measurement[], adapter: string, failed: Map<Impl, string>): void {
  const rows: Array<Record<string, Cell>> = results.map((r) => ({
    impl: r.impl,
    'M×N×K': `${r.M}×${r.N}×${r.K}`,
    'ms (median)': round(r.ms, 1),
    'min–max ms': `${r.minMs.toFixed(1)}–${r.maxMs.toFixed(1)}`,
    GFLOPS: round(r.gflops, 2),
    maxAbsErr: r.maxAbsErr.toExponential(2),
  }));
  console.log(`\nMatmul, float32, on ${adapter} (all implementations on this adapter, one process; ours: --variant=${getMatmulVariant()})\n`);
  console.log(formatTable(['impl', 'M×N×K', 'ms (median)', 'min–max ms', 'GFLOPS', 'maxAbsErr'], rows));

  // Speed ratios: ours GFLOPS / peer GFLOPS at each size (> 1 means ours is faster).
  const ratioRows: Array<Record<string, Cell>> = [];
  const sizes = [...new Set(results.map((r) => `${r.M}×${r.N}×${r.K}`))];
  for (const size of sizes) {
    const at = (impl: Impl) => results.find((r) => r.impl === impl && `${r.M}×${r.N}×${r.K}` === size);
    const ours = at('ours');
    const ratio = (impl: Impl): Cell => {
      const peer = at(impl);
      return ours && peer ? `${(ours.gflops / peer.gflops).toFixed(2)}×` : 'n/a';
    };
    ratioRows.push({ 'M×N×K': size, 'ours/tfjs': ratio('tfjs'), 'ours/jaxjs': ratio('jaxjs') });
  }
  console.log('\nSpeed ratios (ours GFLOPS / peer GFLOPS):\n');
  console.log(formatTable(['M×N×K', 'ours/tfjs', 'ours/jaxjs'], ratioRows));
  for (const [impl, why] of failed) console.log(`\n${impl} did not run: ${why}`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  },
);
