// `npm run bench:scan`: the linear-recurrence primitive functional.scan (h_t = a_t ⊙ h_{t−1} + x_t, the WebGPU
// parallel scan of shaders/scan.wgsl) against T, on one adapter (named in the output). At B = 1, D = 512 and
// T ∈ {1,024, …, 16,384}, on seeded inputs with a uniform in (−1, 1):
//
//   add       a.add(x), the elementwise reference: it reads two (B, T, D) tensors and writes one, as the scan must
//   fwd       h = scan(a, x)
//   fwd+bwd   the same, then the backward from a fixed upstream gradient (da and dx)
//
// Each is the wall time from encoding to the device finishing the work (the backend's sync(); nothing read back,
// so the transfer of 32 MiB per tensor at T = 16,384 does not hide the kernels), the median of --reps calls after
// one untimed warm-up call per pass (pipeline compilation). Then each pass's fitted exponent of time against T
// (least squares on log-log; the target for the scan is [0.8, 1.2]) and the ratio scan / add at each T
// (target: within 4×, reading two tensors and writing one like the add). Targets are printed, never asserted.
// os.loadavg() is printed before and after: the machine may be shared.
//
//   npm run bench:scan [-- --json] [-- --T=1024,4096] [-- --reps=N]
import { loadavg } from 'node:os';
import { init, tensor, functional, noGrad, dispose, type Tensor } from '../engine/index';
import { webgpuBackend } from '../engine/bench';
import { formatTable, logLogSlope, makeLog, parseArgs, round, seededFloats, timeIt } from './harness';

const B = 1;
const D = 512;
const PASSES = ['add', 'fwd', 'fwd+bwd'] as const;
type Pass = (typeof PASSES)[number];

const args = parseArgs(process.argv.slice(2), 5);
const log = makeLog(args.json);
const Ts = (args.flags.get('T')?.split(',') ?? ['1024', '2048', '4096', '8192', '16384']).map(Number);
for (const T of Ts) if (!Number.isInteger(T) || T < 1) throw new Error(`--T takes positive integers, got ${T}`);

interface Row {
  T: number;
  pass: Pass;
  ms: number;
  min: number;
  max: number;
}

/** Encodes one call of `pass`; returns what it made, for disposal after the device has finished. */
function encode(pass: Pass, a: Tensor, x: Tensor, g: Tensor): Tensor[] {
  if (pass === 'add') return [noGrad(() => a.add(x))];
  if (pass === 'fwd') return [noGrad(() => functional.scan(a, x))];
  const h = functional.scan(a, x);
  h.backward(g);
  const grads = [a.grad!, x.grad!];
  a.grad = null;
  x.grad = null;
  return [h, ...grads];
}

async function measure(T: number, pass: Pass): Promise<Row> {
  const backend = webgpuBackend()!;
  const shape = [B, T, D];
  const dev = { device: 'webgpu' as const, requiresGrad: pass === 'fwd+bwd' };
  const a = tensor(seededFloats(B * T * D, 1), shape, dev); // (B, T, D)
  const x = tensor(seededFloats(B * T * D, 2), shape, dev);
  const g = tensor(seededFloats(B * T * D, 3), shape, { device: 'webgpu' });
  try {
    await backend.sync(); // the uploads are not part of any call
    const t = await timeIt(async () => {
      const made = encode(pass, a, x, g);
      await backend.sync();
      dispose(made);
    }, args.reps);
    return { T, pass, ms: t.ms, min: t.min, max: t.max };
  } finally {
    dispose([a, x, g]);
  }
}

async function main(): Promise<void> {
  const loadBefore = loadavg();
  await init({ backend: 'webgpu' });
  const adapter = webgpuBackend()!.adapterName;
  log(`bench:scan on ${adapter}: B=${B}, D=${D}, T ∈ {${Ts.join(', ')}}, median of ${args.reps} call(s) after one warm-up`);
  log(`load average before (1, 5, 15 min): ${loadBefore.map((v) => round(v, 2)).join(', ')}`);
  const rows: Row[] = [];
  for (const T of [...Ts].sort((p, q) => p - q)) {
    for (const pass of PASSES) {
      const r = await measure(T, pass);
      rows.push(r);
      log(`  T=${String(T).padEnd(6)} ${pass.padEnd(8)} ${round(r.ms, 2)} ms`);
    }
  }
  const loadAfter = loadavg();
  const at = (T: number, pass: Pass): number => rows.find((r) => r.T === T && r.pass === pass)!.ms;
  const ratios = Ts.map((T) => ({ T, fwdOverAdd: at(T, 'fwd') / at(T, 'add'), fwdBwdOverAdd: at(T, 'fwd+bwd') / at(T, 'add') }));
  const exponents = Object.fromEntries(PASSES.map((p) => [p, logLogSlope(rows.filter((r) => r.pass === p).map((r) => [r.T, r.ms] as const))]));

  if (args.json) {
    process.stdout.write(`${JSON.stringify({ adapter, B, D, reps: args.reps, loadBefore, loadAfter, rows, exponents, ratios }, null, 2)}\n`);
    return;
  }
  log('');
  log(formatTable(['T', 'add ms', 'scan fwd ms', 'scan fwd+bwd ms', 'fwd / add', 'fwd+bwd / add'], ratios.map((r) => ({
    T: r.T,
    'add ms': round(at(r.T, 'add'), 2),
    'scan fwd ms': round(at(r.T, 'fwd'), 2),
    'scan fwd+bwd ms': round(at(r.T, 'fwd+bwd'), 2),
    'fwd / add': round(r.fwdOverAdd, 2),
    'fwd+bwd / add': round(r.fwdBwdOverAdd, 2),
  }))));
  log('');
  log(formatTable(['pass', 'time exponent in T'], PASSES.map((p) => ({ pass: p, 'time exponent in T': exponents[p] === null ? '—' : round(exponents[p]!, 3) }))));
  log('');
  log(`load average after (1, 5, 15 min): ${loadAfter.map((v) => round(v, 2)).join(', ')}`);
  log(`Targets (reported, not asserted): scan fwd exponent in [0.8, 1.2]; scan fwd within 4× of the add at every T. Adapter: ${adapter}.`);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
