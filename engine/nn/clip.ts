// A tiny CLIP (Radford et al., 2021): an image encoder and a text encoder, each followed by a linear projection
// into one shared embedding space, trained so that an image and its caption land close together and far from the
// other captions of the batch (functional.clipLoss, the symmetric InfoNCE with a learned temperature).
//
//   image (B, C, H, W) → vision_model (a ViT without a head) → class token (B, dv) → visual_projection → (B, e)
//   caption ids (B, T) → text_model → first token's state (B, dt) → text_projection → (B, e)
//   logits = exp(logit_scale) · normalize(image) · normalize(text)ᵀ        (B_images, B_texts)
//
// Zero-shot classification needs no classifier: write one prompt per class ("seven", "a photo of the number
// seven"), encode the prompts, and pick for each image the class whose prompt scores highest.
//
// The text encoder reads a caption bidirectionally, padding masked out, and pools the state of a leading [CLS]
// token, as BERT does. OpenAI's CLIP instead runs a causal encoder and pools its end-of-text token (the only one
// that has read the whole caption); for short captions either works, and [CLS] avoids a per-row gather.
// Top-level names are Hugging Face's CLIPModel's (vision_model, text_model, visual_projection, text_projection,
// logit_scale); projections have no bias, as there.
import { Tensor, tensor } from '../tensor';
import { tidy } from '../memory';
import { nextSeed } from '../random';
import { fmt, ShapeError } from '../shape';
import { clipLoss, contrastiveLogits, normalize } from '../ops/contrastive';
import { Module } from './module';
import { Embedding, LayerNorm, Linear, type InitOptions } from './layers';
import { normalParam } from './positional';
import { TransformerEncoderLayer } from './transformer';
import { ViT, type ViTConfig } from './vit';

export interface CLIPTextConfig {
  vocabSize: number;
  /** Longest caption in tokens, [CLS] included. */
  maxLen: number;
  /** The id that pads captions to maxLen; padded keys are masked out. */
  padId: number;
  dModel: number;
  nHead: number;
  nLayer: number;
  /** Default 4·dModel. */
  dimFeedforward?: number;
}

export interface CLIPConfig extends InitOptions {
  /** The image encoder: a ViT without its head (numClasses is set to 0). */
  vision: Omit<ViTConfig, 'numClasses' | 'seed' | 'device'>;
  text: CLIPTextConfig;
  /** Width of the shared embedding space. */
  embedDim: number;
  /** Initial temperature τ, so logit_scale starts at ln(1/τ); default 0.07, as CLIP. */
  temperature?: number;
}

/** A pre-LN transformer over caption tokens, pooled at the first token. */
export class CLIPTextEncoder extends Module {
  token_embedding: Embedding;
  position_embedding: Tensor;
  layers: TransformerEncoderLayer[];
  final_layer_norm: LayerNorm;

  constructor(readonly config: CLIPTextConfig, opts: InitOptions = {}) {
    super();
    const { vocabSize, maxLen, padId, dModel, nHead, nLayer } = config;
    for (const [name, v] of [['vocabSize', vocabSize], ['maxLen', maxLen], ['dModel', dModel], ['nHead', nHead], ['nLayer', nLayer]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`CLIPTextEncoder: ${name} must be a positive integer, got ${v}`);
    }
    if (!Number.isInteger(padId) || padId < 0 || padId >= vocabSize) {
      throw new RangeError(`CLIPTextEncoder: padId ${padId} is outside the vocabulary of ${vocabSize}`);
    }
    const seed = nextSeed(opts.seed);
    this.token_embedding = new Embedding(vocabSize, dModel, { seed: seed + 1, device: opts.device });
    this.position_embedding = normalParam([maxLen, dModel], 0.01, seed + 2, opts);
    this.layers = Array.from({ length: nLayer }, (_, i) => new TransformerEncoderLayer(dModel, nHead, {
      seed: seed + 101 * (i + 1), device: opts.device, normFirst: true, dropout: 0, activation: 'gelu', dimFeedforward: config.dimFeedforward,
    }));
    this.final_layer_norm = new LayerNorm(dModel, 1e-5, { device: opts.device });
  }

  /** ids (B, T) int32, T ≤ maxLen, [CLS] first and padded with padId → the pooled state (B, d). */
  forward(ids: Tensor): Tensor {
    const { maxLen, padId } = this.config;
    if (ids.dtype !== 'int32' || ids.ndim !== 2) throw new ShapeError(`CLIPTextEncoder: ids must be int32 (B, T), got ${ids.dtype} ${fmt(ids.shape)}`);
    if (ids.shape[1] > maxLen) throw new ShapeError(`CLIPTextEncoder: captions of ${ids.shape[1]} tokens exceed maxLen ${maxLen}`);
    return tidy(() => {
      const T = ids.shape[1];
      const keyPaddingMask = ids.eq(padId).int(); // (B, T), 1 = ignored as a key
      let h = this.token_embedding.forward(ids).add(this.position_embedding.slice(0, 0, T)); // (B, T, d)
      for (const layer of this.layers) h = layer.encode(h, { keyPaddingMask });
      return this.final_layer_norm.forward(h).select(1, 0); // (B, d): the [CLS] token
    });
  }
}

export class CLIP extends Module {
  vision_model: ViT;
  text_model: CLIPTextEncoder;
  visual_projection: Linear;
  text_projection: Linear;
  /** ln(1/τ), a scalar parameter; the logits use exp(min(logit_scale, ln 100)). */
  logit_scale: Tensor;

  constructor(readonly config: CLIPConfig) {
    super();
    const seed = nextSeed(config.seed);
    const device = config.device;
    if (!Number.isInteger(config.embedDim) || config.embedDim < 1) throw new RangeError(`CLIP: embedDim must be a positive integer, got ${config.embedDim}`);
    const tau = config.temperature ?? 0.07;
    if (!(tau > 0)) throw new RangeError(`CLIP: temperature must be positive, got ${tau}`);
    this.vision_model = new ViT({ ...config.vision, numClasses: 0, seed: seed + 1, device });
    this.text_model = new CLIPTextEncoder(config.text, { seed: seed + 2, device });
    this.visual_projection = new Linear(config.vision.dModel, config.embedDim, { bias: false, seed: seed + 3, device });
    this.text_projection = new Linear(config.text.dModel, config.embedDim, { bias: false, seed: seed + 4, device });
    this.logit_scale = tensor([Math.log(1 / tau)], [], { device, requiresGrad: true });
  }

  /** images (B, C, H, W) or (B, C·H·W) → embeddings (B, e), not normalised. */
  encodeImage(images: Tensor): Tensor {
    return tidy(() => this.visual_projection.forward(this.vision_model.forward(images)));
  }

  /** Caption ids (B, T) → embeddings (B, e), not normalised. */
  encodeText(ids: Tensor): Tensor {
    return tidy(() => this.text_projection.forward(this.text_model.forward(ids)));
  }

  /** The training loss of a batch of matching pairs: image i goes with caption i. */
  forward(images: Tensor, ids: Tensor): Tensor {
    const nImages = images.shape[0];
    if (ids.shape[0] !== nImages) throw new ShapeError(`CLIP: ${nImages} images but ${ids.shape[0]} captions; the i-th of each must be a pair`);
    return tidy(() => clipLoss(this.encodeImage(images), this.encodeText(ids), this.logit_scale));
  }

  /** Image-text similarity logits (B_images, B_texts), exp(logit_scale) · cosine: the matrix drawn in the lesson. */
  similarity(images: Tensor, ids: Tensor): Tensor {
    return tidy(() => contrastiveLogits(this.encodeImage(images), this.encodeText(ids), this.logit_scale));
  }

  /**
   * Zero-shot classifier weights: the unit embeddings of the class prompts (K, e). With several prompts per class
   * (promptIds (K·P, T), class k's P prompts contiguous), their unit embeddings are averaged and renormalised, as
   * CLIP's prompt ensembling does.
   */
  classEmbeddings(promptIds: Tensor, promptsPerClass = 1): Tensor {
    const n = promptIds.shape[0];
    if (!Number.isInteger(promptsPerClass) || promptsPerClass < 1 || n % promptsPerClass !== 0) {
      throw new RangeError(`CLIP.classEmbeddings: ${n} prompts do not split into groups of ${promptsPerClass}`);
    }
    return tidy(() => {
      const unit = normalize(this.encodeText(promptIds)); // (K·P, e)
      const e = unit.shape[1];
      return normalize(unit.reshape([n / promptsPerClass, promptsPerClass, e]).mean(1)); // (K, e)
    });
  }

  /** Zero-shot logits (B, K) of images against class embeddings (K, e) from classEmbeddings(). */
  zeroShotLogits(images: Tensor, classEmbeds: Tensor): Tensor {
    return tidy(() => normalize(this.encodeImage(images)).matmul(classEmbeds.transpose(0, 1))); // cosine, (B, K)
  }

  /** The current temperature τ = 1 / exp(logit_scale), read back. */
  async temperature(): Promise<number> {
    const [s] = await this.logit_scale.toArray();
    return 1 / Math.exp(Math.min(s, Math.log(100)));
  }
}
