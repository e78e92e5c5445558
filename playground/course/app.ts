// The course page (learn.html): the home at learn.html, a lesson at learn.html#<id>. The hash routes, so lesson
// links work without a server that knows about them; moving between lessons rebuilds the page's content. The lesson
// page (with the engine and the code editor) is imported only when a lesson is opened, so the home loads light.
import { LitElement, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { keyed } from 'lit/directives/keyed.js';
import './home';
import { courseStore } from './store';
import { parseRoute, type Route } from './progress';
import { installCourseTestHooks } from './test-hooks';

@customElement('course-app')
export class CourseApp extends LitElement {
  @state() private _route: Route = parseRoute(location.hash);
  /** Whether <lesson-page> is defined yet (its module loads on the first lesson route). */
  @state() private _lessonPage = false;
  @state() private _error = '';

  override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this._onHash);
    if (this._route.page === 'home') installCourseTestHooks(null);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this._onHash);
  }

  private readonly _onHash = (): void => {
    const next = parseRoute(location.hash);
    // Dropping "?s=…" after reading it must not reopen the lesson.
    const same = next.page === 'lesson' && this._route.page === 'lesson' && next.id === this._route.id && !next.share;
    if (same) return;
    this._route = next;
    if (next.page === 'home') installCourseTestHooks(null);
    window.scrollTo(0, 0);
  };

  private _loading = false;

  private _loadLessonPage(): void {
    if (this._loading) return;
    this._loading = true;
    import('./lesson-page').then(
      () => (this._lessonPage = true),
      (e: unknown) => {
        this._error = `The lesson page could not be loaded: ${(e as Error).message}`;
        console.error(e);
      },
    );
  }

  override render() {
    const r = this._route;
    if (r.page === 'home') return html`<course-home .store=${courseStore}></course-home>`;
    if (this._error) return html`<p class="error" role="alert">${this._error} <a href="./learn.html">All weeks</a></p>`;
    if (!this._lessonPage) {
      this._loadLessonPage();
      return html`<p class="loading">Loading the lesson…</p>`;
    }
    return keyed(`${r.id}?${r.share ?? ''}`, html`<lesson-page lesson-id=${r.id} .share=${r.share}></lesson-page>`);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'course-app': CourseApp;
  }
}
