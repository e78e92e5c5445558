// Layer: multi-head attention. Every position looks at every other (or, causally, at earlier ones) and takes a
// weighted mix of their values; several heads do this in parallel on slices of the vectors.
import { nn, type Tensor } from '../../../engine/index';
import MultiHeadAttention = nn.MultiHeadAttention;
import type { InferContext, NodeTypeDef } from '../node-type';
import { formatType, type TensorType } from '../types';
import { PY_MHA } from './python';
import { pyBool, typedInput } from './util';

/** Checks a (B, T, D) float sequence whose D splits into `heads`; shared with the transformer block. */
export function checkSequence(ctx: InferContext, port: string, heads: number): TensorType | undefined {
  const x = typedInput(ctx, port, 'float32', 'Token ids go through an Embedding first.');
  if (!x) return undefined;
  if (x.shape.length !== 3) {
    ctx.error('shape-mismatch', `Attention needs a sequence of vectors (B, T, D) on "${port}", but gets ${formatType(x)}.`, { port });
    return undefined;
  }
  const D = x.shape[2];
  if (typeof D !== 'number') {
    ctx.error('unknown-size', `Attention needs a fixed vector size D, but "${port}" is ${formatType(x)}.`, { port });
    return undefined;
  }
  if (D % heads !== 0) {
    ctx.error('param-out-of-range', `Heads must divide the vector size evenly: ${D} numbers can't be split into ${heads} heads. Try ${divisors(D).join(', ')}.`, { param: 'heads' });
    return undefined;
  }
  if (x.positional === 'rope' && (D / heads) % 2 !== 0) {
    ctx.error('param-out-of-range', `RoPE rotates pairs of numbers, so each head needs an even size; ${D} / ${heads} heads = ${D / heads}.`, { param: 'heads' });
    return undefined;
  }
  return x;
}

/** Checks that `memory` (B, S, D) can be attended to from x (B, T, D). */
export function checkMemory(ctx: InferContext, x: TensorType, port: string, heads: number): TensorType | undefined | false {
  if (!ctx.input(port)) return undefined;
  const m = checkSequence(ctx, port, heads);
  if (!m) return false;
  if (m.shape[0] !== x.shape[0] || m.shape[2] !== x.shape[2]) {
    ctx.error('shape-mismatch', `"${port}" must have the same batch and vector size as the input: the input is ${formatType(x)} but "${port}" is ${formatType(m)}.`, { port });
    return false;
  }
  return m;
}

function divisors(n: number): number[] {
  return Array.from({ length: Math.min(n, 16) }, (_, i) => i + 1).filter((d) => n % d === 0);
}

export const attention: NodeTypeDef = {
  type: 'attention',
  label: 'Multi-Head Attention',
  category: 'layer',
  help: 'Each position asks a question (query), every position offers an answer (key and value), and each position takes a mix of the values whose keys match its query best. Connect "memory" to attend to another sequence (cross-attention).',
  inputs: [
    { name: 'x', dtype: 'float32', shape: '(B, T, D)', help: 'The sequence that asks (queries); also the one attended to when memory is unconnected.' },
    { name: 'memory', dtype: 'float32', shape: '(B, S, D)', help: 'Optional: another sequence to attend to, such as an encoder\'s output.', optional: true },
  ],
  outputs: [
    { name: 'y', dtype: 'float32', shape: '(B, T, D)', help: 'One mixed vector per position.' },
    { name: 'weights', dtype: 'float32', shape: '(B, H, T, S)', help: 'How much each position attended to each other one, per head. Computed only when something reads it.' },
  ],
  params: [
    { kind: 'int', name: 'heads', label: 'Heads', default: 4, min: 1, max: 64, help: 'Independent attention patterns computed side by side. The vector size must divide by it.' },
    { kind: 'bool', name: 'causal', label: 'Causal', default: false, help: 'Each position may only look at itself and earlier ones, as when predicting the next token.' },
  ],
  infer(ctx) {
    const heads = ctx.int('heads');
    const x = checkSequence(ctx, 'x', heads);
    if (!x) return null;
    const m = checkMemory(ctx, x, 'memory', heads);
    if (m === false) return null;
    const S = m ? m.shape[1] : x.shape[1];
    return { y: { ...x }, weights: { shape: [x.shape[0], heads, x.shape[1], S], dtype: 'float32' } };
  },
  compile(ctx) {
    const x = ctx.inputs.x!;
    const cross = ctx.inputs.memory !== undefined;
    // Positions act on self-attention only; queries and keys from two sequences have no shared positions.
    const module = new MultiHeadAttention(x.shape[2] as number, ctx.int('heads'), {
      seed: ctx.seed, device: ctx.device, positional: cross ? 'none' : (x.positional ?? 'none'),
    });
    const causal = ctx.bool('causal');
    return {
      module,
      forward(i, run): Record<string, Tensor> {
        const needWeights = run.wants(ctx.node.id, 'weights');
        const r = module.attend(i.x, { key: i.memory, value: i.memory, causal, needWeights });
        return r.weights ? { y: r.output, weights: r.weights } : { y: r.output };
      },
    };
  },
  pytorch(ctx) {
    const x = ctx.inputs.x!;
    const cross = ctx.inputs.memory !== undefined;
    const pos = cross ? 'none' : (x.positional ?? 'none');
    return {
      init: `MultiHeadAttention(${x.shape[2] as number}, ${ctx.int('heads')}${pos !== 'none' ? `, positional="${pos}"` : ''})`,
      helpers: PY_MHA,
      imports: ['import math'],
      forward: (a) => ({ y: `${ctx.attr}(${a.x}${cross ? `, ${a.memory}` : ''}, causal=${pyBool(ctx.bool('causal'))})` }),
    };
  },
};
