// Opens the engine on WebGPU and shows the adapter's name. When WebGPU is unavailable it shows why, in a banner,
// and falls back to the CPU backend. The outcome is also reflected as attributes (status, adapter) so that tests
// and later elements can read it without looking inside the shadow root.
//
// When the GPU device is lost (a driver reset, the GPU process crashing, or a test destroying it) it says so in a
// banner, sends 'device-lost', and offers one button that opens a new device and sends 'device-ready' again.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { init } from '../engine/index';
import { webgpuBackend } from '../engine/bench';

/** Sent (bubbling, composed) once the engine is open, or has failed to open on any backend. */
export interface DeviceReady {
  status: Exclude<DeviceStatusState, 'loading'>;
  adapter: string;
  /** Why WebGPU was not used (empty on WebGPU). */
  reason: string;
}

/** Sent (bubbling, composed) when the WebGPU device is lost; every tensor on it is gone. */
export interface DeviceLost {
  reason: string;
}

/**
 * 'loading' while init() runs; 'webgpu' or 'cpu' once a backend is open; 'error' when even the CPU failed; 'lost'
 * when the WebGPU device was lost, until it is reopened.
 */
export type DeviceStatusState = 'loading' | 'webgpu' | 'cpu' | 'error' | 'lost';

@customElement('device-status')
export class DeviceStatus extends LitElement {
  static override styles = css`
    :host { display: block; }
    /* Inside the editor (compact): one slim line, not a paragraph. */
    :host([compact]) p, :host([compact]) .banner { margin: 0; padding: 0.3rem 0.75rem; border-radius: 0; font-size: 0.85em; }
    :host([compact]) pre { margin-top: 0.2rem; }
    .ok { padding: 0.75rem 1rem; border-radius: 6px; background: #e8f5e9; }
    .banner { padding: 0.75rem 1rem; border-radius: 6px; background: #fff3e0; border-left: 4px solid #ef6c00; }
    .banner.error { background: #ffebee; border-left-color: #c62828; }
    code { font-size: 0.95em; }
    pre { white-space: pre-wrap; margin: 0.5rem 0 0; font-size: 0.85em; }
  `;

  @property({ reflect: true }) status: DeviceStatusState = 'loading';
  /** The adapter's name as the engine reports it ('cpu' on the CPU backend). */
  @property({ reflect: true }) adapter = '';
  /** Why WebGPU (or, for status 'error', every backend) could not be opened. */
  @state() private _reason = '';

  override firstUpdated(): void {
    void this._openAndTell();
  }

  private async _openAndTell(): Promise<void> {
    await this._open();
    const status = this.status === 'loading' || this.status === 'lost' ? 'error' : this.status;
    const detail: DeviceReady = { status, adapter: this.adapter, reason: this._reason };
    this.dispatchEvent(new CustomEvent<DeviceReady>('device-ready', { detail, bubbles: true, composed: true }));
  }

  /** Reopens WebGPU (a new device) after the last one was lost. */
  private _reopen(): void {
    this.status = 'loading';
    this._reason = '';
    void this._openAndTell();
  }

  /** Watches the device just opened: its loss is announced once, and only while it is the engine's device. */
  private _watch(device: GPUDevice): void {
    void device.lost.then((info) => {
      if (webgpuBackend()?.device !== device || this.status !== 'webgpu') return;
      this._reason = `${info.reason ?? 'unknown'}${info.message ? `: ${info.message}` : ''}`;
      this.status = 'lost';
      this.dispatchEvent(new CustomEvent<DeviceLost>('device-lost', { detail: { reason: this._reason }, bubbles: true, composed: true }));
    });
  }

  private async _open(): Promise<void> {
    try {
      const info = await init({ backend: 'webgpu' });
      this.adapter = info.adapter;
      this.status = info.device;
      const backend = webgpuBackend();
      if (backend) this._watch(backend.device);
      return;
    } catch (e) {
      this._reason = errorMessage(e);
    }
    try {
      const info = await init({ backend: 'cpu' });
      this.adapter = info.adapter;
      this.status = info.device;
    } catch (e) {
      this._reason += `\nThe CPU backend failed too: ${errorMessage(e)}`;
      this.status = 'error';
    }
  }

  override render() {
    switch (this.status) {
      case 'loading':
        return html`<p>Opening the engine…</p>`;
      case 'webgpu':
        return html`<p class="ok">WebGPU adapter: <strong id="adapter">${this.adapter}</strong></p>`;
      case 'cpu':
        return html`
          <div class="banner" role="alert">
            <strong>WebGPU is unavailable, so the engine runs on the CPU backend (slow).</strong>
            <pre id="reason">${this._reason}</pre>
          </div>
          <p>Device: <strong id="adapter">${this.adapter}</strong></p>
        `;
      case 'error':
        return html`
          <div class="banner error" role="alert">
            <strong>The engine could not start.</strong>
            <pre id="reason">${this._reason}</pre>
          </div>
        `;
      case 'lost':
        return html`
          <div class="banner error" role="alert" data-device-lost>
            <strong>The GPU device was lost</strong> (<span id="reason">${this._reason}</span>). The graph and the
            weights last read back from the GPU are kept.
            <button data-action="reopen-device" @click=${() => this._reopen()}>Reopen WebGPU and resume</button>
          </div>
        `;
      default:
        return nothing;
    }
  }
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

declare global {
  interface HTMLElementTagNameMap {
    'device-status': DeviceStatus;
  }
  interface HTMLElementEventMap {
    'device-ready': CustomEvent<DeviceReady>;
    'device-lost': CustomEvent<DeviceLost>;
  }
}
