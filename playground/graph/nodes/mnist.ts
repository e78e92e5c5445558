// Data: 10,000 handwritten digits from the `mnist` package.
import type { NodeTypeDef } from '../node-type';
import { mnistSource } from '../data/mnist';
import { dataRuntime } from './util';

export const mnist: NodeTypeDef = {
  type: 'mnist',
  label: 'MNIST digits',
  category: 'data',
  help: 'Handwritten digits 0–9, each a 28×28 grey image flattened into 784 numbers between 0 and 1. Part of them is held back to measure accuracy on digits the network never trained on.',
  inputs: [],
  outputs: [
    { name: 'image', dtype: 'float32', shape: '(B, 784)', help: 'The 784 pixel intensities of each image, row by row. Use Reshape to get (B, 28, 28).' },
    { name: 'label', dtype: 'int32', shape: '(B)', help: 'The digit each image shows, 0 to 9.' },
  ],
  params: [
    { kind: 'float', name: 'testFraction', label: 'Held-out fraction', default: 0.2, min: 0.05, max: 0.5, step: 0.05, help: 'The share of digits kept aside for measuring accuracy.' },
  ],
  infer: () => ({ image: { shape: ['B', 784], dtype: 'float32' }, label: { shape: ['B'], dtype: 'int32', classes: 10 } }),
  compile: (ctx) => dataRuntime(ctx.node.id, ['image', 'label']),
  pytorch: () => ({ forward: () => ({}) }),
  source: (p) => mnistSource(p.float('testFraction')),
};
