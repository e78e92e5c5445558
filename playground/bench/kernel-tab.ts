// The Bench page's "Your kernel" tab: a WGSL editor with the family's starter kernel (docs/kernel-contract.md),
// Run (compile, check against the CPU oracle, and only if right, time beside ours and the peers: kernel-run.ts),
// the check's report, the timings in the Bench tab's chart and a table, saving to IndexedDB (kernel-store.ts) and
// share links (kernel-share.ts). A shared link only loads the code; nothing runs until Run is pressed, and the
// hash leaves the address bar at once, so a reload shows the user's own saved kernel again. The link's code is
// saved over theirs only once they edit or run it. The run's state and the problem found are reflected on the host
// (state, problem) for tests.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { EditorView } from '@codemirror/view';
import { STARTER_KERNELS, KERNEL_FAMILIES, type KernelFamily } from '../../engine/index';
import type { AttentionMeasurement, Impl } from '../../bench/attention-core';
import { createWgslEditor, markErrors, setDoc } from './kernel-editor';
import { KernelRunController, PAGE_MATMUL_SIZES, type KernelRunState } from './kernel-run';
import { MATMUL_PEERS } from './matmul-peers';
import { loadKernels, saveKernels, type LastRun, type MatmulRow, type SavedKernels } from './kernel-store';
import { hasKernelHash, kernelHash, readKernelHash } from './kernel-share';
import { configKey } from './sweep';
import { errorMessage } from './peers';
import './bench-chart';

/** What a user kernel may be timed beside in the attention sweep (each peer in its worker, as on the Bench tab). */
const BESIDE: Impl[] = ['fused', 'unfused', 'tfjs', 'jax-js', 'onnxruntime'];
/** Matmul is always timed beside our matmul; these peers are ticked or not in the same set as attention's. */
const MATMUL_BESIDE: Impl[] = [...MATMUL_PEERS];

@customElement('kernel-tab')
export class KernelTab extends LitElement {
  static override styles = css`
    :host { display: block; padding: 1rem 1.5rem; max-width: 1100px; }
    h1 { font-size: 1.3rem; margin: 0 0 0.25rem; }
    .intro { color: #445; margin: 0 0 0.75rem; font-size: 0.92em; }
    .editor { border: 1px solid #d5dbe1; border-radius: 6px; max-height: 460px; overflow: auto; font-size: 13px; }
    fieldset { border: 1px solid #d5dbe1; border-radius: 6px; margin: 0.5rem 0.75rem 0.5rem 0; display: inline-block; vertical-align: top; }
    legend { font-size: 0.85em; color: #556; }
    label { margin-right: 0.6rem; white-space: nowrap; }
    .actions { margin: 0.5rem 0 0.75rem; display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; }
    button { font: inherit; padding: 0.3rem 0.8rem; }
    .progress { color: #445; font-size: 0.9em; }
    .notice { padding: 0.5rem 0.8rem; border-radius: 6px; background: #e3f2fd; border-left: 4px solid #1565c0; font-size: 0.92em; }
    .notice.bad { background: #ffebee; border-left-color: #c62828; }
    .verdict { padding: 0.5rem 0.8rem; border-radius: 6px; font-family: ui-monospace, monospace; font-size: 0.88em; white-space: pre-wrap; }
    .verdict.ok { background: #e8f5e9; border-left: 4px solid #2e7d32; }
    .verdict.bad { background: #ffebee; border-left: 4px solid #c62828; }
    table { border-collapse: collapse; font-size: 0.85em; margin: 0.75rem 0; }
    th, td { padding: 0.2rem 0.6rem; border-bottom: 1px solid #e3e7eb; text-align: right; }
    th:first-child, td:first-child, th:nth-child(2), td:nth-child(2) { text-align: left; }
    .share { font-size: 0.85em; word-break: break-all; }
  `;

  @property({ reflect: true }) state: KernelRunState = 'idle';
  /** The report's problem ('compile', 'wrong', …) after a failed check, '' otherwise. */
  @property({ reflect: true }) problem = '';
  @state() private _family: KernelFamily = 'attention';
  @state() private _beside = new Set<Impl>(BESIDE);
  @state() private _notice: { text: string; bad: boolean } | null = null;
  @state() private _shareUrl = '';
  /** The last run loaded from storage, shown until a new run replaces it. */
  @state() private _saved: LastRun | null = null;
  @query('.editor') private _editorHost!: HTMLDivElement;

  private _runner = new KernelRunController(this);
  private _view: EditorView | null = null;
  private _sources: Record<KernelFamily, string> = { ...STARTER_KERNELS };
  /** The family whose editor shows a shared link's code that is not yet the user's (not saved); null otherwise. */
  private _linkShown: KernelFamily | null = null;
  /** True while the link's code is put in the editor, so that change is not taken for the user's edit. */
  private _puttingLink = false;

  /** The editor's text; setting it is one undoable edit (tests and the share link use it). */
  get source(): string {
    return this._view ? this._view.state.doc.toString() : this._sources[this._family];
  }
  set source(text: string) {
    this._sources[this._family] = text;
    if (this._view) setDoc(this._view, text);
  }

  get family(): KernelFamily {
    return this._family;
  }

  protected override async firstUpdated(): Promise<void> {
    this._view = createWgslEditor({
      parent: this._editorHost,
      doc: this._sources[this._family],
      label: 'Your WGSL kernel',
      onChange: (doc) => {
        this._shareUrl = '';
        if (this._puttingLink) return;
        this._adopt();
        this._sources[this._family] = doc;
        void this._save();
      },
    });
    // Saved work first, then a shared link on top of it (the link fills the editor; storage keeps the saved work).
    try {
      const saved = await loadKernels();
      if (saved) {
        this._sources = { ...saved.sources };
        this._saved = saved.last;
        this._lastSaved = saved.last;
        this._switchTo(saved.family);
      }
    } catch (e) {
      this._notice = { text: `Your saved kernels could not be read (${errorMessage(e)}); starting from the starters.`, bad: true };
    }
    await this._loadLink();
    window.addEventListener('hashchange', () => void this._loadLink());
    this.dispatchEvent(new CustomEvent('kernel-ready', { bubbles: true, composed: true }));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._view?.destroy();
    this._view = null;
  }

  private async _loadLink(): Promise<void> {
    if (!hasKernelHash(location.hash)) return;
    try {
      const k = await readKernelHash(location.hash);
      if (!k) return;
      // The link's code is shown, not saved: a reload (the hash is gone) brings back the user's own kernel, and
      // only an edit or a Run makes the link's code theirs (_adopt). The stored run report is of their code, so
      // it is not shown beside the link's.
      this._saved = null;
      this._puttingLink = true; // nothing is saved, not even the family switched to
      try {
        this._switchTo(k.family);
        setDoc(this._view!, k.source);
      } finally {
        this._puttingLink = false;
      }
      this._linkShown = k.family;
      history.replaceState(null, '', location.pathname + location.search);
      this._notice = { text: `Loaded a shared ${k.family} kernel into the editor. It has not been compiled or run: read it, then press Run.`, bad: false };
    } catch (e) {
      this._notice = { text: `This link's kernel could not be opened: ${errorMessage(e)}. The editor keeps what it had.`, bad: true };
    }
  }

  /** The user edits or runs a shared link's code: it becomes their kernel, and the stored run (of the code it
   *  replaces) is dropped so it never shows beside code it did not come from. */
  private _adopt(): void {
    if (this._linkShown === null) return;
    this._lastSaved = null;
    this._linkShown = null;
  }

  private _switchTo(family: KernelFamily): void {
    this._linkShown = null; // the editor now shows this family's saved code
    this._family = family;
    if (this._view) setDoc(this._view, this._sources[family]);
  }

  protected override willUpdate(): void {
    this.state = this._runner.state;
    this.problem = this._runner.report?.problem ?? '';
  }

  override render() {
    const r = this._runner;
    const busy = r.state === 'checking' || r.state === 'timing';
    const report = r.report ?? this._saved?.report ?? null;
    const attention: AttentionMeasurement[] = r.report ? r.sweep.results : (this._saved?.attention ?? []);
    const matmul: MatmulRow[] = r.report ? r.matmul : (this._saved?.matmul ?? []);
    return html`
      <h1>Your kernel</h1>
      <p class="intro">
        Write a WGSL attention-forward or matmul kernel that follows the kernel contract (<code>docs/kernel-contract.md</code>
        in the repository: bindings by name, a <code>params</code> uniform, a
        <code>// grid:</code> header). Run compiles it, checks it against the CPU oracle at odd sizes, and only if it is right times it
        beside ours and the peers on this adapter. It runs on a device of its own: a
        dispatch that takes over 5 s is abandoned, and the next Run opens a fresh device.
      </p>
      ${this._notice ? html`<p class="notice ${this._notice.bad ? 'bad' : ''}" id="notice">${this._notice.text}</p>` : nothing}
      <fieldset>
        <legend>Family</legend>
        <select id="family" ?disabled=${busy} @change=${this._onFamily}>
          ${KERNEL_FAMILIES.map((f) => html`<option value=${f} ?selected=${f === this._family}>${f}</option>`)}
        </select>
        <button id="starter" ?disabled=${busy} @click=${this._onStarter} title="Replace the editor's text with this family's starter kernel (undo brings yours back)">Starter</button>
      </fieldset>
      <fieldset>
        <legend>${this._family === 'attention' ? 'Time beside (smallest sweep, forward)' : `Time beside ours (${PAGE_MATMUL_SIZES.map((n) => `${n}³`).join(', ')})`}</legend>
        ${(this._family === 'attention' ? BESIDE : MATMUL_BESIDE).map((i) => html`<label><input type="checkbox" data-impl=${i} ?disabled=${busy} .checked=${this._beside.has(i)} @change=${this._onBeside} />${i}</label>`)}
      </fieldset>
      <div class="editor"></div>
      <div class="actions">
        <button id="run" ?disabled=${busy} @click=${this._onRun}>Run</button>
        <button id="share" ?disabled=${busy} @click=${this._onShare}>Share link</button>
        <span class="progress" id="progress">${r.progress}</span>
      </div>
      ${this._shareUrl ? html`<p class="share">Link: <a id="share-url" href=${this._shareUrl}>${this._shareUrl}</a></p>` : nothing}
      ${report ? this._report(report) : nothing}
      ${attention.length || r.sweep.skipped.length ? html`
        <bench-chart .results=${attention}></bench-chart>
        ${this._attentionTable(attention)}
        ${this._skipped(r.sweep.skipped)}
      ` : nothing}
      ${matmul.length ? this._matmulTable(matmul) : nothing}
      ${this._skipped(r.matmulSkipped)}
    `;
  }

  private _report(rep: NonNullable<KernelRunController['report']> | LastRun['report']) {
    return html`
      <div class="verdict ${rep.ok ? 'ok' : 'bad'}" id="verdict" data-problem=${rep.problem ?? ''}>${rep.ok ? '' : 'Failed: '}${rep.message}${
        rep.compileErrors.length > 1 ? rep.compileErrors.slice(1).map((e) => `\nWGSL error at ${e.line}:${e.col}: ${e.message}`).join('') : ''}</div>
      ${rep.cases.length ? html`
        <table id="check">
          <thead><tr><th>shape</th><th>result</th><th>grid</th><th>max abs err</th><th>max rel err</th></tr></thead>
          <tbody>${rep.cases.map((c) => html`<tr data-ok=${String(c.ok)}><td>${c.label}</td><td>${c.ok ? 'ok' : c.problem}</td><td>${c.grid.join('×')}</td>
            <td>${c.maxAbsErr.toExponential(2)}</td><td>${c.maxRelErr.toExponential(2)}</td></tr>`)}</tbody>
        </table>` : nothing}`;
  }

  private _attentionTable(results: AttentionMeasurement[]) {
    if (!results.length) return nothing;
    return html`
      <table id="results">
        <thead><tr><th>impl</th><th>config</th><th>ms (median)</th><th>min–max ms</th><th>GFLOPS</th><th>maxAbsErr</th></tr></thead>
        <tbody>${results.map((m) => html`<tr data-impl=${m.impl} data-t=${m.T}><td>${m.impl}</td><td>${configKey(m)}</td><td>${m.ms.toFixed(1)}</td>
          <td>${m.minMs.toFixed(1)}–${m.maxMs.toFixed(1)}</td><td>${m.gflops.toFixed(3)}</td><td>${m.maxAbsErr.toExponential(2)}</td></tr>`)}</tbody>
      </table>`;
  }

  /** What did not run (a peer that failed to start, or at one configuration), with the reason. */
  private _skipped(items: ReadonlyArray<{ impl: string; config: string | null; reason: string }>) {
    if (!items.length) return nothing;
    return html`<ul id="skipped">${items.map((k) => html`<li data-impl=${k.impl}><strong>${k.impl}</strong>${k.config ? ` at ${k.config}` : ''}: <code>${k.reason}</code></li>`)}</ul>`;
  }

  private _matmulTable(rows: MatmulRow[]) {
    return html`
      <table id="matmul-results">
        <thead><tr><th>impl</th><th>M×N×K</th><th>ms (median)</th><th>min–max ms</th><th>GFLOPS</th><th>maxAbsErr</th></tr></thead>
        <tbody>${rows.map((m) => html`<tr data-impl=${m.impl}><td>${m.impl}</td><td>${m.M}×${m.N}×${m.K}</td><td>${m.ms.toFixed(1)}</td>
          <td>${m.minMs.toFixed(1)}–${m.maxMs.toFixed(1)}</td><td>${m.gflops.toFixed(3)}</td><td>${m.maxAbsErr.toExponential(2)}</td></tr>`)}</tbody>
      </table>`;
  }

  private _onFamily(e: Event): void {
    this._switchTo((e.target as HTMLSelectElement).value as KernelFamily);
    void this._save();
  }

  private _onStarter(): void {
    this.source = STARTER_KERNELS[this._family];
  }

  private _onBeside(e: Event): void {
    const box = e.target as HTMLInputElement;
    const next = new Set(this._beside);
    if (box.checked) next.add(box.dataset.impl as Impl);
    else next.delete(box.dataset.impl as Impl);
    this._beside = next;
  }

  private async _onRun(): Promise<void> {
    this._notice = null;
    this._saved = null;
    const family = this._family;
    if (this._linkShown === family) {
      this._adopt(); // the run's report is saved beside this code, so the code is saved too
      this._sources[family] = this.source;
    }
    await this._runner.run(family, this.source, BESIDE.filter((i) => this._beside.has(i)));
    const rep = this._runner.report;
    if (this._view) markErrors(this._view, rep?.compileErrors.map((m) => ({ line: m.line, message: m.message })) ?? []);
    if (rep) {
      const { source: _source, ...withoutSource } = rep;
      void this._save({ family, report: withoutSource, attention: this._runner.sweep.results, matmul: this._runner.matmul, date: new Date().toISOString() });
    }
    this.dispatchEvent(new CustomEvent('kernel-done', { detail: rep, bubbles: true, composed: true }));
  }

  private async _onShare(): Promise<void> {
    try {
      const hash = await kernelHash({ family: this._family, source: this.source });
      // Shown and copied, never put in this page's address bar: a reload would open the link over the saved kernel.
      this._shareUrl = `${location.origin}${location.pathname}${location.search}${hash}`;
      navigator.clipboard?.writeText(this._shareUrl).catch(() => {}); // the link is on the page if copying is refused
    } catch (e) {
      this._notice = { text: `No share link: ${errorMessage(e)}`, bad: true };
    }
  }

  private _lastSaved: LastRun | null = null;

  private async _save(last?: LastRun): Promise<void> {
    if (last) this._lastSaved = last;
    const k: SavedKernels = { family: this._family, sources: { ...this._sources }, last: this._lastSaved };
    try {
      await saveKernels(k);
    } catch (e) {
      this._notice = { text: `Your kernel could not be saved in this browser (${errorMessage(e)}); it is still in the editor.`, bad: true };
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kernel-tab': KernelTab;
  }
}
