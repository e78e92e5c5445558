// The playground's root element. It owns the graph store (graph/graph.ts), the UI state (ui-state.ts), the
// autosave and the training controller, and lays out the palette, canvas, inspector and training controls.
// Children get the store and state as properties and report back with events; keyboard shortcuts are handled
// here, once, for the whole page.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import { Graph, graphSwap, type GraphEvent } from './graph/graph';
import { Batch, MoveNode } from './graph/commands';
import type { Validation } from './graph/validate';
import type { GraphState } from './graph/types';
import { parseGraph, serializeGraph, type LoadedGraph, type TrainSettings } from './graph/schema';
import {
  Autosave, defaultDrafts, defaultStorage, draftPrefix, keepAside, readAutosave, readHistory, recoverDrafts, type HistoryEntry, type StoredGraph,
} from './graph/autosave';
import { decodeGraphHash, encodeGraphHash, isGraphHash } from './graph/share';
import { loadExample } from './graph/examples/index';
import { pythonClassName } from './graph/export-pytorch';
import { exportPyTorchProject, zipProject } from './graph/export-project';
import { trainBlocker } from './graph/train';
import { saveModuleSafetensors } from '../engine/index';
import { TrainerController } from './controllers/trainer';
import { ViewsController } from './controllers/views';
import { SamplesController } from './controllers/samples';
import type { PassMark } from './components/node';
import { DEFAULT_TRAIN, INITIAL_UI, type UiState } from './ui-state';
import { ObservedStorage } from './storage';
import { download, errorMessage, isTypingTarget } from './dom';
import type { GraphCanvas, SelectionChange } from './components/canvas';
import type { NodePalette, PaletteDrop } from './components/palette';
import type { ToolbarAction } from './components/toolbar';
import type { DeviceLost, DeviceReady } from './device-status';
import { installTestHooks } from './test-hooks';
import './components/canvas';
import './components/palette';
import './components/inspector';
import './components/train-controls';
import './components/gallery';
import './components/toolbar';
import './components/views-panel';
import './components/load-model-dialog';
import './components/welcome-panel';

/** The example a first visit opens, so nobody starts on an empty canvas. */
const FIRST_EXAMPLE = 'xor-mlp';

@customElement('playground-app')
export class PlaygroundApp extends LitElement {
  static override styles = css`
    :host {
      display: grid;
      grid-template-rows: auto auto minmax(0, 1fr) minmax(0, 330px);
      grid-template-columns: 210px 1fr 350px;
      grid-template-areas: 'bar bar bar' 'status status status' 'palette canvas side' 'palette views side';
      height: 100vh;
      font: 13px/1.4 system-ui, sans-serif;
      color: #1f2933;
    }
    editor-toolbar { grid-area: bar; }
    .status { grid-area: status; }
    node-palette { grid-area: palette; border-right: 1px solid #d9e2ec; background: #fbfcfd; }
    graph-canvas { grid-area: canvas; min-width: 0; }
    views-panel { grid-area: views; min-width: 0; border-top: 1px solid #d9e2ec; }
    .side { grid-area: side; display: flex; flex-direction: column; min-height: 0; border-left: 1px solid #d9e2ec; background: #fff; }
    node-inspector { flex: 1 1 45%; min-height: 0; border-bottom: 1px solid #d9e2ec; }
    train-controls { flex: 1 1 55%; }
    .conflict { display: flex; align-items: center; gap: 8px; padding: 8px 12px; background: #fff3c4; border-bottom: 1px solid #f0b429; }
    .conflict p { margin: 0; flex: 1; }
    .toast {
      position: fixed;
      left: 50%;
      bottom: 18px;
      transform: translateX(-50%);
      max-width: 70vw;
      padding: 8px 14px;
      border-radius: 8px;
      background: #1f2933;
      color: #fff;
      z-index: 30;
    }
  `;

  readonly graph = new Graph();
  @state() private _state: GraphState = this.graph.state;
  @state() private _validation: Validation = this.graph.validation;
  @state() private _ui: UiState = INITIAL_UI;
  @state() private _deviceReady = false;
  @state() private _autosave: 'saved' | 'saving' | 'off' = 'off';
  @state() private _toast = '';
  /** Earlier graphs for the toolbar's History menu. */
  @state() private _history: readonly HistoryEntry[] = [];
  /** Another tab's save that this tab's user has not yet chosen between (the banner). */
  @state() private _conflict: StoredGraph | null = null;
  /** The Load a model dialog (components/load-model-dialog.ts); its model never touches the graph. */
  @state() private _modelDialogOpen = false;

  @query('graph-canvas') private _canvas!: GraphCanvas;
  @query('node-palette') private _palette!: NodePalette;

  private readonly _trainer = new TrainerController(this, () => ({
    state: this._state,
    validation: this._validation,
    settings: this._ui.train,
    deviceReady: this._deviceReady,
  }));
  private readonly _views = new ViewsController(this, this._trainer);
  private readonly _samples = new SamplesController(this, this._trainer);
  private _autosaver: Autosave | null = null;
  private readonly _storage = new ObservedStorage(defaultStorage(), (phase) => (this._autosave = phase));
  private _toastTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly _unsubscribe = this.graph.subscribe((e) => this._onGraph(e));

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('keydown', this._onKey);
    window.addEventListener('pagehide', this._onLeave);
    window.addEventListener('storage', this._onStorage);
    document.addEventListener('visibilitychange', this._onVisibility);
    this.addEventListener('device-ready', this._onDeviceReady);
    this.addEventListener('device-lost', this._onDeviceLost);
    installTestHooks(this._trainer);
    // In case the engine opened before this element was upgraded (the event then went unheard).
    const status = this.querySelector('device-status');
    if (status && status.status !== 'loading') {
      this._onDeviceReady(new CustomEvent<DeviceReady>('device-ready', { detail: { status: status.status, adapter: status.adapter, reason: '' } }));
    }
    void this._start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('keydown', this._onKey);
    window.removeEventListener('pagehide', this._onLeave);
    window.removeEventListener('storage', this._onStorage);
    document.removeEventListener('visibilitychange', this._onVisibility);
    this.removeEventListener('device-ready', this._onDeviceReady);
    this.removeEventListener('device-lost', this._onDeviceLost);
    this._unsubscribe();
    void this._autosaver?.stop();
  }

  /**
   * Opens, in order of preference: a graph in the link, the autosaved graph, or the first example. A graph from a
   * link or an example is saved at once, and what was autosaved before goes into the history.
   */
  private async _start(): Promise<void> {
    let opened = false;
    /** The autosave's revision, when the graph opened is the autosaved one. */
    let rev: number | undefined;
    if (isGraphHash(location.hash)) {
      const r = await decodeGraphHash(location.hash);
      history.replaceState(null, '', location.pathname + location.search); // later reloads restore the autosave
      if (r.ok) {
        this._open(r.graph);
        opened = true;
      } else this._notify(r.error);
    }
    if (!opened) {
      try {
        await recoverDrafts(this._storage, defaultDrafts()); // a tab closed within the debounce left its last edit there
        const saved = await readAutosave(this._storage);
        if (saved?.result.ok) {
          this._open(saved.result.graph);
          opened = true;
          rev = saved.rev;
        } else if (saved && !saved.result.ok) {
          // Kept aside before anything is saved over it: it may be a newer version's work, or repairable by hand.
          const aside = await keepAside(this._storage);
          this._notify(`The autosaved graph could not be restored: ${saved.result.error} It was kept, unchanged, in this browser's storage under "${aside}".`);
        }
      } catch (e) {
        this._notify(`Autosave is unavailable: ${errorMessage(e)}`);
      }
    }
    if (!opened) this._open(loadExample(FIRST_EXAMPLE));
    this._autosaver = new Autosave(this.graph, this._storage, {
      rev,
      meta: () => ({ name: this._ui.name, train: this._ui.train }),
      onError: (e) => this._notify(`Autosave failed: ${errorMessage(e)}`),
      onConflict: (theirs) => {
        this._conflict = theirs;
        this._autosave = 'off';
      },
    });
    if (rev === undefined) void this._autosaver.flush();
    else this._autosave = 'saved';
  }

  /** Swaps in another graph as one undoable step; the one replaced also goes into the autosave's history. */
  private _replace(label: string, g: LoadedGraph): void {
    this.graph.replace(label, g.state, {
      before: { name: this._ui.name, train: this._ui.train },
      after: { name: g.name, train: { ...DEFAULT_TRAIN, ...g.train } },
    });
  }

  private _open(g: LoadedGraph): void {
    this._trainer.startOver();
    this._ui = { ...this._ui, name: g.name, train: { ...DEFAULT_TRAIN, ...g.train }, selection: [], selectedEdge: null };
    this.graph.load(g.state);
    void this.updateComplete.then(() => this._canvas.fitView());
  }

  private _onGraph(e: GraphEvent): void {
    if (this._autosaver && !this._conflict) this._autosave = 'saving'; // until the debounced write lands
    // A share link in the address bar describes the graph as it was shared; after an edit, a reload must show the
    // edited graph (from the autosave), not the link's.
    if (isGraphHash(location.hash)) history.replaceState(null, '', location.pathname + location.search);
    const swap = graphSwap(e);
    if (swap) {
      // A whole graph came in (or went back on undo): its name and settings come with it, and the view fits it.
      this._trainer.pause();
      this._trainer.startOver(); // another graph: its training starts from scratch, not from this one's weights
      this._ui = { ...this._ui, name: swap.incoming.name, train: swap.incoming.train ?? DEFAULT_TRAIN, selection: [], selectedEdge: null };
      void this.updateComplete.then(() => (e.state.nodes.length ? this._canvas.fitView() : this._canvas.resetView()));
    }
    this._state = e.state;
    this._validation = e.validation;
    const ids = new Set(e.state.nodes.map((n) => n.id));
    const selection = this._ui.selection.filter((id) => ids.has(id));
    const edge = this._ui.selectedEdge && e.state.edges.some((x) => `${x.to.node}.${x.to.port}` === this._ui.selectedEdge) ? this._ui.selectedEdge : null;
    if (selection.length !== this._ui.selection.length || edge !== this._ui.selectedEdge) this._ui = { ...this._ui, selection, selectedEdge: edge };
    this._trainer.sync();
  }

  private readonly _onDeviceReady = (e: Event): void => {
    const detail = (e as CustomEvent<DeviceReady>).detail;
    this._deviceReady = detail.status !== 'error';
    if (detail.status === 'error') this._notify('The engine could not start, so the graph can be edited but not trained.');
    // After a lost device, a new one: the trainer prepares the graph again from the weights it kept.
    if (this._deviceReady) void this.updateComplete.then(() => this._trainer.recover());
    void this.updateComplete.then(() => this._trainer.sync());
    // The structure hasn't changed, so sync() alone won't start preparing: ask explicitly.
    void this.updateComplete.then(() => this._trainer.prepare());
  };

  private readonly _onDeviceLost = (e: Event): void => {
    this._deviceReady = false;
    this._trainer.deviceLost((e as CustomEvent<DeviceLost>).detail.reason);
  };

  private _notify(message: string): void {
    this._toast = message;
    if (this._toastTimer) clearTimeout(this._toastTimer);
    this._toastTimer = setTimeout(() => (this._toast = ''), 5000);
  }

  // ---- child events ----

  private _onSelection(e: CustomEvent<SelectionChange>): void {
    this._ui = { ...this._ui, selection: e.detail.nodes, selectedEdge: e.detail.edge };
  }

  private _onPaletteDrop(e: CustomEvent<PaletteDrop>): void {
    const { type, clientX, clientY } = e.detail;
    const at = this._canvas.dropPosition(type, clientX, clientY);
    if (!at) return; // dropped outside the canvas
    const id = this.graph.addNode(type, at);
    this._ui = { ...this._ui, selection: [id], selectedEdge: null };
  }

  private _onSettings(e: CustomEvent<Partial<TrainSettings>>): void {
    this._ui = { ...this._ui, train: { ...this._ui.train, ...e.detail } };
    this._trainer.sync();
    void this._autosaver?.flush();
  }

  private _onExample(e: CustomEvent<string>): void {
    this._ui = { ...this._ui, galleryOpen: false };
    const example = loadExample(e.detail);
    this._replace(`Open example ${example.name || e.detail}`, example);
  }

  private _onRestore(e: CustomEvent<HistoryEntry>): void {
    const r = parseGraph(e.detail.text);
    if (!r.ok) return this._notify(`That earlier graph cannot be restored: ${r.error}`);
    this._replace(`Restore ${r.graph.name || 'Untitled'}`, r.graph);
  }

  /** The banner's choice when another tab saved a different graph; either way the other version goes into the history. */
  private async _resolveConflict(choice: 'mine' | 'theirs'): Promise<void> {
    const saver = this._autosaver;
    if (!saver) return;
    try {
      if (choice === 'mine') await saver.keepMine();
      else this._replace("Load the other tab's version", saver.takeTheirs());
      this._conflict = saver.conflict;
      if (!this._conflict) this._autosave = 'saved';
    } catch (err) {
      this._notify(errorMessage(err));
    }
  }

  /** The page may be closing: write the last edit now rather than after the debounce, which may never come. */
  private readonly _onLeave = (): void => void this._autosaver?.flush({ leaving: true });

  /** Another tab closed and left a draft: fold it in (and ask, if it differs from this tab's graph). */
  private readonly _onStorage = (e: StorageEvent): void => {
    if (e.key?.startsWith(draftPrefix()) && e.newValue !== null) void this._autosaver?.check();
  };

  private readonly _onVisibility = (): void => {
    if (document.visibilityState === 'hidden') this._onLeave();
    else void this._autosaver?.check(); // another tab may have saved while this one slept
  };

  private async _onFiles(e: CustomEvent<File[]>): Promise<void> {
    const files = e.detail;
    const json = files.find((f) => f.name.endsWith('.json'));
    const weights = files.find((f) => f.name.endsWith('.safetensors'));
    try {
      if (json) {
        const r = parseGraph(await json.text());
        if (!r.ok) return this._notify(`${json.name}: ${r.error}`);
        this._replace(`Open ${json.name}`, r.graph);
        await this.updateComplete;
      }
      if (weights) {
        await this._trainer.loadWeights(new Uint8Array(await weights.arrayBuffer()));
        this._notify(`Loaded the weights from ${weights.name}.`);
      }
    } catch (err) {
      this._notify(errorMessage(err));
    }
  }

  private async _onToolbar(e: CustomEvent<ToolbarAction>): Promise<void> {
    const base = pythonClassName(this._ui.name || 'graph').replace(/^[A-Z]/, (c) => c.toLowerCase()) || 'graph';
    try {
      switch (e.detail) {
        case 'new':
          this._replace('New graph', { state: { nodes: [], edges: [] }, name: '', train: this._ui.train });
          break;
        case 'history':
          this._history = await readHistory(this._storage);
          break;
        case 'gallery':
          this._ui = { ...this._ui, galleryOpen: true };
          break;
        case 'load-model':
          this._modelDialogOpen = true;
          break;
        case 'undo':
          this.graph.undo();
          break;
        case 'redo':
          this.graph.redo();
          break;
        case 'save': {
          download(`${base}.json`, serializeGraph(this._state, { name: this._ui.name, train: this._ui.train }), 'application/json');
          const module = this._trainer.module;
          if (module) download(`${base}.safetensors`, await saveModuleSafetensors(module, { graph: this._ui.name }), 'application/octet-stream');
          break;
        }
        case 'share': {
          const hash = await encodeGraphHash(this._state, { name: this._ui.name, train: this._ui.train });
          history.replaceState(null, '', hash);
          const copied = await navigator.clipboard?.writeText(location.href).then(() => true, () => false);
          this._notify(copied ? 'The share link is copied, and in the address bar.' : 'The share link is in the address bar.');
          break;
        }
        case 'export': {
          // A training project (model, weights, data, train.py) from the compiled graph's current weights.
          const compiled = (await this._trainer.prepare()) ? this._trainer.graph : null;
          if (!compiled) throw new Error(`Export PyTorch: ${trainBlocker(this._state, this._validation)?.message ?? 'the graph is not ready yet; try again once it is prepared.'}`);
          const files = await this._trainer.exclusive(() => exportPyTorchProject(this._state, { name: this._ui.name, compiled, train: this._ui.train }));
          download(`${base}.zip`, zipProject(files, base), 'application/zip');
          break;
        }
      }
    } catch (err) {
      this._notify(errorMessage(err));
    }
  }

  // ---- keyboard ----

  private readonly _onKey = (e: KeyboardEvent): void => {
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.toLowerCase();
    if (key === 'escape') {
      this._ui = { ...this._ui, galleryOpen: false, selection: [], selectedEdge: null };
      return;
    }
    if (isTypingTarget(e)) return;
    if (mod && key === 'z') {
      e.preventDefault();
      if (e.shiftKey) this.graph.redo();
      else this.graph.undo();
    } else if (mod && key === 'y') {
      e.preventDefault();
      this.graph.redo();
    } else if (mod && key === 'a') {
      e.preventDefault();
      this._ui = { ...this._ui, selection: this._state.nodes.map((n) => n.id), selectedEdge: null };
    } else if (mod && key === 'enter') {
      e.preventDefault();
      this._trainer.toggle();
    } else if (mod && key === 's') {
      e.preventDefault();
      void this._onToolbar(new CustomEvent('toolbar-action', { detail: 'save' }));
    } else if (key === 'delete' || key === 'backspace') {
      e.preventDefault();
      this._deleteSelection();
    } else if (key.startsWith('arrow') && this._ui.selection.length) {
      e.preventDefault();
      const d = e.shiftKey ? 50 : 10;
      const [dx, dy] = { arrowleft: [-d, 0], arrowright: [d, 0], arrowup: [0, -d], arrowdown: [0, d] }[key] ?? [0, 0];
      const moves = this._state.nodes
        .filter((n) => this._ui.selection.includes(n.id))
        .map((n) => new MoveNode(n.id, { x: n.position.x + dx, y: n.position.y + dy }));
      this.graph.execute(moves.length === 1 ? moves[0] : new Batch(`Move ${moves.length} nodes`, moves));
    } else if (!mod && key === 'f') {
      void this._canvas.fitView();
    } else if (!mod && key === '/') {
      e.preventDefault();
      this._palette.focusSearch();
    } else if (!mod && key === 's') {
      void this._trainer.step();
    }
  };

  private _deleteSelection(): void {
    const { selection, selectedEdge } = this._ui;
    if (selection.length === 1) this.graph.removeNode(selection[0]);
    else if (selection.length > 1) this.graph.removeNodes(selection);
    else if (selectedEdge) {
      const [node, port] = selectedEdge.split('.');
      this.graph.disconnect({ node, port });
    }
  }

  /** The step-through on the canvas: steps up to the cursor are visited, and the current one lights up. */
  private _passMarks(): Map<string, PassMark> {
    const marks = new Map<string, PassMark>();
    const p = this._views.pass;
    if (!p) return marks;
    p.steps.slice(0, p.cursor).forEach((s) => marks.set(s.node, 'visited'));
    const now = p.steps[p.cursor];
    if (now) marks.set(now.node, now.phase);
    return marks;
  }

  private _healthFlags(): Map<string, string> {
    const first = this._views.first;
    const flags = new Map<string, string>();
    for (const f of this._views.flags) {
      if (flags.has(f.node)) continue;
      const what = f.what === 'output' ? `output ${f.port}` : `gradient of ${f.port}`;
      flags.set(f.node, `${f.node === first?.node ? 'NaN/Inf first appeared here' : 'NaN/Inf'}: ${what} holds ${f.nan} NaN and ${f.inf} Inf`);
    }
    return flags;
  }

  override render() {
    const ui = this._ui;
    return html`
      <editor-toolbar
        .name=${ui.name}
        .undoLabel=${this.graph.undoLabel}
        .redoLabel=${this.graph.redoLabel}
        .autosave=${this._autosave}
        .history=${this._history}
        @toolbar-action=${this._onToolbar}
        @files-open=${this._onFiles}
        @history-restore=${this._onRestore}
      ></editor-toolbar>
      <div class="status">
        ${this._conflict
          ? html`<div class="conflict" role="alert" data-conflict>
              <p>Another tab saved a different version of this graph${this._conflict.result.ok && this._conflict.result.graph.name ? ` ("${this._conflict.result.graph.name}")` : ''}.
                Which one should this tab keep? The other stays in History….</p>
              <button data-action="keep-mine" @click=${() => this._resolveConflict('mine')}>Keep this tab's version</button>
              <button data-action="load-theirs" ?disabled=${!this._conflict.result.ok} @click=${() => this._resolveConflict('theirs')}>Load the other tab's</button>
            </div>`
          : nothing}
        <slot name="status"></slot>
      </div>
      <node-palette @palette-drop=${this._onPaletteDrop}></node-palette>
      <graph-canvas
        tabindex="0"
        .graph=${this.graph}
        .state=${this._state}
        .validation=${this._validation}
        .selection=${ui.selection}
        .selectedEdge=${ui.selectedEdge}
        .passes=${this._passMarks()}
        .flags=${this._healthFlags()}
        @selection-change=${this._onSelection}
        @viewport-change=${(e: CustomEvent<UiState['viewport']>) => (this._ui = { ...this._ui, viewport: e.detail })}
        @notify=${(e: CustomEvent<string>) => this._notify(e.detail)}
      ></graph-canvas>
      <views-panel .views=${this._views} .state=${this._state} .selection=${ui.selection} .selectedEdge=${ui.selectedEdge}
        .training=${this._trainer.isTraining} .version=${this._views.version} .samples=${this._samples} .samplesVersion=${this._samples.version}></views-panel>
      <div class="side">
        <node-inspector .graph=${this.graph} .state=${this._state} .validation=${this._validation} .selection=${ui.selection}
          @notify=${(e: CustomEvent<string>) => this._notify(e.detail)}></node-inspector>
        <train-controls .trainer=${this._trainer} .settings=${ui.train} .version=${this._trainer.version} @settings-change=${this._onSettings}></train-controls>
      </div>
      <example-gallery ?open=${ui.galleryOpen} @example-open=${this._onExample} @gallery-close=${() => (this._ui = { ...this._ui, galleryOpen: false })}></example-gallery>
      <welcome-panel @welcome-examples=${() => (this._ui = { ...this._ui, galleryOpen: true })}></welcome-panel>
      <load-model-dialog ?open=${this._modelDialogOpen} @model-dialog-close=${() => (this._modelDialogOpen = false)}></load-model-dialog>
      ${this._toast ? html`<div class="toast" role="status" data-toast>${this._toast}</div>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'playground-app': PlaygroundApp;
  }
}
