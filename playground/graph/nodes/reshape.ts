// Layer: gives each example a new shape with the same number of values (the batch dimension is kept).
import type { NodeTypeDef } from '../node-type';
import { formatShape, formatType, type Dim } from '../types';

/** "28, 28" or "-1, 7" → [28, 28] / [-1, 7]; null when the text is not a list of positive ints and at most one −1. */
export function parseShape(text: string): number[] | null {
  const parts = text.split(',').map((s) => s.trim());
  if (!parts.length || parts.some((p) => !/^(-1|[1-9][0-9]{0,6})$/.test(p))) return null;
  const dims = parts.map(Number);
  return dims.filter((d) => d === -1).length <= 1 ? dims : null;
}

export const reshape: NodeTypeDef = {
  type: 'reshape',
  label: 'Reshape',
  category: 'layer',
  help: 'Arranges the values of each example into a new shape, for example 784 pixels into a 28×28 image. The first (batch) dimension stays; the number of values per example must not change. One dimension may be −1, meaning "whatever fits".',
  inputs: [{ name: 'x', dtype: 'any', shape: '(B, …)', help: 'Any tensor whose dimensions after the first are known numbers.' }],
  outputs: [{ name: 'y', dtype: 'any', shape: '(B, shape…)', help: 'The same values in the new shape.' }],
  params: [
    {
      kind: 'text', name: 'shape', label: 'Shape per example', default: '-1', maxLength: 64, pattern: /^\s*(-1|[1-9][0-9]{0,6})(\s*,\s*(-1|[1-9][0-9]{0,6}))*\s*$/, example: '28, 28',
      help: 'The new dimensions after the batch dimension, separated by commas. −1 once means "fill in the rest".',
    },
  ],
  infer(ctx) {
    const x = ctx.input('x');
    if (!x) return null;
    const dims = parseShape(ctx.text('shape'));
    if (!dims) return null; // reported as a parameter problem by the generic checks
    const rest = x.shape.slice(1);
    if (x.shape.length < 1 || rest.some((d) => typeof d !== 'number')) {
      ctx.error('unknown-size', `Reshape needs the dimensions after the first to be fixed numbers, but its input is ${formatType(x)}.`, { port: 'x' });
      return null;
    }
    const have = (rest as number[]).reduce((a, b) => a * b, 1);
    const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    const out: Dim[] = dims.includes(-1) ? dims.map((d) => (d === -1 ? have / known : d)) : dims;
    const want = out.reduce((a: number, b) => a * (b as number), 1);
    if (want !== have || out.some((d) => !Number.isInteger(d))) {
      ctx.error(
        'shape-mismatch',
        `Reshape can't turn ${formatType(x)} into ${formatShape([x.shape[0], ...dims])}: each example has ${have} values, but the new shape holds ${dims.includes(-1) ? `a multiple of ${known}` : want}.`,
        { param: 'shape' },
      );
      return null;
    }
    return { y: { ...x, shape: [x.shape[0], ...out] } };
  },
  compile(ctx) {
    const per = ctx.outputs.y.shape.slice(1) as number[];
    return { forward: (i) => ({ y: i.x.reshape([i.x.shape[0], ...per]) }) };
  },
  pytorch(ctx) {
    const per = ctx.outputs.y.shape.slice(1) as number[];
    return { forward: (a) => ({ y: `${a.x}.reshape(${a.x}.shape[0], ${per.join(', ')})` }) };
  },
};

export const flatten: NodeTypeDef = {
  type: 'flatten',
  label: 'Flatten',
  category: 'layer',
  help: 'Joins the dimensions from "start" onward into one, for example a (B, 28, 28) image into (B, 784), so a Linear layer can read it.',
  inputs: [{ name: 'x', dtype: 'any', shape: '(B, …)', help: 'Any tensor whose dimensions from "start" on are known numbers.' }],
  outputs: [{ name: 'y', dtype: 'any', shape: '(B, n)', help: 'The leading dimensions, then one dimension holding the product of the rest.' }],
  params: [{ kind: 'int', name: 'startDim', label: 'Start dimension', default: 1, min: 1, max: 7, help: 'The first dimension to join; 1 keeps the batch dimension.' }],
  infer(ctx) {
    const x = ctx.input('x');
    if (!x) return null;
    const start = ctx.int('startDim');
    if (start >= x.shape.length) {
      ctx.error('param-out-of-range', `Start dimension ${start} does not exist in the input ${formatType(x)}.`, { param: 'startDim' });
      return null;
    }
    const tail = x.shape.slice(start);
    if (tail.some((d) => typeof d !== 'number')) {
      ctx.error('unknown-size', `Flatten can only join fixed-size dimensions, but ${formatType(x)} has ${tail.filter((d) => typeof d !== 'number').join(', ')} from dimension ${start} on.`, { port: 'x' });
      return null;
    }
    return { y: { ...x, shape: [...x.shape.slice(0, start), (tail as number[]).reduce((a, b) => a * b, 1)] } };
  },
  compile(ctx) {
    const lead = ctx.int('startDim');
    const n = ctx.outputs.y.shape.at(-1) as number;
    return { forward: (i) => ({ y: i.x.reshape([...i.x.shape.slice(0, lead), n]) }) };
  },
  pytorch: (ctx) => ({ forward: (a) => ({ y: `torch.flatten(${a.x}, start_dim=${ctx.int('startDim')})` }) }),
};
