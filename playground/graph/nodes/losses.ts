// Losses: cross-entropy for classes and tokens, mean squared error for numbers. A loss compares a prediction with
// a target and gives one number that training makes smaller.
import { functional } from '../../../engine/index';
import crossEntropy = functional.crossEntropy;
import type { NodeTypeDef } from '../node-type';
import { sameShape } from '../dims';
import { formatShape, formatType } from '../types';
import { pyFloat, typedInput } from './util';

export const crossentropy: NodeTypeDef = {
  type: 'crossentropy',
  label: 'Cross-entropy loss',
  category: 'loss',
  help: 'For classification: turns each row of scores into probabilities (softmax) and measures how little probability went to the right class. 0 means always certain and right.',
  inputs: [
    { name: 'logits', dtype: 'float32', shape: '(…, C)', help: 'One raw score per class, usually from a Linear layer with C outputs. No Softmax needed.' },
    { name: 'target', dtype: 'int32', shape: '(…)', help: 'The right class of each row, from a data node.', target: true },
  ],
  outputs: [{ name: 'loss', dtype: 'float32', shape: '()', help: 'The mean loss over the batch.' }],
  params: [
    { kind: 'float', name: 'labelSmoothing', label: 'Label smoothing', default: 0, min: 0, max: 0.5, step: 0.05, help: 'Aims for slightly less than 100% on the right class, which can stop a model from growing overconfident.' },
  ],
  infer(ctx) {
    const logits = typedInput(ctx, 'logits', 'float32');
    const target = typedInput(ctx, 'target', 'int32', 'Cross-entropy needs class ids as the target; for numbers use the MSE loss.');
    if (!logits || !target) return null;
    if (logits.shape.length < 1 || !sameShape(logits.shape.slice(0, -1), target.shape)) {
      ctx.error(
        'shape-mismatch',
        `Cross-entropy needs one target per row of scores: scores ${formatType(logits)} want a target of shape ${formatShape(logits.shape.slice(0, -1))}, but the target is ${formatType(target)}.`,
        { port: 'target' },
      );
      return null;
    }
    const C = logits.shape.at(-1);
    if (target.classes !== undefined && C !== target.classes) {
      ctx.error(
        'shape-mismatch',
        `The scores ${formatType(logits)} give ${C} classes, but the target has ${target.classes} classes: make the layer before this give ${target.classes} outputs.`,
        { port: 'logits' },
      );
      return null;
    }
    return { loss: { shape: [], dtype: 'float32' } };
  },
  compile(ctx) {
    const labelSmoothing = ctx.float('labelSmoothing');
    return { forward: (i) => ({ loss: crossEntropy(i.logits, i.target, { labelSmoothing }) }) };
  },
  pytorch(ctx) {
    // PyTorch's cross_entropy wants classes in dim 1, so (…, C) scores are flattened to rows first.
    return {
      forward: (a) => ({
        loss: `F.cross_entropy(${a.logits}.reshape(-1, ${a.logits}.shape[-1]), ${a.target}.reshape(-1).long(), label_smoothing=${pyFloat(ctx.float('labelSmoothing'))})`,
      }),
    };
  },
};

export const mse: NodeTypeDef = {
  type: 'mse',
  label: 'MSE loss',
  category: 'loss',
  help: 'For predicting numbers: the average of (prediction − target)². Big misses cost much more than small ones.',
  inputs: [
    { name: 'prediction', dtype: 'float32', shape: '(…)', help: 'The predicted numbers.' },
    { name: 'target', dtype: 'float32', shape: '(…)', help: 'The right numbers, the same shape as the prediction.', target: true },
  ],
  outputs: [{ name: 'loss', dtype: 'float32', shape: '()', help: 'The mean squared error.' }],
  params: [],
  infer(ctx) {
    const p = typedInput(ctx, 'prediction', 'float32');
    const t = typedInput(ctx, 'target', 'float32', 'Class ids need the cross-entropy loss.');
    if (!p || !t) return null;
    if (!sameShape(p.shape, t.shape)) {
      ctx.error('shape-mismatch', `MSE compares numbers one by one, but the prediction is ${formatType(p)} and the target is ${formatType(t)}.`, { port: 'target' });
      return null;
    }
    return { loss: { shape: [], dtype: 'float32' } };
  },
  compile: () => ({
    forward: (i) => {
      const d = i.prediction.sub(i.target);
      const sq = d.square();
      d.dispose();
      const loss = sq.mean();
      sq.dispose();
      return { loss };
    },
  }),
  pytorch: () => ({ forward: (a) => ({ loss: `F.mse_loss(${a.prediction}, ${a.target})` }) }),
};
