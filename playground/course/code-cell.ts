// An "implement it yourself" code cell: the learner's function in CodeMirror, Run (call it on the example and show
// what it returns), Check (fresh random cases compared with the engine's reference), hints one at a time and the
// solution on request. The code runs in the page's worker (runner.ts) with a time limit; nothing runs until the
// learner presses Run or Check, including code that arrived in a shared link.
//
// Reflects `status`: 'idle', 'running' (Run or Check in flight), 'ok' or 'wrong' (the last Check) and 'error' (the
// last Run failed), for tests and styles. The editor's text is the `code` property.
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { EditorView } from '@codemirror/view';
import { checkCode, freshSeed, type CellRun } from './check-core';
import { describe } from './compare';
import { createEditor, goToLine, setDoc } from './editor';
import { pageRunner } from './runner';
import { describeRunError, type RunOutcome } from './outcome';
import type { ExerciseUpdate } from './exercises';
import type { ExerciseRecord } from './progress';
import type { CheckResult, CodeExercise } from './types';

export interface CodeChange {
  id: string;
  code: string;
}

export type CodeCellStatus = 'idle' | 'running' | 'ok' | 'wrong' | 'error';

const DEFAULT_TIMEOUT_MS = 2000;

/** A result as Run shows it: JSON, shortened. */
function preview(v: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x)) ?? describe(v);
  } catch {
    text = describe(v);
  }
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
}

@customElement('course-code-cell')
export class CodeCell extends LitElement {
  @property({ attribute: false }) exercise!: CodeExercise;
  /** The text to start from: the saved code, or the starter. */
  @property({ attribute: false }) initialCode: string | undefined;
  @property({ attribute: false }) record: ExerciseRecord | undefined;
  @property({ reflect: true }) status: CodeCellStatus = 'idle';
  /** Checks completed since the page opened (reflected, so a test can wait for the next one). */
  @property({ type: Number, reflect: true }) checks = 0;

  @state() private _result: CheckResult | null = null;
  /** Run's output: the returned value or the error, and what the code logged. */
  @state() private _output: { text: string; error: boolean; logs: string[] } | null = null;
  @state() private _hints = 0;
  @state() private _solution = false;
  @state() private _busy = false;

  private _view: EditorView | null = null;
  private _code = '';

  override createRenderRoot(): HTMLElement {
    return this;
  }

  /** The editor's text; setting it is one undoable edit. */
  get code(): string {
    return this._view ? this._view.state.doc.toString() : this._code;
  }
  set code(text: string) {
    this._code = text;
    if (this._view) setDoc(this._view, text);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    pageRunner().warm(); // load the engine in the worker while the learner reads
    this._result = this.record?.last ?? null;
    if (this._result) this.status = this._result.ok ? 'ok' : 'wrong';
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._view?.destroy();
    this._view = null;
  }

  protected override firstUpdated(_changed: PropertyValues<this>): void {
    const ex = this.exercise;
    this._code = this.initialCode ?? ex.starter;
    this._view = createEditor({
      parent: this.querySelector<HTMLElement>('.editor')!,
      doc: this._code,
      language: ex.language,
      label: `Code for ${ex.name}`,
      describedBy: `cell-${ex.id}-keys`,
      onChange: (code) => {
        this._code = code;
        this.dispatchEvent(new CustomEvent<CodeChange>('code-change', { detail: { id: ex.id, code }, bubbles: true }));
      },
    });
  }

  /** Runs this text (taken when Run or Check was pressed, so edits made meanwhile don't mix into one check). */
  private _runner(code: string): CellRun {
    const { language, name, timeoutMs } = this.exercise;
    return (args) => pageRunner().run({ code, language, name, args }, timeoutMs ?? DEFAULT_TIMEOUT_MS);
  }

  private async _onRun(): Promise<void> {
    this._busy = true;
    this.status = 'running';
    let out: RunOutcome;
    try {
      out = await this._runner(this.code)(this.exercise.example());
    } finally {
      this._busy = false;
    }
    if (out.ok) {
      this._output = { text: `${this.exercise.name}(…) returned ${preview(out.value)}`, error: false, logs: out.logs };
      this.status = this._result ? (this._result.ok ? 'ok' : 'wrong') : 'idle';
    } else {
      this._output = { text: describeRunError(out.error), error: true, logs: out.logs };
      this.status = 'error';
      if (out.error.line !== null && this._view) goToLine(this._view, out.error.line);
    }
  }

  private async _onCheck(): Promise<void> {
    this._busy = true;
    this.status = 'running';
    let result: CheckResult;
    try {
      result = await checkCode(this.exercise, this._runner(this.code), freshSeed());
    } catch (e) {
      // The lesson's reference or cases failed: a bug in the lesson, said as such and not counted against anyone.
      result = { ok: false, message: `The check itself failed (a bug in this lesson, not in your code): ${(e as Error).message}` };
      console.error(e);
    } finally {
      this._busy = false;
    }
    this._result = result;
    this.status = result.ok ? 'ok' : 'wrong';
    this.checks++;
    const line = /\(line (\d+)\)/.exec(result.message);
    if (!result.ok && line && this._view) goToLine(this._view, Number(line[1]));
    const record: ExerciseRecord = { passed: result.ok || (this.record?.passed ?? false), last: result };
    this.record = record;
    this.dispatchEvent(new CustomEvent<ExerciseUpdate>('exercise-update', { detail: { id: this.exercise.id, record }, bubbles: true }));
  }

  private _onStarter(): void {
    if (this._view) setDoc(this._view, this.exercise.starter);
    this._view?.focus();
  }

  override render() {
    const ex = this.exercise;
    const hints = ex.hints.slice(0, this._hints);
    return html`<section class="exercise code" aria-labelledby=${`cell-${ex.id}-h`}>
      <h3 id=${`cell-${ex.id}-h`}>Implement it: <code>${ex.name}</code>
        ${this.record?.passed ? html`<span class="badge done" title="You have solved this one">solved</span>` : nothing}</h3>
      <div class="prompt">${ex.prompt}</div>
      <p class="signature"><code>${ex.signature}</code> <span class="lang">${ex.language === 'typescript' ? 'TypeScript' : 'JavaScript'}</span></p>
      <div class="editor"></div>
      <p class="keys" id=${`cell-${ex.id}-keys`}>Tab indents. To leave the editor with the keyboard, press Esc, then Tab. The engine is in scope as <code>engine</code>.</p>
      <div class="actions">
        <button type="button" data-action="run" ?disabled=${this._busy} @click=${this._onRun} title="Call your function on the example and show what it returns">Run</button>
        <button type="button" data-action="check" ?disabled=${this._busy} @click=${this._onCheck} title="Compare your function with the reference on fresh random inputs">Check</button>
        <button type="button" data-action="hint" ?disabled=${this._hints >= ex.hints.length} @click=${() => this._hints++}>
          ${ex.hints.length === 0 ? 'No hints' : this._hints >= ex.hints.length ? 'No more hints' : `Hint ${this._hints + 1} of ${ex.hints.length}`}</button>
        <button type="button" data-action="solution" aria-expanded=${this._solution ? 'true' : 'false'} @click=${() => (this._solution = !this._solution)}>
          ${this._solution ? 'Hide the solution' : 'Show the solution'}</button>
        <button type="button" data-action="starter" @click=${this._onStarter} title="Put the starter code back (Ctrl+Z undoes it)">Start over</button>
        ${this._busy ? html`<span class="busy">running…</span>` : nothing}
      </div>
      ${hints.length ? html`<ol class="hints">${hints.map((h) => html`<li>${h}</li>`)}</ol>` : nothing}
      ${this._solution ? html`<pre class="solution" data-solution><code>${ex.solution}</code></pre>` : nothing}
      <div class="result" role="status" aria-live="polite">
        ${this._output
          ? html`<div class="output ${this._output.error ? 'wrong' : ''}" data-output><pre>${this._output.text}</pre>
              ${this._output.logs.length ? html`<pre class="logs">${this._output.logs.join('\n')}</pre>` : nothing}</div>`
          : nothing}
        ${this._result ? html`<p class=${this._result.ok ? 'ok' : 'wrong'} data-result=${this._result.ok ? 'ok' : 'wrong'}>${this._result.message}</p>` : nothing}
      </div>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'course-code-cell': CodeCell;
  }
}
