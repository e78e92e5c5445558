// The runs the page states on load: the same small encoder-decoder trained three times on the reversal task with a
// short seeded schedule on the CPU backend, once whole, once without its residual connections and once without its
// layer norms, all from the same starting weights and batches. The whole model is kept for the attention widget.
// test/course.week-15-16.test.ts checks exactly these runs.
import { dispose } from '../../../../engine/index';
import { trainReversal, mirrorAlignment, type ReversalRun, type ReversalTrainOptions } from '../../../../engine/course';
import { breathe } from '../../compute';


export const QUICK: ReversalTrainOptions = {
  dModel: 16, nHead: 2, layers: 1, ffn: 32, seed: 0, device: 'cpu',
  steps: 80, batch: 12, lr: 0.01, warmup: 0, labelSmoothing: 0,
  minLen: 3, maxLen: 5, testSize: 60, every: 20, onProgress: breathe,
};

/** Held-out strings whose cross-attention the alignment share is measured on. */
export const ALIGN_SOURCES = 12;

export interface QuickAblation {
  /** The whole model, trained (its parameters stay allocated for the attention widget). */
  full: ReversalRun;
  noResidual: { accuracy: number; heldOutLoss: number };
  noNorm: { accuracy: number; heldOutLoss: number };
  /** Share of output digits whose strongest cross-attention (last layer, mean over heads) is on the mirrored source digit. */
  alignment: number;
  /** The same share for attention spread evenly over the source: 1/n per digit, averaged. */
  alignmentChance: number;
}

async function scoreOnly(opts: ReversalTrainOptions): Promise<{ accuracy: number; heldOutLoss: number }> {
  const r = await trainReversal(opts);
  dispose(r.model.parameters());
  return { accuracy: r.accuracy, heldOutLoss: r.heldOutLoss };
}

let quick: Promise<QuickAblation> | null = null;

/** The three quick runs, made once per page (or per test file) and shared by the prose and the widgets. */
export function quickAblation(): Promise<QuickAblation> {
  quick ??= (async () => {
    const full = await trainReversal(QUICK);
    const noResidual = await scoreOnly({ ...QUICK, ablation: { residual: false, layerNorm: true } });
    const noNorm = await scoreOnly({ ...QUICK, ablation: { residual: true, layerNorm: false } });
    const { share, chance } = await mirrorAlignment(full.model, full.split.test.slice(0, ALIGN_SOURCES));
    return { full, noResidual, noNorm, alignment: share, alignmentChance: chance };
  })();
  quick.catch(() => (quick = null));
  return quick;
}
