// The course page (learn.html): the home at learn.html, a lesson at learn.html#<id>. The hash routes, so lesson
// links work without a server that knows about them; moving between lessons rebuilds the page's content.
import { LitElement, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { keyed } from 'lit/directives/keyed.js';
import './home';
import './lesson-page';
import { courseStore } from './store';
import { parseRoute, type Route } from './progress';
import { installCourseTestHooks } from './test-hooks';

@customElement('course-app')
export class CourseApp extends LitElement {
  @state() private _route: Route = parseRoute(location.hash);

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

  override render() {
    const r = this._route;
    if (r.page === 'home') return html`<course-home .store=${courseStore}></course-home>`;
    return keyed(`${r.id}?${r.share ?? ''}`, html`<lesson-page lesson-id=${r.id} .share=${r.share}></lesson-page>`);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'course-app': CourseApp;
  }
}
