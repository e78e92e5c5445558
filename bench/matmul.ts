// Matmul benchmark: our WebGPU kernel against tfjs (tfjs-backend-webgpu 4.22) and jax-js (0.1.25), all three on
// the same adapter in the same process (one Dawn instance), each checked against the CPU backend.
//
//   npm run bench:matmul                     a table, then the speed ratios
//   npm run -s bench:matmul -- --json        only a JSON array on stdout (progress goes to stderr)
//   flags: --reps=N (default 5)  --impl=ours,tfjs,jaxjs  --sizes=256,1024,1000x700x300 (N, MxNxK or BxMxNxK)
//          --set=default|gpu: the size set when --sizes is not given. default is today's SwiftShader set (256³,
//          512³, 1024³, 1000×700×300). gpu is for hardware GPUs: 1024³, 2048³, 4096³, two tall-skinny shapes and a
//          batched one (gpuSizes below), with --inner=10 unless given.
//          --inner=N (default 1): each timed rep runs N matmuls back to back and reads back only the last C, so
//          that on a fast GPU the readback does not hide the kernel; GFLOPS counts all N.
//          --report=<path>: also write the whole run (adapter, peak, versions, results, what did not run and why) as
//          JSON there (bench/report.ts), as bench/gpu/run.sh does.
//          --variant=auto|software|gpu|gpu-large|gpu-small (default auto): which of our kernels runs, through
//          setMatmulVariant (engine/backend/gpu/matmul.ts). auto = the tiled kernel (shaders/matmul_tiled.wgsl)
//          on hardware GPUs, the SwiftShader-tuned ones on CPU Vulkan; software / gpu force one family on any
//          adapter; gpu-large / gpu-small force the tiled kernel's 64×64 or 32×32 tile. Each size logs the
//          kernel that ran (JSON: `kernel` on ours' rows).
//          --kernel path/to/kernel.wgsl: your matmul kernel (docs/kernel-contract.md), checked against the CPU
//          oracle first (a failure is printed and exits 1, untimed), then timed as 'yours' beside the others.
//
// A measurement is: encode one (M, K) @ (K, N) matmul, run it and read C back to the host, so every library pays
// the same readback. One untimed warm-up call (shader compilation), then the median of --reps calls.
// GFLOPS = 2·batch·M·N·K / time. maxAbsErr is against CpuBackend.matmul on the same seeded inputs (uniform in
// [-1, 1)), computed once per size and shared by the three implementations: every row of C up to 1024³ of work, and
// above that 64 rows spread over the first and the last matrix (the oracle's plain loops would take minutes at
// 4096³; a row of C is the same dot products whichever rows are chosen). "% peak" is GFLOPS against the adapter's
// datasheet FP32 peak where bench/peak.ts knows it.
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
import { checkKernelFile, kernelArg } from './user-kernel';
import { userMatmulPeer, type MatmulSize } from './user-kernel-core';
import { formatTable, makeLog, maxAbsErr, parseArgs, round, seededFloats, timeIt, type Cell } from './harness';
import { fractionOfPeak, knownPeak, peakNote } from './peak';
import { writeReport, type NotRun } from './report';

type Impl = 'ours' | 'tfjs' | 'jaxjs' | 'yours'; // yours: the --kernel file (bench/user-kernel.ts)
const IMPLS: Impl[] = ['ours', 'tfjs', 'jaxjs'];


interface Measurement {
  impl: Impl;
  shape: string; // the size's label
  batch: number;
  M: number;
  N: number;
  K: number;
  ms: number; // median
  gflops: number;
  peakFraction: number | null; // gflops / the adapter's datasheet FP32 peak, where known
  maxAbsErr: number;
  checkedRows: number; // rows of C compared with the CPU oracle
  inner: number; // matmuls per timed rep
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
  prepare: (a: Float32Array, b: Float32Array, s: MatmulSize, inner: number) => Prepared;
}

const args = parseArgs(process.argv.slice(2), 5);
const log = makeLog(args.json);

function parseVariant(spec: string | undefined): MatmulVariant {
  if (spec === undefined) return 'auto';
  const v = MATMUL_VARIANTS.find((x) => x === spec);
  if (!v) throw new Error(`bad --variant '${spec}': use one of ${MATMUL_VARIANTS.join(', ')}`);
  return v;
}

const square = (n: number): MatmulSize => ({ label: 'square', batch: 1, M: n, N: n, K: n });

/**
 * The hardware-GPU set (issue 25): squares up to 4096³; a tall-skinny A, (8192, 64) @ (64, 8192), written M×K×N =
 * 8192×64×8192, whose C is large and K short; the same numbers read M×N×K, (8192, 8192) @ (8192, 64), a thin C with
 * a long K, where too few output tiles fill the GPU unless K is split; and 32 batched (512, 64) @ (64, 512), the
 * shape of Q @ Kᵀ for 32 heads at T = 512, d = 64.
 */
function gpuSizes(): MatmulSize[] {
  return [
    square(1024), square(2048), square(4096),
    { label: 'tall-skinny A (M×K×N = 8192×64×8192)', batch: 1, M: 8192, N: 8192, K: 64 },
    { label: 'thin C, long K (M×N×K = 8192×64×8192)', batch: 1, M: 8192, N: 64, K: 8192 },
    { label: 'batched 32 × (512, 64) @ (64, 512)', batch: 32, M: 512, N: 512, K: 64 },
  ];
}

function parseSizes(spec: string | undefined, set: string): MatmulSize[] {
  if (!spec) {
    if (set === 'gpu') return gpuSizes();
    if (set !== 'default') throw new Error(`bad --set '${set}': use default or gpu`);
    return [square(256), square(512), square(1024), { label: 'rectangular', batch: 1, M: 1000, N: 700, K: 300 }];
  }
  return spec.split(',').map((s) => {
    const d = s.split('x').map(Number);
    const [batch, M, N, K] = d.length === 1 ? [1, d[0], d[0], d[0]] : d.length === 3 ? [1, ...d] : d;
    if (d.length === 2 || d.length > 4 || ![batch, M, N, K].every((v) => Number.isInteger(v) && v > 0)) {
      throw new Error(`bad size '${s}': use N, MxNxK or BATCHxMxNxK`);
    }
    return { label: 'from --sizes', batch, M, N, K };
  });
}

const sizeName = (s: MatmulSize): string => `${s.batch > 1 ? `${s.batch}×` : ''}${s.M}×${s.N}×${s.K}`;

/** The dense params of `batch` contiguous (M, K) @ (K, N) products. */
const paramsOf = (s: MatmulSize): MatmulParams =>
  denseMatmul({ batch: s.batch, M: s.M, N: s.N, K: s.K, aBatchStride: s.M * s.K, bBatchStride: s.K * s.N });

/** The rows of C the oracle computes: all up to 1024³ of work, else 32 spread rows of the first and of the last matrix. */
function checkedRows(s: MatmulSize): Array<[number, number]> {
  const all = s.batch * s.M * s.N * s.K <= 1024 ** 3;
  const batches = all ? [...Array(s.batch).keys()] : [...new Set([0, s.batch - 1])];
  const perBatch = all ? s.M : Math.min(s.M, 32);
  const rows: Array<[number, number]> = [];
  for (const b of batches) for (let i = 0; i < perBatch; i++) rows.push([b, Math.floor((i * (s.M - 1)) / Math.max(1, perBatch - 1))]);
  return rows;
}

/** The checked rows of C from the CPU backend: each batch's chosen rows of A, (r, K), times its B, (K, N). */
async function cpuOracle(s: MatmulSize, aData: Float32Array, bData: Float32Array, rows: Array<[number, number]>): Promise<Float32Array> {
  const cpu = new CpuBackend();
  const out = new Float32Array(rows.length * s.N);
  let done = 0;
  for (const b of new Set(rows.map(([bb]) => bb))) {
    const ms = rows.filter(([bb]) => bb === b).map(([, m]) => m);
    const aRows = new Float32Array(ms.length * s.K); // (r, K)
    ms.forEach((m, i) => aRows.set(aData.subarray((b * s.M + m) * s.K, (b * s.M + m + 1) * s.K), i * s.K));
    const [ca, cb] = [cpu.upload(aRows), cpu.upload(bData.subarray(b * s.K * s.N, (b + 1) * s.K * s.N))];
    const cc = cpu.matmul(ca, cb, denseMatmul({ batch: 1, M: ms.length, N: s.N, K: s.K, aBatchStride: 0, bBatchStride: 0 })).out;
    out.set((await cpu.read(cc)) as Float32Array, done * s.N); // (r, N)
    done += ms.length;
    [ca, cb, cc].forEach((x) => cpu.free(x));
  }
  return out;
}

/** The same rows, in the same order, out of a full (batch, M, N) result. */
function pickRows(c: Float32Array, s: MatmulSize, rows: Array<[number, number]>): Float32Array {
  const out = new Float32Array(rows.length * s.N);
  rows.forEach(([b, m], i) => out.set(c.subarray((b * s.M + m) * s.N, (b * s.M + m + 1) * s.N), i * s.N));
  return out;
}

async function oursPeer(): Promise<{ peer: Peer; backend: WebGPUBackend }> {
  const backend = await WebGPUBackend.create();
  const peer: Peer = {
    adapter: backend.adapterName,
    prepare(aData, bData, s, inner) {
      const p = paramsOf(s);
      const a = backend.upload(aData); // (batch, M, K)
      const b = backend.upload(bData); // (batch, K, N)
      let out: Float32Array = new Float32Array(0);
      return {
        async run() {
          let c = backend.matmul(a, b, p).out; // (batch, M, N)
          for (let i = 1; i < inner; i++) {
            backend.free(c);
            c = backend.matmul(a, b, p).out;
          }
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
    prepare(aData, bData, s, inner) {
      const a = tf.tensor3d(aData, [s.batch, s.M, s.K]);
      const b = tf.tensor3d(bData, [s.batch, s.K, s.N]);
      let out: Float32Array = new Float32Array(0);
      return {
        async run() {
          let c = tf.matMul(a, b); // (batch, M, N)
          for (let i = 1; i < inner; i++) {
            c.dispose();
            c = tf.matMul(a, b);
          }
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
    prepare(aData, bData, s, inner) {
      // jax-js arrays are reference-counted and consumed by ops; `.ref` keeps a and b alive across calls.
      const a = np.array(aData).reshape([s.batch, s.M, s.K]);
      const b = np.array(bData).reshape([s.batch, s.K, s.N]);
      let out: Float32Array = new Float32Array(0);
      return {
        async run() {
          let c = np.matmul(a.ref, b.ref); // (batch, M, N)
          for (let i = 1; i < inner; i++) {
            c.dispose();
            c = np.matmul(a.ref, b.ref);
          }
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
  const set = args.flags.get('set') ?? 'default';
  const sizes = parseSizes(args.flags.get('sizes'), set);
  const inner = Number(args.flags.get('inner') ?? (set === 'gpu' ? 10 : 1));
  if (!Number.isInteger(inner) || inner < 1) throw new Error(`--inner must be a positive integer, got ${args.flags.get('inner')}`);
  const variant = parseVariant(args.flags.get('variant'));
  setMatmulVariant(variant);
  const wanted = IMPLS.filter((i) => !args.only || args.only.has(i));
  const { peer: ours, backend } = await oursPeer();
  const adapter = backend.adapterName;
  const peak = knownPeak(adapter);
  log(`adapter: ${adapter}; ${args.reps} timed reps after one warm-up; each rep = ${inner > 1 ? `${inner} matmuls` : 'matmul'} + readback of C`);
  log(peakNote(adapter));
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
  // --kernel path/to/kernel.wgsl: checked against the CPU oracle first (a failure exits here), then timed as 'yours'.
  const kernelPath = kernelArg(process.argv.slice(2));
  if (kernelPath) peers.set('yours', await userMatmulPeer(await checkKernelFile('matmul', kernelPath, args.json, log)));

  const startedAt = new Date();
  const notRun: NotRun[] = [...failed].map(([impl, why]) => ({ impl, what: 'all', why }));
  const results: Measurement[] = [];
  // --report is rewritten after every measurement, so a run stopped by a time limit leaves what it had measured.
  const reportPath = args.flags.get('report');
  const save = (): void => {
    if (!reportPath) return;
    writeReport(reportPath, {
      bench: 'matmul', adapter, peak, argv: process.argv.slice(2), versions: { node: process.version },
      startedAt: startedAt.toISOString(), seconds: (Date.now() - startedAt.getTime()) / 1000, results, notRun,
    });
  };
  save();
  let seed = 1;
  for (const s of sizes) {
    const { batch, M, N, K } = s;
    const aData = seededFloats(batch * M * K, seed++); // (batch, M, K)
    const bData = seededFloats(batch * K * N, seed++); // (batch, K, N)
    const t0 = performance.now();
    const rows = checkedRows(s);
    const want = await cpuOracle(s, aData, bData, rows);
    log(`${sizeName(s)} (${s.label}): CPU oracle on ${rows.length} of ${batch * M} rows of C took ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    for (const [impl, peer] of peers) {
      let prepared: Prepared | null = null;
      try {
        prepared = peer.prepare(aData, bData, s, inner);
        const t = await timeIt(prepared.run, args.reps);
        const gflops = (2 * batch * M * N * K * inner) / (t.ms * 1e6);
        const m: Measurement = {
          impl, shape: s.label, batch, M, N, K,
          ms: t.ms,
          gflops,
          peakFraction: peak ? gflops / (peak.tflops * 1000) : null,
          maxAbsErr: maxAbsErr(pickRows(prepared.result(), s, rows), want),
          checkedRows: rows.length,
          inner,
          adapter: peer.adapter,
          reps: t.reps,
          minMs: t.min,
          maxMs: t.max,
        };
        if (impl === 'ours') {
          m.kernel = matmulKernelInfo(backend.ctx, paramsOf(s)).name;
        }
        results.push(m);
        save();
        log(`  ${impl.padEnd(5)} ${m.ms.toFixed(1)} ms  ${m.gflops.toFixed(2)} GFLOPS  maxAbsErr ${m.maxAbsErr.toExponential(2)}${m.kernel ? `  [${m.kernel}]` : ''}`);
      } catch (e) {
        notRun.push({ impl, what: `${sizeName(s)} (${s.label})`, why: errMessage(e) });
        save();
        log(`  ${impl}: failed at ${sizeName(s)} (${errMessage(e)}); carrying on`);
      } finally {
        prepared?.dispose();
      }
    }
  }

  save();
  if (args.json) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    return;
  }
  printReport(results, adapter, notRun);
}

function printReport(results: Measurement[], adapter: string, notRun: NotRun[]): void {
  const peak = knownPeak(adapter);
  const rows: Array<Record<string, Cell>> = results.map((r) => ({
    impl: r.impl,
    'M×N×K': `${r.batch > 1 ? `${r.batch}×` : ''}${r.M}×${r.N}×${r.K}`,
    shape: r.shape,
    'ms (median)': round(r.ms, 1),
    'min–max ms': `${r.minMs.toFixed(1)}–${r.maxMs.toFixed(1)}`,
    GFLOPS: round(r.gflops, 2),
    '% peak': fractionOfPeak(r.gflops, peak),
    maxAbsErr: r.maxAbsErr.toExponential(2),
  }));
  const inner = results[0]?.inner ?? 1;
  console.log(`\nMatmul, float32, on ${adapter} (all implementations on this adapter, one process; ours: --variant=${getMatmulVariant()})`);
  console.log(`M×N×K: C (M, N) = A (M, K) @ B (K, N), with a batch count in front where batched; ms per rep = ${inner > 1 ? `${inner} matmuls` : 'one matmul'} + readback; ${peakNote(adapter)}\n`);
  console.log(formatTable(['impl', 'M×N×K', 'shape', 'ms (median)', 'min–max ms', 'GFLOPS', '% peak', 'maxAbsErr'], rows));

  // Speed ratios: ours GFLOPS / peer GFLOPS at each size (> 1 means ours is faster).
  const ratioRows: Array<Record<string, Cell>> = [];
  const name = (r: Measurement): string => `${r.batch > 1 ? `${r.batch}×` : ''}${r.M}×${r.N}×${r.K}`;
  const sizes = [...new Set(results.map(name))];
  for (const size of sizes) {
    const at = (impl: Impl) => results.find((r) => r.impl === impl && name(r) === size);
    const ours = at('ours');
    const ratio = (impl: Impl): Cell => {
      const peer = at(impl);
      return ours && peer ? `${(ours.gflops / peer.gflops).toFixed(2)}×` : 'n/a';
    };
    ratioRows.push({ 'M×N×K': size, 'ours/tfjs': ratio('tfjs'), 'ours/jaxjs': ratio('jaxjs'), 'ours/yours': ratio('yours') });
  }
  const ratioColumns = ['M×N×K', 'ours/tfjs', 'ours/jaxjs', ...(results.some((r) => r.impl === 'yours') ? ['ours/yours'] : [])];
  console.log('\nSpeed ratios (ours GFLOPS / peer GFLOPS):\n');
  console.log(formatTable(ratioColumns, ratioRows));
  for (const n of notRun) console.log(`\n${n.impl} did not run${n.what === 'all' ? '' : ` at ${n.what}`}: ${n.why}`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  },
);
