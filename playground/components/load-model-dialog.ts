// The "Load a model" dialog: a Hugging Face checkpoint (config.json, model.safetensors or its sharded index and
// shards, and vocab.txt for BERT) picked or dropped from disk, or fetched by this browser from a base URL. It shows
// a progress bar with Cancel while loading, then a generation panel (GPT-2-style models) or a fill-the-mask panel
// (BERT-style ones). Every failure is said in the dialog, naming the file, and the dialog stays usable.
//
// The model belongs to the dialog: it is disposed when another is loaded or the dialog closes. Lessons reuse the
// element as is: set `open`, and listen for 'model-dialog-close' (to clear `open`) and, if they want to know what
// was loaded, 'model-loaded'. Test hooks: the host's `state` attribute (idle, loading, ready, error),
// data-model-url, data-model-files, data-load-error, data-model-summary.
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { ifDefined } from 'lit/directives/if-defined.js';
import { describeModel, disposeModel, loadCheckpoint, type LoadedModel, type LoadProgress } from '../hf/load';
import { filesSource, urlSource, type CheckpointSource } from '../hf/source';
import { errorMessage } from '../dom';
import type { GeneratePanel } from './generate-panel';
import './generate-panel';
import './fill-mask-panel';

export type LoadState = 'idle' | 'loading' | 'ready' | 'error';

function formatBytes(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MB` : `${(n / 1024).toFixed(0)} kB`;
}

/** The element that has focus, looking inside shadow roots, so that focus can go back to it on close. */
function deepActiveElement(): HTMLElement | null {
  let el = document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el instanceof HTMLElement ? el : null;
}

@customElement('load-model-dialog')
export class LoadModelDialog extends LitElement {
  static override styles = css`
    dialog { width: min(760px, 94vw); max-height: 88vh; overflow: auto; padding: 16px 20px; border: 0; border-radius: 10px; font: 14px/1.4 system-ui, sans-serif; color: #1f2933; }
    dialog::backdrop { background: rgb(15 23 42 / 0.35); }
    header { display: flex; align-items: center; justify-content: space-between; }
    h2 { margin: 0; font-size: 18px; }
    .close { border: none; background: none; font-size: 22px; cursor: pointer; }
    .hint { color: #52606d; margin: 6px 0 12px; }
    form { display: flex; gap: 8px; align-items: center; }
    form input { flex: 1; font: inherit; padding: 4px 6px; }
    .drop { margin-top: 10px; padding: 12px; border: 2px dashed #cbd2d9; border-radius: 8px; }
    .drop.over { border-color: #2563eb; background: #eff6ff; }
    .progress { display: flex; gap: 10px; align-items: center; margin: 14px 0 4px; }
    .progress progress { flex: 1; }
    .stage { color: #52606d; font-size: 13px; }
    .error { color: #b42318; background: #fef3f2; border-left: 4px solid #b42318; padding: 8px 10px; white-space: pre-wrap; }
    .summary { font-weight: 600; margin: 14px 0 0; }
    button { font: inherit; }
  `;

  @property({ type: Boolean, reflect: true }) open = false;
  /** What the URL field starts with. */
  @property() url = '';
  @property({ reflect: true }) state: LoadState = 'idle';
  @state() private _progress: LoadProgress | null = null;
  @state() private _error = '';
  @state() private _loaded: LoadedModel | null = null;
  @state() private _dragOver = false;

  @query('dialog') private _dialog!: HTMLDialogElement;
  @query('generate-panel') private _generator?: GeneratePanel;

  private _abort: AbortController | null = null;
  private _returnFocus: HTMLElement | null = null;

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('open')) return;
    if (this.open && !this._dialog.open) {
      this._returnFocus = deepActiveElement();
      this._dialog.showModal(); // modal: focus stays inside, the page behind is inert, Escape cancels
    } else if (!this.open && this._dialog.open) {
      this._dialog.close();
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._release();
  }

  /** Stops whatever runs and frees the model, leaving the dialog as new. */
  private _release(): void {
    this._abort?.abort();
    this._abort = null;
    this._generator?.stop();
    if (this._loaded) disposeModel(this._loaded);
    this._loaded = null;
  }

  /** The dialog closed (Escape, the × button, or `open` cleared by the host). */
  private _onClose(): void {
    this._release();
    Object.assign(this, { _progress: null, _error: '', state: 'idle' }); // opened again, it starts afresh
    this._returnFocus?.focus();
    this._returnFocus = null;
    if (this.open) this.dispatchEvent(new CustomEvent('model-dialog-close', { bubbles: true, composed: true }));
  }

  private async _load(make: (signal: AbortSignal) => CheckpointSource): Promise<void> {
    this._release(); // the model shown so far goes, whether or not the next one loads
    const abort = (this._abort = new AbortController());
    Object.assign(this, { state: 'loading', _error: '', _progress: { stage: 'Starting', loaded: 0, total: null, unit: 'count' } });
    try {
      const loaded = await loadCheckpoint(make(abort.signal), {
        signal: abort.signal,
        onProgress: (p) => (this._progress = p),
      });
      if (abort.signal.aborted) return disposeModel(loaded);
      this._loaded = loaded;
      this.state = 'ready';
      this.dispatchEvent(new CustomEvent<LoadedModel>('model-loaded', { detail: loaded, bubbles: true, composed: true }));
    } catch (e) {
      if (abort.signal.aborted) {
        if (this._abort === null || this._abort === abort) this.state = 'idle';
        return;
      }
      this._error = errorMessage(e);
      this.state = 'error';
    } finally {
      if (this._abort === abort) {
        this._abort = null;
        this._progress = null;
      }
    }
  }

  private _cancel(): void {
    this._abort?.abort();
    this._abort = null;
    this._progress = null;
    this.state = 'idle';
  }

  private _onUrl(e: SubmitEvent): void {
    e.preventDefault();
    const url = (this.renderRoot.querySelector('[data-model-url]') as HTMLInputElement).value;
    if (!url.trim()) {
      this._error = 'Give the URL of the folder that holds config.json (e.g. https://huggingface.co/gpt2/resolve/main/).';
      this.state = 'error';
      return;
    }
    void this._load((signal) => urlSource(url, signal));
  }

  private _onFiles(files: readonly File[]): void {
    if (files.length) void this._load((signal) => filesSource(files, signal));
  }

  private _onDrop(e: DragEvent): void {
    e.preventDefault();
    this._dragOver = false;
    this._onFiles([...(e.dataTransfer?.files ?? [])]);
  }

  private _progressBar() {
    const p = this._progress;
    if (!p) return nothing;
    const bytes = p.unit === 'bytes';
    const amount = p.total ? (bytes ? `${formatBytes(p.loaded)} of ${formatBytes(p.total)}` : `${p.loaded} of ${p.total}`) : bytes && p.loaded ? formatBytes(p.loaded) : '';
    // With no total the bar has no value attribute, which makes it indeterminate (moving) rather than empty.
    return html`<div class="progress" data-load-progress>
        <progress aria-label="Loading progress" max=${p.total ?? 1} value=${ifDefined(p.total ? p.loaded : undefined)}></progress>
        <button data-cancel @click=${this._cancel}>Cancel</button>
      </div>
      <div class="stage" data-load-stage aria-live="polite">${p.stage}${amount ? ` — ${amount}` : ''}</div>`;
  }

  private _panel() {
    const m = this._loaded;
    if (!m) return nothing;
    return html`<p class="summary" data-model-summary>${describeModel(m)}</p>
      ${m.kind === 'gpt2' ? html`<generate-panel .loaded=${m}></generate-panel>` : html`<fill-mask-panel .loaded=${m}></fill-mask-panel>`}`;
  }

  override render() {
    const busy = this.state === 'loading';
    return html`<dialog aria-labelledby="title" @close=${this._onClose} @keydown=${(e: KeyboardEvent) => e.stopPropagation() /* the editor's shortcuts stay out */}>
      <header>
        <h2 id="title">Load a model</h2>
        <button class="close" aria-label="Close" title="Close (Esc)" @click=${() => this._dialog.close()}>×</button>
      </header>
      <p class="hint">A Hugging Face checkpoint of a GPT-2-style or BERT-style model: <code>config.json</code>, <code>model.safetensors</code> (or
        <code>model.safetensors.index.json</code> and its shards) and, for BERT, <code>vocab.txt</code>. GPT-2 models use GPT-2's own tokenizer.</p>
      <form @submit=${this._onUrl}>
        <label for="url">Base URL</label>
        <input id="url" type="url" data-model-url autofocus placeholder="https://huggingface.co/gpt2/resolve/main/" .value=${this.url} ?disabled=${busy} />
        <button type="submit" ?disabled=${busy}>Fetch</button>
      </form>
      <div class="drop ${this._dragOver ? 'over' : ''}" @dragover=${(e: DragEvent) => { e.preventDefault(); this._dragOver = true; }}
        @dragleave=${() => (this._dragOver = false)} @drop=${this._onDrop}>
        <label for="files">Or choose the files (or drop them here):</label>
        <input id="files" type="file" multiple data-model-files ?disabled=${busy} accept=".json,.safetensors,.txt"
          @change=${(e: Event) => { const input = e.target as HTMLInputElement; const files = [...(input.files ?? [])]; input.value = ''; this._onFiles(files); }} />
      </div>
      ${this._progressBar()}
      ${this._error ? html`<p class="error" role="alert" data-load-error>${this._error}</p>` : nothing}
      ${this._panel()}
    </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'load-model-dialog': LoadModelDialog;
  }
  interface HTMLElementEventMap {
    'model-dialog-close': CustomEvent<undefined>;
    'model-loaded': CustomEvent<LoadedModel>;
  }
}
