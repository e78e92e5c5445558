// `npm run bench:long`: attention at long sequence lengths, dense against the sparse layouts and Linformer, in one
// process on one adapter (named in the output). At B = 1, H = 4, d = 64 and T from 1,024 to 16,384:
//
//   dense-causal   fused causal attention: every key j ≤ i, T²/2 scores
//   window-256     the causal sliding window i − 256 < j ≤ i
//   longformer     the two-sided local window |i − j| < 256 plus 16 global tokens (positions 0–15), non-causal
//   block-sparse   a causal block layout (stridedBlockLayout: 64-position blocks, 4 local blocks, every 16th block
//                  a summary block), Child et al.'s local + strided pattern
//   linformer      keys and values projected along the sequence to k = 256 rows by learned E, F (256, T), then
//                  dense attention over those 256 (non-causal: every projected row mixes all positions)
//
// For each, forward (out read back) and forward+backward (dq, dk, dv, and dE, dF for Linformer, read back): the
// wall time of one call after the kernels are compiled and have run once at the smallest T (--reps=N for more
// calls; the median is reported) and the peak
// device memory the call held beyond its inputs (the engine's pool, measured during the timed call). Then the
// ratios at the largest T every method reached against dense causal, and each method's fitted memory exponent
// (least squares of log peak against log T). The targets of the issue are printed, never asserted: a benchmark
// reports.
//
//   npm run bench:long [-- --json | --json=PATH (the JSON written to PATH, the table still printed)] [-- --T=1024,4096] [-- --method=dense-causal,longformer] [-- --pass=fwd+bwd]
//                      [-- --reps=N] [-- --max-seconds=S (skip a method's larger T once one call took longer)]
import { init, tensor, functional, noGrad, dispose, memoryStats, warmup, type Tensor } from '../engine/index';
import { webgpuBackend } from '../engine/bench';
import { loadavg } from 'node:os';
import { writeFileSync } from 'node:fs';
import { formatTable, logLogSlope, makeLog, median, parseArgs, round, seededFloats } from './harness';

const B = 1;
const H = 4;
const d = 64;
const LINFORMER_K = 256;
const WINDOW = 256;
const GLOBALS = Array.from({ length: 16 }, (_, i) => i);

const METHODS = ['dense-causal', 'window-256', 'longformer', 'block-sparse', 'linformer'] as const;
type Method = (typeof METHODS)[number];
type Pass = 'fwd' | 'fwd+bwd';

const args = parseArgs(process.argv.slice(2), 1);
// --json alone prints only the JSON; --json=PATH writes it to PATH (the course page imports such a file) and prints
// the table as usual.
const jsonPath = args.flags.get('json') !== 'true' ? args.flags.get('json') : undefined;
const log = makeLog(args.json && !jsonPath);
const list = (flag: string): string[] | null => args.flags.get(flag)?.split(',') ?? null;
const Ts = (list('T') ?? ['1024', '2048', '4096', '8192', '16384']).map(Number);
for (const T of Ts) if (!Number.isInteger(T) || T < 64) throw new Error(`--T takes integers ≥ 64, got ${T}`);
const methods = METHODS.filter((m) => !list('method') || list('method')!.includes(m));
for (const m of list('method') ?? []) if (!METHODS.includes(m as Method)) throw new Error(`--method: unknown ${m}; one of ${METHODS.join(', ')}`);
const passes = (['fwd', 'fwd+bwd'] as Pass[]).filter((p) => !list('pass') || list('pass')!.includes(p));
const maxSeconds = Number(args.flags.get('max-seconds') ?? Infinity);

interface Row {
  method: Method;
  T: number;
  pass: Pass;
  ms: number;
  peakBytes: number;
}

/** The attention call of a method, given q, k, v (B, H, T, d) and Linformer's E, F (k, T). */
function attend(method: Method, T: number, q: Tensor, k: Tensor, v: Tensor, E: Tensor, F: Tensor): Tensor {
  const f = functional.scaledDotProductAttention;
  switch (method) {
    case 'dense-causal':
      return f(q, k, v, { causal: true, impl: 'fused' });
    case 'window-256':
      return f(q, k, v, { causal: true, window: WINDOW, impl: 'fused' });
    case 'longformer':
      return f(q, k, v, { localWindow: WINDOW, globalTokens: GLOBALS, impl: 'fused' });
    case 'block-sparse':
      return f(q, k, v, { causal: true, blockLayout: blockLayout(T), impl: 'fused' });
    case 'linformer':
      // (k, T) @ (B, H, T, d) → (B, H, k, d): the sequence projected to k rows, then dense attention over them.
      return f(q, E.matmul(k), F.matmul(v), { impl: 'fused' });
  }
}

const layouts = new Map<number, functional.BlockLayout>();
function blockLayout(T: number): functional.BlockLayout {
  if (!layouts.has(T)) layouts.set(T, functional.stridedBlockLayout({ Tq: T, blockSize: 64, local: 4, stride: 16, causal: true }));
  return layouts.get(T)!;
}

/** Encodes one call (and its backward); returns the tensors to read back. */
function encode(method: Method, T: number, pass: Pass, x: Record<'q' | 'k' | 'v' | 'E' | 'F' | 'g', Tensor>): Tensor[] {
  if (pass === 'fwd') return [noGrad(() => attend(method, T, x.q, x.k, x.v, x.E, x.F))];
  const out = attend(method, T, x.q, x.k, x.v, x.E, x.F);
  out.backward(x.g);
  const params = method === 'linformer' ? [x.q, x.k, x.v, x.E, x.F] : [x.q, x.k, x.v];
  const grads = params.map((t) => t.grad!);
  for (const t of params) t.grad = null;
  dispose(out);
  return grads;
}

const warmed = new Set<string>(); // method|pass pairs that have run once

async function measure(method: Method, T: number, pass: Pass): Promise<Row> {
  const ctx = webgpuBackend()!.ctx;
  const dev = { device: 'webgpu' as const, requiresGrad: pass === 'fwd+bwd' };
  const shape = [B, H, T, d];
  const x = {
    q: tensor(seededFloats(B * H * T * d, 1), shape, dev),
    k: tensor(seededFloats(B * H * T * d, 2), shape, dev),
    v: tensor(seededFloats(B * H * T * d, 3), shape, dev),
    // Linformer's projections, scaled so that a projected row is an average-sized mix of the sequence.
    E: tensor(seededFloats(LINFORMER_K * T, 4, -1 / Math.sqrt(T), 1 / Math.sqrt(T)), [LINFORMER_K, T], dev),
    F: tensor(seededFloats(LINFORMER_K * T, 5, -1 / Math.sqrt(T), 1 / Math.sqrt(T)), [LINFORMER_K, T], dev),
    g: tensor(seededFloats(B * H * T * d, 6), shape, { device: 'webgpu' }),
  };
  try {
    await warmup(() => dispose(encode(method, T, pass, x))); // compiles, runs nothing
    const key = `${method}|${pass}`;
    if (!warmed.has(key)) {
      // SwiftShader finishes preparing a pipeline on its first dispatch: one untimed call, at the smallest T
      // measured (larger T reuse the same pipelines).
      const outs = encode(method, T, pass, x);
      await Promise.all(outs.map((t) => t.toArray()));
      dispose(outs);
      warmed.add(key);
    }
    const times: number[] = [];
    let peak = 0;
    for (let r = 0; r < args.reps; r++) {
      const before = memoryStats('webgpu').bytes;
      ctx.flush();
      ctx.pool.resetPeak();
      const t0 = performance.now();
      const outs = encode(method, T, pass, x);
      peak = Math.max(peak, ctx.pool.peakLiveBytes - before);
      const host = await Promise.all(outs.map((t) => t.toArray()));
      times.push(performance.now() - t0);
      dispose(outs);
      const bad = host.findIndex((a) => (a as Float32Array).some((v) => !Number.isFinite(v)));
      if (bad >= 0) throw new Error(`${method} T=${T} ${pass}: output ${bad} holds a non-finite value`);
    }
    return { method, T, pass, ms: median(times), peakBytes: peak };
  } finally {
    dispose(Object.values(x));
  }
}

async function main(): Promise<void> {
  await init({ backend: 'webgpu' });
  const adapter = webgpuBackend()!.adapterName;
  // SwiftShader runs on the machine's cores: other load slows every method, so the load average is reported.
  const loadBefore = loadavg()[0];
  log(`bench:long on ${adapter}: B=${B}, H=${H}, d=${d}, T ∈ {${Ts.join(', ')}}, ${args.reps} timed call(s) each; load average ${round(loadBefore, 2)}`);
  const rows: Row[] = [];
  const stopped = new Map<string, string>(); // method|pass → why it stopped early
  for (const T of [...Ts].sort((a, b) => a - b)) {
    for (const method of methods) {
      for (const pass of passes) {
        const key = `${method}|${pass}`;
        if (stopped.has(key)) continue;
        try {
          const r = await measure(method, T, pass);
          rows.push(r);
          log(`  ${method.padEnd(13)} T=${String(T).padEnd(6)} ${pass.padEnd(8)} ${round(r.ms, 1)} ms, peak ${round(r.peakBytes / 2 ** 20, 1)} MiB`);
          if (r.ms > maxSeconds * 1000) stopped.set(key, `stopped after T=${T}: one call took ${round(r.ms / 1000, 1)} s > --max-seconds=${maxSeconds}`);
        } catch (e) {
          const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
          stopped.set(key, `stopped at T=${T}: ${why}`);
          log(`  ${method} T=${T} ${pass}: ${why}`);
        }
      }
    }
  }

  // Ratios against dense causal at the largest T where both were measured; memory exponents.
  const summary = methods.flatMap((method) => passes.map((pass) => {
    const mine = rows.filter((r) => r.method === method && r.pass === pass);
    const shared = mine.filter((r) => rows.some((o) => o.method === 'dense-causal' && o.pass === pass && o.T === r.T));
    const at = shared.length ? shared[shared.length - 1] : null;
    const dense = at ? rows.find((o) => o.method === 'dense-causal' && o.pass === pass && o.T === at.T)! : null;
    return {
      method, pass,
      reached: mine.length ? mine[mine.length - 1].T : 0,
      ratioT: at?.T ?? null,
      speedup: at && dense ? dense.ms / at.ms : null,
      memoryExponent: logLogSlope(mine.map((r) => [r.T, r.peakBytes])),
      stopped: stopped.get(`${method}|${pass}`) ?? null,
    };
  }));

  const load = { before: loadBefore, after: loadavg()[0] };
  const json = `${JSON.stringify({ adapter, B, H, d, reps: args.reps, load, rows, summary }, null, 2)}\n`;
  if (jsonPath) writeFileSync(jsonPath, json);
  else if (args.json) {
    process.stdout.write(json);
    return;
  }
  log('');
  log(formatTable(['method', 'T', 'pass', 'ms', 'peak MiB'], rows.map((r) => ({
    method: r.method, T: r.T, pass: r.pass, ms: round(r.ms, 1), 'peak MiB': round(r.peakBytes / 2 ** 20, 2),
  }))));
  log('');
  log(formatTable(['method', 'pass', 'largest T', 'speed-up vs dense causal', 'memory exponent', 'note'], summary.map((s) => ({
    method: s.method, pass: s.pass, 'largest T': s.reached,
    'speed-up vs dense causal': s.speedup === null ? '—' : `${round(s.speedup, 2)}× at T=${s.ratioT}`,
    'memory exponent': s.memoryExponent === null ? '—' : round(s.memoryExponent, 3),
    note: s.stopped ?? '',
  }))));
  log('');
  log(`Targets at T = 16,384 on SwiftShader (reported, not asserted): longformer fwd+bwd ≥ 8× and window-256 fwd+bwd ≥ 10× faster than dense causal; every memory exponent ≤ 1.1. Adapter: ${adapter}. Load average ${round(load.before, 2)} before, ${round(load.after, 2)} after.`);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
