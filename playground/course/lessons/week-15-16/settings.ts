// The widgets' settings as plain data, with no DOM, so the prose can state them and Node tests can check them: the
// larger model the widgets train, how a training widget's choices become trainReversal options, and the sweep's
// base model and values.
import type { DeviceName } from '../../../../engine/index';
import type { ReversalTrainOptions } from '../../../../engine/course';
import { QUICK } from './quick';
import { SMOOTHING } from './exercises';

/** The model the widgets train: wider than the quick run's, on larger batches, scored on more held-out strings. */
export const TRAIN_MODEL = { dModel: 32, nHead: 4, ffn: 64, batch: 32, testSize: 100, every: 10 } as const;
/** Warmup, when on, ramps the rate over this share of the run's steps. */
export const WARMUP_SHARE = 0.2;

export const STEP_CHOICES = [150, 300, 600] as const;
export const LR_CHOICES = [0.003, 0.01, 0.03] as const;
export const LAYER_CHOICES = [1, 2, 3] as const;

/** One training run's settings (the training widget's value). */
export interface TrainValue {
  steps: number;
  lr: number;
  layers: number;
  residual: boolean;
  layerNorm: boolean;
  warmup: boolean;
  smoothing: boolean;
}

/** A run's settings in a few words, for its legend and table row. */
export function runLabel(v: TrainValue): string {
  const parts = [
    `${v.layers} layer${v.layers > 1 ? 's' : ''}`,
    v.residual ? 'residual' : 'no residual',
    v.layerNorm ? 'layer norm' : 'no layer norm',
    `lr ${v.lr}`,
    v.warmup ? `warmup ${Math.round(WARMUP_SHARE * v.steps)}` : 'no warmup',
    v.smoothing ? `ε = ${SMOOTHING}` : 'no smoothing',
  ];
  return `${parts.join(', ')}; ${v.steps} steps`;
}

/** The trainReversal options for a setting: the quick run's task and seed, the larger model, the chosen parts. */
export function trainOptions(v: TrainValue, device: DeviceName): ReversalTrainOptions {
  return {
    ...QUICK, ...TRAIN_MODEL, device, layers: v.layers, steps: v.steps, lr: v.lr,
    warmup: v.warmup ? Math.round(WARMUP_SHARE * v.steps) : 0, labelSmoothing: v.smoothing ? SMOOTHING : 0,
    ablation: { residual: v.residual, layerNorm: v.layerNorm },
  };
}

export type SweepAxis = 'heads' | 'layers' | 'width';
export const SWEEP_STEPS = [150, 300] as const;
/** The base model every sweep varies one setting of, and the values each axis tries. */
export const SWEEP_BASE = { dModel: 32, nHead: 4, layers: 1 } as const;
export const SWEEP_VALUES: Record<SweepAxis, readonly number[]> = { heads: [1, 2, 4, 8], layers: [1, 2, 3], width: [8, 16, 32, 64] };

/** The trainReversal options for one value of a sweep: the base model with one setting changed, feed-forward 2·width. */
export function sweepOptions(axis: SweepAxis, value: number, steps: number, device: DeviceName): ReversalTrainOptions {
  const model = {
    dModel: axis === 'width' ? value : SWEEP_BASE.dModel,
    nHead: axis === 'heads' ? value : SWEEP_BASE.nHead,
    layers: axis === 'layers' ? value : SWEEP_BASE.layers,
  };
  return { ...QUICK, ...TRAIN_MODEL, ...model, ffn: 2 * model.dModel, device, steps, every: 25 };
}

/** The model the attention widget's Train fits for a clearer picture. */
export const DEEP = { layers: 2, steps: 300 } as const;
