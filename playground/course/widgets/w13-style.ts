// Styles shared by the weeks 1-3 widgets (w12-*, w3-*): controls, tables and the error line, so every widget of
// these pages looks and reads the same.
import { css } from 'lit';

export const w13Styles = css`
  :host { display: block; font: 14px/1.45 system-ui, sans-serif; color: #1f2933; }
  .controls { display: flex; flex-wrap: wrap; gap: 8px 20px; align-items: center; margin: 0 0 10px; }
  .controls label { display: inline-flex; gap: 6px; align-items: center; }
  input[type='range'] { width: 160px; }
  input[type='number'] { width: 5.5em; font: inherit; }
  select, button { font: inherit; }
  button { padding: 2px 10px; border: 1px solid #9aa5b1; border-radius: 4px; background: #f5f7fa; cursor: pointer; }
  button:hover { background: #e4e7eb; }
  button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible { outline: 2px solid #2563eb; outline-offset: 1px; }
  table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
  th, td { padding: 2px 8px; text-align: right; border-bottom: 1px solid #e4e7eb; }
  th:first-child, td:first-child { text-align: left; }
  caption { text-align: left; color: #52606d; padding-bottom: 4px; }
  .row { display: flex; flex-wrap: wrap; gap: 20px; align-items: flex-start; }
  .muted { color: #616e7c; }
  .summary { margin: 8px 0 0; color: #323f4b; }
  .error { color: #b91c1c; }
  .busy { color: #616e7c; font-style: italic; }
  .num { font-variant-numeric: tabular-nums; }
`;

/** A number in [0, 1] as a percentage with `digits` decimals. */
export const percent = (x: number, digits = 1): string => `${(x * 100).toFixed(digits)}%`;
