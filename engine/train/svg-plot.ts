// A small SVG line-chart writer for the recipes' plots (Node and the browser alike: it returns a string). A figure
// is one or more panels side by side; each panel has linear axes with "nice" ticks (steps of 1, 2 or 5 × 10^k),
// axis labels, a legend, and series drawn as a line through points with an optional min–max band (lo … hi at each
// point) and an optional dashed style (e.g. a chance level). Bad input (no panels, a series with no points, a
// non-finite value, lo > hi) is refused with an error naming the panel, the series and the point.

export interface PlotPoint {
  x: number;
  y: number;
  /** The band around y at this point (both or neither), e.g. the min and max over seeds. */
  lo?: number;
  hi?: number;
}

export interface PlotSeries {
  name: string;
  points: PlotPoint[];
  /** A CSS colour; by default the next of PALETTE. */
  color?: string;
  dashed?: boolean;
}

export interface PlotPanel {
  title: string;
  xLabel: string;
  yLabel: string;
  series: PlotSeries[];
  /** Tick positions on x (default: nice ticks over the data). */
  xTicks?: number[];
  /** The y range drawn (default: the data's, bands included, widened to nice ticks). */
  yRange?: [number, number];
  /** Formats tick labels (default: up to 4 significant digits). */
  xFormat?: (v: number) => string;
  yFormat?: (v: number) => string;
}

export interface PlotOptions {
  title: string;
  panels: PlotPanel[];
  /** Pixel size of the whole figure (default 960 × 400). */
  width?: number;
  height?: number;
}

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

/**
 * The plot area inside each panel, in pixels from the panel's edges: room for the figure title and the panel title
 * above, tick labels and the x label below, tick labels and the y label on the left.
 */
export const PLOT_MARGIN = { left: 64, right: 16, top: 64, bottom: 52 } as const;

/** Ticks at 1, 2 or 5 × 10^k covering [lo, hi] with about `count` intervals; the first ≤ lo and the last ≥ hi. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) throw new RangeError(`niceTicks: need finite lo ≤ hi, got ${lo}, ${hi}`);
  if (lo === hi) {
    // A flat range gets one unit either side of its value's own scale, so it still has an axis.
    const pad = lo === 0 ? 1 : Math.abs(lo) / 2;
    [lo, hi] = [lo - pad, hi + pad];
  }
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.ceil(hi / step - 1e-9);
  // Round away the float noise of k·step (0.30000000000000004).
  return Array.from({ length: last - first + 1 }, (_, i) => Number(((first + i) * step).toPrecision(12)));
}

const fmt = (v: number): string => String(Number(v.toPrecision(4)));
const px = (v: number): string => String(Math.round(v * 100) / 100);

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function check(panels: PlotPanel[]): void {
  if (panels.length === 0) throw new RangeError('svgLinePlot: no panels to draw');
  panels.forEach((panel, pi) => {
    const where = `panel ${pi} ("${panel.title}")`;
    if (panel.series.length === 0) throw new RangeError(`svgLinePlot: ${where} has no series`);
    panel.series.forEach((s) => {
      if (s.points.length === 0) throw new RangeError(`svgLinePlot: ${where}, series "${s.name}" has no points`);
      s.points.forEach((p, i) => {
        for (const key of ['x', 'y', 'lo', 'hi'] as const) {
          const v = p[key];
          if (v === undefined && key !== 'x' && key !== 'y') continue;
          if (typeof v !== 'number' || !Number.isFinite(v)) {
            throw new RangeError(`svgLinePlot: ${where}, series "${s.name}", point ${i}: ${key} is ${v}, not a finite number`);
          }
        }
        if ((p.lo === undefined) !== (p.hi === undefined)) throw new RangeError(`svgLinePlot: ${where}, series "${s.name}", point ${i}: give both lo and hi, or neither`);
        if (p.lo !== undefined && p.hi !== undefined && p.lo > p.hi) throw new RangeError(`svgLinePlot: ${where}, series "${s.name}", point ${i}: lo ${p.lo} > hi ${p.hi}`);
      });
    });
    const r = panel.yRange;
    if (r && !(Number.isFinite(r[0]) && Number.isFinite(r[1]) && r[0] < r[1])) throw new RangeError(`svgLinePlot: ${where}: yRange must be finite with lo < hi, got [${r}]`);
    if (panel.xTicks?.some((t) => !Number.isFinite(t))) throw new RangeError(`svgLinePlot: ${where}: xTicks must be finite, got [${panel.xTicks}]`);
  });
}

/** The figure as an SVG document (a string starting with `<svg`). */
export function svgLinePlot(opts: PlotOptions): string {
  check(opts.panels);
  const W = opts.width ?? 960;
  const H = opts.height ?? 400;
  const panelW = W / opts.panels.length;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${px(W / 2)}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(opts.title)}</text>`,
  ];
  let colour = 0;
  opts.panels.forEach((panel, pi) => {
    const all = panel.series.flatMap((s) => s.points);
    const xs = all.map((p) => p.x);
    const ys = all.flatMap((p) => [p.y, p.lo ?? p.y, p.hi ?? p.y]);
    const xTicks = panel.xTicks ?? niceTicks(Math.min(...xs), Math.max(...xs));
    const yTicks = panel.yRange ? niceTicks(panel.yRange[0], panel.yRange[1]).filter((t) => t >= panel.yRange![0] - 1e-12 && t <= panel.yRange![1] + 1e-12) : niceTicks(Math.min(...ys), Math.max(...ys));
    const [x0, x1] = [Math.min(...xTicks, ...xs), Math.max(...xTicks, ...xs)];
    const [y0, y1] = panel.yRange ?? [yTicks[0], yTicks[yTicks.length - 1]];
    // The plot area: x from left to right, y from bottom (y0) to top (y1), since SVG's y grows downwards.
    const left = pi * panelW + PLOT_MARGIN.left;
    const right = (pi + 1) * panelW - PLOT_MARGIN.right;
    const top = PLOT_MARGIN.top;
    const bottom = H - PLOT_MARGIN.bottom;
    const X = (v: number): number => (x1 === x0 ? (left + right) / 2 : left + ((v - x0) / (x1 - x0)) * (right - left));
    const Y = (v: number): number => bottom - ((v - y0) / (y1 - y0)) * (bottom - top);
    const fx = panel.xFormat ?? fmt;
    const fy = panel.yFormat ?? fmt;

    out.push(`<g class="panel" data-panel="${pi}">`);
    out.push(`<text x="${px((left + right) / 2)}" y="${top - 14}" text-anchor="middle" font-size="13">${escapeXml(panel.title)}</text>`);
    out.push(`<rect class="plot-area" x="${px(left)}" y="${px(top)}" width="${px(right - left)}" height="${px(bottom - top)}" fill="none" stroke="#444"/>`);
    for (const t of xTicks) {
      out.push(`<line x1="${px(X(t))}" y1="${px(bottom)}" x2="${px(X(t))}" y2="${px(bottom + 5)}" stroke="#444"/>`);
      out.push(`<text class="x-tick" x="${px(X(t))}" y="${px(bottom + 18)}" text-anchor="middle">${escapeXml(fx(t))}</text>`);
    }
    for (const t of yTicks) {
      out.push(`<line x1="${px(left - 5)}" y1="${px(Y(t))}" x2="${px(left)}" y2="${px(Y(t))}" stroke="#444"/>`);
      out.push(`<line x1="${px(left)}" y1="${px(Y(t))}" x2="${px(right)}" y2="${px(Y(t))}" stroke="#eee"/>`);
      out.push(`<text class="y-tick" x="${px(left - 8)}" y="${px(Y(t) + 4)}" text-anchor="end">${escapeXml(fy(t))}</text>`);
    }
    out.push(`<text x="${px((left + right) / 2)}" y="${px(H - 12)}" text-anchor="middle">${escapeXml(panel.xLabel)}</text>`);
    out.push(`<text transform="translate(${px(left - 46)},${px((top + bottom) / 2)}) rotate(-90)" text-anchor="middle">${escapeXml(panel.yLabel)}</text>`);

    panel.series.forEach((s, si) => {
      const c = s.color ?? PALETTE[colour++ % PALETTE.length];
      const name = escapeXml(s.name);
      const banded = s.points.filter((p) => p.lo !== undefined && p.hi !== undefined);
      if (banded.length > 0) {
        // The band: along the lows left to right, then back along the highs.
        const ring = [...banded.map((p) => `${px(X(p.x))},${px(Y(p.lo!))}`), ...banded.slice().reverse().map((p) => `${px(X(p.x))},${px(Y(p.hi!))}`)];
        out.push(`<polygon class="band" data-series="${name}" points="${ring.join(' ')}" fill="${c}" fill-opacity="0.18" stroke="none"/>`);
        for (const p of banded) out.push(`<line class="whisker" x1="${px(X(p.x))}" y1="${px(Y(p.lo!))}" x2="${px(X(p.x))}" y2="${px(Y(p.hi!))}" stroke="${c}"/>`);
      }
      const line = s.points.map((p) => `${px(X(p.x))},${px(Y(p.y))}`).join(' ');
      out.push(`<polyline class="series" data-series="${name}" points="${line}" fill="none" stroke="${c}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
      if (!s.dashed) for (const p of s.points) out.push(`<circle cx="${px(X(p.x))}" cy="${px(Y(p.y))}" r="3" fill="${c}"/>`);
      // Legend: one row per series in the plot area's top-right corner.
      const ly = top + 14 + si * 16;
      out.push(`<line x1="${px(right - 150)}" y1="${px(ly - 4)}" x2="${px(right - 128)}" y2="${px(ly - 4)}" stroke="${c}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
      out.push(`<text class="legend" x="${px(right - 122)}" y="${px(ly)}">${name}</text>`);
    });
    out.push('</g>');
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
