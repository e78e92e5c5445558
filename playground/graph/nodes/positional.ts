// Layer: positional encoding. Attention alone ignores word order; this node gives it positions, in one of four
// ways (see engine/nn/positional.ts): sinusoidal or learned vectors added to the input, or ALiBi or RoPE, which
// act inside the attention layers downstream (the node then passes its input on, marked for them).
import { identity, nn } from '../../../engine/index';
import LearnedPositionalEmbedding = nn.LearnedPositionalEmbedding;
import SinusoidalPositionalEncoding = nn.SinusoidalPositionalEncoding;
import type { NodeTypeDef } from '../node-type';
import { formatType, type InAttentionPositional } from '../types';
import { PY_LEARNED, PY_SINUSOIDAL } from './python';
import { typedInput } from './util';

export const positional: NodeTypeDef = {
  type: 'positional',
  label: 'Positional encoding',
  category: 'layer',
  help: 'Attention on its own cannot tell "dog bites man" from "man bites dog". This adds each token\'s position: as a fixed wave pattern (sinusoidal), as a learned vector (learned), or inside attention as a distance penalty (ALiBi) or a rotation (RoPE).',
  inputs: [{ name: 'x', dtype: 'float32', shape: '(B, T, D)', help: 'One vector per position, usually from an Embedding.' }],
  outputs: [{ name: 'y', dtype: 'float32', shape: '(B, T, D)', help: 'The same shape, now carrying positions.' }],
  params: [
    { kind: 'choice', name: 'kind', label: 'Kind', default: 'learned', options: ['sinusoidal', 'learned', 'alibi', 'rope'], help: 'sinusoidal: fixed waves (the original Transformer). learned: a trained table (GPT-2). alibi: attention prefers nearby tokens. rope: queries and keys rotate by position (LLaMA).' },
    { kind: 'int', name: 'maxLen', label: 'Longest sequence', default: 64, min: 1, max: 4096, help: 'The most positions the table covers (sinusoidal and learned). It must be at least the sequence length T.' },
  ],
  infer(ctx) {
    const x = typedInput(ctx, 'x', 'float32', 'Token ids go through an Embedding first.');
    if (!x) return null;
    const kind = ctx.choice('kind');
    if (x.shape.length < 2) {
      ctx.error('shape-mismatch', `Positional encoding needs a sequence of vectors (B, T, D), but gets ${formatType(x)}.`, { port: 'x' });
      return null;
    }
    const T = x.shape.at(-2)!;
    const D = x.shape.at(-1)!;
    if (typeof D !== 'number') {
      ctx.error('unknown-size', `Positional encoding needs a fixed vector size, but its input is ${formatType(x)}.`, { port: 'x' });
      return null;
    }
    const len = typeof T === 'number' ? T : ctx.dim(T);
    if ((kind === 'sinusoidal' || kind === 'learned') && len !== undefined && len > ctx.int('maxLen')) {
      ctx.error('param-out-of-range', `Longest sequence is ${ctx.int('maxLen')}, but the input has ${typeof T === 'number' ? T : `${T} = ${len}`} positions: raise it to at least ${len}.`, { param: 'maxLen' });
    }
    if (kind === 'alibi' || kind === 'rope') return { y: { ...x, positional: kind as InAttentionPositional } };
    return { y: { ...x, positional: undefined } };
  },
  compile(ctx) {
    const D = ctx.inputs.x!.shape.at(-1) as number;
    const kind = ctx.choice('kind');
    if (kind === 'sinusoidal') {
      const module = new SinusoidalPositionalEncoding(D, ctx.int('maxLen'));
      return { module, forward: (i) => ({ y: module.forward(i.x) }) };
    }
    if (kind === 'learned') {
      const module = new LearnedPositionalEmbedding(ctx.int('maxLen'), D, { seed: ctx.seed, device: ctx.device });
      return { module, forward: (i) => ({ y: module.forward(i.x) }) };
    }
    // ALiBi and RoPE live in the attention layers; the stream passes through as a new handle on the same storage,
    // so this node still has its own output for hooks, and the gradient flows straight through.
    return { forward: (i) => ({ y: identity(i.x) }) };
  },
  pytorch(ctx) {
    const D = ctx.inputs.x!.shape.at(-1) as number;
    const kind = ctx.choice('kind');
    if (kind === 'sinusoidal') return { init: `SinusoidalPositionalEncoding(${D}, ${ctx.int('maxLen')})`, helpers: [PY_SINUSOIDAL], forward: (a) => ({ y: `${ctx.attr}(${a.x})` }) };
    if (kind === 'learned') return { init: `LearnedPositionalEmbedding(${ctx.int('maxLen')}, ${D})`, helpers: [PY_LEARNED], forward: (a) => ({ y: `${ctx.attr}(${a.x})` }) };
    return { forward: (a) => ({ y: `${a.x}  # ${kind} positions are applied inside attention` }) };
  },
};
