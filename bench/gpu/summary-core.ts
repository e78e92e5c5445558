// The one results file of a bench/gpu/run.sh run, and its closing table: the adapter, each step's outcome, the
// benchmarks' reports (bench/report.ts) and the tuner's, every ratio the hardware-GPU issue sets a target for, and
// everything that did not run with the reason. Pure functions over parsed JSON, so a unit test can feed it reports;
// bench/gpu/summary.ts reads the files and writes gpu-results.json.
import { formatTable, type Cell } from '../harness';
import type { Peak } from '../peak';
import type { BenchReport, NotRun } from '../report';

export const RESULTS_SCHEMA = 'gpu-bench/1';

/** One step of run.sh: its exit status and wall time; rc 124 is `timeout`'s "ran past its limit". */
export interface Step {
  name: string;
  rc: number;
  seconds: number;
  limit: number; // seconds allowed
}

/** What run.sh's adapter probe (bench/gpu/probe.ts) printed. */
export interface Probe {
  adapter: string;
  software: boolean;
  peak: Peak | null;
  node: string;
}

/** The fields of a matmul measurement (bench/matmul.ts) that the summary reads. */
interface MatmulRow {
  impl: string;
  shape: string;
  batch: number;
  M: number;
  N: number;
  K: number;
  ms: number;
  gflops: number;
  peakFraction: number | null;
  kernel?: string;
}

/** The fields of an attention measurement (bench/attention-core.ts) that the summary reads. */
interface AttentionRow {
  impl: string;
  B: number;
  H: number;
  T: number;
  d: number;
  causal: boolean;
  pass: string;
  ms: number;
  gflops: number;
}

export interface Target {
  what: string;
  ratio: number | null; // ours' speed over the peer's (> 1: ours is faster); null when either did not run
  goal: number;
  met: boolean | null;
}

export interface GpuResults {
  schema: typeof RESULTS_SCHEMA;
  createdAt: string;
  probe: Probe | null;
  manifest: Record<string, unknown> | null; // the archive's MANIFEST.json: versions, commit, build date
  steps: Step[];
  tune: Record<string, unknown> | null;
  matmul: BenchReport<MatmulRow> | null;
  attention: BenchReport<AttentionRow> | null;
  targets: Target[];
  notRun: Array<NotRun & { step: string }>;
}

export interface SummaryInputs {
  probe: Probe | null;
  manifest: Record<string, unknown> | null;
  steps: Step[];
  tune: Record<string, unknown> | null;
  matmul: BenchReport<MatmulRow> | null;
  attention: BenchReport<AttentionRow> | null;
  createdAt?: string;
}

const sq = (n: number): string => `${n}×${n}×${n}`;
const matmulName = (r: { batch: number; M: number; N: number; K: number }): string =>
  `${r.batch > 1 ? `${r.batch}×` : ''}${r.M}×${r.N}×${r.K}`;
const attentionName = (r: { B: number; H: number; T: number; d: number; causal: boolean }): string =>
  `B=${r.B} H=${r.H} T=${r.T} d=${r.d}${r.causal ? ' causal' : ''}`;

/** Ours' speed over a peer's: GFLOPS ratio for matmul, time ratio for attention (the same thing at equal FLOPs). */
function speedup(ours: { ms: number } | undefined, peer: { ms: number } | undefined): number | null {
  return ours && peer ? peer.ms / ours.ms : null;
}

/** The issue's hardware targets (issue 25), each as ours' speed-up over tfjs at one shape. */
function targets(matmul: MatmulRow[], attention: AttentionRow[]): Target[] {
  const mm = (impl: string, n: number) => matmul.find((r) => r.impl === impl && r.batch === 1 && r.M === n && r.N === n && r.K === n);
  const at = (impl: string, B: number, H: number, T: number, pass: string) =>
    attention.find((r) => r.impl === impl && r.B === B && r.H === H && r.T === T && r.d === 64 && r.causal && r.pass === pass);
  const t = (what: string, ratio: number | null, goal: number): Target => ({ what, ratio, goal, met: ratio === null ? null : ratio >= goal });
  return [
    t(`matmul ${sq(1024)} vs tfjs`, speedup(mm('ours', 1024), mm('tfjs', 1024)), 1.0),
    t(`matmul ${sq(2048)} vs tfjs`, speedup(mm('ours', 2048), mm('tfjs', 2048)), 1.5),
    t(`matmul ${sq(4096)} vs tfjs`, speedup(mm('ours', 4096), mm('tfjs', 4096)), 1.5),
    t('fused fwd vs tfjs, B=1 H=4 T=1024 d=64 causal', speedup(at('fused', 1, 4, 1024, 'fwd'), at('tfjs', 1, 4, 1024, 'fwd')), 1.5),
    t('fused fwd vs tfjs, B=4 H=12 T=1024 d=64 causal', speedup(at('fused', 4, 12, 1024, 'fwd'), at('tfjs', 4, 12, 1024, 'fwd')), 2),
    t('fused fwd vs tfjs, B=4 H=12 T=4096 d=64 causal', speedup(at('fused', 4, 12, 4096, 'fwd'), at('tfjs', 4, 12, 4096, 'fwd')), 2),
    t('fused fwd+bwd vs tfjs, B=4 H=12 T=1024 d=64 causal', speedup(at('fused', 4, 12, 1024, 'fwd+bwd'), at('tfjs', 4, 12, 1024, 'fwd+bwd')), 2),
    t('fused fwd+bwd vs tfjs, B=4 H=12 T=4096 d=64 causal', speedup(at('fused', 4, 12, 4096, 'fwd+bwd'), at('tfjs', 4, 12, 4096, 'fwd+bwd')), 2),
  ];
}

/** A step's outcome in words; run.sh records 127 for a step it could not start (the tuner missing from the archive). */
function stepOutcome(s: Step): string {
  if (s.rc === 0) return 'ok';
  if (s.name === 'adapter-check') return 'refused: Dawn opened a software adapter, not the GPU (run.sh --allow-software times it anyway)';
  if (s.rc === 124 || s.rc === 137) return s.seconds === 0 ? 'not started: the time budget was spent' : `stopped at its ${s.limit} s limit`;
  if (s.rc === 127) return 'not available in the archive';
  return `failed (exit ${s.rc})`;
}

export function summarize(x: SummaryInputs): GpuResults {
  const notRun: GpuResults['notRun'] = [];
  for (const s of x.steps) {
    if (s.rc !== 0) notRun.push({ step: s.name, impl: 'all', what: 'the rest of the step', why: `${s.name} ${stepOutcome(s)}` });
  }
  for (const [step, report] of [['matmul', x.matmul], ['attention', x.attention]] as const) {
    if (!report) {
      if (!x.steps.some((s) => s.name === step && s.rc !== 0)) notRun.push({ step, impl: 'all', what: 'all', why: 'no report was written' });
      continue;
    }
    for (const n of report.notRun) notRun.push({ step, ...n });
  }
  return {
    schema: RESULTS_SCHEMA,
    createdAt: x.createdAt ?? new Date().toISOString(),
    probe: x.probe,
    manifest: x.manifest,
    steps: x.steps,
    tune: x.tune,
    matmul: x.matmul,
    attention: x.attention,
    targets: targets(x.matmul?.results ?? [], x.attention?.results ?? []),
    notRun,
  };
}

/** A number for a cell, with more digits below 10 (SwiftShader's GFLOPS are fractions). */
const fmt = (v: number | null | undefined, digits: number): Cell =>
  v === null || v === undefined ? 'n/a' : Number(v.toFixed(Math.abs(v) < 10 ? digits + 1 : digits));
const ratioCell = (r: number | null): Cell => (r === null ? 'n/a' : `${r.toFixed(2)}×`);
const pct = (f: number | null | undefined): Cell => (f === null || f === undefined ? 'unknown' : `${(100 * f).toFixed(1)}%`);

/** The closing table: steps, targets, matmul and attention side by side with the peers, what did not run. */
export function formatSummary(r: GpuResults): string {
  const out: string[] = [];
  out.push(`GPU benchmark on ${r.probe?.adapter ?? 'an unknown adapter'} (Node ${r.probe?.node ?? '?'}; ${r.probe?.peak ? `peak ${r.probe.peak.tflops} TFLOPS FP32, ${r.probe.peak.chip}` : 'peak unknown'})`);
  out.push('');
  out.push(formatTable(['step', 'outcome', 'seconds'], r.steps.map((s) => ({ step: s.name, outcome: stepOutcome(s), seconds: Number(s.seconds.toFixed(1)) }))));

  out.push('\nTargets (ours\' speed over tfjs; issue 25):\n');
  out.push(formatTable(['comparison', 'ratio', 'target', 'met'], r.targets.map((t) => ({
    comparison: t.what, ratio: ratioCell(t.ratio), target: `≥ ${t.goal}×`, met: t.met === null ? 'not run' : t.met ? 'yes' : 'NO',
  }))));

  const mm = r.matmul?.results ?? [];
  if (mm.length) {
    const rows: Array<Record<string, Cell>> = [];
    for (const size of [...new Set(mm.map(matmulName))]) {
      const at = (impl: string) => mm.find((m) => m.impl === impl && matmulName(m) === size);
      const ours = at('ours');
      rows.push({
        'M×N×K': size, shape: (ours ?? at('tfjs') ?? at('jaxjs'))?.shape ?? '',
        'ours GFLOPS': fmt(ours?.gflops, 1), 'ours % peak': pct(ours?.peakFraction),
        'tfjs GFLOPS': fmt(at('tfjs')?.gflops, 1), 'jax-js GFLOPS': fmt(at('jaxjs')?.gflops, 1),
        'ours/tfjs': ratioCell(speedup(ours, at('tfjs'))), 'ours/jax-js': ratioCell(speedup(ours, at('jaxjs'))),
        kernel: ours?.kernel ?? '',
      });
    }
    out.push('\nMatmul (float32; ratios > 1: ours is faster):\n');
    out.push(formatTable(['M×N×K', 'shape', 'ours GFLOPS', 'ours % peak', 'tfjs GFLOPS', 'jax-js GFLOPS', 'ours/tfjs', 'ours/jax-js', 'kernel'], rows));
  }

  const at = r.attention?.results ?? [];
  if (at.length) {
    const peak = r.attention?.peak ?? null;
    const rows: Array<Record<string, Cell>> = [];
    for (const key of [...new Set(at.map((a) => `${attentionName(a)}|${a.pass}`))]) {
      const find = (impl: string) => at.find((a) => a.impl === impl && `${attentionName(a)}|${a.pass}` === key);
      const fused = find('fused');
      const [config, pass] = key.split('|');
      rows.push({
        config, pass,
        'fused ms': fmt(fused?.ms, 2), 'fused GFLOPS': fmt(fused?.gflops, 1),
        'fused % peak': peak && fused ? pct(fused.gflops / (peak.tflops * 1000)) : 'unknown',
        'vs unfused': ratioCell(speedup(fused, find('unfused'))), 'vs tfjs': ratioCell(speedup(fused, find('tfjs'))),
        'vs jax-js': ratioCell(speedup(fused, find('jax-js'))), 'vs onnxruntime': ratioCell(speedup(fused, find('onnxruntime'))),
      });
    }
    out.push('\nAttention (float32; fused\'s speed-up over each, its time / fused\'s time):\n');
    out.push(formatTable(['config', 'pass', 'fused ms', 'fused GFLOPS', 'fused % peak', 'vs unfused', 'vs tfjs', 'vs jax-js', 'vs onnxruntime'], rows));
  }

  const tuned = Array.isArray(r.tune?.results) ? (r.tune.results as Array<Record<string, unknown>>) : [];
  if (tuned.length) {
    out.push('\nTuned (op, shape: winner, speed-up over the built-in default):\n');
    out.push(formatTable(['op', 'shape', 'winner', 'speedup'], tuned.map((t) => ({
      op: String(t.op ?? ''), shape: String(t.shape ?? ''), winner: String(t.winner ?? ''),
      speedup: typeof t.speedup === 'number' ? `${t.speedup.toFixed(2)}×` : 'n/a',
    }))));
  }

  if (r.notRun.length) {
    out.push('\nDid not run:\n');
    out.push(formatTable(['step', 'impl', 'what', 'why'], r.notRun.map((n) => ({ step: n.step, impl: n.impl, what: n.what, why: n.why }))));
  }
  return out.join('\n');
}
