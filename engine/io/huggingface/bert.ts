// BERT in Hugging Face's layout (transformers' modeling_bert.py), read into nn.BERT and written back out.
//
// Checkpoint keys, as BertModel names them (BertForMaskedLM, BertForSequenceClassification and BertForPreTraining
// put "bert." in front of these, but never in front of their heads):
//   embeddings.{word,position,token_type}_embeddings.weight, embeddings.LayerNorm.{weight,bias}
//   encoder.layer.N.attention.self.{query,key,value}.{weight,bias}  → rows q; k; v of self_attn.in_proj_*
//   encoder.layer.N.attention.output.dense / .LayerNorm              → self_attn.out_proj / norm1
//   encoder.layer.N.intermediate.dense / output.dense / output.LayerNorm → linear1 / linear2 / norm2
//   pooler.dense                                                      → pooler
//   cls.predictions.transform.dense / .LayerNorm, cls.predictions.bias → the masked-LM head (decoder tied to
//                                                                        the word embeddings)
//   classifier                                                        → classifier
// nn.Linear stores (out, in) like ours, so nothing is transposed. Older checkpoints name LayerNorm parameters
// gamma/beta. Skipped: the position_ids / token_type_ids buffers, the next-sentence head cls.seq_relationship.*,
// and the decoder's copies of tied tensors (cls.predictions.decoder.weight is the word embeddings,
// cls.predictions.decoder.bias is cls.predictions.bias). The checkpoint machinery (checkpoint.ts) does the
// checking, reading and writing; this file is the config and the key plan.
import type { BERT, BertActivation, BertConfig } from '../../nn/bert';
import { withoutInitDraws } from '../../random';
import {
  checkpointKeys, checkpointTensors, HuggingFaceError, loadCheckpoint, writeCheckpoint,
  type HuggingFaceLoadOptions, type HuggingFaceWeights, type KeyPlan, type KeyTarget,
} from './checkpoint';
import type { TensorData } from '../safetensors';

/** The prefix the body's keys carry in the head classes' checkpoints. */
const PREFIX = 'bert.';

/** Older checkpoints (the original TensorFlow conversion) name LayerNorm's weight and bias gamma and beta. */
function renameOld(key: string): string {
  return key.replace(/LayerNorm\.gamma$/, 'LayerNorm.weight').replace(/LayerNorm\.beta$/, 'LayerNorm.bias');
}

/** transformers' hidden_act names we run, and ours. gelu_new, gelu_fast and gelu_pytorch_tanh are one formula. */
const ACTIVATIONS: Record<string, BertActivation> = {
  gelu: 'gelu', gelu_new: 'geluTanh', gelu_fast: 'geluTanh', gelu_pytorch_tanh: 'geluTanh', relu: 'relu',
};
const ACTIVATION_NAMES: Record<BertActivation, string> = { gelu: 'gelu', geluTanh: 'gelu_new', relu: 'relu' };

/** transformers' BertConfig defaults, used for fields a config.json leaves out (as from_pretrained does). */
const DEFAULTS = {
  vocab_size: 30522, hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12, intermediate_size: 3072,
  max_position_embeddings: 512, type_vocab_size: 2, layer_norm_eps: 1e-12, hidden_act: 'gelu', pad_token_id: 0,
  hidden_dropout_prob: 0.1,
} as const;

function sizeField(config: Readonly<Record<string, unknown>>, name: keyof typeof DEFAULTS, min = 1): number {
  const v = config[name] ?? DEFAULTS[name];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new HuggingFaceError(`BERT config.json: ${name} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** The number of labels of a classifier: id2label's size when given (transformers derives num_labels so), else num_labels, else 2. */
function numLabels(config: Readonly<Record<string, unknown>>): number {
  const id2label = config.id2label;
  if (id2label !== undefined && (typeof id2label !== 'object' || id2label === null || Array.isArray(id2label))) {
    throw new HuggingFaceError(`BERT config.json: id2label must map ids to labels, got ${JSON.stringify(id2label)}`);
  }
  const n = id2label ? Object.keys(id2label).length : (config.num_labels ?? 2);
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new HuggingFaceError(`BERT config.json: num_labels must be an integer ≥ 1, got ${JSON.stringify(n)}`);
  return n;
}

/** Checks a parsed config.json and turns it into our BertConfig (heads decided later, from the checkpoint's keys). */
export function bertConfigFromHuggingFace(config: Readonly<Record<string, unknown>>): BertConfig {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new HuggingFaceError('BERT config.json: expected the parsed JSON object');
  if (config.model_type !== undefined && config.model_type !== 'bert') {
    throw new HuggingFaceError(`BERT config.json: model_type is ${JSON.stringify(config.model_type)}; this loader reads "bert" only`);
  }
  const act = config.hidden_act ?? DEFAULTS.hidden_act;
  if (typeof act !== 'string' || !Object.hasOwn(ACTIVATIONS, act)) {
    throw new HuggingFaceError(`BERT config.json: hidden_act ${JSON.stringify(act)} is not supported; use one of ${Object.keys(ACTIVATIONS).join(', ')}`);
  }
  const pet = config.position_embedding_type ?? 'absolute';
  if (pet !== 'absolute') {
    throw new HuggingFaceError(`BERT config.json: position_embedding_type ${JSON.stringify(pet)} is not supported; only "absolute" position embeddings are`);
  }
  if (config.is_decoder === true || config.add_cross_attention === true) {
    throw new HuggingFaceError('BERT config.json: is_decoder / add_cross_attention are set; only the bidirectional encoder is supported');
  }
  const dModel = sizeField(config, 'hidden_size');
  const nHead = sizeField(config, 'num_attention_heads');
  if (dModel % nHead !== 0) throw new HuggingFaceError(`BERT config.json: hidden_size ${dModel} must divide by num_attention_heads ${nHead}`);
  const eps = config.layer_norm_eps ?? DEFAULTS.layer_norm_eps;
  if (typeof eps !== 'number' || !(eps > 0)) throw new HuggingFaceError(`BERT config.json: layer_norm_eps must be a positive number, got ${JSON.stringify(eps)}`);
  const dropout = config.hidden_dropout_prob ?? DEFAULTS.hidden_dropout_prob;
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) {
    throw new HuggingFaceError(`BERT config.json: hidden_dropout_prob must be in [0, 1), got ${JSON.stringify(dropout)}`);
  }
  const vocabSize = sizeField(config, 'vocab_size');
  const padId = config.pad_token_id === null ? 0 : sizeField(config, 'pad_token_id', 0);
  if (padId >= vocabSize) throw new HuggingFaceError(`BERT config.json: pad_token_id ${padId} is outside the vocabulary of ${vocabSize}`);
  return {
    vocabSize,
    maxLen: sizeField(config, 'max_position_embeddings'),
    nLayer: sizeField(config, 'num_hidden_layers'),
    nHead,
    dModel,
    dimFeedforward: sizeField(config, 'intermediate_size'),
    typeVocabSize: sizeField(config, 'type_vocab_size'),
    numLabels: numLabels(config),
    padId,
    dropout,
    activation: ACTIVATIONS[act],
    layerNormEps: eps,
    // transformers masks by attention_mask only: with none, every position (padding too) takes part.
    maskPadding: false,
  };
}

/** Which heads a BERT has, for its plan. */
interface Heads {
  pooler: boolean;
  mlm: boolean;
  classifier: boolean;
}

/** The four tensors of a linear layer and a LayerNorm, or one linear. */
function linearTargets(targets: Map<string, KeyTarget>, hf: string, ours: string): void {
  targets.set(`${hf}.weight`, { param: `${ours}.weight` });
  targets.set(`${hf}.bias`, { param: `${ours}.bias` });
}

/**
 * The key plan for a BERT of this config with these heads: checkpoint key (prefix stripped) → our parameter.
 * `mlmBiasKey` is the key holding the MLM bias: cls.predictions.bias, or cls.predictions.decoder.bias in a
 * checkpoint that kept only the decoder's copy.
 */
export function bertKeyPlan(config: BertConfig, heads: Heads, mlmBiasKey = 'cls.predictions.bias'): KeyPlan {
  const d = config.dModel;
  const t = new Map<string, KeyTarget>();
  for (const name of ['word_embeddings', 'position_embeddings', 'token_type_embeddings']) {
    t.set(`embeddings.${name}.weight`, { param: `embeddings.${name}.weight` });
  }
  linearTargets(t, 'embeddings.LayerNorm', 'embeddings.LayerNorm');
  for (let i = 0; i < config.nLayer; i++) {
    const hf = `encoder.layer.${i}`;
    const ours = `encoder.layers.${i}`;
    // q, k and v (each (d, d) and (d)) are rows [0, d), [d, 2d), [2d, 3d) of in_proj_weight (3d, d) and in_proj_bias (3d).
    ['query', 'key', 'value'].forEach((part, j) => {
      const rows = [j * d, (j + 1) * d] as const;
      t.set(`${hf}.attention.self.${part}.weight`, { param: `${ours}.self_attn.in_proj_weight`, rows });
      t.set(`${hf}.attention.self.${part}.bias`, { param: `${ours}.self_attn.in_proj_bias`, rows });
    });
    linearTargets(t, `${hf}.attention.output.dense`, `${ours}.self_attn.out_proj`);
    linearTargets(t, `${hf}.attention.output.LayerNorm`, `${ours}.norm1`);
    linearTargets(t, `${hf}.intermediate.dense`, `${ours}.linear1`);
    linearTargets(t, `${hf}.output.dense`, `${ours}.linear2`);
    linearTargets(t, `${hf}.output.LayerNorm`, `${ours}.norm2`);
  }
  if (heads.pooler) linearTargets(t, 'pooler.dense', 'pooler');
  if (heads.mlm) {
    linearTargets(t, 'cls.predictions.transform.dense', 'mlm_dense');
    linearTargets(t, 'cls.predictions.transform.LayerNorm', 'mlm_LayerNorm');
    t.set(mlmBiasKey, { param: 'mlm_bias' });
  }
  if (heads.classifier) linearTargets(t, 'classifier', 'classifier');
  const ignore = [
    /^embeddings\.(position_ids|token_type_ids)$/, // buffers
    /^cls\.seq_relationship\./, // the next-sentence head, which we do not run
    /^cls\.predictions\.decoder\.weight$/, // tied to the word embeddings
  ];
  // The decoder's bias is the same tensor as cls.predictions.bias; skipped unless it is the only copy.
  if (mlmBiasKey !== 'cls.predictions.decoder.bias') ignore.push(/^cls\.predictions\.decoder\.bias$/);
  return {
    targets: t,
    prefixes: [PREFIX],
    rename: renameOld,
    ignore,
  };
}

/** The heads a checkpoint holds, from its keys (prefix stripped and renamed by the plan's rules). */
function headsIn(keys: readonly string[]): { heads: Heads; mlmBiasKey: string } {
  const bare = new Set(keys.map((k) => renameOld(k.startsWith(PREFIX) ? k.slice(PREFIX.length) : k)));
  const any = (re: RegExp): boolean => [...bare].some((k) => re.test(k));
  const mlmBiasKey = bare.has('cls.predictions.bias') || !bare.has('cls.predictions.decoder.bias') ? 'cls.predictions.bias' : 'cls.predictions.decoder.bias';
  return {
    heads: {
      pooler: any(/^pooler\./),
      mlm: any(/^cls\.predictions\.(transform\.|bias$)/),
      classifier: any(/^classifier\./),
    },
    mlmBiasKey,
  };
}

/**
 * Builds a BERT from a Hugging Face checkpoint (see BERT.fromHuggingFace), with the heads the checkpoint holds.
 * `build` is BERT's constructor, passed in to avoid an import cycle.
 */
export async function bertFromHuggingFace(
  build: (config: BertConfig) => BERT,
  weights: HuggingFaceWeights,
  config: Readonly<Record<string, unknown>>,
  opts: HuggingFaceLoadOptions = {},
): Promise<BERT> {
  const ours = bertConfigFromHuggingFace(config);
  const { heads, mlmBiasKey } = headsIn(await checkpointKeys(weights));
  // Every parameter is overwritten by the checkpoint, so none is drawn at random first.
  const model = withoutInitDraws(() => build({ ...ours, heads, device: opts.device, loadedFrom: 'a Hugging Face checkpoint' }));
  await loadCheckpoint(model, bertKeyPlan(ours, heads, mlmBiasKey), weights, opts);
  return model.eval();
}

export interface BertExportOptions {
  /**
   * Write the masked-LM and classification heads the model has (default true). Then the body's keys carry
   * "bert." as BertForPreTraining / BertForMaskedLM / BertForSequenceClassification save them, and the heads
   * follow as cls.predictions.* and classifier.*; BertModel.from_pretrained strips the prefix and skips the heads,
   * and the head classes load their parts. With false (or a model without those heads) the file is BertModel's
   * own layout, unprefixed, with the pooler when the model has one.
   */
  heads?: boolean;
}

/** A BERT as model.safetensors' bytes and a config.json object (see BERT.toHuggingFace and BertExportOptions). */
export async function bertToHuggingFace(model: BERT, opts: BertExportOptions = {}): Promise<{ weights: Uint8Array; config: Record<string, unknown> }> {
  const c = model.config;
  const withHeads = (opts.heads ?? true) && (model.mlm_dense !== null || model.classifier !== null);
  const heads: Heads = { pooler: model.pooler !== null, mlm: model.mlm_dense !== null, classifier: model.classifier !== null };
  const plan = bertKeyPlan(c, heads);
  const all = await checkpointTensors(model, plan);
  // Written as save_pretrained does: the tied decoder copies are left out, the body prefixed when heads follow.
  const tensors = new Map<string, TensorData>();
  for (const [key, t] of all) {
    const isHead = key.startsWith('cls.') || key.startsWith('classifier.');
    if (isHead && !withHeads) continue;
    tensors.set(isHead || !withHeads ? key : PREFIX + key, t);
  }
  const numLabels = model.classifier?.outFeatures ?? c.numLabels ?? 2;
  const architectures = !withHeads ? 'BertModel' : heads.mlm ? 'BertForMaskedLM' : 'BertForSequenceClassification';
  const config: Record<string, unknown> = {
    architectures: [architectures],
    model_type: 'bert',
    vocab_size: c.vocabSize,
    hidden_size: c.dModel,
    num_hidden_layers: c.nLayer,
    num_attention_heads: c.nHead,
    intermediate_size: c.dimFeedforward ?? 4 * c.dModel,
    hidden_act: ACTIVATION_NAMES[c.activation ?? 'gelu'],
    hidden_dropout_prob: c.dropout ?? 0.1,
    attention_probs_dropout_prob: c.dropout ?? 0.1,
    max_position_embeddings: c.maxLen,
    type_vocab_size: c.typeVocabSize ?? 2,
    initializer_range: 0.02,
    layer_norm_eps: c.layerNormEps ?? 1e-12,
    pad_token_id: c.padId,
    position_embedding_type: 'absolute',
    torch_dtype: 'float32',
    id2label: Object.fromEntries(Array.from({ length: numLabels }, (_, i) => [String(i), `LABEL_${i}`])),
    label2id: Object.fromEntries(Array.from({ length: numLabels }, (_, i) => [`LABEL_${i}`, i])),
  };
  return { weights: writeCheckpoint(tensors), config };
}
