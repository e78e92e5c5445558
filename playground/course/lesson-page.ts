// A lesson page: the lesson's sections in order (prose, live widgets with their text alternatives, exercises,
// "Open in the playground" links), then its further reading. It owns the learner's state for the lesson (exercise
// results, code, widget settings), saves it to IndexedDB as it changes, restores it on the next visit, shares it
// as a link and resets it with an undo.
//
// Reflects for tests: `phase` ('loading', 'ready' once every section is on the page, or 'error'), and `saved`
// ('saved' once the latest change is written, 'saving' before).
import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { keyed } from 'lit/directives/keyed.js';
import '../device-status';
import './exercises';
import './code-cell';
import './playground-link';
import type { CodeChange } from './code-cell';
import type { ExerciseUpdate } from './exercises';
import { LESSONS } from './lessons/index';
import {
  decodeShare, emptyState, encodeShare, lessonHash, passedCount, sharePayload, stateFromShare, widgetKey,
  type LessonState, type SharePayload,
} from './progress';
import { courseStore } from './store';
import { installCourseTestHooks } from './test-hooks';
import type { Exercise, Lesson, Section } from './types';

/** How long after the last change the state is written (typing in a code cell changes it on every key). */
const SAVE_DELAY_MS = 300;

type Notice = { text: string; kind: 'info' | 'error'; undo?: () => void; share?: { payload: SharePayload } };

type WidgetEl = HTMLElement & { value?: unknown };

@customElement('lesson-page')
export class LessonPage extends LitElement {
  @property({ attribute: 'lesson-id' }) lessonId = '';
  /** The share payload from the address ("?s=…"), offered to the learner, never applied without asking. */
  @property({ attribute: false }) share: string | null = null;
  @property({ reflect: true }) phase: 'loading' | 'ready' | 'error' = 'loading';
  @property({ reflect: true }) saved: 'saved' | 'saving' = 'saved';

  @state() private _lesson: Lesson | null = null;
  @state() private _error = '';
  @state() private _state: LessonState = emptyState(0);
  @state() private _notice: Notice | null = null;
  @state() private _device = false;
  @state() private _shareUrl = '';
  /** Bumped when the whole state is replaced (reset, undo, a shared state): every section is rebuilt from it. */
  @state() private _generation = 0;

  private _widgets = new Map<string, WidgetEl>();
  private _saveTimer: ReturnType<typeof setTimeout> | undefined;

  override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('pagehide', this._flush);
    void this._open();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('pagehide', this._flush);
    void this._flush();
  }

  private get _exercises(): Exercise[] {
    return (this._lesson?.sections ?? []).flatMap((s) => (s.kind === 'exercise' ? [s.exercise] : []));
  }

  private async _open(): Promise<void> {
    const id = this.lessonId;
    const loader = LESSONS[id];
    if (!loader) {
      this._error = `There is no lesson called "${id}".`;
      this.phase = 'error';
      return;
    }
    try {
      const lesson = await loader();
      if (lesson.id !== id) throw new Error(`the lesson registered as "${id}" calls itself "${lesson.id}"`);
      await lesson.load?.();
      const loaded = await courseStore.load(id);
      const total = lesson.sections.filter((s) => s.kind === 'exercise').length;
      this._state = { ...(loaded.state ?? emptyState(total)), total };
      if (loaded.error) this._notice = { text: loaded.error, kind: 'error' };
      this._lesson = lesson;
      document.title = `${lesson.title} · gpu-learn course`;
      installCourseTestHooks(lesson, () => this._state);
      if (this.share) await this._offerShare(this.share);
    } catch (e) {
      this._error = `This lesson could not be loaded: ${(e as Error).message}`;
      this.phase = 'error';
      console.error(e);
    }
  }

  /** A shared state is described and offered; the learner's own saved work stays until they accept. */
  private async _offerShare(text: string): Promise<void> {
    history.replaceState(null, '', lessonHash(this.lessonId)); // a reload shows the learner's own state again
    const r = await decodeShare(text);
    if (!r.ok) {
      this._notice = { text: `${r.error} Your own saved work is unchanged.`, kind: 'error' };
      return;
    }
    if (r.value.lesson !== this.lessonId) {
      this._notice = { text: `This share link belongs to the lesson "${r.value.lesson}", not this one; nothing was changed.`, kind: 'error' };
      return;
    }
    const p = r.value;
    const parts = [
      `${Object.keys(p.code).length} code cell${Object.keys(p.code).length === 1 ? '' : 's'}`,
      `${Object.keys(p.answers).length} answer${Object.keys(p.answers).length === 1 ? '' : 's'}`,
      `${Object.keys(p.widgets).length} widget setting${Object.keys(p.widgets).length === 1 ? '' : 's'}`,
    ];
    this._notice = {
      kind: 'info',
      text: `This link holds someone's work on this lesson (${parts.join(', ')}). Opening it replaces your saved work here (you can undo); its code runs only when you press Run or Check.`,
      share: { payload: p },
    };
  }

  private _acceptShare(p: SharePayload): void {
    const before = this._state;
    this._replaceState(stateFromShare(p, before.total));
    this._notice = { kind: 'info', text: 'Opened the shared work.', undo: () => this._replaceState(before) };
  }

  private _replaceState(next: LessonState): void {
    this._state = next;
    this._generation++;
    this._widgets.clear();
    this._notice = null;
    this._scheduleSave();
  }

  private _onReset(): void {
    const before = this._state;
    this._replaceState(emptyState(before.total));
    this._notice = { kind: 'info', text: 'This lesson was reset: answers, code and widget settings are cleared.', undo: () => this._replaceState(before) };
  }

  private async _onShare(): Promise<void> {
    const payload = await encodeShare(sharePayload(this.lessonId, this._state));
    this._shareUrl = `${location.origin}${location.pathname}${lessonHash(this.lessonId, payload)}`;
    const copied = await navigator.clipboard?.writeText(this._shareUrl).then(() => true, () => false);
    this._notice = { kind: 'info', text: copied ? 'A link to your work on this lesson is copied; it is also below.' : 'Here is a link to your work on this lesson:' };
  }

  // ---- saving ------------------------------------------------------------------------------------------

  private _scheduleSave(): void {
    this.saved = 'saving';
    clearTimeout(this._saveTimer);
    this._saveTimer = setTimeout(() => void this._flush(), SAVE_DELAY_MS);
  }

  private readonly _flush = async (): Promise<void> => {
    if (this.saved !== 'saving' || !this._lesson) return;
    clearTimeout(this._saveTimer);
    const snapshot = this._state;
    try {
      await courseStore.save(this.lessonId, snapshot);
      if (this._state === snapshot) this.saved = 'saved';
    } catch (e) {
      this._notice = { kind: 'error', text: `Your progress could not be saved in this browser: ${(e as Error).message}` };
    }
  };

  private _onExerciseUpdate(e: CustomEvent<ExerciseUpdate>): void {
    const { id, record } = e.detail;
    this._state = { ...this._state, exercises: { ...this._state.exercises, [id]: record } };
    this._scheduleSave();
  }

  private _onCodeChange(e: CustomEvent<CodeChange>): void {
    const { id, code } = e.detail;
    this._state = { ...this._state, code: { ...this._state.code, [id]: code } };
    this._scheduleSave();
  }

  // ---- sections ----------------------------------------------------------------------------------------

  /** A widget section's element, made once per generation, its saved setting restored through `value`. */
  private _widget(s: Extract<Section, { kind: 'widget' }>, key: string): WidgetEl | null {
    let el = this._widgets.get(key);
    if (el) return el;
    if (!customElements.get(s.tag)) return null;
    el = document.createElement(s.tag) as WidgetEl;
    Object.assign(el, s.props ?? {});
    if (key in this._state.widgets) el.value = this._state.widgets[key];
    el.addEventListener('change', (e) => {
      // The widget's own change event (a CustomEvent carrying its value), not a native one from inside it.
      if (e.target !== el || !(e instanceof CustomEvent)) return;
      this._state = { ...this._state, widgets: { ...this._state.widgets, [key]: e.detail as unknown } };
      this._scheduleSave();
    });
    this._widgets.set(key, el);
    return el;
  }

  private _section(s: Section, i: number, widgetIndex: Map<string, number>) {
    switch (s.kind) {
      case 'text':
        return html`<div class="prose">${s.body}</div>`;
      case 'widget': {
        const n = widgetIndex.get(s.tag) ?? 0;
        widgetIndex.set(s.tag, n + 1);
        const key = widgetKey(s.tag, n);
        const el = this._widget(s, key);
        const altId = `alt-${i}`;
        if (!el) {
          console.error(`Widget <${s.tag}> is not defined; the lesson's load() should import it.`);
          return html`<p class="error" role="alert">This widget (&lt;${s.tag}&gt;) failed to load. What it shows: ${s.alt}</p>`;
        }
        return html`<figure class="widget" data-widget=${s.tag} data-widget-key=${key} aria-describedby=${altId}>
          ${el}
          <figcaption id=${altId} class="alt"><span class="alt-label">What this shows:</span> ${s.alt}</figcaption>
        </figure>`;
      }
      case 'exercise':
        return this._exercise(s.exercise);
      case 'playground':
        return html`<p class="playground-link"><course-playground-link .example=${s.example} .label=${s.label}></course-playground-link></p>`;
    }
  }

  private _exercise(ex: Exercise) {
    const record = this._state.exercises[ex.id];
    switch (ex.kind) {
      case 'number':
        return html`<course-number-exercise data-exercise=${ex.id} .exercise=${ex} .record=${record}></course-number-exercise>`;
      case 'choice':
        return html`<course-choice-exercise data-exercise=${ex.id} .exercise=${ex} .record=${record}></course-choice-exercise>`;
      case 'target':
        return html`<course-target-exercise data-exercise=${ex.id} .exercise=${ex} .record=${record}></course-target-exercise>`;
      case 'code':
        return html`<course-code-cell data-exercise=${ex.id} .exercise=${ex} .record=${record} .initialCode=${this._state.code[ex.id]}></course-code-cell>`;
    }
  }

  protected override willUpdate(): void {
    // Ready once the lesson's sections are rendered, which waits for the engine's device (widgets compute on it).
    if (this._lesson && this._device && this.phase === 'loading') this.phase = 'ready';
  }

  private _noticeView() {
    const n = this._notice;
    if (!n) return nothing;
    return html`<div class="notice ${n.kind}" role=${n.kind === 'error' ? 'alert' : 'status'} data-notice>
      <p>${n.text}</p>
      ${n.share ? html`<button type="button" data-action="open-shared" @click=${() => this._acceptShare(n.share!.payload)}>Open the shared work</button>
        <button type="button" data-action="keep-mine" @click=${() => (this._notice = null)}>Keep mine</button>` : nothing}
      ${n.undo ? html`<button type="button" data-action="undo" @click=${() => { n.undo!(); this._notice = null; }}>Undo</button>` : nothing}
      ${this._shareUrl && !n.share && !n.undo ? html`<label class="share-url">Link <input type="text" readonly .value=${this._shareUrl} @focus=${(e: FocusEvent) => (e.target as HTMLInputElement).select()} /></label>` : nothing}
      <button type="button" class="dismiss" aria-label="Dismiss this message" @click=${() => (this._notice = null)}>×</button>
    </div>`;
  }

  override render() {
    if (this._error) {
      return html`<main class="lesson"><p><a href="./learn.html">← All weeks</a></p><p class="error" role="alert">${this._error}</p></main>`;
    }
    const lesson = this._lesson;
    const exercises = this._exercises;
    const passed = passedCount(this._state);
    const widgetIndex = new Map<string, number>();
    return html`<header class="lesson-head">
        <nav aria-label="Course"><a href="./learn.html">← All weeks</a> · <a href="./">Playground</a></nav>
        ${lesson ? html`<p class="week">Week ${lesson.week}</p><h1>${lesson.title}</h1><p class="summary">${lesson.summary}</p>` : html`<h1>Loading the lesson…</h1>`}
        <device-status compact @device-ready=${() => (this._device = true)}></device-status>
        ${lesson
          ? html`<div class="lesson-actions">
              <span class="progress" data-progress>${passed} of ${exercises.length} exercises solved</span>
              <span class="saved" aria-live="polite">${this.saved === 'saved' ? 'Saved in this browser' : 'Saving…'}</span>
              <button type="button" data-action="share" @click=${this._onShare} title="Make a link that carries your answers, code and widget settings">Share link</button>
              <button type="button" data-action="reset" @click=${this._onReset} title="Clear your answers, code and widget settings for this lesson (you can undo)">Reset lesson</button>
            </div>`
          : nothing}
        ${this._noticeView()}
      </header>
      ${lesson && this._device
        ? html`<main class="lesson" @exercise-update=${this._onExerciseUpdate} @code-change=${this._onCodeChange}>
            ${keyed(this._generation, html`${lesson.sections.map((s, i) => this._section(s, i, widgetIndex))}`)}
            ${lesson.resources.length
              ? html`<section class="reading" aria-labelledby="reading-h"><h2 id="reading-h">Further reading</h2>
                  <ul>${lesson.resources.map((r) => html`<li><a href=${r.url} target="_blank" rel="noopener">${r.title}</a>: ${r.adds}</li>`)}</ul></section>`
              : nothing}
          </main>`
        : html`<main class="lesson"><p class="loading">Loading…</p></main>`}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lesson-page': LessonPage;
  }
}
