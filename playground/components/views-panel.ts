// The Views panel under the canvas: step-through of one forward and backward pass, a tensor view of the selected
// output or wire, the heads of attention nodes and Transformer Blocks, and the per-layer weight and gradient norms.
// Above the tabs, a health line names where NaN or Inf first appeared. It draws what the ViewsController (which the
// app owns) has read back, and tells it what to watch: the selected wire or node output, and the attention nodes to
// show.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { nodeType } from '../graph/nodes/index';
import type { GraphState } from '../graph/types';
import type { OutputRef } from '../graph/compile';
import type { ViewsController, PassStep } from '../controllers/views';
import type { SamplesController } from '../controllers/samples';
import './tensor-view';
import './attention-view';
import './norms-chart';
import './samples-panel';

export type ViewsTab = 'pass' | 'tensor' | 'attention' | 'norms' | 'samples';

/** How long each step shows while the step-through plays. */
const PLAY_MS = 600;

@customElement('views-panel')
export class ViewsPanel extends LitElement {
  static override styles = css`
    :host { display: flex; flex-direction: column; min-height: 0; font: 12px/1.3 system-ui, sans-serif; background: #fff; }
    .health { padding: 4px 10px; background: #fee2e2; color: #7f1d1d; border-bottom: 1px solid #fca5a5; }
    nav { display: flex; gap: 2px; border-bottom: 1px solid #d9e2ec; padding: 0 8px; align-items: flex-end; }
    nav button { border: 0; border-bottom: 2px solid transparent; background: none; padding: 6px 10px; font: inherit; cursor: pointer; }
    nav button[aria-selected='true'] { border-bottom-color: #2563eb; font-weight: 600; }
    nav .note { margin-left: auto; color: #7b8794; padding: 6px; }
    .body { flex: 1; overflow: auto; padding: 8px 10px; }
    .row { display: flex; gap: 18px; flex-wrap: wrap; align-items: flex-start; }
    .bar { display: flex; gap: 6px; align-items: center; margin-bottom: 6px; flex-wrap: wrap; }
    .bar button { padding: 3px 8px; border: 1px solid #9aa5b1; border-radius: 5px; background: #fff; font: inherit; cursor: pointer; }
    .bar button:disabled { opacity: 0.5; cursor: default; }
    .forward { color: #15803d; font-weight: 600; }
    .backward { color: #c2410c; font-weight: 600; }
    .muted { color: #7b8794; }
    .error { color: #b91c1c; }
    ol.steps { display: flex; flex-wrap: wrap; gap: 3px; list-style: none; padding: 0; margin: 0 0 6px; }
    ol.steps li { padding: 1px 5px; border-radius: 4px; background: #f1f5f9; cursor: pointer; font-size: 11px; }
    ol.steps li.forward { background: #dcfce7; }
    ol.steps li.backward { background: #ffedd5; }
    ol.steps li.current { outline: 2px solid #1f2933; }
    attention-view + attention-view { margin-top: 10px; padding-top: 8px; border-top: 1px solid #e4e7eb; }
  `;

  @property({ attribute: false }) views!: ViewsController;
  @property({ attribute: false }) state!: GraphState;
  @property({ attribute: false }) selection: readonly string[] = [];
  @property({ attribute: false }) selectedEdge: string | null = null;
  @property({ type: Boolean }) training = false;
  /** Bumped by the app on every views update. */
  @property({ type: Number }) version = 0;
  /** What a text model writes as it trains (the Samples tab); the app owns it. */
  @property({ attribute: false }) samples: SamplesController | null = null;
  /** Bumped by the app on every samples update. */
  @property({ type: Number }) samplesVersion = 0;

  @state() private _tab: ViewsTab = 'pass';
  /** The output port chosen for a selected node with several outputs. */
  @state() private _port = '';
  private _timer: ReturnType<typeof setInterval> | null = null;
  @state() private _playing = false;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._stop();
  }

  /** Tells the controller what to watch: the selected wire's source, or an output of the one selected node. */
  override willUpdate(): void {
    if (!this.views || !this.state) return;
    // Both calls do nothing when nothing changed.
    this.views.setTarget(this._target());
    // Weights are computed only while the Attention tab shows them (the fused kernel never forms them otherwise).
    this.views.setAttention(this._tab === 'attention' ? this._attentionNodes() : null);
    // Samples are drawn only while their tab is open.
    this.samples?.setActive(this._tab === 'samples');
  }

  private _target(): OutputRef | null {
    if (this.selectedEdge) {
      const e = this.state.edges.find((x) => `${x.to.node}.${x.to.port}` === this.selectedEdge);
      return e ? { ...e.from } : null;
    }
    if (this.selection.length !== 1) return null;
    const node = this.state.nodes.find((n) => n.id === this.selection[0]);
    if (!node) return null;
    const outputs = nodeType(node.type).outputs;
    const port = outputs.find((p) => p.name === this._port) ?? outputs[0];
    return port ? { node: node.id, port: port.name } : null;
  }

  /** The selected nodes with attention (Multi-Head Attention, Transformer Block), else every such node in the graph. */
  private _attentionNodes(): string[] {
    const attention = this.state.nodes.filter((n) => n.type === 'attention' || n.type === 'transformer').map((n) => n.id);
    const selected = attention.filter((id) => this.selection.includes(id));
    return selected.length ? selected : attention;
  }

  // ---- step-through ----

  private _play(): void {
    const v = this.views;
    if (!v.pass) return;
    if (v.pass.cursor >= v.pass.steps.length - 1) v.seek(0);
    this._playing = true;
    this._timer = setInterval(() => {
      const p = this.views.pass;
      if (!p || p.cursor >= p.steps.length - 1) this._stop();
      else this.views.seek(p.cursor + 1);
    }, PLAY_MS);
  }

  private _stop(): void {
    if (this._timer) clearInterval(this._timer);
    this._timer = null;
    this._playing = false;
  }

  private _stepLabel(s: PassStep) {
    return s.phase === 'forward'
      ? html`<span class="forward">forward</span> · <b>${s.node}</b> computed ${s.outputs.map((o) => o.port).join(', ')}`
      : html`<span class="backward">backward</span> · the gradient of the loss reached <b>${s.node}</b>'s ${s.outputs.map((o) => o.port).join(', ')}`;
  }

  private _pass() {
    const v = this.views;
    const p = v.pass;
    const step = p ? p.steps[p.cursor] : null;
    return html`
      <div class="bar">
        <button data-action="record-pass" ?disabled=${v.recording || this.training} @click=${() => { this._stop(); void v.recordPass(); }}
          title="Run one forward and backward pass on a fresh batch (the weights don't change), recording what every node computes">
          ${v.recording ? 'Recording…' : p ? 'Record a new pass' : 'Record a pass'}
        </button>
        <button data-action="pass-prev" ?disabled=${!p || p.cursor <= 0} @click=${() => v.seek((p?.cursor ?? 0) - 1)}>◀ Back</button>
        <button data-action="pass-next" ?disabled=${!p || p.cursor >= p.steps.length - 1} @click=${() => v.seek((p?.cursor ?? 0) + 1)}>Next ▶</button>
        <button data-action="pass-play" ?disabled=${!p} @click=${() => (this._playing ? this._stop() : this._play())}>${this._playing ? 'Pause' : 'Play'}</button>
        ${p ? html`<button data-action="pass-close" @click=${() => { this._stop(); v.closePass(); }}>Close</button>` : nothing}
      </div>
      ${p && step
        ? html`
            <ol class="steps">
              ${p.steps.map((s, i) => html`<li class="${s.phase} ${i === p.cursor ? 'current' : ''}" @click=${() => v.seek(i)}>${i + 1}. ${s.node}</li>`)}
            </ol>
            <div data-pass-step data-pass-cursor=${p.cursor} data-pass-total=${p.steps.length} data-pass-phase=${step.phase} data-pass-node=${step.node}>
              Step ${p.cursor + 1} of ${p.steps.length}: ${this._stepLabel(step)}
            </div>
            <div class="row">
              ${step.outputs.map((o) => html`<tensor-view .label=${`${step.phase === 'forward' ? '' : 'd loss / d '}${step.node}.${o.port}`} .summary=${o.summary}></tensor-view>`)}
            </div>`
        : html`<p class="muted">Record a pass, then step through it: the nodes light up on the canvas in forward order, then in reverse as the
            gradient flows back, and each step shows the tensor it computed.</p>`}
    `;
  }

  // ---- tensor view ----

  private _tensor() {
    const v = this.views;
    const target = this._target();
    if (!target) return html`<p class="muted">Select a node or a wire on the canvas to see the tensor it carries.</p>`;
    const node = this.state.nodes.find((n) => n.id === target.node);
    const outputs = node ? nodeType(node.type).outputs : [];
    const spec = outputs.find((p) => p.name === target.port);
    const dims = spec ? spec.shape.replace(/[()]/g, '').split(',').map((x) => x.trim()) : null;
    const t = v.tensor && v.tensor.where.node === target.node && v.tensor.where.port === target.port ? v.tensor : null;
    return html`
      <div class="bar">
        <b>${target.node}</b>
        ${outputs.length > 1 && !this.selectedEdge
          ? html`<select data-view-port @change=${(e: Event) => (this._port = (e.target as HTMLSelectElement).value)}>
              ${outputs.map((p) => html`<option value=${p.name} .selected=${p.name === target.port}>${p.name}</option>`)}
            </select>`
          : html`<code>.${target.port}</code>`}
        ${t ? html`<span class="muted">at step ${t.step}; updates at most twice a second while training</span>` : nothing}
      </div>
      <div class="row" data-tensor-view=${`${target.node}.${target.port}`}>
        <tensor-view data-kind="activation" .label=${'activation'} .summary=${t?.activation ?? null} .dims=${dims}></tensor-view>
        <tensor-view data-kind="gradient" .label=${'gradient (d loss / d output)'} .summary=${t?.gradient ?? null} .dims=${dims}></tensor-view>
      </div>
    `;
  }

  private _health() {
    const v = this.views;
    const f = v.first;
    if (!f) return nothing;
    const others = [...new Set(v.flags.map((x) => x.node))].filter((n) => n !== f.node);
    return html`<div class="health" role="alert" data-health-first=${f.node}>
      ⚠ NaN/Inf first appeared at <b>${f.node}</b> (${f.what === 'output' ? `its output ${f.port}` : `the gradient of its ${f.port}`}: ${f.nan} NaN, ${f.inf} Inf)
      ${others.length ? html` · also flagged: ${others.join(', ')}` : nothing}
    </div>`;
  }

  override render() {
    if (!this.views || !this.state) return nothing;
    const v = this.views;
    const tabs: Array<[ViewsTab, string]> = [
      ['pass', 'Step-through'],
      ['tensor', 'Tensor'],
      ['attention', 'Attention'],
      ['norms', 'Weights & gradients'],
      ['samples', 'Samples'],
    ];
    const attention = this._attentionNodes();
    return html`
      ${this._health()}
      <nav role="tablist">
        ${tabs.map(([id, label]) => html`<button role="tab" data-tab=${id} aria-selected=${this._tab === id ? 'true' : 'false'} @click=${() => (this._tab = id)}>${label}</button>`)}
        ${v.error ? html`<span class="note error">${v.error}</span>` : nothing}
      </nav>
      <div class="body">
        ${this._tab === 'pass'
          ? this._pass()
          : this._tab === 'tensor'
            ? this._tensor()
            : this._tab === 'attention'
              ? attention.length
                ? v.attention
                  ? v.attention.maps.map((m) => html`<attention-view .data=${m} .step=${v.attention!.step}></attention-view>`)
                  : html`<attention-view .data=${null}></attention-view>`
                : html`<p class="muted">Add a Multi-Head Attention node or a Transformer Block to see its heads.</p>`
              : this._tab === 'samples'
                ? html`<samples-panel .samples=${this.samples} .version=${this.samplesVersion}></samples-panel>`
                : html`<norms-chart .norms=${v.norms} .version=${v.version}></norms-chart>`}
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'views-panel': ViewsPanel;
  }
}
