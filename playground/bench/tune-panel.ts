// The Bench tab's Tune button: runs the engine's autotuner (tune() in engine/tune.ts) for matmul and attention at
// the page's shapes on the user's GPU, shows its progress and each op's chosen configuration, and leaves the
// choices in IndexedDB, where the engine finds them whenever it opens this adapter again. The shapes are the
// chosen sweep's attention configs and the matmul each implies (Q @ Kᵀ per head: T × T over d, a batch of B·H),
// one per shape class (the largest), since the tuner keeps one choice per class. The run's state is reflected on
// the host (state) for tests.
import { LitElement, css, html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { tune, attentionShapeClass, matmulShapeClass, type TuneReport, type TuneShapes } from '../../engine/index';
import type { AttentionConfig } from '../../bench/attention-core';
import { errorMessage } from './peers';

export type TuneState = 'idle' | 'running' | 'done' | 'failed';

/** The tuner's shapes for a sweep: attention as configured and its Q @ Kᵀ matmul, the largest of each shape class. */
export function tuneShapes(configs: readonly AttentionConfig[]): TuneShapes {
  const bySize = [...configs].sort((x, y) => x.B * x.H * x.T * x.T * x.d - y.B * y.H * y.T * y.T * y.d);
  // Larger configs replace smaller ones of the same class.
  const attention = new Map(bySize.map((c) => [attentionShapeClass(c), c]));
  const matmul = new Map(bySize.map((c) => {
    const m = { M: c.T, N: c.T, K: c.d, batch: c.B * c.H };
    return [matmulShapeClass(m), m];
  }));
  return { attention: [...attention.values()], matmul: [...matmul.values()] };
}

/** The long-running tune() of one click, as a controller: its state, progress line and report. */
class TuneController implements ReactiveController {
  state: TuneState = 'idle';
  progress = '';
  report: TuneReport | null = null;

  constructor(private host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {}

  async run(configs: readonly AttentionConfig[]): Promise<void> {
    this.state = 'running';
    this.report = null;
    this.set('starting…');
    try {
      this.report = await tune({
        ops: ['matmul', 'attention'], shapes: tuneShapes(configs), reps: 3,
        onProgress: (p) => this.set(`${p.step + 1}/${p.steps}: ${p.op} ${p.shape}, ${p.candidate}`),
      });
      this.state = 'done';
      const r = this.report;
      const saved = r.savedTo ? `, saved to ${r.savedTo}` : r.saveError ? `; not saved (${r.saveError}): the choices hold until the page closes` : '';
      this.set(`done: ${r.results.length} shapes tuned${saved}`);
    } catch (e) {
      this.state = 'failed';
      this.set(`failed: ${errorMessage(e)}`);
    }
  }

  private set(progress: string): void {
    this.progress = progress;
    this.host.requestUpdate();
  }
}

@customElement('tune-panel')
export class TunePanel extends LitElement {
  static override styles = css`
    :host { display: inline-flex; gap: 0.5rem; align-items: baseline; flex-wrap: wrap; }
    button { font: inherit; padding: 0.3rem 0.8rem; }
    .progress { color: #445; font-size: 0.9em; }
    table { border-collapse: collapse; font-size: 0.85em; flex-basis: 100%; }
    th, td { padding: 0.15rem 0.5rem; border-bottom: 1px solid #e3e7eb; text-align: left; }
  `;

  /** The sweep's attention configs, whose shapes the tuner measures. */
  @property({ attribute: false }) configs: readonly AttentionConfig[] = [];
  @property({ type: Boolean }) disabled = false;
  @property({ reflect: true }) state: TuneState = 'idle';

  private _tuner = new TuneController(this);

  protected override willUpdate(): void {
    this.state = this._tuner.state;
  }

  override render() {
    const t = this._tuner;
    const running = t.state === 'running';
    return html`
      <button id="tune" ?disabled=${this.disabled || running} @click=${this._onTune}
        title="Time our matmul and attention kernel configurations on this GPU at the sweep's shapes and keep the fastest (stored in this browser)">Tune</button>
      <span class="progress" id="tune-progress">${t.progress}</span>
      ${t.report ? html`
        <table id="tune-results">
          <thead><tr><th>op</th><th>shape</th><th>class</th><th>chosen</th><th>default</th><th>speedup</th></tr></thead>
          <tbody>${t.report.results.map((r) => html`
            <tr data-op=${r.op} data-winner=${r.winner}><td>${r.op}</td><td>${r.shape}</td><td>${r.shapeClass}</td><td>${r.winner}</td>
              <td>${r.defaultId}</td><td>${r.speedup.toFixed(2)}×</td></tr>`)}
          </tbody>
        </table>` : nothing}
    `;
  }

  private async _onTune(): Promise<void> {
    // The Bench tab disables Run meanwhile: a sweep timed during tuning would measure both.
    this.dispatchEvent(new CustomEvent('tune-start', { bubbles: true, composed: true }));
    await this._tuner.run(this.configs);
    this.dispatchEvent(new CustomEvent('tune-done', { detail: this._tuner.report, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tune-panel': TunePanel;
  }
}
