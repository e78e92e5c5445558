// Weeks 15-16, the transformer: the whole encoder-decoder on the toy translation task (reversing a digit string),
// trained in the page. On load it trains one small model three times on the CPU with a fixed seed (quick.ts):
// whole, without residual connections and without layer norm, and states their held-out accuracy and how often the
// trained cross-attention lands on the mirrored digit through stat(). Widgets train larger models with the parts,
// warmup and label smoothing switched on and off, sweep heads, layers and width, and draw every attention map. The
// maths lives in engine/lessons/transformer.ts.
import { html } from 'lit';
import { stat } from '../../stat';
import type { Lesson } from '../../types';
import { QUICK, ALIGN_SOURCES, quickAblation } from './quick';
import { alignmentChoice, encoderLayerCell, floorExercise, residualChoice, SMOOTHING } from './exercises';
import { SWEEP_BASE, WARMUP_SHARE } from './settings';

const quick = quickAblation;

export const lesson: Lesson = {
  id: 'week-15-16',
  week: '15-16',
  title: 'The transformer',
  summary: 'The whole encoder-decoder trained on a toy translation task, with residuals, layer norm, warmup and label smoothing switched on and off, a small sweep, and its attention read back.',
  load: () => Promise.all([import('./train-widget'), import('./sweep-widget'), import('./attention-widget')]),
  sections: [
    {
      kind: 'text',
      body: html`
        <h2>The whole model</h2>
        <p>
          The last weeks built the parts: attention, self-attention with positions, several heads. A transformer
          stacks them into two towers. The <em>encoder</em> reads the source sentence: each layer lets every source
          token attend to every other, then passes each token through a small feed-forward network on its own. The
          <em>decoder</em> writes the translation one token at a time: each of its layers first attends to the output
          written so far (causally, so a position never sees the tokens after it), then attends to the encoder's
          output, which is called <em>cross-attention</em>, and then applies its own feed-forward network. A linear
          layer and a softmax turn the decoder's last vectors into a distribution over the next token.
        </p>
        <p>
          Our translation task is a toy one with a known answer: the source is a string of three to five digits and
          the target is the same digits reversed, so <code>3141</code> becomes <code>1413</code>. It is small
          enough to train in the page, and hard in the right way: to write its i-th digit the decoder has to find
          the digit at the mirrored position, which depends on the length of the source, so it needs the positional
          encodings and the cross-attention together. Every source string the model is scored on is held out, never
          seen in training.
        </p>
        <p>
          On load this page trained a small model on the CPU with a fixed seed:
          ${stat('w1516-layers', QUICK.layers, 'int')} encoder layer and one decoder layer of width
          ${stat('w1516-width', QUICK.dModel, 'int')} with ${stat('w1516-heads', QUICK.nHead, 'int')} heads,
          ${stat('w1516-params', quick().then((q) => q.full.numParameters), 'int')} parameters in all, trained with
          Adam for ${stat('w1516-steps', QUICK.steps, 'int')} steps on batches of
          ${stat('w1516-batch', QUICK.batch, 'int')} fresh strings. We score it by <em>held-out token accuracy</em>:
          feed the decoder the true target so far and count how often its most likely next token is right, over
          every digit and end marker of ${stat('w1516-test-size', QUICK.testSize, 'int')} held-out strings. It
          reaches ${stat('w1516-acc-full', quick().then((q) => q.full.accuracy), 'percent')}. That is after a very
          short run; the widgets below train for longer.
        </p>`,
    },
    { kind: 'playground', example: 'toy-translation', label: 'Build the same encoder-decoder from blocks in the playground' },
    {
      kind: 'text',
      body: html`
        <h2>What residual connections and layer norm buy</h2>
        <p>
          Each sub-layer of our model (an attention block or a feed-forward block) is wrapped the same way:
          <code>x + f(LayerNorm(x))</code>. The <em>residual connection</em> is the <code>x +</code>: the sub-layer
          only computes a change to its input, and the input itself passes by untouched. <em>Layer norm</em> rescales
          each token's vector to mean zero and variance one (then applies a learnt scale and shift) before the
          sub-layer reads it, so every sub-layer sees inputs of a predictable size however the vectors grow. Putting
          the norm inside the branch, before the sub-layer, is called <em>pre-LN</em>. The original transformer put it
          after the addition, <code>LayerNorm(x + f(x))</code>, called <em>post-LN</em>; pre-LN is what GPT-2 and most
          later models use, because it trains more reliably.
        </p>
        <p>
          To see what each part does, the page trained the same model twice more, from the same starting weights on
          the same batches, once with every residual connection removed (each sub-layer's output replaces its input)
          and once with every layer norm removed. Held-out token accuracy:
        </p>
        <ul>
          <li>whole model: ${stat('w1516-acc-full-again', quick().then((q) => q.full.accuracy), 'percent')}</li>
          <li>no residual connections: ${stat('w1516-acc-no-res', quick().then((q) => q.noResidual.accuracy), 'percent')}</li>
          <li>no layer norm: ${stat('w1516-acc-no-ln', quick().then((q) => q.noNorm.accuracy), 'percent')}</li>
        </ul>
        <p>
          Removing the residuals costs the most: without them every sub-layer has to carry forward, through its own
          attention and feed-forward weights, everything the next one needs, including which digit a token is and
          where it sits, and the gradient reaches the embeddings only by passing through all of them. Removing layer
          norm, on the other hand, moves this short run's accuracy by only
          ${stat('w1516-ln-gap', quick().then((q) => Math.abs(q.full.accuracy - q.noNorm.accuracy)), (v) => `${(v * 100).toFixed(1)} percentage points`)}.
          Layer norm's job is to keep the scale of the vectors under control, and one layer trained for a few dozen
          steps at a gentle rate gives the scale little room to drift. Its value is meant to show with more layers,
          longer training or a higher learning rate: try those below, with and without it, and see whether a gap
          opens.
        </p>`,
    },
    { kind: 'exercise', exercise: residualChoice },
    {
      kind: 'widget',
      tag: 'w1516-train',
      alt: 'Menus choose the number of training steps, the learning rate and the number of layers; check boxes switch residual connections, layer norm, learning-rate warmup and label smoothing on and off; a Train button trains the model and a Clear button removes the runs. Three charts draw each run’s training loss, held-out token accuracy and learning rate against the step, one coloured line per run, and a table lists each run’s settings, device and final held-out token accuracy.',
    },
    {
      kind: 'text',
      body: html`
        <h2>Warmup and label smoothing</h2>
        <p>
          Two training tricks came with the original transformer. <em>Learning-rate warmup</em> starts the rate near
          zero and raises it linearly over the first steps (here the first
          ${stat('w1516-warmup-share', WARMUP_SHARE, 'percent')} of them) before holding it. At the start the
          weights are random, Adam's estimates of each gradient's size are based on very few steps, and a full-size
          step can push the model somewhere it struggles to recover from; post-LN transformers often fail to train
          at all without warmup. Pre-LN models are much less fragile, so expect a smaller difference here. Tick
          warmup and watch the learning-rate chart ramp, and compare the loss curves of the first steps.
        </p>
        <p>
          <em>Label smoothing</em> changes the target instead. Rather than asking for probability 1 on the right
          token, it asks for 1 − ε + ε/C on it and ε/C on each of the C tokens (here ε =
          ${stat('w1516-smoothing', SMOOTHING, 2)}), which stops the model pushing its logits ever further apart to
          become more certain. The training loss the optimizer sees is then the smoothed cross-entropy, and that
          loss cannot reach zero, so a smoothed loss curve sits above an unsmoothed one even when the model is just
          as accurate. The exercise below asks how far above.
        </p>`,
    },
    { kind: 'exercise', exercise: floorExercise },
    {
      kind: 'text',
      body: html`
        <h2>One encoder layer, by hand</h2>
        <p>
          Everything above is built from one piece repeated: the encoder layer. Write it yourself in its pre-LN form
          and Check compares it with the engine's <code>nn.TransformerEncoderLayer</code> loaded with the same
          weights. Mind the order: the norm goes inside each branch, the residual adds the branch's output to the
          un-normalised input, and the feed-forward block has its ReLU between its two linear layers.
        </p>`,
    },
    { kind: 'exercise', exercise: encoderLayerCell },
    {
      kind: 'text',
      body: html`
        <h2>A small sweep</h2>
        <p>
          How many heads, how many layers, how wide? Each is a trade between what the model can represent and how
          much it costs to train. The sweep below varies one of them around a base model (width
          ${stat('w1516-sweep-width', SWEEP_BASE.dModel, 'int')}, ${stat('w1516-sweep-heads', SWEEP_BASE.nHead, 'int')}
          heads, ${stat('w1516-sweep-layers', SWEEP_BASE.layers, 'int')} layer in each stack), trains each value from the same seed for the same number of steps, and
          plots the held-out token accuracy with the parameter count beside it. A short sweep answers "what learns
          fastest in this budget", which is not always the same as "what is best in the end": a larger model often
          starts slower. Runs use WebGPU when your browser has it.
        </p>`,
    },
    {
      kind: 'widget',
      tag: 'w1516-sweep',
      alt: 'A menu chooses what to vary (attention heads, layers in each stack, or model width) and another the training steps per run; Run sweep trains one model per value. A chart plots held-out token accuracy against the varied value, and a table lists each value, its parameter count and its accuracy.',
    },
    {
      kind: 'text',
      body: html`
        <h2>What the trained model attends to</h2>
        <p>
          A trained transformer's attention weights can be read back and drawn, one map per layer and head. Three
          kinds are worth looking at here. The encoder's self-attention shows which source digits each source digit
          gathers from. The decoder's self-attention is causal: each output position only looks back at what has
          been written. The cross-attention is where the reversal happens: to write output digit i of an n-digit
          string, the decoder needs source digit n − 1 − i, so a model that has learnt the task should show an
          anti-diagonal there.
        </p>
        <p>
          We can measure that on the page's quick model. On ${stat('w1516-align-sources', ALIGN_SOURCES, 'int')} held-out
          strings, decoded greedily, the cross-attention averaged over heads puts its largest weight on the mirrored
          source digit for ${stat('w1516-align', quick().then((q) => q.alignment), 'percent')} of the output digits.
          Picking a source position at random would manage
          ${stat('w1516-align-chance', quick().then((q) => q.alignmentChance), 'percent')}. Train the two-layer model
          in the widget below and compare its maps, layer by layer and head by head.
        </p>`,
    },
    {
      kind: 'widget',
      tag: 'w1516-attention',
      alt: 'Menus choose a held-out digit string, a layer and a head (or the mean of the heads), and a button trains a two-layer model. Three grids of shaded cells show the encoder self-attention (source digit against source digit), the decoder’s causal self-attention (output position against output so far) and the cross-attention (output position against source digit), darker meaning more weight; every cell gives its weight as text.',
    },
    { kind: 'exercise', exercise: alignmentChoice },
    {
      kind: 'text',
      body: html`
        <h2>What to take from it</h2>
        <p>
          The transformer is a few ideas stacked with care. Attention moves information between positions, the
          feed-forward blocks transform each position on its own, residual connections keep a clean path for both
          the signal and the gradient, and layer norm keeps every sub-layer's input at a scale it can work with.
          Warmup and label smoothing are about training rather than the model: the first protects the early steps,
          the second keeps the model from becoming overconfident. The next weeks take the two halves apart: an
          encoder alone becomes BERT, a decoder alone becomes GPT.
        </p>`,
    },
  ],
  claims: [
    { stat: 'w1516-acc-full', is: '>', than: 'w1516-acc-no-res', says: 'the model with residual connections beats the same model without them on held-out tokens' },
    { stat: 'w1516-acc-no-res', is: '<', than: 'w1516-acc-no-ln', says: 'removing the residual connections costs more than removing layer norm' },
    { stat: 'w1516-ln-gap', is: '<', than: 0.1, says: 'removing layer norm moves the quick run’s held-out accuracy by under 10 points' },
    { stat: 'w1516-align', is: '>', than: 'w1516-align-chance', says: 'the trained cross-attention lands on the mirrored source digit more often than chance' },
  ],
  resources: [
    {
      title: 'Vaswani et al., “Attention Is All You Need” (NeurIPS 2017)',
      url: 'https://arxiv.org/abs/1706.03762',
      adds: 'The encoder-decoder transformer itself, with its post-LN layers, warmup schedule and label smoothing of 0.1 for translation.',
    },
    {
      title: 'Rush et al., “The Annotated Transformer” (Harvard NLP)',
      url: 'https://nlp.seas.harvard.edu/annotated-transformer/',
      adds: 'The paper re-implemented line by line in PyTorch, including a copy task much like our reversal one.',
    },
    {
      title: 'Xiong et al., “On Layer Normalization in the Transformer Architecture” (ICML 2020)',
      url: 'https://arxiv.org/abs/2002.04745',
      adds: 'Why post-LN needs warmup and pre-LN does not, from the size of the gradients at initialisation.',
    },
    {
      title: 'He, Zhang, Ren and Sun, “Deep Residual Learning for Image Recognition” (CVPR 2016)',
      url: 'https://arxiv.org/abs/1512.03385',
      adds: 'Where residual connections come from, and the evidence that they let much deeper networks train.',
    },
    {
      title: 'Ba, Kiros and Hinton, “Layer Normalization” (2016)',
      url: 'https://arxiv.org/abs/1607.06450',
      adds: 'Layer norm as first proposed, for recurrent networks, normalising over features instead of over the batch.',
    },
    {
      title: 'Müller, Kornblith and Hinton, “When Does Label Smoothing Help?” (NeurIPS 2019)',
      url: 'https://arxiv.org/abs/1906.02629',
      adds: 'What label smoothing does to a network’s representations and calibration, and when it hurts.',
    },
    {
      title: 'Jay Alammar, “The Illustrated Transformer”',
      url: 'https://jalammar.github.io/illustrated-transformer/',
      adds: 'The encoder-decoder drawn step by step, with the tensors’ shapes at each stage.',
    },
  ],
};
