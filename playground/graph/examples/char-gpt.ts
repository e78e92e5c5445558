import type { Example } from './types';

export const charGpt: Example = {
  id: 'char-gpt-names',
  title: 'A tiny GPT that invents names',
  description: 'Characters → embeddings + learned positions → two causal transformer blocks → next-character scores, trained on 8,000 first names.',
  graph: {
    format: 'gpu-learn.graph',
    version: 1,
    name: 'Char GPT on names',
    nodes: [
      { id: 'text_1', type: 'text', params: { corpus: 'names', blockSize: 8 }, position: { x: 0, y: 100 } },
      { id: 'embedding_1', type: 'embedding', params: { numEmbeddings: 28, dim: 32 }, position: { x: 200, y: 100 } },
      { id: 'positional_1', type: 'positional', params: { kind: 'learned', maxLen: 8 }, position: { x: 400, y: 100 } },
      { id: 'transformer_1', type: 'transformer', params: { heads: 4, ffnDim: 128, causal: true }, position: { x: 600, y: 100 } },
      { id: 'transformer_2', type: 'transformer', params: { heads: 4, ffnDim: 128, causal: true }, position: { x: 800, y: 100 } },
      { id: 'layernorm_1', type: 'layernorm', params: {}, position: { x: 1000, y: 100 } },
      { id: 'linear_1', type: 'linear', params: { outFeatures: 28 }, position: { x: 1200, y: 100 } },
      { id: 'crossentropy_1', type: 'crossentropy', params: {}, position: { x: 1400, y: 150 } },
    ],
    edges: [
      { from: 'text_1.tokens', to: 'embedding_1.ids' },
      { from: 'embedding_1.y', to: 'positional_1.x' },
      { from: 'positional_1.y', to: 'transformer_1.x' },
      { from: 'transformer_1.y', to: 'transformer_2.x' },
      { from: 'transformer_2.y', to: 'layernorm_1.x' },
      { from: 'layernorm_1.y', to: 'linear_1.x' },
      { from: 'linear_1.y', to: 'crossentropy_1.logits' },
      { from: 'text_1.next', to: 'crossentropy_1.target' },
    ],
    train: { optimizer: 'adam', lr: 0.003, batchSize: 32, seed: 0 },
  },
};
