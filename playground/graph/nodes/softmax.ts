// Layer: turns scores into probabilities that sum to 1 along one dimension.
import type { NodeTypeDef } from '../node-type';
import { normDim } from '../dims';
import { formatType } from '../types';
import { typedInput } from './util';

export const softmax: NodeTypeDef = {
  type: 'softmax',
  label: 'Softmax',
  category: 'layer',
  help: 'Turns a row of scores into probabilities: exponentiate, then divide by the sum. Cross-entropy already includes it, so put Softmax only where you want to see probabilities.',
  inputs: [{ name: 'x', dtype: 'float32', shape: '(…)', help: 'Any float tensor.' }],
  outputs: [{ name: 'y', dtype: 'float32', shape: '(…)', help: 'The same shape; values in (0, 1) that sum to 1 along the chosen dimension.' }],
  params: [{ kind: 'int', name: 'dim', label: 'Dimension', default: -1, min: -8, max: 7, help: 'Which dimension sums to 1; −1 is the last.' }],
  infer(ctx) {
    const x = typedInput(ctx, 'x', 'float32');
    if (!x) return null;
    if (normDim(ctx.int('dim'), x.shape.length) === null) {
      ctx.error('param-out-of-range', `Dimension ${ctx.int('dim')} does not exist in the input ${formatType(x)}.`, { param: 'dim' });
      return null;
    }
    return { y: { ...x } };
  },
  compile: (ctx) => ({ forward: (i) => ({ y: i.x.softmax(ctx.int('dim')) }) }),
  pytorch: (ctx) => ({ forward: (a) => ({ y: `torch.softmax(${a.x}, dim=${ctx.int('dim')})` }) }),
};
