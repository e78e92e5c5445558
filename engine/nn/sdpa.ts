// The one place the attention modules (MultiHeadAttention, and through it the transformer layers, GPT and BERT)
// get scaled dot-product attention from. Both implementations share one signature:
//   sdpa(q (B, H, Tq, d), k (B, H, Tk, d), v (B, H, Tk, dv), { causal, mask, scale, alibiSlopes, window, returnWeights })
//
// It is the fused WGSL kernel of issue 5 (ops/attention.ts; it falls back to its own composed path where the
// fused kernels cannot serve a shape). To run the modules on the composed version in this folder instead
// (matmul → softmax → matmul, same signature and semantics), replace the export below with:
//   export { scaledDotProductAttention as sdpa } from './attention-composed';
export { scaledDotProductAttention as sdpa } from '../ops/attention';
