// The attention CLI's second table: for each configuration and pass, every implementation's GFLOPS, its fraction
// of the adapter's datasheet FP32 peak, and the time ratio of our fused kernel against it (> 1: fused is faster).
// The core's report (attention-core.ts) gives the ratios at the one target point; this gives them at every
// configuration run, which the GPT-2-small shapes of --set=gpu need.
import { formatTable, round, type Cell } from './harness';
import { fractionOfPeak, knownPeak, peakNote } from './peak';
import type { AttentionMeasurement } from './attention-core';

const configName = (r: AttentionMeasurement): string => `B=${r.B} H=${r.H} T=${r.T} d=${r.d}${r.causal ? ' causal' : ''}`;

export function formatRatios(results: readonly AttentionMeasurement[], adapter: string): string {
  const peak = knownPeak(adapter);
  const rows: Array<Record<string, Cell>> = [];
  const groups = [...new Set(results.map((r) => `${configName(r)}|${r.pass}`))];
  for (const g of groups) {
    const inGroup = results.filter((r) => `${configName(r)}|${r.pass}` === g);
    const fused = inGroup.find((r) => r.impl === 'fused');
    for (const r of inGroup) {
      rows.push({
        config: configName(r),
        pass: r.pass,
        impl: r.impl,
        'ms (median)': round(r.ms, 2),
        GFLOPS: round(r.gflops, 2),
        '% peak': fractionOfPeak(r.gflops, peak),
        'fused speed-up': r.impl === 'fused' ? '—' : fused ? `${(r.ms / fused.ms).toFixed(2)}×` : 'n/a',
      });
    }
  }
  return [
    `GFLOPS, fraction of peak and fused's speed-up over each implementation (its time / fused's time), on ${adapter}`,
    peakNote(adapter),
    '',
    formatTable(['config', 'pass', 'impl', 'ms (median)', 'GFLOPS', '% peak', 'fused speed-up'], rows),
  ].join('\n');
}
