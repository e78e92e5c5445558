// "Open in the playground": a link to the editor (index.html) carrying a gallery example as a share-link hash, the
// format the editor already opens (graph/share.ts), so the lesson needs no other way into the editor. The example
// code is imported only when a lesson has such a link.
import { LitElement, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';

@customElement('course-playground-link')
export class PlaygroundLink extends LitElement {
  @property() example = '';
  @property() label = '';
  @state() private _href = '';
  @state() private _error = '';

  override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this._resolve();
  }

  private async _resolve(): Promise<void> {
    try {
      const [{ loadExample }, { encodeGraphHash }] = await Promise.all([import('../graph/examples/index'), import('../graph/share')]);
      const g = loadExample(this.example);
      this._href = `./index.html${await encodeGraphHash(g.state, { name: g.name, train: g.train })}`;
    } catch (e) {
      this._error = `The playground example "${this.example}" could not be opened: ${(e as Error).message}`;
      console.error(this._error);
    }
  }

  override render() {
    if (this._error) return html`<span class="error" role="alert">${this._error}</span>`;
    // Until the link is ready it is text, not a link to nowhere.
    return this._href
      ? html`<a class="open-playground" href=${this._href} target="_blank" rel="noopener" data-example=${this.example}>▶ ${this.label || 'Open in the playground'}</a>`
      : html`<span class="open-playground pending">${this.label || 'Open in the playground'}</span>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'course-playground-link': PlaygroundLink;
  }
}
