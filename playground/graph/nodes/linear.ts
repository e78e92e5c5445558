// Layer: a fully connected (dense) layer, y = x Wᵀ + b. Its input size is read from the wire.
import { nn } from '../../../engine/index';
import Linear = nn.Linear;
import type { NodeTypeDef } from '../node-type';
import { formatType } from '../types';
import { typedInput, pyBool } from './util';

export const linear: NodeTypeDef = {
  type: 'linear',
  label: 'Linear',
  category: 'layer',
  help: 'Each output is a weighted sum of all inputs plus a bias. Training adjusts the weights. It acts on the last dimension, so (B, T, 64) → (B, T, out) works too.',
  inputs: [{ name: 'x', dtype: 'float32', shape: '(…, in)', help: 'Any float tensor; its last dimension is the number of input features.' }],
  outputs: [{ name: 'y', dtype: 'float32', shape: '(…, out)', help: 'The same leading dimensions, with out features.' }],
  params: [
    { kind: 'int', name: 'outFeatures', label: 'Output features', default: 8, min: 1, max: 4096, help: 'How many numbers each example comes out with (the number of units or neurons).' },
    { kind: 'bool', name: 'bias', label: 'Bias', default: true, help: 'Adds a learned constant to each output, so the layer can shift its result.' },
  ],
  infer(ctx) {
    const x = typedInput(ctx, 'x', 'float32', 'Token ids go through an Embedding first.');
    if (!x) return null;
    const inF = x.shape[x.shape.length - 1];
    if (typeof inF !== 'number') {
      ctx.error('unknown-size', `Linear needs a fixed number of input features, but its input ${formatType(x)} ends in ${inF ?? 'nothing'}.`, { port: 'x' });
      return null;
    }
    return { y: { shape: [...x.shape.slice(0, -1), ctx.int('outFeatures')], dtype: 'float32', positional: x.positional } };
  },
  compile(ctx) {
    const inF = ctx.inputs.x!.shape.at(-1) as number;
    const module = new Linear(inF, ctx.int('outFeatures'), { bias: ctx.bool('bias'), seed: ctx.seed, device: ctx.device });
    return { module, forward: (i) => ({ y: module.forward(i.x) }) };
  },
  pytorch(ctx) {
    const inF = ctx.inputs.x!.shape.at(-1) as number;
    return { init: `nn.Linear(${inF}, ${ctx.int('outFeatures')}, bias=${pyBool(ctx.bool('bias'))})`, forward: (a) => ({ y: `${ctx.attr}(${a.x})` }) };
  },
};
