// PyTorch's torch.nn.functional, for the ops that take more than one tensor or options.
export { layerNorm } from './ops/norm';
export { crossEntropy, type CrossEntropyOptions } from './ops/loss';
export { embedding } from './ops/gather';
export { dropout } from './ops/dropout';
export { softmax, logSoftmax } from './ops/softmax';
import type { Tensor } from './tensor';

export const relu = (x: Tensor): Tensor => x.relu();
/** GELU, exact by default; `{ approximate: 'tanh' }` for GPT-2's tanh approximation (PyTorch's F.gelu names). */
export const gelu = (x: Tensor, opts: { approximate?: 'none' | 'tanh' } = {}): Tensor => x.gelu(opts);
export { linear } from './ops/matmul';
export const tanh = (x: Tensor): Tensor => x.tanh();
export const sigmoid = (x: Tensor): Tensor => x.sigmoid();
export { scaledDotProductAttention, type AttentionOptions, type AttentionProbeOptions, type AttentionWithWeights } from './ops/attention';
export { stridedBlockLayout, layoutDensity, type BlockLayout, type StridedLayoutOptions } from './ops/sparse-layout';
export { scan } from './ops/scan';
export { clipLoss, contrastiveLogits, normalize, MAX_LOGIT_SCALE } from './ops/contrastive';
