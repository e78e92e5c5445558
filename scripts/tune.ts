// The autotuner from the command line: times every kernel candidate of the chosen ops on this machine's WebGPU
// adapter (engine/backend/gpu/tuning/), keeps the fastest per shape class and writes them to the tuning cache,
// which the engine then loads at every init (GPU_LEARN_TUNING: unset = ~/.cache/gpu-learn/tuning.json or
// $XDG_CACHE_HOME/gpu-learn/tuning.json, a path = that file, off = none).
//
//   npm run tune                               all ops at their default shapes (small ones on SwiftShader)
//   npm run tune -- --ops=matmul,attention     just these (matmul, attention, attentionBackward, softmax, layernorm)
//   npm run tune -- --quick                    one shape per op, 3 timed runs per candidate
//   npm run tune -- --json=<path>              also write what was measured and chosen there (bench/gpu/run.sh),
//                                              rewritten after each shape, so a run stopped part-way keeps it
//   flags: --reps=N (timed runs per candidate, default 5, quick 3)  --no-save (measure, keep nothing)
//
// Prints one row per (op, shape): the candidates timed (of those listed), the winner, and its speedup over the
// adapter class's default in the same run. A candidate that differs from the default beyond the op's tolerance
// is listed as rejected, never chosen.
import { init, tune, tuningCachePath, TUNE_OPS, type TuneOp, type TuneReport } from '../engine/index';
import { formatTable, makeLog, parseArgs, round, type Cell } from '../bench/harness';
import { writeJson } from '../bench/report';

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), 5);
  const log = makeLog(false);
  const ops = (args.flags.get('ops')?.split(',') ?? [...TUNE_OPS]) as TuneOp[];
  const unknown = ops.filter((op) => !TUNE_OPS.includes(op));
  if (unknown.length) throw new Error(`--ops: unknown ${unknown.join(', ')}; the ops are ${TUNE_OPS.join(', ')}`);
  const quick = args.flags.has('quick');
  const reps = args.flags.has('reps') ? args.reps : undefined;
  const json = args.flags.get('json');
  if (json === 'true') throw new Error('--json needs a path: --json=<path>');

  const t0 = performance.now();
  const { adapter } = await init({ backend: 'webgpu' });
  log(`adapter: ${adapter}`);
  log(`cache: ${(await tuningCachePath()) ?? 'off (GPU_LEARN_TUNING=off): nothing is saved'}`);
  let last = '';
  const seconds = (): number => (performance.now() - t0) / 1000;
  const writeOut = (report: TuneReport, done: boolean): void => {
    if (json) writeJson(json, { ...report, done, seconds: seconds(), quick, reps: reps ?? (quick ? 3 : 5) });
  };
  const report = await tune({
    ops, quick, reps, save: !args.flags.has('no-save'),
    onProgress: (p) => {
      const at = `${p.op} ${p.shape}`;
      if (at !== last) log(`  [${p.step + 1}/${p.steps}] ${at}`);
      last = at;
    },
    onResult: (_r, so) => writeOut(so, false),
  });

  const rows: Array<Record<string, Cell>> = report.results.map((r) => {
    const timed = r.candidates.filter((c) => c.ms !== null).length;
    const rejected = r.candidates.filter((c) => c.skipped?.startsWith('differs')).map((c) => c.id);
    return {
      op: r.op, shape: r.shape, class: r.shapeClass, candidates: `${timed}/${r.candidates.length}`, default: r.defaultId,
      'default ms': round(r.defaultMs, 3), winner: r.winner, 'winner ms': round(r.winnerMs, 3), speedup: `${round(r.speedup, 2)}×`,
      rejected: rejected.join(' ') || '-',
    };
  });
  log('');
  log(formatTable(['op', 'shape', 'class', 'candidates', 'default', 'default ms', 'winner', 'winner ms', 'speedup', 'rejected'], rows));
  for (const n of report.notes) log(`note: ${n}`);
  const saved = report.savedTo ? `saved to ${report.savedTo}` : report.saveError ? 'NOT saved (see the warning)' : 'nothing saved';
  log(`\n${report.results.length} shapes tuned on ${report.adapter} in ${round(seconds(), 1)} s; ${saved}`);
  if (report.saveError) log(`warning: the tuning cache could not be written: ${report.saveError}`);
  if (json) {
    writeOut(report, true);
    log(`wrote ${json}`);
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`tune: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
