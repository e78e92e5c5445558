// The long-sequence benchmark at small sizes, on the reader's device: one fused attention forward each for dense
// causal attention, the causal window and Longformer's window + globals (efficient.timeAttention), at T = 256 or
// 512. A measurement of this browser on this machine, shown and never asserted; the prose beside it states the
// full-size run that `npm run bench:long` wrote to docs/bench-long.json.
import { LitElement, css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { efficient } from '../../../../engine/course';
import { trainingDevice, breathe } from '../../compute';
import type { DeviceName } from '../../../../engine/index';

export const LIVE = { lengths: [256, 512] as const, window: 32, globals: 4, heads: 4, headDim: 64, reps: 3 } as const;

const NAMES: Record<efficient.TimedMethod, string> = {
  'dense-causal': 'dense causal',
  window: `causal window w = ${LIVE.window}`,
  longformer: `Longformer |i − j| < ${LIVE.window} + ${LIVE.globals} globals`,
};

interface Run {
  T: number;
  device: DeviceName;
  timings: efficient.Timing[];
}

@customElement('w1920-live-bench')
export class W1920LiveBench extends LitElement {
  static override styles = css`
    :host { display: block; }
    .status { min-height: 1.4em; }
    table { border-collapse: collapse; margin-top: 0.5rem; }
    th, td { padding: 0.2rem 0.6rem; border-bottom: 1px solid #ddd; text-align: left; }
    td.num { text-align: right; font-variant-numeric: tabular-nums; }
  `;

  @state() private _T: number = LIVE.lengths[0];
  @state() private _status = `Press Time it to run each attention ${LIVE.reps} times at T = ${LIVE.lengths[0]} on this device.`;
  @state() private _run: Run | null = null;
  @state() private _busy = false;

  get value(): { T: number } {
    return { T: this._T };
  }

  set value(v: unknown) {
    const T = (v as { T?: unknown } | null)?.T;
    if ((LIVE.lengths as readonly number[]).includes(T as number)) this._T = T as number;
  }

  private _onT(e: Event): void {
    this._T = Number((e.target as HTMLSelectElement).value);
    this._status = `Set to T = ${this._T}. Press Time it to measure the three patterns.`;
    this.dispatchEvent(new CustomEvent('change', { detail: this.value, bubbles: true, composed: true }));
  }

  private async _onTime(): Promise<void> {
    const T = this._T;
    this._busy = true;
    this._status = 'Choosing the device…';
    try {
      const device = await trainingDevice();
      this._status = `Compiling and warming up on ${device}…`;
      await breathe();
      const timings = await efficient.timeAttention({
        T, window: LIVE.window, globals: LIVE.globals, heads: LIVE.heads, headDim: LIVE.headDim, device, reps: LIVE.reps,
        onProgress: async (m, r) => {
          this._status = `Timing ${NAMES[m]}, call ${r + 1} of ${LIVE.reps}, on ${device}…`;
          await breathe();
        },
      });
      this._run = { T, device, timings };
      const dense = timings.find((t) => t.method === 'dense-causal')!.ms;
      const win = timings.find((t) => t.method === 'window')!.ms;
      this._status = `Measured on ${device} at T = ${T}: the window took ${(win / dense).toFixed(2)}× dense causal's time.`;
    } catch (e) {
      this._status = `Timing failed: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      this._busy = false;
    }
  }

  override render() {
    const r = this._run;
    const dense = r?.timings.find((t) => t.method === 'dense-causal')?.ms ?? 1;
    return html`
      <label>length T
        <select aria-label="sequence length to time" @change=${this._onT} ?disabled=${this._busy}>
          ${LIVE.lengths.map((T) => html`<option value=${T} ?selected=${T === this._T}>${T}</option>`)}
        </select>
      </label>
      <button @click=${this._onTime} ?disabled=${this._busy}>${r ? 'Time it again' : 'Time it'}</button>
      <p class="status" role="status" aria-live="polite">${this._status}</p>
      ${r
        ? html`<table>
            <caption>One forward call (B = 1, H = ${LIVE.heads}, d = ${LIVE.headDim}, T = ${r.T}) on ${r.device}, median of ${LIVE.reps}</caption>
            <thead><tr><th scope="col">pattern</th><th scope="col">time</th><th scope="col">relative to dense causal</th></tr></thead>
            <tbody>
              ${r.timings.map((t) => html`<tr><th scope="row">${NAMES[t.method]}</th><td class="num">${t.ms.toFixed(1)} ms</td><td class="num">${(t.ms / dense).toFixed(2)}×</td></tr>`)}
            </tbody>
          </table>`
        : ''}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w1920-live-bench': W1920LiveBench;
  }
}
