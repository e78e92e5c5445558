// The SVG line-chart writer (engine/train/svg-plot.ts): well-formed XML, points at the coordinates the margins and
// ranges imply (worked out by hand below), nice ticks, and bad input refused with the panel, series and point named.
import { describe, expect, test } from 'vitest';
import { svgLinePlot, niceTicks, type PlotOptions } from '../engine/train/svg-plot';

interface Element {
  name: string;
  attrs: Record<string, string>;
  children: Element[];
  text: string;
}

/**
 * A strict little XML parser for what the writer emits (elements, attributes in double quotes, text): it throws on
 * an unclosed or mismatched tag, a malformed attribute, a raw '<' or a bare '&' outside an entity.
 */
function parseXml(src: string): Element {
  const root: Element = { name: '#root', attrs: {}, children: [], text: '' };
  const stack = [root];
  const entity = /&(amp|lt|gt|quot|apos|#\d+);/g;
  const checkText = (t: string, where: string) => {
    if (t.replace(entity, '').includes('&')) throw new Error(`bare & in ${where}: ${t}`);
  };
  let i = 0;
  while (i < src.length) {
    const lt = src.indexOf('<', i);
    const text = src.slice(i, lt < 0 ? src.length : lt);
    checkText(text, 'text');
    stack[stack.length - 1].text += text;
    if (lt < 0) break;
    const gt = src.indexOf('>', lt);
    if (gt < 0) throw new Error(`unterminated tag at ${lt}`);
    const tag = src.slice(lt + 1, gt);
    if (tag.includes('<')) throw new Error(`raw < inside a tag at ${lt}`);
    if (tag.startsWith('/')) {
      const open = stack.pop()!;
      if (open.name !== tag.slice(1).trim()) throw new Error(`</${tag.slice(1)}> closes <${open.name}>`);
    } else {
      const selfClosing = tag.endsWith('/');
      const body = selfClosing ? tag.slice(0, -1) : tag;
      const m = /^([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*$/.exec(body);
      if (!m) throw new Error(`malformed tag <${tag}>`);
      const el: Element = { name: m[1], attrs: {}, children: [], text: '' };
      for (const a of m[2].matchAll(/([\w:-]+)="([^"]*)"/g)) {
        checkText(a[2], `attribute ${a[1]}`);
        if (a[1] in el.attrs) throw new Error(`duplicate attribute ${a[1]}`);
        el.attrs[a[1]] = a[2];
      }
      stack[stack.length - 1].children.push(el);
      if (!selfClosing) stack.push(el);
    }
    i = gt + 1;
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1].name}>`);
  if (root.children.length !== 1) throw new Error(`${root.children.length} root elements`);
  return root.children[0];
}

function all(el: Element, pred: (e: Element) => boolean): Element[] {
  return [...(pred(el) ? [el] : []), ...el.children.flatMap((c) => all(c, pred))];
}

const pairs = (points: string): number[][] => points.trim().split(/\s+/).map((p) => p.split(',').map(Number));

const figure = (): PlotOptions => ({
  title: 'Recall <T> & loss',
  width: 800,
  height: 400,
  panels: [
    {
      title: 'accuracy', xLabel: 'length', yLabel: 'acc', yRange: [0, 1], xTicks: [0, 10],
      series: [
        { name: 'a & b', points: [{ x: 0, y: 0, lo: 0, hi: 0.5 }, { x: 10, y: 1, lo: 0.5, hi: 1 }] },
        { name: 'chance', points: [{ x: 0, y: 0.25 }, { x: 10, y: 0.25 }], dashed: true },
      ],
    },
    { title: 'loss', xLabel: 'step', yLabel: 'nats', series: [{ name: 'm', points: [{ x: 0, y: 3 }, { x: 100, y: 2.2 }] }] },
  ],
});

describe('svgLinePlot', () => {
  test('well-formed XML with escaped text, one group per panel, ticks, legend and axis labels', () => {
    const svg = parseXml(svgLinePlot(figure()));
    expect(svg.name).toBe('svg');
    expect(svg.attrs).toMatchObject({ xmlns: 'http://www.w3.org/2000/svg', width: '800', height: '400' });
    expect(all(svg, (e) => e.name === 'text').map((e) => e.text)).toContain('Recall &lt;T&gt; &amp; loss');
    const panels = all(svg, (e) => e.attrs.class === 'panel');
    expect(panels.length).toBe(2);
    const texts = (p: Element, cls?: string) => all(p, (e) => e.name === 'text' && (cls === undefined || e.attrs.class === cls)).map((e) => e.text);
    expect(texts(panels[0], 'legend')).toEqual(['a &amp; b', 'chance']);
    expect(texts(panels[0], 'x-tick')).toEqual(['0', '10']);
    expect(texts(panels[0], 'y-tick')).toEqual(['0', '0.2', '0.4', '0.6', '0.8', '1']);
    expect(texts(panels[0])).toEqual(expect.arrayContaining(['length', 'acc', 'accuracy']));
    // Panel (b) has no ranges given: nice ticks over its data, 0…100 by 20 and 2.2…3 by 0.2.
    expect(texts(panels[1], 'x-tick')).toEqual(['0', '20', '40', '60', '80', '100']);
    expect(texts(panels[1], 'y-tick')).toEqual(['2.2', '2.4', '2.6', '2.8', '3']);
    const dashed = all(svg, (e) => e.attrs.class === 'series' && e.attrs['stroke-dasharray'] !== undefined);
    expect(dashed.map((e) => e.attrs['data-series'])).toEqual(['chance']);
  });

  test('points land where the margins and ranges put them', () => {
    const svg = parseXml(svgLinePlot(figure()));
    // Each panel is 400 px wide; the plot area is x ∈ [64, 384] in panel 0 and [464, 784] in panel 1 (margins left 64,
    // right 16), y ∈ [64, 348] (top 64, bottom 52 of 400), with y's low end at the bottom.
    const [line, chance, loss] = all(svg, (e) => e.attrs.class === 'series').map((e) => pairs(e.attrs.points));
    expect(line).toEqual([[64, 348], [384, 64]]);
    expect(chance).toEqual([[64, 348 - 0.25 * 284], [384, 348 - 0.25 * 284]]);
    // Panel (b): x 0…100 and y 2.2…3 (its tick range) over the same pixel box.
    expect(loss).toEqual([[464, 64], [784, 348]]);
    // The band runs along the lows, then back along the highs.
    const band = all(svg, (e) => e.attrs.class === 'band');
    expect(band.length).toBe(1);
    expect(pairs(band[0].attrs.points)).toEqual([[64, 348], [384, 348 - 0.5 * 284], [384, 64], [64, 348 - 0.5 * 284]]);
  });

  test('bad input is refused with the panel, series and point named', () => {
    const withPoint = (p: { x: number; y: number; lo?: number; hi?: number }): PlotOptions => {
      const f = figure();
      f.panels[1].series[0].points[1] = p;
      return f;
    };
    expect(() => svgLinePlot({ title: 't', panels: [] })).toThrow(/no panels/);
    const empty = figure();
    empty.panels[0].series[1].points = [];
    expect(() => svgLinePlot(empty)).toThrow(/panel 0 \("accuracy"\), series "chance" has no points/);
    const noSeries = figure();
    noSeries.panels[1].series = [];
    expect(() => svgLinePlot(noSeries)).toThrow(/panel 1 \("loss"\) has no series/);
    expect(() => svgLinePlot(withPoint({ x: 100, y: NaN }))).toThrow(/panel 1 \("loss"\), series "m", point 1: y is NaN/);
    expect(() => svgLinePlot(withPoint({ x: Infinity, y: 1 }))).toThrow(/point 1: x is Infinity/);
    expect(() => svgLinePlot(withPoint({ x: 1, y: 1, lo: 2, hi: 1 }))).toThrow(/point 1: lo 2 > hi 1/);
    expect(() => svgLinePlot(withPoint({ x: 1, y: 1, lo: 0 }))).toThrow(/both lo and hi/);
    const badRange = figure();
    badRange.panels[0].yRange = [1, 1];
    expect(() => svgLinePlot(badRange)).toThrow(/panel 0 .*yRange/);
  });

  test('niceTicks steps by 1, 2 or 5 × 10^k and covers the range', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(1.93, 2.41)).toEqual([1.9, 2, 2.1, 2.2, 2.3, 2.4, 2.5]);
    expect(niceTicks(0, 450)).toEqual([0, 100, 200, 300, 400, 500]);
    // A flat range at 7 widens by 3.5 either side: [3.5, 10.5] by steps of 2.
    expect(niceTicks(7, 7)).toEqual([2, 4, 6, 8, 10, 12]);
    expect(() => niceTicks(2, 1)).toThrow(/lo ≤ hi/);
  });
});
