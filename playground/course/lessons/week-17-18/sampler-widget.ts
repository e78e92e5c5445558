// Sampling from the pre-trained GPT one token at a time: greedy, temperature, top-k or top-p, with the next-token
// distribution of the step you pick drawn as bars: the model's probabilities (after the temperature) and what the
// filter keeps, renormalised, which is what the sampler draws from. The steps come from samplingSteps, which
// draws exactly what GPT.generate would for the same seed.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { nn } from '../../../../engine/index';
import { samplingSteps, topGuesses, type SamplingStep } from '../../../../engine/course';
import { pretrained, errorText, type Pretrained } from './models';
import { SAMPLE_PROMPT, statsFirst } from './numbers';
import { showToken } from './see-widget';

export const STRATEGIES = ['greedy', 'temperature', 'top-k', 'top-p'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export interface SamplerValue {
  strategy: Strategy;
  temperature: number;
  topK: number;
  topP: number;
  seed: number;
}

/** Tokens generated per run, and bars drawn per step. */
const STEPS = 16;
const BARS = 12;

export function samplingOptions(v: SamplerValue): nn.SamplingOptions {
  switch (v.strategy) {
    case 'greedy':
      return { temperature: 0 };
    case 'temperature':
      return { temperature: v.temperature };
    case 'top-k':
      return { temperature: v.temperature, topK: v.topK };
    case 'top-p':
      return { temperature: v.temperature, topP: v.topP };
  }
}

@customElement('w1718-sampler')
export class Sampler extends LitElement {
  static override styles = css`
    :host { display: block; }
    .controls { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; margin-bottom: 0.5rem; }
    .out { font-family: ui-monospace, monospace; font-size: 0.9rem; line-height: 1.8; }
    .out button { font: inherit; border: 1px solid #cbd5e1; background: #fff; border-radius: 3px; padding: 0 2px; cursor: pointer; }
    .out button.sel { background: #fde68a; border-color: #d97706; }
    .bars { display: grid; grid-template-columns: 7rem 1fr 4rem 4rem; gap: 2px 0.5rem; align-items: center; margin-top: 0.5rem; font-size: 0.85rem; }
    .bar { position: relative; height: 0.9rem; background: #f1f5f9; }
    .bar .raw { position: absolute; inset: 0 auto 0 0; background: #cbd5e1; }
    .bar .kept { position: absolute; inset: 0.2rem auto 0.2rem 0; background: #2563eb; }
    .num { text-align: right; font-variant-numeric: tabular-nums; }
    .chosen { font-weight: bold; color: #b45309; }
    .status { min-height: 1.4em; }
  `;

  @state() private _v: SamplerValue = { strategy: 'top-k', temperature: 0.8, topK: 10, topP: 0.9, seed: 1 };
  @state() private _prompt = SAMPLE_PROMPT;
  @state() private _steps: SamplingStep[] = [];
  @state() private _promptIds: number[] = [];
  @state() private _selected = 0;
  @state() private _status = 'Loading the GPT checkpoint…';
  private _models: Pretrained | null = null;
  private _request = 0;

  get value(): SamplerValue {
    return { ...this._v };
  }

  set value(v: unknown) {
    if (typeof v !== 'object' || v === null) return;
    const o = v as Partial<SamplerValue>;
    const next = { ...this._v };
    if (STRATEGIES.includes(o.strategy as Strategy)) next.strategy = o.strategy as Strategy;
    if (typeof o.temperature === 'number' && o.temperature > 0 && o.temperature <= 2) next.temperature = o.temperature;
    if (Number.isInteger(o.topK) && o.topK! >= 1 && o.topK! <= 100) next.topK = o.topK!;
    if (typeof o.topP === 'number' && o.topP > 0 && o.topP <= 1) next.topP = o.topP;
    if (Number.isInteger(o.seed) && o.seed! >= 0) next.seed = o.seed!;
    this._v = next;
    if (this._models) void this._run();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    statsFirst().then(pretrained).then(
      (m) => {
        this._models = m;
        void this._run();
      },
      (e: unknown) => (this._status = `The checkpoint could not be loaded: ${errorText(e)}`),
    );
  }

  private _set(patch: Partial<SamplerValue>): void {
    this._v = { ...this._v, ...patch };
    this.dispatchEvent(new CustomEvent<SamplerValue>('change', { detail: this.value, bubbles: true, composed: true }));
    void this._run();
  }

  private async _run(): Promise<void> {
    const m = this._models;
    if (!m) return;
    const request = ++this._request;
    const v = this._v;
    try {
      const prompt = m.tok.encode(this._prompt || ' ');
      const room = m.gpt.config.blockSize - prompt.length;
      if (room < 1) throw new Error(`the prompt is ${prompt.length} tokens; the model reads at most ${m.gpt.config.blockSize - 1} before its first new one`);
      const steps = await samplingSteps(m.gpt, prompt, samplingOptions(v), Math.min(STEPS, room), v.seed);
      if (request !== this._request) return;
      this._promptIds = prompt;
      this._steps = steps;
      this._selected = Math.min(this._selected, steps.length - 1);
      const kept = steps[this._selected].kept.filter((p) => p > 0).length;
      this._status = `${v.strategy}${v.strategy === 'greedy' ? '' : `, temperature ${v.temperature.toFixed(2)}`}${v.strategy === 'top-k' ? `, k = ${v.topK}` : ''}${v.strategy === 'top-p' ? `, p = ${v.topP.toFixed(2)}` : ''}, seed ${v.seed}: step ${this._selected + 1} drew from ${kept} token${kept === 1 ? '' : 's'}.`;
    } catch (e) {
      if (request === this._request) this._status = `Could not sample: ${errorText(e)}`;
    }
  }

  private _bars(step: SamplingStep) {
    const tok = this._models!.tok;
    const ids = new Set([...topGuesses(step.raw, BARS).map((g) => g.id), step.token]);
    const rows = [...ids].sort((a, b) => step.raw[b] - step.raw[a]);
    const top = Math.max(...rows.map((id) => Math.max(step.raw[id], step.kept[id])));
    return html`<div class="bars" role="table" aria-label="next-token probabilities at the selected step">
      <strong>token</strong><strong>model (grey) / kept (blue)</strong><strong class="num">model</strong><strong class="num">kept</strong>
      ${rows.map((id) => html`
        <code class=${id === step.token ? 'chosen' : ''}>${showToken(tok.decode([id]))}${id === step.token ? ' ←' : ''}</code>
        <div class="bar"><div class="raw" style=${`width: ${((100 * step.raw[id]) / top).toFixed(1)}%`}></div><div class="kept" style=${`width: ${((100 * step.kept[id]) / top).toFixed(1)}%`}></div></div>
        <span class="num">${(step.raw[id] * 100).toFixed(1)}%</span><span class="num">${(step.kept[id] * 100).toFixed(1)}%</span>`)}
    </div>`;
  }

  override render() {
    const v = this._v;
    const tok = this._models?.tok;
    const step = this._steps[this._selected];
    return html`
      <div class="controls">
        <label>temperature <input type="range" min="0.1" max="2" step="0.05" .value=${String(v.temperature)} ?disabled=${v.strategy === 'greedy'}
          aria-label="temperature: divides the logits before the softmax" @input=${(e: Event) => this._set({ temperature: Number((e.target as HTMLInputElement).value) })} /> ${v.temperature.toFixed(2)}</label>
        <label>k <input type="range" min="1" max="50" step="1" .value=${String(v.topK)} ?disabled=${v.strategy !== 'top-k'}
          aria-label="top-k: how many of the most likely tokens are kept" @input=${(e: Event) => this._set({ topK: Number((e.target as HTMLInputElement).value) })} /> ${v.topK}</label>
        <label>p <input type="range" min="0.05" max="1" step="0.05" .value=${String(v.topP)} ?disabled=${v.strategy !== 'top-p'}
          aria-label="top-p: the probability the kept tokens must reach" @input=${(e: Event) => this._set({ topP: Number((e.target as HTMLInputElement).value) })} /> ${v.topP.toFixed(2)}</label>
        <label>strategy
          <select aria-label="sampling strategy" @change=${(e: Event) => this._set({ strategy: (e.target as HTMLSelectElement).value as Strategy })}>
            ${STRATEGIES.map((s) => html`<option value=${s} ?selected=${s === v.strategy}>${s}</option>`)}
          </select>
        </label>
        <label>prompt <input type="text" .value=${this._prompt} aria-label="the prompt GPT continues"
          @change=${(e: Event) => { this._prompt = (e.target as HTMLInputElement).value; void this._run(); }} /></label>
        <button @click=${() => this._set({ seed: v.seed + 1 })}>Sample again (seed ${v.seed + 1})</button>
      </div>
      <p class="status" role="status" aria-live="polite">${this._status}</p>
      ${tok && step
        ? html`
            <p class="out">${tok.decode(this._promptIds)}${this._steps.map((s, i) => html`<button class=${i === this._selected ? 'sel' : ''} aria-label=${`step ${i + 1}`} @click=${() => { this._selected = i; void this._run(); }}>${showToken(tok.decode([s.token]))}</button>`)}</p>
            ${this._bars(step)}`
        : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w1718-sampler': Sampler;
  }
}
