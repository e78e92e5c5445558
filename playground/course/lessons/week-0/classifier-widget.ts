// A classifier to evaluate: two overlapping clouds of points, a logistic regression trained on most of them with the
// engine, and its confusion matrix, accuracy, precision, recall and F1 on the held-out rest at the threshold the
// learner sets. Retrain, draw a new sample, train for fewer steps or make positives rare, and watch which numbers
// move. All metrics are the engine's (metrics.*).
import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { metrics } from '../../../../engine/index';
import { gaussianBlobs, subset, type LogisticModel, type Points2D } from '../../../../engine/course';
import { LogisticTrainer } from './classifier-trainer';
import { CLASSIFIER_TEST_FRACTION } from './classifier-split';

const SIZE = 280; // canvas side in CSS pixels
const SPAN = 4; // the plot shows [−SPAN, SPAN]² of feature space
const GRID = 70; // probability shading cells per side

export interface ClassifierValue {
  threshold: number;
  /** The expected share of positives in the sample. */
  share: number;
  steps: number;
  seed: number;
}

const SHARES = [0.5, 0.2, 0.05];
const STEPS = [3, 30, 300];

export interface Scores {
  matrix: number[][];
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
}

/** The engine's scores of a model's test-set predictions at a threshold. */
export function scoreAt(model: LogisticModel, test: Points2D, threshold: number): Scores {
  const pred = model.predict(test.x, threshold);
  return {
    matrix: metrics.confusionMatrix(test.y, pred, 2),
    accuracy: metrics.accuracy(test.y, pred),
    precision: metrics.precision(test.y, pred),
    recall: metrics.recall(test.y, pred),
    f1: metrics.f1(test.y, pred),
  };
}

@customElement('w0-classifier')
export class W0Classifier extends LitElement {
  static override styles = css`
    :host { display: block; font: 14px/1.4 system-ui, sans-serif; color: #1f2933; }
    .row { display: flex; flex-wrap: wrap; gap: 20px; align-items: flex-start; }
    canvas { border: 1px solid #d9e2ec; display: block; }
    .controls { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; margin: 8px 0; }
    label { display: inline-flex; align-items: center; gap: 6px; }
    button, select { font: inherit; padding: 2px 8px; border: 1px solid #9aa5b1; border-radius: 4px; background: #f5f7fa; }
    button { cursor: pointer; }
    table { border-collapse: collapse; font-variant-numeric: tabular-nums; margin-bottom: 8px; }
    th, td { padding: 3px 10px; border: 1px solid #e4e7eb; text-align: center; }
    th { background: #f5f7fa; font-weight: 500; }
    td.hit { background: #ecfdf5; }
    td.miss { background: #fef2f2; }
    dl { display: grid; grid-template-columns: auto auto; gap: 2px 12px; margin: 0; }
    dt { color: #52606d; }
    dd { margin: 0; font-variant-numeric: tabular-nums; }
    .status { color: #52606d; font-size: 13px; }
    .error { color: #b91c1c; }
    .legend span { margin-right: 12px; }
    .sw { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 4px; vertical-align: middle; }
  `;

  @property({ type: Number }) seed = 1;
  @property({ type: Number }) n = 300;
  @state() private _threshold = 0.5;
  @state() private _share = 0.5;
  @state() private _steps = 300;
  @query('canvas') private _canvas!: HTMLCanvasElement;

  private _trainer = new LogisticTrainer(this);
  private _train: Points2D | null = null;
  private _test: Points2D | null = null;
  /** The seed and share the current sample was drawn with. */
  private _drawn = { seed: NaN, share: NaN };

  /** The learner's settings, saved and restored by the lesson page. */
  get value(): ClassifierValue {
    return { threshold: this._threshold, share: this._share, steps: this._steps, seed: this.seed };
  }

  /** Restores settings; fields that are missing or out of range keep their current value. */
  set value(v: unknown) {
    const o = (typeof v === 'object' && v !== null ? v : {}) as Partial<Record<keyof ClassifierValue, unknown>>;
    const num = (x: unknown, ok: (n: number) => boolean): number | null => (typeof x === 'number' && ok(x) ? x : null);
    const steps = this._steps;
    this._threshold = num(o.threshold, (t) => t >= 0.01 && t <= 0.99) ?? this._threshold;
    this._share = num(o.share, (s) => SHARES.includes(s)) ?? this._share;
    this._steps = num(o.steps, (s) => STEPS.includes(s)) ?? this._steps;
    this.seed = num(o.seed, (s) => Number.isInteger(s) && s >= 0) ?? this.seed;
    if (!this.isConnected) return; // connectedCallback draws and trains with these settings
    if (this._drawn.seed !== this.seed || this._drawn.share !== this._share) this._newData();
    else if (steps !== this._steps) void this._retrain();
  }

  private _emit(): void {
    this.dispatchEvent(new CustomEvent<ClassifierValue>('change', { detail: this.value, bubbles: true, composed: true }));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this._newData();
  }

  /** Draws the sample for the current seed and share, holds out CLASSIFIER_TEST_FRACTION of it, trains on the rest. */
  private _newData(): void {
    this._drawn = { seed: this.seed, share: this._share };
    const data = gaussianBlobs(this.n, { seed: this.seed, positiveShare: this._share });
    const split = metrics.trainTestSplit(this.n, { testFraction: CLASSIFIER_TEST_FRACTION, seed: this.seed });
    this._train = subset(data, split.train);
    this._test = subset(data, split.test);
    void this._retrain();
  }

  private _retrain(): Promise<void> {
    return this._trainer.train(this._train!, this._steps);
  }

  override render() {
    const t = this._trainer;
    const model = t.model;
    const scores = model && this._test ? scoreAt(model, this._test, this._threshold) : null;
    const fmt = (v: number) => v.toFixed(3);
    const status =
      t.state === 'training' ? `Training on ${t.device}: step ${t.step} of ${t.steps}, loss ${Number.isFinite(t.loss) ? t.loss.toFixed(3) : '…'}`
      : t.state === 'done' ? `Trained on ${t.device} for ${t.steps} steps; training loss ${t.loss.toFixed(3)} nats.`
      : t.state === 'error' ? '' : 'Starting…';
    return html`
      <div class="controls">
        <label>threshold <input type="range" min="0.01" max="0.99" step="0.01" .value=${String(this._threshold)}
          @input=${(e: Event) => { this._threshold = Number((e.target as HTMLInputElement).value); this._emit(); }} aria-label="decision threshold" />
          <output data-quantity="threshold">${this._threshold.toFixed(2)}</output></label>
        <label>positives <select aria-label="share of positive examples" @change=${(e: Event) => { this._share = Number((e.target as HTMLSelectElement).value); this._newData(); this._emit(); }}>
          ${SHARES.map((s) => html`<option value=${s} ?selected=${s === this._share}>${Math.round(s * 100)}%</option>`)}
        </select></label>
        <label>steps <select aria-label="training steps" @change=${(e: Event) => { this._steps = Number((e.target as HTMLSelectElement).value); void this._retrain(); this._emit(); }}>
          ${STEPS.map((s) => html`<option value=${s} ?selected=${s === this._steps}>${s}</option>`)}
        </select></label>
        <button data-action="retrain" @click=${() => void this._retrain()}>Retrain</button>
        <button data-action="new-sample" @click=${() => { this.seed++; this._newData(); this._emit(); }}>New sample</button>
      </div>
      <div class="row">
        <div>
          <canvas width=${SIZE} height=${SIZE} style="width:${SIZE}px;height:${SIZE}px" role="img"
            aria-label="test points of both classes over the model's probability of the positive class; the line is the decision boundary at the threshold"></canvas>
          <p class="legend">
            <span><i class="sw" style="background:#2563eb"></i>negative (0)</span>
            <span><i class="sw" style="background:#d97706"></i>positive (1)</span>
          </p>
        </div>
        <div>
          ${scores ? this._matrix(scores.matrix) : html`<p>No model yet.</p>`}
          ${scores ? html`<dl aria-live="polite">
            <dt>accuracy</dt><dd><output data-metric="accuracy">${fmt(scores.accuracy)}</output></dd>
            <dt>precision</dt><dd><output data-metric="precision">${fmt(scores.precision)}</output></dd>
            <dt>recall</dt><dd><output data-metric="recall">${fmt(scores.recall)}</output></dd>
            <dt>F1</dt><dd><output data-metric="f1">${fmt(scores.f1)}</output></dd>
          </dl>` : ''}
          <p class="status" data-state=${t.state} data-runs=${t.runs}>${status}</p>
          ${t.state === 'error' ? html`<p class="error" role="alert">Training failed: ${t.error}</p>` : ''}
        </div>
      </div>`;
  }

  private _matrix(m: number[][]) {
    return html`<table aria-label="confusion matrix on the test set: rows are the true class, columns the prediction">
      <tr><th></th><th>predicted 0</th><th>predicted 1</th></tr>
      <tr><th>true 0</th><td class="hit" data-cell="tn">${m[0][0]}</td><td class="miss" data-cell="fp">${m[0][1]}</td></tr>
      <tr><th>true 1</th><td class="miss" data-cell="fn">${m[1][0]}</td><td class="hit" data-cell="tp">${m[1][1]}</td></tr>
    </table>`;
  }

  override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    this._draw();
  }

  /** Shading by P(positive), the boundary w·x + b = logit(threshold), then the test points. */
  private _draw(): void {
    const ctx = this._canvas?.getContext('2d');
    if (!ctx || !this._test) return;
    const toPx = (v: number) => ((v + SPAN) / (2 * SPAN)) * SIZE;
    ctx.clearRect(0, 0, SIZE, SIZE);
    const model = this._trainer.model;
    if (model) {
      const cell = SIZE / GRID;
      const centres = new Float32Array(2 * GRID * GRID);
      for (let r = 0; r < GRID; r++) {
        for (let c = 0; c < GRID; c++) {
          centres[2 * (r * GRID + c)] = -SPAN + ((c + 0.5) / GRID) * 2 * SPAN;
          centres[2 * (r * GRID + c) + 1] = SPAN - ((r + 0.5) / GRID) * 2 * SPAN;
        }
      }
      const p = model.proba(centres);
      for (let i = 0; i < p.length; i++) {
        // Blue where the model says negative, orange where positive, white where it is unsure.
        const a = Math.abs(p[i] - 0.5) * 0.7;
        ctx.fillStyle = p[i] >= 0.5 ? `rgba(217,119,6,${a})` : `rgba(37,99,235,${a})`;
        ctx.fillRect((i % GRID) * cell, Math.floor(i / GRID) * cell, cell + 0.5, cell + 0.5);
      }
      // The boundary: points where w·x + b equals the threshold's log-odds.
      const [w0, w1] = model.weights;
      const t = Math.min(0.99, Math.max(0.01, this._threshold));
      const z = Math.log(t / (1 - t)) - model.bias;
      ctx.strokeStyle = '#111827';
      ctx.lineWidth = 2;
      ctx.beginPath();
      if (Math.abs(w1) > 1e-9) {
        const y = (x: number) => (z - w0 * x) / w1;
        ctx.moveTo(0, SIZE - toPx(y(-SPAN)));
        ctx.lineTo(SIZE, SIZE - toPx(y(SPAN)));
      } else if (Math.abs(w0) > 1e-9) {
        ctx.moveTo(toPx(z / w0), 0);
        ctx.lineTo(toPx(z / w0), SIZE);
      }
      ctx.stroke();
    }
    const { x, y } = this._test;
    for (let i = 0; i < y.length; i++) {
      ctx.fillStyle = y[i] === 1 ? '#d97706' : '#2563eb';
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.arc(toPx(x[2 * i]), SIZE - toPx(x[2 * i + 1]), 4, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w0-classifier': W0Classifier;
  }
}
