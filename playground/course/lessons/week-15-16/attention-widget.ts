// The trained model's attention, all three kinds, on one held-out string: the encoder's self-attention over the
// source, the decoder's causal self-attention over its own output so far, and the cross-attention from each output
// position to the source digits. Each map is one layer and one head (or the mean of the heads), a row per query.
// It opens on the page's quick model; Train fits a two-layer model first, on WebGPU where the browser has it.
// Its value is { example, layer, head } (head −1 is the mean of the heads).
import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { dispose, type DeviceName } from '../../../../engine/index';
import { reversalAttention, reversalText, trainReversal, type AblationTransformer, type AttentionGrid, type ReversalAttention } from '../../../../engine/course';
import { QUICK, quickAblation } from './quick';
import { breathe, trainingDevice } from '../../compute';
import { DEEP, TRAIN_MODEL } from './settings';
import { heatmap, heatmapStyles } from '../../widgets/heatmap';

/** Held-out strings offered for the maps. */
export const EXAMPLES = 8;

export interface AttentionValue {
  example: number;
  layer: number;
  head: number;
}

/** One head's map, or the mean over heads when head is −1. */
function pick(layer: AttentionGrid[], head: number): AttentionGrid {
  if (head >= 0) return layer[head];
  return layer[0].map((row, i) => row.map((_, j) => layer.reduce((s, h) => s + h[i][j], 0) / layer.length));
}

@customElement('w1516-attention')
export class W1516Attention extends LitElement {
  static override styles = [heatmapStyles, css`
    :host { display: block; }
    .controls { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; margin-bottom: 0.5rem; }
    .maps { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
    .status { min-height: 1.4em; font-variant-numeric: tabular-nums; }
    table.heatmap caption { max-width: 16rem; }
  `];

  @state() private _example = 0;
  @state() private _layer = 0;
  @state() private _head = -1;
  @state() private _maps: ReversalAttention | null = null;
  @state() private _status = 'Waiting for the page’s quick model…';
  @state() private _busy = false;
  private _model: AblationTransformer | null = null;
  /** Whether this widget trained _model (and so disposes it); the quick model belongs to the page. */
  private _owned = false;
  private _sources: number[][] = [];
  private _about = '';
  private _abort: AbortController | null = null;
  private _drawn = 0;

  get value(): AttentionValue {
    return { example: this._example, layer: this._layer, head: this._head };
  }

  set value(v: unknown) {
    if (typeof v !== 'object' || v === null) return;
    const { example, layer, head } = v as Partial<AttentionValue>;
    if (Number.isInteger(example) && example! >= 0 && example! < EXAMPLES) this._example = example!;
    if (Number.isInteger(layer) && layer! >= 0 && layer! < DEEP.layers) this._layer = layer!;
    if (Number.isInteger(head) && head! >= -1 && head! < Math.max(QUICK.nHead, TRAIN_MODEL.nHead)) this._head = head!;
    if (this._model) void this._draw();
  }

  override firstUpdated(_: PropertyValues): void {
    quickAblation().then(
      (q) => {
        if (this._model) return;
        this._model = q.full.model;
        this._sources = q.full.split.test.slice(0, EXAMPLES);
        this._about = `the page’s quick model (1 layer, ${QUICK.nHead} heads, ${QUICK.steps} steps; held-out token accuracy ${(q.full.accuracy * 100).toFixed(1)}%)`;
        void this._draw();
      },
      (e: unknown) => (this._status = `The quick model failed: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._abort?.abort();
    if (this._owned && this._model) dispose(this._model.parameters());
  }

  /** Reads the maps for the current example; a newer call supersedes an older one still reading. */
  private async _draw(): Promise<void> {
    const model = this._model;
    if (!model) return;
    const call = ++this._drawn;
    const layers = model.encoder.layers.length;
    const heads = model.config.nHead;
    if (this._layer >= layers) this._layer = layers - 1;
    if (this._head >= heads) this._head = -1;
    try {
      const maps = await reversalAttention(model, this._sources[this._example]);
      if (call !== this._drawn) return;
      this._maps = maps;
      const output = maps.target.slice(1).join('');
      this._status = `Showing ${this._about}. Source ${reversalText(this._sources[this._example])} was translated as ${output || '(nothing)'}.`;
    } catch (e) {
      this._status = `Reading the attention failed: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  private _emit(): void {
    this.dispatchEvent(new CustomEvent<AttentionValue>('change', { detail: this.value, bubbles: true, composed: true }));
  }

  private _onSelect(key: 'example' | 'layer' | 'head', e: Event): void {
    const n = Number((e.target as HTMLSelectElement).value);
    if (key === 'example') this._example = n;
    else if (key === 'layer') this._layer = n;
    else this._head = n;
    this._status = 'Reading the attention maps…';
    this._emit();
    void this._draw();
  }

  private async _onTrain(): Promise<void> {
    this._abort?.abort();
    const ctrl = new AbortController();
    this._abort = ctrl;
    this._busy = true;
    this._status = 'Starting…';
    try {
      const device: DeviceName = await trainingDevice();
      const r = await trainReversal({
        ...QUICK, ...TRAIN_MODEL, ...DEEP, device, signal: ctrl.signal, every: 25,
        onProgress: async (p) => {
          this._status = `Training a ${DEEP.layers}-layer model on ${device}: step ${p.step} of ${p.steps}, held-out token accuracy ${(p.accuracy * 100).toFixed(1)}%.`;
          await breathe();
        },
      });
      if (ctrl.signal.aborted) {
        dispose(r.model.parameters());
        return;
      }
      if (this._owned && this._model) dispose(this._model.parameters());
      this._model = r.model;
      this._owned = true;
      this._about = `a ${DEEP.layers}-layer model with ${TRAIN_MODEL.nHead} heads trained for ${DEEP.steps} steps on ${device} (held-out token accuracy ${(r.accuracy * 100).toFixed(1)}%)`;
      await this._draw();
    } catch (e) {
      if (!ctrl.signal.aborted) this._status = `Training failed: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      if (this._abort === ctrl) this._busy = false;
    }
  }

  override render() {
    const m = this._maps;
    const layers = this._model?.encoder.layers.length ?? 1;
    const heads = this._model?.config.nHead ?? QUICK.nHead;
    const layer = Math.min(this._layer, layers - 1);
    const headText = this._head < 0 ? 'mean of the heads' : `head ${this._head + 1}`;
    // The decoder's query at position i has read <s> and i output digits, and predicts the next one.
    const queries = m ? m.target.map((t, i) => (i === 0 ? '<s>' : t)) : [];
    return html`
      <div class="controls">
        <label>held-out string
          <select aria-label="held-out string" @change=${(e: Event) => this._onSelect('example', e)}>
            ${this._sources.map((s, i) => html`<option value=${i} ?selected=${i === this._example}>${reversalText(s)}</option>`)}
          </select>
        </label>
        <label>layer
          <select aria-label="layer" @change=${(e: Event) => this._onSelect('layer', e)}>
            ${Array.from({ length: layers }, (_, i) => html`<option value=${i} ?selected=${i === layer}>${i + 1}</option>`)}
          </select>
        </label>
        <label>head
          <select aria-label="attention head" @change=${(e: Event) => this._onSelect('head', e)}>
            <option value="-1" ?selected=${this._head < 0}>mean of the heads</option>
            ${Array.from({ length: heads }, (_, i) => html`<option value=${i} ?selected=${i === this._head}>head ${i + 1}</option>`)}
          </select>
        </label>
        <button @click=${this._onTrain} ?disabled=${this._busy}>Train a ${DEEP.layers}-layer model (${DEEP.steps} steps)</button>
      </div>
      <p class="status" role="status" aria-live="polite">${this._status}</p>
      ${m
        ? html`<div class="maps">
            ${heatmap(pick(m.encoderSelf[layer], this._head), { caption: `Encoder self-attention, layer ${layer + 1}, ${headText}: each source digit (row) over the source`, rowLabels: m.source, colLabels: m.source, scale: 'weights' })}
            ${heatmap(pick(m.decoderSelf[layer], this._head), { caption: `Decoder self-attention (causal), layer ${layer + 1}, ${headText}: each output position over the output so far`, rowLabels: queries, colLabels: m.target, scale: 'weights' })}
            ${heatmap(pick(m.cross[layer], this._head), { caption: `Cross-attention, layer ${layer + 1}, ${headText}: each output position over the source digits`, rowLabels: queries, colLabels: m.source, scale: 'weights' })}
          </div>`
        : ''}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w1516-attention': W1516Attention;
  }
}
