// Layers: the elementwise nonlinearities. Without one between them, stacked Linear layers collapse into a single
// Linear layer; each is a one-line rule, so the four share this file.
import { nn } from '../../../engine/index';
import GELU = nn.GELU;
import ReLU = nn.ReLU;
import Sigmoid = nn.Sigmoid;
import Tanh = nn.Tanh;
import Module = nn.Module;
import type { NodeTypeDef } from '../node-type';
import { typedInput } from './util';

function activation(type: string, label: string, help: string, make: () => Module, py: string): NodeTypeDef {
  return {
    type,
    label,
    category: 'layer',
    help,
    inputs: [{ name: 'x', dtype: 'float32', shape: '(…)', help: 'Any float tensor.' }],
    outputs: [{ name: 'y', dtype: 'float32', shape: '(…)', help: 'The same shape, each number transformed on its own.' }],
    params: [],
    infer(ctx) {
      const x = typedInput(ctx, 'x', 'float32');
      return x ? { y: { ...x } } : null;
    },
    compile() {
      const module = make();
      return { module, forward: (i) => ({ y: module.forward(i.x) }) };
    },
    pytorch: (ctx) => ({ init: py, forward: (a) => ({ y: `${ctx.attr}(${a.x})` }) }),
  };
}

export const relu = activation('relu', 'ReLU', 'Keeps positive numbers and turns negative ones into 0: max(0, x). Simple, fast, and the usual default.', () => new ReLU(), 'nn.ReLU()');
export const gelu = activation('gelu', 'GELU', 'A smooth ReLU: small negative numbers pass a little. Transformers use it.', () => new GELU(), 'nn.GELU()');
export const tanh = activation('tanh', 'Tanh', 'Squashes every number into (−1, 1) along an S-curve.', () => new Tanh(), 'nn.Tanh()');
export const sigmoid = activation('sigmoid', 'Sigmoid', 'Squashes every number into (0, 1), like a probability.', () => new Sigmoid(), 'nn.Sigmoid()');
