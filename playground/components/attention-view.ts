// An attention node's weights (B, H, T, S) for one example of the batch: every head as a small heatmap (queries
// down, keys across), and the chosen head drawn large beside them with the input tokens on both axes, as BertViz
// lays out its head view. Click a head to enlarge it. Test hooks: data-heads/data-shape on the host, data-head on
// each thumbnail.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { slice2d } from '../controllers/tensor-summary';
import type { AttentionData } from '../controllers/views';
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

  @property({ attribute: false }) data: AttentionData | null = null;
  @property({ type: Number, reflect: true, attribute: 'data-heads' }) heads = 0;
  @property({ reflect: true, attribute: 'data-shape' }) shapeText = '';

  @state() private _batch = 0;
  @state() private _head = 0;

  override willUpdate(): void {
    this.heads = this.data ? this.data.weights.shape[1] : 0;
    this.shapeText = this.data ? this.data.weights.shape.join(',') : '';
  }

  override render() {
    const d = this.data;
    if (!d) return html`<p class="muted">No attention weights yet: run Forward, Backward or Step (they are computed on request, from now on).</p>`;
    const [B, H, T, S] = d.weights.shape;
    const b = Math.min(this._batch, B - 1);
    const head = Math.min(this._head, H - 1);
    const tokens = d.tokens?.[b] ?? null;
    const labels = tokens ? [...tokens] : null;
    const big = slice2d(d.weights, [b, head]);
    return html`
      <div class="controls">
        <b>${d.node}</b> weights (${d.weights.shape.join(', ')}) at step ${d.step}
        <label>example <input type="number" min="0" max=${B - 1} .value=${String(b)} data-batch
          @change=${(e: Event) => (this._batch = Math.max(0, Math.min(B - 1, Number((e.target as HTMLInputElement).value) || 0)))} /></label>
        ${tokens ? html`<span>input: <code data-tokens>${tokens}</code></span>` : nothing}
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
            .rowLabels=${labels} .colLabels=${labels && S === T ? labels : null}></tensor-heatmap>
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
