// The integration project (issue 24): extractive question answering with the course's pre-trained BERT. The page
// explains the task and the span heads, shows the generated data as generated, states the held-out scores that
// `npm run train -- qa` wrote into models/bert-qa/card.json (pre-trained and fine-tuned vs the same model from
// scratch), and lets the learner question the fine-tuned model about passages it never saw. Every number comes
// from numbers.ts: the card, or the shipped model run on the CPU backend.
import { html } from 'lit';
import { until } from 'lit/directives/until.js';
import { stat } from '../../stat';
import type { Lesson } from '../../types';
import { SAMPLE, answer, bertMaskedAccuracy, heldOutPassages, qaModel, qaScores } from './numbers';
import { f1Cell, f1Number, spanCell, whyDisjoint } from './exercises';

const pct = 'percent' as const;
const points = (v: number): string => `${(v * 100).toFixed(1)} points`;
const score = (side: 'pretrained' | 'scratch', m: 'exactMatch' | 'f1') => qaScores().then((s) => s[side][m]);
const seedsOf = (side: 'pretrained' | 'scratch') => qaScores().then((s) => s.bySeed[side]);
/** An init's mean held-out score over the seeds. */
const meanOf = (side: 'pretrained' | 'scratch', m: 'exactMatch' | 'f1') => seedsOf(side).then((x) => x[m].reduce((a, b) => a + b, 0) / x[m].length);
/** An init's lowest or highest exact match over the seeds. */
const extreme = (side: 'pretrained' | 'scratch', f: (...xs: number[]) => number) => seedsOf(side).then((x) => f(...x.exactMatch));

/** The model's answer to the first question of the first passage the widget offers. */
const demo = async () => {
  const [p] = await heldOutPassages();
  const q = p.questions[0];
  const r = await answer(q.question, p.passage);
  if ('error' in r) throw new Error(r.error);
  return { q, p: r.prediction };
};

export const lesson: Lesson = {
  id: 'project-qa',
  week: '19-20',
  title: 'Project: a question-answering reader',
  summary: 'The course’s pre-trained BERT fine-tuned to answer questions by pointing at the answer in a passage: span heads, generated data with a held-out split that forces reading, and SQuAD’s scores.',
  load: () => import('./qa-widget'),
  sections: [
    {
      kind: 'text',
      body: html`
        <h2>Answering by pointing</h2>
        <p>
          This project puts the course's pieces together into one application: a program that reads a short passage
          and answers a question about it. It is <em>extractive</em> question answering, the task of the SQuAD
          benchmark: the answer is always a stretch of the passage itself, so instead of writing an answer word by
          word, the model only has to point at where it starts and where it ends. Given “Where was Mara born?” and a
          passage that says “Mara was born in Lisbon in 1987”, the right output is the two positions around
          “Lisbon”. A generative model such as GPT could write an answer instead, but pointing is easier to learn,
          can never make up a word the passage does not contain, and is easy to score.
        </p>
        <p>
          The reader is the small BERT that the course pre-trained on State of the Union addresses (weeks 17-18),
          with a new output layer on top, fine-tuned on question-answer pairs. We compare it with the same network
          trained from random weights on exactly the same examples, as weeks 17-18 did for sentiment.
        </p>`,
    },
    {
      kind: 'text',
      body: html`
        <h2>The data is generated</h2>
        <p>
          No package available to this project ships SQuAD or any other question-answering set, so the project
          writes its own, and it is <strong>generated, not natural text</strong>: short passages about two invented
          people, built from sentence templates: where and when each was born, and one more fact (a job, a
          favourite colour or where they live now) about one of them. Each question's answer is a span of the
          passage, given by character offsets as SQuAD gives them. For example:
        </p>
        <blockquote>
          <p>${SAMPLE.passage}</p>
          <p><strong>Q:</strong> ${SAMPLE.question} <strong>A:</strong> “${SAMPLE.answer.text}”, which starts at character
          ${stat('pqa-sample-start', SAMPLE.answer.start, 'int')} of the passage (counting from 0).</p>
        </blockquote>
        <p>
          The recipe trained on ${stat('pqa-train-n', qaScores().then((s) => s.trainSize), 'int')} such questions
          and scored on ${stat('pqa-held-n', qaScores().then((s) => s.heldOutSize), 'int')} held-out ones. The split
          is what makes the test mean something. Names and towns are invented words, and the held-out ones start
          with letters no training name or town starts with; the held-out jobs and colours come from lists the
          training passages never use. So apart from the years, no held-out answer ever appeared in training. And
          every passage mentions two people, each with a town and a year, so the model cannot just grab the first
          town or year it sees: it has to match the question's name and wording (“born” or “live”) to the right
          sentence.
          Template data is far easier than real text: the wording varies little and the answers always sit in the
          same kind of place. It tests whether the model learnt to read this little world, nothing more.
        </p>`,
    },
    { kind: 'exercise', exercise: whyDisjoint },
    {
      kind: 'text',
      body: html`
        <h2>Span heads</h2>
        <p>
          BERT reads the question and the passage as one sequence, <code>[CLS] question [SEP] passage [SEP]</code>,
          with segment ids 0 for the question part and 1 for the passage part, so that each token's embedding also
          says which side it is on (the segment embeddings BERT was built with, for pairs of sentences). The encoder
          turns every position into a vector of ${stat('pqa-d', qaModel().then((m) => m.model.bert.config.dModel), 'int')}
          numbers. The new layer, called <code>qa_outputs</code> as in Hugging Face's
          <code>BertForQuestionAnswering</code>, is one linear map from that vector to two numbers per position: a
          start logit and an end logit. That is all the task adds:
          ${stat('pqa-head-params', qaModel().then((m) => m.model.qa_outputs.parameters().reduce((n, p) => n + p.numel, 0)), 'int')}
          new parameters, out of
          ${stat('pqa-params', qaScores().then((s) => s.parameters), 'int')} in the whole model.
        </p>
        <p>
          A softmax over the positions turns each row of logits into a distribution: where does the answer start,
          and where does it end? Training minimises the mean of two cross-entropies, one for the true start token
          and one for the true end token. To answer, the model picks the span whose start and end logits add up to
          the most, among spans that lie inside the passage, end no earlier than they start, and are at most
          ${stat('pqa-max-len', qaScores().then((s) => s.maxAnswerLen), 'int')} tokens long. Without those rules
          the best start and the best end, taken separately, can land in the question or in the wrong order.
        </p>
        <p>
          One more piece joins tokens and text. The data gives answers as characters, the model works in tokens.
          Our byte-level tokenizer knows exactly which bytes each token stands for, so walking the tokens of the
          passage gives each one its first and last character. That maps the answer's characters to its first and
          last token for training, and maps a predicted token span back to the exact text for the answer.
        </p>`,
    },
    { kind: 'exercise', exercise: spanCell },
    {
      kind: 'text',
      body: html`
        <h2>Scoring answers</h2>
        <p>
          SQuAD scores an answer in two ways, both after normalising the text (lower case, no punctuation, no
          “a”, “an” or “the”, single spaces). <em>Exact match</em> is 1 if the prediction equals the gold answer
          and 0 otherwise. <em>F1</em> gives partial credit: it treats both as bags of words, counts the words they
          share, and combines precision (the share of predicted words that are right) and recall (the share of the
          gold words that were found) into their harmonic mean. A span one word too long still earns most of the
          credit.
        </p>`,
    },
    { kind: 'exercise', exercise: f1Number },
    { kind: 'exercise', exercise: f1Cell },
    {
      kind: 'text',
      body: html`
        <h2>Pre-trained against scratch</h2>
        <p>
          <code>npm run train -- qa</code> fine-tunes the pre-trained BERT under a fresh span head, and trains the
          same architecture from random weights with the same budget:
          ${stat('pqa-steps', qaScores().then((s) => s.steps), 'int')} steps of
          ${stat('pqa-batch', qaScores().then((s) => s.batchSize), 'int')} questions, the same batches, optimizer and
          schedule. It ran both with ${stat('pqa-seeds', seedsOf('pretrained').then((x) => x.seeds.length), 'int')}
          seeds (a seed sets the new head's or the whole network's starting weights, the dropout and the batches,
          which the two models share), and wrote every run's held-out scores into the card of the shipped model,
          which this page read when it opened. Averaged over the seeds, the fine-tuned pre-trained model scores
          ${stat('pqa-pre-em-mean', meanOf('pretrained', 'exactMatch'), pct)} exact match and
          ${stat('pqa-pre-f1-mean', meanOf('pretrained', 'f1'), pct)} F1; the model from scratch
          ${stat('pqa-scratch-em-mean', meanOf('scratch', 'exactMatch'), pct)} and
          ${stat('pqa-scratch-f1-mean', meanOf('scratch', 'f1'), pct)}, a difference of
          ${stat('pqa-em-gap', Promise.all([meanOf('pretrained', 'exactMatch'), meanOf('scratch', 'exactMatch')]).then(([a, b]) => a - b), points)}
          in exact match and
          ${stat('pqa-f1-gap', Promise.all([meanOf('pretrained', 'f1'), meanOf('scratch', 'f1')]).then(([a, b]) => a - b), points)}
          in F1.
        </p>
        <p>
          The mean hides how much a single run varies. Seed by seed, the pre-trained start's exact match ranged from
          ${stat('pqa-pre-em-min', extreme('pretrained', Math.min), pct)} to
          ${stat('pqa-pre-em-max', extreme('pretrained', Math.max), pct)}, and the model from scratch's from
          ${stat('pqa-scratch-em-min', extreme('scratch', Math.min), pct)} to
          ${stat('pqa-scratch-em-max', extreme('scratch', Math.max), pct)}: the ranges overlap, so any one run
          could have told either story. (The model shipped with the page, and used below, is the pre-trained
          start's first seed: ${stat('pqa-pre-em', score('pretrained', 'exactMatch'), pct)} exact match and
          ${stat('pqa-pre-f1', score('pretrained', 'f1'), pct)} F1, against
          ${stat('pqa-scratch-em', score('scratch', 'exactMatch'), pct)} for scratch with the same seed.) That is
          why weeks 17-18 averaged several seeds too, and why papers report them.
        </p>
        <p>
          So, on average, the two are level: their means are less than a point apart in exact match and in F1, while single runs of either spread far more widely. The pre-trained start neither helped nor hurt in a way this experiment can see. Pre-training pays when it taught the network something the task needs. Ours read
          State of the Union addresses for a few minutes and, on held-out text, fills in only
          ${stat('pqa-bert-mlm', bertMaskedAccuracy(), pct)} of masked tokens correctly (its card's figure): it
          learnt a little about how English sentences go, and nothing about these invented names and towns. The
          real BERT read billions of words, and there pre-training is what makes a few thousand labelled questions
          enough. And neither model has solved the task in this budget: both get most held-out questions wrong,
          often answering with the other person's town or year, or with the wrong kind of answer altogether, as
          the widget below shows.
        </p>`,
    },
    {
      kind: 'text',
      body: html`
        <h2>Ask it</h2>
        <p>
          The widget runs the shipped fine-tuned model in your browser. Pick a held-out passage and one of its
          questions, or type your own about the same passage. The passage's tokens are shown with two bars under
          each: the model's probability that the answer starts there (blue) and that it ends there (orange); the
          span it chose is highlighted. For the first passage's first question, “${until(demo().then((d) => d.q.question), '…')}”,
          it puts ${stat('pqa-demo-start', demo().then((d) => d.p.startProbs[d.p.start]), pct)} of its start
          probability on the first token of its answer, “${until(demo().then((d) => d.p.text), '…')}”. Questions worded unlike the
          templates, or about facts the passage does not hold, show what a model trained on one narrow kind of
          text does outside it: it still points somewhere, since it has no way to say “no answer”.
        </p>`,
    },
    {
      kind: 'widget',
      tag: 'pqa-ask',
      alt: 'Menus pick a held-out passage and one of its questions, and a text field asks a question of your own. The passage is shown, then its tokens with the answer span highlighted and, under each token, bars for the probability that the answer starts or ends there; a status line gives the answer, its start and end probabilities and, for a generated question, its exact match and F1.',
    },
    {
      kind: 'text',
      body: html`
        <h2>From here to real question answering</h2>
        <p>
          Real systems differ in scale, not in kind. SQuAD's passages come from Wikipedia and are longer than a
          model's context, so a passage is cut into overlapping windows (a “document stride”) and the best span
          over all windows wins. SQuAD 2.0 adds questions the passage cannot answer; the model then learns to point
          at <code>[CLS]</code> for “no answer”, and a threshold compares that score with the best span's. Open-domain
          systems first retrieve passages from a large collection and then read them with a model like this one.
          And the pre-trained encoder is much larger and trained on far more text, which is where most of the skill
          comes from.
        </p>`,
    },
  ],
  claims: [
    { stat: 'pqa-em-gap', is: '<', than: 0.01, says: 'the mean exact matches are less than a point apart (pre-trained not ahead by a point)' },
    { stat: 'pqa-em-gap', is: '>', than: -0.01, says: 'the mean exact matches are less than a point apart (scratch not ahead by a point)' },
    { stat: 'pqa-f1-gap', is: '<', than: 0.01, says: 'the mean F1s are less than a point apart (pre-trained not ahead by a point)' },
    { stat: 'pqa-f1-gap', is: '>', than: -0.01, says: 'the mean F1s are less than a point apart (scratch not ahead by a point)' },
    { stat: 'pqa-pre-em-min', is: '<', than: 'pqa-scratch-em-max', says: 'the seeds’ ranges overlap (the worst pre-trained run is below the best scratch run)' },
    { stat: 'pqa-scratch-em-min', is: '<', than: 'pqa-pre-em-max', says: 'the seeds’ ranges overlap (the worst scratch run is below the best pre-trained run)' },
    { stat: 'pqa-pre-em-max', is: '<', than: 0.5, says: 'every pre-trained run gets most held-out questions wrong' },
    { stat: 'pqa-scratch-em-max', is: '<', than: 0.5, says: 'every run from scratch gets most held-out questions wrong' },
  ],
  resources: [
    {
      title: 'Rajpurkar, Zhang, Lopyrev and Liang, “SQuAD: 100,000+ Questions for Machine Comprehension of Text” (2016)',
      url: 'https://arxiv.org/abs/1606.05250',
      adds: 'The extractive QA benchmark: answers as spans of Wikipedia paragraphs, and the exact-match and F1 scores used here.',
    },
    {
      title: 'Rajpurkar, Jia and Liang, “Know What You Don’t Know: Unanswerable Questions for SQuAD” (SQuAD 2.0, 2018)',
      url: 'https://arxiv.org/abs/1806.03822',
      adds: 'Questions with no answer in the passage, and why a reader must learn to abstain.',
    },
    {
      title: 'Devlin, Chang, Lee and Toutanova, “BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding” (2018)',
      url: 'https://arxiv.org/abs/1810.04805',
      adds: 'Section 4.2: fine-tuning BERT for SQuAD with a start vector and an end vector over the passage tokens.',
    },
    {
      title: 'Hugging Face LLM course, “Question answering”',
      url: 'https://huggingface.co/learn/llm-course/chapter7/7',
      adds: 'Fine-tuning a BERT-style model on SQuAD in practice: offset mappings, long contexts with a stride, and post-processing the logits into answers.',
    },
    {
      title: 'Jia and Liang, “Adversarial Examples for Evaluating Reading Comprehension Systems” (2017)',
      url: 'https://arxiv.org/abs/1707.07328',
      adds: 'How SQuAD models latch onto surface cues: one distracting sentence added to a passage breaks them.',
    },
    {
      title: 'Chen, Fisch, Weston and Bordes, “Reading Wikipedia to Answer Open-Domain Questions” (DrQA, 2017)',
      url: 'https://arxiv.org/abs/1704.00051',
      adds: 'Retrieve, then read: extractive QA over a whole encyclopaedia.',
    },
  ],
};
