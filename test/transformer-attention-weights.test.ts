// The attention maps a transformer layer hands out for visualisation (TransformerEncoderLayer.selfAttentionWeights,
// TransformerDecoderLayer.attentionWeights) are the ones its forward pass uses: with the feed-forward block's last
// projection zeroed, the layer's output is rebuilt here from those weights alone (each map times the values it
// mixes, through out_proj, the residuals and the norms), pre-LN and post-LN, and equals encode()/decode(). Weights
// taken from the wrong sub-layer input (norm1 for norm2, the layer input for the normalised one) would not rebuild
// it. On the CPU backend, the oracle: nothing here is a new kernel.
import { beforeAll, describe, expect, test } from 'vitest';
import { init, noGrad, randn, tidy, zeros, nn, functional as F, type Tensor } from '../engine/index';
import { expectAllClose } from './helpers';

const { TransformerEncoderLayer, TransformerDecoderLayer } = nn;

beforeAll(async () => {
  await init({ backend: 'cpu' });
});

const B = 2;
const T = 5;
const S = 7;
const E = 12;
const H = 3;

/**
 * Zeroes linear2, so that the feed-forward sub-layer adds nothing and the output is the attention sub-layers'; and
 * gives each LayerNorm its own scale and shift, so that reading the wrong norm's output shows.
 */
function prepare(layer: { linear2: nn.Linear; norm1: nn.LayerNorm; norm2: nn.LayerNorm; norm3?: nn.LayerNorm }): void {
  layer.linear2.weight = zeros(layer.linear2.weight.shape);
  layer.linear2.bias = zeros([E]);
  [layer.norm1, layer.norm2, layer.norm3].forEach((norm, i) => {
    if (!norm) return;
    norm.weight = randn([E], { seed: 20 + i }).mul(0.3).add(1);
    norm.bias = randn([E], { seed: 30 + i }).mul(0.3);
  });
}

/** out_proj(weights @ V(x)): what an attention sub-layer outputs, given its weights (B, H, Tq, Tk) and keys x (B, Tk, E). */
function mix(attn: nn.MultiHeadAttention, weights: Tensor, x: Tensor): Tensor {
  const w = attn.in_proj_weight.slice(0, 2 * E, 3 * E); // (E, E), the value rows
  const b = attn.in_proj_bias!.slice(0, 2 * E, 3 * E);
  const v = F.linear(x, w, b).reshape([B, x.shape[1], H, E / H]).permute(0, 2, 1, 3); // (B, H, Tk, d)
  const out = weights.matmul(v).permute(0, 2, 1, 3).reshape([B, weights.shape[2], E]); // (B, Tq, E)
  return attn.out_proj.forward(out);
}

describe('transformer layers: attention weights for the views', () => {
  test.each([true, false])('encoder layer (normFirst %s): the weights rebuild encode(), causal rows sum to 1', async (normFirst) => {
    const layer = new TransformerEncoderLayer(E, H, { seed: 3, dropout: 0, normFirst, dimFeedforward: 9 });
    prepare(layer);
    layer.train(false);
    const src = randn([B, T, E], { seed: 4 });
    const [w, y, rebuilt] = noGrad(() =>
      tidy(() => {
        const w = layer.selfAttentionWeights(src, { causal: true }); // (B, H, T, T)
        const y = layer.encode(src, { causal: true });
        const rebuilt = normFirst
          ? src.add(mix(layer.self_attn, w, layer.norm1.forward(src)))
          : layer.norm2.forward(layer.norm1.forward(src.add(mix(layer.self_attn, w, src))));
        return [w, y, rebuilt];
      }),
    );
    expect(w.shape).toEqual([B, H, T, T]);
    expectAllClose(await rebuilt.toArray(), await y.toArray(), { atol: 1e-5, rtol: 1e-4 });
    const v = await w.toArray();
    for (let r = 0; r < B * H * T; r++) {
      const row = v.subarray(r * T, (r + 1) * T);
      expect(Array.from(row).reduce((a, c) => a + c, 0)).toBeCloseTo(1, 5);
      for (let j = (r % T) + 1; j < T; j++) expect(row[j]).toBe(0); // query r % T never sees a later key
    }
  });

  test.each([true, false])('decoder layer (normFirst %s): self and cross weights rebuild decode()', async (normFirst) => {
    const layer = new TransformerDecoderLayer(E, H, { seed: 5, dropout: 0, normFirst, dimFeedforward: 9 });
    prepare(layer);
    layer.train(false);
    const tgt = randn([B, T, E], { seed: 6 });
    const memory = randn([B, S, E], { seed: 7 });
    const [self, cross, y, rebuilt] = noGrad(() =>
      tidy(() => {
        const { self, cross } = layer.attentionWeights(tgt, memory);
        const y = layer.decode(tgt, memory);
        let rebuilt: Tensor;
        if (normFirst) {
          const x1 = tgt.add(mix(layer.self_attn, self, layer.norm1.forward(tgt)));
          rebuilt = x1.add(mix(layer.multihead_attn, cross, memory));
        } else {
          const x1 = layer.norm1.forward(tgt.add(mix(layer.self_attn, self, tgt)));
          rebuilt = layer.norm3.forward(layer.norm2.forward(x1.add(mix(layer.multihead_attn, cross, memory))));
        }
        return [self, cross, y, rebuilt];
      }),
    );
    expect(self.shape).toEqual([B, H, T, T]);
    expect(cross.shape).toEqual([B, H, T, S]);
    expectAllClose(await rebuilt.toArray(), await y.toArray(), { atol: 1e-5, rtol: 1e-4 });
    // The decoder's self-attention is causal by default, as in decode().
    const v = await self.toArray();
    expect(v[1]).toBe(0);
  });
});
