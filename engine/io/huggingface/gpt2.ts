// GPT-2 in Hugging Face's layout (transformers' GPT2Model / GPT2LMHeadModel) ↔ the engine's GPT.
//
// The architectures are the same (pre-LN blocks, learned positions, a final LayerNorm, the head tied to wte); only
// names and storage differ:
//   wte.weight (V, E), wpe.weight (P, E)                       → wte.weight, wpe.weight
//   h.i.ln_1 / ln_2 / ln_f                                       → h.i.norm1 / norm2 / ln_f
//   h.i.attn.c_attn.weight (E, 3E), Conv1D: y = x W + b          → h.i.self_attn.in_proj_weight (3E, E), transposed;
//     its output columns are q | k | v, which after the transpose are exactly in_proj_weight's row blocks
//   h.i.attn.c_proj.weight (E, E)                                → h.i.self_attn.out_proj.weight, transposed
//   h.i.mlp.c_fc.weight (E, F), h.i.mlp.c_proj.weight (F, E)     → h.i.linear1.weight (F, E), linear2.weight (E, F), transposed
// Keys may carry "transformer." (GPT2LMHeadModel) or not (GPT2Model). lm_head.weight is the tied wte and is skipped;
// the causal-mask buffers attn.bias and attn.masked_bias that older checkpoints saved are skipped too.
import type { GPT, GPTConfig } from '../../nn/gpt';
import { withoutInitDraws } from '../../random';
import {
  checkpointTensors, HuggingFaceError, loadCheckpoint, writeCheckpoint,
  type HuggingFaceLoadOptions, type HuggingFaceWeights, type KeyPlan, type KeyTarget,
} from './checkpoint';

/** The config.json fields this loader reads (transformers' GPT2Config), and those toHuggingFace writes. */
export interface GPT2Config {
  model_type: 'gpt2';
  vocab_size: number;
  n_positions: number;
  n_embd: number;
  n_layer: number;
  n_head: number;
  /** Width of the feed-forward block; null means 4·n_embd. */
  n_inner?: number | null;
  activation_function?: string;
  layer_norm_epsilon?: number;
  tie_word_embeddings?: boolean;
  [field: string]: unknown;
}

type Activation = NonNullable<GPTConfig['activation']>;

/** transformers' ACT2FN names → ours. gelu_new, gelu_fast and gelu_pytorch_tanh are all 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))). */
const ACTIVATIONS: Record<string, Activation> = {
  gelu_new: 'geluTanh',
  gelu_pytorch_tanh: 'geluTanh',
  gelu_fast: 'geluTanh',
  gelu: 'gelu',
  relu: 'relu',
};

const EXPORTED_ACTIVATION: Record<Activation, string> = { geluTanh: 'gelu_new', gelu: 'gelu', relu: 'relu' };

function sizeField(config: Record<string, unknown>, name: string): number {
  const v = config[name];
  if (v === undefined || v === null) throw new HuggingFaceError(`config.json: "${name}" is missing; GPT-2 needs it`);
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw new HuggingFaceError(`config.json: "${name}" must be a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

/** A GPT-2 config.json → our GPTConfig, rejecting what the engine's GPT cannot represent. */
export function gpt2Config(config: unknown): Omit<GPTConfig, 'seed' | 'device'> {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new HuggingFaceError('config.json: expected the parsed JSON object');
  const c = config as Record<string, unknown>;
  if (c.model_type !== 'gpt2') {
    throw new HuggingFaceError(
      `config.json: model_type ${c.model_type === undefined ? 'is missing' : JSON.stringify(c.model_type)}; GPT.fromHuggingFace loads "gpt2" checkpoints` +
        (c.model_type === 'bert' ? ' (use BERT.fromHuggingFace)' : ''),
    );
  }
  const nEmbd = sizeField(c, 'n_embd');
  const nHead = sizeField(c, 'n_head');
  if (nEmbd % nHead !== 0) throw new HuggingFaceError(`config.json: n_embd ${nEmbd} is not divisible by n_head ${nHead}`);
  const act = c.activation_function ?? 'gelu_new'; // transformers' default
  if (typeof act !== 'string' || !Object.hasOwn(ACTIVATIONS, act)) {
    throw new HuggingFaceError(`config.json: unknown activation_function ${JSON.stringify(act)}; supported: ${Object.keys(ACTIVATIONS).join(', ')}`);
  }
  const eps = c.layer_norm_epsilon ?? 1e-5;
  if (typeof eps !== 'number' || !(eps > 0)) throw new HuggingFaceError(`config.json: layer_norm_epsilon must be a positive number, got ${JSON.stringify(eps)}`);
  const nInner = c.n_inner === undefined || c.n_inner === null ? 4 * nEmbd : sizeField(c, 'n_inner');
  if (c.tie_word_embeddings === false) {
    throw new HuggingFaceError('config.json: tie_word_embeddings is false; only GPT-2 models whose head is tied to wte (as every released GPT-2) are supported');
  }
  // Variants of the attention that the engine's GPT does not compute.
  if (c.scale_attn_weights === false) throw new HuggingFaceError('config.json: scale_attn_weights false (unscaled attention) is not supported');
  if (c.scale_attn_by_inverse_layer_idx === true) throw new HuggingFaceError('config.json: scale_attn_by_inverse_layer_idx is not supported');
  if (c.add_cross_attention === true) throw new HuggingFaceError('config.json: add_cross_attention (a GPT-2 decoder with cross-attention) is not supported');
  return {
    vocabSize: sizeField(c, 'vocab_size'),
    blockSize: sizeField(c, 'n_positions'),
    nLayer: sizeField(c, 'n_layer'),
    nHead,
    nEmbd,
    dropout: 0, // a loaded model is for inference; dropout would make logits() random in training mode
    positional: 'learned',
    activation: ACTIVATIONS[act],
    layerNormEps: eps,
    dimFeedforward: nInner,
  };
}

/** Checkpoint key (without "transformer.") → our parameter, for `nLayer` blocks. */
export function gpt2KeyPlan(nLayer: number): KeyPlan {
  const targets = new Map<string, KeyTarget>([
    ['wte.weight', { param: 'wte.weight' }],
    ['wpe.weight', { param: 'wpe.weight' }],
  ]);
  for (let i = 0; i < nLayer; i++) {
    const hf = `h.${i}.`;
    const ours = `h.${i}.`;
    const add = (key: string, param: string, transpose = false): void => void targets.set(hf + key, { param: ours + param, transpose });
    add('ln_1.weight', 'norm1.weight');
    add('ln_1.bias', 'norm1.bias');
    add('attn.c_attn.weight', 'self_attn.in_proj_weight', true); // (E, 3E) → (3E, E)
    add('attn.c_attn.bias', 'self_attn.in_proj_bias');
    add('attn.c_proj.weight', 'self_attn.out_proj.weight', true); // (E, E), stored (in, out)
    add('attn.c_proj.bias', 'self_attn.out_proj.bias');
    add('ln_2.weight', 'norm2.weight');
    add('ln_2.bias', 'norm2.bias');
    add('mlp.c_fc.weight', 'linear1.weight', true); // (E, F) → (F, E)
    add('mlp.c_fc.bias', 'linear1.bias');
    add('mlp.c_proj.weight', 'linear2.weight', true); // (F, E) → (E, F)
    add('mlp.c_proj.bias', 'linear2.bias');
  }
  targets.set('ln_f.weight', { param: 'ln_f.weight' });
  targets.set('ln_f.bias', { param: 'ln_f.bias' });
  return {
    targets,
    prefixes: ['transformer.'],
    ignore: [/^h\.\d+\.attn\.(bias|masked_bias)$/, /^lm_head\.weight$/],
  };
}

/** Builds a GPT from a Hugging Face GPT-2 checkpoint. `build` is GPT's constructor (passed in to avoid an import cycle). */
export async function gpt2FromHuggingFace(
  build: (config: GPTConfig) => GPT,
  weights: HuggingFaceWeights,
  config: unknown,
  opts: HuggingFaceLoadOptions = {},
): Promise<GPT> {
  const ours = gpt2Config(config);
  // Every parameter is overwritten by the checkpoint, so none is drawn at random first.
  const model = withoutInitDraws(() => build({ ...ours, device: opts.device }));
  await loadCheckpoint(model, gpt2KeyPlan(ours.nLayer), weights, opts);
  return model;
}

/** GPT2LMHeadModel's model.safetensors (keys "transformer.…", the tied lm_head omitted) and a config.json for it. */
export async function gpt2ToHuggingFace(model: GPT): Promise<{ weights: Uint8Array; config: GPT2Config }> {
  const c = model.config;
  if (c.positional !== 'learned') {
    throw new HuggingFaceError(`toHuggingFace: this GPT uses ${c.positional} positions; GPT-2 has only a learned position table (positional: 'learned')`);
  }
  const tensors = await checkpointTensors(model, gpt2KeyPlan(c.nLayer), 'transformer.');
  const config: GPT2Config = {
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    vocab_size: c.vocabSize,
    n_positions: c.blockSize,
    n_ctx: c.blockSize,
    n_embd: c.nEmbd,
    n_layer: c.nLayer,
    n_head: c.nHead,
    n_inner: c.dimFeedforward === 4 * c.nEmbd ? null : c.dimFeedforward,
    activation_function: EXPORTED_ACTIVATION[c.activation],
    layer_norm_epsilon: c.layerNormEps,
    resid_pdrop: c.dropout,
    embd_pdrop: c.dropout,
    attn_pdrop: 0, // the engine's attention has no dropout
    initializer_range: 0.02,
    scale_attn_weights: true,
    use_cache: true,
    tie_word_embeddings: true,
    torch_dtype: 'float32',
  };
  return { weights: writeCheckpoint(tensors), config };
}
