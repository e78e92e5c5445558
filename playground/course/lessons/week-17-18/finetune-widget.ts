// A short live fine-tune: the pre-trained BERT (models/bert, with a fresh classifier head) and the same
// architecture from random weights, trained side by side on the same batches of review sentences, with the held-out
// accuracy of both plotted as they go (engine/lessons/pretrained.ts fineTuneRace). It runs on the reader's device
// (WebGPU where the browser has it). The full comparison, with its seeds, is the BERT card's, stated in the prose.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { getDefaultDevice, nn } from '../../../../engine/index';
import { fineTuneRace, loadSentiment, splitSentiment, SENTIMENT_BUDGET, type RacePoint } from '../../../../engine/course';
import { modelFiles, errorText } from './models';
import { RACE } from './numbers';

/** Run lengths offered: a short one, the default, and a long one. */
export const RACE_STEPS = [20, RACE.steps, 200] as const;
import '../../widgets/line-chart';
import type { ChartSeries } from '../../widgets/line-chart';
import { breathe } from '../../compute';

@customElement('w1718-finetune')
export class FineTune extends LitElement {
  static override styles = css`
    :host { display: block; }
    .controls { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; margin-bottom: 0.5rem; }
    .status { min-height: 1.4em; }
  `;

  @state() private _steps: number = RACE.steps;
  @state() private _points: RacePoint[] = [];
  @state() private _status = `Press Fine-tune to train both models for ${RACE.steps} steps here and score them every ${RACE.evalEvery}.`;
  @state() private _busy = false;
  private _abort: AbortController | null = null;

  get value(): { steps: number } {
    return { steps: this._steps };
  }

  /** Restores the run length; anything but one of the choices is ignored. */
  set value(v: unknown) {
    const steps = (v as { steps?: unknown } | null)?.steps;
    if (RACE_STEPS.includes(steps as (typeof RACE_STEPS)[number])) this._steps = steps as number;
  }

  private _onSteps(e: Event): void {
    this._steps = Number((e.target as HTMLSelectElement).value);
    this._status = `Set to ${this._steps} steps, scored every ${this._every()}. Press Fine-tune both to start.`;
    this.dispatchEvent(new CustomEvent('change', { detail: this.value, bubbles: true, composed: true }));
  }

  /** Scored as often, relative to the run's length, as the default run is (four times, and before training). */
  private _every(): number {
    return Math.max(5, Math.round((this._steps * RACE.evalEvery) / RACE.steps));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._abort?.abort(new Error('the page closed the widget'));
  }

  private async _onRun(): Promise<void> {
    this._abort?.abort(new Error('restarted'));
    const ctrl = new AbortController();
    this._abort = ctrl;
    const steps = this._steps;
    const every = this._every();
    this._busy = true;
    this._points = [];
    this._status = 'Loading the BERT checkpoint and the review sentences…';
    await breathe();
    try {
      const device = getDefaultDevice();
      const [files, all] = await Promise.all([modelFiles('bert'), loadSentiment()]);
      const { train, test } = splitSentiment(all, { heldOut: SENTIMENT_BUDGET.heldOut, seed: SENTIMENT_BUDGET.splitSeed });
      const tok = nn.BPETokenizer.fromJSON(JSON.parse(files.tokenizer));
      this._status = `Scoring both untrained classifiers on ${RACE.heldOut} held-out sentences (${device})…`;
      await fineTuneRace(
        {
          files, train, heldOut: test.slice(0, RACE.heldOut), steps, evalEvery: every, batchSize: RACE.batchSize, seed: RACE.seed, device, signal: ctrl.signal,
          onStep: async (step) => {
            const last = this._points.at(-1);
            const scoring = step % every === 0 || step === steps ? `; scoring both on ${RACE.heldOut} held-out sentences…` : '';
            this._status = `Step ${step} of ${steps} on ${device}${last ? `; at step ${last.step}: pre-trained ${(last.pretrained * 100).toFixed(1)}%, scratch ${(last.scratch * 100).toFixed(1)}%` : ''}${scoring || '.'}`;
            await breathe();
          },
          onPoint: async (p) => {
            this._points = [...this._points, p];
            this._status = `Step ${p.step} of ${steps} on ${device}: held-out accuracy, pre-trained ${(p.pretrained * 100).toFixed(1)}%, scratch ${(p.scratch * 100).toFixed(1)}%.`;
            await breathe();
          },
        },
        tok,
      );
      const last = this._points.at(-1)!;
      this._status = `Done, ${steps} steps on ${device}: pre-trained ${(last.pretrained * 100).toFixed(1)}%, scratch ${(last.scratch * 100).toFixed(1)}% on ${RACE.heldOut} held-out sentences. One short run with one seed; the card's comparison above averages longer runs over several seeds.`;
    } catch (e) {
      if (!ctrl.signal.aborted) this._status = `Fine-tuning failed: ${errorText(e)}`;
    } finally {
      if (this._abort === ctrl) this._busy = false;
    }
  }

  override render() {
    const p = this._points;
    const x = p.map((q) => q.step);
    const series: ChartSeries[] = [
      { label: 'pre-trained BERT, fine-tuned', color: '#2563eb', x, y: p.map((q) => q.pretrained) },
      { label: 'same model from scratch', color: '#dc2626', x, y: p.map((q) => q.scratch) },
    ];
    return html`
      <div class="controls">
        <label>run
          <select aria-label="how many steps the live fine-tune runs" @change=${this._onSteps} ?disabled=${this._busy}>
            ${RACE_STEPS.map((n) => html`<option value=${n} ?selected=${n === this._steps}>${n} steps</option>`)}
          </select>
        </label>
        <button @click=${this._onRun} ?disabled=${this._busy}>${p.length ? 'Fine-tune again' : 'Fine-tune both'}</button>
      </div>
      <p class="status" role="status" aria-live="polite">${this._status}</p>
      ${p.length ? html`<course-line-chart legend .height=${200} .series=${series} xLabel="step" yLabel="held-out accuracy" .yRange=${[0.3, 1] as [number, number]}></course-line-chart>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w1718-finetune': FineTune;
  }
}
