// A matrix drawn as a grid of coloured cells, for the lessons' widgets: attention weights (0 … 1, white to blue) and
// positional encodings or outputs (signed, blue through white to red). Each cell carries its value as a tooltip and
// in an aria-label, so the picture has a text alternative.
import { css, html, type TemplateResult } from 'lit';

export interface HeatmapOptions {
  caption: string;
  rowLabels?: string[];
  colLabels?: string[];
  /**
   * 'weights' for values in [0, 1]; 'signed' for values around 0, scaled by the largest |value| (or `limit`);
   * 'range' stretches the matrix's own lowest to highest value over white to blue (for similarities that differ
   * little).
   */
  scale: 'weights' | 'signed' | 'range';
  limit?: number;
}

function colour(v: number, scale: 'weights' | 'signed', limit: number): string {
  if (scale === 'weights') {
    const t = Math.max(0, Math.min(1, v));
    return `rgb(${Math.round(255 - 226 * t)}, ${Math.round(255 - 178 * t)}, ${Math.round(255 - 75 * t)})`; // white → #1d4ed8
  }
  const t = Math.max(-1, Math.min(1, v / (limit || 1)));
  return t >= 0
    ? `rgb(255, ${Math.round(255 - 170 * t)}, ${Math.round(255 - 170 * t)})` // white → red
    : `rgb(${Math.round(255 + 170 * t)}, ${Math.round(255 + 120 * t)}, 255)`; // white → blue
}

/** `shown` are the values written in tooltips when the colours come from rescaled ones. */
export function heatmap(values: readonly (readonly number[])[], opts: HeatmapOptions, shown = values): TemplateResult {
  if (opts.scale === 'range') {
    const all = values.flat();
    const lo = Math.min(...all);
    const span = Math.max(...all) - lo || 1;
    return heatmap(values.map((row) => row.map((v) => (v - lo) / span)), { ...opts, scale: 'weights' }, values);
  }
  const scale = opts.scale;
  const limit = opts.limit ?? Math.max(1e-9, ...values.flat().map(Math.abs));
  return html`
    <table class="heatmap" aria-label=${opts.caption}>
      <caption>${opts.caption}</caption>
      ${opts.colLabels ? html`<tr><th></th>${opts.colLabels.map((c) => html`<th scope="col">${c}</th>`)}</tr>` : ''}
      ${values.map(
        (row, i) => html`<tr>
          ${opts.rowLabels ? html`<th scope="row">${opts.rowLabels[i]}</th>` : ''}
          ${row.map((v, j) => html`<td style="background:${colour(v, scale, limit)}" title=${shown[i][j].toFixed(3)}
            aria-label=${`${opts.rowLabels?.[i] ?? i}, ${opts.colLabels?.[j] ?? j}: ${shown[i][j].toFixed(3)}`}></td>`)}
        </tr>`,
      )}
    </table>`;
}

export const heatmapStyles = css`
  table.heatmap { border-collapse: collapse; margin: 0.25rem 0.75rem 0.5rem 0; display: inline-table; vertical-align: top; }
  table.heatmap caption { font-size: 0.85em; text-align: left; padding-bottom: 0.2rem; }
  table.heatmap th { font: 12px ui-monospace, monospace; font-weight: normal; padding: 0 0.25rem; }
  table.heatmap td { width: 1.3rem; height: 1.3rem; border: 1px solid #fff; padding: 0; }
`;
