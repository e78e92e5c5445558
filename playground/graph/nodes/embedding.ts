// Layer: a lookup table from token ids to learned vectors.
import { nn } from '../../../engine/index';
import Embedding = nn.Embedding;
import type { NodeTypeDef } from '../node-type';
import { typedInput } from './util';

export const embedding: NodeTypeDef = {
  type: 'embedding',
  label: 'Embedding',
  category: 'layer',
  help: 'Turns each token id into a learned vector: row i of a table for id i. Similar tokens end up with similar vectors as the model trains.',
  inputs: [{ name: 'ids', dtype: 'int32', shape: '(…)', help: 'Whole-number ids, each below the vocabulary size.' }],
  outputs: [{ name: 'y', dtype: 'float32', shape: '(…, dim)', help: 'One vector of size dim per id.' }],
  params: [
    { kind: 'int', name: 'numEmbeddings', label: 'Vocabulary size', default: 32, min: 1, max: 65536, help: 'Rows of the table: one per possible id. It must cover every id the data produces.' },
    { kind: 'int', name: 'dim', label: 'Vector size', default: 32, min: 1, max: 4096, help: 'Numbers per vector (often called d_model). Bigger vectors can hold more meaning.' },
  ],
  infer(ctx) {
    const ids = typedInput(ctx, 'ids', 'int32', 'An Embedding looks up token ids; feed real-valued features to a Linear layer instead.');
    if (!ids) return null;
    const rows = ctx.int('numEmbeddings');
    if (ids.classes !== undefined && ids.classes > rows) {
      ctx.error('param-out-of-range', `Vocabulary size is ${rows}, but the ids go up to ${ids.classes - 1}: set it to at least ${ids.classes}.`, { param: 'numEmbeddings' });
    }
    return { y: { shape: [...ids.shape, ctx.int('dim')], dtype: 'float32' } };
  },
  compile(ctx) {
    const module = new Embedding(ctx.int('numEmbeddings'), ctx.int('dim'), { seed: ctx.seed, device: ctx.device });
    return { module, forward: (i) => ({ y: module.forward(i.ids) }) };
  },
  pytorch: (ctx) => ({ init: `nn.Embedding(${ctx.int('numEmbeddings')}, ${ctx.int('dim')})`, forward: (a) => ({ y: `${ctx.attr}(${a.ids})` }) }),
};
