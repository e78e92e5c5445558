// Both language models side by side: the Kneser-Ney bigram and the neural model, on one vocabulary, scored on the
// same held-out State of the Union addresses, with sentences drawn from each. It opens on the page's quick run
// (quick.ts); Train fits both again on the vocabulary size and schedule chosen here, on WebGPU where the browser
// has it, in chunks that let the page paint. The numbers all come from engine/lessons/mlplm.ts.
import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { DeviceName } from '../../../../engine/index';
import { compareLanguageModels, type LMComparison } from '../../../../engine/course';
import { loadSotu } from '../../widgets/w13-data';
import { QUICK, quickComparison } from './quick';
import { breathe, trainingDevice } from '../../compute';

export const VOCAB_SIZES = [30, 100, 300] as const;
export const STEP_CHOICES = [400, 1500, 4000] as const;

export interface CompareValue {
  vocab: number;
  steps: number;
}

interface Shown {
  result: LMComparison;
  vocab: number;
  steps: number;
  device: DeviceName;
  /** Whether this widget trained the model (and so disposes it); the quick run's is shared with the page. */
  owned: boolean;
}

@customElement('w10-lm-compare')
export class LmCompare extends LitElement {
  static override styles = css`
    :host { display: block; }
    .controls { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; margin-bottom: 0.5rem; }
    table { border-collapse: collapse; margin: 0.5rem 0; }
    th, td { padding: 0.2rem 0.6rem; border-bottom: 1px solid #ddd; text-align: left; }
    td.num { text-align: right; font-variant-numeric: tabular-nums; }
    .samples { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
    .samples ol { margin: 0.25rem 0; padding-left: 1.25rem; }
    .status { min-height: 1.4em; }
  `;

  @state() private _vocab: number = QUICK.vocabSize;
  @state() private _steps: number = QUICK.train.steps;
  @state() private _shown: Shown | null = null;
  @state() private _status = 'Running the quick comparison…';
  @state() private _busy = false;
  private _abort: AbortController | null = null;

  get value(): CompareValue {
    return { vocab: this._vocab, steps: this._steps };
  }

  /** Restores settings; a field that is missing or not one of the choices keeps its current value. */
  set value(v: unknown) {
    if (typeof v !== 'object' || v === null) return;
    const { vocab, steps } = v as Partial<CompareValue>;
    if (VOCAB_SIZES.includes(vocab as (typeof VOCAB_SIZES)[number])) this._vocab = vocab as number;
    if (STEP_CHOICES.includes(steps as (typeof STEP_CHOICES)[number])) this._steps = steps as number;
  }

  override firstUpdated(_: PropertyValues): void {
    quickComparison().then(
      (result) => {
        if (this._shown) return;
        this._shown = { result, vocab: QUICK.vocabSize, steps: QUICK.train.steps, device: 'cpu', owned: false };
        this._status = 'Showing the quick run from the text. Choose a vocabulary and a schedule, then Train.';
      },
      (e: unknown) => (this._status = `The quick comparison failed: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._abort?.abort();
  }

  private _emit(): void {
    this.dispatchEvent(new CustomEvent<CompareValue>('change', { detail: this.value, bubbles: true, composed: true }));
  }

  private _onVocab(e: Event): void {
    this._vocab = Number((e.target as HTMLSelectElement).value);
    this._status = `Vocabulary set to the top ${this._vocab} words. Press Train to fit both models on it.`;
    this._emit();
  }

  private _onSteps(e: Event): void {
    this._steps = Number((e.target as HTMLSelectElement).value);
    this._status = `Schedule set to ${this._steps} steps. Press Train to fit both models with it.`;
    this._emit();
  }

  private async _onTrain(): Promise<void> {
    this._abort?.abort();
    const ctrl = new AbortController();
    this._abort = ctrl;
    const vocab = this._vocab;
    const steps = this._steps;
    this._busy = true;
    try {
      const device = await trainingDevice();
      this._status = `Training on ${device}…`;
      const data = await loadSotu();
      const result = await compareLanguageModels(data.train, data.test, {
        vocabSize: vocab,
        model: vocab === QUICK.vocabSize ? QUICK.model : { context: 3, dim: 16, hidden: 64, seed: 0 },
        train: {
          steps,
          batch: vocab === QUICK.vocabSize ? QUICK.train.batch : 256,
          lr: vocab === QUICK.vocabSize ? QUICK.train.lr : 0.02,
          seed: 0,
          every: 50,
          signal: ctrl.signal,
          onProgress: async ({ step, loss }) => {
            this._status = `Training on ${device}: step ${step} of ${steps}, training loss ${loss.toFixed(3)} nats.`;
            await breathe();
          },
        },
        device,
        samples: 3,
      });
      if (ctrl.signal.aborted) return;
      if (this._shown?.owned) for (const p of this._shown.result.model.parameters()) p.dispose();
      this._shown = { result, vocab, steps, device, owned: true };
      this._status = `Trained on ${device}.`;
    } catch (e) {
      if (!ctrl.signal.aborted) this._status = `Training failed: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      if (this._abort === ctrl) this._busy = false;
    }
  }

  override render() {
    const s = this._shown;
    return html`
      <div class="controls">
        <label>vocabulary
          <select aria-label="vocabulary size: the most frequent training words kept" @change=${this._onVocab}>
            ${VOCAB_SIZES.map((v) => html`<option value=${v} ?selected=${v === this._vocab}>top ${v} words</option>`)}
          </select>
        </label>
        <label>schedule
          <select aria-label="training steps of the neural model" @change=${this._onSteps}>
            ${STEP_CHOICES.map((v) => html`<option value=${v} ?selected=${v === this._steps}>${v} steps</option>`)}
          </select>
        </label>
        <button @click=${this._onTrain} ?disabled=${this._busy}>Train</button>
      </div>
      <p class="status" role="status" aria-live="polite">${this._status}</p>
      ${s
        ? html`
            <table>
              <caption>Held-out perplexity, top ${s.vocab} words (${(s.result.unkRate * 100).toFixed(1)}% of held-out words are &lt;unk&gt;), ${s.steps} steps on ${s.device}</caption>
              <thead><tr><th scope="col">model</th><th scope="col">perplexity</th></tr></thead>
              <tbody>
                <tr><th scope="row">Kneser-Ney bigram</th><td class="num">${s.result.bigram.toFixed(3)}</td></tr>
                <tr><th scope="row">neural (3 previous words)</th><td class="num">${s.result.mlp.toFixed(3)}</td></tr>
              </tbody>
            </table>
            <div class="samples">
              <div><strong>Bigram samples</strong><ol>${s.result.bigramSamples.map((t) => html`<li>${t.join(' ') || '(empty sentence)'}</li>`)}</ol></div>
              <div><strong>Neural samples</strong><ol>${s.result.mlpSamples.map((t) => html`<li>${t.join(' ') || '(empty sentence)'}</li>`)}</ol></div>
            </div>`
        : ''}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w10-lm-compare': LmCompare;
  }
}
