// Bits or nats: the two units the week-4 widgets switch between, and the toggle they share.
import { html, type TemplateResult } from 'lit';

export type InfoUnit = 'bits' | 'nats';

/** The logarithm base of a unit: 2 for bits, e for nats. */
export const baseOf = (unit: InfoUnit): number => (unit === 'bits' ? 2 : Math.E);

/** An amount of information for display: "∞" where a divergence is infinite. */
export function fmtInfo(v: number, unit: InfoUnit): string {
  if (v === Infinity) return `∞ ${unit}`;
  if (Number.isNaN(v)) return 'undefined';
  return `${v.toFixed(3)} ${unit}`;
}

/** Two radio buttons; `onPick` gets the unit chosen. */
export function unitToggle(unit: InfoUnit, name: string, onPick: (u: InfoUnit) => void): TemplateResult {
  const opt = (u: InfoUnit, label: string) => html`<label>
    <input type="radio" name=${name} value=${u} .checked=${unit === u} @change=${() => onPick(u)} /> ${label}
  </label>`;
  return html`<fieldset class="units"><legend>Unit</legend>${opt('bits', 'bits (log₂)')} ${opt('nats', 'nats (ln)')}</fieldset>`;
}
