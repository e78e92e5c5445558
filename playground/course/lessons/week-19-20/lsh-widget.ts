// Reformer's LSH, live: the page's seeded queries and keys (numbers.ts) hashed by the engine's angular LSH
// (engine/lessons/lsh.ts). For the chosen number of buckets, bars show how often a query's nearest key shares a
// bucket with it after 1 … 8 hashing rounds, against the chance level 1/buckets, and the status line how many keys
// a query would score. Its value is { hashes, buckets }.
import { LitElement, css, html, svg } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { LSH, lshCandidates, lshCurve } from './numbers';

export interface LshValue {
  hashes: number;
  buckets: number;
}

const W = 320;
const H = 140;
const PAD = 28;

@customElement('w1920-lsh')
export class W1920Lsh extends LitElement {
  static override styles = css`
    :host { display: block; }
    .controls { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; margin-bottom: 0.5rem; }
    .status { font-variant-numeric: tabular-nums; min-height: 1.4em; }
    rect.bar { fill: #93c5fd; }
    rect.bar.now { fill: #1d4ed8; }
    line.chance { stroke: #dc2626; stroke-dasharray: 5 4; }
    text { font: 11px ui-sans-serif, system-ui, sans-serif; fill: #334155; }
  `;

  @state() private _hashes = 1;
  @state() private _buckets: number = LSH.defaultBuckets;

  get value(): LshValue {
    return { hashes: this._hashes, buckets: this._buckets };
  }

  set value(v: unknown) {
    if (typeof v !== 'object' || v === null) return;
    const { hashes, buckets } = v as Partial<LshValue>;
    if (Number.isInteger(hashes) && (hashes as number) >= 1 && (hashes as number) <= LSH.maxHashes) this._hashes = hashes as number;
    if ((LSH.buckets as readonly number[]).includes(buckets as number)) this._buckets = buckets as number;
  }

  private _emit(): void {
    this.dispatchEvent(new CustomEvent<LshValue>('change', { detail: this.value, bubbles: true, composed: true }));
  }

  private _onHashes(e: Event): void {
    this._hashes = Number((e.target as HTMLInputElement).value);
    this._emit();
  }

  private _onBuckets(e: Event): void {
    this._buckets = Number((e.target as HTMLSelectElement).value);
    this._emit();
  }

  override render() {
    const curve = lshCurve(this._buckets);
    const rate = curve[this._hashes - 1];
    const chance = 1 / this._buckets;
    const candidates = lshCandidates(this._buckets, this._hashes);
    const bw = (W - PAD - 8) / curve.length;
    const y = (v: number) => H - 18 - v * (H - 30);
    return html`
      <div class="controls">
        <label>hashing rounds
          <input type="range" min="1" max=${LSH.maxHashes} .value=${String(this._hashes)} @input=${this._onHashes} aria-label="hashing rounds" />
          <output>${this._hashes}</output>
        </label>
        <label>buckets
          <select @change=${this._onBuckets} aria-label="buckets per hash">
            ${LSH.buckets.map((b) => html`<option value=${b} ?selected=${b === this._buckets}>${b}</option>`)}
          </select>
        </label>
      </div>
      <p class="status" role="status" aria-live="polite">
        With ${this._hashes} round${this._hashes === 1 ? '' : 's'} of ${this._buckets} buckets,
        ${(rate * 100).toFixed(1)}% of the ${LSH.keys} queries share a bucket with their nearest key (chance
        ${(chance * 100).toFixed(1)}%), and a query shares one with ${candidates.toFixed(1)} of the ${LSH.keys} keys on
        average: the keys it would score.
      </p>
      <svg width=${W} height=${H} viewBox="0 0 ${W} ${H}" role="img"
        aria-label=${`Share of queries whose nearest key shares a bucket, for 1 to ${LSH.maxHashes} rounds: ${curve.map((c) => `${(c * 100).toFixed(0)}%`).join(', ')}; chance ${(chance * 100).toFixed(1)}%.`}>
        <text x="2" y=${y(1) + 4}>100%</text>
        <text x="2" y=${y(0) + 4}>0%</text>
        ${curve.map((c, h) => svg`<rect class="bar ${h + 1 === this._hashes ? 'now' : ''}" x=${PAD + h * bw + 2} y=${y(c)} width=${bw - 4} height=${y(0) - y(c)}></rect>
          <text x=${PAD + h * bw + bw / 2 - 3} y=${H - 4}>${h + 1}</text>`)}
        <line class="chance" x1=${PAD} x2=${W - 4} y1=${y(chance)} y2=${y(chance)}></line>
      </svg>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w1920-lsh': W1920Lsh;
  }
}
