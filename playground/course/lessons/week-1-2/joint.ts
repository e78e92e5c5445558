// A joint distribution one can edit. The learner types counts; the engine's jointTable() normalises them, marginal()
// sums rows and columns (the sum rule), and conditional() divides by a marginal (the product rule turned around).
// A view switch shows the same table as P(X, Y), P(Y | X) (rows sum to 1) or P(X | Y) (columns sum to 1).
// Bad entries (not a number, negative, all zeros) are named under the table and the last valid table stays on
// show; the text typed stays in its field so nothing is lost while it is fixed.
import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { conditional, jointTable, marginal, type JointTable } from '../../../../engine/course';
import { w13Styles } from '../../widgets/w13-style';

type View = 'joint' | 'given-row' | 'given-col';

@customElement('w12-joint-table')
export class W12JointTable extends LitElement {
  static override styles = [w13Styles];

  /** The counts, rows × cols. */
  @property({ attribute: false }) value: number[][] = [[1, 1], [1, 1]];
  @property({ attribute: false }) rows: string[] = ['x₀', 'x₁'];
  @property({ attribute: false }) cols: string[] = ['y₀', 'y₁'];
  /** What the row and column variables are called. */
  @property() rowName = 'weather';
  @property() colName = 'commute';

  @state() private _view: View = 'joint';
  /** The text of each cell as typed; a cell whose text is not a valid count keeps it here. */
  @state() private _draft: string[][] | null = null;
  @state() private _error = '';

  override willUpdate(changed: Map<string, unknown>): void {
    // A value set from outside (a restored state, a reset) replaces whatever was being typed.
    if (changed.has('value')) {
      this._draft = null;
      this._error = '';
    }
  }

  private _text(i: number, j: number): string {
    return this._draft?.[i]?.[j] ?? String(this.value[i]?.[j] ?? '');
  }

  private _onCell(i: number, j: number, text: string): void {
    const draft = this.value.map((r, a) => r.map((v, b) => this._draft?.[a]?.[b] ?? String(v)));
    draft[i][j] = text;
    const parsed = draft.map((r) => r.map((t) => (t.trim() === '' ? NaN : Number(t))));
    const bad = parsed.flatMap((r, a) => r.map((v, b) => ({ v, a, b }))).find(({ v }) => !(Number.isFinite(v) && v >= 0));
    if (bad) {
      this._draft = draft;
      this._error = `The count for ${this.rows[bad.a]} and ${this.cols[bad.b]} must be a number ≥ 0 (it is "${draft[bad.a][bad.b]}"); the table below still shows the last valid counts.`;
      return;
    }
    try {
      jointTable(parsed);
    } catch (e) {
      this._draft = draft;
      this._error = `${(e as Error).message.replace(/^jointTable: /, 'The table ')}: at least one count must be above 0.`;
      return;
    }
    this._draft = null;
    this._error = '';
    this.value = parsed;
    this.dispatchEvent(new CustomEvent<number[][]>('change', { detail: parsed.map((r) => [...r]), bubbles: true, composed: true }));
  }

  private _table(joint: JointTable) {
    const px = marginal(joint, 0);
    const py = marginal(joint, 1);
    const view = this._view;
    const cells = view === 'joint' ? joint.p : conditional(joint, view === 'given-row' ? 0 : 1);
    const fmt = (v: number) => (Number.isNaN(v) ? 'undefined' : v.toFixed(3));
    const caption =
      view === 'joint'
        ? `P(${this.rowName}, ${this.colName}), with the marginals P(${this.rowName}) and P(${this.colName}) in the margins`
        : view === 'given-row'
          ? `P(${this.colName} | ${this.rowName}): each row divided by its marginal, so each row sums to 1`
          : `P(${this.rowName} | ${this.colName}): each column divided by its marginal, so each column sums to 1`;
    return html`<table data-view=${view}>
      <caption>${caption}</caption>
      <tr><th></th>${this.cols.map((c) => html`<th scope="col">${c}</th>`)}${view === 'given-col' ? nothing : html`<th scope="col">${view === 'joint' ? `P(${this.rowName})` : 'sum'}</th>`}</tr>
      ${cells.map((row, i) => html`<tr>
        <th scope="row">${this.rows[i]}</th>
        ${row.map((v, j) => html`<td data-cell=${`${i},${j}`}>${fmt(v)}</td>`)}
        ${view === 'joint' ? html`<td data-marginal=${`row-${i}`}>${fmt(px[i])}</td>` : view === 'given-row' ? html`<td>${fmt(row.reduce((a, b) => a + b, 0))}</td>` : nothing}
      </tr>`)}
      ${view === 'given-row'
        ? nothing
        : html`<tr><th scope="row">${view === 'joint' ? `P(${this.colName})` : 'sum'}</th>
            ${(view === 'joint' ? py : this.cols.map((_, j) => cells.reduce((a, r) => a + r[j], 0))).map((v, j) => html`<td data-marginal=${`col-${j}`}>${fmt(v)}</td>`)}
            ${view === 'joint' ? html`<td>${fmt(px.reduce((a, b) => a + b, 0))}</td>` : nothing}</tr>`}
    </table>`;
  }

  override render() {
    let joint: JointTable | null = null;
    let problem = '';
    try {
      joint = jointTable(this.value, { rows: this.rows, cols: this.cols });
    } catch (e) {
      problem = (e as Error).message; // only a value set from outside can be invalid: edits are checked first
    }
    const view = (v: View, label: string) => html`<label><input type="radio" name="view" .checked=${this._view === v} @change=${() => (this._view = v)} /> ${label}</label>`;
    return html`
      <div class="row">
        <table>
          <caption>Counts (edit any cell)</caption>
          <tr><th>${this.rowName} \\ ${this.colName}</th>${this.cols.map((c) => html`<th scope="col">${c}</th>`)}</tr>
          ${this.rows.map((r, i) => html`<tr>
            <th scope="row">${r}</th>
            ${this.cols.map((c, j) => {
              const text = this._text(i, j);
              const invalid = this._draft !== null && !(text.trim() !== '' && Number(text) >= 0);
              return html`<td><input type="number" min="0" step="1" .value=${text} aria-label=${`count of ${r} and ${c}`}
                aria-invalid=${invalid ? 'true' : 'false'} style=${invalid ? 'border-color:#b91c1c' : ''}
                @input=${(e: Event) => this._onCell(i, j, (e.target as HTMLInputElement).value)} /></td>`;
            })}
          </tr>`)}
        </table>
        <div>
          <fieldset class="controls" style="border:none;padding:0">
            <legend class="muted">Show</legend>
            ${view('joint', 'joint and marginals')} ${view('given-row', `P(${this.colName} | ${this.rowName})`)} ${view('given-col', `P(${this.rowName} | ${this.colName})`)}
          </fieldset>
          ${joint ? this._table(joint) : html`<p class="error" role="alert">These counts are not a table: ${problem}</p>`}
        </div>
      </div>
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w12-joint-table': W12JointTable;
  }
}
