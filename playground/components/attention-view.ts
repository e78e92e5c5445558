// One attention map (B, H, T, S) of one node — a Multi-Head Attention node's, or a Transformer Block's self- or
// cross-attention — for one example of the batch: every head as a small heatmap (queries down, keys across), and
// the chosen head drawn large beside them with the tokens on both axes (the queries' down, the keys' across, which
// for cross-attention are the source's), as BertViz lays out its head view. Click a head to enlarge it. Test
// hooks: data-node/data-kind/data-heads/data-shape on the host, data-head on each thumbnail, data-tokens and
// data-key-tokens on the token lines.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { slice2d } from '../controllers/tensor-summary';
import type { AttentionMapData } from '../controllers/views';
import './heatmap';

@customElement('attention-view')
export class AttentionView extends LitElement {
  static override styles = css`
    :host { display: block; font: 12px/1.3 system-ui, sans-serif; }
    .row { display: flex; gap: 16px; align-items: flex-start; }
    .heads { display: grid; grid-template-columns: repeat(4, auto); gap: 6px; }
    .head { display: flex; flex-direction: column; align-items: center; cursor: pointer; font-size: 11px; background: none; border: 0; padding: 0; }
    .big h4 { margin: 0 0 4px; font-size: 12px; }
    .controls { display: flex; gap: 8px; align-items: center; margin-bottom: 6px; }
    .controls input { width: 60px; }
    .muted { color: #7b8794; }
  `;

  @property({ attribute: false }) data: AttentionMapData | null = null;
  /** The training step the map is from. */
  @property({ type: Number }) step = 0;
  @property({ type: Number, reflect: true, attribute: 'data-heads' }) heads = 0;
  @property({ reflect: true, attribute: 'data-shape' }) shapeText = '';
  @property({ reflect: true, attribute: 'data-node' }) nodeId = '';
  @property({ reflect: true, attribute: 'data-kind' }) kind = '';

  @state() private _batch = 0;
  @state() private _head = 0;

  override willUpdate(): void {
    this.heads = this.data ? this.data.weights.shape[1] : 0;
    this.shapeText = this.data ? this.data.weights.shape.join(',') : '';
    this.nodeId = this.data?.node ?? '';
    this.kind = this.data?.kind ?? '';
  }

  override render() {
    const d = this.data;
    if (!d) return html`<p class="muted">No attention weights yet: run Forward, Backward or Step (they are computed on request, from now on).</p>`;
    const [B, H, T, S] = d.weights.shape;
    const b = Math.min(this._batch, B - 1);
    const head = Math.min(this._head, H - 1);
    const queries = d.queries?.[b] ?? null;
    const keys = d.keys?.[b] ?? null;
    const big = slice2d(d.weights, [b, head]);
    return html`
      <div class="controls">
        <b>${d.node}</b> ${d.kind === 'cross' ? 'cross-attention' : 'self-attention'} weights (${d.weights.shape.join(', ')}) at step ${this.step}
        <label>example <input type="number" min="0" max=${B - 1} .value=${String(b)} data-batch
          @change=${(e: Event) => (this._batch = Math.max(0, Math.min(B - 1, Number((e.target as HTMLInputElement).value) || 0)))} /></label>
        ${queries ? html`<span>${d.kind === 'cross' ? 'queries' : 'input'}: <code data-tokens>${queries.join('')}</code></span>` : nothing}
        ${keys && d.kind === 'cross' ? html`<span>keys: <code data-key-tokens>${keys.join('')}</code></span>` : nothing}
      </div>
      <div class="row">
        <div class="heads">
          ${Array.from({ length: H }, (_, h) => {
            const s = slice2d(d.weights, [b, h]);
            return html`<button class="head" data-head=${h} @click=${() => (this._head = h)}>
              <tensor-heatmap .values=${s.values} .rows=${s.rows} .cols=${s.cols} scale="sequential" size="64" ?selected=${h === head}></tensor-heatmap>
              head ${h}
            </button>`;
          })}
        </div>
        <div class="big" data-big-head=${head}>
          <h4>head ${head}: each row is a query position, each column the position it attends to (T=${T}, S=${S})</h4>
          <tensor-heatmap .values=${big.values} .rows=${big.rows} .cols=${big.cols} scale="sequential" size="200"
            .rowLabels=${queries && queries.length === T ? queries : null} .colLabels=${keys && keys.length === S ? keys : null}></tensor-heatmap>
        </div>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'attention-view': AttentionView;
  }
}
