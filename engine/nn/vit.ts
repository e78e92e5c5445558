// A Vision Transformer (Dosovitskiy et al., 2020, "An Image is Worth 16x16 Words"): cut the image into P×P patches,
// embed each patch with one linear layer, prepend a learned class token, add learned positions, run a pre-LN
// transformer encoder, and classify from the class token's final state.
//
//   images (B, C, H, W) → patches (B, N, C·P·P), N = (H/P)·(W/P), each patch flattened in (c, y, x) order
//   tokens = patch_embed.proj(patches)                     (B, N, d)
//   h      = cat([cls_token, tokens], 1) + pos_embed        (B, 1 + N, d)
//   h      = norm(blocks(h))                                pre-LN encoder layers, then a final LayerNorm
//   logits = head(h[:, 0])                                  (B, numClasses)
//
// The patch embedding is a Linear over flattened patches, which is exactly a Conv2d with kernel = stride = P whose
// weight (d, C, P, P) is this Linear's weight (d, C·P·P) reshaped: the (c, y, x) flattening order is what makes the
// two the same. Names follow timm's VisionTransformer (patch_embed.proj, cls_token, pos_embed, blocks.i, norm,
// head); inside each block the names are torch.nn.TransformerEncoderLayer's (self_attn, linear1, norm1, …).
import { Tensor } from '../tensor';
import { cat } from '../ops/layout';
import { tidy } from '../memory';
import { nextSeed } from '../random';
import { fmt, ShapeError } from '../shape';
import { Module } from './module';
import { Dropout, LayerNorm, Linear, type InitOptions } from './layers';
import { normalParam } from './positional';
import { TransformerEncoderLayer } from './transformer';

export interface ViTConfig extends InitOptions {
  /** Image height and width in pixels (square images when only one is given). */
  imageSize: number | [number, number];
  /** Side of a square patch; must divide both image sides. */
  patchSize: number;
  /** Default 1 (grey levels). */
  channels?: number;
  /** Classes of the head; 0 leaves the head out, and forward returns the class token's features (B, d). */
  numClasses: number;
  dModel: number;
  nHead: number;
  nLayer: number;
  /** Default 4·dModel. */
  dimFeedforward?: number;
  /** Default 0. */
  dropout?: number;
  /** Default 'gelu', as the paper. */
  activation?: 'gelu' | 'relu';
  /** Default 1e-6, as timm's ViT. */
  layerNormEps?: number;
}

function positiveInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`ViT: ${name} must be a positive integer, got ${v}`);
}

/**
 * Cuts images into non-overlapping patchSize × patchSize patches: (B, C, H, W) → (B, N, C·P·P), patches in raster
 * order (left to right, then top to bottom), each flattened channel-major then row-major ((c, y, x) order).
 * A differentiable reshape and permute: the gradient of each patch goes back to its pixels.
 */
export function patchify(images: Tensor, patchSize: number): Tensor {
  if (images.ndim !== 4) throw new ShapeError(`patchify: images must be (B, C, H, W), got ${fmt(images.shape)}`);
  const [B, C, H, W] = images.shape;
  const P = patchSize;
  if (!Number.isInteger(P) || P < 1) throw new RangeError(`patchify: patch size must be a positive integer, got ${P}`);
  if (H % P !== 0 || W % P !== 0) {
    throw new ShapeError(`patchify: patch size ${P} does not divide the image size ${H}×${W} of ${fmt(images.shape)}`);
  }
  const gh = H / P;
  const gw = W / P;
  return images
    .reshape([B, C, gh, P, gw, P]) // (B, C, gy, y, gx, x)
    .permute(0, 2, 4, 1, 3, 5) //   (B, gy, gx, C, y, x)
    .reshape([B, gh * gw, C * P * P]); // (B, N, C·P·P): one copy here, since the permuted view is not contiguous
}

/** The patch embedding: patchify, then one Linear from C·P·P to d (a stride-P convolution in other words). */
export class PatchEmbedding extends Module {
  proj: Linear;

  constructor(
    readonly patchSize: number,
    readonly channels: number,
    readonly dModel: number,
    opts: InitOptions = {},
  ) {
    super();
    this.proj = new Linear(channels * patchSize * patchSize, dModel, { seed: nextSeed(opts.seed), device: opts.device });
  }

  /** images (B, C, H, W) → (B, N, d). */
  forward(images: Tensor): Tensor {
    if (images.ndim === 4 && images.shape[1] !== this.channels) {
      throw new ShapeError(`PatchEmbedding: images ${fmt(images.shape)} have ${images.shape[1]} channels, expected ${this.channels}`);
    }
    return tidy(() => this.proj.forward(patchify(images, this.patchSize)));
  }

  protected override describe(): string {
    return `patch=${this.patchSize}, channels=${this.channels}, d=${this.dModel}`;
  }
}

/** What `ViT.attentionMaps` returns: every block's weights, and the class token's row of them over the patches. */
export interface ViTAttentionMaps {
  /** Per block, (B, H, 1 + N, 1 + N); index 0 is the class token. */
  weights: Tensor[];
  /** Per block, (B, H, gridH, gridW): how much the class token's query attends each patch (its row without itself). */
  classToPatches: Tensor[];
}

export class ViT extends Module {
  patch_embed: PatchEmbedding;
  cls_token: Tensor;
  pos_embed: Tensor;
  pos_drop: Dropout | null;
  blocks: TransformerEncoderLayer[];
  norm: LayerNorm;
  head: Linear | null;
  readonly imageHeight: number;
  readonly imageWidth: number;
  readonly patchSize: number;
  readonly channels: number;
  readonly numClasses: number;
  readonly dModel: number;
  readonly nHead: number;
  /** Patches per column and per row. */
  readonly grid: [number, number];

  constructor(readonly config: ViTConfig) {
    super();
    const [h, w] = typeof config.imageSize === 'number' ? [config.imageSize, config.imageSize] : config.imageSize;
    const channels = config.channels ?? 1;
    for (const [name, v] of [['image height', h], ['image width', w], ['patchSize', config.patchSize], ['channels', channels],
      ['dModel', config.dModel], ['nHead', config.nHead], ['nLayer', config.nLayer]] as const) {
      positiveInt(name, v);
    }
    if (!Number.isInteger(config.numClasses) || config.numClasses < 0) {
      throw new RangeError(`ViT: numClasses must be a non-negative integer, got ${config.numClasses}`);
    }
    if (h % config.patchSize !== 0 || w % config.patchSize !== 0) {
      throw new RangeError(`ViT: patchSize ${config.patchSize} must divide the image size ${h}×${w}`);
    }
    if (config.dModel % config.nHead !== 0) throw new RangeError(`ViT: dModel ${config.dModel} must be divisible by nHead ${config.nHead}`);
    const seed = nextSeed(config.seed);
    const device = config.device;
    this.imageHeight = h;
    this.imageWidth = w;
    this.patchSize = config.patchSize;
    this.channels = channels;
    this.numClasses = config.numClasses;
    this.dModel = config.dModel;
    this.nHead = config.nHead;
    this.grid = [h / config.patchSize, w / config.patchSize];
    const n = this.grid[0] * this.grid[1];
    const d = config.dModel;
    this.patch_embed = new PatchEmbedding(config.patchSize, channels, d, { seed: seed + 1, device });
    // timm initialises both with a truncated normal of std 0.02; a plain normal of that std differs only in the
    // far tails.
    this.cls_token = normalParam([1, 1, d], 0.02, seed + 2, { device });
    this.pos_embed = normalParam([1, 1 + n, d], 0.02, seed + 3, { device });
    const p = config.dropout ?? 0;
    this.pos_drop = p > 0 ? new Dropout(p, { seed: seed + 4 }) : null;
    this.blocks = [];
    for (let i = 0; i < config.nLayer; i++) {
      this.blocks.push(new TransformerEncoderLayer(d, config.nHead, {
        seed: seed + 101 * (i + 1), device, normFirst: true, dropout: p, activation: config.activation ?? 'gelu',
        dimFeedforward: config.dimFeedforward, layerNormEps: config.layerNormEps ?? 1e-6,
      }));
    }
    this.norm = new LayerNorm(d, config.layerNormEps ?? 1e-6, { device });
    this.head = config.numClasses > 0 ? new Linear(d, config.numClasses, { seed: seed + 5, device }) : null;
  }

  /**
   * Accepts (B, C, H, W), or (B, C·H·W) flat rows (as the MNIST loader gives them), and returns (B, C, H, W);
   * anything else is refused with the expected sizes.
   */
  toImages(x: Tensor): Tensor {
    const { channels: C, imageHeight: H, imageWidth: W } = this;
    if (x.dtype !== 'float32') throw new TypeError(`ViT: images must be float32, got ${x.dtype} ${fmt(x.shape)}`);
    if (x.ndim === 2 && x.shape[1] === C * H * W) return x.reshape([x.shape[0], C, H, W]);
    if (x.ndim === 4 && x.shape[1] === C && x.shape[2] === H && x.shape[3] === W) return x;
    throw new ShapeError(`ViT: images must be (B, ${C}, ${H}, ${W}) or (B, ${C * H * W}) flat, got ${fmt(x.shape)}`);
  }

  /** The encoder's input: class token and patch tokens with positions, (B, 1 + N, d). */
  embed(images: Tensor): Tensor {
    return tidy(() => {
      const x = this.toImages(images);
      const B = x.shape[0];
      const tokens = this.patch_embed.forward(x); // (B, N, d)
      const cls = this.cls_token.expand([B, 1, this.dModel]); // (B, 1, d), one parameter shared by the batch
      const h = cat([cls, tokens], 1).add(this.pos_embed); // (B, 1 + N, d)
      return this.pos_drop && this.training ? this.pos_drop.forward(h) : h;
    });
  }

  /** The final, normalised token states (B, 1 + N, d). */
  features(images: Tensor): Tensor {
    return tidy(() => {
      let h = this.embed(images);
      for (const block of this.blocks) h = block.forward(h);
      return this.norm.forward(h);
    });
  }

  /** images (B, C, H, W) or (B, C·H·W) → logits (B, numClasses) from the class token, or its features (B, d) without a head. */
  forward(images: Tensor): Tensor {
    return tidy(() => {
      const cls = this.features(images).select(1, 0); // (B, d)
      return this.head ? this.head.forward(cls) : cls;
    });
  }

  /**
   * The attention weights of every block on these images, and the class token's attention over the patches laid
   * out on the patch grid, for drawing. Call it in eval mode and under noGrad for a plain view.
   */
  attentionMaps(images: Tensor): ViTAttentionMaps {
    return tidy(() => {
      const weights: Tensor[] = [];
      const classToPatches: Tensor[] = [];
      let h = this.embed(images);
      const B = h.shape[0];
      for (const block of this.blocks) {
        const w = block.selfAttentionWeights(h); // (B, H, 1 + N, 1 + N)
        weights.push(w);
        // Row 0 (the class token's query) without its own column: (B, H, N) → (B, H, gh, gw).
        classToPatches.push(w.select(2, 0).slice(2, 1).reshape([B, this.nHead, this.grid[0], this.grid[1]]));
        h = block.forward(h);
      }
      return { weights, classToPatches };
    });
  }

  protected override describe(): string {
    return `image=${this.imageHeight}×${this.imageWidth}×${this.channels}, patch=${this.patchSize}, d=${this.dModel}, ` +
      `heads=${this.nHead}, layers=${this.blocks.length}, classes=${this.numClasses}`;
  }
}
