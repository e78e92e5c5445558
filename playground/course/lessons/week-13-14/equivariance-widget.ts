// Permutation equivariance, live: one self-attention layer (quick.ts's seeded demo layer) reads six word tokens,
// then the same tokens shuffled. Without positions the second output is the first one's rows shuffled the same
// way (the largest difference after putting them back is rounding); with sinusoidal positions added to the inputs
// it is not. Its value is { positions, seed }: the toggle and the shuffle shown.
import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { selfAttention } from '../../../../engine/course';
import { EQ_SEED, EQ_WORDS, eqMeasure } from './quick';
import { heatmap, heatmapStyles } from '../../widgets/heatmap';

export interface EquivarianceValue {
  positions: boolean;
  seed: number;
}

@customElement('w1314-equivariance')
export class W1314Equivariance extends LitElement {
  static override styles = [
    heatmapStyles,
    css`
      :host { display: block; }
      .controls { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; margin-bottom: 0.5rem; }
      .verdict { font-variant-numeric: tabular-nums; min-height: 1.4em; }
      .ok { color: #166534; } .broken { color: #b91c1c; }
    `,
  ];

  @state() private _positions = false;
  @state() private _seed = EQ_SEED;
  @state() private _result: selfAttention.EquivarianceResult | null = null;
  @state() private _perm: number[] = [];
  private _asked = 0;

  get value(): EquivarianceValue {
    return { positions: this._positions, seed: this._seed };
  }

  /** Restores a saved setting; anything malformed leaves the current one. */
  set value(v: unknown) {
    if (typeof v !== 'object' || v === null) return;
    const { positions, seed } = v as Partial<EquivarianceValue>;
    if (typeof positions === 'boolean') this._positions = positions;
    if (Number.isInteger(seed) && (seed as number) >= 0) this._seed = seed as number;
    if (this.hasUpdated) void this._measure();
  }

  override firstUpdated(_: PropertyValues): void {
    void this._measure();
  }

  private async _measure(): Promise<void> {
    const asked = ++this._asked;
    const seed = this._seed;
    const r = await eqMeasure(seed, this._positions);
    if (asked !== this._asked) return; // a later toggle or shuffle has taken over
    this._perm = selfAttention.shuffleOrder(EQ_WORDS.length, seed);
    this._result = r;
  }

  private _emit(): void {
    this.dispatchEvent(new CustomEvent<EquivarianceValue>('change', { detail: this.value, bubbles: true, composed: true }));
  }

  private _onPositions(e: Event): void {
    this._positions = (e.target as HTMLInputElement).checked;
    this._emit();
    void this._measure();
  }

  private _onShuffle(): void {
    this._seed += 1;
    this._emit();
    void this._measure();
  }

  override render() {
    const r = this._result;
    const perm = this._perm;
    const shuffledWords = perm.map((p) => EQ_WORDS[p]);
    // Row i of the shuffled output belongs to word perm[i]; put it back in the original row perm[i].
    const restored = r ? EQ_WORDS.map((_, j) => r.shuffledOutputs[perm.indexOf(j)]) : [];
    const limit = r ? Math.max(...r.outputs.flat().map(Math.abs), ...r.shuffledOutputs.flat().map(Math.abs)) : 1;
    const equivariant = r !== null && r.maxDiff < 1e-4;
    return html`
      <div class="controls">
        <label><input type="checkbox" .checked=${this._positions} @change=${this._onPositions} /> add sinusoidal positions to the inputs</label>
        <button @click=${this._onShuffle}>Shuffle the tokens</button>
      </div>
      <p>Original order: <code>${EQ_WORDS.join(' ')}</code>. Shuffled order: <code>${shuffledWords.join(' ')}</code>.</p>
      ${r
        ? html`
            <p class="verdict ${equivariant ? 'ok' : 'broken'}" role="status" aria-live="polite">
              Largest difference between the outputs and the shuffled outputs put back in the original order:
              ${r.maxDiff.toExponential(2)}${equivariant
                ? ' (rounding): the outputs moved with their tokens and nothing else changed.'
                : ': each word’s output now depends on where it stands.'}
            </p>
            ${heatmap(r.outputs, { caption: 'Outputs, original order', rowLabels: EQ_WORDS, scale: 'signed', limit })}
            ${heatmap(r.shuffledOutputs, { caption: 'Outputs of the shuffled tokens', rowLabels: shuffledWords, scale: 'signed', limit })}
            ${heatmap(restored, { caption: 'Shuffled outputs, put back', rowLabels: EQ_WORDS, scale: 'signed', limit })}`
        : html`<p class="verdict" role="status">Running the layer…</p>`}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w1314-equivariance': W1314Equivariance;
  }
}
