// Layer: a transformer block — attention then a small two-layer network, each wrapped in a residual connection
// and a LayerNorm. With "memory" connected it is a decoder block that also attends to the encoder's output.
import { nn } from '../../../engine/index';
import TransformerDecoderLayer = nn.TransformerDecoderLayer;
import TransformerEncoderLayer = nn.TransformerEncoderLayer;
import type { NodeTypeDef } from '../node-type';
import { PY_TRANSFORMER } from './python';
import { checkMemory, checkSequence } from './attention';
import { pyBool, pyFloat } from './util';

export const transformer: NodeTypeDef = {
  type: 'transformer',
  label: 'Transformer Block',
  category: 'layer',
  help: 'The building block of GPT and BERT: self-attention lets positions share information, then a feed-forward network processes each position. Residual connections and LayerNorm keep deep stacks trainable. Connect "memory" to make it a decoder block with cross-attention.',
  inputs: [
    { name: 'x', dtype: 'float32', shape: '(B, T, D)', help: 'A sequence of vectors.' },
    { name: 'memory', dtype: 'float32', shape: '(B, S, D)', help: 'Optional: the encoder\'s output, for a decoder block.', optional: true },
  ],
  outputs: [{ name: 'y', dtype: 'float32', shape: '(B, T, D)', help: 'The same shape, each vector updated.' }],
  params: [
    { kind: 'int', name: 'heads', label: 'Heads', default: 4, min: 1, max: 64, help: 'Attention heads. The vector size must divide by it.' },
    { kind: 'int', name: 'ffnDim', label: 'Feed-forward size', default: 128, min: 1, max: 16384, help: 'Width of the hidden layer inside the block; usually 4 × the vector size.' },
    { kind: 'float', name: 'dropout', label: 'Dropout', default: 0, min: 0, max: 0.5, step: 0.05, help: 'Dropout inside the block while training.' },
    { kind: 'bool', name: 'causal', label: 'Causal', default: false, help: 'Each position may only look at earlier ones (GPT, and every decoder).' },
    { kind: 'choice', name: 'norm', label: 'LayerNorm placement', default: 'pre', options: ['pre', 'post'], help: 'pre: normalise before each sub-layer (GPT-2; trains easily). post: after the residual add (the original Transformer, BERT).' },
    { kind: 'choice', name: 'activation', label: 'Activation', default: 'gelu', options: ['gelu', 'relu'], help: 'The nonlinearity in the feed-forward network.' },
  ],
  infer(ctx) {
    const heads = ctx.int('heads');
    const x = checkSequence(ctx, 'x', heads);
    if (!x) return null;
    const m = checkMemory(ctx, x, 'memory', heads);
    if (m === false) return null;
    return { y: { ...x } };
  },
  compile(ctx) {
    const x = ctx.inputs.x!;
    const D = x.shape[2] as number;
    const opts = {
      seed: ctx.seed,
      device: ctx.device,
      dimFeedforward: ctx.int('ffnDim'),
      dropout: ctx.float('dropout'),
      activation: ctx.choice('activation') as 'gelu' | 'relu',
      normFirst: ctx.choice('norm') === 'pre',
      positional: x.positional ?? ('none' as const),
    };
    const causal = ctx.bool('causal');
    if (ctx.inputs.memory) {
      const module = new TransformerDecoderLayer(D, ctx.int('heads'), opts);
      return {
        module,
        forward: (i) => ({ y: module.decode(i.x, i.memory, { causal }) }),
        attention(i) {
          const { self, cross } = module.attentionWeights(i.x, i.memory, { causal });
          return [
            { kind: 'self', weights: self, queries: 'x', keys: 'x' },
            { kind: 'cross', weights: cross, queries: 'x', keys: 'memory' },
          ];
        },
      };
    }
    const module = new TransformerEncoderLayer(D, ctx.int('heads'), opts);
    return {
      module,
      forward: (i) => ({ y: module.encode(i.x, { causal }) }),
      attention: (i) => [{ kind: 'self', weights: module.selfAttentionWeights(i.x, { causal }), queries: 'x', keys: 'x' }],
    };
  },
  pytorch(ctx) {
    const x = ctx.inputs.x!;
    const cross = ctx.inputs.memory !== undefined;
    const pos = x.positional ?? 'none';
    const args = [
      `${x.shape[2] as number}`, `${ctx.int('heads')}`, `${ctx.int('ffnDim')}`, `dropout=${pyFloat(ctx.float('dropout'))}`,
      `activation="${ctx.choice('activation')}"`, `norm_first=${pyBool(ctx.choice('norm') === 'pre')}`,
      ...(pos !== 'none' ? [`positional="${pos}"`] : []), ...(cross ? ['cross=True'] : []),
    ];
    return {
      init: `TransformerLayer(${args.join(', ')})`,
      helpers: PY_TRANSFORMER,
      imports: ['import math'],
      forward: (a) => ({ y: `${ctx.attr}(${a.x}${cross ? `, ${a.memory}` : ''}, causal=${pyBool(ctx.bool('causal'))})` }),
    };
  },
};
