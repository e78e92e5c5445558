// The first-visit welcome: a short panel over the canvas saying what the playground is, how a network is built
// (drag, wire, train) and where the examples and the course are. It is shown until dismissed — by its button, by
// Escape, or by choosing the examples — and that is remembered (ui-state.ts), so it never comes back. It is not
// modal: the editor stays usable behind it. Test hooks: the panel carries data-welcome, its buttons data-action.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import { rememberWelcomeDismissed, welcomeDismissed } from '../ui-state';

@customElement('welcome-panel')
export class WelcomePanel extends LitElement {
  static override styles = css`
    :host { position: fixed; z-index: 15; left: 50%; top: 96px; transform: translateX(-50%); width: min(460px, 90vw); }
    section {
      background: #fff;
      border: 1px solid #9fb3c8;
      border-radius: 10px;
      box-shadow: 0 8px 28px rgb(15 23 42 / 0.22);
      padding: 14px 18px 12px;
      font: 14px/1.45 system-ui, sans-serif;
      color: #1f2933;
    }
    h2 { margin: 0 0 6px; font-size: 17px; }
    p { margin: 6px 0; }
    ol { margin: 6px 0; padding-left: 20px; }
    li { margin: 3px 0; }
    .actions { display: flex; gap: 8px; justify-content: flex-end; margin-top: 10px; }
    button { font: inherit; padding: 5px 12px; border-radius: 6px; border: 1px solid #9aa5b1; background: #fff; cursor: pointer; }
    button.primary { background: #2563eb; border-color: #2563eb; color: #fff; }
    .close { position: absolute; right: 8px; top: 4px; border: none; background: none; font-size: 20px; padding: 2px 6px; }
    kbd { font: 12px ui-monospace, monospace; border: 1px solid #cbd2d9; border-radius: 3px; padding: 0 3px; }
  `;

  @state() private _open = !welcomeDismissed();
  @query('button.primary') private _gotIt?: HTMLButtonElement;

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('keydown', this._onKey);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('keydown', this._onKey);
  }

  override firstUpdated(): void {
    // Keyboard users land on the panel's button, so Enter (or Escape anywhere) closes it.
    this._gotIt?.focus();
  }

  private readonly _onKey = (e: KeyboardEvent): void => {
    if (this._open && e.key === 'Escape') this._dismiss();
  };

  private _dismiss(): void {
    this._open = false;
    rememberWelcomeDismissed();
  }

  private _examples(): void {
    this._dismiss();
    this.dispatchEvent(new CustomEvent('welcome-examples', { bubbles: true, composed: true }));
  }

  override render() {
    if (!this._open) return nothing;
    return html`<section role="dialog" aria-labelledby="welcome-title" data-welcome>
      <button class="close" title="Close (Esc)" aria-label="Close" data-action="welcome-close" @click=${this._dismiss}>×</button>
      <h2 id="welcome-title">Welcome to the playground</h2>
      <p>Build a neural network from blocks and train it on your GPU, right here in the browser.</p>
      <ol>
        <li><b>Drag</b> a node from the palette on the left onto the canvas.</li>
        <li><b>Wire</b> it: drag from an output (right side) to an input (left side). Shapes are checked as you go.</li>
        <li><b>Train</b>: end in a loss, then press Train (<kbd>Ctrl</kbd>+<kbd>Enter</kbd>) and watch it learn.</li>
      </ol>
      <p>Or start from a working network in <b>Examples</b>, and learn the ideas step by step in <a href="./learn.html" data-action="welcome-course">the course</a>.</p>
      <div class="actions">
        <button data-action="welcome-examples" @click=${this._examples}>Open the examples</button>
        <button class="primary" data-action="welcome-dismiss" @click=${this._dismiss}>Got it</button>
      </div>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'welcome-panel': WelcomePanel;
  }
  interface HTMLElementEventMap {
    'welcome-examples': CustomEvent<undefined>;
  }
}
