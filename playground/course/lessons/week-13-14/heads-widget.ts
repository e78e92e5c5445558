// Multi-head attention on a model the learner trains: the order task's self-attention block with sinusoidal
// positions and 1, 2 or 4 heads. Every head's attention weights on one held-out sequence are drawn as a heatmap
// (row = the token attending, column = the token attended to), first for the untrained model, then after Train,
// which reports its step and loss as it goes (WebGPU where the browser has it). Its value is { heads, example }.
import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { DeviceName } from '../../../../engine/index';
import { selfAttention } from '../../../../engine/course';
import { HEADS_TRAIN, QUICK } from './quick';
import { breathe, trainingDevice } from '../../compute';
import { heatmap, heatmapStyles } from '../../widgets/heatmap';

export const HEAD_CHOICES = [1, 2, 4] as const;
const EXAMPLES = selfAttention.pairedOrderTest(QUICK.task, 8, 99);
const VOCAB = selfAttention.orderVocab(QUICK.task);

export interface HeadsValue {
  heads: number;
  example: number;
}

@customElement('w1314-heads')
export class W1314Heads extends LitElement {
  static override styles = [
    heatmapStyles,
    css`
      :host { display: block; }
      .controls { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; margin-bottom: 0.5rem; }
      .status { min-height: 1.4em; font-variant-numeric: tabular-nums; }
    `,
  ];

  @state() private _heads = 2;
  @state() private _example = 0;
  @state() private _maps: number[][][] = [];
  @state() private _status = 'Building an untrained model…';
  @state() private _busy = false;
  @state() private _trained: { device: DeviceName; accuracy: number } | null = null;
  private _model: selfAttention.OrderModel | null = null;
  private _abort: AbortController | null = null;

  get value(): HeadsValue {
    return { heads: this._heads, example: this._example };
  }

  set value(v: unknown) {
    if (typeof v !== 'object' || v === null) return;
    const { heads, example } = v as Partial<HeadsValue>;
    if (HEAD_CHOICES.includes(heads as (typeof HEAD_CHOICES)[number])) this._heads = heads as number;
    if (Number.isInteger(example) && (example as number) >= 0 && (example as number) < EXAMPLES.y.length) this._example = example as number;
    if (this.hasUpdated) this._fresh();
  }

  override firstUpdated(_: PropertyValues): void {
    this._fresh();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._abort?.abort();
    this._drop();
  }

  private _drop(): void {
    for (const p of this._model?.parameters() ?? []) p.dispose();
    this._model = null;
  }

  /** An untrained model with the chosen heads, on the CPU, and its maps. */
  private _fresh(): void {
    this._abort?.abort();
    this._drop();
    this._trained = null;
    this._model = new selfAttention.OrderModel(QUICK.task, { ...QUICK.model, heads: this._heads, positions: 'sinusoidal', device: 'cpu' });
    this._status = `Untrained, ${this._heads} head${this._heads > 1 ? 's' : ''}: the weights are close to uniform. Press Train.`;
    void this._draw();
  }

  private _sequence(): number[] {
    const T = QUICK.task.length;
    return Array.from(EXAMPLES.x.subarray(this._example * T, this._example * T + T));
  }

  private async _draw(): Promise<void> {
    const model = this._model;
    if (!model) return;
    const maps = await selfAttention.attentionMaps(model, this._sequence());
    if (model === this._model) this._maps = maps;
  }

  private _emit(): void {
    this.dispatchEvent(new CustomEvent<HeadsValue>('change', { detail: this.value, bubbles: true, composed: true }));
  }

  private _onHeads(e: Event): void {
    this._heads = Number((e.target as HTMLSelectElement).value);
    this._emit();
    this._fresh();
  }

  private _onExample(): void {
    this._example = (this._example + 1) % EXAMPLES.y.length;
    this._emit();
    void this._draw();
  }

  private async _onTrain(): Promise<void> {
    this._abort?.abort();
    const ctrl = new AbortController();
    this._abort = ctrl;
    this._busy = true;
    this._status = 'Choosing a device…';
    const heads = this._heads;
    try {
      const device = await trainingDevice();
      this._status = device === 'webgpu' ? 'Preparing WebGPU: compiling the training kernels (a few seconds, the first time only)…' : 'Training on the CPU…';
      const model = new selfAttention.OrderModel(QUICK.task, { ...QUICK.model, heads, positions: 'sinusoidal', device });
      await selfAttention.trainOrderModel(model, {
        ...HEADS_TRAIN,
        every: 10,
        signal: ctrl.signal,
        onProgress: async ({ step, loss }) => {
          this._status = `Training ${heads} head${heads > 1 ? 's' : ''} on ${device}: step ${step} of ${HEADS_TRAIN.steps}, loss ${loss.toFixed(3)}.`;
          await breathe();
        },
      });
      if (ctrl.signal.aborted) {
        for (const p of model.parameters()) p.dispose();
        return;
      }
      const accuracy = await selfAttention.orderAccuracy(model, selfAttention.pairedOrderTest(QUICK.task, QUICK.testPairs, QUICK.testSeed));
      this._drop();
      this._model = model;
      this._trained = { device, accuracy };
      this._status = `Trained ${heads} head${heads > 1 ? 's' : ''} for ${HEADS_TRAIN.steps} steps on ${device}: ${(accuracy * 100).toFixed(1)}% right on the held-out pairs.`;
      await this._draw();
    } catch (e) {
      if (!ctrl.signal.aborted) this._status = `Training failed: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      if (this._abort === ctrl) this._busy = false;
    }
  }

  override render() {
    const seq = this._sequence().map((t) => VOCAB[t]);
    const label = EXAMPLES.y[this._example] === 1 ? 'A comes first' : 'B comes first';
    return html`
      <div class="controls">
        <label>heads
          <select aria-label="number of attention heads" @change=${this._onHeads}>
            ${HEAD_CHOICES.map((h) => html`<option value=${h} ?selected=${h === this._heads}>${h}</option>`)}
          </select>
        </label>
        <button @click=${this._onTrain} ?disabled=${this._busy}>Train</button>
        <button @click=${this._onExample}>Next example</button>
      </div>
      <p class="status" role="status" aria-live="polite">${this._status}</p>
      <p>Sequence ${this._example + 1} of ${EXAMPLES.y.length}: <code>${seq.join(' ')}</code> (${label}).</p>
      <div>
        ${this._maps.map((m, h) => heatmap(m, { caption: `Head ${h + 1}${this._trained ? '' : ' (untrained)'}`, rowLabels: seq, colLabels: seq, scale: 'weights' }))}
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w1314-heads': W1314Heads;
  }
}
