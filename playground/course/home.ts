// The course home: every week group of the plan in order, with its title, one line on what it teaches and the
// learner's progress. A built week is a real link to its lesson; the others say "coming" and link nowhere.
import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Progress } from './progress';
import { lessonHash } from './progress';
import type { ProgressStore } from './store';
import { WEEKS } from './weeks';

@customElement('course-home')
export class CourseHome extends LitElement {
  @property({ attribute: false }) store!: ProgressStore;
  /** 'loading' until the progress of every built week has been read (reflected for tests). */
  @property({ reflect: true }) phase: 'loading' | 'ready' = 'loading';
  @state() private _progress: Record<string, Progress> = {};
  @state() private _error = '';

  override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.title = 'gpu-learn course';
    void this._load();
  }

  private async _load(): Promise<void> {
    try {
      this._progress = await this.store.progress(WEEKS.flatMap((w) => (w.lesson ? [w.lesson] : [])));
    } catch (e) {
      this._error = `Your progress could not be read from this browser's storage: ${(e as Error).message}`;
    }
    this.phase = 'ready';
  }

  override render() {
    return html`<header class="home-head">
        <nav aria-label="Elsewhere"><a href="./">← Playground</a></nav>
        <h1>From probability to transformers</h1>
        <p class="summary">A course in ${WEEKS.length} parts over twenty weeks. Each lesson mixes our explanations with
          live widgets running on your GPU, questions that check themselves, and functions you implement and test in the page.</p>
        ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : nothing}
      </header>
      <main>
        <ol class="weeks">
          ${WEEKS.map((w) => {
            const progress = w.lesson ? (this._progress[w.lesson] ?? 'not started') : null;
            return html`<li class="week-card ${w.lesson ? 'built' : 'coming'}" data-week=${w.week}>
              <p class="week">Week ${w.week}</p>
              <h2>${w.lesson ? html`<a href=${`./learn.html${lessonHash(w.lesson)}`}>${w.title}</a>` : w.title}</h2>
              <p>${w.summary}</p>
              <p class="status" data-progress=${progress ?? 'coming'}>
                ${progress ? html`<span class="badge ${progress.replace(' ', '-')}">${progress[0].toUpperCase() + progress.slice(1)}</span>` : html`<span class="badge coming">Coming</span>`}
              </p>
            </li>`;
          })}
        </ol>
      </main>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'course-home': CourseHome;
  }
}
