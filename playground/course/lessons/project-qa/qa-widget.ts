// Ask the fine-tuned model (models/bert-qa) a question about a held-out passage and see its answer: the passage's
// tokens with the chosen span highlighted, and under each token the probability that the answer starts there
// (blue) and ends there (orange), from the softmax of the span head's start and end logits. The learner picks a
// passage and one of its generated questions, or types a question of their own.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { exactMatch, tokenF1, type QAExample, type QAPrediction } from '../../../../engine/course';
import type { nn } from '../../../../engine/index';
import { answer, heldOutPassages, type PassageChoice } from './numbers';

interface Shown {
  passage: string;
  question: string;
  prediction: QAPrediction;
  input: nn.QAInput;
  /** The generated question's answer, when the question is one of those. */
  gold?: QAExample;
}

@customElement('pqa-ask')
export class AskWidget extends LitElement {
  static override styles = css`
    :host { display: block; }
    .controls { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; margin-bottom: 0.5rem; }
    .own { display: flex; gap: 0.5rem; flex: 1 1 20rem; }
    .own input { flex: 1; min-width: 10rem; }
    .tokens { display: flex; flex-wrap: wrap; gap: 2px; line-height: 1.2; margin: 0.5rem 0; }
    .tok { display: inline-flex; flex-direction: column; align-items: stretch; padding: 1px 2px; border-radius: 3px; font-family: ui-monospace, monospace; font-size: 0.85rem; }
    .tok.in { background: #fde68a; outline: 1px solid #d97706; }
    .bar { height: 14px; display: flex; flex-direction: column; justify-content: flex-end; }
    .bar span { display: block; min-height: 1px; }
    .s span { background: #2563eb; }
    .e span { background: #ea580c; }
    .status { min-height: 1.4em; }
    .legend { font-size: 0.85rem; color: #555; }
  `;

  @state() private _passages: PassageChoice[] = [];
  @state() private _passage = 0;
  @state() private _question = 0;
  @state() private _own = '';
  @state() private _shown: Shown | null = null;
  @state() private _status = 'Loading the fine-tuned model (models/bert-qa)…';
  private _asked = 0;

  get value(): { passage: number; question: number } {
    return { passage: this._passage, question: this._question };
  }

  /** Restores a saved choice; out-of-range numbers are ignored. */
  set value(v: unknown) {
    const o = v as { passage?: unknown; question?: unknown } | null;
    if (Number.isInteger(o?.passage) && (o!.passage as number) >= 0 && (o!.passage as number) < 64) this._passage = o!.passage as number;
    if (Number.isInteger(o?.question) && (o!.question as number) >= 0 && (o!.question as number) < 4) this._question = o!.question as number;
    if (this._passages.length) void this._askChosen();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void heldOutPassages().then(
      (ps) => {
        this._passages = ps;
        this._passage = Math.min(this._passage, ps.length - 1);
        void this._askChosen();
      },
      (e: unknown) => (this._status = `Could not load the model: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  private _changed(): void {
    this.dispatchEvent(new CustomEvent('change', { detail: this.value, bubbles: true, composed: true }));
  }

  private _onPassage(e: Event): void {
    this._passage = Number((e.target as HTMLSelectElement).value);
    this._question = 0;
    this._changed();
    void this._askChosen();
  }

  private _onQuestion(e: Event): void {
    this._question = Number((e.target as HTMLSelectElement).value);
    this._changed();
    void this._askChosen();
  }

  private _onOwn(e: Event): void {
    this._own = (e.target as HTMLInputElement).value;
  }

  private _onOwnKey(e: KeyboardEvent): void {
    if (e.key === 'Enter') void this._askOwn();
  }

  private _askChosen(): Promise<void> {
    const p = this._passages[this._passage];
    if (!p) return Promise.resolve();
    const q = p.questions[Math.min(this._question, p.questions.length - 1)];
    return this._ask(p.passage, q.question, q);
  }

  private _askOwn(): Promise<void> {
    const p = this._passages[this._passage];
    const q = this._own.trim();
    if (!p) return Promise.resolve();
    if (!q) {
      this._status = 'Type a question first.';
      return Promise.resolve();
    }
    return this._ask(p.passage, q);
  }

  private async _ask(passage: string, question: string, gold?: QAExample): Promise<void> {
    const ticket = ++this._asked;
    this._status = `Reading “${question}”…`;
    const r = await answer(question, passage);
    if (ticket !== this._asked) return; // a newer question superseded this one
    if ('error' in r) {
      this._shown = null;
      this._status = `The model cannot read this: ${r.error}. Try a shorter question.`;
      return;
    }
    this._shown = { passage, question, prediction: r.prediction, input: r.input, gold };
    const p = r.prediction;
    const conf = p.startProbs[p.start] * p.endProbs[p.end];
    const verdict = gold
      ? ` The generated answer is “${gold.answer.text}”: exact match ${exactMatch(p.text, gold.answer.text)}, F1 ${tokenF1(p.text, gold.answer.text).toFixed(2)}.`
      : '';
    this._status = `Answer: “${p.text}” (start ${(p.startProbs[p.start] * 100).toFixed(1)}%, end ${(p.endProbs[p.end] * 100).toFixed(1)}%, product ${(conf * 100).toFixed(1)}%).${verdict}`;
  }

  private _tokens(s: Shown) {
    const { input, prediction: p } = s;
    const cells = [];
    for (let t = input.first; t <= input.last; t++) {
      const [a, b] = input.offsets[t]!;
      const sp = p.startProbs[t];
      const ep = p.endProbs[t];
      cells.push(html`<span class="tok ${t >= p.start && t <= p.end ? 'in' : ''}" title=${`start ${(sp * 100).toFixed(1)}%, end ${(ep * 100).toFixed(1)}%`}>
        <span>${s.passage.slice(a, b)}</span>
        <span class="bar s"><span style=${`height:${Math.round(sp * 14)}px`}></span></span>
        <span class="bar e"><span style=${`height:${Math.round(ep * 14)}px`}></span></span>
      </span>`);
    }
    return cells;
  }

  override render() {
    const p = this._passages[this._passage];
    return html`
      <div class="controls">
        <label>passage
          <select aria-label="which held-out passage" @change=${this._onPassage} ?disabled=${!this._passages.length}>
            ${this._passages.length
              ? this._passages.map((_, i) => html`<option value=${i} ?selected=${i === this._passage}>held-out passage ${i + 1}</option>`)
              : html`<option>loading…</option>`}
          </select>
        </label>
        <label>question
          <select aria-label="which generated question" @change=${this._onQuestion} ?disabled=${!p}>
            ${p?.questions.map((q, i) => html`<option value=${i} ?selected=${i === this._question}>${q.question}</option>`) ?? nothing}
          </select>
        </label>
        <span class="own">
          <input type="text" aria-label="your own question about the passage" placeholder="or ask your own: Where does … live now?" .value=${this._own} @input=${this._onOwn} @keydown=${this._onOwnKey} />
          <button @click=${this._askOwn} ?disabled=${!p}>Ask</button>
        </span>
      </div>
      ${p ? html`<p><strong>Passage (generated):</strong> ${p.passage}</p>` : nothing}
      ${this._shown ? html`<div class="tokens" aria-label="the passage's tokens, the answer highlighted">${this._tokens(this._shown)}</div>
        <p class="legend">Each token of the passage, with bars for the model's probability that the answer starts (blue) or ends (orange) there; the chosen span is highlighted.</p>` : nothing}
      <p class="status" role="status" aria-live="polite">${this._status}</p>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pqa-ask': AskWidget;
  }
}
