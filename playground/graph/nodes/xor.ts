// Data: the XOR truth table, the classic problem a single straight line cannot separate.
import type { NodeTypeDef } from '../node-type';
import { xorSource } from '../data/toy';
import { dataRuntime } from './util';

export const xor: NodeTypeDef = {
  type: 'xor',
  label: 'XOR',
  category: 'data',
  help: 'Four points at the corners of a square. The label is 1 when exactly one coordinate is 1. No single straight line separates the classes, so the network needs a hidden layer.',
  inputs: [],
  outputs: [
    { name: 'x', dtype: 'float32', shape: '(B, 2)', help: 'The (x, y) coordinates of each point.' },
    { name: 'label', dtype: 'int32', shape: '(B)', help: 'The class of each point: 0 or 1.' },
  ],
  params: [
    { kind: 'float', name: 'noise', label: 'Noise', default: 0, min: 0, max: 0.5, step: 0.05, help: 'Jitters each point by up to this much, so the network sees clouds instead of four exact corners.' },
  ],
  infer: () => ({ x: { shape: ['B', 2], dtype: 'float32' }, label: { shape: ['B'], dtype: 'int32', classes: 2 } }),
  compile: (ctx) => dataRuntime(ctx.node.id, ['x', 'label']),
  pytorch: () => ({ forward: () => ({}) }),
  source: (p) => xorSource(p.float('noise')),
};
