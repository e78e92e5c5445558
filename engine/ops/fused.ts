// The second tier of kernels: ops whose forward is one hand-written kernel (or a short fixed sequence) rather
// than a pointwise record (ops/pointwise.ts). Each has a record naming the backend kernels of both directions and
// what its backward reads, and runs through fused(), which takes the forward and the backward together: a fused
// op cannot be written without its gradient rule (a type error), nor produce an output that autograd never sees.
import type { KernelName } from '../backend/backend';
import type { Tensor } from '../tensor';
import { isGradEnabled, record, save } from '../autograd';
import type { OpTable } from './pointwise';

export type FusedOp =
  | 'matmul' | 'linear' | 'softmax' | 'logSoftmax' | 'layerNorm' | 'crossEntropy' | 'embedding' | 'dropout'
  | 'scaledDotProductAttention' | 'scan';

export interface FusedDef {
  /** The backend kernel the forward runs. */
  forward: KernelName;
  /** The backend kernel the backward runs, or 'composed' where the rule is written with other ops. */
  backward: KernelName | 'composed';
  /** What the backward reads, in the order the op saves it. */
  saves: readonly string[];
}

export const FUSED: OpTable<FusedOp, FusedDef> = {
  matmul: { forward: 'matmul', backward: 'matmul', saves: ['b (when a needs a gradient)', 'a (when b needs one)'] },
  linear: { forward: 'matmul', backward: 'matmul', saves: ['x (when W needs a gradient)', 'W (when x needs one)', 'the output (relu, tanh, sigmoid epilogues)'] },
  softmax: { forward: 'softmax', backward: 'softmaxBackward', saves: ['the output'] },
  logSoftmax: { forward: 'softmax', backward: 'softmaxBackward', saves: ['the output'] },
  layerNorm: { forward: 'layerNorm', backward: 'layerNormBackward', saves: ['x', 'weight', 'mean', 'rstd'] },
  crossEntropy: { forward: 'crossEntropy', backward: 'crossEntropyBackward', saves: ['logits', 'targets'] },
  embedding: { forward: 'gather', backward: 'scatterAdd', saves: ['indices'] },
  dropout: { forward: 'dropoutMask', backward: 'composed', saves: ['the mask'] },
  scaledDotProductAttention: {
    forward: 'attentionForward', backward: 'attentionBackward', saves: ['q', 'k', 'v', 'out', 'logsumexp', 'mask', 'ALiBi slopes'],
  },
  scan: { forward: 'scan', backward: 'scanBackward', saves: ['a', 'the output h'] },
};

/** What a fused op's forward hands back. */
export interface FusedForward {
  out: Tensor;
  /** What the backward reads (null where nothing is needed), kept only when a gradient will flow. */
  saves: ReadonlyArray<Tensor | null>;
  /** Tensors made for the forward only, disposed once `saves` are kept. */
  temps?: ReadonlyArray<Tensor | null>;
}

/**
 * Runs a fused op: `forward()` computes its output; when some input needs a gradient, `backward(g, saved)` is
 * recorded with `saves` kept for it, in the same order (null stays null). Returns the output. The forward's
 * kernels are FUSED[name].forward's; `name` must have a record there.
 */
export function fused(
  name: FusedOp,
  inputs: readonly Tensor[],
  forward: () => FusedForward,
  backward: (g: Tensor, saved: ReadonlyArray<Tensor | null>) => Array<Tensor | null>,
  /** The graph node's name when it says more than the op's (linear+relu). */
  label: string = name,
): Tensor {
  const f = forward();
  const needs = isGradEnabled() && inputs.some((t) => t.requiresGrad);
  const saved = needs ? f.saves.map((t) => (t ? save(t) : null)) : [];
  for (const t of f.temps ?? []) if (t && t !== f.out) t.dispose();
  if (!needs) return f.out;
  return record(label, f.out, [...inputs], (g) => backward(g, saved), saved.filter((t): t is Tensor => t !== null));
}
