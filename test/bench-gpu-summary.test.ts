// bench/gpu/summary-core.ts: the one results file of bench/gpu/run.sh. Fed small hand-made reports, it must compute
// the target ratios from the right rows, say which targets could not be judged, and carry every reason a
// thing did not run (a peer that never started, a failed size, a step stopped at its limit, a missing report).
import { describe, expect, it } from 'vitest';
import { formatSummary, RESULTS_SCHEMA, summarize, type SummaryInputs } from '../bench/gpu/summary-core';

const mm = (impl: string, n: number, ms: number, batch = 1) => ({
  impl, shape: 'square', batch, M: n, N: n, K: n, ms, gflops: (2 * batch * n ** 3) / (ms * 1e6), peakFraction: null,
});
const att = (impl: string, B: number, H: number, T: number, pass: string, ms: number) => ({
  impl, B, H, T, d: 64, causal: true, pass, ms, gflops: 1,
});
const report = <M>(bench: string, results: M[], notRun: Array<{ impl: string; what: string; why: string }> = []) => ({
  bench, adapter: 'NVIDIA H200 / nvidia / hopper', peak: { chip: 'NVIDIA H200 SXM', tflops: 67 }, argv: [], versions: {},
  startedAt: '2026-01-01T00:00:00Z', seconds: 1, results, notRun,
});

function inputs(): SummaryInputs {
  return {
    probe: { adapter: 'NVIDIA H200 / nvidia / hopper', software: false, peak: { chip: 'NVIDIA H200 SXM', tflops: 67 }, node: 'v22.23.5' },
    manifest: { commit: 'abc' },
    steps: [
      { name: 'probe', rc: 0, seconds: 2, limit: 90 },
      { name: 'tune', rc: 0, seconds: 50, limit: 110 },
      { name: 'matmul', rc: 0, seconds: 60, limit: 120 },
      { name: 'attention', rc: 124, seconds: 170, limit: 170 },
    ],
    tune: { results: [{ op: 'matmul', shape: '1024³', winner: 'tile64', speedup: 1.4 }] },
    matmul: report('matmul', [
      mm('ours', 1024, 4), mm('tfjs', 1024, 3), // ours slower: 0.75×
      mm('ours', 2048, 10), mm('tfjs', 2048, 20), // 2×
      mm('ours', 512, 1, 32), mm('tfjs', 512, 1.5), // batched ours must not stand in for the 512³ square tfjs
    ], [{ impl: 'jaxjs', what: 'all', why: 'jax-js init() found no webgpu device' }]),
    attention: report('attention', [
      att('fused', 1, 4, 1024, 'fwd', 1), att('tfjs', 1, 4, 1024, 'fwd', 3),
      att('fused', 4, 12, 1024, 'fwd+bwd', 10), att('tfjs', 4, 12, 1024, 'fwd+bwd', 15),
      att('tfjs', 4, 12, 1024, 'fwd', 5), // no fused row at this point: not judged
    ], [{ impl: 'onnxruntime', what: 'B=4 H=12 T=1024 d=64 causal fwd+bwd', why: 'inference only' }]),
    createdAt: '2026-01-01T00:10:00Z',
  };
}

describe('summarize', () => {
  it('computes each target from the matching rows as ours speed over tfjs', () => {
    const r = summarize(inputs());
    expect(r.schema).toBe(RESULTS_SCHEMA);
    const t = Object.fromEntries(r.targets.map((x) => [x.what, x]));
    expect(t['matmul 1024×1024×1024 vs tfjs']).toMatchObject({ ratio: 0.75, goal: 1, met: false });
    expect(t['matmul 2048×2048×2048 vs tfjs']).toMatchObject({ ratio: 2, goal: 1.5, met: true });
    expect(t['matmul 4096×4096×4096 vs tfjs']).toMatchObject({ ratio: null, met: null });
    expect(t['fused fwd vs tfjs, B=1 H=4 T=1024 d=64 causal']).toMatchObject({ ratio: 3, goal: 1.5, met: true });
    expect(t['fused fwd+bwd vs tfjs, B=4 H=12 T=1024 d=64 causal']).toMatchObject({ ratio: 1.5, goal: 2, met: false });
    expect(t['fused fwd vs tfjs, B=4 H=12 T=1024 d=64 causal']).toMatchObject({ ratio: null, met: null });
  });

  it('collects every reason something did not run, with its step', () => {
    const r = summarize(inputs());
    expect(r.notRun).toEqual([
      { step: 'attention', impl: 'all', what: 'the rest of the step', why: 'attention stopped at its 170 s limit' },
      { step: 'matmul', impl: 'jaxjs', what: 'all', why: 'jax-js init() found no webgpu device' },
      { step: 'attention', impl: 'onnxruntime', what: 'B=4 H=12 T=1024 d=64 causal fwd+bwd', why: 'inference only' },
    ]);
  });

  it('says when a benchmark wrote no report, and names a tuner missing from the archive', () => {
    const x = inputs();
    x.attention = null;
    x.steps = [{ name: 'tune', rc: 127, seconds: 0, limit: 0 }, { name: 'attention', rc: 0, seconds: 3, limit: 170 }];
    const r = summarize(x);
    expect(r.notRun).toContainEqual({ step: 'attention', impl: 'all', what: 'all', why: 'no report was written' });
    expect(r.notRun).toContainEqual({ step: 'tune', impl: 'all', what: 'the rest of the step', why: 'tune not available in the archive' });
  });
});

describe('formatSummary', () => {
  it('prints the adapter, the targets with their verdicts, both tables and the reasons', () => {
    const text = formatSummary(summarize(inputs()));
    expect(text).toMatch(/GPU benchmark on NVIDIA H200/);
    expect(text).toMatch(/matmul 1024×1024×1024 vs tfjs\s+0\.75×\s+≥ 1×\s+NO/);
    expect(text).toMatch(/matmul 2048×2048×2048 vs tfjs\s+2\.00×\s+≥ 1\.5×\s+yes/);
    expect(text).toMatch(/matmul 4096×4096×4096 vs tfjs\s+n\/a\s+≥ 1\.5×\s+not run/);
    expect(text).toMatch(/32×512×512×512/);
    expect(text).toMatch(/tile64/);
    expect(text).toMatch(/onnxruntime\s+B=4 H=12 T=1024 d=64 causal fwd\+bwd\s+inference only/);
  });
});
