// The training controls: Forward, Backward, Step and Train/Pause, the optimizer settings, the progress of
// compiling ahead, and the numbers the tests read (data-stat attributes). Buttons call the trainer controller,
// which the app owns; settings go up to the app as a 'settings-change' event, since they are UI state.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { pendingEntry, readNumberEntry, rejectedEntryMessage, type RejectedEntry } from './number-entry';
import type { TrainSettings } from '../graph/schema';
import type { TrainerController } from '../controllers/trainer';
import './loss-chart';

type NumberSetting = 'lr' | 'batchSize' | 'seed';

/** The number settings' names as shown, and the values each accepts. */
const NUMBER_SETTINGS: Record<NumberSetting, { label: string; min: number; max: number; integer: boolean }> = {
  lr: { label: 'Learning rate', min: 1e-7, max: 10, integer: false },
  batchSize: { label: 'Batch size', min: 1, max: 4096, integer: true },
  seed: { label: 'Seed', min: 0, max: 4294967295, integer: true },
};

@customElement('train-controls')
export class TrainControls extends LitElement {
  static override styles = css`
    :host { display: flex; flex-direction: column; gap: 8px; padding: 10px 12px; font: 13px/1.3 system-ui, sans-serif; min-height: 0; }
    .buttons { display: flex; gap: 6px; flex-wrap: wrap; }
    button { padding: 6px 10px; border: 1px solid #9aa5b1; border-radius: 6px; background: #fff; font: inherit; cursor: pointer; }
    button:disabled { opacity: 0.5; cursor: default; }
    button.primary { background: #2563eb; border-color: #2563eb; color: #fff; font-weight: 600; min-width: 72px; }
    .settings { display: grid; grid-template-columns: auto 1fr auto 1fr; gap: 4px 8px; align-items: center; }
    .settings input, .settings select { width: 100%; box-sizing: border-box; padding: 3px 5px; font: inherit; }
    progress { width: 100%; }
    .stats { display: grid; grid-template-columns: repeat(3, 1fr); gap: 4px; }
    .stat { background: #f1f5f9; border-radius: 6px; padding: 4px 8px; }
    .stat b { display: block; font: 600 16px ui-monospace, monospace; }
    .stat small { color: #616e7c; }
    .message { color: #3e4c59; min-height: 1.3em; flex: none; } /* a long message pushes the chart down, never under it */
    .message.invalid, .message.error, .message.lost { color: #b91c1c; }
    loss-chart { flex: 1; min-height: 170px; }
    .settings input.bad { border: 1px solid #b91c1c; background: #fef2f2; }
    .problem { color: #b91c1c; margin: 0; }
  `;

  @property({ attribute: false }) trainer!: TrainerController;
  @property({ attribute: false }) settings!: TrainSettings;
  /** Bumped by the app on every trainer update, so the numbers below re-render. */
  @property({ type: Number }) version = 0;

  private _change(patch: Partial<TrainSettings>): void {
    this.dispatchEvent(new CustomEvent<Partial<TrainSettings>>('settings-change', { detail: patch, bubbles: true, composed: true }));
  }

  /** Entries typed into a number field and not applied: kept in the field with what is wrong, as the inspector does. */
  @state() private _rejected: Partial<Record<NumberSetting, RejectedEntry>> = {};

  private _num(e: Event, key: NumberSetting): void {
    const input = e.target as HTMLInputElement;
    const { label, min, max, integer } = NUMBER_SETTINGS[key];
    const entry = readNumberEntry(input.value, label);
    let problem = entry.ok ? null : entry.problem;
    if (entry.ok && (entry.value < min || entry.value > max || (integer && !Number.isInteger(entry.value)))) {
      problem = `${label} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}; got ${entry.value}.`;
    }
    const { [key]: _dropped, ...others } = this._rejected;
    if (problem !== null) {
      this._rejected = { ...others, [key]: { typed: input.value, problem, inForce: this.settings[key] } };
      return;
    }
    this._rejected = others;
    if (entry.ok && entry.value !== this.settings[key]) this._change({ [key]: entry.value });
  }

  /**
   * A number setting's field: what was typed while it is rejected, else the value in force. Not live(): these
   * controls re-render on every training step, and live() would put the value in force back under the learner's
   * fingers while they type; Lit writes the field only when what is shown changes.
   */
  private _field(key: NumberSetting, id: string) {
    const rejected = pendingEntry(this._rejected[key], this.settings[key]);
    return html`<input id=${id} data-setting=${key} type="text" inputmode=${NUMBER_SETTINGS[key].integer ? 'numeric' : 'decimal'}
      class=${rejected ? 'bad' : ''} aria-invalid=${rejected ? 'true' : 'false'}
      .value=${rejected ? rejected.typed : String(this.settings[key])} @change=${(e: Event) => this._num(e, key)} />`;
  }

  override render() {
    const t = this.trainer;
    const s = this.settings;
    const busy = t.phase === 'preparing';
    const blocked = t.phase === 'invalid' || t.phase === 'lost' || (t.phase === 'waiting' && !t.isTraining);
    const fmt = (x: number | null, d = 4): string => (x === null ? '—' : x.toFixed(d));
    return html`
      <div class="buttons">
        <button data-action="forward" title="Run the network on a batch and show the loss" ?disabled=${blocked || t.isTraining} @click=${() => void t.forward()}>Forward</button>
        <button data-action="backward" title="Forward, then compute every gradient" ?disabled=${blocked || t.isTraining} @click=${() => void t.backward()}>Backward</button>
        <button data-action="step" title="One training step (S)" ?disabled=${blocked || t.isTraining} @click=${() => void t.step()}>Step</button>
        <button class="primary" data-action="train" title="Train or pause (Ctrl+Enter)" ?disabled=${blocked} @click=${() => t.toggle()}>
          ${t.isTraining ? 'Pause' : 'Train'}
        </button>
      </div>
      <div class="settings">
        <label for="opt">Optimizer</label>
        <select id="opt" data-setting="optimizer" @change=${(e: Event) => this._change({ optimizer: (e.target as HTMLSelectElement).value as TrainSettings['optimizer'] })}>
          ${(['adam', 'adamw', 'sgd'] as const).map((o) => html`<option value=${o} .selected=${o === s.optimizer}>${o === 'sgd' ? 'SGD' : o === 'adam' ? 'Adam' : 'AdamW'}</option>`)}
        </select>
        <label for="lr">Learning rate</label>
        ${this._field('lr', 'lr')}
        <label for="bs">Batch size</label>
        ${this._field('batchSize', 'bs')}
        <label for="seed">Seed</label>
        ${this._field('seed', 'seed')}
      </div>
      ${(Object.keys(NUMBER_SETTINGS) as NumberSetting[]).map((key) => {
        const rejected = pendingEntry(this._rejected[key], s[key]);
        return rejected ? html`<p class="problem" data-rejected-setting=${key}>${rejectedEntryMessage(rejected)}</p>` : nothing;
      })}
      ${busy
        ? html`<div data-progress>
            <progress max=${t.progress.total} value=${t.progress.done}></progress>
            <small>${t.progress.label}…</small>
          </div>`
        : nothing}
      <div class="stats">
        <div class="stat"><small>step</small><b data-stat="step">${t.stepCount}</b></div>
        <div class="stat"><small>loss</small><b data-stat="loss">${fmt(t.loss)}</b></div>
        <div class="stat"><small>started at</small><b data-stat="initial-loss">${fmt(t.initialLoss)}</b></div>
        <div class="stat"><small>accuracy</small><b data-stat="accuracy">${t.accuracy === null ? '—' : `${(t.accuracy * 100).toFixed(0)}%`}</b></div>
        <div class="stat"><small>gradient norm</small><b data-stat="grad-norm">${t.gradNorm === null ? '—' : t.gradNorm.toPrecision(3)}</b></div>
        <div class="stat" title="From clicking Train to the first step drawn"><small>first step</small><b data-stat="first-step-ms">${t.firstStepMs === null ? '—' : `${t.firstStepMs.toFixed(0)} ms`}</b></div>
      </div>
      <div class="message ${t.phase}" data-phase=${t.phase} role="status">${t.message}</div>
      <loss-chart .history=${t.history} .version=${this.version}></loss-chart>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'train-controls': TrainControls;
  }
  interface HTMLElementEventMap {
    'settings-change': CustomEvent<Partial<TrainSettings>>;
  }
}
