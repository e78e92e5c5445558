// The KV cache, measured on this device: the pre-trained GPT generates the same greedy continuation twice, with
// GPT.generate's cache and without it (useCache: false recomputes the whole context at every step), and the page
// shows both times and their ratio. A measurement of this browser on this machine, never a claim the tests assert.
import { LitElement, css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { getDefaultDevice, nn, type DeviceName } from '../../../../engine/index';
import { modelFiles, errorText } from './models';
import { KV_DEMO, SAMPLE_PROMPT } from './numbers';
import { breathe } from '../../compute';

interface Timing {
  device: DeviceName;
  tokens: number;
  withCache: number;
  without: number;
  same: boolean;
}

/** Lengths offered: a short one and the prose's. */
export const KV_TOKENS = [16, KV_DEMO.newTokens] as const;

let gpu: { device: DeviceName; model: Promise<nn.GPT> } | null = null;

/** The GPT on the page's device, built once (the prose's CPU copy stays on the CPU). */
function deviceModel(): { device: DeviceName; model: Promise<nn.GPT> } {
  const device = getDefaultDevice();
  if (gpu?.device !== device) gpu = { device, model: modelFiles('gpt').then((f) => nn.GPT.fromCard(f.card, f.weights, { device })) };
  gpu.model.catch(() => (gpu = null));
  return gpu;
}

@customElement('w1718-kv-timer')
export class KvTimer extends LitElement {
  static override styles = css`
    :host { display: block; }
    .status { min-height: 1.4em; }
    table { border-collapse: collapse; margin-top: 0.5rem; }
    th, td { padding: 0.2rem 0.6rem; border-bottom: 1px solid #ddd; text-align: left; }
    td.num { text-align: right; font-variant-numeric: tabular-nums; }
  `;

  @state() private _tokens: number = KV_DEMO.newTokens;
  @state() private _status = `Press Time it to generate ${KV_DEMO.newTokens} tokens with and without the cache on this device.`;
  @state() private _timing: Timing | null = null;
  @state() private _busy = false;

  get value(): { tokens: number } {
    return { tokens: this._tokens };
  }

  /** Restores the length; anything but one of the choices is ignored. */
  set value(v: unknown) {
    const tokens = (v as { tokens?: unknown } | null)?.tokens;
    if (KV_TOKENS.includes(tokens as (typeof KV_TOKENS)[number])) this._tokens = tokens as number;
  }

  private _onTokens(e: Event): void {
    this._tokens = Number((e.target as HTMLSelectElement).value);
    this._status = `Set to ${this._tokens} new tokens. Press Time it to measure both ways.`;
    this.dispatchEvent(new CustomEvent('change', { detail: this.value, bubbles: true, composed: true }));
  }

  private async _onTime(): Promise<void> {
    const n = this._tokens;
    this._busy = true;
    this._status = 'Loading the GPT checkpoint on this device…';
    try {
      const { device, model: loading } = deviceModel();
      const model = await loading;
      const tok = nn.BPETokenizer.fromJSON(JSON.parse((await modelFiles('gpt')).tokenizer));
      const prompt = tok.encode(SAMPLE_PROMPT);
      const run = async (useCache: boolean, n: number): Promise<{ ms: number; tokens: number[] }> => {
        const t0 = performance.now();
        const tokens = await model.generate(prompt, { maxNewTokens: n, temperature: 0, useCache });
        return { ms: performance.now() - t0, tokens };
      };
      // A short run of each first, so shader compilation and first-use costs are not timed.
      this._status = `Warming up on ${device}…`;
      await breathe();
      await run(true, 2);
      await run(false, 2);
      this._status = `Generating ${n} tokens with the cache on ${device}…`;
      await breathe();
      const a = await run(true, n);
      this._status = `Generating ${n} tokens without the cache on ${device}…`;
      await breathe();
      const b = await run(false, n);
      this._timing = { device, tokens: n, withCache: a.ms, without: b.ms, same: a.tokens.join() === b.tokens.join() };
      this._status = `Measured on ${device}: without the cache it took ${(b.ms / a.ms).toFixed(2)}× as long.`;
    } catch (e) {
      this._status = `Timing failed: ${errorText(e)}`;
    } finally {
      this._busy = false;
    }
  }

  override render() {
    const t = this._timing;
    return html`
      <label>new tokens
        <select aria-label="how many tokens each timed run generates" @change=${this._onTokens} ?disabled=${this._busy}>
          ${KV_TOKENS.map((n) => html`<option value=${n} ?selected=${n === this._tokens}>${n}</option>`)}
        </select>
      </label>
      <button @click=${this._onTime} ?disabled=${this._busy}>${t ? 'Time it again' : 'Time it'}</button>
      <p class="status" role="status" aria-live="polite">${this._status}</p>
      ${t
        ? html`<table>
            <caption>${t.tokens} greedy tokens after “${SAMPLE_PROMPT}” on ${t.device}${t.same ? ', the same tokens both ways' : ''}</caption>
            <tbody>
              <tr><th scope="row">with the KV cache</th><td class="num">${t.withCache.toFixed(0)} ms</td></tr>
              <tr><th scope="row">without (whole context every step)</th><td class="num">${t.without.toFixed(0)} ms</td></tr>
              <tr><th scope="row">ratio</th><td class="num">${(t.without / t.withCache).toFixed(2)}×</td></tr>
            </tbody>
          </table>`
        : ''}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w1718-kv-timer': KvTimer;
  }
}
