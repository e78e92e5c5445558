// Where each example goes: a hold-out split into training, validation and test sets, and k-fold cross-validation
// as k rounds that each hold out a different fold. The assignments are the engine's (metrics.trainTestSplit and
// metrics.kFold), drawn as numbered cells so the shuffle is visible.
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { metrics } from '../../../../engine/index';

type Role = 'train' | 'validation' | 'test';

const COLORS: Record<Role, string> = { train: '#2563eb', validation: '#d97706', test: '#7c3aed' };

/**
 * The three-way split: the test set first (testFraction of all n), then validation (validationFraction of all n,
 * taken from what is left), the rest training. Returns each example's role.
 */
export function threeWaySplit(n: number, testFraction: number, validationFraction: number, seed: number): Role[] {
  const outer = metrics.trainTestSplit(n, { testFraction, seed });
  const roles = new Array<Role>(n).fill('train');
  for (const i of outer.test) roles[i] = 'test';
  // The validation share of what remains, so that it is validationFraction of the whole.
  const inner = metrics.trainTestSplit(outer.train.length, { testFraction: validationFraction / (1 - testFraction), seed: seed + 1 });
  for (const j of inner.test) roles[outer.train[j]] = 'validation';
  return roles;
}

export interface SplitsValue {
  test: number;
  validation: number;
  k: number;
  seed: number;
}

@customElement('w0-splits')
export class W0Splits extends LitElement {
  static override styles = css`
    :host { display: block; font: 14px/1.4 system-ui, sans-serif; color: #1f2933; }
    h3 { font-size: 15px; margin: 12px 0 4px; }
    .cells { display: flex; gap: 2px; margin: 4px 0; }
    .cell { width: 22px; height: 22px; display: inline-flex; align-items: center; justify-content: center; color: #fff; font-size: 10px; border-radius: 3px; }
    .fold { display: flex; align-items: center; gap: 8px; }
    .fold .name { width: 56px; font-size: 12px; color: #52606d; }
    label { display: inline-flex; align-items: center; gap: 6px; margin-right: 16px; }
    .legend span { margin-right: 12px; }
    .sw { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: middle; }
    button { font: inherit; padding: 2px 10px; border: 1px solid #9aa5b1; border-radius: 4px; background: #f5f7fa; cursor: pointer; }
    output { font-variant-numeric: tabular-nums; }
  `;

  @property({ type: Number }) n = 20;
  @property({ type: Number }) seed = 1;
  @state() private _test = 0.2;
  @state() private _validation = 0.2;
  @state() private _k = 5;

  /** The learner's settings, saved and restored by the lesson page. */
  get value(): SplitsValue {
    return { test: this._test, validation: this._validation, k: this._k, seed: this.seed };
  }

  /** Restores settings; fields that are missing or out of range keep their current value. */
  set value(v: unknown) {
    const o = (typeof v === 'object' && v !== null ? v : {}) as Partial<Record<keyof SplitsValue, unknown>>;
    const num = (x: unknown, ok: (n: number) => boolean): number | null => (typeof x === 'number' && ok(x) ? x : null);
    this._test = num(o.test, (f) => f >= 0.1 && f <= 0.4) ?? this._test;
    this._validation = num(o.validation, (f) => f >= 0.1 && f <= 0.4) ?? this._validation;
    this._k = num(o.k, (k) => Number.isInteger(k) && k >= 2 && k <= Math.min(10, this.n)) ?? this._k;
    this.seed = num(o.seed, (s) => Number.isInteger(s) && s >= 0) ?? this.seed;
  }

  private _set(patch: Partial<SplitsValue>): void {
    this.value = { ...this.value, ...patch };
    this.dispatchEvent(new CustomEvent<SplitsValue>('change', { detail: this.value, bubbles: true, composed: true }));
  }

  private _cell(i: number, role: Role) {
    return html`<span class="cell" style="background:${COLORS[role]}" title="example ${i}: ${role}">${i}</span>`;
  }

  override render() {
    const n = this.n;
    const roles = threeWaySplit(n, this._test, this._validation, this.seed);
    const count = (r: Role) => roles.filter((x) => x === r).length;
    const folds = metrics.kFold(n, this._k, { seed: this.seed });
    const pct = (v: number) => `${Math.round(v * 100)}%`;
    return html`
      <p class="legend">
        ${(Object.keys(COLORS) as Role[]).map((r) => html`<span><i class="sw" style="background:${COLORS[r]}"></i>${r}</span>`)}
        <button data-action="shuffle" @click=${() => this._set({ seed: this.seed + 1 })}>Shuffle</button>
      </p>
      <h3>Hold-out split</h3>
      <label>test <input type="range" min="0.1" max="0.4" step="0.05" .value=${String(this._test)}
        @input=${(e: Event) => this._set({ test: Number((e.target as HTMLInputElement).value) })} aria-label="test fraction" />
        <output>${pct(this._test)}</output></label>
      <label>validation <input type="range" min="0.1" max="0.4" step="0.05" .value=${String(this._validation)}
        @input=${(e: Event) => this._set({ validation: Number((e.target as HTMLInputElement).value) })} aria-label="validation fraction" />
        <output>${pct(this._validation)}</output></label>
      <div class="cells" role="img" aria-label="examples 0 to ${n - 1} coloured by set">${roles.map((r, i) => this._cell(i, r))}</div>
      <p aria-live="polite">
        <output data-quantity="train-count">${count('train')}</output> examples to fit the model,
        <output data-quantity="validation-count">${count('validation')}</output> to choose between models, and
        <output data-quantity="test-count">${count('test')}</output> kept back for one final, honest score.
      </p>
      <h3>k-fold cross-validation</h3>
      <label>k <input type="range" min="2" max="10" step="1" .value=${String(this._k)}
        @input=${(e: Event) => this._set({ k: Number((e.target as HTMLInputElement).value) })} aria-label="number of folds" />
        <output data-quantity="k">${this._k}</output></label>
      ${folds.map((f, round) => {
        const held = new Set(f.test);
        return html`<div class="fold"><span class="name">round ${round + 1}</span>
          <div class="cells" role="img" aria-label="round ${round + 1}: examples ${f.test.join(', ')} validate">
            ${Array.from({ length: n }, (_, i) => this._cell(i, held.has(i) ? 'validation' : 'train'))}
          </div></div>`;
      })}
      <p aria-live="polite">
        Each of the ${this._k} models trains on ${[...new Set(folds.map((f) => f.train.length))].join(' or ')} examples and is validated on the
        remaining ${[...new Set(folds.map((f) => f.test.length))].join(' or ')}; across the rounds every example is validated exactly once.
      </p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w0-splits': W0Splits;
  }
}
