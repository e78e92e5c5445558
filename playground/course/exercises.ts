// The three small exercise kinds: a number to predict ("predict, then reveal"), a multiple choice, and a target to
// reach by moving a widget. Each shows its latest check and reports it with 'exercise-update', which the lesson page
// saves; it renders into the light DOM, so the page's stylesheet and the tests see its parts directly.
//
// Every element reflects `status` ('idle', 'checking', 'ok' or 'wrong') for tests and styles.
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { checkChoice, checkNumber, parseNumberInput } from './check-core';
import type { ExerciseRecord } from './progress';
import type { CheckResult, ChoiceExercise, NumberExercise, TargetExercise } from './types';

export interface ExerciseUpdate {
  id: string;
  record: ExerciseRecord;
}

export type ExerciseStatus = 'idle' | 'checking' | 'ok' | 'wrong';

/** What all three share: the saved record, the status it implies, and how a check is reported. */
abstract class ExerciseElement extends LitElement {
  @property({ attribute: false }) record: ExerciseRecord | undefined;
  @property({ reflect: true }) status: ExerciseStatus = 'idle';
  /** Checks completed since the page opened (reflected, so a test can wait for the next one). */
  @property({ type: Number, reflect: true }) checks = 0;
  @state() protected result: CheckResult | null = null;

  protected abstract get exerciseId(): string;

  override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.result = this.record?.last ?? null;
    this.status = this.result ? (this.result.ok ? 'ok' : 'wrong') : 'idle';
  }

  protected report(result: CheckResult, answer: unknown): void {
    this.result = result;
    this.status = result.ok ? 'ok' : 'wrong';
    this.checks++;
    const record: ExerciseRecord = { passed: result.ok || (this.record?.passed ?? false), last: result, answer };
    this.record = record;
    this.dispatchEvent(new CustomEvent<ExerciseUpdate>('exercise-update', { detail: { id: this.exerciseId, record }, bubbles: true }));
  }

  protected resultView(explain?: unknown) {
    return html`<div class="result" role="status" aria-live="polite">
      ${this.result ? html`<p class=${this.result.ok ? 'ok' : 'wrong'} data-result=${this.result.ok ? 'ok' : 'wrong'}>${this.result.message}</p>` : nothing}
      ${this.result && explain ? html`<div class="explain">${explain}</div>` : nothing}
    </div>`;
  }

  protected badge() {
    return this.record?.passed ? html`<span class="badge done" title="You have solved this one">solved</span>` : nothing;
  }
}

@customElement('course-number-exercise')
export class NumberExerciseElement extends ExerciseElement {
  @property({ attribute: false }) exercise!: NumberExercise;
  @state() private _text = '';
  /** Why the text isn't a number, shown under the field (the text stays as typed). */
  @state() private _inputError = '';

  protected get exerciseId(): string {
    return this.exercise.id;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this._text = typeof this.record?.answer === 'string' ? this.record.answer : '';
  }

  private async _onSubmit(e: Event): Promise<void> {
    e.preventDefault();
    const parsed = parseNumberInput(this._text);
    if (!parsed.ok) {
      this._inputError = parsed.message;
      return;
    }
    this._inputError = '';
    this.status = 'checking';
    try {
      this.report(checkNumber(this.exercise, parsed.value, await this.exercise.answer()), this._text);
    } catch (err) {
      this.status = 'idle';
      this._inputError = `The answer could not be computed: ${(err as Error).message}`;
      console.error(err);
    }
  }

  override render() {
    const ex = this.exercise;
    const inputId = `ex-${ex.id}-input`;
    return html`<section class="exercise number" aria-labelledby=${`ex-${ex.id}-h`}>
      <h3 id=${`ex-${ex.id}-h`}>Predict, then check ${this.badge()}</h3>
      <div class="prompt">${ex.prompt}</div>
      <form @submit=${this._onSubmit}>
        <label for=${inputId}>Your answer</label>
        <input id=${inputId} type="text" inputmode="decimal" autocomplete="off" .value=${this._text}
          aria-invalid=${this._inputError ? 'true' : 'false'} aria-describedby=${`${inputId}-err`}
          @input=${(e: Event) => (this._text = (e.target as HTMLInputElement).value)} />
        <button type="submit" data-action="check" ?disabled=${this.status === 'checking'}>Check</button>
      </form>
      <p class="input-error" id=${`${inputId}-err`}>${this._inputError}</p>
      ${this.resultView(ex.explain)}
    </section>`;
  }
}

@customElement('course-choice-exercise')
export class ChoiceExerciseElement extends ExerciseElement {
  @property({ attribute: false }) exercise!: ChoiceExercise;
  @state() private _chosen: number | null = null;

  protected get exerciseId(): string {
    return this.exercise.id;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this._chosen = typeof this.record?.answer === 'number' ? this.record.answer : null;
  }

  private _onSubmit(e: Event): void {
    e.preventDefault();
    const r = checkChoice(this.exercise, this._chosen);
    if (this._chosen === null) {
      this.result = r; // "pick one first": said, not saved as a try
      this.status = 'wrong';
      return;
    }
    this.report(r, this._chosen);
  }

  override render() {
    const ex = this.exercise;
    return html`<section class="exercise choice" aria-labelledby=${`ex-${ex.id}-h`}>
      <h3 id=${`ex-${ex.id}-h`}>Choose ${this.badge()}</h3>
      <form @submit=${this._onSubmit}>
        <fieldset>
          <legend class="prompt">${ex.prompt}</legend>
          ${ex.options.map(
            (o, i) => html`<label class="option"><input type="radio" name=${`ex-${ex.id}`} value=${i} .checked=${this._chosen === i}
              @change=${() => (this._chosen = i)} /> ${o}</label>`,
          )}
        </fieldset>
        <button type="submit" data-action="check">Check</button>
      </form>
      ${this.resultView(ex.explain)}
    </section>`;
  }
}

/** The value a widget holds now: its `value` property when it has one, else the detail of its last `change`. */
function widgetValue(el: HTMLElement & { value?: unknown }, last: unknown): unknown {
  return el.value !== undefined ? el.value : last;
}

@customElement('course-target-exercise')
export class TargetExerciseElement extends ExerciseElement {
  @property({ attribute: false }) exercise!: TargetExercise;
  private _widget: (HTMLElement & { value?: unknown }) | null = null;
  private _last: unknown = undefined;
  @state() private _error = '';

  protected get exerciseId(): string {
    return this.exercise.id;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('exercise')) this._makeWidget();
  }

  private _makeWidget(): void {
    const { tag, props } = this.exercise.widget;
    if (!customElements.get(tag)) {
      this._error = `This exercise's widget <${tag}> is not defined (the lesson's load() should import it).`;
      console.error(this._error);
      this._widget = null;
      return;
    }
    const el = document.createElement(tag) as HTMLElement & { value?: unknown };
    Object.assign(el, props ?? {});
    if (this.record?.answer !== undefined) el.value = this.record.answer; // the setting saved with the last check
    this._last = this.record?.answer;
    // Only the widget's own `change` (a CustomEvent whose detail is its value) counts: a native change from an
    // <input> in its light DOM has no detail and is not the widget's value.
    el.addEventListener('change', (e) => {
      if (e.target !== el || !(e instanceof CustomEvent)) return;
      this._last = e.detail;
      this._check(e.detail); // checked live, as the learner drags
    });
    this._widget = el;
  }

  private _check(value: unknown): void {
    try {
      this.report(this.exercise.check(value), value);
    } catch (err) {
      this.result = { ok: false, message: `This setting could not be checked: ${(err as Error).message}` };
      this.status = 'wrong';
    }
  }

  private _onCheck(): void {
    if (!this._widget) return;
    this._check(widgetValue(this._widget, this._last));
  }

  override render() {
    const ex = this.exercise;
    return html`<section class="exercise target" aria-labelledby=${`ex-${ex.id}-h`}>
      <h3 id=${`ex-${ex.id}-h`}>Hit the target ${this.badge()}</h3>
      <div class="prompt">${ex.prompt}</div>
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : html`<div class="widget-frame" data-widget=${ex.widget.tag}>${this._widget}</div>`}
      <button type="button" data-action="check" @click=${this._onCheck} ?disabled=${!this._widget}>Check</button>
      ${this.resultView()}
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'course-number-exercise': NumberExerciseElement;
    'course-choice-exercise': ChoiceExerciseElement;
    'course-target-exercise': TargetExerciseElement;
  }
}
