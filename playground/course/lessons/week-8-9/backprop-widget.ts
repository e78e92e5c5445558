// Backprop one step at a time through a 2 → 2 (tanh) → 2 (softmax) network: Next computes the next tensor of the
// forward pass, then of the backward pass, and shows it with the rule that made it. The values come from
// backpropTrace (engine/lessons/neural.ts), which the tests compare with autograd. Its value is the step shown.
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { backpropTrace } from '../../../../engine/course';
import { STEP_NET, STEP_T, STEP_X } from './data';

const STEPS = backpropTrace(STEP_NET, STEP_X, STEP_T);
const fmt = (rows: number[][]) => rows.map((r) => `[${r.map((v) => v.toFixed(4)).join(', ')}]`).join(' ');

@customElement('w89-backprop')
export class W89Backprop extends LitElement {
  static override styles = css`
    :host { display: block; font: 14px/1.4 system-ui, sans-serif; color: #1f2933; }
    .controls { display: flex; gap: 8px; align-items: center; margin-bottom: 8px; }
    table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
    th, td { padding: 2px 8px; text-align: left; border-bottom: 1px solid #e4e7eb; }
    tr.current { background: #fef3c7; }
    td.backward { color: #b91c1c; } td.forward { color: #1d4ed8; }
    code { font: 13px ui-monospace, monospace; }
  `;

  /** How many steps are shown (1 … STEPS.length). */
  @property({ attribute: false }) value = 1;

  private _go(n: number): void {
    this.value = Math.min(STEPS.length, Math.max(1, n));
    this.dispatchEvent(new CustomEvent<number>('change', { detail: this.value, bubbles: true, composed: true }));
  }

  override render() {
    const shown = Math.min(STEPS.length, Math.max(1, Math.round(Number(this.value) || 1)));
    const cur = STEPS[shown - 1];
    return html`
      <p>Weights: W1 = ${fmt(STEP_NET.W1)}, b1 = ${fmt([STEP_NET.b1])}, W2 = ${fmt(STEP_NET.W2)}, b2 = ${fmt([STEP_NET.b2])}; true class t = ${STEP_T}.</p>
      <div class="controls">
        <button @click=${() => this._go(1)} ?disabled=${shown === 1}>Start over</button>
        <button @click=${() => this._go(shown - 1)} ?disabled=${shown === 1}>Back</button>
        <button @click=${() => this._go(shown + 1)} ?disabled=${shown === STEPS.length}>Next</button>
        <span aria-live="polite">Step ${shown} of ${STEPS.length} (${cur.pass}): <code>${cur.rule}</code></span>
      </div>
      <table aria-label="tensors computed so far">
        <thead><tr><th>pass</th><th>tensor</th><th>rule</th><th>value</th></tr></thead>
        <tbody>${STEPS.slice(0, shown).map((s, i) => html`<tr class=${i === shown - 1 ? 'current' : ''}>
          <td class=${s.pass}>${s.pass}</td><td><code>${s.name}</code></td><td><code>${s.rule}</code></td><td><code>${fmt(s.value)}</code></td>
        </tr>`)}</tbody>
      </table>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w89-backprop': W89Backprop;
  }
}
