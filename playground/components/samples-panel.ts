// The Samples tab of the Views panel: what the model being trained writes — invented names from a character model,
// translations of a few sources (with the right answer beside each) from an encoder–decoder — drawn by the
// SamplesController at once, every N steps, or on "Sample now". The settings are typed numbers, checked as the
// training settings are: a rejected entry stays in its field with what is wrong and the value still in force.
// Test hooks: data-sample-setting on each field, data-rejected-sample-setting on a problem line, data-samples on the
// list (data-kind, data-step), data-sample on each sample (data-done), data-sampling-message on the message.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { pendingEntry, readNumberEntry, rejectedEntryMessage, type RejectedEntry } from './number-entry';
import { SAMPLE_SETTINGS, sampleSettingProblem } from '../graph/sample';
import { EVERY, everyProblem, type SamplesController, type SamplesSettings } from '../controllers/samples';

type Field = keyof SamplesSettings;

const FIELDS: Record<Field, { label: string; integer: boolean; title: string }> = {
  temperature: { label: SAMPLE_SETTINGS.temperature.label, integer: false, title: 'Below 1: safer, more common choices; above 1: bolder ones; 0: always the most likely token' },
  topK: { label: SAMPLE_SETTINGS.topK.label, integer: true, title: 'Draw only among the k most likely tokens; 0: all of them' },
  seed: { label: SAMPLE_SETTINGS.seed.label, integer: true, title: 'The same seed and weights give the same samples' },
  every: { label: EVERY.label, integer: true, title: 'Draw new samples after this many training steps' },
};

@customElement('samples-panel')
export class SamplesPanel extends LitElement {
  static override styles = css`
    :host { display: block; font: 12px/1.3 system-ui, sans-serif; }
    .bar { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin-bottom: 6px; }
    .bar label { display: flex; gap: 4px; align-items: center; }
    .bar input { width: 64px; padding: 2px 4px; font: inherit; }
    .bar input.bad { border: 1px solid #b91c1c; background: #fef2f2; }
    .bar button { padding: 3px 8px; border: 1px solid #9aa5b1; border-radius: 5px; background: #fff; font: inherit; cursor: pointer; }
    .problem, .message.error { color: #b91c1c; margin: 2px 0; }
    .muted { color: #7b8794; }
    ol { margin: 4px 0; padding-left: 22px; font: 13px ui-monospace, monospace; }
    li.pending { color: #7b8794; }
    .right { color: #15803d; }
    .wrong { color: #b91c1c; }
  `;

  @property({ attribute: false }) samples!: SamplesController;
  /** Bumped by the app on every samples update. */
  @property({ type: Number }) version = 0;

  @state() private _rejected: Partial<Record<Field, RejectedEntry>> = {};

  private _onField(e: Event, key: Field): void {
    const input = e.target as HTMLInputElement;
    const { label, integer } = FIELDS[key];
    const entry = readNumberEntry(input.value, label);
    let problem = entry.ok ? null : entry.problem;
    if (entry.ok) problem = key === 'every' ? everyProblem(entry.value) : sampleSettingProblem(key, entry.value);
    const { [key]: _dropped, ...others } = this._rejected;
    const inForce = this.samples.settings[key];
    if (problem !== null) {
      this._rejected = { ...others, [key]: { typed: input.value, problem, inForce } };
      return;
    }
    this._rejected = others;
    if (entry.ok && entry.value !== inForce) this.samples.setSettings({ ...this.samples.settings, [key]: integer ? Math.trunc(entry.value) : entry.value });
  }

  private _field(key: Field) {
    const rejected = pendingEntry(this._rejected[key], this.samples.settings[key]);
    return html`<label title=${FIELDS[key].title}>${FIELDS[key].label}
      <input type="text" inputmode=${FIELDS[key].integer ? 'numeric' : 'decimal'} data-sample-setting=${key}
        class=${rejected ? 'bad' : ''} aria-invalid=${rejected ? 'true' : 'false'}
        .value=${rejected ? rejected.typed : String(this.samples.settings[key])} @change=${(e: Event) => this._onField(e, key)} /></label>`;
  }

  override render() {
    const c = this.samples;
    if (!c) return nothing;
    const keys = Object.keys(FIELDS) as Field[];
    return html`
      <div class="bar">
        ${keys.map((k) => this._field(k))}
        <button data-action="sample-now" @click=${() => c.sampleNow()}>Sample now</button>
        ${c.running ? html`<span class="muted">writing…</span>` : nothing}
      </div>
      ${keys.map((k) => {
        const rejected = pendingEntry(this._rejected[k], c.settings[k]);
        return rejected ? html`<p class="problem" data-rejected-sample-setting=${k}>${rejectedEntryMessage(rejected)}</p>` : nothing;
      })}
      ${c.message ? html`<p class="message ${c.samples.length ? 'error' : 'muted'}" data-sampling-message>${c.message}</p>` : nothing}
      ${c.samples.length
        ? html`<div data-samples data-kind=${c.kind ?? ''} data-step=${c.step ?? ''}>
            <span class="muted">${c.kind === 'translation' ? 'Translations' : 'Samples'} from the model at step ${c.step}:</span>
            <ol>
              ${c.samples.map((s) => html`<li class=${s.done ? '' : 'pending'} data-sample data-done=${s.done ? 'true' : 'false'}>${
                c.kind === 'translation'
                  ? html`<span data-source>${s.source}</span> → <b data-text>${s.text}</b>${s.done
                      ? html` <span class=${s.text === s.expected ? 'right' : 'wrong'}>${s.text === s.expected ? '✓' : `✗ (right: ${s.expected})`}</span>`
                      : nothing}`
                  : html`<b data-text>${s.text}</b>${s.done ? nothing : '…'}`
              }</li>`)}
            </ol>
          </div>`
        : !c.message
          ? html`<p class="muted">Samples appear here as soon as the model is ready, and again as it trains.</p>`
          : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'samples-panel': SamplesPanel;
  }
}
