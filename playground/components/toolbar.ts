// The top bar: the graph's name, file actions (New, Open, Save, Share, Export to PyTorch), the gallery, the
// history of earlier graphs, undo and redo, and whether the autosave has caught up. It only reports what was asked
// for ('toolbar-action', 'history-restore'); the app does it. Opening files goes through a hidden
// <input type=file> that takes a graph (.json) and weights (.safetensors) together.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { HistoryEntry } from '../graph/autosave';

/** 'history' asks the app to refresh the list of earlier graphs, as the History menu opens. */
export type ToolbarAction = 'new' | 'save' | 'share' | 'export' | 'gallery' | 'history' | 'undo' | 'redo' | 'load-model';

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' });

@customElement('editor-toolbar')
export class EditorToolbar extends LitElement {
  static override styles = css`
    :host { display: flex; align-items: center; gap: 6px; padding: 6px 10px; background: #1f2933; color: #f5f7fa; font: 13px/1.2 system-ui, sans-serif; }
    h1 { font-size: 15px; margin: 0 12px 0 0; white-space: nowrap; }
    .name { color: #cbd2d9; margin-right: 8px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 16rem; }
    a.bench { padding: 5px 9px; color: inherit; border: 1px solid #52606d; border-radius: 5px; text-decoration: none; }
    button { padding: 5px 9px; border: 1px solid #52606d; border-radius: 5px; background: #323f4b; color: inherit; font: inherit; cursor: pointer; }
    button:hover:not(:disabled) { background: #3e4c59; }
    button:disabled { opacity: 0.45; cursor: default; }
    .sep { width: 1px; align-self: stretch; background: #52606d; margin: 0 4px; }
    .spacer { flex: 1; }
    .saved { color: #9aa5b1; font-size: 12px; white-space: nowrap; }
    input[type='file'] { display: none; }
    .anchor { position: relative; }
    .menu {
      position: absolute; top: calc(100% + 4px); left: 0; z-index: 40; min-width: 17rem; max-height: 60vh; overflow: auto;
      padding: 4px; background: #fff; color: #1f2933; border: 1px solid #cbd2d9; border-radius: 6px; box-shadow: 0 6px 18px rgb(0 0 0 / 0.18);
    }
    .menu button { display: flex; width: 100%; justify-content: space-between; gap: 12px; border: 0; background: none; text-align: left; }
    .menu button:hover { background: #e4e7eb; }
    .menu .when { color: #616e7c; white-space: nowrap; }
    .menu p { margin: 6px 8px; max-width: 17rem; }
  `;

  @property() name = '';
  @property({ attribute: false }) undoLabel: string | null = null;
  @property({ attribute: false }) redoLabel: string | null = null;
  /** 'saved', 'saving' or 'unsaved' (reflected for tests waiting on the autosave). */
  @property({ reflect: true, attribute: 'autosave' }) autosave: 'saved' | 'saving' | 'off' = 'off';

  /** Earlier graphs for the History menu, newest first (the app refreshes them when the menu opens). */
  @property({ attribute: false }) history: readonly HistoryEntry[] = [];
  @state() private _historyOpen = false;

  @query('input[type="file"]') private _file!: HTMLInputElement;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('pointerdown', this._onOutside);
    window.removeEventListener('keydown', this._onEscape);
  }

  private _setHistoryOpen(open: boolean): void {
    this._historyOpen = open;
    if (open) {
      window.addEventListener('pointerdown', this._onOutside);
      window.addEventListener('keydown', this._onEscape);
      this._act('history');
    } else {
      window.removeEventListener('pointerdown', this._onOutside);
      window.removeEventListener('keydown', this._onEscape);
    }
  }

  /** A click anywhere else, or Escape, closes the menu, as menus do. */
  private readonly _onOutside = (e: PointerEvent): void => {
    if (!e.composedPath().includes(this)) this._setHistoryOpen(false);
  };
  private readonly _onEscape = (e: KeyboardEvent): void => {
    if (e.key === 'Escape') this._setHistoryOpen(false);
  };

  private _restore(entry: HistoryEntry): void {
    this._setHistoryOpen(false);
    this.dispatchEvent(new CustomEvent<HistoryEntry>('history-restore', { detail: entry, bubbles: true, composed: true }));
  }

  private _historyMenu() {
    if (!this._historyOpen) return nothing;
    return html`<div class="menu" role="menu" data-history-menu>
      ${this.history.length
        ? this.history.map(
            (e, i) => html`<button role="menuitem" data-history-entry=${i} title="Replace the graph with this one (Undo brings this one back)"
              @click=${() => this._restore(e)}><span>${e.name || 'Untitled'}</span><span class="when">${e.nodes} nodes · ${when.format(e.savedAt)}</span></button>`,
          )
        : html`<p>No earlier graphs yet. When New, Examples or Open… replace the graph, the one replaced is kept here.</p>`}
    </div>`;
  }

  private _act(action: ToolbarAction): void {
    this.dispatchEvent(new CustomEvent<ToolbarAction>('toolbar-action', { detail: action, bubbles: true, composed: true }));
  }

  private _onFiles(): void {
    const files = [...(this._file.files ?? [])];
    this._file.value = '';
    if (files.length) this.dispatchEvent(new CustomEvent<File[]>('files-open', { detail: files, bubbles: true, composed: true }));
  }

  override render() {
    return html`
      <h1>gpu-learn playground</h1>
      <span class="name" title="The graph's name">${this.name || 'Untitled'}</span>
      <button data-action="new" title="Start an empty graph" @click=${() => this._act('new')}>New</button>
      <button data-action="gallery" title="Open an example" @click=${() => this._act('gallery')}>Examples</button>
      <button data-action="open" title="Open a graph (.json) and, optionally, its weights (.safetensors)" @click=${() => this._file.click()}>Open…</button>
      <button data-action="save" title="Save the graph as JSON (and the weights as safetensors, once trained)" @click=${() => this._act('save')}>Save</button>
      <button data-action="share" title="Put the graph in the address bar and copy the link" @click=${() => this._act('share')}>Share link</button>
      <button data-action="export" title="Export a PyTorch training project (.zip): the model, its weights and data, and train.py for python or torchrun" @click=${() => this._act('export')}>Export PyTorch</button>
      <span class="anchor">
        <button data-action="history" title="Restore an earlier graph that New, Examples or Open… replaced" aria-haspopup="menu"
          aria-expanded=${this._historyOpen ? 'true' : 'false'} @click=${() => this._setHistoryOpen(!this._historyOpen)}>History…</button>
        ${this._historyMenu()}
      </span>
      <span class="sep"></span>
      <button data-action="undo" title=${this.undoLabel ? `Undo ${this.undoLabel} (Ctrl+Z)` : 'Nothing to undo'} ?disabled=${!this.undoLabel} @click=${() => this._act('undo')}>Undo</button>
      <button data-action="redo" title=${this.redoLabel ? `Redo ${this.redoLabel} (Ctrl+Shift+Z)` : 'Nothing to redo'} ?disabled=${!this.redoLabel} @click=${() => this._act('redo')}>Redo</button>
      <span class="sep"></span>
      <button data-action="load-model" title="Load a Hugging Face GPT-2 or BERT checkpoint from disk or a URL, and run it" aria-haspopup="dialog"
        @click=${() => this._act('load-model')}>Load a model</button>
      <a class="bench" data-action="bench" href="./bench.html" target="_blank" title="Benchmark attention kernels on this GPU">Bench</a>
      <a class="bench" data-action="course" href="./learn.html" title="The course: lessons with live widgets and exercises">Course</a>
      <span class="spacer"></span>
      <span class="saved">${this.autosave === 'saved' ? 'Saved in this browser' : this.autosave === 'saving' ? 'Saving…' : 'Not saved'}</span>
      <slot></slot>
      <input type="file" accept=".json,.safetensors,application/json" multiple @change=${this._onFiles} />
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'editor-toolbar': EditorToolbar;
  }
  interface HTMLElementEventMap {
    'toolbar-action': CustomEvent<ToolbarAction>;
    'files-open': CustomEvent<File[]>;
    'history-restore': CustomEvent<HistoryEntry>;
  }
}
