// Numbers a lesson states are computed by engine code and rendered through stat(): the prose writes
//   html`A fair coin carries ${stat('coin-bits', entropy([0.5, 0.5]), 3)} bits.`
// which shows "1.000" inside <span data-stat="coin-bits">. Every value is also recorded here, unformatted, so the
// end-to-end test can read each [data-stat] off the page and compare it with what the engine computed (a number
// typed into the prose by hand would have no record, and a stale or mis-rendered one would not match).
import { html, type TemplateResult } from 'lit';
import { until } from 'lit/directives/until.js';

/**
 * How a value is written: a number of digits after the point, 'percent' (0.953 → "95.3%"), 'int' (12345 →
 * "12,345"), or a function for anything else.
 */
export type StatFormat = number | 'percent' | 'int' | ((value: number) => string);

export interface StatRecord {
  /** The engine's value, unrounded. */
  value: number;
  /** The text the page shows for it. */
  text: string;
}

const records = new Map<string, StatRecord>();
const problems: string[] = [];
let pending = 0;

export function formatStat(value: number, format: StatFormat = 3): string {
  if (typeof format === 'function') return format(value);
  if (!Number.isFinite(value)) return String(value); // "NaN", "Infinity": visible, and flagged by the tests
  if (format === 'percent') return `${(value * 100).toFixed(1)}%`;
  if (format === 'int') return Math.round(value).toLocaleString('en-US');
  return value.toFixed(format);
}

function record(name: string, value: number, format: StatFormat): string {
  const text = formatStat(value, format);
  const old = records.get(name);
  // One name, one number: a lesson that states two different values under one name has a bug the test should see.
  if (old && old.text !== text) problems.push(`stat "${name}" was recorded as ${old.text} and again as ${text}`);
  if (typeof value !== 'number' || !Number.isFinite(value)) problems.push(`stat "${name}" is not a finite number: ${String(value)}`);
  records.set(name, { value, text });
  return text;
}

/**
 * A computed number in the prose: `<span data-stat="name">formatted value</span>`. `value` may be a promise (a
 * number that needs data or the GPU); the span shows "…" until it settles.
 */
export function stat(name: string, value: number | Promise<number>, format: StatFormat = 3): TemplateResult {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`stat(): the name "${name}" must be letters, digits, '_', '.' or '-'`);
  if (typeof value === 'number') return html`<span data-stat=${name}>${record(name, value, format)}</span>`;
  pending++;
  const text = value.then(
    (v) => record(name, v, format),
    (e: unknown) => {
      problems.push(`stat "${name}" failed: ${e instanceof Error ? e.message : String(e)}`);
      console.error(`stat "${name}" could not be computed`, e);
      return '(could not compute)';
    },
  ).finally(() => pending--);
  return html`<span data-stat=${name}>${until(text, '…')}</span>`;
}

/** What stat() recorded, for the e2e test hook (see test-hooks.ts). */
export function statRecords(): { values: Record<string, StatRecord>; problems: string[]; pending: number } {
  return { values: Object.fromEntries(records), problems: [...problems], pending };
}
