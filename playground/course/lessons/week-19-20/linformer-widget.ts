// Linformer's projection, live: an nn.MultiHeadAttention with the linformer option (one head, seeded, untrained, on
// the CPU) reads a seeded sequence of T = 24 vectors. The widget draws the learned projection E (k × T: each
// projected key mixes every position) and the attention weights the layer returns (T × k instead of T × T), for the
// k the learner picks. Its value is { k }.
import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { nn, tensor, mulberry32 } from '../../../../engine/index';
import { heatmap, heatmapStyles } from '../../widgets/heatmap';

export const LIN = { T: 24, embed: 8, ks: [2, 4, 8, 12], defaultK: 4, seed: 2 } as const;

interface Drawn {
  k: number;
  E: number[][];
  weights: number[][];
}

const cache = new Map<number, Promise<Drawn>>();

/** The layer at projection size k on the seeded input: its E[:, :T] and its weights (T, k). */
function linformerView(k: number): Promise<Drawn> {
  let p = cache.get(k);
  if (!p) {
    p = (async () => {
      const { T, embed, seed } = LIN;
      const layer = new nn.MultiHeadAttention(embed, 1, { seed, device: 'cpu', linformer: { k, maxLen: T } });
      const r = mulberry32(seed);
      const x = tensor(Array.from({ length: T * embed }, () => 2 * r() - 1), [1, T, embed], { device: 'cpu' });
      const { output, weights } = layer.attend(x, { needWeights: true }); // weights (1, 1, T, k)
      const [w, e] = [await weights!.toArray(), await layer.linformerE!.toArray()]; // e: (k, T)
      for (const t of [output, weights!, x, ...layer.parameters()]) t.dispose();
      return {
        k,
        E: Array.from({ length: k }, (_, i) => Array.from({ length: T }, (_, j) => e[i * T + j])),
        weights: Array.from({ length: T }, (_, i) => Array.from({ length: k }, (_, j) => w[i * k + j])),
      };
    })();
    cache.set(k, p);
    p.catch(() => cache.delete(k));
  }
  return p;
}

@customElement('w1920-linformer')
export class W1920Linformer extends LitElement {
  static override styles = [
    heatmapStyles,
    css`
      :host { display: block; }
      .status { font-variant-numeric: tabular-nums; min-height: 1.4em; }
      table.heatmap td { width: 0.7rem; height: 0.7rem; }
    `,
  ];

  @state() private _k: number = LIN.defaultK;
  @state() private _view: Drawn | null = null;
  private _asked = 0;

  get value(): { k: number } {
    return { k: this._k };
  }

  set value(v: unknown) {
    const k = (v as { k?: unknown } | null)?.k;
    if ((LIN.ks as readonly number[]).includes(k as number)) this._k = k as number;
    if (this.hasUpdated) void this._draw();
  }

  override firstUpdated(_: PropertyValues): void {
    void this._draw();
  }

  private async _draw(): Promise<void> {
    const asked = ++this._asked;
    const v = await linformerView(this._k);
    if (asked === this._asked) this._view = v;
  }

  private _onK(e: Event): void {
    this._k = Number((e.target as HTMLSelectElement).value);
    this.dispatchEvent(new CustomEvent('change', { detail: this.value, bubbles: true, composed: true }));
    void this._draw();
  }

  override render() {
    const v = this._view;
    const T = LIN.T;
    return html`
      <label>projected length k
        <select @change=${this._onK} aria-label="Linformer's projected length k">
          ${LIN.ks.map((k) => html`<option value=${k} ?selected=${k === this._k}>${k}</option>`)}
        </select>
      </label>
      <p class="status" role="status" aria-live="polite">
        ${v
          ? `k = ${v.k}: each of the ${T} queries scores ${v.k} projected keys, ${T * v.k} scores in all instead of ${T * T} (${((100 * v.k) / T).toFixed(1)}%). Every row of weights still sums to 1.`
          : 'Building the layer…'}
      </p>
      ${v
        ? html`
            ${heatmap(v.E, { caption: `E, ${v.k} × ${T}: row r says how much of each position goes into projected key r`, scale: 'signed' })}
            ${heatmap(v.weights, { caption: `attention weights, ${T} × ${v.k}`, scale: 'weights' })}`
        : ''}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w1920-linformer': W1920Linformer;
  }
}
