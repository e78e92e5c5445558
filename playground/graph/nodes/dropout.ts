// Layer: dropout, which zeroes random activations while training.
import { nn } from '../../../engine/index';
import Dropout = nn.Dropout;
import type { NodeTypeDef } from '../node-type';
import { typedInput } from './util';

export const dropout: NodeTypeDef = {
  type: 'dropout',
  label: 'Dropout',
  category: 'layer',
  help: 'While training, sets each number to 0 with probability p and scales the rest up, so the network cannot rely on any single unit. It does nothing when evaluating.',
  inputs: [{ name: 'x', dtype: 'float32', shape: '(…)', help: 'Any float tensor.' }],
  outputs: [{ name: 'y', dtype: 'float32', shape: '(…)', help: 'The same shape.' }],
  params: [{ kind: 'float', name: 'p', label: 'Drop probability', default: 0.1, min: 0, max: 0.9, step: 0.05, help: 'The chance that each number is dropped. 0 turns dropout off.' }],
  infer(ctx) {
    const x = typedInput(ctx, 'x', 'float32');
    return x ? { y: { ...x } } : null;
  },
  compile(ctx) {
    const module = new Dropout(ctx.float('p'), { seed: ctx.seed });
    return { module, forward: (i) => ({ y: module.forward(i.x) }) };
  },
  pytorch: (ctx) => ({ init: `nn.Dropout(p=${ctx.float('p')})`, forward: (a) => ({ y: `${ctx.attr}(${a.x})` }) }),
};
