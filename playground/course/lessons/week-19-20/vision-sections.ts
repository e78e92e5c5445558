// Weeks 19-20's vision and multimodal sections: the ViT (patches, the class token, learned positions, its attention
// maps on held-out digits), the tiny CLIP (the symmetric InfoNCE loss, generated captions, zero-shot prompts and the
// batch's similarity matrix), then DALL-E and GPT-4 in words. Every number is read from the run.json the recipes
// wrote beside the shipped checkpoints (vision.ts), or computed by engine code.
import { html } from 'lit';
import { functional, nn } from '../../../../engine/index';
import { DIGIT_NAMES, HELD_OUT_TEMPLATE, TRAIN_TEMPLATES, captionTokenizer, clipMnistConfig, fillTemplate } from '../../../../engine/course';
import { stat } from '../../stat';
import type { Claim, Resource, Section } from '../../types';
import { clipRunFile, vitModel, vitRunFile } from './vision';
import { clipLossCell, patchifyCell, vitData, vitTokens } from './vision-exercises';

const pct = 'percent' as const;
const vit = vitRunFile();
const clip = clipRunFile();
const model = vitModel();

/** The temperature a fresh CLIP starts from (the engine's default, CLIP's 0.07). */
const initialTemperature = (): Promise<number> => {
  const fresh = new nn.CLIP({ ...clipMnistConfig(captionTokenizer()), device: 'cpu' });
  return fresh.temperature().finally(() => fresh.parameters().forEach((p) => p.dispose()));
};

/** Two of the training templates, filled in for one digit, as examples of the generated captions. */
const EXAMPLE_DIGIT = 7;
const examples = [1, 2].map((t) => fillTemplate(TRAIN_TEMPLATES[t], EXAMPLE_DIGIT));

export const visionSections: Section[] = [
  {
    kind: 'text',
    body: html`
      <h2>Vision transformers: an image as a sequence of patches</h2>
      <p>
        A transformer reads a sequence of vectors, and nothing in it is specific to words. The Vision Transformer
        (ViT, Dosovitskiy et al., 2020) turns an image into such a sequence. It cuts the image into non-overlapping
        P × P patches, flattens each patch's pixels into one vector, and maps every patch with the same linear
        layer to the model's width. That <em>patch embedding</em> is exactly a convolution whose kernel and stride
        are both P. Attention over single pixels would be hopeless (a photo has tens of thousands of them and
        attention's cost is quadratic); over patches the sequence is short.
      </p>
      <p>
        Two more pieces make it a classifier. A learned <em>class token</em> is put in front of the patches. It
        starts as the same vector for every image, and the head reads only its final state, so whatever the model
        knows about the image must have reached the class token through attention. And learned <em>position
        embeddings</em>, one vector per token, are added before the first block: attention by itself treats its
        input as a set, so without them the model could not tell the top-left patch from the bottom-right one.
      </p>
      <p>
        Our ViT reads MNIST digits of ${stat('w1920-vit-side', model.then((m) => m.imageHeight), 'int')} × ${stat('w1920-vit-side', model.then((m) => m.imageWidth), 'int')} pixels in patches of ${stat('w1920-vit-patch', model.then((m) => m.patchSize), 'int')} × ${stat('w1920-vit-patch', model.then((m) => m.patchSize), 'int')}
        pixels: a grid of ${stat('w1920-vit-grid', model.then((m) => m.grid[0]), 'int')} × ${stat('w1920-vit-grid', model.then((m) => m.grid[0]), 'int')} patches, each a vector of
        ${stat('w1920-vit-patch-dim', model.then((m) => m.channels * m.patchSize ** 2), 'int')} grey levels, embedded to
        ${stat('w1920-vit-width', model.then((m) => m.dModel), 'int')} numbers, then ${stat('w1920-vit-blocks', model.then((m) => m.blocks.length), 'int')}
        pre-LN transformer blocks with ${stat('w1920-vit-heads', model.then((m) => m.nHead), 'int')} heads each.
      </p>`,
  },
  { kind: 'exercise', exercise: vitTokens },
  {
    kind: 'text',
    body: html`
      <p>
        A ViT has little knowledge of images built in. A convolutional network's small kernels, shared across the
        image, already encode that neighbouring pixels belong together and that a digit moved by a pixel is the same
        digit; a ViT has to learn both from data. The ViT paper found that trained on ImageNet alone it lost to
        convolutional networks of similar size, and overtook them only after pre-training on far larger data sets.
        We have a few thousand digits, so the recipe moves every training digit by a pixel or two in a random
        direction each time it is used, which shows the model the same digit at many positions.
      </p>
      <p>
        <code>npm run train -- vit</code> trained ${stat('w1920-vit-params', vit.then((r) => r.parameters), 'int')} parameters for
        ${stat('w1920-vit-steps', vit.then((r) => r.steps), 'int')} steps (${stat('w1920-vit-seconds', vit.then((r) => r.wallSeconds), 'int')} s)
        and classifies ${stat('w1920-vit-acc', vit.then((r) => r.heldOutAccuracy), pct)} of the held-out digits correctly.
        The same run trained the MLP recipe of the neural-networks weeks on the same split, which scores
        ${stat('w1920-mlp-acc', vit.then((r) => r.mlpAccuracy), pct)}. The numbers are read from
        <code>models/vit/run.json</code>, which the run wrote beside the weights.
      </p>
      <p>
        Pick a held-out digit below. The widget runs the shipped model on it and draws, for every block and head,
        the class token's attention over the patches: the first row of the attention weights without the class
        token's own column (<code>ViT.attentionMaps</code>' <code>classToPatches</code>), each map scaled to its own
        largest weight. In the first block the class token's query is the same for every digit, so the map changes
        only through the patches' keys; in the last block the query already carries what the first block gathered.
        Read the maps as where information was collected from, not as an explanation: every block also mixes
        the other tokens' states and passes them through its feed-forward layer.
      </p>`,
  },
  {
    kind: 'widget',
    tag: 'w1920-vit',
    alt: 'A number input and ten thumbnails pick a held-out digit. The digit is drawn cut into its 4 by 4 grid of 7 by 7 patches, beside bars of the ViT’s probability for each class; below, for each block, one small copy of the digit per head and one for the mean over heads, with each patch shaded by how much the class token attends to it.',
  },
  { kind: 'exercise', exercise: patchifyCell },
  { kind: 'exercise', exercise: vitData },
];

export const multimodalSections: Section[] = [
  {
    kind: 'text',
    body: html`
      <h2>Multimodal transformers: images and text in one space</h2>
      <p>
        CLIP (Radford et al., 2021) trains two encoders side by side: an image encoder (a ViT, or a convolutional
        network) and a text encoder (a transformer), each followed by a linear projection into one shared space.
        It learns from images paired with their captions, hundreds of millions of them collected from the web,
        and from nothing else: no labels. For a batch of B pairs it computes every image's cosine similarity to
        every caption, a B × B matrix whose diagonal holds the true pairs, and multiplies it by a learned scale
        exp(s) = 1/τ. Each row is then a B-way classification (which of these captions belongs to this image?) and
        each column another (which image belongs to this caption?). The loss is the mean of the two
        cross-entropies, the <em>symmetric InfoNCE</em> loss, <code>functional.clipLoss</code> in the engine.
      </p>
      <p>
        The temperature τ matters because cosines lie between −1 and 1: a softmax over numbers that close is nearly
        uniform, and dividing by a small τ spreads them out. CLIP learns τ with the rest, starting from
        ${stat('w1920-clip-temp0', initialTemperature(), 2)}, and caps 1/τ at
        ${stat('w1920-clip-max-scale', functional.MAX_LOGIT_SCALE, 'int')} so the logits cannot grow without bound.
      </p>
      <p>
        Our tiny CLIP pairs the same MNIST digits with captions that this project <strong>generated</strong>:
        each training digit gets its label written into one of ${stat('w1920-clip-templates', TRAIN_TEMPLATES.length, 'int')}
        templates, such as “${examples[0]}” or “${examples[1]}”. Real captions are varied, noisy and about much more
        than one class; ours are clean and say only the class, so this is CLIP's mechanism on a toy problem, not its
        data. A second difference: a batch of ${stat('w1920-clip-batch', clip.then((r) => r.batchSize), 'int')} digits holds only ${stat('w1920-clip-classes', DIGIT_NAMES.length, 'int')}
        classes, so most images have several captions in the batch that fit them equally well, and the loss still
        counts all but one of those as wrong. It cannot reach zero, but the right caption still has to score among
        the best, and that is enough to learn from.
      </p>
      <h3>Zero-shot classification</h3>
      <p>
        The CLIP has no classifier head. To classify a digit, write one prompt per class, embed the ten prompts
        with the text encoder, and pick the class whose prompt lies closest to the image's embedding. On the
        held-out digits, after ${stat('w1920-clip-steps', clip.then((r) => r.steps), 'int')} training steps
        (${stat('w1920-clip-params', clip.then((r) => r.parameters), 'int')} parameters,
        ${stat('w1920-clip-seconds', clip.then((r) => r.wallSeconds), 'int')} s), the bare names (“${DIGIT_NAMES[EXAMPLE_DIGIT]}”) as prompts classify
        ${stat('w1920-clip-names', clip.then((r) => r.names), pct)} correctly, against a chance level of
        ${stat('w1920-clip-chance', 1 / DIGIT_NAMES.length, pct)}. The template “${HELD_OUT_TEMPLATE}”, which no training
        caption used, scores ${stat('w1920-clip-heldout', clip.then((r) => r.heldOutTemplate), pct)}: still far above
        chance, but well below the bare names. The text encoder has read only ${stat('w1920-clip-templates', TRAIN_TEMPLATES.length, 'int')}
        wordings and makes only partial sense of a new one; CLIP's web captions are what teach the real model to
        read almost any phrasing. Averaging each class's embeddings over all the training templates (CLIP's
        prompt ensembling) scores ${stat('w1920-clip-ensemble', clip.then((r) => r.ensemble), pct)}. The temperature
        rose during training, from ${stat('w1920-clip-temp0', initialTemperature(), 2)} to
        τ = ${stat('w1920-clip-temp', clip.then((r) => r.temperature), 4)}, so the logits are the cosines times
        ${stat('w1920-clip-scale', clip.then((r) => 1 / r.temperature), 1)}: a softer softmax than at the start. A
        likely reason is the same-class captions in every batch: a sharp softmax is punished hard for scoring them
        as high as the true caption, which the model cannot avoid. All of these are read from
        <code>models/clip/run.json</code>, which <code>npm run train -- clip</code> wrote.
      </p>
      <p>
        Try it: pick a digit and a template, or write your own with <code>{name}</code> for the digit's name
        (<code>{digit}</code> for its numeral). The caption tokenizer knows only the characters of the templates,
        so a prompt with others is refused and named.
      </p>`,
  },
  {
    kind: 'widget',
    tag: 'w1920-clip',
    alt: 'A number input and ten thumbnails pick a held-out digit; a menu and a text field set the prompt template. A table lists the ten class prompts with the CLIP’s similarity to the digit, its softmax and a bar, the best one in bold, and a line names the predicted class.',
  },
  {
    kind: 'text',
    body: html`
      <p>
        The matrix the loss is computed on, for eight held-out digits and a caption for each (drawn the way the
        recipe draws training captions, or all in the held-out template): row r is image r against every caption,
        from <code>CLIP.similarity</code>. Training pushes each row's and each column's largest entry onto the
        diagonal. Where two digits of a batch share a class, their captions fit both images, and the matrix shows
        it as bright cells off the diagonal.
      </p>`,
  },
  {
    kind: 'widget',
    tag: 'w1920-clip-batch',
    alt: 'Two menus pick a batch of eight held-out digits and how their captions are written. The digits are drawn in a row, an 8 by 8 heat map shows the similarity of each image (rows) to each caption (columns), and the captions are listed beside it; a line counts the images whose best caption names the right digit.',
  },
  { kind: 'exercise', exercise: clipLossCell },
  {
    kind: 'text',
    body: html`
      <h3>From matching to generating: DALL-E</h3>
      <p>
        CLIP matches images and text; it does not make images. The first DALL-E (Ramesh et al., 2021) made
        text-to-image generation a language-modelling problem. A discrete autoencoder first learns to compress an
        image into a small grid of <em>image tokens</em>, each one entry of a learned codebook, and to rebuild the
        image from them. A decoder-only transformer is then trained on caption tokens followed by the image's
        tokens. Generating an image is next-token prediction continued after the caption, and the decoder turns
        the sampled tokens into pixels. Many samples were drawn per caption and CLIP picked the ones that matched
        the caption best.
      </p>
      <p>
        DALL-E 2 (Ramesh et al., 2022) builds on CLIP's space directly. A <em>prior</em> maps a caption's CLIP text
        embedding to a plausible CLIP image embedding, and a <em>diffusion</em> decoder generates an image from that
        embedding: it starts from pure noise and removes noise step by step, each step a network's guess at a
        slightly cleaner image, steered by the embedding. Text encoders trained CLIP's way have since become a
        standard way of telling an image generator what to draw.
      </p>
      <h3>Images into a language model: GPT-4</h3>
      <p>
        GPT-4 (OpenAI, 2023) is a large transformer that accepts images as well as text in its input and writes
        text. Its technical report says that it is a transformer pre-trained to predict the next token on public
        and licensed data and then fine-tuned with reinforcement learning from human feedback, and it reports
        results on exams and benchmarks. It deliberately says nothing about the architecture, the model's size,
        the hardware, the training compute, how the data set was built or how the images enter the model. Openly
        described systems of this kind encode the image with a vision encoder, often a CLIP-trained ViT like the
        one above, and give the resulting vectors to the language model: LLaVA projects them into the model's
        input as extra tokens in its sequence, and Flamingo adds cross-attention layers through which the text
        attends to them. That GPT-4 works the same way is a reasonable guess, not something OpenAI has documented.
      </p>`,
  },
];

export const visionClaims: Claim[] = [
  { stat: 'w1920-vit-acc', is: '>=', than: 'w1920-mlp-acc', says: 'the ViT scores at least as well as the MLP on the same held-out digits' },
  { stat: 'w1920-vit-acc', is: '>', than: 0.9, says: 'the ViT classifies most held-out digits correctly' },
  { stat: 'w1920-clip-names', is: '>', than: 'w1920-clip-chance', says: 'zero-shot with the class names is far above chance' },
  { stat: 'w1920-clip-heldout', is: '>', than: 'w1920-clip-chance', says: 'zero-shot with the unseen template is above chance' },
  { stat: 'w1920-clip-ensemble', is: '>', than: 'w1920-clip-chance', says: 'zero-shot with the template ensemble is above chance' },
  { stat: 'w1920-clip-scale', is: '<=', than: 'w1920-clip-max-scale', says: 'the learned scale respects the cap' },
  { stat: 'w1920-clip-heldout', is: '<', than: 'w1920-clip-names', says: 'the unseen template scores below the bare names' },
  { stat: 'w1920-clip-temp', is: '>', than: 'w1920-clip-temp0', says: 'the temperature rose during training' },
];

export const visionResources: Resource[] = [
  {
    title: 'Dosovitskiy et al., “An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale” (ViT, 2020)',
    url: 'https://arxiv.org/abs/2010.11929',
    adds: 'Patches as tokens, the class token and learned positions, and how the ViT compares with convolutional networks as the pre-training data grows.',
  },
  {
    title: 'Radford et al., “Learning Transferable Visual Models From Natural Language Supervision” (CLIP, 2021)',
    url: 'https://arxiv.org/abs/2103.00020',
    adds: 'The contrastive objective with a learned temperature, zero-shot classification with prompts, prompt ensembling, and robustness results.',
  },
  {
    title: 'van den Oord, Li and Vinyals, “Representation Learning with Contrastive Predictive Coding” (2018)',
    url: 'https://arxiv.org/abs/1807.03748',
    adds: 'The InfoNCE loss CLIP’s objective descends from: pick the true pair among negatives, and why that bounds mutual information.',
  },
  {
    title: 'Ramesh et al., “Zero-Shot Text-to-Image Generation” (DALL-E, 2021)',
    url: 'https://arxiv.org/abs/2102.12092',
    adds: 'Images as discrete tokens from a learned autoencoder, one transformer over caption and image tokens, and reranking samples with CLIP.',
  },
  {
    title: 'Ramesh et al., “Hierarchical Text-Conditional Image Generation with CLIP Latents” (DALL-E 2, 2022)',
    url: 'https://arxiv.org/abs/2204.06125',
    adds: 'A prior from CLIP text embeddings to CLIP image embeddings and a diffusion decoder that draws from them.',
  },
  {
    title: 'OpenAI, “GPT-4 Technical Report” (2023)',
    url: 'https://arxiv.org/abs/2303.08774',
    adds: 'What is documented about GPT-4 (image and text input, evaluation on exams and benchmarks, safety work) and the statement of what is withheld.',
  },
  {
    title: 'Alayrac et al., “Flamingo: a Visual Language Model for Few-Shot Learning” (2022)',
    url: 'https://arxiv.org/abs/2204.14198',
    adds: 'An openly described way of feeding a frozen vision encoder’s outputs into a frozen language model through cross-attention layers.',
  },
];
