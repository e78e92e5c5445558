// The lesson's static plots, drawn as SVG from the committed results (numbers.ts reads them): accuracy against the
// evaluated length for each position encoding (docs/extrapolation.json), and held-out recall against the sequence
// length for the SSM and the GPT (docs/ssm-compare.json). Every point carries its value in a <title>, and each plot
// an aria-label listing the values, so the picture has a text alternative.
import { html, svg, type TemplateResult } from 'lit';
import { PALETTE } from '../../widgets/line-chart';

export interface PlotSeries {
  label: string;
  /** y per x; null where there is no value (drawn as a gap). */
  y: ReadonlyArray<number | null>;
  dash?: string;
}

export interface PlotOptions {
  caption: string;
  xs: readonly number[];
  xLabel: string;
  yLabel: string;
  series: readonly PlotSeries[];
  /** A dashed horizontal reference, e.g. chance. */
  reference?: { y: number; label: string };
}

const W = 460;
const H = 230;
const M = { left: 48, right: 130, top: 12, bottom: 40 };

/** Accuracy-like values (0 … 1) against a few x values spaced evenly (the lengths double). */
export function accuracyPlot(o: PlotOptions): TemplateResult {
  const px = (i: number) => M.left + (o.xs.length === 1 ? 0 : (i / (o.xs.length - 1)) * (W - M.left - M.right));
  const py = (v: number) => M.top + (1 - v) * (H - M.top - M.bottom);
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  const described = o.series.map((s) => `${s.label}: ${s.y.map((v, i) => `${o.xs[i]} ${v === null ? 'n/a' : pct(v)}`).join(', ')}`).join('; ');
  return html`<figure class="plot">
    <svg width=${W} height=${H} viewBox="0 0 ${W} ${H}" role="img" style="font: 11px ui-sans-serif, system-ui, sans-serif; max-width: 100%; height: auto" aria-label=${`${o.caption}. ${described}.`}>
      ${[0, 0.25, 0.5, 0.75, 1].map((v) => svg`<line stroke="#e2e8f0" x1=${M.left} x2=${W - M.right} y1=${py(v)} y2=${py(v)}></line>
        <text x=${M.left - 6} y=${py(v) + 4} text-anchor="end">${(v * 100).toFixed(0)}%</text>`)}
      ${o.xs.map((x, i) => svg`<text x=${px(i)} y=${H - M.bottom + 16} text-anchor="middle">${x}</text>`)}
      <text x=${(M.left + W - M.right) / 2} y=${H - 6} text-anchor="middle">${o.xLabel}</text>
      <text x="12" y=${(M.top + H - M.bottom) / 2} transform="rotate(-90 12 ${(M.top + H - M.bottom) / 2})" text-anchor="middle">${o.yLabel}</text>
      ${o.reference ? svg`<line stroke="#64748b" stroke-dasharray="5 4" x1=${M.left} x2=${W - M.right} y1=${py(o.reference.y)} y2=${py(o.reference.y)}></line>
        <text x=${W - M.right + 6} y=${py(o.reference.y) + 4}>${o.reference.label}</text>` : null}
      ${o.series.map((s, k) => {
        const colour = PALETTE[k % PALETTE.length];
        // Runs of consecutive non-null points become one polyline each.
        const runs: Array<Array<[number, number]>> = [];
        s.y.forEach((v, i) => {
          if (v === null) return;
          const last = runs[runs.length - 1];
          if (last && s.y[i - 1] !== null && i > 0) last.push([px(i), py(v)]);
          else runs.push([[px(i), py(v)]]);
        });
        return svg`
          ${runs.map((r) => svg`<polyline fill="none" stroke=${colour} stroke-width="2" stroke-dasharray=${s.dash ?? ''} points=${r.map(([x, y]) => `${x},${y}`).join(' ')}></polyline>`)}
          ${s.y.map((v, i) => (v === null ? null : svg`<circle cx=${px(i)} cy=${py(v)} r="3.5" fill=${colour}><title>${s.label} at ${o.xs[i]}: ${pct(v)}</title></circle>`))}
          <rect x=${W - M.right + 6} y=${M.top + k * 16} width="12" height="3" fill=${colour}></rect>
          <text x=${W - M.right + 22} y=${M.top + k * 16 + 5}>${s.label}</text>`;
      })}
    </svg>
    <figcaption>${o.caption}</figcaption>
  </figure>`;
}
