import type { Example } from './types';

export const mnistMlp: Example = {
  id: 'mnist-mlp',
  title: 'Handwritten digits (MLP)',
  description: '784 pixels → 128 ReLU units → 10 digit scores. Reaches about 90% accuracy in a few hundred steps.',
  graph: {
    format: 'gpu-learn.graph',
    version: 1,
    name: 'MNIST MLP',
    nodes: [
      { id: 'mnist_1', type: 'mnist', params: {}, position: { x: 0, y: 100 } },
      { id: 'linear_1', type: 'linear', params: { outFeatures: 128 }, position: { x: 200, y: 100 } },
      { id: 'relu_1', type: 'relu', params: {}, position: { x: 400, y: 100 } },
      { id: 'linear_2', type: 'linear', params: { outFeatures: 10 }, position: { x: 600, y: 100 } },
      { id: 'crossentropy_1', type: 'crossentropy', params: {}, position: { x: 800, y: 150 } },
    ],
    edges: [
      { from: 'mnist_1.image', to: 'linear_1.x' },
      { from: 'linear_1.y', to: 'relu_1.x' },
      { from: 'relu_1.y', to: 'linear_2.x' },
      { from: 'linear_2.y', to: 'crossentropy_1.logits' },
      { from: 'mnist_1.label', to: 'crossentropy_1.target' },
    ],
    train: { optimizer: 'adam', lr: 0.002, batchSize: 64, seed: 0 },
  },
};
