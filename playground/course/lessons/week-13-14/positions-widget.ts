// Sinusoidal against learned positions: both tables drawn as heatmaps (position × feature) with how alike every
// two positions' encodings are, and the order task's held-out accuracy with no, sinusoidal and learned positions.
// It opens on the page's quick run (quick.ts); Train runs all three again for the schedule chosen, on WebGPU where
// the browser has it, reporting each model's steps as it goes. Its value is the schedule chosen.
import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { DeviceName } from '../../../../engine/index';
import { selfAttention } from '../../../../engine/course';
import { QUICK, quickOrderRuns } from './quick';
import { breathe, trainingDevice } from '../../compute';
import { heatmap, heatmapStyles } from '../../widgets/heatmap';

export const STEP_CHOICES = [QUICK.train.steps, 300, 1000] as const;

interface Shown {
  runs: selfAttention.OrderRun[];
  tables: { sinusoidal: number[][]; learned: number[][] };
  steps: number;
  device: DeviceName;
  owned: boolean;
}

const KIND_NAMES: Record<selfAttention.PositionKind, string> = { none: 'no positions', sinusoidal: 'sinusoidal', learned: 'learned' };

async function tablesOf(runs: selfAttention.OrderRun[]): Promise<Shown['tables']> {
  const of = async (k: selfAttention.PositionKind) => (await runs.find((r) => r.positions === k)!.model.positionTable())!;
  return { sinusoidal: await of('sinusoidal'), learned: await of('learned') };
}

@customElement('w1314-positions')
export class W1314Positions extends LitElement {
  static override styles = [
    heatmapStyles,
    css`
      :host { display: block; }
      .controls { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; margin-bottom: 0.5rem; }
      table.acc { border-collapse: collapse; margin: 0.5rem 0; }
      table.acc th, table.acc td { padding: 0.2rem 0.6rem; border-bottom: 1px solid #ddd; text-align: left; }
      table.acc td.num { text-align: right; font-variant-numeric: tabular-nums; }
      .status { min-height: 1.4em; }
    `,
  ];

  @state() private _steps: number = QUICK.train.steps;
  @state() private _shown: Shown | null = null;
  @state() private _status = 'Running the quick comparison…';
  @state() private _busy = false;
  private _abort: AbortController | null = null;

  get value(): number {
    return this._steps;
  }

  set value(v: unknown) {
    if (STEP_CHOICES.includes(v as (typeof STEP_CHOICES)[number])) this._steps = v as number;
  }

  override firstUpdated(_: PropertyValues): void {
    quickOrderRuns().then(
      async (runs) => {
        const tables = await tablesOf(runs);
        if (this._shown) return;
        this._shown = { runs, tables, steps: QUICK.train.steps, device: 'cpu', owned: false };
        this._status = 'Showing the quick run from the text. Choose a longer schedule, then Train.';
      },
      (e: unknown) => (this._status = `The quick comparison failed: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._abort?.abort();
  }

  private _onSteps(e: Event): void {
    this._steps = Number((e.target as HTMLSelectElement).value);
    this._status = `Schedule set to ${this._steps} steps per model. Press Train to run all three.`;
    this.dispatchEvent(new CustomEvent<number>('change', { detail: this._steps, bubbles: true, composed: true }));
  }

  private async _onTrain(): Promise<void> {
    this._abort?.abort();
    const ctrl = new AbortController();
    this._abort = ctrl;
    const steps = this._steps;
    this._busy = true;
    this._status = 'Choosing a device…';
    const runs: selfAttention.OrderRun[] = [];
    try {
      const device = await trainingDevice();
      this._status = device === 'webgpu' ? 'Preparing WebGPU: compiling the training kernels (a few seconds, the first time only)…' : 'Training on the CPU…';
      const test = selfAttention.pairedOrderTest(QUICK.task, QUICK.testPairs, QUICK.testSeed);
      for (const positions of ['none', 'sinusoidal', 'learned'] as const) {
        const model = new selfAttention.OrderModel(QUICK.task, { ...QUICK.model, device, positions });
        const losses = await selfAttention.trainOrderModel(model, {
          ...QUICK.train,
          lr: steps > QUICK.train.steps ? 0.01 : QUICK.train.lr,
          steps,
          every: 10,
          signal: ctrl.signal,
          onProgress: async ({ step, loss }) => {
            this._status = `Training with ${KIND_NAMES[positions]} on ${device}: step ${step} of ${steps}, loss ${loss.toFixed(3)}.`;
            await breathe();
          },
        });
        runs.push({ positions, model, losses, accuracy: ctrl.signal.aborted ? NaN : await selfAttention.orderAccuracy(model, test) });
        if (ctrl.signal.aborted) break;
      }
      if (ctrl.signal.aborted) {
        for (const r of runs) for (const p of r.model.parameters()) p.dispose();
        return;
      }
      const tables = await tablesOf(runs);
      if (this._shown?.owned) for (const r of this._shown.runs) for (const p of r.model.parameters()) p.dispose();
      this._shown = { runs, tables, steps, device, owned: true };
      this._status = `Trained all three for ${steps} steps on ${device}.`;
    } catch (e) {
      if (!ctrl.signal.aborted) this._status = `Training failed: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      if (this._abort === ctrl) this._busy = false;
    }
  }

  override render() {
    const s = this._shown;
    const T = QUICK.task.length;
    const positions = Array.from({ length: T }, (_, i) => String(i));
    const features = Array.from({ length: QUICK.model.dim }, (_, i) => String(i));
    return html`
      <div class="controls">
        <label>schedule
          <select aria-label="training steps for each of the three models" @change=${this._onSteps}>
            ${STEP_CHOICES.map((v) => html`<option value=${v} ?selected=${v === this._steps}>${v} steps</option>`)}
          </select>
        </label>
        <button @click=${this._onTrain} ?disabled=${this._busy}>Train</button>
      </div>
      <p class="status" role="status" aria-live="polite">${this._status}</p>
      ${s
        ? html`
            <table class="acc">
              <caption>Held-out accuracy on ${2 * QUICK.testPairs} sequences (${QUICK.testPairs} swapped pairs), ${s.steps} steps on ${s.device}</caption>
              <thead><tr><th scope="col">positions</th><th scope="col">accuracy</th><th scope="col">last loss</th></tr></thead>
              <tbody>${s.runs.map((r) => html`<tr><th scope="row">${KIND_NAMES[r.positions]}</th>
                <td class="num">${(r.accuracy * 100).toFixed(1)}%</td><td class="num">${r.losses.at(-1)?.loss.toFixed(3) ?? '–'}</td></tr>`)}</tbody>
            </table>
            <div>
              ${heatmap(s.tables.sinusoidal, { caption: 'Sinusoidal table (position × feature)', rowLabels: positions, colLabels: features, scale: 'signed', limit: 1 })}
              ${heatmap(selfAttention.rowSimilarity(s.tables.sinusoidal), { caption: 'Sinusoidal: cosine similarity of positions (lowest white, highest blue)', rowLabels: positions, colLabels: positions, scale: 'range' })}
            </div>
            <div>
              ${heatmap(s.tables.learned, { caption: 'Learned table after training (position × feature)', rowLabels: positions, colLabels: features, scale: 'signed' })}
              ${heatmap(selfAttention.rowSimilarity(s.tables.learned), { caption: 'Learned: cosine similarity of positions (lowest white, highest blue)', rowLabels: positions, colLabels: positions, scale: 'range' })}
            </div>`
        : ''}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'w1314-positions': W1314Positions;
  }
}
