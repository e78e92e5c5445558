// Layer: picks one entry along a dimension and drops that dimension, e.g. the class token's state (B, 1 + N, D) →
// (B, D) with dim 1, index 0, which the classifier head then reads. PyTorch's x.select(dim, index).
import type { NodeTypeDef } from '../node-type';
import { normDim } from '../dims';
import { formatType } from '../types';

export const select: NodeTypeDef = {
  type: 'select',
  label: 'Select',
  category: 'layer',
  help: 'Keeps one position of a sequence and drops the rest, for example the class token at index 0 so that a Linear layer can classify from it. Index −1 is the last position (the token that has read the whole text in a GPT).',
  inputs: [{ name: 'x', dtype: 'any', shape: '(B, …, n, …)', help: 'Any tensor with a fixed size along the chosen dimension.' }],
  outputs: [{ name: 'y', dtype: 'any', shape: '(B, …, …)', help: 'The chosen entry: the input without the chosen dimension.' }],
  params: [
    { kind: 'int', name: 'dim', label: 'Dimension', default: 1, min: -8, max: 7, help: 'The dimension to pick from; 1 is the sequence in (B, T, D), −1 the last. The batch dimension 0 is kept.' },
    { kind: 'int', name: 'index', label: 'Index', default: 0, min: -4096, max: 4095, help: 'Which entry to keep: 0 is the first (the class token), −1 the last.' },
  ],
  infer(ctx) {
    const x = ctx.input('x');
    if (!x) return null;
    const d = normDim(ctx.int('dim'), x.shape.length);
    if (d === null) {
      ctx.error('param-out-of-range', `Dimension ${ctx.int('dim')} does not exist in the input ${formatType(x)}.`, { param: 'dim' });
      return null;
    }
    if (d === 0) {
      ctx.error('param-out-of-range', `Select keeps the batch dimension: choose a dimension after the first in ${formatType(x)}.`, { param: 'dim' });
      return null;
    }
    const n = x.shape[d];
    const size = typeof n === 'number' ? n : ctx.dim(n);
    if (size === undefined) {
      ctx.error('unknown-size', `Select needs a known size along dimension ${ctx.int('dim')}, but the input is ${formatType(x)}.`, { port: 'x' });
      return null;
    }
    const index = ctx.int('index');
    if (index < -size || index >= size) {
      ctx.error('param-out-of-range', `Index ${index} is outside dimension ${ctx.int('dim')} of ${formatType(x)}, which has ${size} entries (0 to ${size - 1}, or −1 to −${size} from the end).`, { param: 'index' });
      return null;
    }
    return { y: { ...x, shape: x.shape.filter((_, i) => i !== d) } };
  },
  compile(ctx) {
    const [dim, index] = [ctx.int('dim'), ctx.int('index')];
    return { forward: (i) => ({ y: i.x.select(dim, index) }) };
  },
  pytorch: (ctx) => ({ forward: (a) => ({ y: `${a.x}.select(${ctx.int('dim')}, ${ctx.int('index')})` }) }),
};
