// Layer: cuts images into square patches, the first step of a vision transformer (Dosovitskiy et al., 2020). Each
// patch becomes one token: (B, C, H, W) → (B, N, C·P·P) with N = (H/P)·(W/P), patches in reading order and each
// flattened channel by channel, row by row — nn.patchify's (c, y, x) order. A Linear after it is then the patch
// embedding (the same as a Conv2d with kernel = stride = P), and its weight moves to timm's patch_embed.proj.
import { nn } from '../../../engine/index';
import patchify = nn.patchify;
import type { NodeTypeDef, PyHelper } from '../node-type';
import { formatType } from '../types';
import { typedInput } from './util';

/** The same cut in PyTorch: split each side into (grid, P), bring the grid to the front, flatten each patch. */
const PY_PATCHIFY: PyHelper = {
  name: 'patchify',
  code: `def patchify(images, p):
    """(B, C, H, W) → (B, N, C·p·p): non-overlapping p × p patches in reading order, each flattened as (c, y, x)."""
    b, c, h, w = images.shape
    x = images.reshape(b, c, h // p, p, w // p, p)  # (B, C, gy, y, gx, x)
    x = x.permute(0, 2, 4, 1, 3, 5)  # (B, gy, gx, C, y, x)
    return x.reshape(b, (h // p) * (w // p), c * p * p)`,
};

export const patches: NodeTypeDef = {
  type: 'patches',
  label: 'Patches',
  category: 'layer',
  help: 'Cuts each image into square patches and flattens every patch into one vector, so a transformer can read the image as a sequence of patches, like words in a sentence. A Linear layer after it turns each patch into a token vector.',
  inputs: [{ name: 'x', dtype: 'float32', shape: '(B, C, H, W)', help: 'Images: channels, then height and width. Reshape MNIST\'s (B, 784) into 1, 28, 28 first.' }],
  outputs: [{ name: 'y', dtype: 'float32', shape: '(B, N, C·P·P)', help: 'One row per patch, left to right then top to bottom: N = (H/P)·(W/P) patches of C·P·P numbers.' }],
  params: [
    { kind: 'int', name: 'patchSize', label: 'Patch size', default: 7, min: 1, max: 256, help: 'The side P of each square patch in pixels. It must divide the image\'s height and width; smaller patches make longer sequences.' },
  ],
  infer(ctx) {
    const x = typedInput(ctx, 'x', 'float32');
    if (!x) return null;
    if (x.shape.length !== 4) {
      ctx.error('shape-mismatch', `Patches needs images (B, C, H, W), but gets ${formatType(x)}. Reshape flat pixels first, e.g. (B, 784) into "1, 28, 28".`, { port: 'x' });
      return null;
    }
    const [, C, H, W] = x.shape;
    if (typeof C !== 'number' || typeof H !== 'number' || typeof W !== 'number') {
      ctx.error('unknown-size', `Patches needs fixed channels, height and width, but its input is ${formatType(x)}.`, { port: 'x' });
      return null;
    }
    const P = ctx.int('patchSize');
    if (H % P !== 0 || W % P !== 0) {
      ctx.error('param-out-of-range', `Patch size ${P} does not divide the ${H}×${W} images of ${formatType(x)}: pick a divisor of both, such as ${commonDivisors(H, W).join(', ')}.`, { param: 'patchSize' });
      return null;
    }
    return { y: { shape: [x.shape[0], (H / P) * (W / P), C * P * P], dtype: 'float32' } };
  },
  compile(ctx) {
    const P = ctx.int('patchSize');
    return { forward: (i) => ({ y: patchify(i.x, P) }) };
  },
  pytorch: (ctx) => ({ helpers: [PY_PATCHIFY], forward: (a) => ({ y: `patchify(${a.x}, ${ctx.int('patchSize')})` }) }),
};

/** Divisors of both sides above 1 (at most six), for the error message. */
function commonDivisors(h: number, w: number): number[] {
  const out: number[] = [];
  for (let d = 2; d <= Math.min(h, w) && out.length < 6; d++) if (h % d === 0 && w % d === 0) out.push(d);
  return out.length ? out : [1];
}
