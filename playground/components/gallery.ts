// The gallery of examples (graph/examples): a dialog listing each with its description. Choosing one asks the
// app to open it. Test hook: each entry's button carries data-example="<id>".
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { EXAMPLES } from '../graph/examples/index';

@customElement('example-gallery')
export class ExampleGallery extends LitElement {
  static override styles = css`
    :host { position: fixed; inset: 0; z-index: 20; display: none; }
    :host([open]) { display: grid; place-items: center; background: rgb(15 23 42 / 0.35); }
    .dialog { background: #fff; border-radius: 10px; padding: 16px 20px; width: min(720px, 92vw); max-height: 80vh; overflow: auto; font: 14px/1.4 system-ui, sans-serif; }
    h2 { margin: 0 0 10px; font-size: 18px; }
    ul { list-style: none; padding: 0; margin: 0; display: grid; grid-template-columns: 1fr 1fr; gap: 10px; }
    button.example { width: 100%; height: 100%; text-align: left; padding: 10px 12px; border: 1px solid #cbd2d9; border-radius: 8px; background: #f8fafc; font: inherit; cursor: pointer; }
    button.example:hover, button.example:focus-visible { border-color: #2563eb; background: #eff6ff; }
    button.example b { display: block; margin-bottom: 4px; }
    button.example span { color: #52606d; font-size: 13px; }
    .close { float: right; border: none; background: none; font-size: 20px; cursor: pointer; }
  `;

  @property({ type: Boolean, reflect: true }) open = false;

  private _choose(id: string): void {
    this.dispatchEvent(new CustomEvent<string>('example-open', { detail: id, bubbles: true, composed: true }));
  }

  private _close(): void {
    this.dispatchEvent(new CustomEvent('gallery-close', { bubbles: true, composed: true }));
  }

  override render() {
    if (!this.open) return nothing;
    return html`<div class="dialog" role="dialog" aria-label="Examples" @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && this._close()}>
      <button class="close" title="Close (Esc)" @click=${this._close}>×</button>
      <h2>Examples</h2>
      <ul>
        ${EXAMPLES.map(
          (ex) => html`<li>
            <button class="example" data-example=${ex.id} @click=${() => this._choose(ex.id)}><b>${ex.title}</b><span>${ex.description}</span></button>
          </li>`,
        )}
      </ul>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'example-gallery': ExampleGallery;
  }
  interface HTMLElementEventMap {
    'example-open': CustomEvent<string>;
    'gallery-close': CustomEvent<undefined>;
  }
}
