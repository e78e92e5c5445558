// Weeks 17-18, BERT vs GPT: the course's pre-trained checkpoints (playground/public/models) side by side. What a
// masked and a causal language model can see and what each predicts; fine-tuning the pre-trained BERT for
// sentiment against the same model from scratch (the card's numbers, read when the page opens, and a short live
// run); sampling from GPT; the in-context model's accuracy by number of examples; the KV cache; and pre-training,
// transfer, instruction tuning and RLHF in words. Every number comes from numbers.ts (engine/lessons/pretrained.ts).
import { html } from 'lit';
import { until } from 'lit/directives/until.js';
import { stat } from '../../stat';
import type { Lesson } from '../../types';
import { ICL_TEST, KV_DEMO, RACE, bertDescription, MASK_DEMO, SAMPLE_PROMPT, SAMPLE_TOP_P, finetune, firstStep, iclCurve, kvWork, maskShares, seeing } from './numbers';
import { whoSees, kvCount, maskCell, filterCell } from './exercises';
import { iclIdealAccuracy } from '../../../../engine/course';

const pct = 'percent' as const;
const points = (v: number): string => `${(v * 100).toFixed(1)} points`;
const icl = (k: number) => iclCurve().then((c) => c.accuracy[k]);

export const lesson: Lesson = {
  id: 'week-17-18',
  week: '17-18',
  title: 'BERT vs GPT',
  summary: 'A masked and a causal language model, pre-trained here, side by side: what each sees and predicts, fine-tuning, sampling, in-context learning and the KV cache.',
  load: () => Promise.all([import('./see-widget'), import('./finetune-widget'), import('./sampler-widget'), import('./icl-widget'), import('./kv-widget')]),
  sections: [
    {
      kind: 'text',
      body: html`
        <h2>Two ways to pre-train a transformer</h2>
        <p>
          Weeks 15-16 built the transformer. This week puts two of its descendants side by side, both
          pre-trained by this project, mostly on State of the Union addresses, and shipped with the course (each
          checkpoint's model card says exactly what it read): a small <strong>BERT</strong>
          and a small <strong>GPT</strong>. They share the same byte-level tokenizer and almost the same size, and
          they learn from raw text with no labels at all. What differs is the game they were trained to play.
        </p>
        <p>
          GPT is a <em>causal</em> language model: at every position it predicts the next token from the ones before
          it. A causal mask inside each attention layer hides everything to the right, so predicting token 10 can
          only use tokens 1 to 9. BERT is a <em>masked</em> language model: some tokens of a passage are hidden and
          it predicts them from everything else, on both sides. Its encoder has no causal mask at all.
        </p>
        <p>
          Below, both read the same sentence. The grids are the first layer's attention weights, averaged over the
          heads: row <em>i</em> is the token doing the looking, column <em>j</em> the token looked at, and a hatched
          cell is a weight the mask forced to zero. On the example sentence of
          ${stat('w1718-tokens', seeing().then((s) => s.tokens), 'int')} tokens, GPT's first layer attends over
          ${stat('w1718-gpt-pairs', seeing().then((s) => s.gptPairs), 'int')} (query, key) pairs, the lower
          triangle with its diagonal, while BERT's attends over all
          ${stat('w1718-bert-pairs', seeing().then((s) => s.bertPairs), 'int')}. Move the slider to choose a token:
          BERT guesses it with that token replaced by <code>[MASK]</code>, GPT guesses it from the tokens before it.
          These are small models trained for minutes on one corpus, so expect function words and common phrases to
          come out well and rarer words badly.
        </p>`,
    },
    {
      kind: 'widget',
      tag: 'w1718-side-by-side',
      alt: 'A sentence menu and a slider choose a token. Two grids show the first-layer attention of BERT (every cell filled) and GPT (the upper triangle hatched out), with the chosen token’s row outlined, and under each a table of the model’s five most likely tokens at that position with their probabilities, the true token in bold.',
    },
    { kind: 'exercise', exercise: whoSees },
    {
      kind: 'text',
      body: html`
        <h2>How BERT hides tokens</h2>
        <p>
          If every token BERT had to predict were shown as <code>[MASK]</code>, the model would only ever be asked
          about <code>[MASK]</code> positions, yet <code>[MASK]</code> never appears in the text it is fine-tuned on
          later; a real token would never need a careful representation of its own. So its training data is made
          with a three-way rule: each ordinary token is chosen with probability 0.15; a chosen
          token becomes <code>[MASK]</code> 80% of the time, a random ordinary token 10% of the time, and is left
          alone the last 10%. The loss is computed only at the chosen positions. (The share chosen is a setting:
          our checkpoint's card records what its pre-training used.) Special tokens (padding,
          <code>[CLS]</code>, <code>[SEP]</code>) are never chosen. Run over
          ${stat('w1718-mask-tokens', MASK_DEMO.tokens, 'int')} tokens, the engine's <code>nn.maskTokens</code>
          chose ${stat('w1718-mask-selected', maskShares().then((c) => c.selected / c.ordinary), pct)} of them;
          of those, ${stat('w1718-mask-masked', maskShares().then((c) => c.masked / c.selected), pct)} became
          <code>[MASK]</code>, ${stat('w1718-mask-random', maskShares().then((c) => c.random / c.selected), pct)}
          a random token and ${stat('w1718-mask-kept', maskShares().then((c) => c.kept / c.selected), pct)}
          stayed (a random draw that lands on the original token counts as kept here).
        </p>`,
    },
    { kind: 'exercise', exercise: maskCell },
    {
      kind: 'text',
      body: html`
        <h2>Pre-training, then fine-tuning</h2>
        <p>
          Neither model was trained to do any particular task. <em>Pre-training</em> on plenty of unlabelled text
          teaches a network the regularities of the language: which words go together, how phrases are built, what a
          sentence is about. <em>Fine-tuning</em> then takes those weights as the starting point for a task with
          labels, usually far fewer of them, adding a small new output layer and training everything for a short
          while. Reusing what one task taught for another is <em>transfer learning</em>; in vision it is the
          ImageNet backbone under a new classifier, in language it is exactly this.
        </p>
        <p>
          Our test: telling positive from negative review sentences (Amazon, IMDB and Yelp). The recipe
          <code>npm run train -- sentiment</code> fine-tunes the pre-trained BERT, with a fresh classifier on its
          <code>[CLS]</code> position, and trains the same architecture from random weights with exactly the same
          budget: ${stat('w1718-ft-steps', finetune().then((f) => f.steps), 'int')} steps, the same batches and
          optimizer, repeated over ${stat('w1718-ft-seeds', finetune().then((f) => f.seeds), 'int')} seeds. Its
          results are recorded on the BERT checkpoint's model card, which this page read when it opened: on the
          held-out sentences the fine-tuned pre-trained model averages
          ${stat('w1718-ft-pretrained', finetune().then((f) => f.pretrainedMean), pct)} accuracy and the model from
          scratch ${stat('w1718-ft-scratch', finetune().then((f) => f.scratchMean), pct)}, a difference of
          ${stat('w1718-ft-gap', finetune().then((f) => f.pretrainedMean - f.scratchMean), points)}. What it read
          before, in its card's words: <q>${until(bertDescription(), '…')}</q> How much a head start is worth
          depends on how much text the pre-training saw and how close it is to the task; BERT's own pre-training on
          billions of words is what made the approach famous.
        </p>
        <p>
          The widget runs a short version of the same race here, on your device: both models for
          ${stat('w1718-race-steps', RACE.steps, 'int')} steps, scored on
          ${stat('w1718-race-held', RACE.heldOut, 'int')} held-out sentences every
          ${stat('w1718-race-every', RACE.evalEvery, 'int')} steps. One short run with one seed is noisy: watch
          which curve rises first rather than the last digit.
        </p>`,
    },
    {
      kind: 'widget',
      tag: 'w1718-finetune',
      alt: 'A Fine-tune button trains the pre-trained BERT and a BERT from random weights side by side on review sentences. A status line gives the step and the latest accuracies, and a line chart plots the held-out accuracy of both against the step.',
    },
    {
      kind: 'text',
      body: html`
        <h2>Generating text with GPT</h2>
        <p>
          A causal model generates by feeding its own output back in: compute the distribution of the next token,
          choose one, append it, repeat. How it chooses matters a great deal. <em>Greedy</em> decoding always takes
          the most likely token, which is deterministic and tends to loop. Sampling draws from the distribution
          instead, and three knobs reshape it first. The <em>temperature</em> divides the logits before the
          softmax: below 1 it sharpens the distribution towards the favourites, above 1 it flattens it.
          <em>Top-k</em> keeps only the k most likely tokens. <em>Top-p</em> (nucleus sampling) keeps the smallest
          set of most likely tokens whose probabilities add up to at least p, so the number kept adapts: few when
          the model is sure, many when it is not. After “${SAMPLE_PROMPT}” our GPT gives its favourite next token
          ${stat('w1718-first-top', firstStep().then((s) => s.top), pct)}, and a nucleus of
          p = ${stat('w1718-top-p', SAMPLE_TOP_P, 2)} holds ${stat('w1718-nucleus', firstStep().then((s) => s.nucleus), 'int')}
          tokens. Choose a strategy, then click any generated token to see the distribution it was drawn from:
          grey is the model's, blue what the filter kept, renormalised.
        </p>`,
    },
    {
      kind: 'widget',
      tag: 'w1718-sampler',
      alt: 'Sliders for temperature, k and p, a strategy menu (greedy, temperature, top-k, top-p), a prompt field and a button to sample again with a new seed. The continuation is shown token by token; for the selected step, bars compare the model’s probability and the filtered probability of the most likely tokens, the drawn token marked.',
    },
    { kind: 'exercise', exercise: filterCell },
    {
      kind: 'text',
      body: html`
        <h2>Learning from the prompt</h2>
        <p>
          Large GPTs can pick up a task from a few worked examples in the prompt, with no change to their weights:
          <em>in-context learning</em>. A model of our size trained on the addresses does not show it, so the
          course ships a third checkpoint, trained on a task where nothing else works. Each sequence has its own
          secret map from the letters a–h to A–H; the prompt is a run of queries, each followed by its answer
          written as one token (<code>c cF a aB c …</code>). When a query comes, the model must name its output
          letter, and the only place the map exists is the examples earlier in the same prompt.
        </p>
        <p>
          On the ${stat('w1718-icl-n', ICL_TEST.n, 'int')} held-out sequences of its card, computed as this page
          opened, the model answers ${stat('w1718-icl-0', icl(0), pct)} of queries right with no example before
          them (guessing gives ${stat('w1718-icl-chance', iclIdealAccuracy(0), pct)}), ${stat('w1718-icl-1', icl(1), pct)} after
          one, ${stat('w1718-icl-4', icl(4), pct)} after four and ${stat('w1718-icl-8', icl(8), pct)} after eight.
          At the query after eight examples, its letter had already appeared among them in
          ${stat('w1718-icl-shown-8', iclCurve().then((c) => c.shown[8]), pct)} of these sequences, so a reader who
          copies the answer whenever it can and guesses otherwise would expect
          ${stat('w1718-icl-copier-8', iclCurve().then((c) => c.copier[8]), pct)} there. What the model appears to have learnt is to look
          back for the example that starts with the query's letter and copy its second half. Matching
          an earlier token and copying what came with it is the job of what interpretability research calls
          induction heads, which large language models grow during pre-training.
        </p>`,
    },
    {
      kind: 'widget',
      tag: 'w1718-icl',
      alt: 'A slider sets how many worked examples precede the query and a button picks another held-out sequence. The prompt is shown with the query highlighted, bars give the model’s probability for each of the letters A to H with the right one in green, and a line chart plots held-out accuracy against the number of examples, with copying-when-shown and guessing for comparison.',
    },
    {
      kind: 'text',
      body: html`
        <h2>The KV cache</h2>
        <p>
          Generating token by token repeats work. At each step attention needs the keys and values of every earlier
          position, and without care the model recomputes all of them from scratch, although they have not
          changed: a causal model's earlier positions never see the new token. A <em>KV cache</em> keeps each
          layer's keys and values, so each new step runs one token through the network and attends over the stored
          ones. To extend a ${stat('w1718-kv-prompt', KV_DEMO.prompt, 'int')}-token prompt by
          ${stat('w1718-kv-new', KV_DEMO.newTokens, 'int')} tokens, the network runs
          ${stat('w1718-kv-without', kvWork().then((w) => w.without), 'int')} token positions without a cache and
          ${stat('w1718-kv-with', kvWork().then((w) => w.withCache), 'int')} with one. BERT has no use for it: it
          reads the whole text at once, and every position can change when any token does. The cost is memory:
          two vectors per layer for every token so far. The button times both ways on your own device; how big the
          speed-up is depends on the hardware and the model's size, so it is a measurement, not a promise.
        </p>`,
    },
    {
      kind: 'widget',
      tag: 'w1718-kv-timer',
      alt: 'A Time it button generates the same greedy continuation with and without the KV cache on this device and shows both times in milliseconds and their ratio.',
    },
    { kind: 'exercise', exercise: kvCount },
    {
      kind: 'text',
      body: html`
        <h2>From language models to assistants</h2>
        <p>
          A pre-trained GPT continues text; it does not answer questions or follow instructions, except where its
          training text happened to. Chat assistants add two more stages on top. <em>Instruction tuning</em> is
          ordinary fine-tuning on many examples of an instruction followed by a good response, written or checked by
          people, so the model learns the format “request, then helpful answer”. <em>Reinforcement learning from
          human feedback</em> (RLHF) goes further: people compare pairs of the model's answers, a second network (a
          reward model) is trained to predict which one they would prefer, and the language model is then optimised
          to produce answers the reward model scores highly, while a penalty keeps it close to the instruction-tuned
          model so it does not drift into exploiting the reward model's blind spots. Neither stage teaches much new
          knowledge; they shape how the knowledge from pre-training is used.
        </p>
        <p>
          BERT and GPT split the field for a while: encoders like BERT for understanding tasks (classification,
          tagging, retrieval), decoders like GPT for generation. As decoders grew, prompting and in-context learning
          let one model do both, which is why the largest models today are GPT-style.
        </p>
        <p>
          <strong>Try it with a real model.</strong> The playground can load a real GPT-2 or BERT checkpoint from
          Hugging Face's format and run it in your browser: open <a href="./index.html" target="_blank" rel="noopener">the
          playground</a> and click <em>Load a model</em> in its toolbar, then give it a checkpoint's files or a base
          URL. A GPT-2 gets a generation panel with a temperature (0 is greedy) and top-k; a BERT gets a fill-the-mask panel.
        </p>`,
    },
  ],
  claims: [
    { stat: 'w1718-bert-pairs', is: '>', than: 'w1718-gpt-pairs', says: 'BERT attends over more (query, key) pairs than GPT on the same sentence' },
    { stat: 'w1718-ft-pretrained', is: '>', than: 'w1718-ft-scratch', says: 'the fine-tuned pre-trained BERT beats the same model trained from scratch' },
    { stat: 'w1718-ft-gap', is: '>', than: 0, says: 'the pre-trained start helps (a positive difference)' },
    { stat: 'w1718-icl-8', is: '>', than: 'w1718-icl-0', says: 'the in-context model answers better after eight examples than with none' },
    { stat: 'w1718-icl-4', is: '>', than: 'w1718-icl-chance', says: 'after four examples the in-context model beats guessing' },
    { stat: 'w1718-kv-with', is: '<', than: 'w1718-kv-without', says: 'the KV cache runs fewer token positions' },
  ],
  resources: [
    {
      title: 'Devlin, Chang, Lee and Toutanova, “BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding” (2018)',
      url: 'https://arxiv.org/abs/1810.04805',
      adds: 'The masked-LM objective and its 80/10/10 rule, next-sentence prediction, and fine-tuning one pre-trained encoder for many tasks.',
    },
    {
      title: 'Radford, Wu, Child, Luan, Amodei and Sutskever, “Language Models are Unsupervised Multitask Learners” (GPT-2, 2019)',
      url: 'https://cdn.openai.com/better-language-models/language_models_are_unsupervised_multitask_learners.pdf',
      adds: 'A causal transformer trained on web text, and how far plain next-token prediction goes without fine-tuning.',
    },
    {
      title: 'Brown et al., “Language Models are Few-Shot Learners” (GPT-3, 2020)',
      url: 'https://arxiv.org/abs/2005.14165',
      adds: 'In-context learning at scale: zero-, one- and few-shot prompting measured across many tasks.',
    },
    {
      title: 'Holtzman, Buys, Du, Forbes and Choi, “The Curious Case of Neural Text Degeneration” (2019)',
      url: 'https://arxiv.org/abs/1904.09751',
      adds: 'Why greedy and beam search produce dull, repetitive text, and nucleus (top-p) sampling.',
    },
    {
      title: 'Howard and Ruder, “Universal Language Model Fine-tuning for Text Classification” (ULMFiT, 2018)',
      url: 'https://arxiv.org/abs/1801.06146',
      adds: 'Transfer learning for text: pre-train a language model, then fine-tune it for classification with few labels.',
    },
    {
      title: 'Ouyang et al., “Training language models to follow instructions with human feedback” (InstructGPT, 2022)',
      url: 'https://arxiv.org/abs/2203.02155',
      adds: 'Instruction tuning and RLHF in detail: demonstrations, a reward model from human comparisons, and PPO.',
    },
    {
      title: 'Olsson et al., “In-context Learning and Induction Heads” (Transformer Circuits, 2022)',
      url: 'https://transformer-circuits.pub/2022/in-context-learning-and-induction-heads/index.html',
      adds: 'The match-and-copy attention heads behind in-context learning, and when they form during training.',
    },
    {
      title: 'Jay Alammar, “The Illustrated BERT, ELMo, and co.”',
      url: 'https://jalammar.github.io/illustrated-bert/',
      adds: 'Pictures of pre-training and fine-tuning, and how BERT grew out of earlier contextual embeddings.',
    },
  ],
};
