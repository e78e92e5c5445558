// Data: two interleaved spirals, TensorFlow Playground's hardest toy problem.
import type { NodeTypeDef } from '../node-type';
import { spiralsSource } from '../data/toy';
import { dataRuntime } from './util';

export const spirals: NodeTypeDef = {
  type: 'spirals',
  label: 'Two spirals',
  category: 'data',
  help: 'Points on two spirals that wind around each other. Separating them needs a curved boundary, so it takes more hidden units than XOR.',
  inputs: [],
  outputs: [
    { name: 'x', dtype: 'float32', shape: '(B, 2)', help: 'The (x, y) coordinates of each point.' },
    { name: 'label', dtype: 'int32', shape: '(B)', help: 'Which spiral each point is on: 0 or 1.' },
  ],
  params: [
    { kind: 'float', name: 'turns', label: 'Turns', default: 1, min: 0.25, max: 3, step: 0.25, help: 'How many times each spiral winds around the centre. More turns is harder.' },
    { kind: 'float', name: 'noise', label: 'Noise', default: 0.05, min: 0, max: 0.5, step: 0.01, help: 'How far points scatter from their spiral.' },
  ],
  infer: () => ({ x: { shape: ['B', 2], dtype: 'float32' }, label: { shape: ['B'], dtype: 'int32', classes: 2 } }),
  compile: (ctx) => dataRuntime(ctx.node.id, ['x', 'label']),
  pytorch: () => ({ forward: () => ({}) }),
  source: (p) => spiralsSource(p.float('turns'), p.float('noise')),
};
