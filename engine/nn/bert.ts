// BERT (Devlin et al.): a post-LN transformer encoder over token + position + segment embeddings, pre-trained by
// masked-language modelling, with a sequence-classification head on the pooled [CLS] position. Parameter names
// follow Hugging Face's BertModel where the structure is the same (word_embeddings, position_embeddings,
// token_type_embeddings, LayerNorm; pooler; classifier). The MLM decoder is tied to the word embeddings.
import { Tensor, tensor, zeros } from '../tensor';
import { crossEntropy } from '../ops/loss';
import { linear } from '../ops/matmul';
import { dispose, tidy } from '../memory';
import { mulberry32, nextSeed } from '../random';
import { fmt, ShapeError } from '../shape';
import { Module } from './module';
import { Dropout, Embedding, LayerNorm, Linear, type InitOptions } from './layers';
import { LearnedPositionalEmbedding, normalParam } from './positional';
import { TransformerEncoder } from './transformer';
import type { HuggingFaceLoadOptions, HuggingFaceWeights } from '../io/huggingface/checkpoint';
import { bertFromHuggingFace, bertToHuggingFace, type BertExportOptions } from '../io/huggingface/bert';
import { loadModuleSafetensors } from '../io/safetensors';
import { ModelCardError, type ModelCard } from '../io/model-card';
import { indexSelect } from '../ops/gather';
import type { DeviceName } from '../backend/backend';
import * as v from 'valibot';

export interface BertConfig extends InitOptions {
  vocabSize: number;
  maxLen: number;
  nLayer: number;
  nHead: number;
  dModel: number;
  /** Default 4·dModel. */
  dimFeedforward?: number;
  /** Default 0.1, as BERT. */
  dropout?: number;
  /** Segment ids (sentence A / B). Default 2. */
  typeVocabSize?: number;
  /** Classes of the sequence-classification head. Default 2. */
  numLabels?: number;
  /** The padding token, ignored by attention when maskPadding is on. */
  padId: number;
  /**
   * Without an explicit attention mask, mask the keys equal to padId out of attention (default true, as models
   * built here train). Hugging Face's BERT masks only by its attention_mask, so its checkpoints load with false.
   */
  maskPadding?: boolean;
  /** The feed-forward and MLM-transform activation. Default 'gelu' (exact, as BERT). */
  activation?: BertActivation;
  /** LayerNorm epsilon everywhere. Default 1e-12, as BERT. */
  layerNormEps?: number;
  /**
   * Which heads exist (each default true). A model loaded from a checkpoint that lacks a head is built without
   * it, and calling that head says so instead of running random weights.
   */
  heads?: BertHeads;
  /** Where the weights came from (set by a loader), so that a missing head's error can say so. */
  loadedFrom?: string;
}

export type BertActivation = 'gelu' | 'geluTanh' | 'relu';

export interface BertHeads {
  /** pooler: tanh(dense(h[CLS])), used by classify. */
  pooler?: boolean;
  /** The masked-LM transform and bias (the decoder is tied to the word embeddings). */
  mlm?: boolean;
  /** The sequence-classification layer on the pooled output. */
  classifier?: boolean;
}

/** A BERT config as a model card records it (architecture.config), every field explicit. */
const BertCardConfigSchema = v.strictObject({
  vocabSize: v.pipe(v.number(), v.integer(), v.minValue(1)),
  maxLen: v.pipe(v.number(), v.integer(), v.minValue(1)),
  nLayer: v.pipe(v.number(), v.integer(), v.minValue(1)),
  nHead: v.pipe(v.number(), v.integer(), v.minValue(1)),
  dModel: v.pipe(v.number(), v.integer(), v.minValue(1)),
  dimFeedforward: v.pipe(v.number(), v.integer(), v.minValue(1)),
  dropout: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
  typeVocabSize: v.pipe(v.number(), v.integer(), v.minValue(1)),
  numLabels: v.pipe(v.number(), v.integer(), v.minValue(1)),
  padId: v.pipe(v.number(), v.integer(), v.minValue(0)),
  maskPadding: v.boolean(),
  activation: v.picklist(['gelu', 'geluTanh', 'relu']),
  layerNormEps: v.pipe(v.number(), v.minValue(0)),
  heads: v.strictObject({ pooler: v.boolean(), mlm: v.boolean(), classifier: v.boolean() }),
});

export type BertCardConfig = v.InferOutput<typeof BertCardConfigSchema>;

export interface BertFromCardOptions {
  device?: DeviceName;
  /**
   * Add a fresh (seeded) pooler and sequence-classification head of numLabels classes, for fine-tuning a
   * checkpoint that was pre-trained without them (masked-LM only). Heads the checkpoint has are loaded, never replaced.
   */
  classifier?: { numLabels: number; seed?: number };
}

/** Token + position + segment embeddings, then LayerNorm and dropout: (B, T) ids → (B, T, d). */
export class BertEmbeddings extends Module {
  word_embeddings: Embedding;
  position_embeddings: LearnedPositionalEmbedding;
  token_type_embeddings: Embedding;
  LayerNorm: LayerNorm;
  dropout: Dropout | null;

  constructor(config: BertConfig, seed: number) {
    super();
    const { vocabSize, maxLen, dModel, device } = config;
    const table = (rows: number, s: number): Embedding => {
      const e = new Embedding(rows, dModel, { seed: s, device });
      e.weight.dispose();
      e.weight = normalParam([rows, dModel], 0.02, s, { device }); // BERT's initializer_range
      return e;
    };
    this.word_embeddings = table(vocabSize, seed);
    this.position_embeddings = new LearnedPositionalEmbedding(maxLen, dModel, { seed: seed + 1, device, std: 0.02 });
    this.token_type_embeddings = table(config.typeVocabSize ?? 2, seed + 2);
    this.LayerNorm = new LayerNorm(dModel, config.layerNormEps ?? 1e-12, { device });
    const p = config.dropout ?? 0.1;
    this.dropout = p > 0 ? new Dropout(p, { seed: seed + 3 }) : null;
  }

  forward(ids: Tensor, tokenTypeIds?: Tensor): Tensor {
    return tidy(() => {
      let x = this.position_embeddings.forward(this.word_embeddings.forward(ids)); // (B, T, d)
      // Without segment ids every token is segment 0: add that one row, broadcast.
      x = x.add(tokenTypeIds ? this.token_type_embeddings.forward(tokenTypeIds) : this.token_type_embeddings.weight.slice(0, 0, 1));
      x = this.LayerNorm.forward(x);
      return this.dropout && this.training ? this.dropout.forward(x) : x;
    });
  }
}

export class BERT extends Module {
  embeddings: BertEmbeddings;
  encoder: TransformerEncoder;
  /** MLM head: transform = LayerNorm(act(dense(h))), then the tied decoder plus a per-token bias. Null when absent. */
  mlm_dense: Linear | null;
  mlm_LayerNorm: LayerNorm | null;
  mlm_bias: Tensor | null;
  /** Classification head: pooled = tanh(pooler(h[CLS])), logits = classifier(dropout(pooled)). Null when absent. */
  pooler: Linear | null;
  classifier: Linear | null;
  readonly config: Readonly<BertConfig>;

  /**
   * A BERT from a Hugging Face checkpoint (BertModel, BertForMaskedLM, BertForSequenceClassification or
   * BertForPreTraining): `weights` is model.safetensors' bytes or a sharded index with a shard reader, `config`
   * the parsed config.json. encode() gives the last hidden state, every position taking part unless an attention
   * mask says otherwise; the pooler and the masked-LM and classification heads load when the checkpoint has them.
   * Loaded in eval mode. See engine/io/huggingface/bert.ts for the key mapping.
   */
  static async fromHuggingFace(weights: HuggingFaceWeights, config: Readonly<Record<string, unknown>>, opts: HuggingFaceLoadOptions = {}): Promise<BERT> {
    return bertFromHuggingFace((c) => new BERT(c), weights, config, opts);
  }

  /**
   * A shipped checkpoint (engine/io/model-card.ts): the model its card's architecture.config describes, with the
   * safetensors weights loaded, in eval mode. The config is checked field by field and against the card's
   * tokenizer; every parameter must be in the file with its shape, and nothing is kept if one is not.
   * `classifier` adds a fresh pooler and classification head where the checkpoint has none (for fine-tuning).
   */
  static fromCard(card: ModelCard, weights: Uint8Array, opts: BertFromCardOptions = {}): BERT {
    const where = `BERT.fromCard: card "${card.name}"`;
    if (card.architecture.kind !== 'bert') throw new ModelCardError(`${where} describes a ${card.architecture.kind} model, not a BERT`);
    const r = v.safeParse(BertCardConfigSchema, card.architecture.config);
    if (!r.success) {
      const path = v.getDotPath(r.issues[0]);
      throw new ModelCardError(`${where}: at architecture.config${path ? `.${path}` : ''}: ${r.issues[0].message}`);
    }
    const c = r.output;
    const bad = (field: string, why: string): never => {
      throw new ModelCardError(`${where}: at architecture.config.${field}: ${why}`);
    };
    if (c.vocabSize !== card.tokenizer.vocabSize) bad('vocabSize', `${c.vocabSize} differs from tokenizer.vocabSize ${card.tokenizer.vocabSize}`);
    if (c.dModel % c.nHead !== 0) bad('nHead', `${c.nHead} does not divide dModel ${c.dModel}`);
    if (c.padId >= c.vocabSize) bad('padId', `${c.padId} is not below vocabSize ${c.vocabSize}`);
    const model = new BERT({ ...c, device: opts.device, loadedFrom: `${card.name}/${card.weights.file}` });
    try {
      loadModuleSafetensors(model, weights);
    } catch (e) {
      dispose(model.parameters());
      throw new ModelCardError(`${where}, ${card.weights.file}: ${(e as Error).message}`);
    }
    if (opts.classifier) model.addClassifier(opts.classifier.numLabels, opts.classifier.seed ?? 0);
    model.eval();
    return model;
  }

  /** The config as a model card records it, every default filled in. */
  cardConfig(): BertCardConfig {
    const c = this.config;
    return {
      vocabSize: c.vocabSize, maxLen: c.maxLen, nLayer: c.nLayer, nHead: c.nHead, dModel: c.dModel,
      dimFeedforward: c.dimFeedforward ?? 4 * c.dModel, dropout: c.dropout ?? 0.1, typeVocabSize: c.typeVocabSize ?? 2,
      numLabels: c.numLabels ?? 2, padId: c.padId, maskPadding: c.maskPadding ?? true, activation: c.activation ?? 'gelu',
      layerNormEps: c.layerNormEps ?? 1e-12,
      heads: { pooler: this.pooler !== null, mlm: this.mlm_dense !== null, classifier: this.classifier !== null },
    };
  }

  /** Gives a model without them a fresh pooler and a numLabels-way classifier, seeded; existing heads stay. */
  private addClassifier(numLabels: number, seed: number): void {
    const { dModel, device } = this.config;
    if (!this.pooler) this.pooler = new Linear(dModel, dModel, { seed: seed + 21, device });
    if (!this.classifier) this.classifier = new Linear(dModel, numLabels, { seed: seed + 22, device });
    else if (this.classifier.weight.shape[0] !== numLabels) {
      throw new ModelCardError(`BERT.fromCard: the checkpoint's classifier has ${this.classifier.weight.shape[0]} labels, not ${numLabels}`);
    }
    const heads = { ...this.config.heads, pooler: true, classifier: true };
    (this as { config: Readonly<BertConfig> }).config = { ...this.config, numLabels, heads };
  }

  /**
   * This model as a Hugging Face checkpoint (model.safetensors' bytes) and its config.json object, which
   * transformers' BertModel.from_pretrained loads. With heads (the default) the body is written "bert."-prefixed
   * and the heads follow as cls.predictions.* and classifier.*, as BertForPreTraining-style checkpoints are;
   * `{ heads: false }` writes BertModel's own layout. transformers masks padding only by attention_mask, so a model
   * trained here with its implicit padId mask needs attention_mask = (ids != pad) there.
   */
  async toHuggingFace(opts: BertExportOptions = {}): Promise<{ weights: Uint8Array; config: Record<string, unknown> }> {
    return bertToHuggingFace(this, opts);
  }

  constructor(config: BertConfig) {
    super();
    this.config = { ...config };
    const seed = nextSeed(config.seed);
    const { dModel, nHead, nLayer, device } = config;
    this.embeddings = new BertEmbeddings(config, seed);
    const eps = config.layerNormEps ?? 1e-12;
    const activation = config.activation ?? 'gelu';
    this.encoder = new TransformerEncoder(dModel, nHead, nLayer, {
      seed: seed + 10, device, dimFeedforward: config.dimFeedforward, dropout: config.dropout ?? 0.1,
      activation, normFirst: false, layerNormEps: eps,
    });
    const heads = config.heads ?? {};
    const mlm = heads.mlm ?? true;
    this.mlm_dense = mlm ? new Linear(dModel, dModel, { seed: seed + 20, device }) : null;
    this.mlm_LayerNorm = mlm ? new LayerNorm(dModel, eps, { device }) : null;
    this.mlm_bias = mlm ? zeros([config.vocabSize], { device, requiresGrad: true }) : null;
    this.pooler = (heads.pooler ?? true) ? new Linear(dModel, dModel, { seed: seed + 21, device }) : null;
    this.classifier = (heads.classifier ?? true) ? new Linear(dModel, config.numLabels ?? 2, { seed: seed + 22, device }) : null;
  }

  /**
   * ids (B, T) int32 → hidden states (B, T, d). attentionMask (B, T), int32 or float32, 1 = attend: positions
   * where it is 0 are masked out as keys (their own rows are still computed, as in Hugging Face). Without it,
   * keys equal to padId are masked when config.maskPadding is on (the default), and every key takes part when off.
   * A row whose every key is masked attends to nothing and gives zeros before out_proj (Hugging Face's additive
   * finfo.min mask would average all values instead); real inputs always have at least [CLS] unmasked.
   */
  encode(ids: Tensor, tokenTypeIds?: Tensor, attentionMask?: Tensor): Tensor {
    if (ids.ndim !== 2 || ids.dtype !== 'int32') throw new ShapeError(`BERT: ids must be (B, T) int32, got ${fmt(ids.shape)} ${ids.dtype}`);
    for (const [name, t] of [['tokenTypeIds', tokenTypeIds], ['attentionMask', attentionMask]] as const) {
      if (t && (t.ndim !== 2 || t.shape[0] !== ids.shape[0] || t.shape[1] !== ids.shape[1])) {
        throw new ShapeError(`BERT: ${name} ${fmt(t.shape)} must match ids ${fmt(ids.shape)}`);
      }
    }
    if (tokenTypeIds && tokenTypeIds.dtype !== 'int32') throw new ShapeError(`BERT: tokenTypeIds must be int32, got ${tokenTypeIds.dtype}`);
    return tidy(() => {
      let keyPaddingMask: Tensor | undefined; // (B, T), 1 = ignore as a key
      if (attentionMask) keyPaddingMask = attentionMask.eq(0).int();
      else if (this.config.maskPadding ?? true) keyPaddingMask = ids.eq(this.config.padId).int();
      return this.encoder.encode(this.embeddings.forward(ids, tokenTypeIds), { keyPaddingMask });
    });
  }

  forward(ids: Tensor): Tensor {
    return this.encode(ids);
  }

  /** ids (B, T) → MLM logits (B, T, V). */
  mlmLogits(ids: Tensor, tokenTypeIds?: Tensor, attentionMask?: Tensor): Tensor {
    const dense = this.mlm_dense;
    const norm = this.mlm_LayerNorm;
    if (!dense || !norm) throw new Error(`BERT.mlmLogits: this model has no masked-LM head${this.absentNote('cls.predictions.*')}`);
    return tidy(() => {
      const h = norm.forward(dense.forwardWith(this.encode(ids, tokenTypeIds, attentionMask), this.config.activation ?? 'gelu')); // (B, T, d)
      const w = this.embeddings.word_embeddings.weight; // (V, d), tied
      return linear(h, w, this.mlm_bias); // (B, T, d) @ (V, d)ᵀ + bias → (B, T, V)
    });
  }

  /** Cross-entropy on the selected positions; labels (B, T) int32, −100 elsewhere (see maskTokens). */
  mlmLoss(ids: Tensor, labels: Tensor, tokenTypeIds?: Tensor, attentionMask?: Tensor): Tensor {
    return tidy(() => crossEntropy(this.mlmLogits(ids, tokenTypeIds, attentionMask), labels, { ignoreIndex: -100 }));
  }

  /**
   * The same value as mlmLoss, computing the MLM head only where labels ≥ 0 (the ~15% selected positions), so
   * the (·, d) @ (d, V) decoder runs on those rows alone. labels (B·T) on the host, −100 elsewhere.
   */
  mlmLossAt(ids: Tensor, labels: Int32Array): Tensor {
    const dense = this.mlm_dense;
    const norm = this.mlm_LayerNorm;
    if (!dense || !norm) throw new Error(`BERT.mlmLossAt: this model has no masked-LM head${this.absentNote('cls.predictions.*')}`);
    if (labels.length !== ids.numel) throw new ShapeError(`BERT.mlmLossAt: ${labels.length} labels for ids ${fmt(ids.shape)}`);
    const at: number[] = [];
    const targets: number[] = [];
    labels.forEach((l, i) => {
      if (l >= 0) at.push(i), targets.push(l);
    });
    if (!at.length) throw new Error('BERT.mlmLossAt: no position is selected (every label is −100)');
    return tidy(() => {
      const [B, T] = ids.shape;
      const h = this.encode(ids).reshape([B * T, this.config.dModel]); // (B·T, d)
      const picked = indexSelect(h, tensor(Int32Array.from(at), [at.length], { device: ids.device })); // (N, d)
      const z = norm.forward(dense.forwardWith(picked, this.config.activation ?? 'gelu')); // (N, d)
      const logits = linear(z, this.embeddings.word_embeddings.weight, this.mlm_bias); // (N, V), tied decoder
      return crossEntropy(logits, tensor(Int32Array.from(targets), [targets.length], { device: ids.device }));
    });
  }

  /** ids (B, T), [CLS] first → class logits (B, numLabels). */
  classify(ids: Tensor, tokenTypeIds?: Tensor, attentionMask?: Tensor): Tensor {
    const { pooler, classifier } = this;
    if (!classifier) throw new Error(`BERT.classify: this model has no classification head${this.absentNote('classifier.*')}`);
    if (!pooler) throw new Error(`BERT.classify: this model has no pooler, which classify needs${this.absentNote('pooler.*')}`);
    return tidy(() => {
      const h = this.encode(ids, tokenTypeIds, attentionMask); // (B, T, d)
      const cls = h.slice(1, 0, 1).squeeze(1); // (B, d)
      return classifier.forward(pooler.forwardWith(cls, 'tanh')); // (B, numLabels)
    });
  }

  /** Where an absent head came from: a checkpoint without its weights, or a config that left it out. */
  private absentNote(keys: string): string {
    return this.config.loadedFrom ? ` (the checkpoint it was loaded from, ${this.config.loadedFrom}, had no ${keys} weights)` : ' (its config.heads left it out)';
  }

  protected override describe(): string {
    const c = this.config;
    return `vocab=${c.vocabSize}, maxLen=${c.maxLen}, layers=${c.nLayer}, heads=${c.nHead}, d=${c.dModel}`;
  }
}

export interface MaskingOptions {
  /** The [MASK] token. */
  maskId: number;
  vocabSize: number;
  /** Tokens never selected (padding, [CLS], [SEP]) and never drawn as random replacements. */
  specialIds: readonly number[];
  /** Fraction of ordinary tokens selected for prediction. Default 0.15. */
  maskProb?: number;
  seed?: number;
}

/**
 * BERT's masking rule: each ordinary token is selected with probability maskProb; a selected token becomes
 * [MASK] 80% of the time, a random ordinary token 10%, and stays itself 10% (so the model must also check the
 * tokens it sees). labels hold the original id at selected positions and −100 (ignored) elsewhere.
 */
export function maskTokens(ids: Int32Array, opts: MaskingOptions): { input: Int32Array; labels: Int32Array } {
  const random = mulberry32(nextSeed(opts.seed));
  const p = opts.maskProb ?? 0.15;
  const special = new Set(opts.specialIds);
  const ordinary: number[] = [];
  for (let v = 0; v < opts.vocabSize; v++) if (!special.has(v) && v !== opts.maskId) ordinary.push(v);
  const input = Int32Array.from(ids);
  const labels = new Int32Array(ids.length).fill(-100);
  for (let i = 0; i < ids.length; i++) {
    if (special.has(ids[i]) || random() >= p) continue;
    labels[i] = ids[i];
    const r = random();
    if (r < 0.8) input[i] = opts.maskId;
    else if (r < 0.9) input[i] = ordinary[Math.floor(random() * ordinary.length)];
    // else: unchanged
  }
  return { input, labels };
}
