import type { Example } from './types';

// A small ViT: 28×28 digits cut into 16 patches of 7×7, each embedded by a Linear layer, a class token in front,
// learned positions, two pre-LN transformer blocks, a final LayerNorm, and a head on the class token's state —
// nn.ViT's layout, built from general nodes.
export const mnistVit: Example = {
  id: 'mnist-vit',
  title: 'A vision transformer reads digits in patches',
  description: '28×28 digits → 16 patches of 7×7 → patch vectors + a class token + learned positions → two transformer blocks → the class token\'s state → 10 digit scores.',
  graph: {
    format: 'gpu-learn.graph',
    version: 1,
    name: 'MNIST ViT',
    nodes: [
      { id: 'mnist_1', type: 'mnist', params: {}, position: { x: 0, y: 100 } },
      { id: 'reshape_1', type: 'reshape', params: { shape: '1, 28, 28' }, position: { x: 200, y: 100 } },
      { id: 'patches_1', type: 'patches', params: { patchSize: 7 }, position: { x: 400, y: 100 } },
      { id: 'linear_1', type: 'linear', params: { outFeatures: 32 }, position: { x: 600, y: 100 } },
      { id: 'classtoken_1', type: 'classtoken', params: {}, position: { x: 800, y: 100 } },
      { id: 'positional_1', type: 'positional', params: { kind: 'learned', maxLen: 17 }, position: { x: 1000, y: 100 } },
      { id: 'transformer_1', type: 'transformer', params: { heads: 4, ffnDim: 64 }, position: { x: 1200, y: 100 } },
      { id: 'transformer_2', type: 'transformer', params: { heads: 4, ffnDim: 64 }, position: { x: 1400, y: 100 } },
      { id: 'layernorm_1', type: 'layernorm', params: {}, position: { x: 1600, y: 100 } },
      { id: 'select_1', type: 'select', params: { dim: 1, index: 0 }, position: { x: 1800, y: 100 } },
      { id: 'linear_2', type: 'linear', params: { outFeatures: 10 }, position: { x: 2000, y: 100 } },
      { id: 'crossentropy_1', type: 'crossentropy', params: {}, position: { x: 2200, y: 150 } },
    ],
    edges: [
      { from: 'mnist_1.image', to: 'reshape_1.x' },
      { from: 'reshape_1.y', to: 'patches_1.x' },
      { from: 'patches_1.y', to: 'linear_1.x' },
      { from: 'linear_1.y', to: 'classtoken_1.x' },
      { from: 'classtoken_1.y', to: 'positional_1.x' },
      { from: 'positional_1.y', to: 'transformer_1.x' },
      { from: 'transformer_1.y', to: 'transformer_2.x' },
      { from: 'transformer_2.y', to: 'layernorm_1.x' },
      { from: 'layernorm_1.y', to: 'select_1.x' },
      { from: 'select_1.y', to: 'linear_2.x' },
      { from: 'linear_2.y', to: 'crossentropy_1.logits' },
      { from: 'mnist_1.label', to: 'crossentropy_1.target' },
    ],
    train: { optimizer: 'adam', lr: 0.003, batchSize: 64, seed: 0 },
  },
};
