// BERT and GPT on the same sentence: each model's first-layer attention (averaged over its heads) drawn as a grid,
// row = the token attending, column = the token attended to, so GPT's causal mask shows as the blank upper
// triangle; and, for the token the slider picks, what each predicts there: BERT with that token replaced by
// [MASK] (both sides visible), GPT from the tokens before it. The shipped checkpoints, on the CPU backend.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { bertAttention, bertFillMask, gptAttention, gptNextGuesses, type Guess } from '../../../../engine/course';
import { pretrained, errorText, type Pretrained } from './models';
import { EXAMPLE_TEXT, bertIds, statsFirst } from './numbers';

export const SENTENCES = [
  EXAMPLE_TEXT,
  'I recommend to the Congress that the law be amended so that the tax on income is reduced.',
  'Our nation is at peace, and the state of the Union is strong.',
] as const;

export interface SeeValue {
  sentence: number;
  /** The token position predicted (1 … T − 1: GPT needs at least one token before it). */
  position: number;
}

interface Shown {
  sentence: number;
  tokens: string[];
  gpt: number[][];
  /** BERT's grid over [CLS] tokens [SEP]. */
  bert: number[][];
}

/** A token as the page writes it: spaces visible, so " the" and "the" differ. */
export const showToken = (s: string): string => s.replace(/ /g, '␣').replace(/\n/g, '⏎');

@customElement('w1718-side-by-side')
export class SideBySide extends LitElement {
  static override styles = css`
    :host { display: block; }
    .controls { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; margin-bottom: 0.5rem; }
    .strip { display: flex; flex-wrap: wrap; gap: 2px; margin: 0.5rem 0; font-family: ui-monospace, monospace; font-size: 0.85rem; }
    .strip span { padding: 1px 3px; border-radius: 3px; background: #f1f5f9; }
    .strip span.left { background: #dbeafe; }
    .strip span.at { background: #fde68a; font-weight: bold; }
    .pair { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
    .grid { display: grid; gap: 1px; background: #e2e8f0; width: max-content; max-width: 100%; }
    .grid i { display: block; width: 11px; height: 11px; }
    .grid i.off { background: repeating-linear-gradient(45deg, #fff, #fff 2px, #e2e8f0 2px, #e2e8f0 4px); }
    .grid i.row { outline: 1px solid #d97706; }
    table { border-collapse: collapse; }
    .caption { margin: 0.5rem 0 0.2rem; font-size: 0.9rem; }
    th, td { padding: 0.1rem 0.5rem; text-align: left; font-size: 0.9rem; }
    td.num { text-align: right; font-variant-numeric: tabular-nums; }
    tr.hit td { font-weight: bold; color: #15803d; }
    .status { min-height: 1.4em; }
    code { font-size: 0.85rem; }
  `;

  @state() private _sentence = 0;
  @state() private _position = 5;
  @state() private _shown: Shown | null = null;
  @state() private _guesses: { bert: Guess[]; gpt: Guess[] } | null = null;
  @state() private _status = 'Loading the two checkpoints…';
  private _models: Pretrained | null = null;
  /** Each request's number: a late answer to an older one is dropped. */
  private _request = 0;

  get value(): SeeValue {
    return { sentence: this._sentence, position: this._position };
  }

  set value(v: unknown) {
    if (typeof v !== 'object' || v === null) return;
    const { sentence, position } = v as Partial<SeeValue>;
    if (Number.isInteger(sentence) && sentence! >= 0 && sentence! < SENTENCES.length) this._sentence = sentence!;
    if (Number.isInteger(position) && position! >= 1) this._position = position!;
    if (this._models) void this._refresh();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    statsFirst().then(pretrained).then(
      (m) => {
        this._models = m;
        void this._refresh();
      },
      (e: unknown) => (this._status = `The checkpoints could not be loaded: ${errorText(e)}`),
    );
  }

  private _emit(): void {
    this.dispatchEvent(new CustomEvent<SeeValue>('change', { detail: this.value, bubbles: true, composed: true }));
  }

  private async _refresh(): Promise<void> {
    const m = this._models;
    if (!m) return;
    const request = ++this._request;
    const sentence = this._sentence;
    try {
      const ids = m.tok.encode(SENTENCES[sentence]);
      const at = Math.min(Math.max(1, this._position), ids.length - 1);
      if (this._shown?.sentence !== sentence) {
        const [gpt, bert] = [await gptAttention(m.gpt, ids), await bertAttention(m.bert, bertIds(m.tok, SENTENCES[sentence]))];
        if (request !== this._request) return;
        this._shown = { sentence, tokens: ids.map((id) => m.tok.decode([id])), gpt, bert };
      }
      // BERT's input has [CLS] in front, so the text's token `at` is its position at + 1.
      const bert = await bertFillMask(m.bert, bertIds(m.tok, SENTENCES[sentence]), at + 1, m.tok.idOf('[MASK]'), 5);
      const gpt = await gptNextGuesses(m.gpt, ids, at, 5);
      if (request !== this._request) return;
      this._position = at;
      this._guesses = { bert, gpt };
      this._status = `Predicting token ${at + 1} of ${ids.length}, “${showToken(this._shown!.tokens[at])}”.`;
    } catch (e) {
      if (request === this._request) this._status = `Could not run the models: ${errorText(e)}`;
    }
  }

  private _onPosition(e: Event): void {
    this._position = Number((e.target as HTMLInputElement).value);
    this._emit();
    void this._refresh();
  }

  private _onSentence(e: Event): void {
    this._sentence = Number((e.target as HTMLSelectElement).value);
    this._emit();
    void this._refresh();
  }

  private _grid(w: number[][], labels: string[], row: number, name: string) {
    const n = w.length;
    const cells = [];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const a = w[i][j];
        // √ spreads the small weights out, so the pattern is visible and not only the few largest.
        const style = a > 0 ? `background: rgba(37, 99, 235, ${Math.min(1, 0.08 + Math.sqrt(a)).toFixed(3)})` : '';
        cells.push(html`<i class=${`${a > 0 ? '' : 'off'} ${i === row ? 'row' : ''}`} style=${style} title=${`${showToken(labels[i])} → ${showToken(labels[j])}: ${a.toFixed(3)}`}></i>`);
      }
    }
    return html`<div class="grid" role="img" aria-label=${`${name}: first-layer attention over ${n} tokens; hatched cells are masked out`} style=${`grid-template-columns: repeat(${n}, 11px)`}>${cells}</div>`;
  }

  private _table(title: string, guesses: Guess[], truth: string) {
    const tok = this._models!.tok;
    return html`<p class="caption">${title}</p>
      <table aria-label=${title}>
      <tbody>${guesses.map((g) => {
        const t = tok.decode([g.id]);
        return html`<tr class=${t === truth ? 'hit' : ''}><td><code>${showToken(t)}</code></td><td class="num">${(g.p * 100).toFixed(1)}%</td></tr>`;
      })}</tbody>
    </table>`;
  }

  override render() {
    const s = this._shown;
    const at = this._position;
    return html`
      <div class="controls">
        <label>sentence
          <select aria-label="the sentence both models read" @change=${this._onSentence}>
            ${SENTENCES.map((t, i) => html`<option value=${i} ?selected=${i === this._sentence}>${t.slice(0, 48)}…</option>`)}
          </select>
        </label>
        <label>token to predict
          <input type="range" min="1" max=${s ? s.tokens.length - 1 : 20} step="1" .value=${String(at)} aria-label="which token both models predict" @input=${this._onPosition} />
        </label>
      </div>
      <p class="status" role="status" aria-live="polite">${this._status}</p>
      ${s
        ? html`
            <div class="strip" aria-label="the sentence's tokens">
              ${s.tokens.map((t, i) => html`<span class=${i === at ? 'at' : i < at ? 'left' : ''}>${showToken(t)}</span>`)}
            </div>
            <div class="pair">
              <div>
                <strong>BERT (masked LM)</strong>: sees both sides
                ${this._grid(s.bert, ['[CLS]', ...s.tokens, '[SEP]'], at + 1, 'BERT')}
                ${this._guesses ? this._table(`BERT's guesses for [MASK] at “${showToken(s.tokens[at])}”`, this._guesses.bert, s.tokens[at]) : nothing}
              </div>
              <div>
                <strong>GPT (causal LM)</strong>: sees only the left
                ${this._grid(s.gpt, s.tokens, at, 'GPT')}
                ${this._guesses ? this._table(`GPT's guesses after “…${showToken(s.tokens[at - 1])}”`, this._guesses.gpt, s.tokens[at]) : nothing}
              </div>
            </div>`
        : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w1718-side-by-side': SideBySide;
  }
}
