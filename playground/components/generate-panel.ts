// The generation panel of the Load a model dialog, for GPT-2-style models: a prompt, the sampling settings
// (max new tokens, temperature, top-k, seed), Generate and Stop, and the continuation as it is produced with its
// speed. The run itself is a GenerationController. Test hooks: data-generate, data-stop, data-generate-output.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { GenerationController, type GenerationSettings } from '../controllers/generation';
import type { LoadedGpt2 } from '../hf/load';

@customElement('generate-panel')
export class GeneratePanel extends LitElement {
  static override styles = css`
    :host { display: block; }
    label { display: block; font-weight: 600; margin: 8px 0 4px; }
    textarea { width: 100%; box-sizing: border-box; min-height: 4em; font: inherit; }
    .settings { display: grid; grid-template-columns: repeat(4, 1fr); gap: 8px; }
    .settings input { width: 100%; box-sizing: border-box; }
    .actions { display: flex; gap: 8px; align-items: center; margin: 10px 0; }
    .rate { color: #52606d; }
    .output { white-space: pre-wrap; min-height: 3em; padding: 8px; border: 1px solid #cbd2d9; border-radius: 6px; background: #f8fafc; }
    .output .prompt { color: #52606d; }
    .error { color: #b42318; }
  `;

  @property({ attribute: false }) loaded: LoadedGpt2 | null = null;
  @state() private _settings: GenerationSettings = { prompt: 'Once upon a time', maxNewTokens: 40, temperature: 0.8, topK: 40, seed: 0 };
  private readonly _gen = new GenerationController(this);

  /** Stops a run in progress (the dialog calls it before it disposes the model). */
  stop(): void {
    this._gen.stop();
  }

  private _set<K extends keyof GenerationSettings>(key: K, value: GenerationSettings[K]): void {
    this._settings = { ...this._settings, [key]: value };
  }

  /** A number field's value, kept within [min, max] (an empty or unreadable field keeps the last value). */
  private _number(key: 'maxNewTokens' | 'temperature' | 'topK' | 'seed', e: Event, min: number, max: number, integer: boolean): void {
    const v = (e.target as HTMLInputElement).valueAsNumber;
    if (Number.isFinite(v)) this._set(key, Math.min(max, Math.max(min, integer ? Math.round(v) : v)));
  }

  private _generate(): void {
    if (this.loaded) void this._gen.run(this.loaded.model, this.loaded.tokenizer, this._settings);
  }

  override render() {
    const s = this._settings;
    const g = this._gen;
    return html`
      <label for="prompt">Prompt</label>
      <textarea id="prompt" data-prompt .value=${s.prompt} @input=${(e: Event) => this._set('prompt', (e.target as HTMLTextAreaElement).value)}></textarea>
      <div class="settings">
        <span><label for="max">Max new tokens</label>
          <input id="max" type="number" min="1" max="1024" .value=${String(s.maxNewTokens)} @change=${(e: Event) => this._number('maxNewTokens', e, 1, 1024, true)} /></span>
        <span><label for="temperature">Temperature (0 = greedy)</label>
          <input id="temperature" type="number" min="0" max="5" step="0.1" .value=${String(s.temperature)} @change=${(e: Event) => this._number('temperature', e, 0, 5, false)} /></span>
        <span><label for="topk">Top-k (0 = all)</label>
          <input id="topk" type="number" min="0" step="1" .value=${String(s.topK)} @change=${(e: Event) => this._number('topK', e, 0, 1e6, true)} /></span>
        <span><label for="seed">Seed</label>
          <input id="seed" type="number" step="1" .value=${String(s.seed)} @change=${(e: Event) => this._number('seed', e, 0, 2 ** 31 - 1, true)} /></span>
      </div>
      <div class="actions">
        <button data-generate ?disabled=${g.running || !this.loaded} @click=${this._generate}>Generate</button>
        <button data-stop ?disabled=${!g.running} @click=${() => g.stop()}>Stop</button>
        <span class="rate" data-rate aria-live="polite">${g.tokensPerSecond === null ? '' : `${g.produced} tokens, ${g.tokensPerSecond.toFixed(1)} tokens/s`}</span>
      </div>
      <div class="output" data-generate-output data-running=${g.running ? 'true' : 'false'} aria-live="polite" aria-label="Generated text"
        ><span class="prompt">${g.prompt}</span>${g.continuation}</div>
      ${g.error ? html`<p class="error" role="alert" data-generate-error>Generation failed: ${g.error}</p>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'generate-panel': GeneratePanel;
  }
}
