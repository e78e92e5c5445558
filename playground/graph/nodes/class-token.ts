// Layer: a learned class token put in front of every sequence, as in BERT's [CLS] and the vision transformer. It
// has no content of its own; through attention it gathers what the classifier needs from the other tokens, and a
// Select node then reads its final state. Its one parameter is named cls_token, as in timm's VisionTransformer.
import { cat, nn, tidy, zeros, type DeviceName, type Tensor } from '../../../engine/index';
import Module = nn.Module;
import type { NodeTypeDef, PyHelper } from '../node-type';
import { formatType } from '../types';
import { typedInput } from './util';

/** (B, T, D) → (B, 1 + T, D): one learned (1, 1, D) vector, shared by the batch, before each sequence. */
export class ClassToken extends Module {
  cls_token: Tensor;

  constructor(readonly dim: number, opts: { device?: DeviceName } = {}) {
    super();
    // Zeros, as the original JAX ViT starts it: positions are added next, and attention gives it a gradient.
    this.cls_token = zeros([1, 1, dim], { device: opts.device, requiresGrad: true });
  }

  forward(x: Tensor): Tensor {
    return tidy(() => cat([this.cls_token.expand([x.shape[0], 1, this.dim]), x], 1)); // (B, 1 + T, D)
  }

  protected override describe(): string {
    return `dim=${this.dim}`;
  }
}

const PY_CLASS_TOKEN: PyHelper = {
  name: 'ClassToken',
  code: `class ClassToken(nn.Module):
    """(B, T, D) → (B, 1 + T, D): a learned vector before each sequence, as ViT's cls_token."""

    def __init__(self, dim):
        super().__init__()
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))

    def forward(self, x):
        return torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1)`,
};

export const classtoken: NodeTypeDef = {
  type: 'classtoken',
  label: 'Class token',
  category: 'layer',
  help: 'Puts one learned vector in front of every sequence. It carries no input of its own: attention lets it collect what it needs from the other tokens, and a Select node (index 0) then reads it for the classifier, as in BERT and the vision transformer.',
  inputs: [{ name: 'x', dtype: 'float32', shape: '(B, T, D)', help: 'A sequence of vectors, such as embedded patches.' }],
  outputs: [{ name: 'y', dtype: 'float32', shape: '(B, 1 + T, D)', help: 'The class token at position 0, then the input sequence.' }],
  params: [],
  infer(ctx) {
    const x = typedInput(ctx, 'x', 'float32', 'Token ids go through an Embedding first.');
    if (!x) return null;
    if (x.shape.length !== 3) {
      ctx.error('shape-mismatch', `Class token needs a sequence of vectors (B, T, D), but gets ${formatType(x)}.`, { port: 'x' });
      return null;
    }
    const [, T, D] = x.shape;
    if (typeof D !== 'number') {
      ctx.error('unknown-size', `Class token needs a fixed vector size D, but its input is ${formatType(x)}.`, { port: 'x' });
      return null;
    }
    // A symbolic length is resolved through its data node's binding, so the output is a plain number.
    const len = typeof T === 'number' ? T : ctx.dim(T);
    if (len === undefined) {
      ctx.error('unknown-size', `Class token needs a known sequence length, but its input is ${formatType(x)}.`, { port: 'x' });
      return null;
    }
    return { y: { ...x, shape: [x.shape[0], len + 1, D] } };
  },
  compile(ctx) {
    const module = new ClassToken(ctx.inputs.x!.shape[2] as number, { device: ctx.device });
    return { module, forward: (i) => ({ y: module.forward(i.x) }) };
  },
  pytorch: (ctx) => ({
    init: `ClassToken(${ctx.inputs.x!.shape[2] as number})`,
    helpers: [PY_CLASS_TOKEN],
    forward: (a) => ({ y: `${ctx.attr}(${a.x})` }),
  }),
};
