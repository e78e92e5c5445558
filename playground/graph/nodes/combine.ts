// Combinators: Add (residual connections) and Concat. Two tiny rules, so they share a file.
import { cat } from '../../../engine/index';
import type { NodeTypeDef } from '../node-type';
import { broadcast, normDim } from '../dims';
import { formatType, type TensorType } from '../types';
import { typedInput } from './util';

export const add: NodeTypeDef = {
  type: 'add',
  label: 'Add',
  category: 'combine',
  help: 'Adds two tensors number by number. Adding a block\'s input to its output is a residual connection: it lets gradients flow straight through deep networks.',
  inputs: [
    { name: 'a', dtype: 'float32', shape: '(…)', help: 'The first tensor.' },
    { name: 'b', dtype: 'float32', shape: '(…)', help: 'The second tensor: the same shape as a (or one that broadcasts, such as a single row).' },
  ],
  outputs: [{ name: 'y', dtype: 'float32', shape: '(…)', help: 'a + b.' }],
  params: [],
  infer(ctx) {
    const a = typedInput(ctx, 'a', 'float32');
    const b = typedInput(ctx, 'b', 'float32');
    if (!a || !b) return null;
    const shape = broadcast(a.shape, b.shape);
    if (!shape) {
      ctx.error('shape-mismatch', `Add needs matching shapes, but a is ${formatType(a)} and b is ${formatType(b)}.`, { port: 'b' });
      return null;
    }
    return { y: { shape, dtype: 'float32', positional: a.positional ?? b.positional } };
  },
  compile: () => ({ forward: (i) => ({ y: i.a.add(i.b) }) }),
  pytorch: () => ({ forward: (a) => ({ y: `${a.a} + ${a.b}` }) }),
};

export const concat: NodeTypeDef = {
  type: 'concat',
  label: 'Concat',
  category: 'combine',
  help: 'Joins two tensors end to end along one dimension, for example two feature vectors of 8 and 4 numbers into one of 12.',
  inputs: [
    { name: 'a', dtype: 'any', shape: '(…, n)', help: 'The first tensor.' },
    { name: 'b', dtype: 'any', shape: '(…, m)', help: 'The second tensor: the same shape as a except along the joined dimension.' },
  ],
  outputs: [{ name: 'y', dtype: 'any', shape: '(…, n + m)', help: 'a followed by b.' }],
  params: [{ kind: 'int', name: 'dim', label: 'Dimension', default: -1, min: -8, max: 7, help: 'The dimension to join along; −1 is the last.' }],
  infer(ctx) {
    const a = ctx.input('a');
    const b = ctx.input('b');
    if (!a || !b) return null;
    if (a.dtype !== b.dtype) {
      ctx.error('dtype-mismatch', `Concat joins tensors of one kind, but a is ${formatType(a)} and b is ${formatType(b)}.`, { port: 'b' });
      return null;
    }
    const d = normDim(ctx.int('dim'), a.shape.length);
    if (d === null) {
      ctx.error('param-out-of-range', `Dimension ${ctx.int('dim')} does not exist in ${formatType(a)}.`, { param: 'dim' });
      return null;
    }
    const ok = a.shape.length === b.shape.length && a.shape.every((x, i) => i === d || x === b.shape[i]);
    const [da, db] = [a.shape[d], b.shape[d]];
    if (!ok) {
      ctx.error('shape-mismatch', `Concat along dimension ${ctx.int('dim')} needs a and b to match elsewhere, but a is ${formatType(a)} and b is ${formatType(b)}.`, { port: 'b' });
      return null;
    }
    if (typeof da !== 'number' || typeof db !== 'number') {
      ctx.error('unknown-size', `Concat can only join along a fixed-size dimension, but it is ${da} in a and ${db} in b.`, { param: 'dim' });
      return null;
    }
    const shape = [...a.shape];
    shape[d] = da + db;
    const out: TensorType = { shape, dtype: a.dtype, positional: a.positional ?? b.positional };
    return { y: out };
  },
  compile: (ctx) => ({ forward: (i) => ({ y: cat([i.a, i.b], ctx.int('dim')) }) }),
  pytorch: (ctx) => ({ forward: (a) => ({ y: `torch.cat([${a.a}, ${a.b}], dim=${ctx.int('dim')})` }) }),
};
