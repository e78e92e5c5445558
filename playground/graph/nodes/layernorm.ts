// Layer: layer normalisation over the last dimension.
import { nn } from '../../../engine/index';
import LayerNorm = nn.LayerNorm;
import type { NodeTypeDef } from '../node-type';
import { formatType } from '../types';
import { typedInput } from './util';

export const layernorm: NodeTypeDef = {
  type: 'layernorm',
  label: 'LayerNorm',
  category: 'layer',
  help: 'Rescales each vector to mean 0 and variance 1, then applies a learned scale and shift. It keeps numbers in a healthy range in deep networks.',
  inputs: [{ name: 'x', dtype: 'float32', shape: '(…, D)', help: 'Normalised over its last dimension.' }],
  outputs: [{ name: 'y', dtype: 'float32', shape: '(…, D)', help: 'The same shape.' }],
  params: [{ kind: 'float', name: 'eps', label: 'Epsilon', default: 1e-5, min: 1e-12, max: 0.1, step: 1e-5, help: 'A small number added to the variance so that nothing divides by zero.' }],
  infer(ctx) {
    const x = typedInput(ctx, 'x', 'float32');
    if (!x) return null;
    if (typeof x.shape.at(-1) !== 'number') {
      ctx.error('unknown-size', `LayerNorm needs a fixed last dimension, but its input is ${formatType(x)}.`, { port: 'x' });
      return null;
    }
    return { y: { ...x } };
  },
  compile(ctx) {
    const module = new LayerNorm(ctx.inputs.x!.shape.at(-1) as number, ctx.float('eps'), { device: ctx.device });
    return { module, forward: (i) => ({ y: module.forward(i.x) }) };
  },
  pytorch: (ctx) => ({ init: `nn.LayerNorm(${ctx.inputs.x!.shape.at(-1) as number}, eps=${ctx.float('eps')})`, forward: (a) => ({ y: `${ctx.attr}(${a.x})` }) }),
};
