// The Bench tab: the attention benchmark (bench/attention-core.ts) run on the user's own GPU, for our fused kernel
// and our unfused path in this page and tfjs, jax-js and onnxruntime-web each in a worker (sweep.ts); a table, a plot of ms against T, the reasons
// for anything that did not run, and the JSON export. The state of a run is reflected on the host (state,
// adapter) for tests.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { AttentionMeasurement, Impl, Pass } from '../../bench/attention-core';
import { PAGE_IMPLS, PAGE_PASSES, SWEEPS, SweepController, configKey, type SweepName, type SweepState } from './sweep';
import { errorMessage } from './peers';
import './bench-chart';
import './tune-panel';

const ABOUT: Record<Impl, string> = {
  fused: 'our fused flash-style kernels (functional.scaledDotProductAttention)',
  unfused: "our composed path: the engine's matmul → softmax → matmul",
  tfjs: 'tfjs-backend-webgpu: matMul → softmax → matMul, tf.grads for the backward',
  'jax-js': 'jax-js nn.dotProductAttention under jit (fwd+bwd: jit of its vjp)',
  onnxruntime:
    "onnxruntime-web's WebGPU (JS) execution provider running one com.microsoft MultiHeadAttention node, causal mask as an " +
    'attention_bias; forward only: the kernel has no backward',
  yours: 'your WGSL kernel from the Your kernel tab, checked against the CPU oracle first; forward only',
};

@customElement('bench-tab')
export class BenchTab extends LitElement {
  static override styles = css`
    :host { display: block; padding: 1rem 1.5rem; max-width: 1100px; }
    h1 { font-size: 1.3rem; margin: 0 0 0.25rem; }
    .adapter { color: #445; margin: 0 0 1rem; }
    .banner { padding: 0.6rem 0.9rem; border-radius: 6px; background: #ffebee; border-left: 4px solid #c62828; }
    fieldset { border: 1px solid #d5dbe1; border-radius: 6px; margin: 0 0.75rem 0.75rem 0; display: inline-block; vertical-align: top; }
    legend { font-size: 0.85em; color: #556; }
    label { margin-right: 0.6rem; white-space: nowrap; }
    .actions { margin: 0.25rem 0 0.75rem; display: flex; gap: 0.5rem; align-items: center; }
    button { font: inherit; padding: 0.3rem 0.8rem; }
    .progress { color: #445; font-size: 0.9em; }
    table { border-collapse: collapse; font-size: 0.85em; margin: 0.75rem 0; }
    th, td { padding: 0.2rem 0.6rem; border-bottom: 1px solid #e3e7eb; text-align: right; }
    th:nth-child(-n + 3), td:nth-child(-n + 3) { text-align: left; }
    .skipped li { margin: 0.2rem 0; }
    .skipped code { font-size: 0.95em; }
    .about { font-size: 0.85em; color: #556; }
  `;

  @property({ reflect: true }) state: SweepState = 'idle';
  @property({ reflect: true }) adapter = '';
  @state() private _sweep: SweepName = 'smallest';
  @state() private _impls = new Set<Impl>(PAGE_IMPLS);
  @state() private _passes = new Set<Pass>(PAGE_PASSES);
  @state() private _openError = '';
  @state() private _tuning = false;

  private _sweeper = new SweepController(this);

  override firstUpdated(): void {
    this._sweeper.open().then(
      (adapter) => (this.adapter = adapter),
      (e: unknown) => (this._openError = errorMessage(e)),
    );
  }

  override render() {
    const s = this._sweeper;
    const running = s.state === 'running';
    return html`
      <h1>Bench: scaled-dot-product attention</h1>
      <p class="adapter">
        ${this.adapter ? html`On <strong>${this.adapter}</strong>: ours in this page, each peer in a worker of its own; float32;
          each call ends in a readback; errors are against the CPU backend's loops.` : this._openError ? nothing : 'Opening WebGPU…'}
      </p>
      ${this._openError ? html`<p class="banner">WebGPU is unavailable, so nothing can run: ${this._openError}</p>` : nothing}
      <fieldset>
        <legend>Sweep</legend>
        <select id="sweep" ?disabled=${running} @change=${this._onSweep}>
          ${(Object.keys(SWEEPS) as SweepName[]).map((n) => html`<option value=${n} ?selected=${n === this._sweep}>${SWEEPS[n].label}</option>`)}
        </select>
      </fieldset>
      <fieldset>
        <legend>Implementations</legend>
        ${PAGE_IMPLS.map((i) => html`<label title=${ABOUT[i]}><input type="checkbox" data-impl=${i} ?disabled=${running}
          .checked=${this._impls.has(i)} @change=${this._onImpl} />${i}</label>`)}
      </fieldset>
      <fieldset>
        <legend>Passes</legend>
        ${PAGE_PASSES.map((p) => html`<label><input type="checkbox" data-pass=${p} ?disabled=${running}
          .checked=${this._passes.has(p)} @change=${this._onPass} />${p}</label>`)}
      </fieldset>
      <div class="actions">
        <button id="run" ?disabled=${running || this._tuning || !!this._openError} @click=${this._onRun}>Run</button>
        <button id="stop" ?disabled=${!running} @click=${() => s.stop()}>Stop</button>
        <button id="export" ?disabled=${running || !s.results.length} @click=${this._onExport}>Export JSON</button>
        <span class="progress" id="progress">${s.progress}</span>
        <tune-panel .configs=${SWEEPS[this._sweep].configs()} ?disabled=${running || !!this._openError || !this.adapter}
          @tune-start=${() => (this._tuning = true)} @tune-done=${() => (this._tuning = false)}></tune-panel>
      </div>
      <bench-chart .results=${s.results}></bench-chart>
      ${this._table(s.results)}
      ${s.skipped.length ? html`
        <h2 style="font-size:1rem">Not run</h2>
        <ul class="skipped" id="skipped">
          ${s.skipped.map((k) => html`<li data-impl=${k.impl} data-pass=${k.pass ?? 'all'}><strong>${k.impl}</strong>${k.pass ? ` ${k.pass}` : ''}${k.config ? ` at ${k.config}` : ''}: <code>${k.reason}</code></li>`)}
        </ul>` : nothing}
      <ul class="about">${PAGE_IMPLS.map((i) => html`<li><strong>${i}</strong>: ${ABOUT[i]}</li>`)}</ul>
    `;
  }

  protected override willUpdate(): void {
    this.state = this._sweeper.state;
  }

  private _table(results: AttentionMeasurement[]) {
    if (!results.length) return nothing;
    return html`
      <table id="results">
        <thead><tr><th>impl</th><th>config</th><th>pass</th><th>ms (median)</th><th>min–max ms</th><th>GPU ms</th><th>GFLOPS</th>
          <th>peak MiB</th><th>maxAbsErr</th></tr></thead>
        <tbody>
          ${results.map((r) => html`
            <tr data-impl=${r.impl} data-pass=${r.pass} data-t=${r.T}>
              <td>${r.impl}</td><td>${configKey(r)}</td><td>${r.pass}</td><td>${r.ms.toFixed(1)}</td>
              <td>${r.minMs.toFixed(1)}–${r.maxMs.toFixed(1)}</td><td>${r.gpuMs === null ? 'n/a' : r.gpuMs.toFixed(1)}</td>
              <td>${r.gflops.toFixed(3)}</td><td>${r.peakBytes === null ? 'n/a' : (r.peakBytes / 2 ** 20).toFixed(2)}</td>
              <td>${r.maxAbsErr.toExponential(2)}</td>
            </tr>`)}
        </tbody>
      </table>`;
  }

  private _onSweep(e: Event): void {
    this._sweep = (e.target as HTMLSelectElement).value as SweepName;
  }

  private _onImpl(e: Event): void {
    const box = e.target as HTMLInputElement;
    const next = new Set(this._impls);
    if (box.checked) next.add(box.dataset.impl as Impl);
    else next.delete(box.dataset.impl as Impl);
    this._impls = next;
  }

  private _onPass(e: Event): void {
    const box = e.target as HTMLInputElement;
    const next = new Set(this._passes);
    if (box.checked) next.add(box.dataset.pass as Pass);
    else next.delete(box.dataset.pass as Pass);
    this._passes = next;
  }

  private async _onRun(): Promise<void> {
    const impls = PAGE_IMPLS.filter((i) => this._impls.has(i));
    const passes = PAGE_PASSES.filter((p) => this._passes.has(p));
    await this._sweeper.run(this._sweep, impls, passes);
    this.dispatchEvent(new CustomEvent('bench-done', { detail: this._sweeper.toExport(), bubbles: true, composed: true }));
  }

  private _onExport(): void {
    const json = JSON.stringify(this._sweeper.toExport(), null, 2);
    const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `attention-bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bench-tab': BenchTab;
  }
}
