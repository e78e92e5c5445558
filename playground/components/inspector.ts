// The inspector: the selected node's parameters, each with its range and help text, plus the shapes on its
// ports and the problems validation found on it. With nothing selected it lists the whole graph's problems.
// Edits are SetParam commands on the store, so each one can be undone.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import type { Graph } from '../graph/graph';
import { nodeType } from '../graph/nodes/index';
import type { Validation } from '../graph/validate';
import { trainBlocker } from '../graph/train';
import { formatType, type GraphNode, type GraphState, type ParamSpec, type ParamValue } from '../graph/types';
import { errorMessage } from '../dom';
import { pendingEntry, readNumberEntry, rejectedEntryMessage, type RejectedEntry } from './number-entry';

@customElement('node-inspector')
export class NodeInspector extends LitElement {
  static override styles = css`
    :host { display: block; padding: 10px 12px; font: 13px/1.4 system-ui, sans-serif; overflow: auto; }
    h2 { font-size: 15px; margin: 0 0 2px; }
    .id { color: #616e7c; font: 12px ui-monospace, monospace; }
    p.help { color: #3e4c59; margin: 6px 0 10px; }
    label { display: block; margin: 10px 0 2px; font-weight: 600; }
    label .range { font-weight: 400; color: #7b8794; font-size: 11px; }
    input[type='number'], input[type='text'], select { width: 100%; box-sizing: border-box; padding: 4px 6px; font: inherit; border: 1px solid #cbd2d9; border-radius: 5px; }
    input[type='range'] { width: 100%; }
    input.bad { border-color: #dc2626; background: #fff5f5; }
    .phelp { font-size: 12px; color: #616e7c; margin: 2px 0 0; }
    .problem { color: #b91c1c; font-size: 12px; margin: 2px 0 0; }
    table { width: 100%; border-collapse: collapse; margin-top: 8px; font-size: 12px; }
    td { padding: 2px 4px; border-top: 1px solid #e4e7eb; }
    td.t { font-family: ui-monospace, monospace; text-align: right; }
    ul.issues { padding-left: 18px; }
    li.error { color: #b91c1c; }
    li.warning { color: #8a6d00; }
    .muted { color: #7b8794; }
  `;

  @property({ attribute: false }) graph!: Graph;
  @property({ attribute: false }) state!: GraphState;
  @property({ attribute: false }) validation!: Validation;
  @property({ attribute: false }) selection: readonly string[] = [];
  /** Number fields whose last entry was not a number, by "node.param": the field keeps the text until it is fixed. */
  @state() private _rejected = new Map<string, RejectedEntry>();

  private _set(node: GraphNode, spec: ParamSpec, value: ParamValue): void {
    try {
      this.graph.setParam(node.id, spec.name, value);
    } catch (e) {
      this.dispatchEvent(new CustomEvent<string>('notify', { detail: errorMessage(e), bubbles: true, composed: true }));
    }
  }

  private _onNumber(e: Event, node: GraphNode, spec: ParamSpec): void {
    const typed = (e.target as HTMLInputElement).value;
    const inForce = paramValue(node, spec);
    const entry = readNumberEntry(typed, spec.label);
    const rejected = new Map(this._rejected);
    if (entry.ok) rejected.delete(`${node.id}.${spec.name}`);
    else rejected.set(`${node.id}.${spec.name}`, { typed, problem: entry.problem, inForce });
    // A new map, so that Lit renders again, even when a valid entry leaves the model as it was ("08" for 8).
    this._rejected = rejected;
    if (entry.ok && entry.value !== inForce) this._set(node, spec, entry.value);
  }

  /** ArrowUp/ArrowDown step an int field by one within its range, as a number input's arrows would. */
  private _onStep(e: KeyboardEvent, node: GraphNode, spec: ParamSpec): void {
    if ((e.key !== 'ArrowUp' && e.key !== 'ArrowDown') || spec.kind !== 'int') return;
    const current = paramValue(node, spec);
    if (typeof current !== 'number') return;
    e.preventDefault();
    const next = Math.min(spec.max, Math.max(spec.min, current + (e.key === 'ArrowUp' ? 1 : -1)));
    if (next !== current) this._set(node, spec, next);
  }

  private _editor(node: GraphNode, spec: ParamSpec) {
    const value = paramValue(node, spec);
    const problem = this.validation.issuesFor(node.id).find((i) => i.param === spec.name);
    const rejected = pendingEntry(this._rejected.get(`${node.id}.${spec.name}`), value);
    const cls = problem || rejected ? 'bad' : '';
    // Text fields, not type="number": a number field's value reads as empty for text that is no number, so it could
    // neither keep nor quote what was typed. live(): the field is compared with what it holds now, not with what was
    // rendered last, so the model's value comes back once a rejected entry no longer applies.
    const shown = live(rejected ? rejected.typed : String(value));
    let input;
    let range = '';
    switch (spec.kind) {
      case 'int':
        range = `${spec.min} – ${spec.max}`;
        input = html`<input type="text" inputmode="numeric" class=${cls} data-param=${spec.name} .value=${shown}
          @change=${(e: Event) => this._onNumber(e, node, spec)} @keydown=${(e: KeyboardEvent) => this._onStep(e, node, spec)} />`;
        break;
      case 'float':
        range = `${spec.min} – ${spec.max}`;
        input = html`<input type="text" inputmode="decimal" class=${cls} data-param=${spec.name} .value=${shown}
            @change=${(e: Event) => this._onNumber(e, node, spec)} />
          <input type="range" aria-label=${spec.label} min=${spec.min} max=${spec.max} step=${spec.step} .value=${String(value)}
            @change=${(e: Event) => this._onNumber(e, node, spec)} />`;
        break;
      case 'choice':
        input = html`<select data-param=${spec.name} @change=${(e: Event) => this._set(node, spec, (e.target as HTMLSelectElement).value)}>
          ${spec.options.map((o) => html`<option .selected=${o === value} value=${o}>${o}</option>`)}
        </select>`;
        break;
      case 'bool':
        input = html`<input type="checkbox" data-param=${spec.name} .checked=${value === true}
          @change=${(e: Event) => this._set(node, spec, (e.target as HTMLInputElement).checked)} />`;
        break;
      case 'text':
        range = `e.g. ${spec.example}`;
        input = html`<input type="text" class=${cls} data-param=${spec.name} maxlength=${spec.maxLength} .value=${String(value)}
          @change=${(e: Event) => this._set(node, spec, (e.target as HTMLInputElement).value)} />`;
        break;
    }
    return html`<label>${spec.label} <span class="range">${range}</span></label>${input}
      <p class="phelp">${spec.help}</p>
      ${rejected ? html`<p class="problem" data-rejected-entry=${spec.name}>${rejectedEntryMessage(rejected)}</p>` : nothing}
      ${problem ? html`<p class="problem">${problem.message}</p>` : nothing}`;
  }

  private _node(node: GraphNode) {
    const def = nodeType(node.type);
    const v = this.validation;
    const issues = v.issuesFor(node.id);
    return html`
      <h2>${def.label}</h2>
      <div class="id">${node.id}</div>
      <p class="help">${def.help}</p>
      ${def.params.length ? def.params.map((p) => this._editor(node, p)) : html`<p class="muted">No parameters.</p>`}
      <table>
        ${def.inputs.map((p) => {
          const t = v.inputType(node.id, p.name);
          return html`<tr title=${p.help}><td>in <b data-port-name>${p.name}</b> ${p.shape}</td><td class="t">${t ? formatType(t) : '—'}</td></tr>`;
        })}
        ${def.outputs.map((p) => {
          const t = v.outputType(node.id, p.name);
          return html`<tr title=${p.help}><td>out <b data-port-name>${p.name}</b> ${p.shape}</td><td class="t">${t ? formatType(t) : '—'}</td></tr>`;
        })}
      </table>
      ${issues.length ? html`<ul class="issues">${issues.map((i) => html`<li class=${i.severity}>${i.message}</li>`)}</ul>` : nothing}
    `;
  }

  override render() {
    if (!this.state || !this.validation) return nothing;
    const selected = this.state.nodes.filter((n) => this.selection.includes(n.id));
    if (selected.length === 1) return this._node(selected[0]);
    if (selected.length > 1) {
      return html`<h2>${selected.length} nodes selected</h2>
        <p class="muted">Drag one to move them all; Delete removes them (Ctrl+Z brings them back).</p>`;
    }
    const issues = this.validation.issues;
    // The same rule the training controls follow, so an empty graph, or one with no loss, is not called ready.
    const blocked = trainBlocker(this.state, this.validation);
    return html`
      <h2>Graph</h2>
      <p class="muted">${this.state.nodes.length} nodes, ${this.state.edges.length} wires. Select a node to edit its parameters.</p>
      ${issues.length
        ? html`<ul class="issues">
            ${issues.map((i) => html`<li class=${i.severity}>${i.node ? html`<b>${i.node}</b>: ` : nothing}${i.message}</li>`)}
          </ul>`
        : html`<p data-graph-status>${blocked?.message ?? 'No problems: the graph is ready to train.'}</p>`}
      <p class="muted">
        Keys: Delete removes the selection · Ctrl+Z / Ctrl+Shift+Z undo and redo · Ctrl+A selects all · arrows nudge ·
        F fits the view · / searches the palette · Ctrl+Enter trains or pauses · S steps once.
      </p>
    `;
  }
}

/** The parameter's value in the model: as set on the node, else the type's default. */
function paramValue(node: GraphNode, spec: ParamSpec): ParamValue {
  return Object.hasOwn(node.params, spec.name) ? node.params[spec.name] : spec.default;
}

declare global {
  interface HTMLElementTagNameMap {
    'node-inspector': NodeInspector;
  }
}
