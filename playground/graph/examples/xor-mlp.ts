import type { Example } from './types';

export const xorMlp: Example = {
  id: 'xor-mlp',
  title: 'XOR with a hidden layer',
  description: 'Two inputs, eight tanh units, two outputs: the smallest network that can learn XOR.',
  graph: {
    format: 'gpu-learn.graph',
    version: 1,
    name: 'XOR MLP',
    nodes: [
      { id: 'xor_1', type: 'xor', params: {}, position: { x: 0, y: 100 } },
      { id: 'linear_1', type: 'linear', params: { outFeatures: 8 }, position: { x: 200, y: 100 } },
      { id: 'tanh_1', type: 'tanh', params: {}, position: { x: 400, y: 100 } },
      { id: 'linear_2', type: 'linear', params: { outFeatures: 2 }, position: { x: 600, y: 100 } },
      { id: 'crossentropy_1', type: 'crossentropy', params: {}, position: { x: 800, y: 150 } },
    ],
    edges: [
      { from: 'xor_1.x', to: 'linear_1.x' },
      { from: 'linear_1.y', to: 'tanh_1.x' },
      { from: 'tanh_1.y', to: 'linear_2.x' },
      { from: 'linear_2.y', to: 'crossentropy_1.logits' },
      { from: 'xor_1.label', to: 'crossentropy_1.target' },
    ],
    train: { optimizer: 'adam', lr: 0.05, batchSize: 4, seed: 0 },
  },
};
