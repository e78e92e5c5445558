// CLIP's contrastive objective (Radford et al., 2021): a batch of B matching (image, text) pairs; each image must
// pick out its own caption among the B captions, and each caption its own image.
//
//   î = i / ‖i‖,  t̂ = t / ‖t‖                        unit embeddings, (B, e) each
//   logits = exp(s) · î t̂ᵀ                           (B, B); row r scores image r against every caption
//   loss = ½ [ CE(logits, diag) + CE(logitsᵀ, diag) ]  the symmetric InfoNCE: images → texts and texts → images
//
// s is a learned log inverse temperature: exp(s) scales cosine similarities in [−1, 1] into logits sharp enough
// for a softmax over the batch. CLIP starts it at ln(1/0.07) and caps exp(s) at 100 so the logits cannot blow up;
// the cap here is a min(), which passes no gradient to s while it binds.
import { Tensor, arange } from '../tensor';
import { fmt, ShapeError } from '../shape';
import { crossEntropy } from './loss';

/** CLIP's cap on the logit scale exp(s). */
export const MAX_LOGIT_SCALE = 100;

/** x / max(‖x‖₂, eps) along `dim` (PyTorch's F.normalize with p = 2). */
export function normalize(x: Tensor, dim = -1, eps = 1e-12): Tensor {
  return x.div(x.square().sum(dim, true).sqrt().maximum(eps));
}

/**
 * The logits exp(min(s, ln 100)) · î t̂ᵀ of Bi images against Bt texts, (Bi, Bt): entry (r, c) scores image r
 * against caption c. In training Bi = Bt and the diagonal holds the pairs.
 */
export function contrastiveLogits(imageEmbeds: Tensor, textEmbeds: Tensor, logitScale: Tensor): Tensor {
  checkEmbeddings('contrastiveLogits', imageEmbeds, textEmbeds, logitScale);
  const scale = logitScale.reshape([]).minimum(Math.log(MAX_LOGIT_SCALE)).exp();
  return normalize(imageEmbeds).matmul(normalize(textEmbeds).transpose(0, 1)).mul(scale); // (Bi, Bt)
}

/**
 * The symmetric InfoNCE loss of B (image, text) pairs whose i-th rows match: image and text embeddings (B, e) and
 * a scalar log inverse temperature s (shape [] or [1]), which trains with the rest.
 */
export function clipLoss(imageEmbeds: Tensor, textEmbeds: Tensor, logitScale: Tensor): Tensor {
  checkEmbeddings('clipLoss', imageEmbeds, textEmbeds, logitScale);
  if (imageEmbeds.shape[0] !== textEmbeds.shape[0]) {
    throw new ShapeError(`clipLoss: ${imageEmbeds.shape[0]} images but ${textEmbeds.shape[0]} texts; the i-th of each must be a pair`);
  }
  const logits = contrastiveLogits(imageEmbeds, textEmbeds, logitScale);
  const B = logits.shape[0];
  const targets = arange(B, undefined, 1, { dtype: 'int32', device: logits.device }); // the diagonal
  return crossEntropy(logits, targets).add(crossEntropy(logits.transpose(0, 1), targets)).mul(0.5);
}

function checkEmbeddings(where: string, image: Tensor, text: Tensor, logitScale: Tensor): void {
  if (image.ndim !== 2 || text.ndim !== 2) {
    throw new ShapeError(`${where}: image and text embeddings must be (B, e), got ${fmt(image.shape)} and ${fmt(text.shape)}`);
  }
  if (image.shape[1] !== text.shape[1]) {
    throw new ShapeError(`${where}: image embeddings are ${image.shape[1]}-wide, text embeddings ${text.shape[1]}-wide; project them to one width`);
  }
  if (logitScale.numel !== 1) throw new ShapeError(`${where}: the logit scale must be a scalar, got ${fmt(logitScale.shape)}`);
}
